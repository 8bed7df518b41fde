package dev.nightshift.server;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real Alertmanager (Debian's {@code prometheus-alertmanager}) on 127.0.0.1, without clustering,
 * whose one receiver is a webhook with a bearer token: what a site's {@code alertmanager.yml} for
 * Nightshift looks like, with short group timers. Skipped without the binary, except under
 * {@code CI=true}.
 */
public final class AlertmanagerServer implements AutoCloseable {

    static final Path BINARY = Path.of("/usr/bin/prometheus-alertmanager");

    private final Process process;
    private final String address;

    private AlertmanagerServer(Process process, String address) {
        this.process = process;
        this.address = address;
    }

    /** @param webhook the URL Alertmanager delivers to; {@code token} its bearer credentials */
    public static AlertmanagerServer start(String webhook, String token) throws IOException, InterruptedException {
        DebianBinary.require(BINARY, "prometheus-alertmanager");
        Path dir = Files.createTempDirectory("nightshift-alertmanager-");
        int port = DebianBinary.freePort();
        Files.writeString(dir.resolve("alertmanager.yml"), """
                route:
                  receiver: nightshift
                  group_by: [alertname]
                  group_wait: 1s
                  group_interval: 2s
                  repeat_interval: 1h
                receivers:
                  - name: nightshift
                    webhook_configs:
                      - url: %s
                        send_resolved: true
                        http_config:
                          authorization:
                            type: Bearer
                            credentials: %s
                """.formatted(webhook, token));
        Process process = new ProcessBuilder(BINARY.toString(), "--config.file=" + dir.resolve("alertmanager.yml"),
                "--storage.path=" + dir.resolve("data"), "--web.listen-address=127.0.0.1:" + port,
                "--cluster.listen-address=")
                .redirectErrorStream(true).redirectOutput(dir.resolve("alertmanager.log").toFile()).start();
        AlertmanagerServer server = new AlertmanagerServer(process, "127.0.0.1:" + port);
        server.awaitReady(Duration.ofSeconds(30));
        return server;
    }

    /** {@code host:port}, as Prometheus's {@code alerting} section wants it. */
    public String address() {
        return address;
    }

    /** Posts alerts to its API, as Prometheus would ({@code POST /api/v2/alerts}). */
    public void post(String alertsJson) throws IOException, InterruptedException {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + address + "/api/v2/alerts")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(alertsJson)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IOException("Alertmanager refused the alerts: " + response.statusCode() + " " + response.body());
        }
    }

    private void awaitReady(Duration timeout) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        DebianBinary.await(process, "Alertmanager", timeout, () -> http.send(HttpRequest.newBuilder(
                URI.create("http://" + address + "/-/ready")).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode() == 200);
    }

    @Override
    public void close() {
        DebianBinary.stop(process);
    }
}
