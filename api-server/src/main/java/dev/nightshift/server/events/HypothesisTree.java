package dev.nightshift.server.events;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * The hypothesis tree of an investigation, folded from its events in order: a
 * {@code HYPOTHESIS_PROPOSED} adds a node (under its {@code parentId} when it refines one),
 * {@code EVIDENCE_COLLECTED} attaches evidence, {@code HYPOTHESIS_UPDATED} changes status and
 * confidence. Events about hypotheses never proposed are ignored, as are unknown types.
 */
public final class HypothesisTree {

    /** One piece of evidence for or against a hypothesis. */
    public record Evidence(long position, String tool, String query, String summary, String verdict) {}

    /** A hypothesis with its evidence and refinements. */
    public record Hypothesis(String id, String statement, String domain, String status, double confidence,
            List<Evidence> evidence, List<Hypothesis> children) {}

    private static final class Node {
        final String id;
        final String parentId;
        final String statement;
        final String domain;
        String status = "proposed";
        double confidence;
        final List<Evidence> evidence = new ArrayList<>();
        final List<Node> children = new ArrayList<>();

        Node(JsonNode payload) {
            this.id = payload.path("id").asString();
            this.parentId = payload.path("parentId").isString() ? payload.path("parentId").asString() : null;
            this.statement = payload.path("statement").asString("");
            this.domain = payload.path("domain").asString("");
            this.confidence = payload.path("confidence").asDouble(0);
        }

        Hypothesis view() {
            return new Hypothesis(id, statement, domain, status, confidence, List.copyOf(evidence),
                    children.stream().map(Node::view).toList());
        }
    }

    private HypothesisTree() {}

    /** The roots of the tree, in the order they were proposed. */
    public static List<Hypothesis> from(List<StoredEvent> events) {
        Map<String, Node> nodes = new LinkedHashMap<>();
        List<Node> roots = new ArrayList<>();
        for (StoredEvent event : events) {
            JsonNode payload = event.payload();
            switch (event.type()) {
                case "HYPOTHESIS_PROPOSED" -> {
                    Node node = new Node(payload);
                    if (node.id.isEmpty() || nodes.containsKey(node.id)) {
                        continue;
                    }
                    nodes.put(node.id, node);
                    Node parent = node.parentId == null ? null : nodes.get(node.parentId);
                    (parent == null ? roots : parent.children).add(node);
                }
                case "EVIDENCE_COLLECTED" -> {
                    Node node = nodes.get(payload.path("hypothesisId").asString());
                    if (node != null) {
                        node.evidence.add(new Evidence(event.position(), payload.path("tool").asString(""),
                                payload.path("query").asString(""), payload.path("summary").asString(""),
                                payload.path("verdict").asString("")));
                    }
                }
                case "HYPOTHESIS_UPDATED" -> {
                    Node node = nodes.get(payload.path("id").asString());
                    if (node != null) {
                        node.status = payload.path("status").asString(node.status);
                        node.confidence = payload.path("confidence").asDouble(node.confidence);
                    }
                }
                default -> {
                    // other types do not shape the tree
                }
            }
        }
        return roots.stream().map(Node::view).toList();
    }
}
