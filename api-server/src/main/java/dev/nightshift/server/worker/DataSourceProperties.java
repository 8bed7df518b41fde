package dev.nightshift.server.worker;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The data sources of each cluster, handed to the workers of that cluster's investigations. For
 * a single cluster, {@code NIGHTSHIFT_PROMETHEUS_URL}, {@code NIGHTSHIFT_ALERTMANAGER_URL},
 * {@code NIGHTSHIFT_LOKI_URL} and {@code NIGHTSHIFT_KUBERNETES_URL} fill the default cluster.
 *
 * @param defaultCluster the cluster of investigations that name none; default {@code default}
 * @param clusters sources by cluster name
 */
@ConfigurationProperties("nightshift.datasources")
public record DataSourceProperties(@DefaultValue("default") String defaultCluster, Map<String, Cluster> clusters) {

    public DataSourceProperties {
        clusters = clusters == null ? Map.of() : Map.copyOf(clusters);
    }

    /** A cluster's sources; each is optional, and one without a URL counts as not configured. */
    public record Cluster(Source prometheus, Source alertmanager, Source kubernetes, Source loki) {

        /** The configured sources, by kind ({@code prometheus}, {@code alertmanager}, ...). */
        Map<String, Source> configured() {
            Map<String, Source> sources = new LinkedHashMap<>();
            List.of(Map.entry("prometheus", nullable(prometheus)), Map.entry("alertmanager", nullable(alertmanager)),
                            Map.entry("kubernetes", nullable(kubernetes)), Map.entry("loki", nullable(loki)))
                    .forEach(entry -> {
                        if (entry.getValue().url() != null && !entry.getValue().url().isBlank()) {
                            sources.put(entry.getKey(), entry.getValue());
                        }
                    });
            return sources;
        }

        private static Source nullable(Source source) {
            return source == null ? new Source(null, null) : source;
        }
    }

    /**
     * One source.
     *
     * @param url its base URL, e.g. {@code http://prometheus:9090}
     * @param auth how to authenticate; none by default
     */
    public record Source(String url, Auth auth) {
        public Source {
            auth = auth == null ? new Auth(Auth.Type.NONE, null, null, null) : auth;
        }
    }

    /**
     * Credentials of a source, handed to the worker over its authenticated registration only.
     *
     * @param type {@code none}, {@code bearer} ({@code token}) or {@code basic} ({@code username}, {@code password})
     */
    public record Auth(@DefaultValue("none") Type type, String token, String username, String password) {
        public enum Type { NONE, BEARER, BASIC }

        @Override
        public String toString() {
            return "Auth[type=" + type + ", credentials=(redacted)]";
        }
    }

    /** The sources for an investigation's cluster, or the default cluster's when it names none. */
    Map<String, Source> forCluster(String cluster) {
        Cluster found = clusters.get(cluster == null || cluster.isBlank() ? defaultCluster : cluster);
        return found == null ? Map.of() : found.configured();
    }
}
