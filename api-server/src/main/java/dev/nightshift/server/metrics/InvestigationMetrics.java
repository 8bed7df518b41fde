package dev.nightshift.server.metrics;

import dev.nightshift.server.events.StoredEvent;
import dev.nightshift.server.investigation.Domain;
import dev.nightshift.server.investigation.Investigation;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.investigation.Transition;
import dev.nightshift.server.system.MetricNames;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;

/**
 * Investigation-level metrics. Workers are short-lived Jobs Prometheus cannot scrape, so what they
 * do is counted here from their events as the server stores them, and the lifecycle from the state
 * changes: started, completed and failed by tier, phase, domain and source; durations and queue
 * waits by tier; reasoning cycles; circuit-breaker trips; LLM calls, tokens and cost; tool calls
 * and their latency by tool.
 */
@Component
public class InvestigationMetrics {

    private final MeterRegistry meters;

    InvestigationMetrics(MeterRegistry meters) {
        this.meters = meters;
    }

    /** One state change, as it is recorded. */
    public void transition(Investigation investigation, Transition transition) {
        Tags tags = Tags.of("tier", investigation.tier(), "phase", investigation.trustPhase().slug(),
                "domain", domain(investigation), "source", investigation.source().name().toLowerCase(Locale.ROOT));
        InvestigationStatus to = transition.to();
        if (transition.from() == null && to == InvestigationStatus.QUEUED) {
            meters.counter(MetricNames.INVESTIGATIONS_STARTED, tags).increment();
            return;
        }
        if (to == InvestigationStatus.LAUNCHING && transition.from() == InvestigationStatus.QUEUED) {
            queueWait(investigation.tier()).record(Duration.between(investigation.createdAt(), transition.at()));
            return;
        }
        if (!to.isTerminal()) {
            return;
        }
        String outcome = to.name().toLowerCase(Locale.ROOT);
        if (to == InvestigationStatus.FAILED || to == InvestigationStatus.TIMED_OUT) {
            meters.counter(MetricNames.INVESTIGATIONS_FAILED, tags.and("outcome", outcome)).increment();
        } else {
            meters.counter(MetricNames.INVESTIGATIONS_COMPLETED, tags.and("outcome", outcome)).increment();
        }
        Timer.builder(MetricNames.INVESTIGATION_DURATION).description("From creation to the end of an investigation")
                .tags("tier", investigation.tier(), "outcome", outcome).publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofSeconds(1)).maximumExpectedValue(Duration.ofHours(2))
                .register(meters).record(Duration.between(investigation.createdAt(), transition.at()));
    }

    /** One worker event, once stored. */
    public void workerEvent(StoredEvent event, java.util.function.Supplier<String> tierOf) {
        JsonNode payload = event.payload();
        switch (event.type()) {
            case "LLM_CALLED" -> {
                String model = payload.path("model").asString("unknown");
                meters.counter(MetricNames.LLM_CALLS, "model", model).increment();
                meters.counter(MetricNames.LLM_TOKENS, "model", model, "direction", "in")
                        .increment(payload.path("inputTokens").asLong(0));
                meters.counter(MetricNames.LLM_TOKENS, "model", model, "direction", "out")
                        .increment(payload.path("outputTokens").asLong(0));
                if (payload.path("costUsd").isNumber()) {
                    meters.counter(MetricNames.LLM_COST, "model", model).increment(payload.path("costUsd").asDouble());
                }
            }
            case "TOOL_CALLED" -> Timer.builder(MetricNames.TOOL_CALLS).description("Worker tool calls and their latency")
                    .tags("tool", payload.path("tool").asString("unknown"), "ok",
                            String.valueOf(payload.path("ok").asBoolean(false)))
                    .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(1))
                    .maximumExpectedValue(Duration.ofMinutes(1)).register(meters)
                    .record(Duration.ofMillis(payload.path("latencyMs").asLong(0)));
            case "CONCLUDED", "ESCALATED" -> {
                String tier = tierOf.get();
                if (payload.path("cycles").isIntegralNumber()) {
                    DistributionSummary.builder(MetricNames.REASONING_CYCLES)
                            .description("Reasoning cycles per investigation, a health signal of the reasoning")
                            .tags("tier", tier, "outcome", event.type().toLowerCase(Locale.ROOT))
                            .serviceLevelObjectives(1, 2, 3, 5, 8, 13, 21).register(meters)
                            .record(payload.path("cycles").asInt());
                }
                if (payload.path("reason").asString("").startsWith("circuit breaker")) {
                    meters.counter(MetricNames.CIRCUIT_BREAKER_TRIPS, "tier", tier).increment();
                }
            }
            default -> { }
        }
    }

    private Timer queueWait(String tier) {
        return Timer.builder(MetricNames.QUEUE_WAIT).description("From creation to launch").tags("tier", tier)
                .publishPercentileHistogram().minimumExpectedValue(Duration.ofMillis(10))
                .maximumExpectedValue(Duration.ofHours(1)).register(meters);
    }

    /** A single domain's name, or {@code multi}: bounded cardinality, no double counting. */
    static String domain(Investigation investigation) {
        List<Domain> domains = List.copyOf(investigation.domains());
        return domains.size() == 1 ? domains.getFirst().name().toLowerCase(Locale.ROOT) : "multi";
    }
}
