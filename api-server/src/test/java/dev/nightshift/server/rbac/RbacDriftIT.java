package dev.nightshift.server.rbac;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import dev.nightshift.server.ApiClient;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.client.NamespacedKubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;

/**
 * The RBAC drift check against the Kubernetes API test server holding exactly what the chart
 * renders for production × limited remediation: no drift; then someone widens the agent and the
 * executor by hand, and the check names every widened permission.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RbacDriftIT {

    private static final String ADMIN = "rbac-drift-admin-token";
    private static final Path CHART = Path.of("..", "deploy", "helm", "nightshift").toAbsolutePath().normalize();
    private static final Set<String> RBAC_KINDS = Set.of("ServiceAccount", "Role", "RoleBinding", "ClusterRole",
            "ClusterRoleBinding");
    private static final KubernetesMockServer KUBERNETES;
    private static final NamespacedKubernetesClient CLUSTER;
    private static final Path EXPECTED;

    static {
        try {
            KUBERNETES = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                    new KubernetesCrudDispatcher(), false);
            KUBERNETES.init(InetAddress.getByName("127.0.0.1"), 0);
            CLUSTER = KUBERNETES.createClient();
            String rendered = new Helm(CHART).template().withName("nightshift").withNamespace("nightshift")
                    .withKubeVersion("1.30.0")
                    .withValuesFile(CHART.resolve("values-production.yaml"))
                    .withValuesFile(CHART.resolve("values-phase-limited-remediation.yaml"))
                    .set("targetNamespaces[0]", "shop").set("targetNamespaces[1]", "payments").call();
            EXPECTED = Files.createTempFile("rbac-expected-", ".json");
            for (HasMetadata object : CLUSTER.load(new ByteArrayInputStream(rendered.getBytes(StandardCharsets.UTF_8)))
                    .items()) {
                if (RBAC_KINDS.contains(object.getKind())) {
                    CLUSTER.resource(object).create();
                }
                if (object instanceof io.fabric8.kubernetes.api.model.ConfigMap map
                        && map.getMetadata().getName().endsWith("-rbac-expected")) {
                    Files.writeString(EXPECTED, map.getData().get("rbac-expected.json"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dataDir = Files.createTempDirectory("nightshift-rbac-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.security.admin-token", () -> ADMIN);
        registry.add("nightshift.events.embedded-kafka.enabled", () -> "false");
        registry.add("nightshift.dispatcher.enabled", () -> "false");
        registry.add("nightshift.actions.kubernetes.enabled", () -> "true");
        registry.add("nightshift.actions.kubernetes.api-server-url", () -> KUBERNETES.url("/").replaceAll("/$", ""));
        registry.add("nightshift.rbac.expected-file", EXPECTED::toString);
    }

    @AfterAll
    static void stop() {
        CLUSTER.close();
        KUBERNETES.destroy();
    }

    @LocalServerPort
    private int port;

    private JsonNode drift() {
        ApiClient.Response response = new ApiClient(port).get("/api/v1/rbac/drift").bearer(ADMIN).send();
        assertThat(response.status()).as(response.body()).isEqualTo(200);
        return response.json();
    }

    private static JsonNode identity(JsonNode report, String name) {
        return report.path("identities").valueStream().filter(i -> i.path("name").asString().equals(name)).findFirst()
                .orElseThrow();
    }

    @Test
    @Order(1)
    void shouldFindNoDriftInWhatTheChartRendered() {
        JsonNode report = drift();
        assertThat(report.path("phase").asString()).isEqualTo("limited-remediation");
        assertThat(report.path("ok").asBoolean()).as(report.toString()).isTrue();
        JsonNode agent = identity(report, "agent");
        assertThat(agent.path("serviceAccount").asString())
                .isEqualTo("system:serviceaccount:nightshift-investigations:agent-phase-limited-remediation");
        assertThat(agent.path("missing").isEmpty()).as(agent.toString()).isTrue();
        assertThat(agent.path("bindings").valueStream().map(JsonNode::asString))
                .contains("shop/RoleBinding/nightshift-agent-read -> Role/nightshift-agent-read");
        assertThat(identity(report, "executor").path("missing").isEmpty()).isTrue();
    }

    @Test
    @Order(2)
    void shouldReportEveryWideningMadeByHand() {
        // Someone gives the agent a cluster role that can write, in a namespace it was never meant to touch…
        CLUSTER.rbac().clusterRoles().resource(new ClusterRoleBuilder().withNewMetadata().withName("hand-made-edit")
                .endMetadata().withRules(new PolicyRuleBuilder().withApiGroups("apps").withResources("deployments")
                        .withVerbs("get", "delete").build()).build()).create();
        CLUSTER.rbac().roleBindings().inNamespace("kube-system").resource(new RoleBindingBuilder().withNewMetadata()
                .withName("debug-agent").endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole",
                        "hand-made-edit").addNewSubject().withKind("ServiceAccount")
                .withName("agent-phase-limited-remediation").withNamespace("nightshift-investigations").endSubject()
                .build()).create();
        // …and lets the executor read secrets where it acts.
        Role executor = CLUSTER.rbac().roles().inNamespace("shop").withName("nightshift-executor").get();
        executor.getRules().add(new PolicyRuleBuilder().withApiGroups("").withResources("secrets").withVerbs("get")
                .build());
        CLUSTER.rbac().roles().inNamespace("shop").resource(executor).update();

        JsonNode report = drift();
        assertThat(report.path("ok").asBoolean()).isFalse();
        assertThat(identity(report, "agent").path("widened").valueStream().map(JsonNode::asString).toList())
                .containsExactly("kube-system apps/deployments:delete", "kube-system apps/deployments:get");
        assertThat(identity(report, "executor").path("widened").valueStream().map(JsonNode::asString).toList())
                .containsExactly("shop /secrets:get");
        assertThat(new ApiClient(port).get("/api/v1/rbac/drift").bearer("nobody").send().status()).isEqualTo(401);
    }

}
