package dev.nightshift.server.investigation;

import dev.nightshift.server.system.UuidV7;
import dev.nightshift.server.trust.TrustPhase;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Repository;
import org.springframework.transaction.annotation.Transactional;

/**
 * The history query, in SQL because its shape follows the filters. Results are ordered by ID
 * (UUID v7, so newest first) and paged by keyset: every page is an index range, however deep.
 * Which index serves which filter is recorded in {@code V1__investigations.sql}.
 */
@Repository
public class InvestigationQueries {

    private static final String SELECT = """
            SELECT i.id, i.title, i.problem, i.severity, i.target_cluster, i.target_namespace, i.target_workload,
                   i.tier, i.trust_phase, i.status, i.source, i.created_by, i.created_at, i.updated_at,
                   ARRAY(SELECT d.domain FROM investigation_domains d WHERE d.investigation_id = i.id) AS domains,
                   ARRAY(SELECT l.label_key FROM investigation_labels l
                         WHERE l.investigation_id = i.id ORDER BY l.label_key) AS label_keys,
                   ARRAY(SELECT l.label_value FROM investigation_labels l
                         WHERE l.investigation_id = i.id ORDER BY l.label_key) AS label_values
            FROM investigations i
            """;

    private final NamedParameterJdbcTemplate jdbc;

    InvestigationQueries(NamedParameterJdbcTemplate jdbc) {
        this.jdbc = jdbc;
    }

    /** One page; {@code nextCursor} is set when more investigations match. */
    @Transactional(readOnly = true)
    public InvestigationViews.Page search(InvestigationSearch search) {
        Query query = query(search);
        List<InvestigationViews.Summary> rows = new ArrayList<>(
                jdbc.query(query.sql(), query.params(), (rs, i) -> summary(rs)));
        String nextCursor = null;
        if (rows.size() > search.limit()) {
            rows.removeLast();
            nextCursor = InvestigationSearch.cursorAfter(rows.getLast().id());
        }
        return new InvestigationViews.Page(rows, nextCursor);
    }

    /**
     * Where a queued investigation stands in dispatch order (most severe first, then oldest):
     * 1 is launched next.
     */
    long queuePosition(UUID id, Severity severity) {
        String sql = "SELECT count(*) + 1 FROM investigations WHERE status = 'QUEUED' AND (" + SEVERITY_RANK
                + " < ? OR (" + SEVERITY_RANK + " = ? AND id < ?))";
        return jdbc.getJdbcTemplate().queryForObject(sql, Long.class, severity.ordinal(), severity.ordinal(), id);
    }

    /** Dispatch order of severities, equal to {@link Severity#ordinal()}; the dispatcher uses it too. */
    public static final String SEVERITY_RANK = "CASE severity WHEN 'CRITICAL' THEN 0 WHEN 'WARNING' THEN 1 ELSE 2 END";

    /** The SQL of a search, one row more than the page to tell whether another page follows. */
    record Query(String sql, MapSqlParameterSource params) {}

    static Query query(InvestigationSearch search) {
        MapSqlParameterSource params = new MapSqlParameterSource();
        // Bounds on the ID: a time range (created_at is the instant inside the ID) and the cursor.
        // They are repeated inside each EXISTS so that PostgreSQL starts the label and domain index
        // scans at the cursor too; it does not carry inequalities across the join on its own.
        List<String> idBounds = new ArrayList<>();
        if (search.createdFrom() != null) {
            idBounds.add(" >= :fromId");
            params.addValue("fromId", UuidV7.lowerBound(search.createdFrom()));
        }
        if (search.createdTo() != null) {
            idBounds.add(" < :toId");
            params.addValue("toId", UuidV7.lowerBound(search.createdTo().plus(Duration.ofMillis(1))));
        }
        if (search.after() != null) {
            idBounds.add(" < :after");
            params.addValue("after", search.after());
        }

        StringBuilder where = new StringBuilder();
        idBounds.forEach(bound -> and(where, "i.id" + bound));
        if (search.createdFrom() != null) {
            and(where, "i.created_at >= :createdFrom");
            params.addValue("createdFrom", Timestamp.from(search.createdFrom()));
        }
        if (search.createdTo() != null) {
            and(where, "i.created_at < :createdTo");
            params.addValue("createdTo", Timestamp.from(search.createdTo()));
        }
        if (search.status() != null) {
            and(where, "i.status = :status");
            params.addValue("status", search.status().name());
        }
        if (search.trustPhase() != null) {
            and(where, "i.trust_phase = :trustPhase");
            params.addValue("trustPhase", search.trustPhase().name());
        }
        if (search.hideShadow()) {
            and(where, "i.trust_phase <> 'SHADOW'");
        }
        if (search.severity() != null) {
            and(where, "i.severity = :severity");
            params.addValue("severity", search.severity().name());
        }
        if (search.source() != null) {
            and(where, "i.source = :source");
            params.addValue("source", search.source().name());
        }
        if (search.domain() != null) {
            and(where, "EXISTS (SELECT 1 FROM investigation_domains d WHERE d.investigation_id = i.id"
                    + " AND d.domain = :domain" + bounds("d.investigation_id", idBounds) + ")");
            params.addValue("domain", search.domain().name());
        }
        int n = 0;
        for (Map.Entry<String, String> label : new TreeMap<>(search.labels()).entrySet()) {
            and(where, "EXISTS (SELECT 1 FROM investigation_labels l" + n + " WHERE l" + n + ".investigation_id = i.id"
                    + " AND l" + n + ".label_key = :labelKey" + n + " AND l" + n + ".label_value = :labelValue" + n
                    + bounds("l" + n + ".investigation_id", idBounds) + ")");
            params.addValue("labelKey" + n, label.getKey());
            params.addValue("labelValue" + n, label.getValue());
            n++;
        }
        if (search.text() != null) {
            and(where, "i.search @@ websearch_to_tsquery('simple', :text)");
            params.addValue("text", search.text());
        }
        params.addValue("limit", search.limit() + 1);
        return new Query(SELECT + where + " ORDER BY i.id DESC LIMIT :limit", params);
    }

    private static String bounds(String column, List<String> idBounds) {
        StringBuilder sql = new StringBuilder();
        idBounds.forEach(bound -> sql.append(" AND ").append(column).append(bound));
        return sql.toString();
    }

    private static void and(StringBuilder where, String condition) {
        where.append(where.isEmpty() ? "WHERE " : " AND ").append(condition);
    }

    private static InvestigationViews.Summary summary(ResultSet rs) throws SQLException {
        TreeSet<Domain> domains = new TreeSet<>();
        for (String domain : strings(rs.getArray("domains"))) {
            domains.add(Domain.valueOf(domain));
        }
        SortedMap<String, String> labels = new TreeMap<>();
        String[] keys = strings(rs.getArray("label_keys"));
        String[] values = strings(rs.getArray("label_values"));
        for (int k = 0; k < keys.length; k++) {
            labels.put(keys[k], values[k]);
        }
        Target target = new Target(rs.getString("target_cluster"), rs.getString("target_namespace"),
                rs.getString("target_workload"));
        return new InvestigationViews.Summary(
                rs.getObject("id", UUID.class),
                rs.getString("title"),
                rs.getString("problem"),
                domains,
                Severity.valueOf(rs.getString("severity")),
                labels,
                target.isEmpty() ? null : target,
                rs.getString("tier"),
                TrustPhase.valueOf(rs.getString("trust_phase")),
                InvestigationStatus.valueOf(rs.getString("status")),
                Source.valueOf(rs.getString("source")),
                rs.getString("created_by"),
                rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("updated_at").toInstant());
    }

    private static String[] strings(Array array) throws SQLException {
        return array == null ? new String[0] : (String[]) array.getArray();
    }

    /** The phase an investigation was created in, if it exists. */
    Optional<TrustPhase> phaseOf(UUID id) {
        return jdbc.queryForList("SELECT trust_phase FROM investigations WHERE id = :id", Map.of("id", id), String.class)
                .stream().findFirst().map(TrustPhase::valueOf);
    }
}
