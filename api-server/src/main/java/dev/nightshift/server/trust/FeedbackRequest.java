package dev.nightshift.server.trust;

import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.FieldError;
import dev.nightshift.server.system.ProblemType;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The body of {@code POST /api/v1/investigations/{id}/feedback}. Categories and classes are short
 * slugs ({@code resource-exhaustion/memory}, {@code rollback}); any such slug is accepted.
 */
public record FeedbackRequest(Verdict verdict, String rootCauseCategory, String remediationClass, String comment) {

    public enum Verdict { ACCEPTED, REJECTED, MODIFIED }

    static final Pattern SLUG = Pattern.compile("[a-z0-9]([-a-z0-9/._]{0,126}[a-z0-9])?");
    static final int MAX_COMMENT = 4000;
    private static final Set<String> FIELDS = Set.of("verdict", "rootCauseCategory", "remediationClass", "comment");

    /** @throws ApiException listing every invalid field */
    static FeedbackRequest read(JsonNode body) {
        List<FieldError> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw ApiException.invalid("", "must be a JSON object");
        }
        body.properties().forEach(e -> {
            if (!FIELDS.contains(e.getKey())) {
                errors.add(new FieldError(e.getKey(), "is not a field of feedback"));
            }
        });
        Verdict verdict = null;
        JsonNode v = body.get("verdict");
        if (v == null || !v.isString()) {
            errors.add(new FieldError("verdict", "must be one of ACCEPTED, REJECTED, MODIFIED"));
        } else {
            try {
                verdict = Verdict.valueOf(v.asString());
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("verdict", "must be one of ACCEPTED, REJECTED, MODIFIED"));
            }
        }
        String category = slug(body, "rootCauseCategory", errors);
        String remediation = slug(body, "remediationClass", errors);
        String comment = null;
        JsonNode c = body.get("comment");
        if (c != null && !c.isNull()) {
            if (!c.isString() || c.asString().length() > MAX_COMMENT) {
                errors.add(new FieldError("comment", "must be a string of at most " + MAX_COMMENT + " characters"));
            } else {
                comment = c.asString();
            }
        }
        if (verdict == Verdict.MODIFIED && category == null && remediation == null) {
            errors.add(new FieldError("rootCauseCategory", "a MODIFIED verdict names the corrected category or class"));
        }
        if (!errors.isEmpty()) {
            throw new ApiException(ProblemType.VALIDATION, "Invalid feedback.", errors);
        }
        return new FeedbackRequest(verdict, category, remediation, comment);
    }

    private static String slug(JsonNode body, String field, List<FieldError> errors) {
        JsonNode value = body.get(field);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isString() || !SLUG.matcher(value.asString()).matches()) {
            errors.add(new FieldError(field, "must be a lowercase slug such as resource-exhaustion/memory"));
            return null;
        }
        return value.asString();
    }
}
