package dev.nightshift.worker;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The investigation's reasoning as it happens: hypotheses (proposed, refined into children,
 * supported, refuted, confirmed, rejected) and the evidence for and against them. Every change is
 * an event, so the on-call engineer watches it think.
 */
final class Trail {

    /** One hypothesis and what is known about it. */
    static final class Hypothesis {
        final String id;
        final String parentId;
        final String statement;
        final String domain;
        double confidence;
        String status = "proposed";

        Hypothesis(String id, String parentId, String statement, String domain, double confidence) {
            this.id = id;
            this.parentId = parentId;
            this.statement = statement;
            this.domain = domain;
            this.confidence = confidence;
        }
    }

    private final EventPublisher events;
    private final Map<String, Hypothesis> hypotheses = new LinkedHashMap<>();
    private final List<String> evidence = new ArrayList<>();

    Trail(EventPublisher events) {
        this.events = events;
    }

    Hypothesis propose(Hypothesis parent, String statement, String domain, double confidence) {
        Hypothesis hypothesis = new Hypothesis("h" + (hypotheses.size() + 1), parent == null ? null : parent.id,
                statement, domain, clamp(confidence));
        hypotheses.put(hypothesis.id, hypothesis);
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("id", hypothesis.id);
        if (parent != null) {
            payload.put("parentId", parent.id);
        }
        payload.put("statement", statement);
        payload.put("domain", domain);
        payload.put("confidence", hypothesis.confidence);
        events.publish("HYPOTHESIS_PROPOSED", payload);
        return hypothesis;
    }

    Hypothesis hypothesis(String id) {
        return hypotheses.get(id);
    }

    /** Records what a tool said about a hypothesis. */
    void evidence(Hypothesis hypothesis, String tool, String query, ToolResult result, boolean supports) {
        String summary = Tools.cut(result.text().strip(), 500);
        evidence.add(tool + " " + query + " -> " + (supports ? "supports " : "refutes ") + hypothesis.id + ": "
                + Tools.cut(summary.replace('\n', ';'), 200));
        events.publish("EVIDENCE_COLLECTED", Map.of("hypothesisId", hypothesis.id, "tool", tool, "query", query,
                "summary", summary, "verdict", supports ? "supports" : "refutes"));
    }

    void update(Hypothesis hypothesis, String status, double confidence) {
        hypothesis.status = status;
        hypothesis.confidence = clamp(confidence);
        Tracing.current().decision(hypothesis.statement, hypothesis.confidence);
        events.publish("HYPOTHESIS_UPDATED", Map.of("id", hypothesis.id, "status", status,
                "confidence", hypothesis.confidence));
    }

    /** The evidence so far, oldest first, one line each. */
    List<String> evidence() {
        return List.copyOf(evidence);
    }

    List<Hypothesis> hypotheses() {
        return List.copyOf(hypotheses.values());
    }

    private static double clamp(double confidence) {
        return Math.round(Math.max(0, Math.min(1, confidence)) * 100) / 100.0;
    }
}
