package dev.nightshift.server.events;

import dev.nightshift.contract.EventEnvelope;
import dev.nightshift.server.system.MetricNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.annotation.KafkaListener;
import org.springframework.kafka.config.TopicBuilder;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.util.backoff.ExponentialBackOff;

/**
 * Worker events from Kafka, when a broker is configured ({@code spring.kafka.bootstrap-servers}).
 * Records arrive in batches, each stored in one database transaction, with one consumer per
 * partition; offsets are committed after the transaction: a crash redelivers, and the event ID
 * makes that harmless. A record that can never be stored goes to
 * {@value #DEAD_LETTER_TOPIC} at once, so it never blocks its partition; anything else (the
 * database is down) is retried with back-off, losing nothing.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty("spring.kafka.bootstrap-servers")
class KafkaEventConfiguration {

    private static final Logger log = LoggerFactory.getLogger(KafkaEventConfiguration.class);
    static final String TOPIC = EventEnvelope.TOPIC;
    static final String DEAD_LETTER_TOPIC = TOPIC + ".DLT";

    @Bean
    DefaultErrorHandler eventErrorHandler(KafkaTemplate<Object, Object> template, MeterRegistry meters) {
        Counter deadLettered = Counter.builder(MetricNames.EVENTS_DEAD_LETTERED)
                .description("Event records sent to the dead-letter topic").register(meters);
        DeadLetterPublishingRecoverer recoverer = new DeadLetterPublishingRecoverer(template, (record, error) -> {
            deadLettered.increment();
            log.warn("Event record at {}-{}@{} sent to {}: {}", record.topic(), record.partition(), record.offset(),
                    DEAD_LETTER_TOPIC, rootMessage(error));
            return new TopicPartition(DEAD_LETTER_TOPIC, record.partition());
        });
        ExponentialBackOff backOff = new ExponentialBackOff(500, 2);
        backOff.setMaxInterval(30_000);
        DefaultErrorHandler handler = new DefaultErrorHandler(recoverer, backOff);
        handler.addNotRetryableExceptions(PoisonEventException.class);
        return handler;
    }

    /** Created at start when missing; as many dead-letter partitions as event partitions. */
    @Bean
    NewTopic investigationEventsTopic() {
        return TopicBuilder.name(TOPIC).partitions(3).build();
    }

    @Bean
    NewTopic deadLetterTopic() {
        return TopicBuilder.name(DEAD_LETTER_TOPIC).partitions(3).build();
    }

    private static String rootMessage(Throwable error) {
        Throwable cause = error;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }

    @Bean
    WorkerEventListener workerEventListener(WorkerEventIngest ingest) {
        return new WorkerEventListener(ingest);
    }

    /**
     * A batch of records, one transaction; the container commits the offsets after it returns. A
     * poison record is named by index, so the records before it stay committed, it goes to the
     * dead-letter topic, and the records after it are delivered again.
     */
    static final class WorkerEventListener {
        private final WorkerEventIngest ingest;

        WorkerEventListener(WorkerEventIngest ingest) {
            this.ingest = ingest;
        }

        @KafkaListener(id = "nightshift-worker-events", topics = TOPIC, groupId = "nightshift-api-server",
                batch = "true", concurrency = "${nightshift.events.consumers:3}")
        void onRecords(List<ConsumerRecord<String, String>> records) {
            try {
                ingest.ingest(records.stream().map(ConsumerRecord::value).toList());
            } catch (WorkerEventIngest.PoisonRecordException e) {
                throw new BatchListenerFailedException(e.getMessage(), e.getCause(), e.index());
            }
        }
    }
}
