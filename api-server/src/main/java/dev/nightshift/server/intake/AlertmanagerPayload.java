package dev.nightshift.server.intake;

import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.ApiTokens;
import dev.nightshift.server.system.FieldError;
import dev.nightshift.server.system.ProblemType;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.databind.JsonNode;

/**
 * Alertmanager's webhook payload, version 4, as it arrives: read strictly where it matters
 * (the version, the alerts and their identity) and leniently elsewhere, since Alertmanager
 * versions add fields.
 */
record AlertmanagerPayload(String receiver, String status, String groupKey, Map<String, String> groupLabels,
        Map<String, String> commonLabels, Map<String, String> commonAnnotations, String externalUrl,
        int truncatedAlerts, List<Alert> alerts) {

    /** Alertmanager's zero time: an alert that is still firing has no end. */
    static final Instant ZERO_TIME = Instant.parse("0001-01-01T00:00:00Z");

    /**
     * One alert.
     *
     * @param endsAt {@code null} while firing (Alertmanager sends its zero time)
     * @param fingerprint Alertmanager's, or one computed from the labels when absent
     */
    record Alert(String status, Map<String, String> labels, Map<String, String> annotations, Instant startsAt,
            Instant endsAt, String generatorUrl, String fingerprint) {

        boolean firing() {
            return "firing".equals(status);
        }

        String alertname() {
            return labels.getOrDefault("alertname", "");
        }
    }

    /**
     * @throws ApiException 422 listing what makes it no Alertmanager v4 payload
     */
    static AlertmanagerPayload read(JsonNode body, int maxAlerts) {
        List<FieldError> errors = new ArrayList<>();
        if (body == null || !body.isObject()) {
            throw invalid(List.of(new FieldError("", "must be a JSON object")));
        }
        if (!"4".equals(body.path("version").asString(""))) {
            errors.add(new FieldError("version", "must be \"4\" (Alertmanager's webhook payload version)"));
        }
        String groupKey = text(body, "groupKey", true, errors);
        String status = text(body, "status", true, errors);
        if (status != null && !status.equals("firing") && !status.equals("resolved")) {
            errors.add(new FieldError("status", "must be firing or resolved"));
        }
        JsonNode alertsNode = body.get("alerts");
        List<Alert> alerts = new ArrayList<>();
        if (alertsNode == null || !alertsNode.isArray() || alertsNode.isEmpty()) {
            errors.add(new FieldError("alerts", "must be a non-empty array"));
        } else if (alertsNode.size() > maxAlerts) {
            errors.add(new FieldError("alerts", "must hold at most " + maxAlerts + " alerts, had " + alertsNode.size()));
        } else {
            for (int i = 0; i < alertsNode.size() && errors.size() < 50; i++) {
                alerts.add(alert(alertsNode.get(i), "alerts[" + i + "]", errors));
            }
        }
        if (!errors.isEmpty()) {
            throw invalid(errors);
        }
        return new AlertmanagerPayload(body.path("receiver").asString(""), status, groupKey,
                strings(body.path("groupLabels")), strings(body.path("commonLabels")),
                strings(body.path("commonAnnotations")), body.path("externalURL").asString(""),
                body.path("truncatedAlerts").asInt(0), List.copyOf(alerts));
    }

    private static Alert alert(JsonNode node, String path, List<FieldError> errors) {
        if (node == null || !node.isObject()) {
            errors.add(new FieldError(path, "must be an object"));
            return null;
        }
        String status = text(node, "status", true, errors, path);
        if (status != null && !status.equals("firing") && !status.equals("resolved")) {
            errors.add(new FieldError(path + ".status", "must be firing or resolved"));
        }
        if (!node.path("labels").isObject() || node.path("labels").isEmpty()) {
            errors.add(new FieldError(path + ".labels", "must be a non-empty object"));
        }
        Instant startsAt = instant(node, "startsAt", path, errors);
        Instant endsAt = node.has("endsAt") ? instant(node, "endsAt", path, errors) : null;
        Map<String, String> labels = strings(node.path("labels"));
        String fingerprint = node.path("fingerprint").isString() && !node.path("fingerprint").asString().isBlank()
                ? node.path("fingerprint").asString() : ApiTokens.sha256Hex(labels.toString()).substring(0, 16);
        if (fingerprint.length() > 64) {
            errors.add(new FieldError(path + ".fingerprint", "must be at most 64 characters"));
        }
        // PostgreSQL keeps microseconds; Alertmanager sends nanoseconds. One precision everywhere.
        return new Alert(status, labels, strings(node.path("annotations")),
                startsAt == null ? null : startsAt.truncatedTo(ChronoUnit.MICROS),
                endsAt == null || endsAt.equals(ZERO_TIME) ? null : endsAt.truncatedTo(ChronoUnit.MICROS),
                node.path("generatorURL").asString(""), fingerprint);
    }

    private static ApiException invalid(List<FieldError> errors) {
        return new ApiException(ProblemType.INVALID_ALERT_PAYLOAD,
                "The body is JSON but not an Alertmanager webhook payload (version 4).", errors);
    }

    private static String text(JsonNode node, String field, boolean required, List<FieldError> errors) {
        return text(node, field, required, errors, "");
    }

    private static String text(JsonNode node, String field, boolean required, List<FieldError> errors, String path) {
        JsonNode value = node.get(field);
        if (value == null || !value.isString() || value.asString().isEmpty()) {
            if (required) {
                errors.add(new FieldError(path.isEmpty() ? field : path + "." + field, "must be a non-empty string"));
            }
            return null;
        }
        return value.asString();
    }

    private static Instant instant(JsonNode node, String field, String path, List<FieldError> errors) {
        String value = text(node, field, true, errors, path);
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(path + "." + field, "must be an RFC 3339 date-time"));
            return null;
        }
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> values = new TreeMap<>();
        object.properties().forEach(e -> values.put(e.getKey(), e.getValue().isString() ? e.getValue().asString()
                : e.getValue().toString()));
        return values;
    }
}
