package dev.nightshift.worker;

import dev.nightshift.contract.RunResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Entry point of the container a Job runs: one investigation, then exit. Exit codes are the
 * contract with the Job's pod failure policy: {@link RunResult#EXIT_OK} concluded or escalated,
 * {@link RunResult#EXIT_BAD_CONFIG} bad input or configuration (terminal, never retried), anything
 * else a crash. The outcome line goes to the result file ({@code NIGHTSHIFT_RESULT_FILE}, or the
 * Kubernetes termination message at {@code /dev/termination-log}).
 *
 * <p>This build has no reasoning loop yet (the worker issue brings it): it checks its environment,
 * publishes {@code STARTED} and an honest {@code ESCALATED} to the event stream when there is one
 * ({@code KAFKA_BOOTSTRAP_SERVERS}), and escalates, so that the whole path from API to Job to
 * event history to outcome runs end to end.
 */
public final class WorkerMain {

    static final Path TERMINATION_LOG = Path.of("/dev/termination-log");

    private WorkerMain() {}

    public static void main(String[] args) {
        System.exit(run(System.getenv()));
    }

    static int run(Map<String, String> environment) {
        Path resultFile = environment.containsKey("NIGHTSHIFT_RESULT_FILE")
                ? Path.of(environment.get("NIGHTSHIFT_RESULT_FILE")) : TERMINATION_LOG;
        WorkerConfig config;
        try {
            config = WorkerConfig.from(environment);
        } catch (IllegalArgumentException e) {
            System.err.println("nightshift-worker: " + e.getMessage());
            report(resultFile, new RunResult(RunResult.Outcome.FAILED, e.getMessage()));
            return RunResult.EXIT_BAD_CONFIG;
        }
        System.out.println("nightshift-worker: investigation " + config.investigationId() + ", api-server "
                + config.apiUrl() + ": no reasoning loop in this build, escalating to a human");
        RunResult result = new RunResult(RunResult.Outcome.ESCALATED, "reasoning not available");
        // Until registration gives the attempt number (worker issue), every run is attempt 1.
        try (EventPublisher events = EventPublisher.connect(environment.get("KAFKA_BOOTSTRAP_SERVERS"),
                config.investigationId(), 1)) {
            events.publish("STARTED", Map.of("secrets", "none: no Vault configured"));
            events.publish("ESCALATED", Map.of("reason", result.reason()));
        }
        // The final event first, then the outcome line: the history normally ends with the worker's word.
        report(resultFile, result);
        return RunResult.EXIT_OK;
    }

    private static void report(Path resultFile, RunResult result) {
        try {
            Files.writeString(resultFile, result.format(), StandardCharsets.UTF_8);
        } catch (IOException | SecurityException e) {
            // Outside a pod and without a result file there is nowhere to write; the exit code still tells.
            System.err.println("nightshift-worker: cannot write result to " + resultFile + ": " + e.getMessage());
        }
    }
}
