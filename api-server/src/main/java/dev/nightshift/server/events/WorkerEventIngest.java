package dev.nightshift.server.events;

import dev.nightshift.server.investigation.IllegalTransitionException;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.InvestigationStatus;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Stores one worker event from the topic and lets it drive the state machine, in one transaction:
 * {@code STARTED} is {@code RUNNING}, {@code CONCLUDED} {@code SUCCEEDED}, {@code ESCALATED} and
 * {@code FAILED} themselves. A redelivered event is stored once and changes nothing; an event the
 * lifecycle no longer allows (it arrived after the end) is still stored and positioned.
 */
@Component
public class WorkerEventIngest {

    private static final Logger log = LoggerFactory.getLogger(WorkerEventIngest.class);
    static final String ACTOR = "worker";

    /** What each outcome event means for the investigation, and which payload field says why. */
    private static final Map<String, Map.Entry<InvestigationStatus, String>> OUTCOMES = Map.of(
            "STARTED", Map.entry(InvestigationStatus.RUNNING, ""),
            "CONCLUDED", Map.entry(InvestigationStatus.SUCCEEDED, "rootCause"),
            "ESCALATED", Map.entry(InvestigationStatus.ESCALATED, "reason"),
            "FAILED", Map.entry(InvestigationStatus.FAILED, "reason"));

    private final EventStore store;
    private final InvestigationService investigations;
    private final JsonMapper json;
    private final TransactionTemplate transactions;

    WorkerEventIngest(EventStore store, InvestigationService investigations, JsonMapper json,
            PlatformTransactionManager transactionManager) {
        this.store = store;
        this.investigations = investigations;
        this.json = json;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /** A record read as an event of the contract. */
    private record Parsed(UUID eventId, UUID investigationId, int attempt, long seq, String type, Instant time,
            String traceparent, JsonNode payload, int version) {}

    /**
     * @return the stored event, or empty when it had been stored before
     * @throws PoisonEventException when the record is not an event of the contract or names no
     *     known investigation
     */
    public Optional<StoredEvent> ingest(String record) {
        Parsed event = parse(record);
        return transactions.execute(status -> store(event));
    }

    /**
     * Stores records in order in one transaction (one commit for many events). At the first record
     * that can never be stored, it commits those before it and throws for that one.
     *
     * @throws PoisonRecordException naming the index of the poison record
     */
    public void ingest(List<String> records) {
        PoisonRecordException[] poison = new PoisonRecordException[1];
        transactions.executeWithoutResult(status -> {
            for (int i = 0; i < records.size(); i++) {
                try {
                    store(parse(records.get(i)));
                } catch (PoisonEventException e) {
                    poison[0] = new PoisonRecordException(i, e);
                    return; // keep what came before it
                }
            }
        });
        if (poison[0] != null) {
            throw poison[0];
        }
    }

    /** The record at {@link #index()} of a batch can never be stored; those before it were. */
    public static final class PoisonRecordException extends RuntimeException {
        private final int index;

        PoisonRecordException(int index, PoisonEventException cause) {
            super(cause.getMessage(), cause);
            this.index = index;
        }

        public int index() {
            return index;
        }
    }

    private Optional<StoredEvent> store(Parsed event) {
        try (var ignored = MDC.putCloseable("investigationId", event.investigationId().toString())) {
            Optional<StoredEvent> stored = store.append(event.eventId(), event.investigationId(), event.attempt(),
                    event.seq(), event.type(), event.time(), event.traceparent(), event.payload(), event.version());
            stored.ifPresent(this::drive);
            return stored;
        }
    }

    private Parsed parse(String record) {
        JsonNode envelope;
        try {
            envelope = json.readTree(record);
        } catch (JacksonException e) {
            throw new PoisonEventException("not JSON: " + e.getOriginalMessage());
        }
        if (envelope == null || !envelope.isObject()) {
            throw new PoisonEventException("not a JSON object");
        }
        JsonNode payload = envelope.get("payload");
        Parsed parsed = new Parsed(uuid(envelope, "eventId"), uuid(envelope, "investigationId"),
                integer(envelope, "attempt", 1), integer(envelope, "seq", 0), text(envelope, "type"),
                instant(envelope, "time"),
                envelope.path("traceparent").isString() ? envelope.path("traceparent").asString() : null,
                payload, integer(envelope, "version", 1));
        if (payload == null || !payload.isObject()) {
            throw new PoisonEventException("payload must be an object");
        }
        return parsed;
    }

    private void drive(StoredEvent event) {
        var outcome = OUTCOMES.get(event.type());
        if (outcome == null) {
            return;
        }
        String reason = outcome.getValue().isEmpty() ? "worker attempt " + event.attempt() + " started"
                : event.payload().path(outcome.getValue()).asString(event.type());
        try {
            investigations.report(event.investigationId(), outcome.getKey(), ACTOR, reason);
        } catch (IllegalTransitionException e) {
            log.warn("Event {} at position {} kept, but the lifecycle does not allow it: {}", event.type(),
                    event.position(), e.getMessage());
        }
    }

    private static UUID uuid(JsonNode envelope, String field) {
        try {
            return UUID.fromString(text(envelope, field));
        } catch (IllegalArgumentException e) {
            throw new PoisonEventException(field + " must be a UUID");
        }
    }

    private static String text(JsonNode envelope, String field) {
        JsonNode value = envelope.get(field);
        if (value == null || !value.isString() || value.asString().isBlank()) {
            throw new PoisonEventException(field + " must be a non-empty string");
        }
        return value.asString();
    }

    private static int integer(JsonNode envelope, String field, int min) {
        JsonNode value = envelope.get(field);
        if (value == null || !value.isIntegralNumber() || value.asLong() < min || value.asLong() > Integer.MAX_VALUE) {
            throw new PoisonEventException(field + " must be an integer of at least " + min);
        }
        return value.asInt();
    }

    private static Instant instant(JsonNode envelope, String field) {
        try {
            return Instant.parse(text(envelope, field));
        } catch (DateTimeParseException e) {
            throw new PoisonEventException(field + " must be an RFC 3339 UTC timestamp");
        }
    }
}
