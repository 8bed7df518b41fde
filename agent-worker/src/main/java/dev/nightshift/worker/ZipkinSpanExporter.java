package dev.nightshift.worker;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.json.JsonMapper;

/**
 * OpenTelemetry spans to a Zipkin server, in Zipkin's JSON v2 ({@code POST /api/v2/spans}).
 * OpenTelemetry no longer ships a Zipkin exporter; this is the few lines it takes. Used by the
 * worker and by the api-server (which has the worker on its classpath).
 */
public final class ZipkinSpanExporter implements SpanExporter {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final URI endpoint;
    private final String serviceName;

    /** @param endpoint e.g. {@code http://zipkin:9411/api/v2/spans} */
    public ZipkinSpanExporter(URI endpoint, String serviceName) {
        this.endpoint = endpoint;
        this.serviceName = serviceName;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        List<Map<String, Object>> zipkin = new ArrayList<>();
        for (SpanData span : spans) {
            Map<String, Object> z = new LinkedHashMap<>();
            z.put("traceId", span.getTraceId());
            z.put("id", span.getSpanId());
            if (span.getParentSpanContext().isValid()) {
                z.put("parentId", span.getParentSpanId());
            }
            z.put("name", span.getName());
            String kind = kind(span.getKind());
            if (kind != null) {
                z.put("kind", kind);
            }
            z.put("timestamp", TimeUnit.NANOSECONDS.toMicros(span.getStartEpochNanos()));
            z.put("duration", Math.max(1, TimeUnit.NANOSECONDS.toMicros(span.getEndEpochNanos() - span.getStartEpochNanos())));
            z.put("localEndpoint", Map.of("serviceName", serviceName));
            Map<String, String> tags = new LinkedHashMap<>();
            span.getAttributes().forEach((AttributeKey<?> key, Object value) -> tags.put(key.getKey(), String.valueOf(value)));
            if (span.getStatus().getStatusCode() == io.opentelemetry.api.trace.StatusCode.ERROR) {
                tags.put("error", span.getStatus().getDescription().isEmpty() ? "true" : span.getStatus().getDescription());
            }
            z.put("tags", tags);
            zipkin.add(z);
        }
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(zipkin))).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() / 100 == 2 ? CompletableResultCode.ofSuccess() : CompletableResultCode.ofFailure();
        } catch (java.io.IOException e) {
            return CompletableResultCode.ofFailure();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return CompletableResultCode.ofFailure();
        }
    }

    private static String kind(SpanKind kind) {
        return switch (kind) {
            case SERVER -> "SERVER";
            case CLIENT -> "CLIENT";
            case PRODUCER -> "PRODUCER";
            case CONSUMER -> "CONSUMER";
            case INTERNAL -> null;
        };
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
