package dev.nightshift.worker;

import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The read-only tools of each kind of data source: Prometheus HTTP API, Alertmanager API v2,
 * Kubernetes API (read verbs only) and Loki. Each answer is summarised to what a reasoner needs
 * (series and values, alerts, pods and their state, log lines), within the size budget.
 */
final class Tools {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private Tools() {}

    /** A tool from a name, a schema and two functions. */
    private record Simple(String name, String description, Map<String, Object> parameters,
            Function<Map<String, Object>, String> describer, Function<Map<String, Object>, ToolResult> caller)
            implements Tool {
        @Override
        public String describe(Map<String, Object> arguments) {
            return describer.apply(arguments);
        }

        @Override
        public ToolResult call(Map<String, Object> arguments) {
            return caller.apply(arguments);
        }
    }

    /** What an answer's JSON was reduced to: how many items, their lines, the first one's name. */
    private record Summary(int items, List<String> lines, String first) {}

    static List<Tool> of(HttpSource source, int budget) {
        return switch (source.source().kind()) {
            case "prometheus" -> prometheus(source, budget);
            case "alertmanager" -> alertmanager(source, budget);
            case "kubernetes" -> kubernetes(source, budget);
            case "loki" -> loki(source, budget);
            default -> List.of();
        };
    }

    /** The path each kind of source answers cheaply, to tell at start whether it is reachable. */
    static String probePath(String kind) {
        return switch (kind) {
            case "prometheus" -> "/api/v1/status/buildinfo";
            case "alertmanager" -> "/api/v2/status";
            case "kubernetes" -> "/version";
            case "loki" -> "/ready";
            default -> "/";
        };
    }

    private static List<Tool> prometheus(HttpSource source, int budget) {
        return List.of(
                new Simple("prometheus.query", "Evaluate a PromQL expression now; returns the matching series and values.",
                        Tool.schema(Map.of("query", Tool.string("PromQL")), "query"),
                        args -> str(args, "query"),
                        args -> fetch(source, "/api/v1/query", Map.of("query", str(args, "query")), budget,
                                Tools::prometheusSeries)),
                new Simple("prometheus.query_range",
                        "Evaluate PromQL over the last minutes; returns min, max and last value per series.",
                        Tool.schema(Map.of("query", Tool.string("PromQL"),
                                "minutes", Tool.integer("how far back, default 30"),
                                "stepSeconds", Tool.integer("resolution, default 60")), "query"),
                        args -> str(args, "query") + " [" + num(args, "minutes", 30) + "m]",
                        args -> {
                            long end = Instant.now().getEpochSecond();
                            return fetch(source, "/api/v1/query_range", Map.of("query", str(args, "query"),
                                    "start", Long.toString(end - 60L * num(args, "minutes", 30)),
                                    "end", Long.toString(end), "step", Long.toString(num(args, "stepSeconds", 60))),
                                    budget, Tools::prometheusSeries);
                        }),
                new Simple("prometheus.alerts", "The alerts Prometheus evaluates as pending or firing now.",
                        Tool.schema(Map.of()), args -> "ALERTS",
                        args -> fetch(source, "/api/v1/alerts", Map.of(), budget, json -> list(
                                json.path("data").path("alerts"), a -> a.path("labels").path("alertname").asString()
                                        + labels(a.path("labels")) + " " + a.path("state").asString()))),
                new Simple("prometheus.rules", "The alerting and recording rules and their health.",
                        Tool.schema(Map.of()), args -> "rules",
                        args -> fetch(source, "/api/v1/rules", Map.of(), budget, json -> {
                            List<JsonNode> rules = new ArrayList<>();
                            json.path("data").path("groups").forEach(g -> g.path("rules").forEach(rules::add));
                            return list(JSON.valueToTree(rules), r -> r.path("type").asString() + " "
                                    + r.path("name").asString() + " " + r.path("health").asString() + " "
                                    + r.path("state").asString("") + ": " + r.path("query").asString());
                        })));
    }

    private static List<Tool> alertmanager(HttpSource source, int budget) {
        return List.of(
                new Simple("alertmanager.alerts", "Active alerts in Alertmanager, optionally filtered by a label matcher.",
                        Tool.schema(Map.of("filter", Tool.string("a matcher such as alertname=\"KubePodCrashLooping\""))),
                        args -> "alerts " + str(args, "filter"),
                        args -> fetch(source, "/api/v2/alerts", str(args, "filter").isEmpty() ? Map.of()
                                        : Map.of("filter", str(args, "filter")), budget,
                                json -> list(json, a -> a.path("labels").path("alertname").asString()
                                        + labels(a.path("labels")) + " " + a.path("status").path("state").asString()
                                        + " since " + a.path("startsAt").asString()))),
                new Simple("alertmanager.silences", "Silences in Alertmanager.", Tool.schema(Map.of()),
                        args -> "silences",
                        args -> fetch(source, "/api/v2/silences", Map.of(), budget, json -> list(json,
                                s -> s.path("status").path("state").asString() + " " + s.path("comment").asString()))));
    }

    private static List<Tool> kubernetes(HttpSource source, int budget) {
        Map<String, Object> namespace = Map.of("namespace", Tool.string("the namespace"),
                "labelSelector", Tool.string("optional, e.g. app=checkout"));
        return List.of(
                new Simple("kubernetes.pods", "Pods of a namespace with phase, restarts and last termination reason.",
                        Tool.schema(namespace, "namespace"), args -> "pods in " + str(args, "namespace"),
                        args -> fetch(source, "/api/v1/namespaces/" + str(args, "namespace") + "/pods",
                                selector(args), budget, json -> list(json.path("items"), Tools::pod))),
                new Simple("kubernetes.events", "Events of a namespace, warnings first.",
                        Tool.schema(Map.of("namespace", Tool.string("the namespace")), "namespace"),
                        args -> "events in " + str(args, "namespace"),
                        args -> fetch(source, "/api/v1/namespaces/" + str(args, "namespace") + "/events", Map.of(),
                                budget, json -> {
                                    List<JsonNode> events = new ArrayList<>();
                                    json.path("items").forEach(events::add);
                                    events.sort((a, b) -> Boolean.compare(!"Warning".equals(a.path("type").asString()),
                                            !"Warning".equals(b.path("type").asString())));
                                    return list(JSON.valueToTree(events), e -> e.path("type").asString() + " "
                                            + e.path("reason").asString() + " " + e.path("involvedObject").path("name")
                                            .asString() + ": " + e.path("message").asString());
                                })),
                new Simple("kubernetes.deployments", "Deployments of a namespace with ready and desired replicas.",
                        Tool.schema(namespace, "namespace"), args -> "deployments in " + str(args, "namespace"),
                        args -> fetch(source, "/apis/apps/v1/namespaces/" + str(args, "namespace") + "/deployments",
                                selector(args), budget, json -> list(json.path("items"), d -> d.path("metadata")
                                        .path("name").asString() + " ready " + d.path("status").path("readyReplicas")
                                        .asInt(0) + "/" + d.path("spec").path("replicas").asInt(0)))),
                new Simple("kubernetes.pod_logs", "The last lines of a pod's log.",
                        Tool.schema(Map.of("namespace", Tool.string("the namespace"), "pod", Tool.string("the pod"),
                                "tailLines", Tool.integer("default 200")), "namespace", "pod"),
                        args -> "logs of " + str(args, "namespace") + "/" + str(args, "pod"),
                        args -> text(source, "/api/v1/namespaces/" + str(args, "namespace") + "/pods/" + str(args, "pod")
                                + "/log", Map.of("tailLines", Long.toString(num(args, "tailLines", 200))), budget)));
    }

    private static List<Tool> loki(HttpSource source, int budget) {
        return List.of(new Simple("loki.query", "A LogQL query over the last minutes; returns matching log lines.",
                Tool.schema(Map.of("query", Tool.string("LogQL, e.g. {namespace=\"shop\"} |= \"error\""),
                        "minutes", Tool.integer("how far back, default 30"),
                        "limit", Tool.integer("most lines, default 100")), "query"),
                args -> str(args, "query"),
                args -> {
                    long end = Instant.now().getEpochSecond();
                    return fetch(source, "/loki/api/v1/query_range", Map.of("query", str(args, "query"),
                            "start", Long.toString(end - 60L * num(args, "minutes", 30)) + "000000000",
                            "end", Long.toString(end) + "000000000", "limit", Long.toString(num(args, "limit", 100))),
                            budget, json -> {
                                List<String> lines = new ArrayList<>();
                                json.path("data").path("result").forEach(stream -> stream.path("values")
                                        .forEach(v -> lines.add(v.get(1).asString())));
                                return new Summary(lines.size(), lines, lines.isEmpty() ? null : lines.getFirst());
                            });
                }));
    }

    /** A JSON answer, summarised; one too big to parse whole is cut, and says so. */
    private static ToolResult fetch(HttpSource source, String path, Map<String, String> query, int budget,
            Function<JsonNode, Summary> summarise) {
        return get(source, path, query, answer -> {
            if (answer.cut()) {
                // Too big to parse whole: the reasoner gets the start of it, and knows.
                String start = answer.text();
                int items = Math.max(1, count(start, "\"metric\"") + count(start, "\"labels\"")
                        + count(start, "\"metadata\""));
                return new ToolResult(true, items, "answer of " + answer.bytes() + " bytes, cut; its start: "
                        + cut(start, budget - 100), answer.bytes(), true, null);
            }
            try {
                return within(summarise.apply(JSON.readTree(answer.body())), answer.bytes(), budget);
            } catch (JacksonException e) {
                return ToolResult.failed(source.source().kind() + " answered something that is not JSON");
            }
        });
    }

    /** A plain-text answer, line by line. */
    private static ToolResult text(HttpSource source, String path, Map<String, String> query, int budget) {
        return get(source, path, query, answer -> {
            List<String> lines = answer.text().lines().toList();
            return within(new Summary(lines.size(), lines, lines.isEmpty() ? null : lines.getLast()), answer.bytes(),
                    budget);
        });
    }

    /** Asks the source; a source that does not answer, or answers other than 200, is a failed result. */
    private static ToolResult get(HttpSource source, String path, Map<String, String> query,
            Function<HttpSource.Answer, ToolResult> read) {
        HttpSource.Answer answer;
        try {
            answer = source.get(path, query);
        } catch (IOException e) {
            return ToolResult.failed(source.source().kind() + " did not answer: " + reason(e));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ToolResult.failed("interrupted");
        }
        if (answer.status() != 200) {
            return ToolResult.failed(source.source().kind() + " answered HTTP " + answer.status() + ": "
                    + cut(answer.text(), 300));
        }
        return read.apply(answer);
    }

    /** An I/O failure in words; some (a refused connection) come without a message. */
    static String reason(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Joins the summary's lines until the budget is spent, then says how many were left out. */
    private static ToolResult within(Summary summary, long bytes, int budget) {
        StringBuilder text = new StringBuilder();
        int shown = 0;
        for (String line : summary.lines()) {
            if (text.length() + line.length() + 1 > budget - 80) {
                break;
            }
            text.append(line).append('\n');
            shown++;
        }
        boolean truncated = shown < summary.lines().size();
        if (truncated) {
            text.append("... ").append(summary.lines().size() - shown).append(" more of ").append(summary.items())
                    .append(" not shown");
        } else if (summary.items() == 0) {
            text.append("no result");
        }
        return new ToolResult(true, summary.items(), text.toString(), bytes, truncated, summary.first());
    }

    private static Summary prometheusSeries(JsonNode json) {
        JsonNode data = json.path("data");
        List<String> lines = new ArrayList<>();
        String first = null;
        for (JsonNode series : data.path("result")) {
            String name = series.path("metric").path("__name__").asString("") + labels(series.path("metric"));
            if (first == null) {
                first = name;
            }
            if (series.has("values")) {
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                String last = "";
                for (JsonNode point : series.path("values")) {
                    double v = parse(point.get(1).asString());
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                    last = point.get(1).asString();
                }
                lines.add(name + " min " + min + " max " + max + " last " + last + " ("
                        + series.path("values").size() + " points)");
            } else {
                lines.add(name + " = " + series.path("value").path(1).asString(""));
            }
        }
        if (data.path("resultType").asString("").equals("scalar")) {
            lines.add("scalar = " + data.path("result").path(1).asString(""));
        }
        return new Summary(lines.size(), lines, first);
    }

    private static Summary list(JsonNode items, Function<JsonNode, String> line) {
        List<String> lines = new ArrayList<>();
        items.forEach(item -> lines.add(line.apply(item)));
        return new Summary(lines.size(), lines, lines.isEmpty() ? null : lines.getFirst());
    }

    private static String pod(JsonNode pod) {
        int restarts = 0;
        String reason = "";
        for (JsonNode status : pod.path("status").path("containerStatuses")) {
            restarts += status.path("restartCount").asInt(0);
            String terminated = status.path("lastState").path("terminated").path("reason").asString("");
            String waiting = status.path("state").path("waiting").path("reason").asString("");
            reason = !waiting.isEmpty() ? waiting : !terminated.isEmpty() ? terminated : reason;
        }
        return pod.path("metadata").path("name").asString() + " " + pod.path("status").path("phase").asString()
                + " restarts " + restarts + (reason.isEmpty() ? "" : " " + reason);
    }

    private static String labels(JsonNode labels) {
        Map<String, String> sorted = new TreeMap<>();
        labels.properties().forEach(e -> {
            if (!e.getKey().equals("__name__")) {
                sorted.put(e.getKey(), e.getValue().asString());
            }
        });
        StringBuilder text = new StringBuilder("{");
        sorted.forEach((k, v) -> text.append(text.length() > 1 ? ", " : "").append(k).append("=\"").append(v).append('"'));
        return text.append('}').toString();
    }

    private static Map<String, String> selector(Map<String, Object> args) {
        Map<String, String> query = new LinkedHashMap<>();
        if (!str(args, "labelSelector").isEmpty()) {
            query.put("labelSelector", str(args, "labelSelector"));
        }
        return query;
    }

    static String str(Map<String, Object> args, String name) {
        Object value = args.get(name);
        return value == null ? "" : value.toString();
    }

    static long num(Map<String, Object> args, String name, long fallback) {
        Object value = args.get(name);
        if (value instanceof Number number) {
            return number.longValue();
        }
        try {
            return value == null ? fallback : Long.parseLong(value.toString());
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    private static double parse(String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    static String cut(String text, int max) {
        return text.length() <= max ? text : text.substring(0, Math.max(0, max)) + "...";
    }
}
