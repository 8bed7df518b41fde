package dev.nightshift.server.notify;

import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.QueryParameters;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code GET /api/v1/notifications}: what was sent to the webhooks, or is still being tried, newest first. */
@RestController
class NotificationController {

    static final Set<String> STATUSES = Set.of("PENDING", "DELIVERED", "FAILED");

    /** {@code NotificationDelivery}; the payload is not shown (a webhook's URL may be a secret, its body is not). */
    record Delivery(long id, String webhook, String event, UUID investigationId, String status, int attempts,
            String lastError, Instant createdAt, Instant nextAttemptAt, Instant deliveredAt) {}

    private final JdbcClient jdbc;

    NotificationController(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @GetMapping(path = "/api/v1/notifications", produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, List<Delivery>> deliveries(@RequestParam(required = false) String status,
            @RequestParam(required = false) String limit) {
        if (status != null && !STATUSES.contains(status)) {
            throw ApiException.invalid("status", "must be one of " + STATUSES.stream().sorted().toList());
        }
        int size = (int) QueryParameters.integer("limit", limit, 1, 500, 100);
        return Map.of("items", jdbc.sql("""
                        SELECT id, webhook, event, investigation_id, status, attempts, last_error, created_at,
                               next_attempt_at, delivered_at
                        FROM notification_deliveries WHERE ?::varchar IS NULL OR status = ?::varchar
                        ORDER BY id DESC LIMIT ?""")
                .params(status, status, size)
                .query((rs, i) -> new Delivery(rs.getLong(1), rs.getString(2), rs.getString(3),
                        rs.getObject(4, UUID.class), rs.getString(5), rs.getInt(6), rs.getString(7),
                        instant(rs.getTimestamp(8)), "PENDING".equals(rs.getString(5)) ? instant(rs.getTimestamp(9)) : null,
                        instant(rs.getTimestamp(10))))
                .list());
    }

    private static Instant instant(Timestamp timestamp) {
        return timestamp == null ? null : timestamp.toInstant();
    }
}
