package dev.nightshift.server.intake;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import javax.sql.DataSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * An alert storm on the embedded default: 1,000 alerts in 10 s as 50 grouped webhooks (10
 * incidents), each delivered 3 times at once (HA peers and retries). Prints webhook latency
 * p50/p99 next to a bare endpoint that only inserts one row, in the same run, and the
 * investigations created against the incidents. Asserts nothing about time. Run with
 * {@code ./mvnw -pl api-server -am verify -Pbenchmark -Dit.test=AlertStormBenchmark}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(AlertStormBenchmark.BareEndpoint.class)
class AlertStormBenchmark {

    private static final String TOKEN = "benchmark";
    private static final int WEBHOOKS = 50;
    private static final int INCIDENTS = 10;
    private static final int ALERTS_PER_WEBHOOK = 20;
    private static final int DELIVERIES = 3;
    private static final long PACE_MS = 10_000 / WEBHOOKS;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** The baseline: an authenticated POST that inserts one row, nothing else. */
    @RestController
    static class BareEndpoint {
        private final JdbcClient jdbc;

        BareEndpoint(JdbcClient jdbc) {
            this.jdbc = jdbc;
        }

        @PostMapping("/api/v1/benchmark/bare")
        Map<String, Object> insert(@RequestBody String body) {
            jdbc.sql("INSERT INTO benchmark_bare (body) VALUES (?)").param(body).update();
            return Map.of("stored", true);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dir = Files.createTempDirectory("nightshift-storm-bench-");
        registry.add("nightshift.data-dir", dir::toString);
        registry.add("nightshift.security.admin-token", () -> TOKEN);
        registry.add("nightshift.dispatcher.enabled", () -> "false");
        registry.add("nightshift.events.embedded-kafka.enabled", () -> "false");
    }

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    @Qualifier("ownerDataSource")
    private DataSource owner;

    @LocalServerPort
    private int port;

    @Test
    void printStormFigures() throws Exception {
        // As the owner: the application may not create tables; the V7 default privileges grant it this one.
        JdbcClient.create(owner).sql("CREATE TABLE IF NOT EXISTS benchmark_bare (id bigserial PRIMARY KEY, body text)")
                .update();
        String run = UUID.randomUUID().toString().substring(0, 8);
        List<String> webhooks = new ArrayList<>();
        for (int w = 0; w < WEBHOOKS; w++) {
            int incident = w % INCIDENTS;
            List<Map<String, Object>> alerts = new ArrayList<>();
            for (int a = 0; a < ALERTS_PER_WEBHOOK; a++) {
                alerts.add(Map.of("status", "firing", "startsAt", "2026-11-22T02:10:00Z",
                        "labels", Map.of("alertname", "Storm" + incident, "pod", "pod-" + w + "-" + a, "severity",
                                incident % 3 == 0 ? "critical" : "warning"),
                        "annotations", Map.of("summary", "storm"), "fingerprint", run + "-" + w + "-" + a));
            }
            webhooks.add(JSON.writeValueAsString(Map.of("version", "4", "status", "firing", "receiver", "nightshift",
                    "groupKey", run + ":{alertname=\"Storm" + incident + "\"}",
                    "commonLabels", Map.of("alertname", "Storm" + incident), "alerts", alerts)));
        }
        warmUp(webhooks.getFirst());
        long investigationsBefore = jdbc.sql("SELECT count(*) FROM investigations").query(Long.class).single();
        long[] storm = send("/api/v1/alerts/alertmanager", webhooks);
        long[] bare = send("/api/v1/benchmark/bare", webhooks);
        long created = jdbc.sql("SELECT count(*) FROM investigations").query(Long.class).single() - investigationsBefore;
        long incidents = jdbc.sql("SELECT count(*) FROM incidents WHERE incident_key LIKE ?").param("group:" + run + "%")
                .query(Long.class).single();
        long alerts = jdbc.sql("SELECT count(*) FROM alerts WHERE fingerprint LIKE ?").param(run + "-%")
                .query(Long.class).single();
        System.out.printf("%nAlert storm: %d webhooks x %d deliveries, %d alerts, %d incidents%n", WEBHOOKS, DELIVERIES,
                WEBHOOKS * ALERTS_PER_WEBHOOK, INCIDENTS);
        print("webhook (alerts, incident, investigation)", storm);
        print("bare endpoint (one INSERT)", bare);
        System.out.printf("investigations created %d, incidents %d, alerts stored %d%n%n", created, incidents, alerts);
    }

    /** Both endpoints once through the JIT, the intake with incidents of its own. */
    private void warmUp(String body) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        for (int i = 0; i < 50; i++) {
            http.send(request("/api/v1/benchmark/bare", body), HttpResponse.BodyHandlers.discarding());
            String warm = body.replace("\"groupKey\":\"", "\"groupKey\":\"warm-up-" + i + "-")
                    .replace("\"fingerprint\":\"", "\"fingerprint\":\"w" + i + "-");
            http.send(request("/api/v1/alerts/alertmanager", warm), HttpResponse.BodyHandlers.discarding());
        }
    }

    /** Every webhook at its moment of the 10 s, each delivered {@link #DELIVERIES} times at once. */
    private long[] send(String path, List<String> bodies) throws Exception {
        HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        List<Future<Long>> latencies = new ArrayList<>();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int w = 0; w < bodies.size(); w++) {
                long due = start + TimeUnit.MILLISECONDS.toNanos(w * PACE_MS);
                while (System.nanoTime() < due) {
                    Thread.sleep(1);
                }
                String body = bodies.get(w);
                for (int d = 0; d < DELIVERIES; d++) {
                    latencies.add(pool.submit(() -> {
                        long sent = System.nanoTime();
                        HttpResponse<String> response = http.send(request(path, body), HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() != 200) {
                            throw new IllegalStateException(path + " answered " + response.statusCode() + ": "
                                    + response.body());
                        }
                        return System.nanoTime() - sent;
                    }));
                }
            }
        }
        long[] result = new long[latencies.size()];
        for (int i = 0; i < result.length; i++) {
            result[i] = latencies.get(i).get();
        }
        return result;
    }

    private HttpRequest request(String path, String body) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").header("Authorization", "Bearer " + TOKEN)
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static void print(String label, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%-45s p50 %7.2f ms   p99 %7.2f ms   max %7.2f ms%n", label,
                sorted[sorted.length / 2] / 1e6, sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6,
                sorted[sorted.length - 1] / 1e6);
    }
}
