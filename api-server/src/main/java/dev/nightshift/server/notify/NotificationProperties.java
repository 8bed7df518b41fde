package dev.nightshift.server.notify;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Webhooks told about what needs a human: approvals requested, escalations, demotions, failed
 * investigations.
 *
 * @param webhooks where to send; none by default
 * @param maxAttempts attempts per delivery before it is given up as failed; default 8
 * @param initialBackoff the wait after the first failure, doubled after each; default 2 seconds
 * @param maxBackoff the longest wait between attempts; default 5 minutes
 * @param pollInterval how often due deliveries are sent; default 1 second
 * @param timeout per attempt; default 5 seconds
 */
@ConfigurationProperties("nightshift.notifications")
public record NotificationProperties(List<Webhook> webhooks, @DefaultValue("8") int maxAttempts,
        @DefaultValue("2s") Duration initialBackoff, @DefaultValue("5m") Duration maxBackoff,
        @DefaultValue("1s") Duration pollInterval, @DefaultValue("5s") Duration timeout) {

    public NotificationProperties {
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
        for (Webhook webhook : webhooks) {
            if (webhook.name() == null || webhook.name().isBlank() || webhook.url() == null) {
                throw new IllegalStateException("every nightshift.notifications.webhooks entry needs a name and a url");
            }
        }
        if (webhooks.stream().map(Webhook::name).distinct().count() != webhooks.size()) {
            throw new IllegalStateException("nightshift.notifications.webhooks names must be unique");
        }
    }

    /** What is announced. */
    public enum Event { APPROVAL_REQUESTED, ESCALATION, DEMOTION, INVESTIGATION_FAILED, CREDENTIAL_ALERT }

    /** The body's shape: Nightshift's own JSON, or a Slack incoming-webhook message. */
    public enum Format { GENERIC, SLACK }

    /**
     * @param events the events it wants; empty (default) for all
     */
    public record Webhook(String name, URI url, @DefaultValue("GENERIC") Format format, Set<Event> events) {

        public Webhook {
            events = events == null ? Set.of() : Set.copyOf(events);
        }

        boolean wants(Event event) {
            return events.isEmpty() || events.contains(event);
        }
    }

    public Webhook webhook(String name) {
        return webhooks.stream().filter(w -> w.name().equals(name)).findFirst().orElse(null);
    }
}
