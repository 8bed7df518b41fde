package dev.nightshift.server.investigation;

import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.FieldError;
import dev.nightshift.server.system.JsonFields;
import dev.nightshift.server.system.ProblemType;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /api/v1/investigations}. {@link #read} turns a JSON tree into a valid
 * request or reports every problem at once: wrong types, unknown fields and broken rules alike.
 */
public record InvestigationRequest(
        String title,
        String problem,
        List<Domain> domains,
        Severity severity,
        Map<String, String> labels,
        Target target,
        String tier) {

    public static final int MAX_TITLE = 200;
    public static final int MAX_PROBLEM = 10_000;
    public static final int MAX_LABELS = 64;
    public static final int MAX_LABEL_VALUE = 256;
    public static final int MAX_WORKLOAD = 253;

    public static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    public static final Pattern WORKLOAD = Pattern.compile("([a-z]+/)?[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
    public static final Pattern LABEL_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern CONTROL = Pattern.compile("\\p{Cntrl}");

    private static final List<String> FIELDS = List.of("title", "problem", "domains", "severity", "labels", "target", "tier");
    private static final List<String> TARGET_FIELDS = List.of("cluster", "namespace", "workload");

    /**
     * A valid request from a JSON body.
     *
     * @throws ApiException listing every invalid field
     */
    static InvestigationRequest read(JsonNode body, InvestigationProperties properties) {
        List<FieldError> errors = new ArrayList<>();
        JsonFields fields = JsonFields.of(body, "", FIELDS, errors);
        if (fields != null) {
            JsonFields target = fields.object("target", TARGET_FIELDS);
            InvestigationRequest request = new InvestigationRequest(fields.string("title"), fields.string("problem"),
                    fields.enumArray("domains", Domain.class), fields.enumValue("severity", Severity.class),
                    fields.stringMap("labels"),
                    target == null ? null : new Target(target.string("cluster"), target.string("namespace"),
                            target.string("workload")),
                    fields.string("tier"));
            List<FieldError> typeErrors = List.copyOf(errors);
            // A field with a type error is not also reported as missing or malformed.
            request.validate(properties).stream()
                    .filter(error -> !JsonFields.hasError(typeErrors, error.field()))
                    .forEach(errors::add);
            if (errors.isEmpty()) {
                return request;
            }
        }
        throw new ApiException(ProblemType.VALIDATION, errors.stream()
                .map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; ")), errors);
    }

    /** Every rule this request breaks, in field order; empty when it is valid. */
    List<FieldError> validate(InvestigationProperties properties) {
        List<FieldError> errors = new ArrayList<>();
        text(errors, "title", title, MAX_TITLE);
        if (title != null && CONTROL.matcher(title).find()) {
            errors.add(new FieldError("title", "must be one line without control characters"));
        }
        text(errors, "problem", problem, MAX_PROBLEM);
        if (domains == null) {
            errors.add(new FieldError("domains", "is required"));
        } else if (domains.isEmpty() || domains.size() > Domain.values().length) {
            errors.add(new FieldError("domains", "must list 1 to " + Domain.values().length + " domains"));
        } else {
            var seen = new HashSet<Domain>();
            for (int i = 0; i < domains.size(); i++) {
                Domain domain = domains.get(i);
                if (domain == null) {
                    errors.add(new FieldError("domains[" + i + "]", "must not be null"));
                } else if (!seen.add(domain)) {
                    errors.add(new FieldError("domains[" + i + "]", "repeats " + domain.wire()));
                }
            }
        }
        if (severity == null) {
            errors.add(new FieldError("severity", "is required"));
        }
        if (labels != null) {
            if (labels.size() > MAX_LABELS) {
                errors.add(new FieldError("labels", "must have at most " + MAX_LABELS + " entries"));
            }
            labels.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(label -> {
                String field = "labels." + label.getKey();
                if (!LABEL_KEY.matcher(label.getKey()).matches() || label.getKey().length() > 317) {
                    errors.add(new FieldError(field, "is not a valid label key (optional DNS prefix and '/', "
                            + "then up to 63 of [A-Za-z0-9-_.], alphanumeric at both ends)"));
                }
                if (label.getValue() == null) {
                    errors.add(new FieldError(field, "must be a string"));
                } else if (label.getValue().length() > MAX_LABEL_VALUE) {
                    errors.add(new FieldError(field, "must be at most " + MAX_LABEL_VALUE + " characters"));
                }
            });
        }
        if (target != null) {
            pattern(errors, "target.cluster", target.cluster(), DNS_LABEL, "must be a DNS-1123 label");
            pattern(errors, "target.namespace", target.namespace(), DNS_LABEL, "must be a DNS-1123 label");
            pattern(errors, "target.workload", target.workload(), WORKLOAD,
                    "must be a workload name, optionally prefixed by its kind, e.g. deployment/checkout");
            if (target.workload() != null && target.workload().length() > MAX_WORKLOAD) {
                errors.add(new FieldError("target.workload", "must be at most " + MAX_WORKLOAD + " characters"));
            }
        }
        if (tier != null && properties.tierNamed(tier).isEmpty()) {
            errors.add(new FieldError("tier", "must be one of " + properties.tierNames()));
        } else if (tier == null && domains != null && properties.tierFor(domains.size()).isEmpty()) {
            errors.add(new FieldError("domains", "no configured tier spans " + domains.size() + " domains; name one in tier"));
        }
        return errors;
    }

    /** The configured tier this request names, or the smallest that holds its domains. */
    String tierName(InvestigationProperties properties) {
        return tier != null ? tier : properties.tierFor(domains.size()).orElseThrow().name();
    }

    private static void text(List<FieldError> errors, String field, String value, int max) {
        if (value == null) {
            errors.add(new FieldError(field, "is required"));
        } else if (value.isBlank()) {
            errors.add(new FieldError(field, "must not be blank"));
        } else if (value.length() > max) {
            errors.add(new FieldError(field, "must be at most " + max + " characters"));
        }
    }

    private static void pattern(List<FieldError> errors, String field, String value, Pattern pattern, String message) {
        if (value != null && !pattern.matcher(value).matches()) {
            errors.add(new FieldError(field, message));
        }
    }
}
