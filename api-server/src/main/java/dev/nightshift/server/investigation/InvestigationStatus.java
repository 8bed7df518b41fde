package dev.nightshift.server.investigation;

import dev.nightshift.server.system.WireEnum;
import java.util.EnumSet;
import java.util.Set;

/**
 * The lifecycle of an investigation, and the one place that says which transitions are legal:
 * {@code QUEUED → LAUNCHING → RUNNING → SUCCEEDED | FAILED | TIMED_OUT | ESCALATED};
 * {@code CANCELLED} from any non-terminal state; {@code FAILED} and {@code TIMED_OUT} also from
 * {@code QUEUED} and {@code LAUNCHING}.
 */
public enum InvestigationStatus implements WireEnum {
    /** Accepted and stored; waiting for a free slot to launch. */
    QUEUED,
    /** The Job (or local process) is being created; it has not started running. */
    LAUNCHING,
    /** The pod runs, or the local process has started. */
    RUNNING,
    /** The agent concluded with a diagnosis. */
    SUCCEEDED,
    /** The launch or the agent failed. */
    FAILED,
    /** The deadline passed before the agent concluded. */
    TIMED_OUT,
    /** The agent handed over to a human, with the evidence so far. */
    ESCALATED,
    /** Stopped on request. */
    CANCELLED;

    private static final Set<InvestigationStatus> TERMINAL = EnumSet.of(SUCCEEDED, FAILED, TIMED_OUT, ESCALATED, CANCELLED);

    public boolean isTerminal() {
        return TERMINAL.contains(this);
    }

    /** Whether the lifecycle allows moving from this state straight to {@code next}. */
    public boolean canMoveTo(InvestigationStatus next) {
        return switch (this) {
            case QUEUED -> next == LAUNCHING || next == FAILED || next == TIMED_OUT || next == CANCELLED;
            case LAUNCHING -> next == RUNNING || next == FAILED || next == TIMED_OUT || next == CANCELLED;
            case RUNNING -> next.isTerminal();
            case SUCCEEDED, FAILED, TIMED_OUT, ESCALATED, CANCELLED -> false;
        };
    }

    @Override
    public String wire() {
        return name();
    }
}
