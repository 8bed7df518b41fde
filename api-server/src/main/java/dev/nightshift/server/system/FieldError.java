package dev.nightshift.server.system;

/** One rejected field or parameter of a request, as listed in a problem's {@code errors}. */
public record FieldError(String field, String message) {}
