package dev.nightshift.worker;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * GETs from one data source with its credentials, a timeout per call, and a ceiling on what is
 * read into memory: an answer over {@link #maxBytes} is cut there and marked, so a huge result
 * never exhausts the heap.
 */
final class HttpSource {

    /** An answer, possibly cut at the ceiling. */
    record Answer(int status, byte[] body, long bytes, boolean cut) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    private final Registration.Source source;
    private final HttpClient http;
    private final Duration timeout;
    private final int maxBytes;

    HttpSource(Registration.Source source, Duration timeout, int maxBytes) {
        this.source = source;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).build();
    }

    Registration.Source source() {
        return source;
    }

    /**
     * @throws IOException when the source cannot be reached or does not answer within the timeout
     */
    Answer get(String path, Map<String, String> query) throws IOException, InterruptedException {
        String base = source.url().endsWith("/") ? source.url().substring(0, source.url().length() - 1) : source.url();
        String parameters = query.entrySet().stream()
                .map(e -> URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8) + "="
                        + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path + (parameters.isEmpty() ? "" : "?"
                        + parameters))).timeout(timeout).header("Accept", "application/json").GET();
        switch (source.authType()) {
            case "BEARER" -> request.header("Authorization", "Bearer " + source.token());
            case "BASIC" -> request.header("Authorization", "Basic " + Base64.getEncoder().encodeToString(
                    (source.username() + ":" + source.password()).getBytes(StandardCharsets.UTF_8)));
            default -> { }
        }
        // The timeout covers the headers; the body is read on a clock of its own below.
        long deadline = System.nanoTime() + timeout.toNanos();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (HttpTimeoutException e) {
            throw new IOException("no answer within " + timeout.toMillis() + " ms");
        }
        try (InputStream body = response.body()) {
            byte[] kept = body.readNBytes(maxBytes);
            long total = kept.length;
            boolean cut = false;
            byte[] skip = new byte[8192];
            int n;
            while ((n = body.read(skip)) > 0) {
                cut = true;
                total += n;
                if (System.nanoTime() > deadline) {
                    break; // enough counted: it is over the ceiling either way
                }
            }
            return new Answer(response.statusCode(), kept, total, cut);
        }
    }
}
