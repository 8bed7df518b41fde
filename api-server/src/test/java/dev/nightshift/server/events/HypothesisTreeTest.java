package dev.nightshift.server.events;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class HypothesisTreeTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final List<StoredEvent> events = new ArrayList<>();

    private void event(String type, String payload) {
        events.add(new StoredEvent(events.size() + 1, UUID.randomUUID(), UUID.randomUUID(), 1, events.size(), type,
                Instant.now(), null, JSON.readTree(payload), 1));
    }

    @Test
    void shouldFoldProposalsEvidenceUpdatesAndRefinementsInOrder() {
        event("STARTED", "{}");
        event("HYPOTHESIS_PROPOSED", """
                {"id":"h1","statement":"database connection pool exhausted","domain":"database","confidence":0.5}""");
        event("HYPOTHESIS_PROPOSED", """
                {"id":"h2","statement":"network partition","domain":"network","confidence":0.3}""");
        event("EVIDENCE_COLLECTED", """
                {"hypothesisId":"h1","tool":"prometheus","query":"pg_stat_activity_count","summary":"100/100 in use","verdict":"supports"}""");
        event("HYPOTHESIS_PROPOSED", """
                {"id":"h1a","parentId":"h1","statement":"slow queries hold connections","domain":"database","confidence":0.6}""");
        event("HYPOTHESIS_UPDATED", """
                {"id":"h2","status":"refuted","confidence":0.05}""");
        event("HYPOTHESIS_UPDATED", """
                {"id":"h1a","status":"confirmed","confidence":0.9}""");
        event("EVIDENCE_COLLECTED", """
                {"hypothesisId":"unknown","tool":"logs","query":"x","summary":"y","verdict":"refutes"}""");

        List<HypothesisTree.Hypothesis> roots = HypothesisTree.from(events);

        assertThat(roots).extracting(HypothesisTree.Hypothesis::id).containsExactly("h1", "h2");
        HypothesisTree.Hypothesis pool = roots.get(0);
        assertThat(pool.status()).isEqualTo("proposed");
        assertThat(pool.evidence()).singleElement().satisfies(evidence -> {
            assertThat(evidence.position()).isEqualTo(4);
            assertThat(evidence.tool()).isEqualTo("prometheus");
            assertThat(evidence.verdict()).isEqualTo("supports");
        });
        assertThat(pool.children()).singleElement().satisfies(child -> {
            assertThat(child.id()).isEqualTo("h1a");
            assertThat(child.status()).isEqualTo("confirmed");
            assertThat(child.confidence()).isEqualTo(0.9);
        });
        assertThat(roots.get(1).status()).isEqualTo("refuted");
        assertThat(roots.get(1).confidence()).isEqualTo(0.05);
    }

    @Test
    void shouldBeEmptyWithoutProposals() {
        event("STATE_CHANGED", "{\"to\":\"QUEUED\"}");
        assertThat(HypothesisTree.from(events)).isEmpty();
    }
}
