package dev.nightshift.server.action;

import dev.nightshift.server.investigation.InvestigationRequest;
import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.FieldError;
import dev.nightshift.server.system.JsonFields;
import dev.nightshift.server.system.ProblemType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /api/v1/investigations/{id}/actions}: one action from the catalogue, with
 * exactly the fields its kind needs. A malformed proposal is a 400 and is not recorded; a
 * well-formed one is always recorded, whatever the policy then decides.
 */
record ActionRequest(ActionKind kind, String namespace, String name, Map<String, Object> parameters,
        String rationale) {

    /** DNS-1123 subdomain: Kubernetes object names. */
    static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");
    static final int MAX_RATIONALE = 2000;
    private static final Set<String> FIELDS = Set.of("kind", "namespace", "name", "replicas", "minReplicas",
            "maxReplicas", "webhook", "rationale");

    static ActionRequest read(JsonNode body, Set<String> webhooks) {
        List<FieldError> errors = new ArrayList<>();
        JsonFields fields = JsonFields.of(body, "", FIELDS, errors);
        if (fields == null) {
            throw new ApiException(ProblemType.VALIDATION, "Invalid action.", errors);
        }
        ActionKind kind = fields.enumValue("kind", ActionKind.class);
        if (kind == null && !JsonFields.hasError(errors, "kind")) {
            errors.add(new FieldError("kind", "is required"));
        }
        String namespace = matching(fields, "namespace", InvestigationRequest.DNS_LABEL);
        String name = matching(fields, "name", NAME);
        Integer replicas = fields.integer("replicas", 0, 10_000);
        Integer min = fields.integer("minReplicas", 1, 10_000);
        Integer max = fields.integer("maxReplicas", 1, 10_000);
        String webhook = fields.string("webhook");
        String rationale = fields.string("rationale");
        if (rationale != null && rationale.length() > MAX_RATIONALE) {
            errors.add(new FieldError("rationale", "must be at most " + MAX_RATIONALE + " characters"));
        }
        Map<String, Object> parameters = new LinkedHashMap<>();
        if (kind != null) {
            boolean namespaced = kind != ActionKind.CORDON_NODE && kind != ActionKind.CACHE_CLEAR_WEBHOOK;
            if (namespaced && namespace == null && !JsonFields.hasError(errors, "namespace")) {
                errors.add(new FieldError("namespace", "is required for " + kind.wire()));
            }
            if (!namespaced && fields.node("namespace") != null) {
                errors.add(new FieldError("namespace", "does not apply to " + kind.wire()));
            }
            if (kind != ActionKind.CACHE_CLEAR_WEBHOOK && name == null && !JsonFields.hasError(errors, "name")) {
                errors.add(new FieldError("name", "is required for " + kind.wire()));
            }
            only(fields, kind == ActionKind.SCALE_DEPLOYMENT, "replicas", kind, errors);
            only(fields, kind == ActionKind.ADJUST_HPA, "minReplicas", kind, errors);
            only(fields, kind == ActionKind.ADJUST_HPA, "maxReplicas", kind, errors);
            only(fields, kind == ActionKind.CACHE_CLEAR_WEBHOOK, "webhook", kind, errors);
            switch (kind) {
                case SCALE_DEPLOYMENT -> {
                    if (replicas == null && !JsonFields.hasError(errors, "replicas")) {
                        errors.add(new FieldError("replicas", "is required for " + kind.wire()));
                    }
                    parameters.put("replicas", replicas);
                }
                case ADJUST_HPA -> {
                    if (min == null && max == null && !JsonFields.hasError(errors, "minReplicas")
                            && !JsonFields.hasError(errors, "maxReplicas")) {
                        errors.add(new FieldError("minReplicas", "minReplicas or maxReplicas is required"));
                    }
                    if (min != null && max != null && min > max) {
                        errors.add(new FieldError("maxReplicas", "must not be below minReplicas"));
                    }
                    if (min != null) {
                        parameters.put("minReplicas", min);
                    }
                    if (max != null) {
                        parameters.put("maxReplicas", max);
                    }
                }
                case CACHE_CLEAR_WEBHOOK -> {
                    if (webhook == null || !webhooks.contains(webhook)) {
                        errors.add(new FieldError("webhook", "must be one of the configured cache webhooks "
                                + webhooks.stream().sorted().toList()));
                    }
                    parameters.put("webhook", webhook);
                    name = webhook;
                }
                default -> { }
            }
        }
        if (!errors.isEmpty()) {
            throw new ApiException(ProblemType.VALIDATION, "Invalid action.", errors);
        }
        return new ActionRequest(kind, namespace, name, parameters, rationale);
    }

    private static String matching(JsonFields fields, String field, Pattern pattern) {
        String value = fields.string(field);
        if (value != null && !pattern.matcher(value).matches()) {
            fields.errors().add(new FieldError(field, "must be a valid Kubernetes " + field));
            return null;
        }
        return value;
    }

    private static void only(JsonFields fields, boolean applies, String field, ActionKind kind, List<FieldError> errors) {
        if (!applies && fields.node(field) != null) {
            errors.add(new FieldError(field, "does not apply to " + kind.wire()));
        }
    }
}
