package dev.nightshift.server.jobs;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Runs investigations, each in isolation: a Kubernetes Job, or a child process in the local
 * runtime. The contract, whichever runtime is behind it:
 *
 * <ul>
 *   <li>{@link #launch} is asynchronous: it returns once the runtime has accepted the run (the Job
 *       exists, the process started), not when the run ends.
 *   <li>{@link #launch} is idempotent per investigation: launching one whose run exists counts as
 *       launched, so a dispatcher that crashed between claim and launch can simply launch again.
 *   <li>What happens to a run is reported to {@link dev.nightshift.server.investigation.InvestigationService#report} as states (running,
 *       then one terminal state with a reason). PostgreSQL, not the runtime, owns the history: the
 *       state machine ignores repeats, so a runtime may report the same thing twice.
 *   <li>{@link #cancel} stops a run if there is one, and is a no-op otherwise.
 * </ul>
 */
public interface InvestigationLauncher {

    /** The runtime's name, recorded as the actor of the transitions it reports. */
    String name();

    /**
     * Starts a run.
     *
     * @throws LaunchException when the runtime refuses or cannot be reached; the caller fails the
     *     investigation with the message
     */
    void launch(LaunchRequest request);

    /** Stops the run of an investigation, if any. */
    void cancel(UUID investigationId);

    /** The investigations whose runs this runtime knows to exist now. */
    Set<UUID> activeRuns();

    /** The log of an investigation's run, once there is one. */
    Optional<RunLog> log(UUID investigationId);

    /**
     * How many runs this runtime takes at once; the dispatcher's own cap applies on top. A cluster
     * sets no limit of its own; a laptop does.
     */
    default int maxConcurrentRuns() {
        return Integer.MAX_VALUE;
    }
}
