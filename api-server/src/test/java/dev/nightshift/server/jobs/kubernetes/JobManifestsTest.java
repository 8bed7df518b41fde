package dev.nightshift.server.jobs.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.tuple;

import dev.nightshift.server.investigation.InvestigationProperties;
import dev.nightshift.server.jobs.LaunchRequest;
import dev.nightshift.server.trust.TrustPhase;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1PodFailurePolicyRule;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import io.kubernetes.client.util.Yaml;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class JobManifestsTest {

    private static final UUID ID = UUID.fromString("01A2018D-8951-7631-A5AD-C8F9DB82B710");
    private static final InvestigationProperties TIERS = new InvestigationProperties(null, Duration.ofHours(24));
    private static final KubernetesRuntimeProperties PROPERTIES = new KubernetesRuntimeProperties(
            "investigations", "registry.example/agent-worker:1.2.3", "Always", 3600, "256Mi",
            "http://nightshift-api:8080", "kafka:9092", null, 10, 20, 10_485_760, null);

    private static LaunchRequest request(String tier, TrustPhase phase) {
        return new LaunchRequest(ID, TIERS.tierNamed(tier).orElseThrow(), phase, "nsw_secret-of-the-run", null);
    }

    private static final io.kubernetes.client.openapi.JSON JSON_WRITER = new io.kubernetes.client.openapi.JSON();

    private static V1Job job(String tier, TrustPhase phase) {
        return JobManifests.job(request(tier, phase), PROPERTIES, null, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
    }

    private static V1Container worker(V1Job job) {
        return job.getSpec().getTemplate().getSpec().getContainers().getFirst();
    }

    @Test
    void shouldNameTheJobAfterTheInvestigationInLowercase() {
        V1Job job = job("simple", TrustPhase.SHADOW);
        assertThat(job.getMetadata().getName()).isEqualTo("investigation-01a2018d-8951-7631-a5ad-c8f9db82b710")
                .hasSizeLessThanOrEqualTo(63).matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
        assertThat(job.getMetadata().getNamespace()).isEqualTo("investigations");
        assertThat(job.getApiVersion()).isEqualTo("batch/v1");
        assertThat(job.getKind()).isEqualTo("Job");
    }

    @Test
    void shouldLabelJobAndPodWithAppInvestigationPhaseAndTier() {
        V1Job job = job("multi-domain", TrustPhase.LIMITED_REMEDIATION);
        Map<String, String> expected = Map.of("app", "autonomous-diagnostics",
                "investigation-id", "01a2018d-8951-7631-a5ad-c8f9db82b710",
                "trust-phase", "limited-remediation", "tier", "multi-domain");
        assertThat(job.getMetadata().getLabels()).isEqualTo(expected);
        assertThat(job.getSpec().getTemplate().getMetadata().getLabels()).isEqualTo(expected);
    }

    @Test
    void shouldRunOnceWithTheTiersDeadlineTtlAndPodFailurePolicy() {
        V1Job job = job("simple", TrustPhase.SHADOW);
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getActiveDeadlineSeconds()).isEqualTo(900);
        assertThat(job.getSpec().getTtlSecondsAfterFinished()).isEqualTo(3600);
        assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
        List<V1PodFailurePolicyRule> rules = job.getSpec().getPodFailurePolicy().getRules();
        assertThat(rules).hasSize(2);
        assertThat(rules.get(0).getAction()).isEqualTo("FailJob");
        assertThat(rules.get(0).getOnExitCodes().getContainerName()).isEqualTo("worker");
        assertThat(rules.get(0).getOnExitCodes().getOperator()).isEqualTo("In");
        assertThat(rules.get(0).getOnExitCodes().getValues()).containsExactly(2);
        assertThat(rules.get(1).getAction()).isEqualTo("Ignore");
        assertThat(rules.get(1).getOnPodConditions()).singleElement().satisfies(condition -> {
            assertThat(condition.getType()).isEqualTo("DisruptionTarget");
            assertThat(condition.getStatus()).isEqualTo("True");
        });
    }

    @Test
    void shouldUseThePhasesServiceAccount() {
        assertThat(job("simple", TrustPhase.SHADOW).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo("agent-phase-shadow");
        assertThat(job("simple", TrustPhase.AUTONOMOUS).getSpec().getTemplate().getSpec().getServiceAccountName())
                .isEqualTo("agent-phase-autonomous");
    }

    @Test
    void shouldSizeThePodByTier() {
        V1Container simple = worker(job("simple", TrustPhase.SHADOW));
        assertThat(simple.getResources().getRequests()).containsEntry("cpu", Quantity.fromString("500m"))
                .containsEntry("memory", Quantity.fromString("1Gi"));
        assertThat(simple.getResources().getLimits()).containsEntry("cpu", Quantity.fromString("2"))
                .containsEntry("memory", Quantity.fromString("4Gi"));
        V1Container multi = worker(job("multi-domain", TrustPhase.SHADOW));
        assertThat(multi.getResources().getLimits()).containsEntry("cpu", Quantity.fromString("4"))
                .containsEntry("memory", Quantity.fromString("8Gi"));
    }

    @Test
    void shouldPassOnlyWhatTheWorkerNeedsToFindItsWay() {
        V1Container worker = worker(job("simple", TrustPhase.SHADOW));
        assertThat(worker.getName()).isEqualTo("worker");
        assertThat(worker.getImage()).isEqualTo("registry.example/agent-worker:1.2.3");
        assertThat(worker.getImagePullPolicy()).isEqualTo("Always");
        assertThat(worker.getEnv()).extracting(V1EnvVar::getName, V1EnvVar::getValue).containsExactly(
                tuple("INVESTIGATION_ID", "01a2018d-8951-7631-a5ad-c8f9db82b710"),
                tuple("NIGHTSHIFT_API_URL", "http://nightshift-api:8080"),
                tuple("NIGHTSHIFT_TOKEN_FILE", "/var/run/nightshift/token"),
                tuple("KAFKA_BOOTSTRAP_SERVERS", "kafka:9092"),
                tuple("TRACEPARENT", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"));
        assertThat(worker.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
    }

    @Test
    void shouldCarryTheTokenInASecretOwnedByTheJobNeverInTheManifest() {
        V1Job built = job("simple", TrustPhase.SHADOW);
        assertThat(JSON_WRITER.serialize(built)).doesNotContain("nsw_secret-of-the-run");
        assertThat(request("simple", TrustPhase.SHADOW).toString()).doesNotContain("nsw_secret-of-the-run");
        var volume = built.getSpec().getTemplate().getSpec().getVolumes().stream()
                .filter(v -> v.getName().equals("token")).findFirst().orElseThrow();
        assertThat(volume.getSecret().getSecretName()).isEqualTo("investigation-01a2018d-8951-7631-a5ad-c8f9db82b710-token");
        assertThat(volume.getSecret().getDefaultMode()).isEqualTo(0400);
        assertThat(worker(built).getVolumeMounts()).anySatisfy(mount -> {
            assertThat(mount.getName()).isEqualTo("token");
            assertThat(mount.getMountPath()).isEqualTo("/var/run/nightshift");
            assertThat(mount.getReadOnly()).isTrue();
        });

        built.getMetadata().uid("6f1c2b1e-0000-4000-8000-000000000001");
        var secret = JobManifests.tokenSecret(request("simple", TrustPhase.SHADOW), built, "investigations");
        assertThat(secret.getMetadata().getName()).isEqualTo(volume.getSecret().getSecretName());
        assertThat(secret.getStringData()).containsExactly(org.assertj.core.api.Assertions.entry("token",
                "nsw_secret-of-the-run"));
        assertThat(secret.getMetadata().getOwnerReferences()).singleElement().satisfies(owner -> {
            assertThat(owner.getKind()).isEqualTo("Job");
            assertThat(owner.getUid()).isEqualTo("6f1c2b1e-0000-4000-8000-000000000001");
            assertThat(owner.getController()).isTrue();
        });
    }

    @Test
    void shouldHardenThePod() {
        V1Job job = job("simple", TrustPhase.SHADOW);
        V1PodSpec pod = job.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        var container = worker(job).getSecurityContext();
        assertThat(container.getRunAsNonRoot()).isTrue();
        assertThat(container.getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(container.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        // A writable /tmp of bounded size, and the token read-only: nothing else is writable.
        assertThat(worker(job).getVolumeMounts()).extracting(V1VolumeMount::getName, V1VolumeMount::getMountPath,
                        V1VolumeMount::getReadOnly)
                .containsExactly(tuple("tmp", "/tmp", null), tuple("token", "/var/run/nightshift", true));
        assertThat(pod.getVolumes().getFirst().getEmptyDir().getSizeLimit()).isEqualTo(Quantity.fromString("256Mi"));
    }

    @Test
    void shouldKeepTheTemplatesSiteFieldsButNeverItsOverridesOfOurs() {
        V1Job template = Yaml.loadAs("""
                apiVersion: batch/v1
                kind: Job
                metadata:
                  annotations:
                    vault.hashicorp.com/agent-inject: "true"
                  labels:
                    cost-center: sre
                spec:
                  backoffLimit: 6
                  template:
                    metadata:
                      annotations:
                        vault.hashicorp.com/role: agent
                    spec:
                      restartPolicy: Always
                      nodeSelector:
                        pool: investigations
                      tolerations:
                        - key: dedicated
                          operator: Equal
                          value: investigations
                          effect: NoSchedule
                """, V1Job.class);
        V1Job job = JobManifests.job(request("simple", TrustPhase.SHADOW), PROPERTIES, template, null);
        assertThat(job.getMetadata().getAnnotations()).containsEntry("vault.hashicorp.com/agent-inject", "true");
        assertThat(job.getMetadata().getLabels()).containsEntry("cost-center", "sre")
                .containsEntry("app", "autonomous-diagnostics");
        assertThat(job.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("vault.hashicorp.com/role", "agent");
        assertThat(job.getSpec().getTemplate().getSpec().getNodeSelector()).containsEntry("pool", "investigations");
        assertThat(job.getSpec().getTemplate().getSpec().getTolerations()).singleElement()
                .satisfies(t -> assertThat(t.getKey()).isEqualTo("dedicated"));
        assertThat(job.getSpec().getBackoffLimit()).isZero();
        assertThat(job.getSpec().getTemplate().getSpec().getRestartPolicy()).isEqualTo("Never");
        assertThat(worker(job).getEnv()).extracting(V1EnvVar::getName).doesNotContain("TRACEPARENT");
    }

    @Test
    void shouldRefuseJobsThatBreakTheSafetyRules() {
        V1Job always = job("simple", TrustPhase.SHADOW);
        always.getSpec().getTemplate().getSpec().setRestartPolicy("Always");
        assertThatIllegalStateException().isThrownBy(() -> JobManifests.check(always))
                .withMessage("RestartPolicy must be 'Never' for an investigation Job, was 'Always'");

        V1Job noDeadline = job("simple", TrustPhase.SHADOW);
        noDeadline.getSpec().setActiveDeadlineSeconds(null);
        assertThatIllegalStateException().isThrownBy(() -> JobManifests.check(noDeadline))
                .withMessage("activeDeadlineSeconds must be set and positive, was null");

        V1Job noTtl = job("simple", TrustPhase.SHADOW);
        noTtl.getSpec().setTtlSecondsAfterFinished(null);
        assertThatIllegalStateException().isThrownBy(() -> JobManifests.check(noTtl))
                .withMessage("ttlSecondsAfterFinished must be set, was null");

        V1Job retries = job("simple", TrustPhase.SHADOW);
        retries.getSpec().setBackoffLimit(3);
        assertThatIllegalStateException().isThrownBy(() -> JobManifests.check(retries))
                .withMessage("backoffLimit must be 0 (retries are the pod failure policy's), was 3");

        V1Job longName = job("simple", TrustPhase.SHADOW);
        longName.getMetadata().setName("x".repeat(64));
        assertThatIllegalStateException().isThrownBy(() -> JobManifests.check(longName))
                .withMessage("Job name '" + "x".repeat(64) + "' must be set and at most 63 characters");
    }

    @Test
    void shouldDefaultTheRuntimeSettings() {
        var defaults = new KubernetesRuntimeProperties("nightshift-investigations", "ghcr.io/nightshift-dev/agent-worker:0.1.0",
                "IfNotPresent", 3600, "256Mi", "http://nightshift-api.nightshift.svc:8080", null, (Path) null, 10, 20,
                10_485_760, null);
        V1Job job = JobManifests.job(request("simple", TrustPhase.SHADOW), defaults, null, null);
        assertThat(worker(job).getEnv()).extracting(V1EnvVar::getName)
                .containsExactly("INVESTIGATION_ID", "NIGHTSHIFT_API_URL", "NIGHTSHIFT_TOKEN_FILE");
    }
}
