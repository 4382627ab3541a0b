package org.icaloflow.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import org.icaloflow.UserError;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.stream.Collectors;

/**
 * Configuration is data: YAML bound by Jackson to typed records. Unknown keys, wrong types and missing
 * required keys are {@link UserError}s naming the file and the dotted key.
 */
public final class Yaml {
    private static final ObjectMapper MAPPER = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    // the same without the missing-key checks: used to report an unknown key before a missing one
    private static final ObjectMapper LENIENT = new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .setAnnotationIntrospector(new com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector() {
                @Override
                public Boolean hasRequiredMarker(com.fasterxml.jackson.databind.introspect.AnnotatedMember m) {
                    return Boolean.FALSE;
                }
            });

    private Yaml() {
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    /** Reads {@code file} as a {@code type}. */
    public static <T> T read(Path file, Class<T> type) {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            throw new UserError(file + ": configuration file not found");
        } catch (IOException e) {
            throw new UserError(file + ": cannot read configuration (" + e.getMessage() + ")");
        }
        return parse(text, type, file.toString());
    }

    /** Parses YAML text; {@code source} names it in error messages. */
    public static <T> T parse(String text, Class<T> type, String source) {
        return parse(text, type, source, null);
    }

    private static <T> T parse(String text, Class<T> type, String source, UnrecognizedPropertyException unknown) {
        try {
            if (unknown != null) throw unknown;
            return MAPPER.readValue(text, type);
        } catch (UnrecognizedPropertyException e) {
            String known = e.getKnownPropertyIds() == null ? "" : e.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
            throw new UserError(source + ": unknown key '" + path(e) + "'" + (known.isEmpty() ? "" : " (known here: " + known + ")"));
        } catch (InvalidTypeIdException e) {
            throw new UserError(source + ": key '" + path(e) + "' has an unknown type '" + e.getTypeId() + "'");
        } catch (MismatchedInputException e) {
            String msg = e.getOriginalMessage();
            if (msg != null && msg.startsWith("Missing required creator property")) {
                try {
                    LENIENT.readValue(text, type);
                } catch (UnrecognizedPropertyException u) {
                    return parse(text, type, source, u);
                } catch (IOException ignored) {
                    // fall through: report the missing key
                }
                throw new UserError(source + ": missing required key '" + path(e) + "'");
            }
            throw new UserError(source + ": key '" + path(e) + "' has a wrong value or type");
        } catch (JsonMappingException e) {
            Throwable c = e.getCause();
            String why = c instanceof IllegalArgumentException ? c.getMessage() : e.getOriginalMessage();
            throw new UserError(source + ": " + (path(e).isEmpty() ? "" : "key '" + path(e) + "': ") + why);
        } catch (JsonProcessingException e) {
            throw new UserError(source + ": not valid YAML (line " + e.getLocation().getLineNr() + ": " + e.getOriginalMessage() + ")");
        }
    }

    private static String path(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }
}
