package dev.nightshift.server.worker;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * What every worker is told at registration, besides its sources and LLM.
 *
 * @param toolTimeout how long one tool call may take; default 15 s
 * @param toolResultBytes how much of one tool result a worker keeps; more is summarised or truncated
 * @param deadlineMargin how long before the run's deadline the reasoning stops, to escalate in time
 * @param p95Window the history the circuit breaker's p95 cycle count is computed from; default 30 days
 * @param p95MinSamples successful runs of a tier needed before their p95 counts; default 20
 */
@ConfigurationProperties("nightshift.worker")
public record WorkerProperties(@DefaultValue("15s") Duration toolTimeout, @DefaultValue("65536") int toolResultBytes,
        @DefaultValue("30s") Duration deadlineMargin, @DefaultValue("30d") Duration p95Window,
        @DefaultValue("20") int p95MinSamples) {}
