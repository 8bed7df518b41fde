package dev.nightshift.server.action;

import com.sun.net.httpserver.HttpServer;
import dev.nightshift.server.ApiClient;
import dev.nightshift.server.TestTokens;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.worker.WorkerTokens;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The server in production, autonomous (investigations are moved to the phase a test needs),
 * acting on a Kubernetes API test server that speaks the real REST protocol (fabric8's mock in
 * CRUD mode) and notifying local webhook receivers. The gateway and proxy tests share this context.
 */
// The test server logs a line per request at INFO; the level must be known before logging starts.
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = "logging.level.io.fabric8.mockwebserver=WARN")
abstract class ClusterActionTest {

    static final String OPERATOR = "operator-token-actions";
    static final String VIEWER = "viewer-token-actions";
    static final String ADMIN = "admin-token-actions";
    static final String EXECUTOR = "system:serviceaccount:nightshift-investigations:nightshift-executor";

    static final KubernetesMockServer KUBERNETES;
    static final NamespacedKubernetesClient CLUSTER;
    /** Receives cache-clear calls and notifications; answers 503 to the first {@link #FAILURES} notifications. */
    static final HttpServer RECEIVER;
    static final int FAILURES = 2;
    static final AtomicInteger NOTIFICATION_ATTEMPTS = new AtomicInteger();
    static final ConcurrentLinkedQueue<String> NOTIFICATIONS = new ConcurrentLinkedQueue<>();
    static final ConcurrentLinkedQueue<String> CACHE_CLEARS = new ConcurrentLinkedQueue<>();

    static {
        try {
            KUBERNETES = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                    new KubernetesCrudDispatcher(), false);
            KUBERNETES.init(InetAddress.getByName("127.0.0.1"), 0);
            CLUSTER = KUBERNETES.createClient();
            RECEIVER = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            RECEIVER.createContext("/cache", exchange -> {
                CACHE_CLEARS.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                exchange.sendResponseHeaders(204, -1);
                exchange.close();
            });
            RECEIVER.createContext("/hooks", exchange -> {
                String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                boolean fail = NOTIFICATION_ATTEMPTS.incrementAndGet() <= FAILURES;
                if (!fail) {
                    NOTIFICATIONS.add(exchange.getRequestURI().getPath() + " " + body);
                }
                exchange.sendResponseHeaders(fail ? 503 : 200, -1);
                exchange.close();
            });
            RECEIVER.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dataDir = Files.createTempDirectory("nightshift-actions-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.events.embedded-kafka.enabled", () -> "false");
        registry.add("nightshift.dispatcher.enabled", () -> "false");
        registry.add("nightshift.security.admin-token", () -> ADMIN);
        TestTokens.register(registry, new String[] {"vera-viewer", VIEWER, "VIEWER"},
                new String[] {"otto-operator", OPERATOR, "OPERATOR"});
        registry.add("nightshift.trust.phase", () -> "AUTONOMOUS");
        registry.add("nightshift.trust.environment", () -> "production");
        registry.add("nightshift.actions.policy.production", () -> "true");
        registry.add("nightshift.actions.policy.per-investigation", () -> "40");
        registry.add("nightshift.actions.policy.per-hour", () -> "100000");
        registry.add("nightshift.actions.sweep-interval", () -> "200ms");
        registry.add("nightshift.actions.kubernetes.enabled", () -> "true");
        registry.add("nightshift.actions.kubernetes.api-server-url", () -> KUBERNETES.url("/").replaceAll("/$", ""));
        registry.add("nightshift.actions.cache-webhooks.storefront", () -> receiver("/cache"));
        registry.add("nightshift.notifications.webhooks[0].name", () -> "pager");
        registry.add("nightshift.notifications.webhooks[0].url", () -> receiver("/hooks/pager"));
        registry.add("nightshift.notifications.webhooks[1].name", () -> "chat");
        registry.add("nightshift.notifications.webhooks[1].url", () -> receiver("/hooks/chat"));
        registry.add("nightshift.notifications.webhooks[1].format", () -> "SLACK");
        registry.add("nightshift.notifications.webhooks[1].events", () -> "APPROVAL_REQUESTED");
        registry.add("nightshift.notifications.initial-backoff", () -> "100ms");
        registry.add("nightshift.notifications.poll-interval", () -> "100ms");
    }

    static String receiver(String path) {
        return "http://127.0.0.1:" + RECEIVER.getAddress().getPort() + path;
    }

    @LocalServerPort
    int port;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    WorkerTokens workerTokens;

    @Autowired
    InvestigationService investigations;

    ApiClient api;

    @BeforeEach
    void setUp() {
        api = new ApiClient(port);
        jdbc.sql("DELETE FROM trust_state").update(); // each test starts undemoted
    }

    /** The cluster a test acts on, as it was before anything happened to it. */
    static void resetCluster() {
        for (String namespace : List.of("shop", "payments", "kube-system")) {
            CLUSTER.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(namespace)
                    .addToLabels(namespace.equals("payments") ? Map.of("nightshift.dev/protected", "true") : Map.of())
                    .endMetadata().build()).createOr(r -> r.update());
            CLUSTER.apps().deployments().inNamespace(namespace).resource(new DeploymentBuilder().withNewMetadata()
                    .withName("checkout").endMetadata().withNewSpec().withReplicas(4).withNewTemplate().withNewSpec()
                    .addNewContainer().withName("app").withImage("shop/checkout:1.4").endContainer().endSpec()
                    .endTemplate().endSpec().build()).createOr(r -> r.update());
            CLUSTER.pods().inNamespace(namespace).resource(new PodBuilder().withNewMetadata().withName("checkout-abc")
                    .endMetadata().withNewSpec().addNewContainer().withName("app").withImage("shop/checkout:1.4")
                    .endContainer().endSpec().build()).createOr(r -> r.update());
            CLUSTER.autoscaling().v2().horizontalPodAutoscalers().inNamespace(namespace)
                    .resource(new HorizontalPodAutoscalerBuilder().withNewMetadata().withName("checkout").endMetadata()
                            .withNewSpec().withMinReplicas(2).withMaxReplicas(10).withNewScaleTargetRef()
                            .withApiVersion("apps/v1").withKind("Deployment").withName("checkout").endScaleTargetRef()
                            .endSpec().build()).createOr(r -> r.update());
        }
        CLUSTER.nodes().resource(new NodeBuilder().withNewMetadata().withName("node-1").endMetadata().withNewSpec()
                .withUnschedulable(false).endSpec().build()).createOr(r -> r.update());
    }

    /** A running investigation in the given phase and a worker token for it. */
    record Run(UUID id, String token) {}

    Run running(String phase) {
        UUID id = UUID.fromString(api.post("/api/v1/investigations").bearer(OPERATOR).json(Map.of("title",
                "checkout slow", "problem", "p99 latency of checkout rose", "domains", List.of("application"),
                "severity", "critical")).send().json().path("id").asString());
        jdbc.sql("UPDATE investigations SET trust_phase = ? WHERE id = ?").params(phase, id).update();
        investigations.report(id, InvestigationStatus.LAUNCHING, "test-runtime", "claimed");
        investigations.report(id, InvestigationStatus.RUNNING, "test-runtime", "started");
        return new Run(id, workerTokens.mint(id));
    }
}
