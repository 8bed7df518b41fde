package dev.nightshift.server.cost;

import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.FieldError;
import dev.nightshift.server.system.ProblemType;
import dev.nightshift.server.system.QueryParameters;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/reports/cost}: what investigations created in a window cost, in total, by
 * tier, by domain and by source, and how much of it the most expensive tenth took.
 */
@RestController
class CostReportController {

    static final Duration DEFAULT_WINDOW = Duration.ofDays(30);

    /** {@code CostTotals}: USD; an investigation with several domains counts in each of them. */
    record Totals(String key, long investigations, long llmCalls, long inputTokens, long outputTokens,
            BigDecimal llmCost, BigDecimal computeCost, BigDecimal total) {}

    /**
     * {@code CostReport}.
     *
     * @param top10PercentShare the share of {@code total} taken by the most expensive tenth of the
     *     investigations (at least one); {@code null} when nothing cost anything
     */
    record Report(Instant from, Instant to, String currency, Totals total, List<Totals> byTier,
            List<Totals> byDomain, List<Totals> bySource, Integer top10PercentCount, BigDecimal top10PercentShare,
            List<Top> top) {}

    /** {@code CostTopInvestigation}: one of the ten costliest investigations of the window. */
    record Top(java.util.UUID id, String title, String tier, BigDecimal llmCost, BigDecimal computeCost,
            BigDecimal total) {}

    private static final String COSTS = """
            WITH c AS (
                SELECT i.id, i.title, i.tier, i.source, coalesce(k.llm_calls, 0) AS calls,
                       coalesce(k.input_tokens, 0) AS tin, coalesce(k.output_tokens, 0) AS tout,
                       coalesce(k.llm_cost, 0) AS llm, coalesce(k.compute_cost, 0) AS compute
                FROM investigations i LEFT JOIN investigation_costs k ON k.investigation_id = i.id
                WHERE i.created_at >= ? AND i.created_at < ?)
            """;
    private static final String SUMS = "count(*), coalesce(sum(calls), 0), coalesce(sum(tin), 0), "
            + "coalesce(sum(tout), 0), coalesce(sum(llm), 0), coalesce(sum(compute), 0), coalesce(sum(llm + compute), 0)";

    private final JdbcClient jdbc;
    private final Clock clock;

    CostReportController(JdbcClient jdbc, Clock clock) {
        this.jdbc = jdbc;
        this.clock = clock;
    }

    @GetMapping(path = "/api/v1/reports/cost", produces = MediaType.APPLICATION_JSON_VALUE)
    Report cost(@RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        List<FieldError> errors = new ArrayList<>();
        Instant end = QueryParameters.instant("to", to, errors);
        Instant start = QueryParameters.instant("from", from, errors);
        if (!errors.isEmpty()) {
            throw new ApiException(ProblemType.VALIDATION, "Invalid query parameters.", errors);
        }
        end = end == null ? clock.instant() : end;
        start = start == null ? end.minus(DEFAULT_WINDOW) : start;
        if (!start.isBefore(end)) {
            throw ApiException.invalid("to", "must be after from");
        }
        Timestamp a = Timestamp.from(start);
        Timestamp b = Timestamp.from(end);
        Totals total = jdbc.sql(COSTS + "SELECT 'all', " + SUMS + " FROM c").params(a, b).query(this::totals).single();
        List<Totals> byTier = grouped("SELECT tier, " + SUMS + " FROM c GROUP BY tier ORDER BY 8 DESC, 1", a, b);
        List<Totals> bySource = grouped("SELECT lower(source), " + SUMS + " FROM c GROUP BY source ORDER BY 8 DESC, 1",
                a, b);
        List<Totals> byDomain = grouped("SELECT lower(d.domain), " + SUMS
                + " FROM c JOIN investigation_domains d ON d.investigation_id = c.id GROUP BY d.domain ORDER BY 8 DESC, 1",
                a, b);
        Integer topCount = null;
        BigDecimal topShare = null;
        if (total.total().signum() > 0) {
            topCount = (int) Math.ceil(total.investigations() / 10.0);
            BigDecimal top = jdbc.sql(COSTS + "SELECT coalesce(sum(t), 0) FROM (SELECT llm + compute AS t FROM c "
                            + "ORDER BY t DESC LIMIT ?) top")
                    .params(a, b, topCount).query(BigDecimal.class).single();
            topShare = top.divide(total.total(), 4, RoundingMode.HALF_UP);
        }
        List<Top> costliest = jdbc.sql(COSTS + """
                        SELECT id, title, tier, llm, compute, llm + compute FROM c WHERE llm + compute > 0
                        ORDER BY 6 DESC, id LIMIT 10""")
                .params(a, b).query((rs, i) -> new Top(rs.getObject(1, java.util.UUID.class), rs.getString(2),
                        rs.getString(3), rs.getBigDecimal(4), rs.getBigDecimal(5), rs.getBigDecimal(6))).list();
        return new Report(start, end, "USD", total, byTier, byDomain, bySource, topCount, topShare, costliest);
    }

    private List<Totals> grouped(String select, Timestamp from, Timestamp to) {
        return jdbc.sql(COSTS + select).params(from, to).query(this::totals).list();
    }

    private Totals totals(ResultSet rs, int row) throws SQLException {
        return new Totals(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5),
                rs.getBigDecimal(6), rs.getBigDecimal(7), rs.getBigDecimal(8));
    }
}
