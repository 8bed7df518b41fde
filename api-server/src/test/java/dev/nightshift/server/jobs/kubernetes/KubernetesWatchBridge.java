package dev.nightshift.server.jobs.kubernetes;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;

/**
 * Sits between client-java and fabric8's Kubernetes mock server. The mock serves REST as a real API
 * server does, but watches only over WebSocket, while client-java watches the way kubectl does: a
 * plain {@code GET ...?watch=true} whose chunked response carries one JSON event per line. The
 * bridge forwards every request unchanged and turns a watch into exactly that stream, so the
 * runtime under test speaks the real protocol.
 */
final class KubernetesWatchBridge implements AutoCloseable {

    private static final List<String> FORWARDED_HEADERS = List.of("Content-Type", "Accept", "Authorization");

    private final HttpServer server;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String target;
    /** Logs by pod name: the mock has no kubelet, so the bridge answers {@code pods/{name}/log}. */
    private final Map<String, String> podLogs = new ConcurrentHashMap<>();
    private static final Pattern POD_LOG = Pattern.compile("/api/v1/namespaces/[^/]+/pods/([^/]+)/log");

    KubernetesWatchBridge(String mockUrl) throws IOException {
        this.target = mockUrl.endsWith("/") ? mockUrl.substring(0, mockUrl.length() - 1) : mockUrl;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String query = exchange.getRequestURI().getRawQuery();
            String pathAndQuery = exchange.getRequestURI().getRawPath() + (query == null ? "" : "?" + query);
            Matcher podLog = POD_LOG.matcher(exchange.getRequestURI().getRawPath());
            if (podLog.matches()) {
                log(exchange, podLog.group(1), query);
            } else if (query != null && (query.contains("watch=true") || query.contains("watch=1"))) {
                watch(exchange, pathAndQuery);
            } else {
                forward(exchange, pathAndQuery);
            }
        }
    }

    /** What the pod (container {@code worker}) has written so far. */
    void podLog(String pod, String text) {
        podLogs.put(pod, text);
    }

    /** As the kubelet answers: text/plain, honouring {@code tailLines}; 404 for an unknown pod. */
    private void log(HttpExchange exchange, String pod, String query) throws IOException {
        String text = podLogs.get(pod);
        if (text == null) {
            exchange.sendResponseHeaders(404, -1);
            return;
        }
        Matcher tail = Pattern.compile("(?:^|&)tailLines=(\\d+)").matcher(query == null ? "" : query);
        if (tail.find()) {
            List<String> lines = text.lines().toList();
            int keep = Math.min(lines.size(), Integer.parseInt(tail.group(1)));
            text = String.join("\n", lines.subList(lines.size() - keep, lines.size())) + "\n";
        }
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "text/plain");
        exchange.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        exchange.getResponseBody().write(body);
    }

    private void forward(HttpExchange exchange, String pathAndQuery) throws IOException {
        byte[] body = exchange.getRequestBody().readAllBytes();
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(target + pathAndQuery))
                .method(exchange.getRequestMethod(), body.length == 0
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (String name : FORWARDED_HEADERS) {
            String value = exchange.getRequestHeaders().getFirst(name);
            if (value != null) {
                request.header(name, value);
            }
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        response.headers().firstValue("Content-Type")
                .ifPresent(type -> exchange.getResponseHeaders().add("Content-Type", type));
        byte[] responseBody = response.body();
        exchange.sendResponseHeaders(response.statusCode(), responseBody.length == 0 ? -1 : responseBody.length);
        if (responseBody.length > 0) {
            exchange.getResponseBody().write(responseBody);
        }
    }

    private void watch(HttpExchange exchange, String pathAndQuery) throws IOException {
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(200, 0); // chunked, open until the watch ends
        OutputStream out = exchange.getResponseBody();
        CountDownLatch closed = new CountDownLatch(1);
        StringBuilder partial = new StringBuilder();
        WebSocket.Listener listener = new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    try {
                        out.write((partial + "\n").getBytes(StandardCharsets.UTF_8));
                        out.flush();
                    } catch (IOException e) {
                        socket.abort(); // the client went away
                        closed.countDown();
                    }
                    partial.setLength(0);
                }
                socket.request(1);
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public CompletionStage<?> onClose(WebSocket socket, int status, String reason) {
                closed.countDown();
                return CompletableFuture.completedFuture(null);
            }

            @Override
            public void onError(WebSocket socket, Throwable error) {
                closed.countDown();
            }
        };
        WebSocket socket = http.newWebSocketBuilder()
                .buildAsync(URI.create(target.replaceFirst("^http", "ws") + pathAndQuery), listener)
                .join();
        try {
            closed.await();
        } catch (InterruptedException e) {
            socket.abort();
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
