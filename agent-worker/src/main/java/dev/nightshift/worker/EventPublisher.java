package dev.nightshift.worker;

import dev.nightshift.contract.EventEnvelope;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes this run's events: idempotent, {@code acks=all}, keyed by investigation ID so they stay
 * in order. A transient broker error is retried with the same event ID (the server stores it once)
 * until the run's deadline. Without a broker it publishes nothing and says so; a broker that stays
 * down is reported and never fails the run, since the outcome line still reaches the server.
 */
final class EventPublisher implements AutoCloseable {

    private final KafkaProducer<String, String> producer;
    private final UUID investigationId;
    private final int attempt;
    private final Instant deadline;
    private final Redactor redactor;
    private long seq;

    private EventPublisher(KafkaProducer<String, String> producer, UUID investigationId, int attempt,
            Instant deadline, Redactor redactor) {
        this.producer = producer;
        this.redactor = redactor;
        this.investigationId = investigationId;
        this.attempt = attempt;
        this.deadline = deadline;
    }

    /** @param redactor applied to every string of every payload before it leaves the worker */
    static EventPublisher connect(String bootstrapServers, UUID investigationId, int attempt, Instant deadline,
            Redactor redactor) {
        if (bootstrapServers == null || bootstrapServers.isBlank()) {
            WorkerLog.info("no KAFKA_BOOTSTRAP_SERVERS, publishing no events");
            return new EventPublisher(null, investigationId, attempt, deadline, redactor);
        }
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "worker-" + investigationId + "-" + attempt);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 15_000);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 30_000);
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new EventPublisher(new KafkaProducer<>(config, new StringSerializer(), new StringSerializer()),
                investigationId, attempt, deadline, redactor);
    }

    /** The worker's trace context, or the one it was started with. */
    private static String traceparent() {
        String own = Tracing.current().traceparent();
        return own != null ? own : System.getenv("TRACEPARENT");
    }

    /** Publishes one event and waits until the broker has it; returns whether it did. */
    boolean publish(String type, Map<String, ?> payload) {
        if (producer == null) {
            return false;
        }
        EventEnvelope event = new EventEnvelope(UUID.randomUUID(), investigationId, attempt, seq++, type, Instant.now(),
                traceparent(), redactor.redactPayload(payload));
        String json = event.toJson();
        while (true) {
            try {
                producer.send(new ProducerRecord<>(EventEnvelope.TOPIC, investigationId.toString(), json))
                        .get(40, TimeUnit.SECONDS);
                return true;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
                boolean transientError = cause instanceof RetriableException || e instanceof TimeoutException
                        || cause instanceof org.apache.kafka.common.errors.TimeoutException;
                if (!transientError || Instant.now().plusSeconds(5).isAfter(deadline)) {
                    WorkerLog.error("could not publish " + type + ": " + cause);
                    return false;
                }
                WorkerLog.info("publishing " + type + " failed for now (" + cause.getMessage() + "), retrying");
            }
        }
    }

    @Override
    public void close() {
        if (producer != null) {
            producer.close(Duration.ofSeconds(10));
        }
    }
}
