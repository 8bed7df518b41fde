package dev.nightshift.server.investigation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.nightshift.server.system.UuidV7;
import dev.nightshift.server.trust.TrustPhase;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InvestigationTest {

    private static final Instant T0 = Instant.parse("2026-11-22T02:00:00.123Z");

    private static Investigation queued() {
        return Investigation.queued(new UuidV7().next(T0), "title", "problem", Set.of(Domain.NETWORK),
                Severity.CRITICAL, Map.of(), null, "simple", TrustPhase.SHADOW, Source.API, "otto");
    }

    @Test
    void shouldStartQueuedWithCreationTransitionAtTheIdsInstant() {
        Investigation investigation = queued();
        assertThat(investigation.status()).isEqualTo(InvestigationStatus.QUEUED);
        assertThat(investigation.createdAt()).isEqualTo(T0);
        assertThat(investigation.transitions()).singleElement().satisfies(t -> {
            assertThat(t.from()).isNull();
            assertThat(t.to()).isEqualTo(InvestigationStatus.QUEUED);
            assertThat(t.actor()).isEqualTo("otto");
        });
    }

    @Test
    void shouldRecordEveryRequestedTransitionWithActorReasonAndTime() {
        Investigation investigation = queued();
        Instant later = T0.plusSeconds(3);
        investigation.request(InvestigationStatus.CANCELLED, "olga", "false alarm", later);
        assertThat(investigation.status()).isEqualTo(InvestigationStatus.CANCELLED);
        assertThat(investigation.updatedAt()).isEqualTo(later);
        assertThat(investigation.transitions()).last().satisfies(t -> {
            assertThat(t.from()).isEqualTo(InvestigationStatus.QUEUED);
            assertThat(t.to()).isEqualTo(InvestigationStatus.CANCELLED);
            assertThat(t.actor()).isEqualTo("olga");
            assertThat(t.reason()).isEqualTo("false alarm");
            assertThat(t.at()).isEqualTo(later);
        });
    }

    @Test
    void shouldRefuseRequestsOnTerminalInvestigationsCancelledIncluded() {
        Investigation investigation = queued();
        investigation.request(InvestigationStatus.CANCELLED, "olga", null, T0);
        assertThatThrownBy(() -> investigation.request(InvestigationStatus.CANCELLED, "olga", null, T0))
                .isInstanceOf(IllegalTransitionException.class)
                .hasMessageContaining("is CANCELLED and cannot move to CANCELLED");
        assertThat(investigation.transitions()).hasSize(2);
    }

    @Test
    void shouldIgnoreRepeatedAndLateReports() {
        Investigation investigation = queued();
        assertThat(investigation.report(InvestigationStatus.QUEUED, "runtime", null, T0)).isFalse();
        assertThat(investigation.report(InvestigationStatus.LAUNCHING, "runtime", null, T0)).isTrue();
        assertThat(investigation.report(InvestigationStatus.LAUNCHING, "runtime", null, T0)).isFalse();
        investigation.request(InvestigationStatus.CANCELLED, "olga", null, T0);
        assertThat(investigation.report(InvestigationStatus.RUNNING, "runtime", null, T0)).isFalse();
        assertThat(investigation.status()).isEqualTo(InvestigationStatus.CANCELLED);
        assertThat(investigation.transitions()).extracting(Transition::to).containsExactly(
                InvestigationStatus.QUEUED, InvestigationStatus.LAUNCHING, InvestigationStatus.CANCELLED);
    }

    @Test
    void shouldRecordRunningFirstWhenSuccessOrEscalationArrivesWhileLaunching() {
        for (InvestigationStatus end : new InvestigationStatus[] {InvestigationStatus.SUCCEEDED, InvestigationStatus.ESCALATED}) {
            Investigation investigation = queued();
            investigation.report(InvestigationStatus.LAUNCHING, "runtime", null, T0);
            assertThat(investigation.report(end, "worker", "concluded", T0)).isTrue();
            assertThat(investigation.transitions()).extracting(Transition::to).containsExactly(
                    InvestigationStatus.QUEUED, InvestigationStatus.LAUNCHING, InvestigationStatus.RUNNING, end);
        }
    }

    @Test
    void shouldRefuseReportsThatSkipTheLifecycle() {
        Investigation investigation = queued();
        assertThatThrownBy(() -> investigation.report(InvestigationStatus.SUCCEEDED, "worker", null, T0))
                .isInstanceOf(IllegalTransitionException.class);
        assertThat(investigation.status()).isEqualTo(InvestigationStatus.QUEUED);
    }
}
