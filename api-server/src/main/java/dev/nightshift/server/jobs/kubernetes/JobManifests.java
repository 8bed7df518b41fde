package dev.nightshift.server.jobs.kubernetes;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.nightshift.contract.RunResult;
import dev.nightshift.server.investigation.InvestigationProperties.Resources;
import dev.nightshift.server.jobs.LaunchRequest;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.models.V1Capabilities;
import io.kubernetes.client.openapi.models.V1Container;
import io.kubernetes.client.openapi.models.V1EmptyDirVolumeSource;
import io.kubernetes.client.openapi.models.V1EnvVar;
import io.kubernetes.client.openapi.models.V1Job;
import io.kubernetes.client.openapi.models.V1JobSpec;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PodFailurePolicy;
import io.kubernetes.client.openapi.models.V1PodFailurePolicyOnExitCodesRequirement;
import io.kubernetes.client.openapi.models.V1PodFailurePolicyOnPodConditionsPattern;
import io.kubernetes.client.openapi.models.V1PodFailurePolicyRule;
import io.kubernetes.client.openapi.models.V1PodSecurityContext;
import io.kubernetes.client.openapi.models.V1PodSpec;
import io.kubernetes.client.openapi.models.V1PodTemplateSpec;
import io.kubernetes.client.openapi.models.V1ResourceRequirements;
import io.kubernetes.client.openapi.models.V1SeccompProfile;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1SecretVolumeSource;
import io.kubernetes.client.openapi.models.V1SecurityContext;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeMount;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Pure functions that build the Kubernetes objects of a run: no client calls, so every field is
 * unit-tested without a cluster. {@link #check} holds the safety rules that no change may break.
 */
public final class JobManifests {

    static final String APP = "autonomous-diagnostics";
    static final String LABEL_APP = "app";
    static final String LABEL_INVESTIGATION = "investigation-id";
    static final String LABEL_PHASE = "trust-phase";
    static final String LABEL_TIER = "tier";
    static final String CONTAINER = "worker";
    static final String TOKEN_MOUNT = "/var/run/nightshift";
    static final String TOKEN_KEY = "token";
    static final String NAME_PREFIX = "investigation-";
    static final int MAX_NAME_LENGTH = 63;
    /** The selector of every object this runtime owns. */
    public static final String SELECTOR = LABEL_APP + "=" + APP;

    private JobManifests() {}

    /** {@code investigation-<uuid>}: lowercase, DNS-1123 safe, 50 characters. */
    public static String jobName(UUID investigationId) {
        return NAME_PREFIX + investigationId.toString().toLowerCase(Locale.ROOT);
    }

    /** The service account of a phase's agents: {@code agent-phase-<slug>}. */
    /**
     * The Secret that carries a run's bootstrap token, owned by its Job (so it goes with the Job);
     * the token never appears in the Job's manifest.
     */
    public static V1Secret tokenSecret(LaunchRequest request, V1Job created, String namespace) {
        return new V1Secret()
                .apiVersion("v1")
                .kind("Secret")
                .metadata(new V1ObjectMeta()
                        .name(tokenSecretName(request.investigationId()))
                        .namespace(namespace)
                        .labels(labels(request))
                        .ownerReferences(List.of(new V1OwnerReference()
                                .apiVersion("batch/v1").kind("Job")
                                .name(created.getMetadata().getName()).uid(created.getMetadata().getUid())
                                .controller(true).blockOwnerDeletion(true))))
                .type("Opaque")
                .stringData(Map.of(TOKEN_KEY, request.workerToken()));
    }

    public static String tokenSecretName(UUID investigationId) {
        return jobName(investigationId) + "-token";
    }

    static String serviceAccount(LaunchRequest request) {
        return "agent-phase-" + request.trustPhase().slug();
    }

    static Map<String, String> labels(LaunchRequest request) {
        return Map.of(LABEL_APP, APP,
                LABEL_INVESTIGATION, request.investigationId().toString(),
                LABEL_PHASE, request.trustPhase().slug(),
                LABEL_TIER, request.tier().name());
    }

    /**
     * The Job of one investigation, merged over the site's template if there is one (the built
     * fields win), and checked.
     *
     * @param template the parsed {@code job-template}, or {@code null}
     * @param traceparent the W3C trace context of the launch, or {@code null}
     */
    public static V1Job job(LaunchRequest request, KubernetesRuntimeProperties properties, V1Job template,
            String traceparent) {
        Resources resources = request.tier().resources();
        List<V1EnvVar> env = new ArrayList<>(List.of(
                new V1EnvVar().name("INVESTIGATION_ID").value(request.investigationId().toString()),
                new V1EnvVar().name("NIGHTSHIFT_API_URL").value(properties.apiUrl()),
                new V1EnvVar().name("NIGHTSHIFT_TOKEN_FILE").value(TOKEN_MOUNT + "/" + TOKEN_KEY)));
        if (properties.kafkaBootstrapServers() != null && !properties.kafkaBootstrapServers().isBlank()) {
            env.add(new V1EnvVar().name("KAFKA_BOOTSTRAP_SERVERS").value(properties.kafkaBootstrapServers()));
        }
        if (traceparent != null) {
            env.add(new V1EnvVar().name("TRACEPARENT").value(traceparent));
        }
        V1Container worker = new V1Container()
                .name(CONTAINER)
                .image(properties.image())
                .imagePullPolicy(properties.imagePullPolicy())
                .env(env)
                .resources(new V1ResourceRequirements()
                        .requests(Map.of("cpu", Quantity.fromString(resources.requestsCpu()),
                                "memory", Quantity.fromString(resources.requestsMemory())))
                        .limits(Map.of("cpu", Quantity.fromString(resources.limitsCpu()),
                                "memory", Quantity.fromString(resources.limitsMemory()))))
                .securityContext(new V1SecurityContext()
                        .runAsNonRoot(true)
                        .readOnlyRootFilesystem(true)
                        .allowPrivilegeEscalation(false)
                        .capabilities(new V1Capabilities().drop(List.of("ALL")))
                        .seccompProfile(new V1SeccompProfile().type("RuntimeDefault")))
                .terminationMessagePolicy("FallbackToLogsOnError")
                .volumeMounts(List.of(new V1VolumeMount().name("tmp").mountPath("/tmp"),
                        new V1VolumeMount().name("token").mountPath(TOKEN_MOUNT).readOnly(true)));
        V1Job built = new V1Job()
                .apiVersion("batch/v1")
                .kind("Job")
                .metadata(new V1ObjectMeta()
                        .name(jobName(request.investigationId()))
                        .namespace(properties.namespace())
                        .labels(labels(request)))
                .spec(new V1JobSpec()
                        .backoffLimit(0)
                        .activeDeadlineSeconds(request.tier().deadline().toSeconds())
                        .ttlSecondsAfterFinished(properties.ttlSecondsAfterFinished())
                        .podFailurePolicy(new V1PodFailurePolicy().rules(List.of(
                                // Bad input or configuration: retrying cannot help.
                                new V1PodFailurePolicyRule().action("FailJob").onExitCodes(
                                        new V1PodFailurePolicyOnExitCodesRequirement().containerName(CONTAINER)
                                                .operator("In").values(List.of(RunResult.EXIT_BAD_CONFIG))),
                                // Node drain, preemption: not the investigation's fault, not counted.
                                new V1PodFailurePolicyRule().action("Ignore").onPodConditions(List.of(
                                        new V1PodFailurePolicyOnPodConditionsPattern().type("DisruptionTarget")
                                                .status("True"))))))
                        .template(new V1PodTemplateSpec()
                                .metadata(new V1ObjectMeta().labels(labels(request)))
                                .spec(new V1PodSpec()
                                        .restartPolicy("Never")
                                        .serviceAccountName(serviceAccount(request))
                                        // Workers reach the cluster through the api-server, never with a token.
                                        .automountServiceAccountToken(false)
                                        .securityContext(new V1PodSecurityContext()
                                                .runAsNonRoot(true)
                                                .seccompProfile(new V1SeccompProfile().type("RuntimeDefault")))
                                        .containers(List.of(worker))
                                        .volumes(List.of(new V1Volume().name("tmp").emptyDir(
                                                        new V1EmptyDirVolumeSource().sizeLimit(
                                                                Quantity.fromString(properties.tmpSizeLimit()))),
                                                new V1Volume().name("token").secret(new V1SecretVolumeSource()
                                                        .secretName(tokenSecretName(request.investigationId()))
                                                        .defaultMode(0400)))))));
        V1Job job = template == null ? built : merge(template, built);
        check(job);
        return job;
    }

    /**
     * The template with the built Job laid over it: objects merge field by field, anything else
     * (non-empty lists included) is taken from the built Job where it sets it.
     */
    static V1Job merge(V1Job template, V1Job built) {
        JSON json = new JSON();
        JsonElement base = json.getGson().toJsonTree(template);
        JsonElement over = json.getGson().toJsonTree(built);
        return json.getGson().fromJson(deepMerge(base, over), V1Job.class);
    }

    private static JsonElement deepMerge(JsonElement base, JsonElement over) {
        if (!(base instanceof JsonObject baseObject) || !(over instanceof JsonObject overObject)) {
            return over;
        }
        JsonObject merged = baseObject.deepCopy();
        for (Map.Entry<String, JsonElement> field : overObject.entrySet()) {
            JsonElement existing = merged.get(field.getKey());
            // The models start every list empty: an empty list is "not set", not "none".
            if (existing != null && field.getValue() instanceof JsonArray array && array.isEmpty()) {
                continue;
            }
            merged.add(field.getKey(), existing == null ? field.getValue() : deepMerge(existing, field.getValue()));
        }
        return merged;
    }

    /**
     * The safety rules of an investigation Job.
     *
     * @throws IllegalStateException naming the rule that is broken
     */
    static void check(V1Job job) {
        String name = job.getMetadata() == null ? null : job.getMetadata().getName();
        if (name == null || name.length() > MAX_NAME_LENGTH) {
            throw new IllegalStateException("Job name '" + name + "' must be set and at most " + MAX_NAME_LENGTH
                    + " characters");
        }
        V1JobSpec spec = job.getSpec();
        String restartPolicy = spec.getTemplate().getSpec().getRestartPolicy();
        if (!"Never".equals(restartPolicy)) {
            throw new IllegalStateException("RestartPolicy must be 'Never' for an investigation Job, was '"
                    + restartPolicy + "'");
        }
        if (spec.getActiveDeadlineSeconds() == null || spec.getActiveDeadlineSeconds() <= 0) {
            throw new IllegalStateException("activeDeadlineSeconds must be set and positive, was "
                    + spec.getActiveDeadlineSeconds());
        }
        if (spec.getTtlSecondsAfterFinished() == null || spec.getTtlSecondsAfterFinished() < 0) {
            throw new IllegalStateException("ttlSecondsAfterFinished must be set, was " + spec.getTtlSecondsAfterFinished());
        }
        if (spec.getBackoffLimit() == null || spec.getBackoffLimit() != 0) {
            throw new IllegalStateException("backoffLimit must be 0 (retries are the pod failure policy's), was "
                    + spec.getBackoffLimit());
        }
    }
}
