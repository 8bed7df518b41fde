package dev.nightshift.server.trust;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.system.ApiTokens;
import dev.nightshift.server.system.MetricNames;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * Gate evidence from a seeded history, per alert class, and the accuracy demotion, in an
 * environment configured at ASSIST with a database of its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrustIT {

    private static final String ADMIN = "trust-admin";
    private static final String VIEWER = "trust-viewer";

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dataDir = Files.createTempDirectory("nightshift-trust-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.security.admin-token", () -> ADMIN);
        registry.add("nightshift.events.embedded-kafka.enabled", () -> "false");
        registry.add("nightshift.dispatcher.enabled", () -> "false");
        registry.add("nightshift.trust.phase", () -> "ASSIST");
        registry.add("nightshift.trust.environment", () -> "staging");
        registry.add("nightshift.trust.gates.assist-samples", () -> "10");
        registry.add("nightshift.security.tokens[0].name", () -> "vera-viewer");
        registry.add("nightshift.security.tokens[0].hash", () -> ApiTokens.hash(VIEWER));
        registry.add("nightshift.security.tokens[0].roles", () -> "VIEWER");
    }

    @LocalServerPort
    private int port;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private MeterRegistry meters;

    private ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient(port);
    }

    /** An ended investigation as the server stores it: the agent's conclusion and the operator's latest verdict. */
    private UUID seed(String phase, String alertname, String domain, String agentCategory, String agentClass,
            String verdict, String operatorCategory, String operatorClass) {
        UUID id = UUID.randomUUID();
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.sql("""
                        INSERT INTO investigations (id, title, problem, severity, tier, trust_phase, status, source,
                            created_by, created_at, updated_at, version, last_event_position)
                        VALUES (?, 'seeded', 'seeded', 'WARNING', 'simple', ?, 'SUCCEEDED', 'ALERTMANAGER', 'seed', ?, ?, 0, 1)""")
                .params(id, phase, now, now).update();
        jdbc.sql("INSERT INTO investigation_domains (investigation_id, domain) VALUES (?, ?)").params(id, domain).update();
        jdbc.sql("INSERT INTO investigation_labels (investigation_id, label_key, label_value) VALUES (?, 'alertname', ?)")
                .params(id, alertname).update();
        jdbc.sql("""
                        INSERT INTO investigation_events (investigation_id, position, event_id, attempt, seq, type,
                            occurred_at, payload, version, stored_at)
                        VALUES (?, 1, ?, 1, 5, 'CONCLUDED', ?, ?::jsonb, 1, ?)""")
                .params(id, UUID.randomUUID(), now, "{\"rootCause\":\"x\",\"rootCauseCategory\":\"" + agentCategory
                        + "\",\"remediationClass\":\"" + agentClass + "\"}", now).update();
        jdbc.sql("""
                        INSERT INTO investigation_feedback (investigation_id, verdict, root_cause_category,
                            remediation_class, actor, recorded_at) VALUES (?, ?, ?, ?, 'seed', ?)""")
                .params(id, verdict, operatorCategory, operatorClass, now).update();
        return id;
    }

    private JsonNode criterion(JsonNode gate, String name) {
        return gate.path("criteria").valueStream().filter(c -> c.path("name").asString().equals(name)).findFirst()
                .orElseThrow();
    }

    @Test
    @Order(1)
    void shouldScoreTheNextGateAndEachAlertClassFromTheHistory() {
        // DNS alerts: 6 diagnoses, all accepted; disk alerts: 4, one rejected, one with another remediation class.
        for (int i = 0; i < 6; i++) {
            seed("ASSIST", "CoreDNSErrors", "NETWORK", "network/dns", "restart-dns", "ACCEPTED", null, null);
        }
        seed("ASSIST", "DiskFull", "STORAGE", "resource-exhaustion/disk", "expand-volume", "ACCEPTED", null, null);
        seed("ASSIST", "DiskFull", "STORAGE", "resource-exhaustion/disk", "expand-volume", "ACCEPTED", null, null);
        seed("ASSIST", "DiskFull", "STORAGE", "resource-exhaustion/disk", "expand-volume", "REJECTED", "storage/iops",
                null);
        seed("ASSIST", "DiskFull", "STORAGE", "resource-exhaustion/disk", "expand-volume", "MODIFIED", null,
                "free-space");
        seed("SHADOW", "Elsewhere", "DATABASE", "database/saturation", "tune", "ACCEPTED", null, null);

        ApiClient.Response response = api.get("/api/v1/trust").bearer(ADMIN).send();
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        JsonNode trust = response.json();
        assertThat(trust.path("environment").asString()).isEqualTo("staging");
        assertThat(trust.path("configured").asString()).isEqualTo("ASSIST");
        assertThat(trust.path("effective").asString()).isEqualTo("ASSIST");
        assertThat(trust.path("ceiling").isNull()).isTrue();
        assertThat(trust.path("taxonomy").path("categories").valueStream().map(JsonNode::asString).toList())
                .contains("network/dns", "resource-exhaustion/disk");
        JsonNode gate = trust.path("nextGate");
        assertThat(gate.path("to").asString()).isEqualTo("LIMITED_REMEDIATION");
        assertThat(gate.path("samples").asInt()).as("only this phase's investigations").isEqualTo(10);
        assertThat(criterion(gate, "samples").path("status").asString()).isEqualTo("met");
        assertThat(criterion(gate, "operator agreement").path("value").asDouble()).isEqualTo(0.9);
        assertThat(criterion(gate, "operator agreement").path("status").asString()).as("> 0.90").isEqualTo("unmet");
        assertThat(criterion(gate, "accepted with minimal edits").path("value").asDouble()).isEqualTo(0.8);
        assertThat(criterion(gate, "out-of-scope recommendations").path("value").asDouble())
                .as("no action was proposed out of scope").isZero();
        assertThat(criterion(gate, "out-of-scope recommendations").path("status").asString()).isEqualTo("met");
        assertThat(gate.path("ready").asBoolean()).isFalse();

        JsonNode classes = trust.path("byAlertClass");
        JsonNode dns = classes.valueStream().filter(c -> c.path("alertClass").asString().equals("CoreDNSErrors"))
                .findFirst().orElseThrow();
        assertThat(dns.path("samples").asInt()).isEqualTo(6);
        assertThat(dns.path("accuracy").asDouble()).isEqualTo(1.0);
        JsonNode disk = classes.valueStream().filter(c -> c.path("alertClass").asString().equals("DiskFull"))
                .findFirst().orElseThrow();
        assertThat(disk.path("accuracy").asDouble()).isEqualTo(0.75);
        assertThat(disk.path("minimalEdits").asDouble()).isEqualTo(0.5);

        ApiClient.Response markdown = api.get("/api/v1/trust/promotion-report").bearer(ADMIN)
                .header("Accept", "text/markdown").send();
        assertThat(markdown.status()).isEqualTo(200);
        assertThat(markdown.body()).contains("Promotion **assist → limited-remediation**")
                .contains("| operator agreement | > 0.900 | 0.900 | unmet |").contains("| CoreDNSErrors | 6 |");
        assertThat(api.get("/api/v1/trust/promotion-report").bearer(ADMIN).send().json().path("gate").path("ready")
                .asBoolean()).isFalse();
    }

    @Test
    @Order(2)
    void shouldDemoteAtOnceWhenAccuracyFallsAndHoldTheCeilingUntilTheConfigurationChanges() {
        double before = meters.counter(MetricNames.TRUST_DEMOTIONS).count();
        for (int i = 0; i < 20; i++) { // with the 10 above: 30 scored, accuracy 27/30... then these wrong ones
            seed("ASSIST", "PodCrashLooping", "KUBERNETES", "workload/crash-loop", "rollback", "REJECTED",
                    "resource-exhaustion/memory", "raise-memory-limit");
        }
        // The next verdict, through the API, is what the check runs after.
        String id = api.post("/api/v1/investigations").bearer(ADMIN).json(Map.of("title", "t", "problem", "p",
                "domains", List.of("kubernetes"), "severity", "critical")).send().json().path("id").asString();
        assertThat(api.get("/api/v1/investigations/" + id).bearer(ADMIN).send().json().path("trustPhase").asString())
                .isEqualTo("ASSIST");
        api.post("/api/v1/investigations/" + id + "/cancel").bearer(ADMIN).json(Map.of()).send();
        assertThat(api.post("/api/v1/investigations/" + id + "/feedback").bearer(ADMIN)
                .json(Map.of("verdict", "REJECTED")).send().status()).isEqualTo(201);

        JsonNode trust = api.get("/api/v1/trust").bearer(ADMIN).send().json();
        assertThat(trust.path("configured").asString()).isEqualTo("ASSIST");
        assertThat(trust.path("ceiling").asString()).isEqualTo("SHADOW");
        assertThat(trust.path("effective").asString()).isEqualTo("SHADOW");
        assertThat(trust.path("demotion").path("reason").asString()).startsWith("diagnostic accuracy 0.");
        assertThat(meters.counter(MetricNames.TRUST_DEMOTIONS).count()).isEqualTo(before + 1);
        assertThat(jdbc.sql("SELECT count(*) FROM audit_log WHERE action = 'trust.demoted'").query(Long.class).single())
                .isEqualTo(1);
        assertThat(api.get("/api/v1/investigations/" + id + "/events").bearer(ADMIN).header("Accept", "application/json")
                .send().json().path("items").valueStream().map(e -> e.path("type").asString()).toList())
                .as("the verdict that tipped it").endsWith("FEEDBACK_RECORDED", "TRUST_DEMOTED");

        String next = api.post("/api/v1/investigations").bearer(ADMIN).json(Map.of("title", "t", "problem", "p",
                "domains", List.of("kubernetes"), "severity", "critical")).send().json().path("trustPhase").asString();
        assertThat(next).as("new investigations take the ceiling").isEqualTo("SHADOW");

        ApiClient.Response early = api.post("/api/v1/trust/acknowledge").bearer(ADMIN).send();
        assertThat(early.status()).isEqualTo(409);
        assertThat(early.json().path("detail").asString()).contains("change it in the reviewed configuration first");
        assertThat(api.post("/api/v1/trust/acknowledge").bearer(ADMIN.replace("admin", "nobody")).send().status())
                .isEqualTo(401);
    }

    @Test
    @Order(3)
    void shouldShowShadowResultsToOperatorsAndAdminsOnly() {
        // After the demotion above, new investigations are created in SHADOW.
        String shadow = api.post("/api/v1/investigations").bearer(ADMIN).json(Map.of("title", "shadowed", "problem",
                "p", "domains", List.of("network"), "severity", "warning")).send().json().path("id").asString();
        String assisted = jdbc.sql("SELECT id::text FROM investigations WHERE trust_phase = 'ASSIST' LIMIT 1")
                .query(String.class).single();

        assertThat(api.get("/api/v1/investigations/" + shadow).bearer(ADMIN).send().status()).isEqualTo(200);
        for (String path : List.of("", "/events", "/hypotheses", "/logs")) {
            ApiClient.Response hidden = api.get("/api/v1/investigations/" + shadow + path).bearer(VIEWER)
                    .header("Accept", path.equals("/logs") ? "text/plain" : "application/json").send();
            assertThat(hidden.status()).as(path).isEqualTo(404);
        }
        assertThat(api.get("/api/v1/investigations/" + assisted).bearer(VIEWER).send().status()).isEqualTo(200);
        List<String> listed = api.get("/api/v1/investigations?limit=200").bearer(VIEWER).send().json().path("items")
                .valueStream().map(i -> i.path("trustPhase").asString()).distinct().toList();
        assertThat(listed).isNotEmpty().doesNotContain("SHADOW");
        assertThat(api.get("/api/v1/investigations?limit=200").bearer(ADMIN).send().json().path("items").valueStream()
                .map(i -> i.path("id").asString()).toList()).contains(shadow);
    }

    @Autowired
    private dev.nightshift.server.audit.AuditLog audit;

    @Autowired
    private dev.nightshift.server.events.EventStore events;

    @Autowired
    private org.springframework.transaction.PlatformTransactionManager transactionManager;

    @Autowired
    private dev.nightshift.server.notify.Notifications notifications;

    @Test
    @Order(4)
    void shouldLiftTheCeilingOnAcknowledgementOnceTheConfiguredPhaseChanged() {
        // The same database after a restart whose reviewed configuration lowered the phase to SHADOW.
        TrustService restarted = new TrustService(jdbc, new TrustProperties(TrustPhase.SHADOW, "staging",
                new TrustProperties.Gates(100, 3, 0.95, 150, 0.9, 0.8, 100, 0.99, 0.01, 0.95),
                new TrustProperties.Demotion(0.92, 0.02, java.time.Duration.ofDays(30), 20),
                new TrustProperties.Taxonomy(null, null)), audit, events, notifications,
                transactionManager, java.time.Clock.systemUTC(), meters);
        TrustService.Status lifted = restarted.acknowledge("ada-admin");
        assertThat(lifted.ceiling()).isNull();
        assertThat(lifted.effective()).isEqualTo(TrustPhase.SHADOW);
        assertThat(lifted.demotion().acknowledgedBy()).isEqualTo("ada-admin");
        assertThat(jdbc.sql("SELECT count(*) FROM audit_log WHERE action = 'trust.acknowledged'").query(Long.class)
                .single()).isEqualTo(1);
    }
}
