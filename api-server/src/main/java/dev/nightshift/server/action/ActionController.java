package dev.nightshift.server.action;

import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.FieldError;
import dev.nightshift.server.system.JsonFields;
import dev.nightshift.server.system.ProblemType;
import dev.nightshift.server.system.QueryParameters;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * The action gateway's API: workers propose, operators approve, reject and roll back, everyone
 * with VIEWER sees the approvals queue (shadow-phase actions, like shadow results, only operators).
 */
@RestController
class ActionController {

    static final int MAX_REASON = 1000;

    private final ActionService actions;
    private final ActionProperties properties;

    ActionController(ActionService actions, ActionProperties properties) {
        this.actions = actions;
        this.properties = properties;
    }

    @PostMapping(path = "/api/v1/investigations/{id}/actions", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.CREATED)
    Action propose(@PathVariable UUID id, @RequestBody JsonNode body, Authentication principal) {
        return actions.propose(id, ActionRequest.read(body, properties.cacheWebhooks().keySet()), principal.getName());
    }

    @GetMapping(path = "/api/v1/actions", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> list(@RequestParam(required = false) String status,
            @RequestParam(required = false) String investigationId, @RequestParam(required = false) String limit,
            Authentication principal) {
        List<FieldError> errors = new ArrayList<>();
        Action.Status wanted = null;
        if (status != null) {
            try {
                wanted = Action.Status.valueOf(status);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("status", "must be one of " + List.of(Action.Status.values())));
            }
        }
        UUID investigation = null;
        if (investigationId != null) {
            try {
                investigation = UUID.fromString(investigationId);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("investigationId", "must be a UUID"));
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiException(ProblemType.VALIDATION, "Invalid query parameters.", errors);
        }
        int max = (int) QueryParameters.integer("limit", limit, 1, 500, 100);
        return Map.of("items", actions.list(wanted, investigation, InvestigationService.seesShadow(principal), max));
    }

    @GetMapping(path = "/api/v1/actions/{actionId}", produces = MediaType.APPLICATION_JSON_VALUE)
    Action get(@PathVariable UUID actionId, Authentication principal) {
        return visible(actions.get(actionId), principal);
    }

    @PostMapping(path = "/api/v1/actions/{actionId}/approve", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Action approve(@PathVariable UUID actionId, @RequestBody JsonNode body, Authentication principal) {
        return actions.approve(actionId, reason(body), principal.getName());
    }

    @PostMapping(path = "/api/v1/actions/{actionId}/reject", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Action reject(@PathVariable UUID actionId, @RequestBody JsonNode body, Authentication principal) {
        return actions.reject(actionId, reason(body), principal.getName());
    }

    @PostMapping(path = "/api/v1/actions/{actionId}/rollback", consumes = MediaType.APPLICATION_JSON_VALUE,
            produces = MediaType.APPLICATION_JSON_VALUE)
    Action rollback(@PathVariable UUID actionId, @RequestBody JsonNode body, Authentication principal) {
        return actions.rollback(actionId, reason(body), principal.getName());
    }

    private static Action visible(Action action, Authentication principal) {
        if (action.trustPhase() == dev.nightshift.server.trust.TrustPhase.SHADOW
                && !InvestigationService.seesShadow(principal)) {
            throw new ApiException(ProblemType.NOT_FOUND, "No action " + action.id() + ".");
        }
        return action;
    }

    /** {@code {"reason": "..."}}: every human decision says why. */
    private static String reason(JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        JsonFields fields = JsonFields.of(body, "", Set.of("reason"), errors);
        String reason = fields == null ? null : fields.string("reason");
        if (fields != null && (reason == null || reason.isBlank()) && !JsonFields.hasError(errors, "reason")) {
            errors.add(new FieldError("reason", "is required: say why"));
        } else if (reason != null && reason.length() > MAX_REASON) {
            errors.add(new FieldError("reason", "must be at most " + MAX_REASON + " characters"));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(ProblemType.VALIDATION, "Invalid decision.", errors);
        }
        return reason.strip();
    }
}
