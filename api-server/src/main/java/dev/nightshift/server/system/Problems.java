package dev.nightshift.server.system;

import java.net.URI;
import java.util.List;
import org.springframework.http.ProblemDetail;

/** Builds problem documents; the one place that decides their shape. */
public final class Problems {

    private Problems() {}

    public static ProblemDetail of(ProblemType type, String detail, String instance) {
        return of(type, detail, instance, List.of());
    }

    public static ProblemDetail of(ProblemType type, String detail, String instance, List<FieldError> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(type.status(), detail);
        problem.setType(type.type());
        problem.setTitle(type.title());
        if (instance != null) {
            problem.setInstance(URI.create(instance));
        }
        if (!errors.isEmpty()) {
            problem.setProperty("errors", errors);
        }
        return problem;
    }
}
