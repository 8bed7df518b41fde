package dev.nightshift.server.system;

import java.util.Optional;
import java.util.UUID;

/** Resolves the bootstrap token of a worker run to the one investigation it may act for. */
public interface WorkerCredentials {

    /** Whether the token has the form of a worker token (and so is not tried as anything else). */
    boolean isWorkerToken(String token);

    /** The investigation of a valid token: one whose investigation is launching or running. */
    Optional<UUID> investigationOf(String token);

    /** The principal of an authenticated worker run: it acts for {@code investigationId} only. */
    record WorkerPrincipal(UUID investigationId) {
        @Override
        public String toString() {
            return "worker:" + investigationId;
        }
    }
}
