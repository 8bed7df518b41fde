package dev.nightshift.server;

import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;

/**
 * A data source that answers Prometheus' probe ({@code /api/v1/status/buildinfo}) and then takes its
 * time over every query: {@code delay}, after which it answers an empty vector — or nothing at all
 * when {@code answers} is false (a source that hangs). Keeps a run busy long enough to watch it.
 */
public final class SlowPrometheus implements AutoCloseable {

    private final HttpServer server;

    private SlowPrometheus(HttpServer server) {
        this.server = server;
    }

    public static SlowPrometheus start(Duration delay, boolean answers) {
        try {
            HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", exchange -> {
                if (exchange.getRequestURI().getPath().equals("/api/v1/status/buildinfo")) {
                    send(exchange, "{\"status\":\"success\",\"data\":{}}");
                    return;
                }
                try {
                    Thread.sleep(delay);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                if (answers) {
                    send(exchange, "{\"status\":\"success\",\"data\":{\"resultType\":\"vector\",\"result\":[]}}");
                } else {
                    exchange.close();
                }
            });
            server.start();
            return new SlowPrometheus(server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves something else on the same port (a webhook a test needs). */
    public SlowPrometheus with(String path, HttpHandler handler) {
        server.createContext(path, handler);
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private static void send(com.sun.net.httpserver.HttpExchange exchange, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
