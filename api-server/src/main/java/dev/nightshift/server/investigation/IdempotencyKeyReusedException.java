package dev.nightshift.server.investigation;

import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.ProblemType;

public class IdempotencyKeyReusedException extends ApiException {

    public IdempotencyKeyReusedException() {
        super(ProblemType.IDEMPOTENCY_KEY_REUSED,
                "This Idempotency-Key was used before with a different request body; use a new key.");
    }
}
