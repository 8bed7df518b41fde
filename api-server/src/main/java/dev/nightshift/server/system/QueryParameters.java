package dev.nightshift.server.system;

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
}
