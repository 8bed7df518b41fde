package dev.nightshift.server.investigation;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.IntFunction;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.SingleConnectionDataSource;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Seeds one million investigations with a realistic spread and prints p50/p99 of the history
 * query per filter shape, next to the bare primary-key lookup in the same run. A benchmark, not a
 * test: it asserts nothing about time. Run with {@code ./mvnw -pl api-server -am verify -Pbenchmark}
 * ({@code -Dbenchmark.rows=N} for another size).
 */
@SpringBootTest
class InvestigationQueryBenchmark {

    private static final int ROWS = Integer.getInteger("benchmark.rows", 1_000_000);
    private static final int ITERATIONS = Integer.getInteger("benchmark.iterations", 300);
    private static final Instant NOW = Instant.parse("2026-11-22T00:00:00Z");
    /** One year of history. */
    private static final long SPAN_SECONDS = Duration.ofDays(365).toSeconds();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        try {
            Path dir = Files.createTempDirectory("nightshift-bench-");
            registry.add("nightshift.data-dir", dir::toString);
            registry.add("nightshift.events.embedded-kafka.enabled", () -> "false"); // no worker events here
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        registry.add("nightshift.security.admin-token", () -> "benchmark");
    }

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    @Qualifier("ownerDataSource")
    private DataSource owner;

    @Autowired
    private InvestigationQueries queries;

    @Autowired
    private NamedParameterJdbcTemplate namedJdbc;

    /** With {@code -Dbenchmark.explain=true}, the plan of each shape is printed before its figures. */
    private static final boolean EXPLAIN = Boolean.getBoolean("benchmark.explain");
    private boolean explainNext;

    @Test
    void printQueryLatencies() throws SQLException {
        long seedStart = System.nanoTime();
        seed();
        System.out.printf("%nSeeded %,d investigations in %.1f s%n", ROWS, (System.nanoTime() - seedStart) / 1e9);

        UUID deepCursor = jdbc.sql("SELECT id FROM investigations ORDER BY id DESC OFFSET :offset LIMIT 1")
                .param("offset", ROWS / 2).query(UUID.class).single();
        List<UUID> someIds = jdbc.sql("SELECT id FROM investigations TABLESAMPLE SYSTEM (1) LIMIT 1000")
                .query(UUID.class).list();

        System.out.printf("%n%-44s %9s %9s %9s %7s%n", "query shape (limit 50)", "p50 ms", "p99 ms", "max ms", "rows");
        measure("bare SELECT of one row by primary key", i -> {
            jdbc.sql("SELECT * FROM investigations WHERE id = ?").param(someIds.get(i % someIds.size()))
                    .query().listOfRows();
            return 1;
        });
        measure("newest first, no filter", i -> page(search(null, null, null, null, Map.of(), null, null, null, null)));
        measure("status = RUNNING (rare)", i -> page(search(InvestigationStatus.RUNNING, null, null, null, Map.of(),
                null, null, null, null)));
        measure("status = FAILED", i -> page(search(InvestigationStatus.FAILED, null, null, null, Map.of(),
                null, null, null, null)));
        measure("severity = critical", i -> page(search(null, Severity.CRITICAL, null, null, Map.of(),
                null, null, null, null)));
        measure("domain = security", i -> page(search(null, null, Domain.SECURITY, null, Map.of(),
                null, null, null, null)));
        measure("source = api", i -> page(search(null, null, null, Source.API, Map.of(), null, null, null, null)));
        measure("label team=team-<i>", i -> page(search(null, null, null, null, Map.of("team", "team-" + (i % 20)),
                null, null, null, null)));
        measure("label alertname=<rare>", i -> page(search(null, null, null, null,
                Map.of("alertname", "Alert" + (i % 300)), null, null, null, null)));
        measure("created in one day, 100-300 days ago", i -> {
            Instant from = NOW.minus(Duration.ofDays(100 + i % 200));
            return page(search(null, null, null, null, Map.of(), from, from.plus(Duration.ofDays(1)), null, null));
        });
        measure("text q=<service> (0.5% of rows)", i -> page(search(null, null, null, null, Map.of(), null, null,
                "svc-" + (i % 200) + "-api", null)));
        measure("text q=<word in every problem>", i -> page(search(null, null, null, null, Map.of(), null, null,
                "latency", null)));
        measure("next page by cursor, half-way down", i -> page(search(null, null, null, null, Map.of(), null, null,
                null, deepCursor)));
        measure("critical + env=prod + SUCCEEDED, by cursor", i -> page(search(InvestigationStatus.SUCCEEDED,
                Severity.CRITICAL, null, null, Map.of("env", "prod"), null, null, null, deepCursor)));
        System.out.println();
    }

    private InvestigationViews.Page search(InvestigationStatus status, Severity severity, Domain domain, Source source,
            Map<String, String> labels, Instant from, Instant to, String text, UUID after) {
        InvestigationSearch search = new InvestigationSearch(status, null, domain, severity, source, labels, from, to,
                text, InvestigationSearch.DEFAULT_LIMIT, after, false);
        if (explainNext) {
            explainNext = false;
            InvestigationQueries.Query query = InvestigationQueries.query(search);
            namedJdbc.query("EXPLAIN (ANALYZE, BUFFERS) " + query.sql(), query.params(), (rs, i) -> rs.getString(1))
                    .forEach(line -> System.out.println("    " + line));
        }
        return queries.search(search);
    }

    private static int page(InvestigationViews.Page page) {
        return page.items().size();
    }

    private void measure(String shape, IntFunction<Integer> query) {
        explainNext = EXPLAIN;
        for (int i = 0; i < Math.max(20, ITERATIONS / 10); i++) {
            query.apply(i);
        }
        long[] nanos = new long[ITERATIONS];
        long rows = 0;
        for (int i = 0; i < ITERATIONS; i++) {
            long start = System.nanoTime();
            rows += query.apply(i);
            nanos[i] = System.nanoTime() - start;
        }
        Arrays.sort(nanos);
        System.out.printf("%-44s %9.2f %9.2f %9.2f %7.1f%n", shape, nanos[ITERATIONS / 2] / 1e6,
                nanos[(int) Math.ceil(ITERATIONS * 0.99) - 1] / 1e6, nanos[ITERATIONS - 1] / 1e6, (double) rows / ITERATIONS);
    }

    /**
     * One year of investigations: mostly ended, few running; alert-driven four times out of five;
     * 20 teams, 200 services, 300 alert names; one to three domains each.
     */
    private void seed() throws SQLException {
        // As the owner, on one connection: it drops and rebuilds indexes, vacuums, and keeps a temp table.
        try (Connection connection = owner.getConnection()) {
            JdbcClient jdbc = JdbcClient.create(new SingleConnectionDataSource(connection, true));
            jdbc.sql("SET synchronous_commit = off").update();
            jdbc.sql("SET maintenance_work_mem = '512MB'").update();
            // Load without secondary indexes, then build them from their own definitions (V1 migration).
            List<Map<String, Object>> indexes = jdbc.sql("SELECT indexname, indexdef FROM pg_indexes"
                            + " WHERE schemaname = 'public' AND indexname NOT LIKE '%pkey'"
                            + " AND tablename IN ('investigations', 'investigation_domains', 'investigation_labels')")
                    .query().listOfRows();
            indexes.forEach(index -> jdbc.sql("DROP INDEX " + index.get("indexname")).update());
            int batch = 100_000;
            List<String> statements = new ArrayList<>();
            for (int start = 1; start <= ROWS; start += batch) {
                int end = Math.min(ROWS, start + batch - 1);
                statements.add("""
                        CREATE TEMP TABLE seed AS
                        SELECT n,
                               to_timestamp(%d - (%d - n) * %f)::timestamptz(3) AS at,
                               (abs(hashint4(n)) %% 1000) AS r1,
                               (abs(hashint4(n + 7919)) %% 1000) AS r2,
                               (abs(hashint4(n + 104729)) %% 1000) AS r3
                        FROM generate_series(%d, %d) AS n
                        """.formatted(NOW.getEpochSecond(), ROWS, (double) SPAN_SECONDS / ROWS, start, end));
                statements.add("""
                        INSERT INTO investigations (id, title, problem, severity, target_cluster, target_namespace,
                            target_workload, tier, trust_phase, status, source, created_by, created_at, updated_at, version)
                        SELECT (lpad(to_hex((extract(epoch FROM at) * 1000)::bigint), 12, '0') || '7'
                                || lpad(to_hex(n %% 4096), 3, '0') || '8' || substr(md5(n::text), 1, 15))::uuid,
                               'Alert' || (r1 %% 300) || ' on svc-' || (r2 %% 200) || '-api',
                               'Alert' || (r1 %% 300) || ' fired for svc-' || (r2 %% 200) || '-api in team-' || (r3 %% 20)
                                   || ': p99 latency and error rate above objective; pods restarted ' || (r3 %% 7)
                                   || ' times in the last hour.',
                               CASE WHEN r1 < 150 THEN 'CRITICAL' WHEN r1 < 700 THEN 'WARNING' ELSE 'INFO' END,
                               'prod-' || (r2 %% 4), 'ns-' || (r3 %% 50), 'deployment/svc-' || (r2 %% 200) || '-api',
                               CASE WHEN r3 %% 3 = 0 THEN 'simple' ELSE 'multi-domain' END,
                               CASE WHEN r2 < 400 THEN 'SHADOW' WHEN r2 < 800 THEN 'ASSIST'
                                    WHEN r2 < 950 THEN 'LIMITED_REMEDIATION' ELSE 'AUTONOMOUS' END,
                               CASE WHEN r3 < 850 THEN 'SUCCEEDED' WHEN r3 < 910 THEN 'FAILED' WHEN r3 < 940 THEN 'TIMED_OUT'
                                    WHEN r3 < 980 THEN 'ESCALATED' WHEN r3 < 995 THEN 'CANCELLED' WHEN r3 < 998 THEN 'RUNNING'
                                    WHEN r3 < 999 THEN 'LAUNCHING' ELSE 'QUEUED' END,
                               CASE WHEN r1 %% 5 = 0 THEN 'API' ELSE 'ALERTMANAGER' END,
                               CASE WHEN r1 %% 5 = 0 THEN 'operator-' || (r2 %% 30) ELSE 'alertmanager' END,
                               at, at + interval '10 minutes', 2
                        FROM seed
                        """.formatted());
                statements.add("""
                        INSERT INTO investigation_domains (investigation_id, domain)
                        SELECT DISTINCT i.id, (ARRAY['NETWORK','DATABASE','APPLICATION','SECURITY','KUBERNETES','STORAGE'])
                               [1 + (abs(hashint4(s.n * 3 + k)) %% 6)]
                        FROM seed s
                        JOIN investigations i ON i.id = (lpad(to_hex((extract(epoch FROM s.at) * 1000)::bigint), 12, '0')
                             || '7' || lpad(to_hex(s.n %% 4096), 3, '0') || '8' || substr(md5(s.n::text), 1, 15))::uuid
                        CROSS JOIN generate_series(0, 2) AS k
                        WHERE k = 0 OR (k = 1 AND s.r3 %% 3 <> 0) OR (k = 2 AND s.r3 %% 3 = 2)
                        """.formatted());
                statements.add("""
                        INSERT INTO investigation_labels (investigation_id, label_key, label_value)
                        SELECT i.id, l.key, l.value
                        FROM seed s
                        JOIN investigations i ON i.id = (lpad(to_hex((extract(epoch FROM s.at) * 1000)::bigint), 12, '0')
                             || '7' || lpad(to_hex(s.n %% 4096), 3, '0') || '8' || substr(md5(s.n::text), 1, 15))::uuid
                        CROSS JOIN LATERAL (VALUES ('team', 'team-' || (s.r3 %% 20)),
                                                   ('env', CASE WHEN s.r2 %% 10 < 6 THEN 'prod' ELSE 'staging' END),
                                                   ('alertname', 'Alert' || (s.r1 %% 300)),
                                                   ('service', 'svc-' || (s.r2 %% 200) || '-api')) AS l(key, value)
                        """.formatted());
                statements.add("DROP TABLE seed");
            }
            statements.forEach(sql -> jdbc.sql(sql).update());
            indexes.forEach(index -> jdbc.sql((String) index.get("indexdef")).update());
            jdbc.sql("VACUUM ANALYZE investigations").update();
            jdbc.sql("VACUUM ANALYZE investigation_domains").update();
            jdbc.sql("VACUUM ANALYZE investigation_labels").update();
        }
    }
}
