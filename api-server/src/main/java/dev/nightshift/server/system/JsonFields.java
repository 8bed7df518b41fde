package dev.nightshift.server.system;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * Reads a request body field by field from its JSON tree, collecting every type error instead of
 * stopping at the first, so that one 400 names all that is wrong. Absent and {@code null} fields
 * read as {@code null}; the caller decides what is required.
 */
public final class JsonFields {

    private final JsonNode object;
    private final String path;
    private final List<FieldError> errors;

    private JsonFields(JsonNode object, String path, List<FieldError> errors) {
        this.object = object;
        this.path = path;
        this.errors = errors;
    }

    /**
     * The fields of a JSON object; a field not in {@code known} is an error. Returns {@code null}
     * (after recording an error) when {@code node} is not an object.
     */
    public static JsonFields of(JsonNode node, String path, Collection<String> known, List<FieldError> errors) {
        if (node == null || !node.isObject()) {
            errors.add(new FieldError(path.isEmpty() ? "(body)" : path, "must be an object"));
            return null;
        }
        JsonFields fields = new JsonFields(node, path, errors);
        for (String name : node.propertyNames()) {
            if (!known.contains(name)) {
                errors.add(new FieldError(fields.path(name), "is not a known field"));
            }
        }
        return fields;
    }

    /** The errors recorded so far, shared with nested readers. */
    public List<FieldError> errors() {
        return errors;
    }

    public String path(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** The raw value of a present, non-null field; {@code null} otherwise. */
    public JsonNode node(String name) {
        JsonNode value = object.get(name);
        return value == null || value.isNull() ? null : value;
    }

    public String string(String name) {
        JsonNode value = node(name);
        if (value == null) {
            return null;
        }
        if (!value.isString()) {
            errors.add(new FieldError(path(name), "must be a string"));
            return null;
        }
        return value.asString();
    }

    /** A whole number within {@code [min, max]}. */
    public Integer integer(String name, int min, int max) {
        JsonNode value = node(name);
        if (value == null) {
            return null;
        }
        if (!value.canConvertToExactIntegral() || !value.canConvertToInt() || value.asInt() < min || value.asInt() > max) {
            errors.add(new FieldError(path(name), "must be a whole number from " + min + " to " + max));
            return null;
        }
        return value.asInt();
    }

    public <E extends Enum<E> & WireEnum> E enumValue(String name, Class<E> type) {
        JsonNode value = node(name);
        if (value == null) {
            return null;
        }
        if (!value.isString()) {
            errors.add(new FieldError(path(name), "must be one of " + WireEnum.allowed(type)));
            return null;
        }
        return WireEnum.parse(type, path(name), value.asString(), errors);
    }

    /** An array of enum values; each bad element is its own error ({@code domains[1]}). */
    public <E extends Enum<E> & WireEnum> List<E> enumArray(String name, Class<E> type) {
        JsonNode value = node(name);
        if (value == null) {
            return null;
        }
        if (!value.isArray()) {
            errors.add(new FieldError(path(name), "must be an array"));
            return null;
        }
        List<E> result = new ArrayList<>();
        int before = errors.size();
        for (int i = 0; i < value.size(); i++) {
            JsonNode element = value.get(i);
            String elementPath = path(name) + "[" + i + "]";
            if (!element.isString()) {
                errors.add(new FieldError(elementPath, "must be one of " + WireEnum.allowed(type)));
            } else {
                result.add(WireEnum.parse(type, elementPath, element.asString(), errors));
            }
        }
        return errors.size() == before ? result : null;
    }

    /** An object whose values are all strings, in document order. */
    public Map<String, String> stringMap(String name) {
        JsonNode value = node(name);
        if (value == null) {
            return null;
        }
        if (!value.isObject()) {
            errors.add(new FieldError(path(name), "must be an object"));
            return null;
        }
        Map<String, String> result = new LinkedHashMap<>();
        int before = errors.size();
        for (Map.Entry<String, JsonNode> entry : value.properties()) {
            if (!entry.getValue().isString()) {
                errors.add(new FieldError(path(name) + "." + entry.getKey(), "must be a string"));
            } else {
                result.put(entry.getKey(), entry.getValue().asString());
            }
        }
        return errors.size() == before ? result : null;
    }

    /** The fields of a nested object, or {@code null} when absent or not an object (an error then). */
    public JsonFields object(String name, Collection<String> known) {
        JsonNode value = node(name);
        return value == null ? null : of(value, path(name), known, errors);
    }

    /** Whether a field, or anything inside it, already has an error. */
    public static boolean hasError(List<FieldError> errors, String field) {
        return errors.stream().anyMatch(e -> e.field().equals(field)
                || e.field().startsWith(field + ".") || e.field().startsWith(field + "["));
    }
}
