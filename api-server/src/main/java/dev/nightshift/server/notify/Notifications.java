package dev.nightshift.server.notify;

import dev.nightshift.server.notify.NotificationProperties.Event;
import dev.nightshift.server.notify.NotificationProperties.Format;
import dev.nightshift.server.notify.NotificationProperties.Webhook;
import dev.nightshift.server.system.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import tools.jackson.databind.ObjectMapper;

/**
 * Tells the configured webhooks what needs a human. {@link #enqueue} writes a delivery per webhook
 * in the caller's transaction (so a notification exists exactly when what it announces does, and
 * the request never waits on a receiver); {@link #deliverDue} sends them, retrying with
 * exponential back-off, and records every attempt's outcome.
 */
@Service
public class Notifications {

    private static final Logger log = LoggerFactory.getLogger(Notifications.class);
    private static final int BATCH = 20;

    /** A delivery as the sender claims it. */
    record Delivery(long id, String webhook, String payload, int attempts) {}

    private final JdbcClient jdbc;
    private final NotificationProperties properties;
    private final ObjectMapper json;
    private final Clock clock;
    private final MeterRegistry meters;
    private final HttpClient http;

    Notifications(JdbcClient jdbc, NotificationProperties properties, ObjectMapper json, Clock clock,
            MeterRegistry meters) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.json = json;
        this.clock = clock;
        this.meters = meters;
        this.http = HttpClient.newBuilder().connectTimeout(properties.timeout()).build();
    }

    /**
     * Queues one notification for every webhook that wants {@code event}, within the caller's transaction.
     *
     * @param text one human sentence, what a chat message shows
     */
    public void enqueue(Event event, UUID investigationId, String text, Map<String, ?> details) {
        Instant now = clock.instant();
        for (Webhook webhook : properties.webhooks()) {
            if (!webhook.wants(event)) {
                continue;
            }
            Map<String, Object> payload = new LinkedHashMap<>();
            if (webhook.format() == Format.SLACK) {
                payload.put("text", ":rotating_light: *Nightshift* — " + text);
            } else {
                payload.put("event", event.name());
                payload.put("investigationId", investigationId == null ? null : investigationId.toString());
                payload.put("text", text);
                payload.put("details", details);
                payload.put("at", now.toString());
            }
            jdbc.sql("""
                            INSERT INTO notification_deliveries (webhook, event, investigation_id, payload, status,
                                created_at, next_attempt_at)
                            VALUES (?, ?, ?, ?::jsonb, 'PENDING', ?, ?)""")
                    .params(webhook.name(), event.name(), investigationId, json.writeValueAsString(payload),
                            Timestamp.from(now), Timestamp.from(now))
                    .update();
        }
    }

    /** Sends what is due. Each claimed delivery is leased, so replicas do not send it twice. */
    @Scheduled(fixedDelayString = "${nightshift.notifications.poll-interval:1s}")
    public void deliverDue() {
        if (properties.webhooks().isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<Delivery> due = jdbc.sql("""
                        UPDATE notification_deliveries SET next_attempt_at = ?
                        WHERE id IN (SELECT id FROM notification_deliveries
                                     WHERE status = 'PENDING' AND next_attempt_at <= ?
                                     ORDER BY next_attempt_at LIMIT ? FOR UPDATE SKIP LOCKED)
                        RETURNING id, webhook, payload::text, attempts""")
                .params(Timestamp.from(now.plus(properties.timeout().multipliedBy(3))), Timestamp.from(now), BATCH)
                .query((rs, i) -> new Delivery(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getInt(4)))
                .list();
        due.forEach(this::send);
    }

    private void send(Delivery delivery) {
        Webhook webhook = properties.webhook(delivery.webhook());
        String error;
        if (webhook == null) {
            error = "webhook " + delivery.webhook() + " is no longer configured";
        } else {
            try {
                HttpResponse<Void> response = http.send(HttpRequest.newBuilder(webhook.url())
                        .timeout(properties.timeout()).header("Content-Type", "application/json")
                        .header("User-Agent", "nightshift").POST(HttpRequest.BodyPublishers.ofString(delivery.payload()))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() >= 200 && response.statusCode() < 300) {
                    jdbc.sql("""
                                    UPDATE notification_deliveries SET status = 'DELIVERED', attempts = attempts + 1,
                                        delivered_at = ?, last_error = NULL WHERE id = ?""")
                            .params(Timestamp.from(clock.instant()), delivery.id()).update();
                    count(delivery.webhook(), "delivered");
                    return;
                }
                error = "answered " + response.statusCode();
            } catch (java.io.IOException e) {
                error = "unreachable: " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : ": " + e.getMessage());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return; // the lease runs out and another pass retries it
            }
        }
        int attempts = delivery.attempts() + 1;
        boolean giveUp = webhook == null || attempts >= properties.maxAttempts();
        Duration backoff = properties.initialBackoff().multipliedBy(1L << Math.min(attempts - 1, 20));
        if (backoff.compareTo(properties.maxBackoff()) > 0) {
            backoff = properties.maxBackoff();
        }
        jdbc.sql("""
                        UPDATE notification_deliveries SET status = ?, attempts = ?, last_error = ?, next_attempt_at = ?
                        WHERE id = ?""")
                .params(giveUp ? "FAILED" : "PENDING", attempts, error.length() > 1000 ? error.substring(0, 1000) : error,
                        Timestamp.from(clock.instant().plus(backoff)), delivery.id())
                .update();
        count(delivery.webhook(), giveUp ? "failed" : "retrying");
        if (giveUp) {
            log.warn("Notification {} to webhook {} given up after {} attempts: {}", delivery.id(), delivery.webhook(),
                    attempts, error);
        }
    }

    private void count(String webhook, String outcome) {
        meters.counter(MetricNames.NOTIFICATIONS, "webhook", webhook, "outcome", outcome).increment();
    }
}
