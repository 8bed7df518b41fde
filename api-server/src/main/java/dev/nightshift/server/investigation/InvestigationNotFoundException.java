package dev.nightshift.server.investigation;

import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.ProblemType;
import java.util.UUID;

public class InvestigationNotFoundException extends ApiException {

    public InvestigationNotFoundException(UUID id) {
        super(ProblemType.NOT_FOUND, "No investigation " + id + ".");
    }
}
