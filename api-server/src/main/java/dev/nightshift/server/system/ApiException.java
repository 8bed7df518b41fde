package dev.nightshift.server.system;

import java.util.List;

/**
 * The base of every error the API reports on purpose. Each becomes one problem response of its
 * {@link ProblemType}; subclasses name the situation.
 */
public class ApiException extends RuntimeException {

    private final ProblemType problemType;
    private final List<FieldError> errors;

    public ApiException(ProblemType problemType, String detail) {
        this(problemType, detail, List.of());
    }

    public ApiException(ProblemType problemType, String detail, List<FieldError> errors) {
        super(detail);
        this.problemType = problemType;
        this.errors = List.copyOf(errors);
    }

    public ProblemType problemType() {
        return problemType;
    }

    public List<FieldError> errors() {
        return errors;
    }

    /** A request that failed validation beyond what annotations express. */
    public static ApiException invalid(String field, String message) {
        return new ApiException(ProblemType.VALIDATION, field + ": " + message,
                List.of(new FieldError(field, message)));
    }
}
