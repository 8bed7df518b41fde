package dev.nightshift.server.events;

import dev.nightshift.contract.EventEnvelope;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The event pipe's figures on the embedded default (real Kafka, real PostgreSQL): Kafka → history
 * ingest rate next to a raw JDBC batch insert of the same rows, and publish → SSE client latency
 * next to raw Kafka produce → consume, with 1 and with 500 clients. Prints, asserts nothing about
 * time. Run with {@code ./mvnw -pl api-server -am verify -Pbenchmark -Dit.test=EventPipelineBenchmark}.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class EventPipelineBenchmark {

    private static final int INGEST_EVENTS = Integer.getInteger("benchmark.events", 20_000);
    private static final int INVESTIGATIONS = 100;
    private static final int LATENCY_EVENTS = 200;
    private static final String TOKEN = "benchmark";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dir = Files.createTempDirectory("nightshift-event-bench-");
        registry.add("nightshift.data-dir", dir::toString);
        registry.add("nightshift.security.admin-token", () -> TOKEN);
        registry.add("nightshift.dispatcher.enabled", () -> "false");
    }

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private DataSource dataSource;

    @LocalServerPort
    private int port;

    @Value("${spring.kafka.bootstrap-servers}")
    private String kafka;

    @Test
    void printPipelineFigures() throws Exception {
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < INVESTIGATIONS + 2; i++) {
            ids.add(create());
        }
        try (KafkaProducer<String, String> producer = producer()) {
            ingest(producer, ids.subList(0, INVESTIGATIONS));
            rawInsert(ids.subList(0, INVESTIGATIONS));
            rawKafkaLatency(producer);
            sseLatency(producer, ids.get(INVESTIGATIONS), 1);
            sseLatency(producer, ids.get(INVESTIGATIONS + 1), 500);
        }
        System.out.println();
    }

    private void ingest(KafkaProducer<String, String> producer, List<UUID> ids) throws Exception {
        long before = storedEvents();
        long start = System.nanoTime();
        for (int i = 0; i < INGEST_EVENTS; i++) {
            UUID id = ids.get(i % ids.size());
            producer.send(new ProducerRecord<>(EventEnvelope.TOPIC, id.toString(), new EventEnvelope(UUID.randomUUID(),
                    id, 1, i, "TOOL_CALLED", Instant.now(), null, Map.of("tool", "prometheus")).toJson()));
        }
        producer.flush();
        while (storedEvents() < before + INGEST_EVENTS) {
            Thread.sleep(50);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%nKafka -> history ingest: %,d events in %.2f s = %,.0f events/s%n", INGEST_EVENTS, seconds,
                INGEST_EVENTS / seconds);
    }

    private void rawInsert(List<UUID> ids) {
        long start = System.nanoTime();
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < INGEST_EVENTS; i++) {
            rows.add(new Object[] {ids.get(i % ids.size()), 1_000_000L + i, UUID.randomUUID(), 1, (long) i, "TOOL_CALLED",
                    Timestamp.from(Instant.now()), "{\"tool\":\"prometheus\"}", 1, Timestamp.from(Instant.now())});
        }
        new JdbcTemplate(dataSource).batchUpdate("""
                INSERT INTO investigation_events (investigation_id, position, event_id, attempt, seq, type, occurred_at,
                    payload, version, stored_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?)""", rows);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("raw JDBC batch insert:   %,d rows   in %.2f s = %,.0f rows/s%n", INGEST_EVENTS, seconds,
                INGEST_EVENTS / seconds);
    }

    private void rawKafkaLatency(KafkaProducer<String, String> producer) throws Exception {
        // A fresh topic read from its start: no record can be skipped, whenever the consumer joins.
        String topic = "benchmark-latency-" + UUID.randomUUID();
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, "benchmark-" + UUID.randomUUID());
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        long[] latencies = new long[LATENCY_EVENTS];
        try (var consumer = new KafkaConsumer<>(config, new StringDeserializer(), new StringDeserializer())) {
            producer.send(new ProducerRecord<>(topic, "warm-up")).get();
            consumer.subscribe(List.of(topic));
            boolean warm = false;
            while (!warm) {
                for (var record : consumer.poll(Duration.ofMillis(100))) {
                    warm |= record.value().equals("warm-up");
                }
            }
            for (int i = 0; i < LATENCY_EVENTS; i++) {
                long sent = System.nanoTime();
                producer.send(new ProducerRecord<>(topic, Long.toString(sent)));
                boolean received = false;
                while (!received && System.nanoTime() - sent < TimeUnit.SECONDS.toNanos(30)) {
                    for (var record : consumer.poll(Duration.ofMillis(5))) {
                        if (record.value().equals(Long.toString(sent))) {
                            received = true;
                        }
                    }
                }
                latencies[i] = System.nanoTime() - sent;
            }
        }
        print("raw Kafka produce -> consume", latencies);
    }

    /** Clients follow one investigation; each event's latency is publish → the last client's receipt. */
    private void sseLatency(KafkaProducer<String, String> producer, UUID id, int clients) throws Exception {
        Map<Long, CountDownLatch> received = new ConcurrentHashMap<>();
        CountDownLatch connected = new CountDownLatch(clients);
        HttpClient http = HttpClient.newBuilder().executor(Executors.newVirtualThreadPerTaskExecutor()).build();
        long base = storedEventsOf(id);
        for (int i = 0; i < LATENCY_EVENTS; i++) {
            received.put(base + i + 1, new CountDownLatch(clients));
        }
        List<Thread> readers = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            readers.add(Thread.ofVirtual().start(() -> {
                try {
                    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                                    + "/api/v1/investigations/" + id + "/events"))
                            .header("Accept", "text/event-stream").header("Authorization", "Bearer " + TOKEN)
                            .header("Last-Event-ID", Long.toString(base)).build();
                    HttpResponse<Stream<String>> response = http.send(request,
                            HttpResponse.BodyHandlers.ofLines());
                    connected.countDown();
                    response.body().forEach(line -> {
                        if (line.startsWith("id:")) {
                            CountDownLatch latch = received.get(Long.parseLong(line.substring(3)));
                            if (latch != null) {
                                latch.countDown();
                            }
                        }
                    });
                } catch (IOException | InterruptedException | UncheckedIOException e) {
                    connected.countDown(); // connection failed, or the benchmark is over
                }
            }));
        }
        connected.await(60, TimeUnit.SECONDS);
        Thread.sleep(500);
        long[] latencies = new long[LATENCY_EVENTS];
        for (int i = 0; i < LATENCY_EVENTS; i++) {
            long position = base + i + 1;
            long sent = System.nanoTime();
            producer.send(new ProducerRecord<>(EventEnvelope.TOPIC, id.toString(), new EventEnvelope(UUID.randomUUID(),
                    id, 1, i, "TOOL_CALLED", Instant.now(), null, Map.of("tool", "logs")).toJson()));
            received.get(position).await(30, TimeUnit.SECONDS);
            latencies[i] = System.nanoTime() - sent;
        }
        readers.forEach(Thread::interrupt);
        http.shutdownNow();
        print("publish -> SSE, " + clients + " client" + (clients == 1 ? "" : "s"), latencies);
    }

    private static void print(String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.printf("%-36s p50 %7.2f ms   p99 %7.2f ms   max %7.2f ms%n", what, sorted[sorted.length / 2] / 1e6,
                sorted[(int) Math.ceil(sorted.length * 0.99) - 1] / 1e6, sorted[sorted.length - 1] / 1e6);
    }

    private UUID create() throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/investigations"))
                .header("Authorization", "Bearer " + TOKEN).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"title\":\"t\",\"problem\":\"p\",\"domains\":[\"network\"],\"severity\":\"info\"}"))
                .build();
        String body = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString()).body();
        return UUID.fromString(body.substring(body.indexOf("\"id\":\"") + 6, body.indexOf("\"id\":\"") + 42));
    }

    private KafkaProducer<String, String> producer() {
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        return new KafkaProducer<>(config, new StringSerializer(), new StringSerializer());
    }

    private long storedEvents() {
        return jdbc.sql("SELECT count(*) FROM investigation_events").query(Long.class).single();
    }

    private long storedEventsOf(UUID id) {
        return jdbc.sql("SELECT coalesce(max(position), 0) FROM investigation_events WHERE investigation_id = ?")
                .param(id).query(Long.class).single();
    }
}
