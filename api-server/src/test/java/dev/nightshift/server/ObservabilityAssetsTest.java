package dev.nightshift.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.server.system.MetricNames;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * deploy/prometheus and deploy/grafana: the rules pass {@code promtool check rules} and their unit
 * tests ({@code promtool test rules}, Debian's prometheus package), the dashboard is valid JSON, and
 * every metric either one queries is one the server exports (the names as Micrometer writes them
 * for Prometheus; their presence after real runs is checked by LlmWorkerIT and RealWorkerIT).
 */
class ObservabilityAssetsTest {

    static final Path DEPLOY = Path.of("..", "deploy").toAbsolutePath().normalize();
    static final Path PROMTOOL = Path.of("/usr/bin/promtool");
    static final Pattern METRIC = Pattern.compile("\\b(nightshift_[a-z_]+|kafka_[a-z_]+)\\b");

    enum Kind { COUNTER, TIMER, GAUGE, SUMMARY }

    /** Every constant of {@link MetricNames}, by what Micrometer makes of it. */
    static final Map<String, Kind> KINDS = Map.ofEntries(
            Map.entry(MetricNames.INVESTIGATIONS_STARTED, Kind.COUNTER),
            Map.entry(MetricNames.INVESTIGATIONS_COMPLETED, Kind.COUNTER),
            Map.entry(MetricNames.INVESTIGATIONS_FAILED, Kind.COUNTER),
            Map.entry(MetricNames.INVESTIGATION_DURATION, Kind.TIMER),
            Map.entry(MetricNames.QUEUE_WAIT, Kind.TIMER),
            Map.entry(MetricNames.JOB_CREATE, Kind.TIMER),
            Map.entry(MetricNames.REASONING_CYCLES, Kind.SUMMARY),
            Map.entry(MetricNames.CIRCUIT_BREAKER_TRIPS, Kind.COUNTER),
            Map.entry(MetricNames.LLM_CALLS, Kind.COUNTER),
            Map.entry(MetricNames.LLM_TOKENS, Kind.COUNTER),
            Map.entry(MetricNames.LLM_COST, Kind.COUNTER),
            Map.entry(MetricNames.TOOL_CALLS, Kind.TIMER),
            Map.entry(MetricNames.SSE_CLIENTS, Kind.GAUGE),
            Map.entry(MetricNames.QUEUE_DEPTH, Kind.GAUGE),
            Map.entry(MetricNames.ACTIVE_RUNS, Kind.GAUGE),
            Map.entry(MetricNames.JOBS_LOST, Kind.COUNTER),
            Map.entry(MetricNames.ORPHANED_JOBS, Kind.COUNTER),
            Map.entry(MetricNames.EVENTS_DEAD_LETTERED, Kind.COUNTER),
            Map.entry(MetricNames.TRUST_DEMOTIONS, Kind.COUNTER),
            Map.entry(MetricNames.ACTIONS_PROPOSED, Kind.COUNTER),
            Map.entry(MetricNames.ACTIONS_EXECUTED, Kind.COUNTER),
            Map.entry(MetricNames.APPROVALS_PENDING, Kind.GAUGE),
            Map.entry(MetricNames.NOTIFICATIONS, Kind.COUNTER),
            Map.entry(MetricNames.CREDENTIALS_ISSUED, Kind.TIMER),
            Map.entry(MetricNames.CREDENTIALS_REVOKED, Kind.COUNTER),
            Map.entry(MetricNames.CREDENTIALS_OUTSTANDING, Kind.GAUGE),
            Map.entry(MetricNames.CREDENTIAL_ALERTS, Kind.COUNTER));

    /** The Prometheus names the server exports; the Kafka client's lag comes from Spring Kafka's Micrometer binding. */
    static Set<String> exported() {
        Set<String> names = new HashSet<>(Set.of("kafka_consumer_fetch_manager_records_lag_max"));
        KINDS.forEach((name, kind) -> {
            String base = name.replace('.', '_').replace('-', '_');
            switch (kind) {
                case COUNTER -> names.add(base + "_total");
                case GAUGE -> names.add(base);
                case TIMER -> List.of("_count", "_sum", "_max", "_bucket").forEach(s -> names.add(base + "_seconds" + s));
                case SUMMARY -> List.of("_count", "_sum", "_max", "_bucket").forEach(s -> names.add(base + s));
            }
        });
        return names;
    }

    @Test
    void shouldKnowHowEveryMetricIsExportedUnderThePrefix() throws IllegalAccessException {
        Set<String> constants = new TreeSet<>();
        for (Field field : MetricNames.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.getType() == String.class) {
                constants.add((String) field.get(null));
            }
        }
        assertThat(constants).allMatch(n -> n.startsWith("nightshift.")).containsExactlyInAnyOrderElementsOf(KINDS.keySet());
    }

    @Test
    void shouldPassPromtoolChecksAndRuleUnitTests() throws IOException, InterruptedException {
        DebianBinary.require(PROMTOOL, "prometheus");
        Path prometheus = DEPLOY.resolve("prometheus");
        List<String> rules = files(prometheus.resolve("rules"));
        assertThat(run(prometheus, concat(List.of(PROMTOOL.toString(), "check", "rules"), rules))).contains("SUCCESS");
        String tested = run(prometheus, concat(List.of(PROMTOOL.toString(), "test", "rules"),
                files(prometheus.resolve("tests"))));
        assertThat(tested).contains("SUCCESS").doesNotContain("FAILED");
    }

    @Test
    void shouldQueryOnlyExportedMetricsInTheDashboardAndTheRules() throws IOException {
        Set<String> exported = exported();
        JsonNode dashboard = JsonMapper.builder().build().readTree(
                Files.readString(DEPLOY.resolve("grafana/nightshift-dashboard.json")));
        assertThat(dashboard.path("uid").asString()).isEqualTo("nightshift-overview");
        List<String> queried = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> panel.path("targets").forEach(target -> {
            if (target.has("expr")) {
                queried.addAll(metrics(target.path("expr").asString()));
            }
        }));
        for (String file : files(DEPLOY.resolve("prometheus/rules"))) {
            queried.addAll(metrics(Files.readString(DEPLOY.resolve("prometheus").resolve(file))));
        }
        assertThat(queried).hasSizeGreaterThan(30);
        assertThat(new TreeSet<>(queried)).allSatisfy(name -> assertThat(exported).as(name).contains(name));
        assertThat(queried).as("the dashboard covers the seed's list").contains(
                "nightshift_investigations_started_total", "nightshift_investigation_duration_seconds_bucket",
                "nightshift_reasoning_cycles_sum", "nightshift_llm_tokens_total", "nightshift_llm_cost_total",
                "nightshift_queue_depth", "kafka_consumer_fetch_manager_records_lag_max", "nightshift_sse_clients",
                "nightshift_approvals_pending");
    }

    private static List<String> metrics(String text) {
        List<String> names = new ArrayList<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            names.add(m.group(1));
        }
        return names;
    }

    private static List<String> files(Path dir) throws IOException {
        try (var stream = Files.list(dir)) {
            return stream.map(p -> dir.getFileName() + "/" + p.getFileName()).sorted().toList();
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static String run(Path dir, List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(output).isZero();
        return output;
    }
}
