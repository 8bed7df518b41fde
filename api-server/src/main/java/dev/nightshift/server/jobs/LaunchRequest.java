package dev.nightshift.server.jobs;

import dev.nightshift.server.trust.TrustPhase;
import java.time.Duration;
import java.util.UUID;

/**
 * What a runtime needs to start one investigation's run.
 *
 * @param investigationId the investigation
 * @param tier its complexity tier's name
 * @param deadline how long the run may take
 * @param trustPhase the phase it was created in
 */
public record LaunchRequest(UUID investigationId, String tier, Duration deadline, TrustPhase trustPhase) {}
