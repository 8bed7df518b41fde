package dev.nightshift.server.audit;

import dev.nightshift.server.system.QueryParameters;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/audit} (one timeline, optionally of one investigation) and {@code GET /api/v1/audit/verify}. */
@RestController
class AuditController {

    static final int MAX_LIMIT = 1000;

    /** {@code AuditPage}: entries oldest first; {@code next} is the {@code after} of the next page. */
    record Page(List<AuditLog.Entry> items, Long next) {}

    private final AuditLog audit;

    AuditController(AuditLog audit) {
        this.audit = audit;
    }

    @GetMapping(path = "/api/v1/audit", produces = MediaType.APPLICATION_JSON_VALUE)
    Page entries(@RequestParam(required = false) UUID investigationId, @RequestParam(required = false) String after,
            @RequestParam(required = false) String limit) {
        long from = QueryParameters.integer("after", after, 0, Long.MAX_VALUE, 0);
        int size = (int) QueryParameters.integer("limit", limit, 1, MAX_LIMIT, 100);
        List<AuditLog.Entry> items = audit.entries(investigationId, from, size + 1);
        if (items.size() > size) {
            return new Page(items.subList(0, size), items.get(size - 1).seq());
        }
        return new Page(items, null);
    }

    @GetMapping(path = "/api/v1/audit/verify", produces = MediaType.APPLICATION_JSON_VALUE)
    AuditLog.Verification verify() {
        return audit.verify();
    }
}
