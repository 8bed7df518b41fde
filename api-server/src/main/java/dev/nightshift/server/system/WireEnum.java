package dev.nightshift.server.system;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;

/**
 * An enum with a fixed form on the wire (for example {@code critical} for {@code CRITICAL}).
 * Jackson reads and writes {@link #wire()}; {@link #parse} reads query parameters the same way.
 */
public interface WireEnum {

    @JsonValue
    String wire();

    /**
     * The constant whose wire form is {@code value}, exactly; {@code null} for a null value. An
     * unknown value adds a field error naming the allowed values and returns {@code null}.
     */
    static <E extends Enum<E> & WireEnum> E parse(Class<E> type, String field, String value, List<FieldError> errors) {
        if (value == null) {
            return null;
        }
        for (E constant : type.getEnumConstants()) {
            if (constant.wire().equals(value)) {
                return constant;
            }
        }
        errors.add(new FieldError(field, "must be one of " + allowed(type)));
        return null;
    }

    /** {@code [critical, warning, info]}. */
    static String allowed(Class<?> type) {
        return Arrays.stream(type.getEnumConstants())
                .map(c -> ((WireEnum) c).wire())
                .collect(Collectors.joining(", ", "[", "]"));
    }
}
