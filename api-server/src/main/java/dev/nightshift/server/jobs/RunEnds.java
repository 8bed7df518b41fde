package dev.nightshift.server.jobs;

import dev.nightshift.server.investigation.InvestigationService;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Reports the end of a run as its runtime saw it, after a short grace: the worker's own final event
 * usually arrives through Kafka at about the same time, and when it comes first it decides (with its
 * richer result), so that the terminal state change is normally the last event of the history. If
 * the worker said nothing (it crashed, was killed, timed out), the runtime's view decides.
 */
public final class RunEnds implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RunEnds.class);

    private final InvestigationService investigations;
    private final Duration grace;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().name("run-ends").daemon().factory());

    public RunEnds(InvestigationService investigations, Duration grace) {
        this.investigations = investigations;
        this.grace = grace;
    }

    /** Reports {@code end} once the grace has passed, unless the investigation has ended by then. */
    public void ended(UUID investigationId, RunEnd end, String actor) {
        if (grace.isZero()) {
            report(investigationId, end, actor);
            return;
        }
        timer.schedule(() -> report(investigationId, end, actor), grace.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void report(UUID investigationId, RunEnd end, String actor) {
        try (var ignored = MDC.putCloseable("investigationId", investigationId.toString())) {
            investigations.report(investigationId, end.status(), actor, end.reason());
        } catch (RuntimeException e) {
            log.warn("Could not record the end of the run ({}); resync retries: {}", end.reason(), e.toString());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
