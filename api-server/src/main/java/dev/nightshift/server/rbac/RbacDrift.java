package dev.nightshift.server.rbac;

import dev.nightshift.server.action.Cluster;
import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.ProblemType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Compares what the agent and executor service accounts may do in the cluster now with what the
 * chart grants them in the configured phase ({@code rbac-expected.json}, rendered by the chart
 * into a ConfigMap): every live permission beyond it is a widening. Permissions are compared as
 * {@code namespace apiGroup/resource:verb} (namespace {@code *} for cluster-wide); a wildcard that
 * the chart does not grant is a widening too.
 */
public class RbacDrift {

    /** {@code RbacDrift}. */
    public record Report(String phase, boolean ok, List<IdentityReport> identities) {}

    /**
     * @param widened live permissions the chart does not grant
     * @param missing permissions the chart grants that are not live (a failed install, not a risk)
     * @param bindings the bindings found for the account, as {@code namespace/kind/name -> roleKind/roleName}
     */
    public record IdentityReport(String name, String serviceAccount, List<String> widened, List<String> missing,
            List<String> bindings) {}

    private static final String RBAC = "/apis/rbac.authorization.k8s.io/v1";

    private final Cluster cluster;
    private final Path expectedFile;
    private final ObjectMapper json;

    RbacDrift(Cluster cluster, Path expectedFile, ObjectMapper json) {
        this.cluster = cluster;
        this.expectedFile = expectedFile;
        this.json = json;
    }

    public Report check() {
        if (cluster == null) {
            throw new ApiException(ProblemType.INVALID_STATE_TRANSITION,
                    "No cluster is configured (nightshift.actions.kubernetes.enabled): there is nothing to compare.");
        }
        if (expectedFile == null || !Files.isReadable(expectedFile)) {
            throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "No readable nightshift.rbac.expected-file: "
                    + "the chart mounts it from its rbac-expected ConfigMap.");
        }
        JsonNode expected;
        try {
            expected = json.readTree(Files.readString(expectedFile));
        } catch (IOException e) {
            throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "Cannot read " + expectedFile + ": "
                    + e.getMessage());
        }
        try {
            JsonNode roleBindings = cluster.get(null, RBAC + "/rolebindings");
            JsonNode clusterRoleBindings = cluster.get(null, RBAC + "/clusterrolebindings");
            List<IdentityReport> reports = new ArrayList<>();
            for (JsonNode identity : expected.path("identities")) {
                reports.add(compare(identity, roleBindings, clusterRoleBindings));
            }
            return new Report(expected.path("phase").asString(""),
                    reports.stream().allMatch(r -> r.widened().isEmpty()), reports);
        } catch (IOException e) {
            throw new ApiException(ProblemType.SERVICE_UNAVAILABLE, "The Kubernetes API did not answer: "
                    + e.getMessage());
        }
    }

    private IdentityReport compare(JsonNode identity, JsonNode roleBindings, JsonNode clusterRoleBindings)
            throws IOException {
        String account = identity.path("serviceAccount").asString();
        String namespace = identity.path("namespace").asString();
        Set<String> expected = new TreeSet<>();
        for (JsonNode target : identity.path("targetNamespaces")) {
            expected.addAll(permissions(target.asString(), identity.path("rules")));
        }
        expected.addAll(permissions("*", identity.path("clusterRules")));
        Set<String> live = new TreeSet<>();
        List<String> bindings = new ArrayList<>();
        for (JsonNode binding : items(roleBindings)) {
            if (binds(binding, account, namespace)) {
                String bindingNamespace = binding.path("metadata").path("namespace").asString();
                JsonNode role = role(binding.path("roleRef"), bindingNamespace);
                bindings.add(bindingNamespace + "/RoleBinding/" + binding.path("metadata").path("name").asString()
                        + " -> " + binding.path("roleRef").path("kind").asString() + "/"
                        + binding.path("roleRef").path("name").asString());
                if (role != null) {
                    live.addAll(permissions(bindingNamespace, role.path("rules")));
                }
            }
        }
        for (JsonNode binding : items(clusterRoleBindings)) {
            if (binds(binding, account, namespace)) {
                JsonNode role = role(binding.path("roleRef"), null);
                bindings.add("*/ClusterRoleBinding/" + binding.path("metadata").path("name").asString() + " -> ClusterRole/"
                        + binding.path("roleRef").path("name").asString());
                if (role != null) {
                    live.addAll(permissions("*", role.path("rules")));
                }
            }
        }
        List<String> widened = live.stream().filter(p -> !expected.contains(p)).toList();
        List<String> missing = expected.stream().filter(p -> !live.contains(p)).toList();
        return new IdentityReport(identity.path("name").asString(), "system:serviceaccount:" + namespace + ":" + account,
                widened, missing, bindings);
    }

    private JsonNode role(JsonNode roleRef, String namespace) throws IOException {
        String name = roleRef.path("name").asString();
        return roleRef.path("kind").asString().equals("ClusterRole")
                ? cluster.get(null, RBAC + "/clusterroles/" + name)
                : cluster.get(null, RBAC + "/namespaces/" + namespace + "/roles/" + name);
    }

    private static boolean binds(JsonNode binding, String account, String namespace) {
        for (JsonNode subject : binding.path("subjects")) {
            if (subject.path("kind").asString().equals("ServiceAccount") && subject.path("name").asString().equals(account)
                    && subject.path("namespace").asString().equals(namespace)) {
                return true;
            }
        }
        return false;
    }

    /** Rules expanded to one permission per group, resource and verb. */
    private static Set<String> permissions(String namespace, JsonNode rules) {
        Set<String> permissions = new TreeSet<>();
        for (JsonNode rule : rules) {
            for (JsonNode group : rule.path("apiGroups")) {
                for (JsonNode resource : rule.path("resources")) {
                    for (JsonNode verb : rule.path("verbs")) {
                        permissions.add(namespace + " " + group.asString() + "/" + resource.asString() + ":"
                                + verb.asString());
                    }
                }
            }
        }
        return permissions;
    }

    private static Iterable<JsonNode> items(JsonNode list) {
        return list == null ? List.of() : list.path("items");
    }
}
