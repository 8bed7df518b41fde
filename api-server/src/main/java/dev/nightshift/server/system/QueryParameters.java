package dev.nightshift.server.system;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.List;

/** Reading query parameters and headers the same way on every endpoint. */
public final class QueryParameters {

    private QueryParameters() {}

    /**
     * An integer parameter within bounds; {@code fallback} when absent.
     *
     * @throws ApiException naming the parameter when it is not an integer from {@code min} to {@code max}
     */
    public static long integer(String name, String value, long min, long max, long fallback) {
        if (value == null) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.invalid(name, "must be an integer from " + min + " to " + max);
    }

    /** An RFC 3339 date-time parameter; {@code null} when absent or malformed (then added to {@code errors}). */
    public static Instant instant(String name, String value, List<FieldError> errors) {
        if (value == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(value).toInstant();
        } catch (DateTimeParseException e) {
            errors.add(new FieldError(name, "must be an RFC 3339 date-time, e.g. 2026-11-22T02:00:00Z"));
            return null;
        }
    }
}
