package dev.nightshift.server.investigation;

import com.fasterxml.jackson.annotation.JsonUnwrapped;
import dev.nightshift.server.cost.CostLedger;
import dev.nightshift.server.trust.TrustPhase;
import java.time.Instant;
import java.util.List;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;

/** What the API returns; shapes are those of openapi.yaml. */
public final class InvestigationViews {

    private InvestigationViews() {}

    /** {@code InvestigationSummary}: an investigation without its transitions, as listed. */
    public record Summary(
            UUID id,
            String title,
            String problem,
            SortedSet<Domain> domains,
            Severity severity,
            SortedMap<String, String> labels,
            Target target,
            String tier,
            TrustPhase trustPhase,
            InvestigationStatus status,
            Source source,
            String createdBy,
            Instant createdAt,
            Instant updatedAt) {}

    /**
     * {@code Investigation}: the summary, its place in the queue while {@code QUEUED} (1 is next;
     * otherwise {@code null}), its cost ledger, and every transition, oldest first.
     */
    public record Detail(@JsonUnwrapped Summary summary, Long queuePosition, CostLedger cost,
            List<TransitionView> transitions) {}

    public record TransitionView(InvestigationStatus from, InvestigationStatus to, Instant at, String actor, String reason) {}

    /** {@code InvestigationPage}. */
    public record Page(List<Summary> items, String nextCursor) {}

    static Summary summary(Investigation investigation) {
        return new Summary(investigation.id(), investigation.title(), investigation.problem(),
                new TreeSet<>(investigation.domains()), investigation.severity(),
                new TreeMap<>(investigation.labels()), investigation.target(), investigation.tier(),
                investigation.trustPhase(), investigation.status(), investigation.source(),
                investigation.createdBy(), investigation.createdAt(), investigation.updatedAt());
    }

    static Detail detail(Investigation investigation, Long queuePosition, CostLedger cost) {
        return new Detail(summary(investigation), queuePosition, cost, investigation.transitions().stream()
                .map(t -> new TransitionView(t.from(), t.to(), t.at(), t.actor(), t.reason()))
                .toList());
    }
}
