package dev.nightshift.server.vault;

import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.FieldError;
import dev.nightshift.server.system.JsonFields;
import dev.nightshift.server.system.ProblemType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.security.core.Authentication;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code POST /api/v1/investigations/{id}/credential-reports}: a worker reports what it did with its
 * Vault token — the paths it read (outcome, lease ID, timing; never a value) or that its wrapping
 * token had already been unwrapped by someone else.
 */
@RestController
class CredentialReportController {

    static final Set<String> FIELDS = Set.of("attempt", "kind", "reads", "detail");
    static final Set<String> READ_FIELDS = Set.of("purpose", "path", "outcome", "leaseId", "millis");
    static final Set<String> OUTCOMES = Set.of("read", "denied", "missing", "failed");
    static final int MAX_READS = 100;

    private final ObjectProvider<VaultCredentials> vault;

    CredentialReportController(ObjectProvider<VaultCredentials> vault) {
        this.vault = vault;
    }

    @PostMapping(path = "/api/v1/investigations/{id}/credential-reports", consumes = MediaType.APPLICATION_JSON_VALUE)
    @ResponseStatus(HttpStatus.NO_CONTENT)
    void report(@PathVariable UUID id, @RequestBody JsonNode body, Authentication principal) {
        List<FieldError> errors = new ArrayList<>();
        JsonFields fields = JsonFields.of(body, "", FIELDS, errors);
        if (fields == null) {
            throw new ApiException(ProblemType.VALIDATION, "Invalid credential report.", errors);
        }
        Integer attempt = fields.integer("attempt", 1, 10_000);
        String kind = fields.string("kind");
        String detail = fields.string("detail");
        if (attempt == null && !JsonFields.hasError(errors, "attempt")) {
            errors.add(new FieldError("attempt", "is required"));
        }
        if (!"READ".equals(kind) && !"INTERCEPTED".equals(kind)) {
            errors.add(new FieldError("kind", "must be READ or INTERCEPTED"));
        }
        if (detail != null && detail.length() > 1000) {
            errors.add(new FieldError("detail", "must be at most 1000 characters"));
        }
        List<Map<String, Object>> reads = new ArrayList<>();
        JsonNode list = fields.node("reads");
        if (list != null && (!list.isArray() || list.size() > MAX_READS)) {
            errors.add(new FieldError("reads", "must be an array of at most " + MAX_READS));
        } else if (list != null) {
            for (int i = 0; i < list.size(); i++) {
                JsonFields read = JsonFields.of(list.get(i), "reads[" + i + "]", READ_FIELDS, errors);
                if (read == null) {
                    continue;
                }
                Map<String, Object> entry = new LinkedHashMap<>();
                entry.put("purpose", read.string("purpose"));
                entry.put("path", read.string("path"));
                String outcome = read.string("outcome");
                if (outcome == null || !OUTCOMES.contains(outcome)) {
                    errors.add(new FieldError(read.path("outcome"), "must be one of " + OUTCOMES.stream().sorted().toList()));
                }
                entry.put("outcome", outcome);
                entry.put("leaseId", read.string("leaseId"));
                entry.put("millis", read.integer("millis", 0, Integer.MAX_VALUE));
                if (entry.get("path") == null) {
                    errors.add(new FieldError(read.path("path"), "is required"));
                }
                reads.add(entry);
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiException(ProblemType.VALIDATION, "Invalid credential report.", errors);
        }
        VaultCredentials credentials = vault.getIfAvailable();
        if (credentials == null) {
            throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "No Vault is configured: there is nothing to report.");
        }
        if (kind.equals("INTERCEPTED")) {
            credentials.intercepted(id, attempt, detail, principal.getName());
        } else {
            credentials.reads(id, attempt, reads, principal.getName());
        }
    }
}
