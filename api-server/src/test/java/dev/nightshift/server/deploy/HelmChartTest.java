package dev.nightshift.server.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import io.kubernetes.client.openapi.models.V1ClusterRole;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1NetworkPolicy;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1PolicyRule;
import io.kubernetes.client.openapi.models.V1Role;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.util.Yaml;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The chart rendered by a real Helm engine for every environment × trust phase, every manifest
 * parsed strictly into client-java's typed models, and the invariants that make it least privilege.
 */
class HelmChartTest {

    static final Path CHART = Path.of("..", "deploy", "helm", "nightshift").toAbsolutePath().normalize();
    static final List<String> ENVIRONMENTS = List.of("dev", "staging", "production");
    static final List<String> PHASES = List.of("shadow", "assist", "limited-remediation", "autonomous");
    static final String INVESTIGATIONS = "nightshift-investigations";
    static final Set<String> READ_VERBS = Set.of("get", "list", "watch");

    static Stream<Arguments> combinations() {
        return ENVIRONMENTS.stream().flatMap(env -> PHASES.stream().map(phase -> Arguments.of(env, phase)));
    }

    /** Renders one combination as {@code helm template nightshift -n nightshift -f env -f phase}. */
    static String render(String environment, String phase) {
        return new Helm(CHART).template().withName("nightshift").withNamespace("nightshift").withKubeVersion("1.30.0")
                .withValuesFile(CHART.resolve("values-" + environment + ".yaml"))
                .withValuesFile(CHART.resolve("values-phase-" + phase + ".yaml")).call();
    }

    /** Every document, strictly typed: a duplicate key, an unknown field or a wrong type is an exception. */
    static List<Object> objects(String yaml) throws IOException {
        org.yaml.snakeyaml.LoaderOptions options = new org.yaml.snakeyaml.LoaderOptions();
        options.setAllowDuplicateKeys(false);
        new org.yaml.snakeyaml.Yaml(options).loadAll(yaml).forEach(document -> { });
        return Yaml.loadAll(yaml).stream().filter(Objects::nonNull).toList();
    }

    static <T> List<T> of(List<Object> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    @ParameterizedTest(name = "{0} × {1}")
    @MethodSource("combinations")
    void shouldRenderLeastPrivilegeForEveryEnvironmentAndPhase(String environment, String phase) throws IOException {
        List<Object> objects = objects(render(environment, phase));
        assertThat(objects).hasSizeGreaterThan(15);

        // Non-root, read-only root filesystem, no privilege escalation: the api-server and the agent Job.
        V1Deployment api = of(objects, V1Deployment.class).getFirst();
        assertRestricted(api.getSpec().getTemplate().getSpec());
        V1Job job = Yaml.loadAs(configMap(objects, "nightshift-api-job-template").getData().get("job-template.yaml"),
                V1Job.class);
        V1PodSpec agentPod = job.getSpec().getTemplate().getSpec();
        assertRestricted(agentPod);
        assertThat(agentPod.getAutomountServiceAccountToken()).as("the agent needs no token").isFalse();
        assertThat(agentPod.getServiceAccountName()).isEqualTo("agent-phase-" + phase);

        // No token mounted where it is not needed: only the api-server talks to the Kubernetes API.
        for (V1ServiceAccount account : of(objects, V1ServiceAccount.class)) {
            assertThat(account.getAutomountServiceAccountToken()).as(account.getMetadata().getName())
                    .isEqualTo(account.getMetadata().getName().equals("nightshift-api"));
        }

        // Agent Roles read-only in all twelve; executor Roles only where the phase allows remediation.
        List<V1Role> agentRoles = identity(of(objects, V1Role.class), "agent");
        assertThat(agentRoles).isNotEmpty();
        agentRoles.forEach(role -> role.getRules().forEach(rule ->
                assertThat(READ_VERBS).as(role.getMetadata().getNamespace() + " " + rule).containsAll(rule.getVerbs())));
        boolean remediates = phase.equals("limited-remediation") || phase.equals("autonomous");
        assertThat(identity(of(objects, V1Role.class), "executor")).as("executor Roles").hasSize(remediates ? 1 : 0);
        assertThat(of(objects, V1ClusterRole.class).stream().filter(r -> "executor".equals(r.getMetadata().getLabels()
                .get("nightshift.dev/identity")))).as("cordon only when autonomous").hasSize(phase.equals("autonomous") ? 1 : 0);
        List<String> accounts = of(objects, V1ServiceAccount.class).stream().map(a -> a.getMetadata().getName())
                .toList();
        assertThat(accounts).contains("agent-phase-" + phase);
        assertThat(accounts.contains("nightshift-executor")).as("the executor account exists only to remediate")
                .isEqualTo(remediates);

        // NetworkPolicies: default deny in the investigations namespace, and one selecting every agent pod.
        List<V1NetworkPolicy> policies = of(objects, V1NetworkPolicy.class).stream()
                .filter(p -> INVESTIGATIONS.equals(p.getMetadata().getNamespace())).toList();
        Map<String, String> podLabels = job.getSpec().getTemplate().getMetadata().getLabels();
        assertThat(policies).anyMatch(p -> (p.getSpec().getPodSelector().getMatchLabels() == null
                || p.getSpec().getPodSelector().getMatchLabels().isEmpty()) && p.getSpec().getPolicyTypes().containsAll(List.of("Ingress", "Egress")));
        assertThat(policies).anyMatch(p -> p.getSpec().getPodSelector().getMatchLabels() != null
                && !p.getSpec().getPodSelector().getMatchLabels().isEmpty() && podLabels.entrySet().containsAll(p.getSpec().getPodSelector().getMatchLabels().entrySet())
                && p.getSpec().getPolicyTypes().contains("Egress") && !p.getSpec().getEgress().isEmpty());

        // Pod Security Standards, quota, limits, and the api-server's availability.
        V1Namespace namespace = of(objects, V1Namespace.class).getFirst();
        assertThat(namespace.getMetadata().getLabels()).containsEntry("pod-security.kubernetes.io/enforce", "restricted");
        assertThat(objects).anyMatch(o -> o instanceof io.kubernetes.client.openapi.models.V1ResourceQuota)
                .anyMatch(o -> o instanceof io.kubernetes.client.openapi.models.V1LimitRange);
        assertThat(api.getSpec().getReplicas()).isEqualTo(environment.equals("dev") ? 1 : 2);
        assertThat(of(objects, V1PodDisruptionBudget.class)).hasSize(environment.equals("dev") ? 0 : 1);

        // The configuration the server reads says the same phase and environment, and the drift check's
        // expectation is exactly what the Roles grant.
        String application = configMap(objects, "nightshift-api-config").getData().get("application.yaml");
        JsonNode config = JsonMapper.builder().build().valueToTree(new org.yaml.snakeyaml.Yaml().load(application));
        assertThat(config.path("nightshift").path("trust").path("phase").asString())
                .isEqualTo(phase.toUpperCase().replace('-', '_'));
        assertThat(config.path("nightshift").path("trust").path("environment").asString()).isEqualTo(environment);
        assertThat(config.path("nightshift").path("actions").path("policy").path("production").asBoolean())
                .isEqualTo(environment.equals("production"));
        JsonNode expected = JsonMapper.builder().build().readTree(configMap(objects, "nightshift-api-rbac-expected")
                .getData().get("rbac-expected.json"));
        assertThat(rules(expected, "agent")).isEqualTo(normalize(agentRoles.getFirst().getRules()));
        assertThat(rules(expected, "executor")).isEqualTo(remediates
                ? normalize(identity(of(objects, V1Role.class), "executor").getFirst().getRules()) : List.of());
    }

    @Test
    void shouldNameTemplatesByNumberKindAndNameAndPassHelmLint() throws IOException {
        try (Stream<Path> templates = Files.list(CHART.resolve("templates"))) {
            assertThat(templates.map(p -> p.getFileName().toString()).filter(n -> !n.startsWith("_")))
                    .isNotEmpty().allMatch(n -> n.matches("\\d{3}-[A-Z][A-Za-z]+-[a-z0-9-]+\\.yaml"));
        }
        var lint = new Helm(CHART).lint().strict().call();
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
    }

    @Test
    void shouldRejectUnknownFieldsAndWrongTypesWhenParsing() {
        assertThatThrownBy(() -> objects("apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: x}\nautomount: false\n"))
                .as("an unknown field");
        assertThatThrownBy(() -> objects("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
                + "spec: {replicas: two}\n")).as("a wrong type");
        assertThatThrownBy(() -> objects("apiVersion: v1\nkind: ServiceAccount\nmetadata:\n  name: x\n"
                + "  labels: {a: b, a: c}\n")).as("a duplicate key");
    }

    private static void assertRestricted(V1PodSpec pod) {
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        for (V1Container container : pod.getContainers()) {
            var security = container.getSecurityContext();
            assertThat(security.getRunAsNonRoot()).as(container.getName()).isTrue();
            assertThat(security.getReadOnlyRootFilesystem()).as(container.getName()).isTrue();
            assertThat(security.getAllowPrivilegeEscalation()).as(container.getName()).isFalse();
            assertThat(security.getCapabilities().getDrop()).as(container.getName()).containsExactly("ALL");
        }
    }

    private static List<V1Role> identity(List<V1Role> roles, String identity) {
        return roles.stream().filter(r -> identity.equals(r.getMetadata().getLabels().get("nightshift.dev/identity")))
                .toList();
    }

    private static V1ConfigMap configMap(List<Object> objects, String name) {
        return of(objects, V1ConfigMap.class).stream().filter(c -> c.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow();
    }

    private static List<String> rules(JsonNode expected, String identity) {
        List<String> rules = new ArrayList<>();
        expected.path("identities").forEach(i -> {
            if (i.path("name").asString().equals(identity)) {
                i.path("rules").forEach(r -> r.path("resources").forEach(res -> r.path("verbs").forEach(v ->
                        rules.add(r.path("apiGroups").get(0).asString() + "/" + res.asString() + ":" + v.asString()))));
            }
        });
        return rules.stream().sorted().toList();
    }

    private static List<String> normalize(List<V1PolicyRule> policyRules) {
        List<String> rules = new ArrayList<>();
        policyRules.forEach(r -> r.getResources().forEach(res -> r.getVerbs().forEach(v ->
                rules.add(r.getApiGroups().getFirst() + "/" + res + ":" + v))));
        return rules.stream().sorted().toList();
    }
}
