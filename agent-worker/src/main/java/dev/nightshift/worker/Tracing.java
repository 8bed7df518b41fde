package dev.nightshift.worker;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The worker's trace: one span for the run, a child of the api-server's launch (the
 * {@code TRACEPARENT} it was started with), a span per reasoning cycle, and under it a span per
 * tool call and LLM call with latency, tokens and the decision's confidence. Exported over OTLP
 * and/or to Zipkin as the registration says; without either the spans still give events their
 * trace context. The worker runs one investigation, so the trace is process-wide ({@link #current}).
 */
final class Tracing implements AutoCloseable {

    private static volatile Tracing current = new Tracing(null, null, Span.getInvalid());

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final Span run;
    private volatile Span cycle;

    private Tracing(SdkTracerProvider provider, Tracer tracer, Span run) {
        this.provider = provider;
        this.tracer = tracer;
        this.run = run;
    }

    static Tracing current() {
        return current;
    }

    /**
     * @param zipkin a Zipkin span endpoint, or null
     * @param otlp an OTLP/HTTP traces endpoint ({@code .../v1/traces}), or null
     */
    static Tracing start(String traceparent, URI zipkin, URI otlp, String investigationId, int attempt) {
        var builder = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                        io.opentelemetry.api.common.AttributeKey.stringKey("service.name"), "nightshift-worker"))));
        for (SpanExporter exporter : exporters(zipkin, otlp)) {
            builder.addSpanProcessor(BatchSpanProcessor.builder(exporter).setScheduleDelay(200, TimeUnit.MILLISECONDS)
                    .build());
        }
        SdkTracerProvider provider = builder.build();
        Tracer tracer = provider.get("dev.nightshift.worker");
        Context parent = traceparent == null ? Context.root() : W3CTraceContextPropagator.getInstance()
                .extract(Context.root(), Map.of("traceparent", traceparent), GETTER);
        Span run = tracer.spanBuilder("investigation").setParent(parent).setSpanKind(SpanKind.CONSUMER)
                .setAttribute("investigation.id", investigationId).setAttribute("investigation.attempt", attempt)
                .startSpan();
        Tracing tracing = new Tracing(provider, tracer, run);
        current = tracing;
        return tracing;
    }

    private static List<SpanExporter> exporters(URI zipkin, URI otlp) {
        java.util.ArrayList<SpanExporter> exporters = new java.util.ArrayList<>();
        if (zipkin != null) {
            exporters.add(new ZipkinSpanExporter(zipkin, "nightshift-worker"));
        }
        if (otlp != null) {
            exporters.add(OtlpHttpSpanExporter.builder().setEndpoint(otlp.toString()).build());
        }
        return exporters;
    }

    /** The W3C context of the run's span, for the events it publishes; null when there is none. */
    String traceparent() {
        var context = run.getSpanContext();
        return context.isValid() ? "00-" + context.getTraceId() + "-" + context.getSpanId() + "-"
                + context.getTraceFlags().asHex() : null;
    }

    /** A new reasoning cycle: the previous one's span ends. */
    void cycle(int number) {
        if (tracer == null) {
            return;
        }
        endCycle();
        cycle = tracer.spanBuilder("reasoning.cycle " + number).setParent(Context.root().with(run))
                .setAttribute("reasoning.cycle", number).startSpan();
    }

    /** The confidence of the decision the cycle made, on the cycle's span. */
    void decision(String hypothesis, double confidence) {
        Span span = cycle;
        if (span != null) {
            span.setAttribute("decision.hypothesis", hypothesis);
            span.setAttribute("decision.confidence", confidence);
        }
    }

    <T> T tool(String name, Supplier<T> call, java.util.function.Function<T, Boolean> ok) {
        if (tracer == null) {
            return call.get();
        }
        Span span = tracer.spanBuilder("tool " + name).setParent(Context.root().with(parent()))
                .setSpanKind(SpanKind.CLIENT).setAttribute("tool.name", name).startSpan();
        long start = System.nanoTime();
        try {
            T result = call.get();
            if (!ok.apply(result)) {
                span.setStatus(StatusCode.ERROR, "tool failed");
            }
            return result;
        } finally {
            span.setAttribute("tool.latency_ms", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
            span.end();
        }
    }

    /** An LLM call that took {@code latencyMs} and just ended. */
    void llm(String model, long inputTokens, long outputTokens, long latencyMs) {
        if (tracer == null) {
            return;
        }
        Instant end = Instant.now();
        tracer.spanBuilder("llm.call").setParent(Context.root().with(parent())).setSpanKind(SpanKind.CLIENT)
                .setStartTimestamp(end.minusMillis(latencyMs)).setAttribute("llm.model", String.valueOf(model))
                .setAttribute("llm.tokens.input", inputTokens).setAttribute("llm.tokens.output", outputTokens)
                .setAttribute("llm.latency_ms", latencyMs).startSpan().end(end);
    }

    /** Ends the run's span with its outcome and sends what is left. */
    void end(String outcome) {
        if (tracer == null) {
            return;
        }
        endCycle();
        run.setAttribute("investigation.outcome", outcome);
        run.end();
    }

    private Span parent() {
        Span span = cycle;
        return span != null ? span : run;
    }

    private void endCycle() {
        Span span = cycle;
        if (span != null) {
            span.end();
            cycle = null;
        }
    }

    @Override
    public void close() {
        if (provider != null) {
            provider.forceFlush().join(10, TimeUnit.SECONDS);
            provider.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    private static final TextMapGetter<Map<String, String>> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Map<String, String> carrier) {
            return carrier.keySet();
        }

        @Override
        public String get(Map<String, String> carrier, String key) {
            return carrier == null ? null : carrier.get(key);
        }
    };
}
