package dev.nightshift.server.jobs.kubernetes;

import static dev.nightshift.server.InvestigationJson.lastReason;
import static dev.nightshift.server.InvestigationJson.states;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nightshift.server.ApiClient;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.jobs.Dispatcher;
import dev.nightshift.server.jobs.InvestigationLauncher;
import dev.nightshift.server.jobs.LaunchRequest;
import dev.nightshift.server.jobs.RunEnds;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.batch.v1.Job;
import io.fabric8.kubernetes.api.model.batch.v1.JobConditionBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.kubernetes.client.util.Config;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import dev.nightshift.server.system.MetricNames;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The Kubernetes runtime against a Kubernetes API test server speaking the real REST and watch
 * protocol (fabric8's mock in CRUD mode, behind {@link KubernetesWatchBridge}). The test plays the
 * Job controller and kubelet: it moves pods and Jobs through their states with the fabric8 client,
 * and the runtime's informers must turn that into investigation states.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@DirtiesContext
class KubernetesRuntimeIT {

    private static final String NAMESPACE = "investigations";
    private static final String TOKEN = "kubernetes-runtime-admin";
    private static final KubernetesMockServer KUBERNETES;
    private static final KubernetesWatchBridge BRIDGE;
    private static final NamespacedKubernetesClient CLUSTER;

    static {
        try {
            KUBERNETES = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                    new KubernetesCrudDispatcher(), false);
            KUBERNETES.init(InetAddress.getByName("127.0.0.1"), 0);
            BRIDGE = new KubernetesWatchBridge(KUBERNETES.url("/"));
            CLUSTER = KUBERNETES.createClient();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dataDir = Files.createTempDirectory("nightshift-kubernetes-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.events.embedded-kafka.enabled", () -> "false"); // no worker events here
        registry.add("nightshift.runtime.end-grace", () -> "0s"); // no worker event to wait for
        registry.add("nightshift.security.admin-token", () -> TOKEN);
        registry.add("nightshift.runtime.type", () -> "kubernetes");
        registry.add("nightshift.runtime.kubernetes.namespace", () -> NAMESPACE);
        registry.add("nightshift.runtime.kubernetes.api-server-url", BRIDGE::url);
        registry.add("nightshift.runtime.kubernetes.image", () -> "registry.example/agent-worker:test");
    }

    @AfterAll
    static void stopCluster() {
        CLUSTER.close();
        BRIDGE.close();
        KUBERNETES.destroy();
    }

    @LocalServerPort
    private int port;

    @Autowired
    private InvestigationLauncher launcher;

    @Autowired
    private InvestigationService investigations;

    @Autowired
    private Dispatcher dispatcher;

    @Autowired
    private KubernetesRuntimeProperties runtimeProperties;

    @Autowired
    private MeterRegistry meters;

    private ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient(port);
    }

    private String create(List<String> domains) {
        ApiClient.Response response = api.post("/api/v1/investigations").bearer(TOKEN).json(Map.of("title", "t",
                "problem", "p", "domains", domains, "severity", "critical")).send();
        assertThat(response.status()).isEqualTo(201);
        return response.json().path("id").asString();
    }

    private JsonNode investigation(String id) {
        return api.get("/api/v1/investigations/" + id).bearer(TOKEN).send().json();
    }

    private void awaitStatus(String id, String status) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> status.equals(investigation(id).path("status").asString()));
    }

    private Job awaitJob(String id) {
        String name = "investigation-" + id;
        await().atMost(Duration.ofSeconds(20)).until(() -> CLUSTER.batch().v1().jobs().inNamespace(NAMESPACE)
                .withName(name).get() != null);
        return CLUSTER.batch().v1().jobs().inNamespace(NAMESPACE).withName(name).get();
    }

    /** What the Job controller and kubelet would do: a pod for the Job, running. */
    private Pod runPod(String id) {
        Pod pod = CLUSTER.pods().inNamespace(NAMESPACE).resource(new PodBuilder()
                .withNewMetadata().withName("investigation-" + id + "-abcde")
                .addToLabels("app", "autonomous-diagnostics").addToLabels("investigation-id", id)
                .addToLabels("job-name", "investigation-" + id).endMetadata()
                .withNewSpec().addNewContainer().withName("worker").withImage("registry.example/agent-worker:test")
                .endContainer().endSpec()
                .build()).create();
        pod.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder().withPhase("Running").build());
        return CLUSTER.pods().inNamespace(NAMESPACE).resource(pod).updateStatus();
    }

    private void terminate(Pod pod, int exitCode, String reason, String message) {
        Pod current = CLUSTER.pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).get();
        current.setStatus(new io.fabric8.kubernetes.api.model.PodStatusBuilder()
                .withPhase(exitCode == 0 ? "Succeeded" : "Failed")
                // Every field a kubelet sets (client-java rejects statuses without the required ones).
                .withContainerStatuses(new ContainerStatusBuilder().withName("worker")
                        .withImage("registry.example/agent-worker:test").withImageID("sha256:0123")
                        .withContainerID("containerd://abc").withReady(false).withRestartCount(0)
                        .withNewState().withNewTerminated().withExitCode(exitCode).withReason(reason)
                        .withMessage(message).endTerminated().endState().build())
                .build());
        CLUSTER.pods().inNamespace(NAMESPACE).resource(current).updateStatus();
    }

    private void finishJob(String id, String type, String reason) {
        Job job = CLUSTER.batch().v1().jobs().inNamespace(NAMESPACE).withName("investigation-" + id).get();
        job.setStatus(new io.fabric8.kubernetes.api.model.batch.v1.JobStatusBuilder()
                .withConditions(new JobConditionBuilder().withType(type).withStatus("True").withReason(reason).build())
                .build());
        CLUSTER.batch().v1().jobs().inNamespace(NAMESPACE).resource(job).updateStatus();
    }

    @Test
    void shouldCreateTheJobAndFollowItToTheWorkersConclusion() {
        String id = create(List.of("network"));
        Job job = awaitJob(id);
        assertThat(job.getMetadata().getLabels()).containsEntry("investigation-id", id)
                .containsEntry("trust-phase", "shadow").containsEntry("tier", "simple");
        assertThat(job.getSpec().getTemplate().getSpec().getServiceAccountName()).isEqualTo("agent-phase-shadow");
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(900);
        awaitStatus(id, "LAUNCHING");
        var secret = CLUSTER.secrets().inNamespace(NAMESPACE).withName("investigation-" + id + "-token").get();
        assertThat(secret).as("the token Secret, owned by the Job").isNotNull();
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement()
                .satisfies(owner -> assertThat(owner.getUid()).isEqualTo(job.getMetadata().getUid()));

        Pod pod = runPod(id);
        awaitStatus(id, "RUNNING");
        BRIDGE.podLog(pod.getMetadata().getName(), "starting\nhypothesis: firewall\n");
        assertThat(api.get("/api/v1/investigations/" + id + "/logs?tailLines=1").bearer(TOKEN).send().body())
                .isEqualTo("hypothesis: firewall\n");

        BRIDGE.podLog(pod.getMetadata().getName(), "starting\nhypothesis: firewall\nconcluded\n");
        terminate(pod, 0, "Completed", "CONCLUDED firewall rule change exhausted the connection pool");
        finishJob(id, "Complete", "CompletionsReached");
        awaitStatus(id, "SUCCEEDED");
        JsonNode done = investigation(id);
        assertThat(states(done)).containsExactly("QUEUED", "LAUNCHING", "RUNNING", "SUCCEEDED");
        assertThat(lastReason(done)).isEqualTo("firewall rule change exhausted the connection pool");
        // Archived when the Job ended, so readable after the TTL removes the pod.
        CLUSTER.pods().inNamespace(NAMESPACE).withName(pod.getMetadata().getName()).delete();
        assertThat(api.get("/api/v1/investigations/" + id + "/logs").bearer(TOKEN).send().body())
                .isEqualTo("starting\nhypothesis: firewall\nconcluded\n");
    }

    @Test
    void shouldTimeOutWhenKubernetesEnforcesTheDeadline() {
        String id = create(List.of("database", "application"));
        assertThat(awaitJob(id).getMetadata().getLabels()).containsEntry("tier", "multi-domain");
        runPod(id);
        awaitStatus(id, "RUNNING");
        finishJob(id, "Failed", "DeadlineExceeded");
        awaitStatus(id, "TIMED_OUT");
        assertThat(lastReason(investigation(id))).isEqualTo("DeadlineExceeded: ran longer than 900 s");
    }

    @Test
    void shouldFailWithOomKilledAndTheTiersLimit() {
        String id = create(List.of("storage"));
        awaitJob(id);
        Pod pod = runPod(id);
        awaitStatus(id, "RUNNING");
        terminate(pod, 137, "OOMKilled", null);
        finishJob(id, "Failed", "BackoffLimitExceeded");
        awaitStatus(id, "FAILED");
        assertThat(lastReason(investigation(id))).isEqualTo("OOMKilled: out of memory with a limit of 4Gi");
    }

    @Test
    void shouldFailTerminallyOnTheBadConfigExitCode() {
        String id = create(List.of("security"));
        awaitJob(id);
        Pod pod = runPod(id);
        awaitStatus(id, "RUNNING");
        terminate(pod, 2, "Error", "FAILED NIGHTSHIFT_API_URL is not a URL: 'x'");
        finishJob(id, "Failed", "PodFailurePolicy");
        awaitStatus(id, "FAILED");
        assertThat(lastReason(investigation(id)))
                .isEqualTo("bad input or configuration (exit code 2): NIGHTSHIFT_API_URL is not a URL: 'x'");
    }

    @Test
    void shouldDeleteTheJobOnCancel() {
        String id = create(List.of("kubernetes"));
        awaitJob(id);
        runPod(id);
        awaitStatus(id, "RUNNING");
        assertThat(api.post("/api/v1/investigations/" + id + "/cancel").bearer(TOKEN).send().status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> CLUSTER.batch().v1().jobs().inNamespace(NAMESPACE)
                .withName("investigation-" + id).get() == null);
        assertThat(states(investigation(id))).containsExactly("QUEUED", "LAUNCHING", "RUNNING", "CANCELLED");
    }

    @Test
    void shouldCountAnExistingJobAsLaunched() {
        String id = create(List.of("network"));
        Job job = awaitJob(id);
        var tier = new dev.nightshift.server.investigation.InvestigationProperties(null, Duration.ofHours(24))
                .tierNamed("simple").orElseThrow();
        launcher.launch(new LaunchRequest(UUID.fromString(id), tier, dev.nightshift.server.trust.TrustPhase.SHADOW,
                "nsw_another", null));
        assertThat(CLUSTER.batch().v1().jobs().inNamespace(NAMESPACE).withLabel("investigation-id", id).list().getItems())
                .singleElement().satisfies(same -> assertThat(same.getMetadata().getUid()).isEqualTo(job.getMetadata().getUid()));
    }

    @Test
    @Order(Integer.MAX_VALUE) // it stops the context's runtime, as a server that goes down would
    void shouldCatchUpAfterARestartOnJobsThatEndedWhileTheServerWasDown() throws Exception {
        String id = create(List.of("application"));
        awaitJob(id);
        Pod pod = runPod(id);
        awaitStatus(id, "RUNNING");

        ((KubernetesLauncher) launcher).close(); // the api-server goes down
        terminate(pod, 0, "Completed", "ESCALATED confidence below threshold");
        finishJob(id, "Complete", "CompletionsReached");
        Thread.sleep(1000);
        assertThat(investigation(id).path("status").asString()).as("nobody watches while down").isEqualTo("RUNNING");

        io.kubernetes.client.openapi.ApiClient client = Config.fromUrl(BRIDGE.url(), true);
        try (KubernetesLauncher restarted = new KubernetesLauncher(client, runtimeProperties, null, investigations,
                new RunEnds(investigations, Duration.ZERO), Files.createTempDirectory("nightshift-restarted-"),
                new SimpleMeterRegistry())) {
            restarted.start(); // the informers' first list holds the ended Job
            awaitStatus(id, "ESCALATED");
        }
        assertThat(lastReason(investigation(id))).isEqualTo("confidence below threshold");
    }

    @Test
    void shouldCountAJobWithoutInvestigationAsAnOrphanOnce() {
        double before = meters.counter(MetricNames.ORPHANED_JOBS).count();
        String stranger = UUID.randomUUID().toString();
        CLUSTER.batch().v1().jobs().inNamespace(NAMESPACE).resource(new io.fabric8.kubernetes.api.model.batch.v1.JobBuilder()
                .withNewMetadata().withName("investigation-" + stranger).addToLabels("app", "autonomous-diagnostics")
                .addToLabels("investigation-id", stranger).endMetadata()
                .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("worker").withImage("x")
                .endContainer().withRestartPolicy("Never").endSpec().endTemplate().endSpec().build()).create();
        await().atMost(Duration.ofSeconds(10)).until(() -> meters.counter(MetricNames.ORPHANED_JOBS).count() == before + 1);
        finishJob(stranger, "Complete", "CompletionsReached"); // a later event of the same orphan
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                .until(() -> meters.counter(MetricNames.ORPHANED_JOBS).count() == before + 1);
    }

    @Test
    void shouldFailARunningInvestigationWhoseJobIsGone() {
        String id = create(List.of("network"));
        awaitJob(id);
        runPod(id);
        awaitStatus(id, "RUNNING");
        // Someone deletes the Job behind Nightshift's back (or it vanished while the server was down).
        CLUSTER.batch().v1().jobs().inNamespace(NAMESPACE).withName("investigation-" + id)
                .withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.BACKGROUND).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> !launcher.activeRuns().contains(UUID.fromString(id)));
        dispatcher.resync();
        assertThat(investigations.get(UUID.fromString(id)).summary().status()).isEqualTo(InvestigationStatus.FAILED);
        assertThat(lastReason(investigation(id))).startsWith("JobLost");
    }
}
