package dev.nightshift.server.cost;

import java.math.BigDecimal;

/**
 * {@code CostLedger}: what one investigation consumed and cost, in USD.
 *
 * @param reasoningCycles the cycles its worker reported at the end; {@code null} until then
 */
public record CostLedger(int llmCalls, long inputTokens, long outputTokens, BigDecimal llmCost,
        BigDecimal computeSeconds, BigDecimal computeCost, BigDecimal total, Integer reasoningCycles) {

    public static final CostLedger EMPTY = new CostLedger(0, 0, 0, BigDecimal.ZERO, BigDecimal.ZERO, BigDecimal.ZERO,
            BigDecimal.ZERO, null);
}
