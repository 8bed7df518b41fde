package dev.nightshift.server.system;

import dev.nightshift.worker.ZipkinSpanExporter;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import java.net.URI;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.stereotype.Component;

/**
 * One trace per investigation: the request or webhook that created it, the launch, and the worker's
 * cycles and tool calls. The W3C {@code traceparent} is the thread that ties them: stored with the
 * investigation, continued by the launch, handed to the worker.
 */
@Component
public class Traces {

    /**
     * Where spans go besides Boot's OTLP exporter ({@code management.opentelemetry.tracing.export.otlp.endpoint});
     * also handed to workers.
     *
     * @param zipkinEndpoint a Zipkin server's {@code /api/v2/spans}
     * @param otlpEndpoint an OTLP/HTTP collector's {@code /v1/traces}, for workers
     */
    @ConfigurationProperties("nightshift.tracing")
    public record Properties(URI zipkinEndpoint, URI otlpEndpoint) {}

    @Configuration(proxyBeanMethods = false)
    static class Exporters {

        @Bean
        @ConditionalOnProperty("nightshift.tracing.zipkin-endpoint")
        ZipkinSpanExporter zipkinSpanExporter(Properties properties) {
            return new ZipkinSpanExporter(properties.zipkinEndpoint(), "nightshift-api-server");
        }
    }

    private final Tracer tracer;

    Traces(ObjectProvider<Tracer> tracer) {
        this.tracer = tracer.getIfAvailable(() -> Tracer.NOOP);
    }

    /** The current span as a {@code traceparent}, or null outside any trace. */
    public String current() {
        Span span = tracer.currentSpan();
        return span == null ? null : traceparent(span.context());
    }

    /** Work done in a span, told the span's {@code traceparent}. */
    @FunctionalInterface
    public interface InSpan<E extends Exception> {
        void run(String traceparent) throws E;
    }

    /**
     * Runs {@code body} in a new span, a child of {@code parent} (a new trace when it is null), and
     * hands it the new span's {@code traceparent}.
     */
    public <E extends Exception> void child(String parent, String name, InSpan<E> body) throws E {
        TraceContext context = parse(parent);
        Span span = context == null ? tracer.nextSpan().name(name).start()
                : tracer.spanBuilder().setParent(context).name(name).start();
        try (Tracer.SpanInScope ignored = tracer.withSpan(span)) {
            body.run(traceparent(span.context()));
        } catch (Exception e) {
            span.error(e);
            throw e;
        } finally {
            span.end();
        }
    }

    private TraceContext parse(String traceparent) {
        if (traceparent == null) {
            return null;
        }
        String[] parts = traceparent.split("-");
        if (parts.length != 4 || parts[1].length() != 32 || parts[2].length() != 16) {
            return null;
        }
        return tracer.traceContextBuilder().traceId(parts[1]).spanId(parts[2]).sampled(parts[3].endsWith("1")).build();
    }

    private static String traceparent(TraceContext context) {
        if (context == null || context.traceId().isEmpty() || context.traceId().matches("0+")) {
            return null;
        }
        return "00-" + context.traceId() + "-" + context.spanId() + "-" + (Boolean.TRUE.equals(context.sampled())
                ? "01" : "00");
    }
}
