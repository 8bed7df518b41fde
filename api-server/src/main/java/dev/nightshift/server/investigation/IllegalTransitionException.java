package dev.nightshift.server.investigation;

import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.ProblemType;
import java.util.UUID;

/** A requested transition the lifecycle does not allow, such as cancelling an ended investigation. */
public class IllegalTransitionException extends ApiException {

    public IllegalTransitionException(UUID id, InvestigationStatus from, InvestigationStatus to) {
        super(ProblemType.INVALID_STATE_TRANSITION,
                "Investigation " + id + " is " + from + " and cannot move to " + to + ".");
    }
}
