package dev.nightshift.server.jobs;

import dev.nightshift.contract.RunResult;
import dev.nightshift.server.investigation.InvestigationStatus;
import java.time.Duration;
import java.util.Optional;

/**
 * How a run ended, as an investigation state with a reason: the one mapping from exit codes and
 * result lines that every runtime uses.
 *
 * @param status a terminal investigation state
 * @param reason the transition's reason
 */
public record RunEnd(InvestigationStatus status, String reason) {

    /** The JVM's exit code under {@code -XX:+ExitOnOutOfMemoryError}. */
    static final int EXIT_OUT_OF_MEMORY = 3;

    /** The status a worker's own outcome stands for. */
    public static InvestigationStatus status(RunResult.Outcome outcome) {
        return switch (outcome) {
            case CONCLUDED -> InvestigationStatus.SUCCEEDED;
            case ESCALATED -> InvestigationStatus.ESCALATED;
            case FAILED -> InvestigationStatus.FAILED;
        };
    }

    /** A process that exited by itself, with the result line it left, if any. */
    public static RunEnd exited(int exitCode, Optional<RunResult> result, String memoryLimit) {
        if (exitCode == RunResult.EXIT_OK) {
            return result.map(r -> new RunEnd(status(r.outcome()), r.reason().isEmpty() ? r.outcome().name() : r.reason()))
                    .orElse(new RunEnd(InvestigationStatus.FAILED, "worker exited without a result"));
        }
        String said = result.map(r -> ": " + r.reason()).orElse("");
        if (exitCode == RunResult.EXIT_BAD_CONFIG) {
            return new RunEnd(InvestigationStatus.FAILED, "bad input or configuration (exit code 2)" + said);
        }
        if (exitCode == EXIT_OUT_OF_MEMORY) {
            return new RunEnd(InvestigationStatus.FAILED, "OOMKilled: out of memory with a limit of " + memoryLimit);
        }
        return new RunEnd(InvestigationStatus.FAILED, "worker crashed with exit code " + exitCode + said);
    }

    /** A run stopped because its deadline passed. */
    public static RunEnd deadlineExceeded(Duration deadline) {
        return new RunEnd(InvestigationStatus.TIMED_OUT, "DeadlineExceeded: ran longer than " + deadline.toSeconds() + " s");
    }
}
