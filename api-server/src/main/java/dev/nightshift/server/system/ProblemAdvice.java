package dev.nightshift.server.system;

import jakarta.servlet.http.HttpServletRequest;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.NestedExceptionUtils;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.bind.MissingRequestHeaderException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.ServletWebRequest;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * Turns every exception that leaves a controller into an RFC 9457 problem with a stable type.
 * Bad input is always a 4xx naming the field; an unreachable database is a 503 with
 * {@code Retry-After}; anything else is a 500 without internals.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);
    static final String RETRY_AFTER_SECONDS = "5";

    private final DataSource dataSource;

    ProblemAdvice(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    @ExceptionHandler(ApiException.class)
    ResponseEntity<Object> handleApi(ApiException ex, HttpServletRequest request) {
        return respond(Problems.of(ex.problemType(), ex.getMessage(), request.getRequestURI(), ex.errors()));
    }

    @ExceptionHandler({
        CannotCreateTransactionException.class,
        CannotGetJdbcConnectionException.class,
        DataAccessResourceFailureException.class,
        TransientDataAccessResourceException.class,
        QueryTimeoutException.class
    })
    ResponseEntity<Object> handleUnavailable(Exception ex, HttpServletRequest request) {
        log.warn("Database unavailable for {} {}: {}", request.getMethod(), request.getRequestURI(),
                NestedExceptionUtils.getMostSpecificCause(ex).getMessage());
        ProblemDetail problem = Problems.of(ProblemType.SERVICE_UNAVAILABLE,
                "The database is unavailable; nothing was changed. Retry later.", request.getRequestURI());
        return ResponseEntity.status(problem.getStatus())
                .header(HttpHeaders.RETRY_AFTER, RETRY_AFTER_SECONDS)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<Object> handleTypeMismatch(MethodArgumentTypeMismatchException ex, HttpServletRequest request) {
        Class<?> type = ex.getRequiredType();
        String message;
        if (type != null && type.getSimpleName().equals("UUID")) {
            message = "must be a UUID";
        } else {
            message = "has an invalid value";
        }
        return respond(validation(request, List.of(new FieldError(ex.getName(), message))));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<Object> handleUnexpected(Exception ex, HttpServletRequest request) {
        if (databaseUnavailable(ex) || (persistenceFailure(ex) && !databaseReachable())) {
            return handleUnavailable(ex, request);
        }
        log.error("Unexpected error on {} {}", request.getMethod(), request.getRequestURI(), ex);
        return respond(Problems.of(ProblemType.INTERNAL_ERROR, "An unexpected error occurred.", request.getRequestURI()));
    }

    @Override
    protected ResponseEntity<Object> handleHttpMessageNotReadable(
            HttpMessageNotReadableException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        String uri = uri(request);
        Throwable cause = ex.getCause();
        if (cause instanceof StreamReadException) {
            return respond(Problems.of(ProblemType.MALFORMED_REQUEST, "The request body is not valid JSON.", uri));
        }
        if (cause instanceof JacksonException jackson) {
            return respond(validation(uri, List.of(new FieldError(path(jackson), describe(jackson)))));
        }
        return respond(Problems.of(ProblemType.MALFORMED_REQUEST, "The request body is missing or unreadable.", uri));
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(
            MissingServletRequestParameterException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return respond(validation(uri(request), List.of(new FieldError(ex.getParameterName(), "is required"))));
    }

    @Override
    protected ResponseEntity<Object> handleExceptionInternal(
            Exception ex, Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
        if (ex instanceof MissingRequestHeaderException missing) {
            return respond(validation(uri(request), List.of(new FieldError(missing.getHeaderName(), "is required"))));
        }
        ProblemType type = switch (statusCode.value()) {
            case 400 -> ProblemType.MALFORMED_REQUEST;
            case 404 -> ProblemType.NOT_FOUND;
            case 405 -> ProblemType.METHOD_NOT_ALLOWED;
            case 406 -> ProblemType.NOT_ACCEPTABLE;
            case 413 -> ProblemType.PAYLOAD_TOO_LARGE;
            case 415 -> ProblemType.UNSUPPORTED_MEDIA_TYPE;
            case 503 -> ProblemType.SERVICE_UNAVAILABLE;
            default -> statusCode.is4xxClientError() ? ProblemType.MALFORMED_REQUEST : ProblemType.INTERNAL_ERROR;
        };
        String detail = switch (type) {
            case NOT_FOUND -> "No resource at this path.";
            case UNSUPPORTED_MEDIA_TYPE -> unsupportedMediaDetail(ex);
            case INTERNAL_ERROR -> "An unexpected error occurred.";
            default -> body instanceof ProblemDetail problem && problem.getDetail() != null
                    ? problem.getDetail() : type.title() + ".";
        };
        if (type == ProblemType.INTERNAL_ERROR) {
            log.error("Unexpected error on {}", uri(request), ex);
        }
        ProblemDetail problem = Problems.of(type, detail, uri(request));
        HttpHeaders kept = new HttpHeaders();
        // Keep only what tells the client how to recover (Allow, Accept), never internals.
        if (headers.getAllow() != null && !headers.getAllow().isEmpty()) {
            kept.setAllow(headers.getAllow());
        }
        if (!headers.getAccept().isEmpty()) {
            kept.setAccept(headers.getAccept());
        }
        return ResponseEntity.status(type.status()).headers(kept).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem);
    }

    /**
     * Whether a failure is the database going away rather than a bug: a connection-level SQL state
     * (class 08), an operator intervention such as a shutdown (57P), or insufficient resources (53),
     * anywhere in the cause chain. Such failures roll back, so the client may safely retry.
     */
    static boolean databaseUnavailable(Throwable ex) {
        for (Throwable cause = ex; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLTransientConnectionException || cause instanceof SQLRecoverableException) {
                return true;
            }
            if (cause instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P") || state.startsWith("53")) {
                    return true;
                }
            }
        }
        return false;
    }

    /** A failure of the persistence layer that does not say why (a lost connection often does not). */
    private static boolean persistenceFailure(Throwable ex) {
        return ex instanceof DataAccessException || ex instanceof TransactionException;
    }

    /** Asks the pool for a working connection; only on the error path, so its cost does not matter. */
    private boolean databaseReachable() {
        try (Connection connection = dataSource.getConnection()) {
            return connection.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static String unsupportedMediaDetail(Exception ex) {
        if (ex instanceof HttpMediaTypeNotSupportedException unsupported && unsupported.getContentType() != null) {
            return "Content-Type " + unsupported.getContentType() + " is not supported; send application/json.";
        }
        return "Send the request body as application/json.";
    }

    private static ProblemDetail validation(HttpServletRequest request, List<FieldError> errors) {
        return validation(request.getRequestURI(), errors);
    }

    private static ProblemDetail validation(String uri, List<FieldError> errors) {
        String detail = errors.stream().map(e -> e.field() + ": " + e.message()).collect(Collectors.joining("; "));
        return Problems.of(ProblemType.VALIDATION, detail, uri, errors);
    }

    private static ResponseEntity<Object> respond(ProblemDetail problem) {
        return ResponseEntity.status(problem.getStatus()).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    private static String uri(WebRequest request) {
        return request instanceof ServletWebRequest servlet ? servlet.getRequest().getRequestURI() : null;
    }

    /** {@code domains[1]}, {@code target.namespace}; {@code (body)} for the document itself. */
    static String path(JacksonException ex) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : ex.getPath()) {
            if (ref.getPropertyName() != null) {
                if (!path.isEmpty()) {
                    path.append('.');
                }
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.isEmpty() ? "(body)" : path.toString();
    }

    private static String describe(JacksonException ex) {
        if (ex instanceof UnrecognizedPropertyException) {
            return "is not a known field";
        }
        if (ex instanceof InvalidFormatException invalid && invalid.getTargetType() != null
                && invalid.getTargetType().isEnum() && WireEnum.class.isAssignableFrom(invalid.getTargetType())) {
            return "must be one of " + WireEnum.allowed(invalid.getTargetType());
        }
        if (ex instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            Class<?> target = mismatch.getTargetType();
            if (target.isEnum() && WireEnum.class.isAssignableFrom(target)) {
                return "must be one of " + WireEnum.allowed(target);
            }
            if (target == String.class) {
                return "must be a string";
            }
            if (List.class.isAssignableFrom(target) || target.isArray()) {
                return "must be an array";
            }
            if (Map.class.isAssignableFrom(target) || target.isRecord()) {
                return "must be an object";
            }
        }
        return "has an invalid value";
    }
}
