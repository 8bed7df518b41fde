package dev.nightshift.server.investigation;

import static dev.nightshift.server.investigation.InvestigationStatus.CANCELLED;
import static dev.nightshift.server.investigation.InvestigationStatus.ESCALATED;
import static dev.nightshift.server.investigation.InvestigationStatus.FAILED;
import static dev.nightshift.server.investigation.InvestigationStatus.LAUNCHING;
import static dev.nightshift.server.investigation.InvestigationStatus.QUEUED;
import static dev.nightshift.server.investigation.InvestigationStatus.RUNNING;
import static dev.nightshift.server.investigation.InvestigationStatus.SUCCEEDED;
import static dev.nightshift.server.investigation.InvestigationStatus.TIMED_OUT;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InvestigationStatusTest {

    /** The lifecycle of the foundation issue, written out pair by pair. */
    private static final Map<InvestigationStatus, Set<InvestigationStatus>> LEGAL = Map.of(
            QUEUED, EnumSet.of(LAUNCHING, FAILED, TIMED_OUT, CANCELLED),
            LAUNCHING, EnumSet.of(RUNNING, FAILED, TIMED_OUT, CANCELLED),
            RUNNING, EnumSet.of(SUCCEEDED, FAILED, TIMED_OUT, ESCALATED, CANCELLED),
            SUCCEEDED, EnumSet.noneOf(InvestigationStatus.class),
            FAILED, EnumSet.noneOf(InvestigationStatus.class),
            TIMED_OUT, EnumSet.noneOf(InvestigationStatus.class),
            ESCALATED, EnumSet.noneOf(InvestigationStatus.class),
            CANCELLED, EnumSet.noneOf(InvestigationStatus.class));

    @Test
    void shouldAllowExactlyTheLifecycleTransitions() {
        for (InvestigationStatus from : InvestigationStatus.values()) {
            for (InvestigationStatus to : InvestigationStatus.values()) {
                assertThat(from.canMoveTo(to)).as("%s -> %s", from, to).isEqualTo(LEGAL.get(from).contains(to));
            }
        }
    }

    @Test
    void shouldCallOnlyEndStatesTerminal() {
        assertThat(EnumSet.allOf(InvestigationStatus.class).stream().filter(InvestigationStatus::isTerminal))
                .containsExactlyInAnyOrder(SUCCEEDED, FAILED, TIMED_OUT, ESCALATED, CANCELLED);
    }
}
