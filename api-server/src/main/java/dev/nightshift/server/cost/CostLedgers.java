package dev.nightshift.server.cost;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/**
 * Each investigation's cost ledger, kept by the server from what it observes: {@code LLM_CALLED}
 * events, the cycles in the final event, and the run's time between {@code RUNNING} and its end.
 * Every update is an upsert of increments, so the callers (event ingest, the state machine) stay
 * idempotent by storing each event once.
 */
@Repository
public class CostLedgers {

    private static final BigDecimal SECONDS_PER_HOUR = BigDecimal.valueOf(3600);

    private final JdbcClient jdbc;
    private final CostProperties properties;
    private final Clock clock;

    CostLedgers(JdbcClient jdbc, CostProperties properties, Clock clock) {
        this.jdbc = jdbc;
        this.properties = properties;
        this.clock = clock;
    }

    public void recordLlmCall(UUID investigationId, long inputTokens, long outputTokens, BigDecimal cost) {
        jdbc.sql("""
                        INSERT INTO investigation_costs (investigation_id, llm_calls, input_tokens, output_tokens, llm_cost)
                        VALUES (?, 1, ?, ?, ?)
                        ON CONFLICT (investigation_id) DO UPDATE SET llm_calls = investigation_costs.llm_calls + 1,
                            input_tokens = investigation_costs.input_tokens + excluded.input_tokens,
                            output_tokens = investigation_costs.output_tokens + excluded.output_tokens,
                            llm_cost = investigation_costs.llm_cost + excluded.llm_cost""")
                .params(investigationId, Math.max(0, inputTokens), Math.max(0, outputTokens), cost.max(BigDecimal.ZERO))
                .update();
    }

    public void recordCycles(UUID investigationId, int cycles) {
        jdbc.sql("""
                        INSERT INTO investigation_costs (investigation_id, reasoning_cycles) VALUES (?, ?)
                        ON CONFLICT (investigation_id) DO UPDATE SET reasoning_cycles = excluded.reasoning_cycles""")
                .params(investigationId, cycles)
                .update();
    }

    /** Adds a run's compute time, priced at {@link CostProperties#computePerHour()}. */
    public void recordCompute(UUID investigationId, Duration run) {
        BigDecimal seconds = BigDecimal.valueOf(Math.max(0, run.toMillis())).movePointLeft(3);
        BigDecimal cost = seconds.multiply(properties.computePerHour()).divide(SECONDS_PER_HOUR, 6, RoundingMode.HALF_UP);
        jdbc.sql("""
                        INSERT INTO investigation_costs (investigation_id, compute_seconds, compute_cost) VALUES (?, ?, ?)
                        ON CONFLICT (investigation_id) DO UPDATE SET
                            compute_seconds = investigation_costs.compute_seconds + excluded.compute_seconds,
                            compute_cost = investigation_costs.compute_cost + excluded.compute_cost""")
                .params(investigationId, seconds, cost)
                .update();
    }

    public CostLedger of(UUID investigationId) {
        return jdbc.sql("""
                        SELECT llm_calls, input_tokens, output_tokens, llm_cost, compute_seconds, compute_cost,
                               reasoning_cycles
                        FROM investigation_costs WHERE investigation_id = ?""")
                .param(investigationId)
                .query((rs, i) -> new CostLedger(rs.getInt(1), rs.getLong(2), rs.getLong(3), rs.getBigDecimal(4),
                        rs.getBigDecimal(5), rs.getBigDecimal(6), rs.getBigDecimal(4).add(rs.getBigDecimal(6)),
                        (Integer) rs.getObject(7)))
                .optional().orElse(CostLedger.EMPTY);
    }

    /**
     * The 95th percentile of the reasoning cycles of a tier's successful runs in the window, when
     * there are at least {@code minSamples} of them.
     */
    public Optional<Double> p95Cycles(String tier, Duration window, int minSamples) {
        return jdbc.sql("""
                        SELECT percentile_cont(0.95) WITHIN GROUP (ORDER BY c.reasoning_cycles), count(*)
                        FROM investigation_costs c JOIN investigations i ON i.id = c.investigation_id
                        WHERE i.tier = ? AND i.status = 'SUCCEEDED' AND c.reasoning_cycles IS NOT NULL
                          AND i.created_at >= ?""")
                .params(tier, Timestamp.from(clock.instant().minus(window)))
                .query((rs, i) -> rs.getLong(2) >= minSamples ? Optional.of(rs.getDouble(1)) : Optional.<Double>empty())
                .single();
    }
}
