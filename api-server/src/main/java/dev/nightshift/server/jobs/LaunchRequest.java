package dev.nightshift.server.jobs;

import dev.nightshift.server.investigation.InvestigationProperties.Tier;
import dev.nightshift.server.trust.TrustPhase;
import java.util.UUID;

/**
 * What a runtime needs to start one investigation's run.
 *
 * @param investigationId the investigation
 * @param tier its complexity tier: deadline and resources of the run
 * @param trustPhase the phase it was created in: the run's service account
 * @param workerToken the run's bootstrap token, valid for this investigation only; a runtime hands
 *     it to the worker privately (a Secret, a file only the worker can read), never in plain sight
 * @param traceparent the launch's W3C trace context, handed to the worker as {@code TRACEPARENT}; may be null
 */
public record LaunchRequest(UUID investigationId, Tier tier, TrustPhase trustPhase, String workerToken,
        String traceparent) {

    @Override
    public String toString() {
        return "LaunchRequest[investigationId=" + investigationId + ", tier=" + tier.name() + ", trustPhase="
                + trustPhase + ", workerToken=(redacted)]";
    }
}
