package dev.nightshift.contract;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * An event as a worker publishes it on {@link #TOPIC} (see asyncapi.yaml), keyed by investigation
 * ID. Plain Java with its own small JSON writer, so that a worker needs no JSON library to speak it.
 *
 * @param payload the type's fields: strings, numbers, booleans, nulls, and lists and maps of them
 */
public record EventEnvelope(UUID eventId, UUID investigationId, int attempt, long seq, String type, Instant time,
        String traceparent, Map<String, ?> payload) {

    public static final String TOPIC = "nightshift.investigation-events";
    public static final int VERSION = 1;

    public EventEnvelope {
        payload = payload == null ? Map.of() : new TreeMap<>(payload);
    }

    public String toJson() {
        StringBuilder json = new StringBuilder(256).append('{');
        field(json, "eventId", eventId.toString()).append(',');
        field(json, "investigationId", investigationId.toString()).append(',');
        json.append("\"attempt\":").append(attempt).append(',');
        json.append("\"seq\":").append(seq).append(',');
        field(json, "type", type).append(',');
        field(json, "time", time.toString()).append(',');
        if (traceparent != null) {
            field(json, "traceparent", traceparent).append(',');
        }
        json.append("\"payload\":");
        value(json, payload);
        return json.append(",\"version\":").append(VERSION).append('}').toString();
    }

    /** Any value of a payload as JSON; map entries in key order, so equal payloads read the same. */
    static StringBuilder value(StringBuilder json, Object value) {
        switch (value) {
            case null -> json.append("null");
            case String text -> string(json, text);
            case Boolean flag -> json.append(flag);
            case Double number when !Double.isFinite(number) -> json.append("null");
            case Float number when !Float.isFinite(number) -> json.append("null");
            case Number number -> json.append(number);
            case Map<?, ?> map -> {
                json.append('{');
                boolean first = true;
                for (Map.Entry<?, ?> entry : new TreeMap<>(map).entrySet()) {
                    if (!first) {
                        json.append(',');
                    }
                    string(json, entry.getKey().toString()).append(':');
                    value(json, entry.getValue());
                    first = false;
                }
                json.append('}');
            }
            case Iterable<?> items -> {
                json.append('[');
                boolean first = true;
                for (Object item : items) {
                    if (!first) {
                        json.append(',');
                    }
                    value(json, item);
                    first = false;
                }
                json.append(']');
            }
            default -> string(json, value.toString());
        }
        return json;
    }

    private static StringBuilder field(StringBuilder json, String name, String value) {
        return string(string(json, name).append(':'), value);
    }

    /** A JSON string literal (RFC 8259): quotes, backslash and control characters escaped. */
    static StringBuilder string(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }
}
