package dev.nightshift.server.action;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How proposed actions and held kubectl calls are decided and carried out (the policy itself is
 * {@link ActionPolicyProperties}).
 *
 * @param approvalTtl how long a gateway action waits for a human before it expires; default 30 minutes
 * @param holdTimeout how long a held kubectl call waits for a human before it expires; default 5 minutes
 * @param sweepInterval how often expired approvals are swept; default 5 seconds
 * @param cacheWebhooks the cache-clear webhooks an agent may ask to call, by name
 * @param kubernetes the cluster the executor and the kubectl proxy talk to
 */
@ConfigurationProperties("nightshift.actions")
public record ActionProperties(@DefaultValue("30m") Duration approvalTtl, @DefaultValue("5m") Duration holdTimeout,
        @DefaultValue("5s") Duration sweepInterval, Map<String, URI> cacheWebhooks,
        @DefaultValue Kubernetes kubernetes) {

    public ActionProperties {
        cacheWebhooks = cacheWebhooks == null ? Map.of() : Map.copyOf(cacheWebhooks);
    }

    /**
     * The cluster. The server never hands its own rights to anyone: it impersonates the agent's
     * read-only service account to forward kubectl reads and the executor's service account to carry
     * out approved writes, so the cluster's RBAC, not this server, bounds both.
     *
     * @param enabled whether actions and the kubectl proxy reach a cluster; without one, approved
     *     actions fail with a clear reason and the proxy answers 503
     * @param apiServerUrl the Kubernetes API; unset for the in-cluster configuration
     * @param tokenFile a bearer token file read on every call (a projected token rotates); optional
     * @param verifyTls whether to verify the API server's certificate with an explicit URL; default true
     * @param executorIdentity the user impersonated for writes
     * @param agentIdentity the user impersonated for reads; {@code {phase}} becomes the phase's slug
     * @param timeout per call; default 10 seconds
     */
    public record Kubernetes(@DefaultValue("false") boolean enabled, URI apiServerUrl, Path tokenFile,
            @DefaultValue("true") boolean verifyTls,
            @DefaultValue("system:serviceaccount:nightshift-investigations:nightshift-executor") String executorIdentity,
            @DefaultValue("system:serviceaccount:nightshift-investigations:agent-phase-{phase}") String agentIdentity,
            @DefaultValue("10s") Duration timeout) {}
}
