package dev.nightshift.server.investigation;

import com.fasterxml.jackson.annotation.JsonInclude;
import jakarta.persistence.Column;
import jakarta.persistence.Embeddable;

/**
 * Where to look. Every field is optional.
 *
 * @param cluster a configured cluster name
 * @param namespace a Kubernetes namespace
 * @param workload a workload name, optionally prefixed by its kind ({@code deployment/checkout})
 */
@Embeddable
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Target(
        @Column(name = "target_cluster") String cluster,
        @Column(name = "target_namespace") String namespace,
        @Column(name = "target_workload") String workload) {

    boolean isEmpty() {
        return cluster == null && namespace == null && workload == null;
    }
}
