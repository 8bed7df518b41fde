package dev.nightshift.server.action;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A request to the Kubernetes API as the approval proxy sees it: the verb, and the resource it
 * names, parsed from the REST path ({@code /api/v1/namespaces/shop/pods/web-0},
 * {@code /apis/apps/v1/namespaces/shop/deployments/web/scale}, {@code /api/v1/nodes/n1}).
 *
 * @param verb the Kubernetes verb: get, list, watch, create, update, patch, delete, deletecollection
 * @param resource the plural resource ({@code deployments}); null for a path that names none (discovery)
 * @param subresource {@code scale}, {@code status}, {@code eviction}, {@code log}, ...; null if none
 */
public record KubectlCall(String method, String verb, String group, String resource, String subresource,
        String namespace, String name) {

    /** Deleting one of these loses state or availability beyond a restart. */
    static final Set<String> GUARDED_DELETES = Set.of("deployments", "statefulsets", "daemonsets", "namespaces",
            "persistentvolumeclaims", "persistentvolumes", "secrets");
    /** Workloads whose image and resource limits production changes guard. */
    static final Set<String> WORKLOADS = Set.of("deployments", "statefulsets", "daemonsets", "replicasets", "pods",
            "jobs", "cronjobs", "replicationcontrollers");
    /** Subresources that open an interactive stream into a container: never through the proxy. */
    static final Set<String> STREAMS = Set.of("exec", "attach", "portforward", "proxy");

    private static final Pattern YAML_GUARDED_KEY = Pattern.compile("(?m)^\\s*-?\\s*\"?(image|limits)\"?\\s*:");

    public boolean stream() {
        return subresource != null && STREAMS.contains(subresource);
    }

    /** The resource with its subresource, as RBAC names it ({@code deployments/scale}). */
    public String rbacResource() {
        return resource == null ? "(none)" : subresource == null ? resource : resource + "/" + subresource;
    }

    /**
     * @param path the API path without the proxy's prefix or the query
     * @param query the raw query string, or null
     */
    public static KubectlCall parse(String method, String path, String query) {
        List<String> segments = new ArrayList<>(Arrays.stream(path.split("/")).filter(s -> !s.isEmpty()).toList());
        String group = null;
        List<String> rest = List.of();
        boolean watchPath = false;
        if (segments.size() >= 2 && segments.get(0).equals("api")) {
            group = "";
            rest = segments.subList(2, segments.size());
        } else if (segments.size() >= 3 && segments.get(0).equals("apis")) {
            group = segments.get(1);
            rest = segments.subList(3, segments.size());
        }
        if (!rest.isEmpty() && rest.get(0).equals("watch")) {
            watchPath = true;
            rest = rest.subList(1, rest.size());
        }
        String namespace = null;
        String resource = null;
        String name = null;
        String subresource = null;
        boolean namespaced = rest.size() >= 3 && rest.get(0).equals("namespaces")
                && !(rest.size() == 3 && Set.of("status", "finalize").contains(rest.get(2)));
        if (namespaced) {
            namespace = rest.get(1);
            resource = rest.get(2);
            name = rest.size() > 3 ? rest.get(3) : null;
            subresource = rest.size() > 4 ? String.join("/", rest.subList(4, rest.size())) : null;
        } else if (!rest.isEmpty()) {
            resource = rest.get(0);
            name = rest.size() > 1 ? rest.get(1) : null;
            subresource = rest.size() > 2 ? String.join("/", rest.subList(2, rest.size())) : null;
            if (resource.equals("namespaces")) {
                namespace = name;
            }
        }
        boolean watch = watchPath || query != null && Arrays.stream(query.split("&"))
                .anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
        String verb = switch (method) {
            case "GET", "HEAD", "OPTIONS" -> watch ? "watch" : name == null && resource != null ? "list" : "get";
            case "POST" -> "create";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> name == null ? "deletecollection" : "delete";
            default -> method.toLowerCase(java.util.Locale.ROOT);
        };
        return new KubectlCall(method, verb, group, resource, subresource, namespace, name);
    }

    /** The replica count a write sets, if it sets one (a scale subresource or a workload's spec). */
    public Integer replicas(String body, ObjectMapper json) {
        JsonNode tree = tree(body, json);
        if (tree == null) {
            return null;
        }
        if (tree.isArray()) { // a JSON patch
            for (JsonNode op : tree) {
                if (op.path("path").asString("").equals("/spec/replicas") && op.path("value").isIntegralNumber()) {
                    return op.path("value").asInt();
                }
            }
            return null;
        }
        JsonNode replicas = tree.path("spec").path("replicas");
        return replicas.isIntegralNumber() ? replicas.asInt() : null;
    }

    /** Whether a write touches a container image or resource limits. */
    public boolean changesImageOrLimits(String body, ObjectMapper json) {
        if (body == null || body.isEmpty()) {
            return false;
        }
        JsonNode tree = tree(body, json);
        if (tree == null) {
            return YAML_GUARDED_KEY.matcher(body).find();
        }
        if (tree.isArray()) {
            for (JsonNode op : tree) {
                String p = op.path("path").asString("");
                if (p.contains("/image") || p.contains("/resources") || guarded(op.path("value"))) {
                    return true;
                }
            }
            return false;
        }
        return guarded(tree);
    }

    /** Whether a node update makes it unschedulable: a cordon. */
    public boolean cordons(String body, ObjectMapper json) {
        JsonNode tree = tree(body, json);
        if (tree == null) {
            return body != null && body.contains("unschedulable");
        }
        if (tree.isArray()) {
            for (JsonNode op : tree) {
                if (op.path("path").asString("").endsWith("/unschedulable") && op.path("value").asBoolean(false)) {
                    return true;
                }
            }
            return false;
        }
        return tree.path("spec").path("unschedulable").asBoolean(false);
    }

    private static boolean guarded(JsonNode node) {
        if (node.isObject()) {
            for (var field : node.properties()) {
                if (field.getKey().equals("image") || field.getKey().equals("limits") || guarded(field.getValue())) {
                    return true;
                }
            }
        } else if (node.isArray()) {
            for (JsonNode element : node) {
                if (guarded(element)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static JsonNode tree(String body, ObjectMapper json) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            return json.readTree(body);
        } catch (RuntimeException notJson) {
            return null;
        }
    }
}
