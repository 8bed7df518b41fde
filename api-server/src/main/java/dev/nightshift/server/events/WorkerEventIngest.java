package dev.nightshift.server.events;

import dev.nightshift.server.audit.AuditLog;
import dev.nightshift.server.cost.CostLedgers;
import dev.nightshift.server.events.EventStore.NewEvent;
import dev.nightshift.server.investigation.IllegalTransitionException;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.metrics.InvestigationMetrics;
import java.math.BigDecimal;
import org.springframework.jdbc.core.simple.JdbcClient;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
 * Stores worker events from the topic and lets them drive the state machine, in one transaction:
 * {@code STARTED} is {@code RUNNING}, {@code CONCLUDED} {@code SUCCEEDED}, {@code ESCALATED} and
 * {@code FAILED} themselves. A redelivered event is stored once and changes nothing; an event the
 * lifecycle no longer allows (it arrived after the end) is still stored and positioned.
 * {@code LLM_CALLED} events and the cycles of the final event go into the cost ledger.
 */
@Component
public class WorkerEventIngest {

    private static final Logger log = LoggerFactory.getLogger(WorkerEventIngest.class);
    static final String ACTOR = "worker";
    static final String LLM_CALLED = "LLM_CALLED";

    /** What each outcome event means for the investigation, and which payload field says why. */
    private static final Map<String, Map.Entry<InvestigationStatus, String>> OUTCOMES = Map.of(
            "STARTED", Map.entry(InvestigationStatus.RUNNING, ""),
            "CONCLUDED", Map.entry(InvestigationStatus.SUCCEEDED, "rootCause"),
            "ESCALATED", Map.entry(InvestigationStatus.ESCALATED, "reason"),
            "FAILED", Map.entry(InvestigationStatus.FAILED, "reason"));

    private final EventStore store;
    private final InvestigationService investigations;
    private final CostLedgers costs;
    private final AuditLog audit;
    private final JsonMapper json;
    private final TransactionTemplate transactions;

    private final InvestigationMetrics metrics;
    private final JdbcClient jdbc;

    WorkerEventIngest(EventStore store, InvestigationService investigations, CostLedgers costs, AuditLog audit,
            JsonMapper json, PlatformTransactionManager transactionManager, InvestigationMetrics metrics,
            JdbcClient jdbc) {
        this.store = store;
        this.metrics = metrics;
        this.jdbc = jdbc;
        this.audit = audit;
        this.investigations = investigations;
        this.costs = costs;
        this.json = json;
        this.transactions = new TransactionTemplate(transactionManager);
    }

    /**
     * Stores records in order in one transaction (one commit for many events). At the first record
     * that can never be stored, it commits those before it and throws for that one.
     *
     * @throws PoisonRecordException naming the index of the poison record
     */
    public void ingest(List<String> records) {
        List<NewEvent> events = new ArrayList<>(records.size());
        PoisonRecordException poison = null;
        for (int i = 0; i < records.size() && poison == null; i++) {
            try {
                events.add(parse(records.get(i)));
            } catch (PoisonEventException e) {
                poison = new PoisonRecordException(i, e);
            }
        }
        PoisonRecordException unknown = transactions.execute(status -> {
            if (events.stream().anyMatch(event -> OUTCOMES.containsKey(event.type()))) {
                audit.lock(); // its transitions are audited: the audit lock before the history's row locks
            }
            return store(events);
        });
        if (unknown != null) {
            throw unknown;
        }
        if (poison != null) {
            throw poison;
        }
    }

    /**
     * Appends the events in runs that each end with an event that moves the state machine, so that
     * its {@code STATE_CHANGED} follows it in the history.
     *
     * @return the first event that names no investigation (those before it are stored), or null
     */
    private PoisonRecordException store(List<NewEvent> events) {
        int from = 0;
        for (int i = 0; i < events.size(); i++) {
            if (i == events.size() - 1 || OUTCOMES.containsKey(events.get(i).type())) {
                List<NewEvent> run = events.subList(from, i + 1);
                try {
                    store.append(run).forEach(this::drive);
                } catch (EventStore.UnknownInvestigationException e) {
                    int index = from + run.stream().map(NewEvent::investigationId).toList().indexOf(e.investigationId());
                    store.append(events.subList(from, index)).forEach(this::drive);
                    return new PoisonRecordException(index, e);
                }
                from = i + 1;
            }
        }
        return null;
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

    private NewEvent parse(String record) {
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
        NewEvent parsed = new NewEvent(uuid(envelope, "eventId"), uuid(envelope, "investigationId"),
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
        metrics.workerEvent(event, () -> jdbc.sql("SELECT tier FROM investigations WHERE id = ?")
                .param(event.investigationId()).query(String.class).optional().orElse("unknown"));
        if (LLM_CALLED.equals(event.type())) {
            JsonNode payload = event.payload();
            costs.recordLlmCall(event.investigationId(), payload.path("inputTokens").asLong(0),
                    payload.path("outputTokens").asLong(0), payload.path("costUsd").isNumber()
                            ? payload.path("costUsd").decimalValue() : BigDecimal.ZERO);
            return;
        }
        var outcome = OUTCOMES.get(event.type());
        if (outcome == null) {
            return;
        }
        if (event.payload().path("cycles").isIntegralNumber()) {
            costs.recordCycles(event.investigationId(), event.payload().path("cycles").asInt());
        }
        try (var ignored = MDC.putCloseable("investigationId", event.investigationId().toString())) {
            report(event, outcome.getKey(), outcome.getValue());
        }
    }

    private void report(StoredEvent event, InvestigationStatus status, String reasonField) {
        String reason = reasonField.isEmpty() ? "worker attempt " + event.attempt() + " started"
                : event.payload().path(reasonField).asString(event.type());
        try {
            investigations.report(event.investigationId(), status, ACTOR, reason);
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
