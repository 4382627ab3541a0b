package org.icaloflow.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.icaloflow.data.Json;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small MLflow tracking-server client over plain REST ({@code java.net.http} + Jackson).
 *
 * <p>Why not the official {@code org.mlflow:mlflow-client}: its artifact upload shells out to a
 * Python {@code mlflow} installation (absent on GPU nodes and unacceptable inside a JVM stage),
 * and its retry policy blocks for minutes on a dead server, which would stall training. Here every
 * call has a short connect timeout ({@value #CONNECT_SECONDS} s) and a short request timeout (5 s
 * during training, 30 s for {@code icaloflow mlflow sync}), and
 * no call is ever retried: callers treat any {@link IOException} as "server gone" and fall back to
 * the journal. Artifacts go through the server's {@code mlflow-artifacts} proxy
 * ({@code PUT/GET /api/2.0/mlflow-artifacts/artifacts/...}), so no artifact-store credentials are
 * needed on the client.
 *
 * <p>Endpoints used (checked against a real {@code mlflow server}): {@code experiments/get-by-name},
 * {@code experiments/create}, {@code runs/create}, {@code runs/search}, {@code runs/get},
 * {@code runs/log-batch}, {@code runs/update}, {@code metrics/get-history}, and the
 * {@code mlflow-artifacts/artifacts} PUT / GET / list calls.
 */
final class MlflowRest {
    static final int CONNECT_SECONDS = 3;
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    /** An error answer from the server (HTTP status and MLflow error code). */
    static final class ServerError extends IOException {
        final int status;
        final String errorCode;

        ServerError(int status, String errorCode, String message) {
            super(message);
            this.status = status;
            this.errorCode = errorCode;
        }
    }

    /** One metric point, as MLflow stores it. */
    record Metric(String key, double value, long step, long timestamp) {}

    /** One entry of an artifact listing. */
    record FileInfo(String path, boolean isDir, long size) {}

    private final String base;
    private final HttpClient http;
    private final String authorization;
    private final Duration timeout;

    /** A client with the short request timeout used during training ({@link #REQUEST_TIMEOUT}). */
    MlflowRest(String trackingUri) {
        this(trackingUri, REQUEST_TIMEOUT);
    }

    /** A client with the given per-request timeout (sync on a login node can afford longer ones). */
    MlflowRest(String trackingUri, Duration requestTimeout) {
        this.timeout = requestTimeout;
        String b = trackingUri.trim();
        while (b.endsWith("/")) b = b.substring(0, b.length() - 1);
        if (!b.startsWith("http://") && !b.startsWith("https://")) {
            throw new IllegalArgumentException("tracking URI must be http:// or https://, got " + trackingUri);
        }
        this.base = b;
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(CONNECT_SECONDS))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        this.authorization = authorizationFromEnv();
    }

    String uri() {
        return base;
    }

    private static String authorizationFromEnv() {
        String token = System.getenv("MLFLOW_TRACKING_TOKEN");
        if (token != null && !token.isBlank()) return "Bearer " + token;
        String user = System.getenv("MLFLOW_TRACKING_USERNAME");
        String pass = System.getenv("MLFLOW_TRACKING_PASSWORD");
        if (user != null && !user.isBlank()) {
            String up = user + ":" + (pass == null ? "" : pass);
            return "Basic " + Base64.getEncoder().encodeToString(up.getBytes(StandardCharsets.UTF_8));
        }
        return null;
    }

    // ---------------------------------------------------------------- low level

    private HttpRequest.Builder request(String url, Duration timeout) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(timeout);
        if (authorization != null) b.header("Authorization", authorization);
        return b;
    }

    private HttpResponse<byte[]> send(HttpRequest req) throws IOException {
        try {
            return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        } catch (IOException e) {
            throw e;
        } catch (RuntimeException e) { // e.g. IllegalArgumentException on odd URIs
            throw new IOException(e.getMessage(), e);
        }
    }

    private JsonNode answer(HttpResponse<byte[]> resp) throws IOException {
        byte[] body = resp.body();
        JsonNode node;
        try {
            node = body == null || body.length == 0 ? Json.MAPPER.createObjectNode() : Json.MAPPER.readTree(body);
        } catch (IOException e) {
            node = null;
        }
        if (resp.statusCode() / 100 != 2) {
            String code = node != null ? node.path("error_code").asText("") : "";
            String msg = node != null && node.has("message") ? node.get("message").asText()
                    : new String(body == null ? new byte[0] : body, StandardCharsets.UTF_8).strip();
            if (msg.length() > 300) msg = msg.substring(0, 300) + "...";
            throw new ServerError(resp.statusCode(), code,
                    "HTTP " + resp.statusCode() + (code.isEmpty() ? "" : " " + code) + ": " + msg);
        }
        if (node == null) throw new IOException("server answered with non-JSON body from " + resp.uri());
        return node;
    }

    JsonNode get(String path, Map<String, String> query) throws IOException {
        StringBuilder url = new StringBuilder(base).append(path);
        char sep = '?';
        for (Map.Entry<String, String> e : query.entrySet()) {
            url.append(sep).append(enc(e.getKey())).append('=').append(enc(e.getValue()));
            sep = '&';
        }
        return answer(send(request(url.toString(), timeout).GET().build()));
    }

    JsonNode post(String path, JsonNode body) throws IOException {
        HttpRequest req = request(base + path, timeout)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(Json.MAPPER.writeValueAsBytes(body)))
                .build();
        return answer(send(req));
    }

    static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** URL-encodes each segment of a slash-separated path. */
    static String encPath(String path) {
        StringBuilder b = new StringBuilder();
        for (String seg : path.split("/")) {
            if (seg.isEmpty()) continue;
            if (b.length() > 0) b.append('/');
            b.append(enc(seg));
        }
        return b.toString();
    }

    // ---------------------------------------------------------------- tracking API

    /** {@code GET /health}; true when the server answers 2xx. */
    boolean healthy() {
        try {
            HttpResponse<byte[]> r = send(request(base + "/health", REQUEST_TIMEOUT).GET().build());
            return r.statusCode() / 100 == 2;
        } catch (IOException e) {
            return false;
        }
    }

    String getOrCreateExperiment(String name) throws IOException {
        try {
            return get("/api/2.0/mlflow/experiments/get-by-name", Map.of("experiment_name", name))
                    .path("experiment").path("experiment_id").asText();
        } catch (ServerError e) {
            if (!"RESOURCE_DOES_NOT_EXIST".equals(e.errorCode) && e.status != 404) throw e;
        }
        try {
            ObjectNode body = Json.MAPPER.createObjectNode().put("name", name);
            return post("/api/2.0/mlflow/experiments/create", body).path("experiment_id").asText();
        } catch (ServerError e) {
            if (!"RESOURCE_ALREADY_EXISTS".equals(e.errorCode)) throw e;
            return get("/api/2.0/mlflow/experiments/get-by-name", Map.of("experiment_name", name))
                    .path("experiment").path("experiment_id").asText();
        }
    }

    /** Runs in the experiment whose tag {@code key} equals {@code value}, oldest first. */
    List<JsonNode> searchByTag(String experimentId, String key, String value) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.putArray("experiment_ids").add(experimentId);
        body.put("filter", "tags.`" + key + "` = '" + value.replace("'", "") + "'");
        body.put("max_results", 1000);
        body.putArray("order_by").add("attributes.start_time ASC");
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode r : post("/api/2.0/mlflow/runs/search", body).path("runs")) out.add(r);
        return out;
    }

    /** Creates a run and returns its {@code run} object (info + data). */
    JsonNode createRun(String experimentId, String runName, long startTime, Map<String, String> tags)
            throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("experiment_id", experimentId);
        if (runName != null) body.put("run_name", runName);
        body.put("start_time", startTime);
        ArrayNode t = body.putArray("tags");
        tags.forEach((k, v) -> t.addObject().put("key", k).put("value", v));
        return post("/api/2.0/mlflow/runs/create", body).path("run");
    }

    JsonNode getRun(String runId) throws IOException {
        return get("/api/2.0/mlflow/runs/get", Map.of("run_id", runId)).path("run");
    }

    /** One {@code runs/log-batch} call; the caller keeps within MLflow's batch limits. */
    void logBatch(String runId, List<Metric> metrics, Map<String, String> params, Map<String, String> tags)
            throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("run_id", runId);
        ArrayNode m = body.putArray("metrics");
        for (Metric x : metrics) {
            ObjectNode o = m.addObject().put("key", x.key());
            if (Double.isFinite(x.value())) o.put("value", x.value());
            else o.put("value", Double.isNaN(x.value()) ? "NaN" : x.value() > 0 ? "Infinity" : "-Infinity");
            o.put("timestamp", x.timestamp()).put("step", x.step());
        }
        ArrayNode p = body.putArray("params");
        params.forEach((k, v) -> p.addObject().put("key", k).put("value", v));
        ArrayNode t = body.putArray("tags");
        tags.forEach((k, v) -> t.addObject().put("key", k).put("value", v));
        post("/api/2.0/mlflow/runs/log-batch", body);
    }

    /** One {@code runs/log-inputs} call: the datasets a run used (see {@link DatasetInput}). */
    void logInputs(String runId, List<DatasetInput> inputs) throws IOException {
        if (inputs.isEmpty()) return;
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("run_id", runId);
        ArrayNode arr = body.putArray("datasets");
        for (DatasetInput in : inputs) {
            ObjectNode o = arr.addObject();
            ArrayNode t = o.putArray("tags");
            if (in.context() != null) t.addObject().put("key", DatasetInput.CONTEXT_TAG).put("value", in.context());
            ObjectNode d = o.putObject("dataset");
            d.put("name", in.name()).put("digest", in.digest()).put("source_type", in.sourceType()).put("source", in.source());
            if (in.profile() != null) d.put("profile", in.profile());
        }
        post("/api/2.0/mlflow/runs/log-inputs", body);
    }

    /** The inputs of {@code wanted} that the run ({@code runs/get} answer) does not hold yet, each once. */
    static List<DatasetInput> missingInputs(JsonNode run, List<DatasetInput> wanted) {
        java.util.Set<String> have = DatasetInput.identities(run);
        List<DatasetInput> out = new ArrayList<>();
        for (DatasetInput in : wanted) if (have.add(in.identity())) out.add(in);
        return out;
    }

    void updateRun(String runId, String status, Long endTime) throws IOException {
        ObjectNode body = Json.MAPPER.createObjectNode().put("run_id", runId).put("status", status);
        if (endTime != null) body.put("end_time", endTime);
        post("/api/2.0/mlflow/runs/update", body);
    }

    /** The whole history of one metric (follows page tokens if the server pages). */
    List<Metric> metricHistory(String runId, String key) throws IOException {
        List<Metric> out = new ArrayList<>();
        String token = null;
        do {
            Map<String, String> q = new LinkedHashMap<>();
            q.put("run_id", runId);
            q.put("metric_key", key);
            if (token != null) q.put("page_token", token);
            JsonNode r = get("/api/2.0/mlflow/metrics/get-history", q);
            for (JsonNode m : r.path("metrics")) {
                out.add(new Metric(m.path("key").asText(), number(m.path("value")),
                        m.path("step").asLong(), m.path("timestamp").asLong()));
            }
            token = r.path("next_page_token").asText("");
            if (token.isEmpty()) token = null;
        } while (token != null);
        return out;
    }

    static double number(JsonNode v) {
        if (v.isNumber()) return v.asDouble();
        String s = v.asText();
        return switch (s) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    // ---------------------------------------------------------------- artifacts (mlflow-artifacts proxy)

    /**
     * The proxy path ({@code <exp>/<run>/artifacts}) of a run's {@code artifact_uri}
     * ({@code mlflow-artifacts:/<exp>/<run>/artifacts} or {@code mlflow-artifacts://host/<...>}),
     * or null when the run's artifacts are not served by the tracking server.
     */
    static String proxyRoot(String artifactUri) {
        if (artifactUri == null || !artifactUri.startsWith("mlflow-artifacts:")) return null;
        String rest = artifactUri.substring("mlflow-artifacts:".length());
        if (rest.startsWith("//")) {
            int slash = rest.indexOf('/', 2);
            rest = slash < 0 ? "" : rest.substring(slash);
        }
        while (rest.startsWith("/")) rest = rest.substring(1);
        while (rest.endsWith("/")) rest = rest.substring(0, rest.length() - 1);
        return rest;
    }

    /** {@code PUT /api/2.0/mlflow-artifacts/artifacts/<root>/<relPath>} with the file's bytes. */
    void uploadArtifact(String root, String relPath, Path file) throws IOException {
        long size = java.nio.file.Files.size(file);
        Duration t = timeout.plusSeconds(size / (1 << 20)); // + 1 s per MiB
        HttpRequest req = request(base + "/api/2.0/mlflow-artifacts/artifacts/" + encPath(root + "/" + relPath), t)
                .header("Content-Type", "application/octet-stream")
                .PUT(HttpRequest.BodyPublishers.ofFile(file))
                .build();
        answer(send(req));
    }

    /** {@code GET /api/2.0/mlflow-artifacts/artifacts?path=<root>/<dir>}; empty when absent. */
    List<FileInfo> listArtifacts(String root, String dir) throws IOException {
        String p = dir == null || dir.isEmpty() ? root : root + "/" + dir;
        JsonNode r = get("/api/2.0/mlflow-artifacts/artifacts", Map.of("path", p));
        List<FileInfo> out = new ArrayList<>();
        for (JsonNode f : r.path("files")) {
            out.add(new FileInfo(f.path("path").asText(), f.path("is_dir").asBoolean(), f.path("file_size").asLong(-1)));
        }
        return out;
    }

    /** {@code GET /api/2.0/mlflow-artifacts/artifacts/<root>/<relPath>}: the artifact's bytes. */
    byte[] downloadArtifact(String root, String relPath) throws IOException {
        HttpResponse<byte[]> r = send(request(base + "/api/2.0/mlflow-artifacts/artifacts/" + encPath(root + "/" + relPath),
                timeout.plusSeconds(55)).GET().build());
        if (r.statusCode() / 100 != 2) answer(r);
        return r.body();
    }

    // ---------------------------------------------------------------- run identity helpers

    static final String TAG_RUN_UUID = "icaloflow.run_uuid";
    static final String TAG_SESSION = "icaloflow.session";
    static final String TAG_ROLE = "icaloflow.role";
    static final String TAG_PARENT = "mlflow.parentRunId";

    /** The parent (pipeline) run of a session: found by its session tag, else created. */
    String findOrCreateParent(String experimentId, String session, String name, long startTime) throws IOException {
        for (JsonNode r : searchByTag(experimentId, TAG_SESSION, session)) {
            if ("pipeline".equals(tag(r, TAG_ROLE))) return r.path("info").path("run_id").asText();
        }
        Map<String, String> tags = new LinkedHashMap<>();
        tags.put(TAG_SESSION, session);
        tags.put(TAG_ROLE, "pipeline");
        tags.put("mlflow.source.name", "icaloflow");
        tags.put("mlflow.source.type", "JOB");
        String id = createRun(experimentId, name, startTime, tags).path("info").path("run_id").asText();
        // two stages racing to create the parent: keep the oldest, whichever process we are
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode r : searchByTag(experimentId, TAG_SESSION, session)) {
            if ("pipeline".equals(tag(r, TAG_ROLE))) all.add(r);
        }
        if (all.isEmpty()) return id;
        String oldest = all.get(0).path("info").path("run_id").asText();
        if (!oldest.equals(id)) {
            try {
                post("/api/2.0/mlflow/runs/delete", Json.MAPPER.createObjectNode().put("run_id", id));
            } catch (ServerError e) {
                // an empty duplicate parent is harmless
            }
        }
        return oldest;
    }

    /** A stage run by its client-side UUID tag, or null. */
    JsonNode findRunByUuid(String experimentId, String uuid) throws IOException {
        List<JsonNode> runs = searchByTag(experimentId, TAG_RUN_UUID, uuid);
        return runs.isEmpty() ? null : runs.get(0);
    }

    static String tag(JsonNode run, String key) {
        for (JsonNode t : run.path("data").path("tags")) {
            if (key.equals(t.path("key").asText())) return t.path("value").asText();
        }
        return null;
    }

    static Map<String, String> keyValues(JsonNode array) {
        Map<String, String> m = new LinkedHashMap<>();
        for (JsonNode t : array) m.put(t.path("key").asText(), t.path("value").asText());
        return m;
    }
}
