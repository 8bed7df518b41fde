package dev.nightshift.server.system;

import com.fasterxml.jackson.annotation.JsonValue;

/**
 * An enum whose JSON and query-parameter form differs from its constant name (for example
 * {@code critical} for {@code CRITICAL}). Jackson reads and writes {@link #wire()}; the web layer
 * converts query parameters with the same names.
 */
public interface WireEnum {

    @JsonValue
    String wire();
}
