package dev.nightshift.worker;

import java.util.Map;

/**
 * A read-only question to one data source, named {@code <source>.<verb>} (e.g.
 * {@code prometheus.query}). Its parameters are a JSON schema, so an LLM can call it.
 */
interface Tool {

    String name();

    String description();

    /** JSON schema of the arguments: {@code {"type":"object","properties":{...},"required":[...]}}. */
    Map<String, Object> parameters();

    /** The query as a human reads it in the evidence, e.g. the PromQL. */
    String describe(Map<String, Object> arguments);

    /** Calls the source; never throws for the source's failures, which come back as a failed result. */
    ToolResult call(Map<String, Object> arguments);

    static Map<String, Object> schema(Map<String, Object> properties, String... required) {
        return Map.of("type", "object", "properties", properties, "required", java.util.List.of(required));
    }

    static Map<String, Object> string(String description) {
        return Map.of("type", "string", "description", description);
    }

    static Map<String, Object> integer(String description) {
        return Map.of("type", "integer", "description", description);
    }
}
