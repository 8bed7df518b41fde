package dev.nightshift.server.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.system.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Worker events through a real Kafka broker (KRaft) into a real PostgreSQL, and out as history. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class WorkerEventIT {

    private static final String TOKEN = "worker-events-admin";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final EmbeddedKafkaKraftBroker KAFKA;
    private static final String BROKERS_PROPERTY = "nightshift.test.worker-event-it.brokers";

    static {
        KAFKA = new EmbeddedKafkaKraftBroker(1, 2, KafkaEventConfiguration.TOPIC, KafkaEventConfiguration.DEAD_LETTER_TOPIC);
        // By default it publishes its address as the system property spring.kafka.bootstrap-servers,
        // which would outlive it and point every later test context at a dead broker.
        KAFKA.brokerListProperty(BROKERS_PROPERTY);
        KAFKA.afterPropertiesSet();
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dataDir = Files.createTempDirectory("nightshift-events-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.security.admin-token", () -> TOKEN);
        registry.add("nightshift.dispatcher.enabled", () -> "false"); // the test plays the runtime
        registry.add("spring.kafka.bootstrap-servers", KAFKA::getBrokersAsString);
    }

    @AfterAll
    static void stopKafka() {
        KAFKA.destroy();
        System.clearProperty(BROKERS_PROPERTY);
    }

    @LocalServerPort
    private int port;

    @Autowired
    private InvestigationService investigations;

    @Autowired
    private MeterRegistry meters;

    private ApiClient api;
    private KafkaProducer<String, String> producer;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBrokersAsString());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        producer = new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private UUID running() {
        UUID id = UUID.fromString(api.post("/api/v1/investigations").bearer(TOKEN).json(Map.of("title", "t",
                "problem", "p", "domains", List.of("network"), "severity", "critical")).send().json().path("id")
                .asString());
        investigations.report(id, InvestigationStatus.LAUNCHING, "test-runtime", "claimed");
        investigations.report(id, InvestigationStatus.RUNNING, "test-runtime", "pod running");
        return id;
    }

    private static String event(UUID eventId, UUID investigation, int attempt, long seq, String type, Object payload) {
        return JSON.writeValueAsString(Map.of("eventId", eventId.toString(), "investigationId", investigation.toString(),
                "attempt", attempt, "seq", seq, "type", type, "time", Instant.now().toString(), "payload", payload,
                "version", 1));
    }

    private void publish(UUID key, String value) throws Exception {
        producer.send(new ProducerRecord<>(KafkaEventConfiguration.TOPIC, key.toString(), value)).get();
    }

    private List<String> history(UUID id) {
        JsonNode page = api.get("/api/v1/investigations/" + id + "/events?limit=1000").bearer(TOKEN)
                .header("Accept", "application/json").send().json();
        List<String> types = new ArrayList<>();
        page.path("items").forEach(e -> types.add(e.path("position").asLong() + ":" + e.path("type").asString()
                + (e.path("type").asString().equals("STATE_CHANGED") ? "->" + e.path("payload").path("to").asString() : "")));
        return types;
    }

    @Test
    void shouldStoreWorkerEventsInOrderAndConcludeTheInvestigation() throws Exception {
        UUID id = running();
        publish(id, event(UUID.randomUUID(), id, 1, 1, "STARTED", Map.of()));
        publish(id, event(UUID.randomUUID(), id, 1, 2, "HYPOTHESIS_PROPOSED",
                Map.of("id", "h1", "statement", "a firewall change drops database traffic", "domain", "network",
                        "confidence", 0.4)));
        publish(id, event(UUID.randomUUID(), id, 1, 3, "CONCLUDED",
                Map.of("rootCause", "firewall rule 42 blocks 5432", "confidence", 0.92)));

        await().atMost(Duration.ofSeconds(20)).until(() -> history(id).size() == 7);
        assertThat(history(id)).containsExactly("1:STATE_CHANGED->QUEUED", "2:STATE_CHANGED->LAUNCHING",
                "3:STATE_CHANGED->RUNNING", "4:STARTED", "5:HYPOTHESIS_PROPOSED", "6:CONCLUDED",
                "7:STATE_CHANGED->SUCCEEDED");
        var done = investigations.get(id);
        assertThat(done.summary().status()).isEqualTo(InvestigationStatus.SUCCEEDED);
        assertThat(done.transitions().getLast().reason()).isEqualTo("firewall rule 42 blocks 5432");
        assertThat(done.transitions().getLast().actor()).isEqualTo("worker");
    }

    @Test
    void shouldStoreRedeliveredEventsOnceAndInterleaveAttempts() throws Exception {
        UUID id = running();
        UUID proposed = UUID.randomUUID();
        String first = event(proposed, id, 1, 1, "HYPOTHESIS_PROPOSED", Map.of("id", "h1"));
        publish(id, first);
        publish(id, first); // a producer retry or a redelivery
        publish(id, event(UUID.randomUUID(), id, 2, 1, "HYPOTHESIS_PROPOSED", Map.of("id", "h1"))); // a retried pod
        publish(id, event(UUID.randomUUID(), id, 2, 2, "ESCALATED", Map.of("reason", "circuit breaker: 8 cycles")));

        await().atMost(Duration.ofSeconds(20)).until(() -> investigations.get(id).summary().status()
                == InvestigationStatus.ESCALATED);
        assertThat(history(id)).containsExactly("1:STATE_CHANGED->QUEUED", "2:STATE_CHANGED->LAUNCHING",
                "3:STATE_CHANGED->RUNNING", "4:HYPOTHESIS_PROPOSED", "5:HYPOTHESIS_PROPOSED", "6:ESCALATED",
                "7:STATE_CHANGED->ESCALATED");
    }

    @Test
    void shouldDeadLetterPoisonAndKeepTheLaterEventsFlowing() throws Exception {
        UUID id = running();
        double before = meters.counter(MetricNames.EVENTS_DEAD_LETTERED).count();
        publish(id, "this is not json");
        publish(id, JSON.writeValueAsString(Map.of("eventId", "nope", "type", "STARTED")));
        publish(UUID.randomUUID(), event(UUID.randomUUID(), UUID.randomUUID(), 1, 1, "STARTED", Map.of()));
        publish(id, event(UUID.randomUUID(), id, 1, 1, "FAILED", Map.of("reason", "Prometheus unreachable")));

        await().atMost(Duration.ofSeconds(20)).until(() -> investigations.get(id).summary().status()
                == InvestigationStatus.FAILED);
        assertThat(meters.counter(MetricNames.EVENTS_DEAD_LETTERED).count()).isEqualTo(before + 3);

        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.getBrokersAsString());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "dlt-reader-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(KafkaEventConfiguration.DEAD_LETTER_TOPIC));
            List<String> dead = new ArrayList<>();
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> dead.add(record.value()));
                return dead.contains("this is not json");
            });
            assertThat(dead).contains("this is not json");
        }
    }
}
