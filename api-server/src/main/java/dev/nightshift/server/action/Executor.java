package dev.nightshift.server.action;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Carries out approved actions and undoes them, as the executor identity and nothing else. Each
 * catalogue kind is one narrow call; a held kubectl call is replayed as it was made. The result
 * records what the cluster answered and the state before and after, which is what a rollback restores.
 */
class Executor {

    /** What happened: {@code result} is stored with the action. */
    record Outcome(boolean ok, String reason, Map<String, Object> result) {}

    private static final String MERGE_PATCH = "application/merge-patch+json";

    private final Cluster cluster;
    private final ActionProperties properties;
    private final ObjectMapper json;
    private final Clock clock;
    private final HttpClient webhooks = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** @param cluster null when no cluster is configured */
    Executor(Cluster cluster, ActionProperties properties, ObjectMapper json, Clock clock) {
        this.cluster = cluster;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
    }

    Outcome execute(Action action) {
        try {
            if (action.source() == Action.Source.PROXY) {
                return replay(action);
            }
            ActionKind kind = action.catalogueKind();
            if (kind == ActionKind.CACHE_CLEAR_WEBHOOK) {
                return callWebhook(action);
            }
            if (cluster == null) {
                return noCluster();
            }
            JsonNode p = action.parameters();
            return switch (kind) {
                case RESTART_POD -> write("DELETE", pods(action), null, null);
                case ROLLOUT_RESTART -> write("PATCH", deployment(action), Map.of("spec", Map.of("template",
                        Map.of("metadata", Map.of("annotations", Map.of("kubectl.kubernetes.io/restartedAt",
                                clock.instant().toString()))))), null);
                case SCALE_DEPLOYMENT -> {
                    JsonNode before = cluster.get(cluster.executor(), deployment(action));
                    yield before == null ? missing(action) : write("PATCH", deployment(action),
                            Map.of("spec", Map.of("replicas", p.path("replicas").asInt())),
                            Map.of("replicas", before.path("spec").path("replicas").asInt(1)), "replicas");
                }
                case ADJUST_HPA -> {
                    JsonNode before = cluster.get(cluster.executor(), hpa(action));
                    if (before == null) {
                        yield missing(action);
                    }
                    Map<String, Object> bounds = new LinkedHashMap<>();
                    Map<String, Object> previous = new LinkedHashMap<>();
                    for (String field : new String[] {"minReplicas", "maxReplicas"}) {
                        if (p.has(field)) {
                            bounds.put(field, p.path(field).asInt());
                        }
                        previous.put(field, before.path("spec").path(field).asInt(1));
                    }
                    yield write("PATCH", hpa(action), Map.of("spec", bounds), previous, "minReplicas", "maxReplicas");
                }
                case CORDON_NODE -> {
                    JsonNode before = cluster.get(cluster.executor(), node(action));
                    yield before == null ? missing(action) : write("PATCH", node(action),
                            Map.of("spec", Map.of("unschedulable", true)),
                            Map.of("unschedulable", before.path("spec").path("unschedulable").asBoolean(false)),
                            "unschedulable");
                }
                case CACHE_CLEAR_WEBHOOK -> throw new IllegalStateException("handled above");
            };
        } catch (IOException e) {
            return new Outcome(false, "the cluster did not answer: " + e.getMessage(), Map.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Outcome(false, "interrupted", Map.of());
        }
    }

    /** Whether {@link #rollback} can undo this kind. */
    static boolean reversible(Action action) {
        ActionKind kind = action.catalogueKind();
        return kind == ActionKind.SCALE_DEPLOYMENT || kind == ActionKind.ADJUST_HPA || kind == ActionKind.CORDON_NODE;
    }

    /** Restores the state an executed action found. */
    Outcome rollback(Action action) {
        if (cluster == null) {
            return noCluster();
        }
        JsonNode previous = action.result().path("previous");
        try {
            String path = switch (action.catalogueKind()) {
                case SCALE_DEPLOYMENT -> deployment(action);
                case ADJUST_HPA -> hpa(action);
                case CORDON_NODE -> node(action);
                default -> throw new IllegalArgumentException(action.kind() + " cannot be undone");
            };
            Map<String, Object> spec = new LinkedHashMap<>();
            previous.properties().forEach(e -> spec.put(e.getKey(), e.getValue()));
            return write("PATCH", path, Map.of("spec", spec), null, spec.keySet().toArray(String[]::new));
        } catch (IOException e) {
            return new Outcome(false, "the cluster did not answer: " + e.getMessage(), Map.of());
        }
    }

    /**
     * One write as the executor; the result has the answer's status, {@code previous} (what a
     * rollback restores) and {@code state}: the named spec fields as the write left them.
     */
    private Outcome write(String method, String path, Map<String, Object> patch, Map<String, Object> previous,
            String... fields) throws IOException {
        Cluster.Answer answer = cluster.call(cluster.executor(), method, path, patch == null ? null : MERGE_PATCH,
                patch == null ? null : json.writeValueAsBytes(patch));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("httpStatus", answer.status());
        if (previous != null) {
            result.put("previous", previous);
        }
        if (!answer.ok()) {
            return new Outcome(false, method + " " + path + " answered " + answer.status() + ": "
                    + cluster.message(answer), result);
        }
        if (fields.length > 0) {
            JsonNode spec = json.readTree(answer.body()).path("spec");
            Map<String, Object> state = new LinkedHashMap<>();
            for (String field : fields) {
                state.put(field, spec.get(field));
            }
            result.put("state", state);
        }
        return new Outcome(true, method + " " + path + " answered " + answer.status(), result);
    }

    private Outcome replay(Action action) throws IOException {
        if (cluster == null) {
            return noCluster();
        }
        JsonNode call = action.parameters();
        String body = call.path("body").isNull() || call.path("body").isMissingNode() ? null : call.path("body").asString();
        Cluster.Answer answer = cluster.call(cluster.executor(), call.path("method").asString(),
                call.path("path").asString(), call.path("contentType").asString(null),
                body == null ? null : body.getBytes(StandardCharsets.UTF_8));
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("httpStatus", answer.status());
        result.put("contentType", answer.contentType());
        result.put("body", answer.text());
        String summary = call.path("method").asString() + " " + call.path("path").asString() + " answered "
                + answer.status();
        return new Outcome(answer.ok(), answer.ok() ? summary : summary + ": " + cluster.message(answer), result);
    }

    private Outcome callWebhook(Action action) throws IOException, InterruptedException {
        String name = action.parameters().path("webhook").asString();
        URI url = properties.cacheWebhooks().get(name);
        if (url == null) {
            return new Outcome(false, "cache webhook " + name + " is no longer configured", Map.of());
        }
        byte[] body = json.writeValueAsBytes(Map.of("actionId", action.id().toString(),
                "investigationId", action.investigationId().toString(), "webhook", name));
        HttpResponse<Void> response = webhooks.send(HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(),
                HttpResponse.BodyHandlers.discarding());
        boolean ok = response.statusCode() >= 200 && response.statusCode() < 300;
        return new Outcome(ok, "cache webhook " + name + " answered " + response.statusCode(),
                Map.of("httpStatus", response.statusCode()));
    }

    private static Outcome noCluster() {
        return new Outcome(false, "no Kubernetes cluster is configured for actions (nightshift.actions.kubernetes)",
                Map.of());
    }

    private static Outcome missing(Action action) {
        return new Outcome(false, action.resource() + " " + action.name() + " does not exist", Map.of("httpStatus", 404));
    }

    private static String pods(Action a) {
        return "/api/v1/namespaces/" + a.namespace() + "/pods/" + a.name();
    }

    private static String deployment(Action a) {
        return "/apis/apps/v1/namespaces/" + a.namespace() + "/deployments/" + a.name();
    }

    private static String hpa(Action a) {
        return "/apis/autoscaling/v2/namespaces/" + a.namespace() + "/horizontalpodautoscalers/" + a.name();
    }

    private static String node(Action a) {
        return "/api/v1/nodes/" + a.name();
    }
}
