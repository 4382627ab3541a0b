package org.icaloflow.report;

import java.util.List;

/** The HTML page and its Markdown twin written side by side: headings, paragraphs and tables (report, compare). */
final class Markup {
    private Markup() {}

    static void heading(StringBuilder html, StringBuilder md, String s) {
        html.append("<h2>").append(esc(s)).append("</h2>");
        md.append("## ").append(s).append("\n\n");
    }

    static void subheading(StringBuilder html, StringBuilder md, String s) {
        html.append("<h3>").append(esc(s)).append("</h3>");
        md.append("### ").append(s).append("\n\n");
    }

    static void para(StringBuilder html, StringBuilder md, String s) {
        html.append("<p>").append(esc(s)).append("</p>");
        md.append(s).append("\n\n");
    }

    /** A table that scrolls inside its box rather than widening the page. */
    static void table(StringBuilder html, StringBuilder md, List<String> header, List<List<String>> rows) {
        html.append("<div class=\"scroll\"><table><tr>");
        header.forEach(h -> html.append("<th>").append(esc(h)).append("</th>"));
        html.append("</tr>");
        for (List<String> r : rows) {
            html.append("<tr>");
            r.forEach(c -> html.append("<td>").append(esc(c)).append("</td>"));
            html.append("</tr>");
        }
        html.append("</table></div>");
        md.append("| ").append(String.join(" | ", header)).append(" |\n|");
        header.forEach(h -> md.append("---|"));
        md.append("\n");
        for (List<String> r : rows) md.append("| ").append(String.join(" | ", r)).append(" |\n");
        md.append("\n");
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
