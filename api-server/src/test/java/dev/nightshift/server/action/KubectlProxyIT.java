package dev.nightshift.server.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * The approval proxy with a generated matrix of calls against the Kubernetes API test server:
 * every read passes through as the agent, every destructive call is held until a human decides,
 * and whatever is not carried out comes back as a Kubernetes {@code Status} a real client parses.
 */
class KubectlProxyIT extends ClusterActionTest {

    private static final String AGENT = "system:serviceaccount:nightshift-investigations:agent-phase-autonomous";
    private static final String MERGE = "application/merge-patch+json";
    private static final List<String> NAMESPACES = List.of("shop", "payments", "kube-system");
    private static final ObjectMapper JSON = new JsonMapper();

    private final HttpClient http = HttpClient.newHttpClient();

    /** One kubectl-like call: method, API path, body. */
    record Call(String method, String path, String body) {
        String namespace() {
            String[] parts = path.split("/");
            for (int i = 0; i < parts.length - 1; i++) {
                if (parts[i].equals("namespaces")) {
                    return parts[i + 1];
                }
            }
            return null;
        }
    }

    @BeforeEach
    void cluster() {
        resetCluster();
        for (String namespace : NAMESPACES) {
            CLUSTER.secrets().inNamespace(namespace).resource(new SecretBuilder().withNewMetadata().withName("creds")
                    .endMetadata().addToStringData("password", "hunter2").build()).createOr(r -> r.update());
        }
    }

    private CompletableFuture<HttpResponse<String>> send(Run run, Call call) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/k8s-proxy"
                + call.path())).header("Authorization", "Bearer " + run.token()).timeout(Duration.ofSeconds(60));
        if (call.body() != null) {
            request.header("Content-Type", call.method().equals("PATCH") ? MERGE : "application/json");
        }
        request.method(call.method(), call.body() == null ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(call.body()));
        return http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> kubectl(Run run, Call call) {
        return send(run, call).join();
    }

    private HttpResponse<String> direct(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(KUBERNETES.url(path))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<JsonNode> pending(Run run) {
        return api.get("/api/v1/actions?status=PENDING_APPROVAL&investigationId=" + run.id()).bearer(VIEWER).send()
                .json().path("items").valueStream().toList();
    }

    private static void assertStatus(HttpResponse<String> response, int code, String reason, String message) {
        assertThat(response.statusCode()).as(response.body()).isEqualTo(code);
        JsonNode status = JSON.readTree(response.body());
        assertThat(status.path("kind").asString()).isEqualTo("Status");
        assertThat(status.path("apiVersion").asString()).isEqualTo("v1");
        assertThat(status.path("status").asString()).isEqualTo("Failure");
        assertThat(status.path("reason").asString()).isEqualTo(reason);
        assertThat(status.path("code").asInt()).isEqualTo(code);
        assertThat(status.path("message").asString()).contains(message);
    }

    @Test
    void shouldPassEveryReadThroughAsTheAgent() throws Exception {
        Run run = running("AUTONOMOUS");
        List<String> paths = new ArrayList<>(List.of("/api/v1/nodes", "/api/v1/nodes/node-1", "/api/v1/namespaces",
                "/api/v1/namespaces/shop", "/apis/apps/v1/deployments"));
        for (String namespace : NAMESPACES) {
            for (String collection : List.of("/api/v1/namespaces/%s/pods", "/apis/apps/v1/namespaces/%s/deployments",
                    "/apis/autoscaling/v2/namespaces/%s/horizontalpodautoscalers", "/api/v1/namespaces/%s/secrets",
                    "/api/v1/namespaces/%s/configmaps")) {
                paths.add(collection.formatted(namespace));
            }
            paths.add("/api/v1/namespaces/%s/pods/checkout-abc".formatted(namespace));
            paths.add("/apis/apps/v1/namespaces/%s/deployments/checkout".formatted(namespace));
            paths.add("/api/v1/namespaces/%s/pods/missing".formatted(namespace));
        }
        long actionsBefore = jdbc.sql("SELECT count(*) FROM actions").query(Long.class).single();
        for (String path : paths) {
            HttpResponse<String> proxied = kubectl(run, new Call("GET", path, null));
            RecordedRequest forwarded = ActionGatewayIT.lastRequest("GET");
            HttpResponse<String> original = direct(path);
            assertThat(proxied.statusCode()).as(path).isEqualTo(original.statusCode());
            assertThat(JSON.readTree(proxied.body())).as(path).isEqualTo(JSON.readTree(original.body()));
            assertThat(forwarded.getHeader("Impersonate-User")).as(path).isEqualTo(AGENT);
        }
        assertThat(jdbc.sql("SELECT count(*) FROM actions").query(Long.class).single()).as("reads are not actions")
                .isEqualTo(actionsBefore);
    }

    @Test
    void shouldHoldEveryDestructiveCallUntilAHumanDecides() throws Exception {
        List<Call> calls = new ArrayList<>();
        for (String ns : NAMESPACES) {
            String apps = "/apis/apps/v1/namespaces/" + ns;
            String core = "/api/v1/namespaces/" + ns;
            calls.add(new Call("DELETE", apps + "/deployments/checkout", null));
            calls.add(new Call("DELETE", apps + "/statefulsets/db", null));
            calls.add(new Call("DELETE", core + "/secrets/creds", null));
            calls.add(new Call("DELETE", core + "/persistentvolumeclaims/data", null));
            calls.add(new Call("DELETE", core + "/pods", null));
            calls.add(new Call("PATCH", apps + "/deployments/checkout/scale", "{\"spec\":{\"replicas\":0}}"));
            calls.add(new Call("PATCH", apps + "/deployments/checkout", "{\"spec\":{\"replicas\":1}}"));
            calls.add(new Call("POST", core + "/pods/checkout-abc/eviction", "{\"apiVersion\":\"policy/v1\","
                    + "\"kind\":\"Eviction\",\"metadata\":{\"name\":\"checkout-abc\",\"namespace\":\"" + ns + "\"}}"));
            calls.add(new Call("PATCH", apps + "/deployments/checkout", "{\"spec\":{\"template\":{\"spec\":{"
                    + "\"containers\":[{\"name\":\"app\",\"image\":\"shop/checkout:2.0\"}]}}}}"));
            calls.add(new Call("PATCH", apps + "/deployments/checkout", "{\"spec\":{\"template\":{\"spec\":{"
                    + "\"containers\":[{\"name\":\"app\",\"resources\":{\"limits\":{\"memory\":\"8Gi\"}}}]}}}}"));
        }
        calls.add(new Call("DELETE", "/api/v1/namespaces/shop", null));
        calls.add(new Call("PATCH", "/api/v1/nodes/node-1", "{\"spec\":{\"unschedulable\":true}}"));
        calls.add(new Call("POST", "/api/v1/namespaces/payments/configmaps",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"note\"}}"));
        calls.add(new Call("PATCH", "/api/v1/namespaces/kube-system/pods/checkout-abc",
                "{\"metadata\":{\"labels\":{\"debug\":\"true\"}}}"));

        Run run = running("AUTONOMOUS");
        List<CompletableFuture<HttpResponse<String>>> waiting = calls.stream().map(call -> send(run, call)).toList();
        await().atMost(Duration.ofSeconds(30)).until(() -> pending(run).size() == calls.size());
        assertThat(waiting).as("held calls wait for the decision").noneMatch(CompletableFuture::isDone);
        List<JsonNode> held = pending(run);
        assertThat(held).allMatch(a -> a.path("source").asString().equals("PROXY")
                && a.path("kind").asString().equals("kubectl") && a.path("risk").asString().equals("HIGH")
                && !a.path("parameters").path("heldBecause").isEmpty());
        assertThat(held.stream().map(a -> a.path("verb").asString() + " " + a.path("resource").asString() + " "
                + a.path("namespace").asString(null)).toList())
                .contains("delete deployments shop", "deletecollection pods kube-system", "patch deployments/scale payments",
                        "create pods/eviction shop", "delete namespaces shop", "patch nodes null");

        for (JsonNode action : held) {
            assertThat(api.post("/api/v1/actions/" + action.path("id").asString() + "/reject").bearer(OPERATOR)
                    .json(Map.of("reason", "not during the incident")).send().status()).isEqualTo(200);
        }
        for (int i = 0; i < calls.size(); i++) {
            HttpResponse<String> response = waiting.get(i).get(30, TimeUnit.SECONDS);
            assertStatus(response, 403, "Forbidden", "Rejected by otto-operator: not during the incident");
            assertThat(response.headers().firstValue(KubectlProxy.ACTION_HEADER)).as(calls.get(i).toString()).isPresent();
        }
        var deployment = CLUSTER.apps().deployments().inNamespace("shop").withName("checkout").get();
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(4);
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage())
                .isEqualTo("shop/checkout:1.4");
        assertThat(CLUSTER.secrets().inNamespace("shop").withName("creds").get()).isNotNull();
        assertThat(CLUSTER.namespaces().withName("shop").get()).isNotNull();
        assertThat(CLUSTER.nodes().withName("node-1").get().getSpec().getUnschedulable()).isFalse();
        assertThat(api.get("/api/v1/trust").bearer(VIEWER).send().json().path("ceiling").isNull())
                .as("held calls are not out of scope").isTrue();
    }

    @Test
    void shouldRunAnApprovedCallAsTheExecutorAndAnswerWithTheClustersResponse() throws Exception {
        Run run = running("AUTONOMOUS");
        CompletableFuture<HttpResponse<String>> delete = send(run, new Call("DELETE",
                "/api/v1/namespaces/shop/secrets/creds", null));
        await().atMost(Duration.ofSeconds(20)).until(() -> pending(run).size() == 1);
        JsonNode held = pending(run).get(0);
        assertThat(held.path("parameters").path("heldBecause").get(0).asString()).isEqualTo("delete of secrets creds");
        JsonNode approved = api.post("/api/v1/actions/" + held.path("id").asString() + "/approve").bearer(OPERATOR)
                .json(Map.of("reason", "the leaked credential must go")).send().json();
        assertThat(approved.path("status").asString()).isEqualTo("EXECUTED");
        assertThat(ActionGatewayIT.lastRequest("DELETE").getHeader("Impersonate-User")).isEqualTo(EXECUTOR);
        HttpResponse<String> answer = delete.get(30, TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        assertThat(CLUSTER.secrets().inNamespace("shop").withName("creds").get()).isNull();

        // A write that destroys nothing runs alone in autonomous, as the executor.
        HttpResponse<String> created = kubectl(run, new Call("POST", "/api/v1/namespaces/shop/configmaps",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"diagnosis\"}}"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(ActionGatewayIT.lastRequest("POST").getHeader("Impersonate-User")).isEqualTo(EXECUTOR);
        assertThat(CLUSTER.configMaps().inNamespace("shop").withName("diagnosis").get()).isNotNull();
    }

    @Test
    void shouldAnswerRejectionsAndExpiryWithAStatusARealClientUnderstands() throws Exception {
        Run run = running("AUTONOMOUS");
        try (KubernetesClient agent = new KubernetesClientBuilder().withConfig(new ConfigBuilder()
                .withMasterUrl("http://127.0.0.1:" + port + "/k8s-proxy").withOauthToken(run.token())
                .withRequestRetryBackoffLimit(0).build()).build()) {
            CompletableFuture<KubernetesClientException> refused = CompletableFuture.supplyAsync(() ->
                    catchThrowableOfType(KubernetesClientException.class, () -> agent.apps().deployments()
                            .inNamespace("shop").withName("checkout").delete()));
            await().atMost(Duration.ofSeconds(20)).until(() -> pending(run).size() == 1);
            // Nobody decides: the hold runs out.
            jdbc.sql("UPDATE actions SET expires_at = now() - interval '1 second' WHERE id = ?")
                    .param(UUID.fromString(pending(run).get(0).path("id").asString())).update();
            KubernetesClientException e = refused.get(30, TimeUnit.SECONDS);
            assertThat(e.getCode()).isEqualTo(403);
            assertThat(e.getStatus().getReason()).isEqualTo("Forbidden");
            assertThat(e.getStatus().getMessage()).contains("Not approved in time").contains("nothing was executed");
            assertThat(CLUSTER.apps().deployments().inNamespace("shop").withName("checkout").get()).isNotNull();

            // Reads through the same client work as against the cluster.
            assertThat(agent.pods().inNamespace("shop").list().getItems()).extracting(p -> p.getMetadata().getName())
                    .contains("checkout-abc");
        }
    }

    @Test
    void shouldRecordInShadowAndHoldEveryWriteInLimitedRemediation() {
        Run shadow = running("SHADOW");
        HttpResponse<String> recorded = kubectl(shadow, new Call("DELETE", "/apis/apps/v1/namespaces/shop/deployments/checkout",
                null));
        assertStatus(recorded, 403, "Forbidden", "as a recommendation in the shadow phase; nothing was executed");

        Run limited = running("LIMITED_REMEDIATION");
        CompletableFuture<HttpResponse<String>> label = send(limited, new Call("POST", "/api/v1/namespaces/shop/configmaps",
                "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"limited\"}}"));
        await().atMost(Duration.ofSeconds(20)).until(() -> pending(limited).size() == 1);
        assertThat(pending(limited).get(0).path("risk").asString()).isEqualTo("LOW");
        assertThat(api.post("/api/v1/actions/" + pending(limited).get(0).path("id").asString() + "/reject")
                .bearer(OPERATOR).json(Map.of("reason", "no")).send().status()).isEqualTo(200);
        assertStatus(label.join(), 403, "Forbidden", "Rejected by otto-operator");
        assertThat(CLUSTER.apps().deployments().inNamespace("shop").withName("checkout").get()).isNotNull();
        assertThat(CLUSTER.configMaps().inNamespace("shop").withName("limited").get()).isNull();
    }

    @Test
    void shouldServeWorkersOnlyAndNoStreamsIntoContainers() throws Exception {
        Run run = running("AUTONOMOUS");
        HttpResponse<String> human = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/k8s-proxy/api/v1/namespaces/shop/pods")).header("Authorization", "Bearer " + OPERATOR).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(human.statusCode()).isEqualTo(403);
        HttpResponse<String> anonymous = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                + "/k8s-proxy/api/v1/namespaces/shop/pods")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertStatus(kubectl(run, new Call("POST", "/api/v1/namespaces/shop/pods/checkout-abc/exec?command=sh", "")),
                403, "Forbidden", "no exec, attach, port-forward or proxy");
    }
}
