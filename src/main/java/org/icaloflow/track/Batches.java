package org.icaloflow.track;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Splits pending metrics, params and tags into {@code runs/log-batch} calls within MLflow's limits. */
final class Batches {
    static final int MAX_METRICS = 1000;
    static final int MAX_PARAMS = 100;
    static final int MAX_TAGS = 100;
    static final int MAX_ENTITIES = 1000;
    static final long MAX_CHARS = 300_000;

    private Batches() {}

    /** Sends everything pending (and empties the collections); returns the number of calls made. */
    static int send(MlflowRest rest, String runId, List<MlflowRest.Metric> metrics, Map<String, String> params,
                    Map<String, String> tags) throws IOException {
        int calls = 0;
        while (!metrics.isEmpty() || !params.isEmpty() || !tags.isEmpty()) {
            Map<String, String> p = take(params, MAX_PARAMS);
            Map<String, String> t = take(tags, MAX_TAGS);
            int room = Math.min(MAX_METRICS, MAX_ENTITIES - p.size() - t.size());
            List<MlflowRest.Metric> m = new ArrayList<>(metrics.subList(0, Math.min(room, metrics.size())));
            rest.logBatch(runId, m, p, t);
            metrics.subList(0, m.size()).clear();
            calls++;
        }
        return calls;
    }

    private static Map<String, String> take(Map<String, String> from, int n) {
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, String>> it = from.entrySet().iterator();
        long chars = 0;
        while (it.hasNext() && out.size() < n && chars < MAX_CHARS) { // request body stays below 1 MB
            Map.Entry<String, String> e = it.next();
            out.put(e.getKey(), e.getValue());
            chars += e.getKey().length() + e.getValue().length();
            it.remove();
        }
        return out;
    }
}
