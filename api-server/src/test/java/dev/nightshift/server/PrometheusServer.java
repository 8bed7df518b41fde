package dev.nightshift.server;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Prometheus (the Debian package's binary) on 127.0.0.1 for a test: it scrapes itself and a
 * {@code checkout} target that is down, and evaluates one alerting rule on it. Without the binary the
 * test is skipped with a clear message — except under {@code CI=true}, where that is a failure.
 */
public final class PrometheusServer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/prometheus");

    private final Process process;
    private final String url;

    private PrometheusServer(Process process, String url) {
        this.process = process;
        this.url = url;
    }

    public static PrometheusServer start() throws IOException, InterruptedException {
        return start(null);
    }

    /** @param alertmanager where its alerts go (host:port), or {@code null} for nowhere */
    public static PrometheusServer start(String alertmanager) throws IOException, InterruptedException {
        DebianBinary.require(BINARY, "prometheus");
        Path dir = Files.createTempDirectory("nightshift-prometheus-");
        int port = DebianBinary.freePort();
        int closed = DebianBinary.freePort(); // nothing listens here: the checkout target is down
        Files.writeString(dir.resolve("rules.yml"), """
                groups:
                  - name: nightshift-test
                    rules:
                      - alert: CheckoutDown
                        expr: up{job="checkout"} == 0
                        labels:
                          severity: critical
                """);
        Files.writeString(dir.resolve("prometheus.yml"), """
                global:
                  scrape_interval: 1s
                  evaluation_interval: 1s
                rule_files: [rules.yml]
                %s
                scrape_configs:
                  - job_name: prometheus
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                  - job_name: checkout
                    static_configs: [{targets: ['127.0.0.1:%d']}]
                """.formatted(alertmanager == null ? "" : "alerting: {alertmanagers: [{static_configs: [{targets: ['"
                        + alertmanager + "']}]}]}", port, closed));
        Process process = new ProcessBuilder(BINARY.toString(), "--config.file=" + dir.resolve("prometheus.yml"),
                "--storage.tsdb.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                .redirectErrorStream(true).redirectOutput(dir.resolve("prometheus.log").toFile()).start();
        PrometheusServer server = new PrometheusServer(process, "http://127.0.0.1:" + port);
        server.awaitData(Duration.ofSeconds(60));
        return server;
    }

    public String url() {
        return url;
    }

    /** Waits until it is ready and has scraped the checkout target at least once. */
    private void awaitData(Duration timeout) throws InterruptedException, IOException {
        HttpClient http = HttpClient.newHttpClient();
        URI query = URI.create(url + "/api/v1/query?query="
                + URLEncoder.encode("up{job=\"checkout\"} == 0", StandardCharsets.UTF_8));
        DebianBinary.await(process, "Prometheus", timeout, () -> {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(query).build(),
                    HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && response.body().contains("\"job\":\"checkout\"");
        });
    }

    @Override
    public void close() {
        DebianBinary.stop(process);
    }
}
