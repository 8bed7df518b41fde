package dev.nightshift.worker;

import java.time.Instant;

/**
 * Bounds the reasoning: a number of cycles (the seed's breaker: 8 single-domain, 15 multi-domain,
 * or twice the p95 of successful runs, as the server computed it), a token budget, and the run's
 * deadline. A trip is never a silent stop: the caller escalates with the evidence so far.
 */
final class CircuitBreaker {

    /** The reasoning must stop now and escalate. */
    static final class Tripped extends Exception {
        Tripped(String reason) {
            super(reason);
        }
    }

    private final Registration.Budgets budgets;
    private int cycles;
    private long tokens;

    CircuitBreaker(Registration.Budgets budgets) {
        this.budgets = budgets;
    }

    /** Starts the next cycle, or trips. */
    void startCycle() throws Tripped {
        if (cycles >= budgets.cycleLimit()) {
            throw new Tripped("circuit breaker: " + budgets.cycleLimit() + " reasoning cycles without a conclusion ("
                    + budgets.cycleLimitReason() + ")");
        }
        if (budgets.tokenBudget() > 0 && tokens >= budgets.tokenBudget()) {
            throw new Tripped("circuit breaker: the token budget of " + budgets.tokenBudget() + " is spent (" + tokens
                    + " tokens)");
        }
        if (Instant.now().isAfter(budgets.deadline())) {
            throw new Tripped("circuit breaker: the run's deadline is near (" + budgets.deadline() + ")");
        }
        cycles++;
        Tracing.current().cycle(cycles);
    }

    void spend(long inputTokens, long outputTokens) {
        tokens += inputTokens + outputTokens;
    }

    int cycles() {
        return cycles;
    }
}
