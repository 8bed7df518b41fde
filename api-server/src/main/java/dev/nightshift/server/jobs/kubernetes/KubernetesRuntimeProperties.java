package dev.nightshift.server.jobs.kubernetes;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The Kubernetes runtime: one batch/v1 Job per investigation.
 *
 * @param namespace where investigation Jobs run; default {@code nightshift-investigations}
 * @param image the agent-worker image; default {@code ghcr.io/nightshift-dev/agent-worker:0.1.0}
 * @param imagePullPolicy default {@code IfNotPresent}
 * @param ttlSecondsAfterFinished how long Kubernetes keeps an ended Job (and its pod's log); default 3600
 * @param tmpSizeLimit size of the writable {@code /tmp} of the otherwise read-only pod; default {@code 256Mi}
 * @param apiUrl the api-server URL workers call; default {@code http://nightshift-api.nightshift.svc:8080}
 * @param kafkaBootstrapServers handed to workers as {@code KAFKA_BOOTSTRAP_SERVERS} when set
 * @param jobTemplate an optional Job YAML (mounted from a ConfigMap) merged under the built Job for
 *     site-specific fields such as tolerations, node selectors or annotations
 * @param qps sustained requests per second to the Kubernetes API; default 10
 * @param burst requests allowed in a burst above {@code qps}; default 20
 * @param logArchiveLimitBytes the most of a pod's log archived when its Job ends; default 10 MiB
 * @param apiServerUrl the Kubernetes API to use without credentials (a local proxy such as
 *     {@code kubectl proxy}); by default the in-cluster service account or {@code ~/.kube/config}
 */
@ConfigurationProperties("nightshift.runtime.kubernetes")
public record KubernetesRuntimeProperties(
        @DefaultValue("nightshift-investigations") String namespace,
        @DefaultValue("ghcr.io/nightshift-dev/agent-worker:0.1.0") String image,
        @DefaultValue("IfNotPresent") String imagePullPolicy,
        @DefaultValue("3600") int ttlSecondsAfterFinished,
        @DefaultValue("256Mi") String tmpSizeLimit,
        @DefaultValue("http://nightshift-api.nightshift.svc:8080") String apiUrl,
        String kafkaBootstrapServers,
        Path jobTemplate,
        @DefaultValue("10") double qps,
        @DefaultValue("20") int burst,
        @DefaultValue("10485760") long logArchiveLimitBytes,
        String apiServerUrl) {}
