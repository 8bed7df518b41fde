package dev.nightshift.server.vault;

import dev.nightshift.server.trust.TrustPhase;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Vault, optional: without {@code uri} workers get no secrets and say so. With it, each worker
 * attempt gets its own response-wrapped token from the phase's token role, and reads the same
 * paths in every phase; the phase's policy grants or denies them.
 *
 * @param uri e.g. {@code https://vault.vault:8200}; unset (default) for no Vault
 * @param authentication how the api-server logs in: {@code TOKEN}, {@code APPROLE} or {@code KUBERNETES}
 * @param token for {@code TOKEN}
 * @param tokenRoles per phase, the token role ({@code auth/token/create/<role>}); default {@code nightshift-<phase slug>}
 * @param policies per phase, the policies asked for; default {@code nightshift-agent-<phase slug>}
 * @param wrapTtl how long the wrapping token may wait to be unwrapped; default 60 seconds
 * @param grace added to the remaining Job deadline for the token's TTL; default 2 minutes
 * @param maxTtl the explicit max TTL of every token; default 2 hours
 * @param kvMount the KV version 2 mount of Nightshift's secrets; default {@code nightshift}
 * @param extraPaths further paths every worker reads (dynamic database or cloud credentials)
 * @param timeout per call to Vault; default 5 seconds
 */
@ConfigurationProperties("nightshift.vault")
public record VaultProperties(URI uri, @DefaultValue("TOKEN") Authentication authentication, String token,
        @DefaultValue AppRole appRole, @DefaultValue Kubernetes kubernetes, Map<TrustPhase, String> tokenRoles,
        Map<TrustPhase, List<String>> policies, @DefaultValue("60s") Duration wrapTtl,
        @DefaultValue("2m") Duration grace, @DefaultValue("2h") Duration maxTtl,
        @DefaultValue("nightshift") String kvMount, List<String> extraPaths, @DefaultValue("5s") Duration timeout) {

    public enum Authentication { TOKEN, APPROLE, KUBERNETES }

    public record AppRole(@DefaultValue("approle") String path, String roleId, String secretId) {
        @Override
        public String toString() {
            return "AppRole[path=" + path + ", roleId=" + roleId + ", secretId=(redacted)]";
        }
    }

    /** @param jwtPath the api-server's own service account token */
    public record Kubernetes(@DefaultValue("kubernetes") String path, String role,
            @DefaultValue("/var/run/secrets/kubernetes.io/serviceaccount/token") Path jwtPath) {}

    public VaultProperties {
        tokenRoles = tokenRoles == null ? Map.of() : Map.copyOf(tokenRoles);
        policies = policies == null ? Map.of() : Map.copyOf(policies);
        extraPaths = extraPaths == null ? List.of() : List.copyOf(extraPaths);
    }

    public boolean enabled() {
        return uri != null;
    }

    public String tokenRole(TrustPhase phase) {
        return tokenRoles.getOrDefault(phase, "nightshift-" + phase.slug());
    }

    public List<String> policies(TrustPhase phase) {
        return policies.getOrDefault(phase, List.of("nightshift-agent-" + phase.slug()));
    }

    @Override
    public String toString() {
        return "VaultProperties[uri=" + uri + ", authentication=" + authentication + ", token=(redacted)]";
    }
}
