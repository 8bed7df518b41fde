package dev.nightshift.server.jobs;

import dev.nightshift.server.audit.AuditLog;
import dev.nightshift.server.investigation.InvestigationProperties;
import dev.nightshift.server.investigation.InvestigationQueries;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.system.MetricNames;
import dev.nightshift.server.system.Traces;
import dev.nightshift.server.trust.TrustPhase;
import dev.nightshift.server.worker.WorkerTokens;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.MeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.event.TransactionalEventListener;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Moves queued investigations into runs. A pass claims, in one transaction, as many {@code QUEUED}
 * investigations as the caps allow (global, per tier, and the runtime's own), most severe first
 * and then oldest, with {@code FOR UPDATE SKIP LOCKED} under a transaction-scoped advisory lock so
 * that several api-server replicas neither claim one investigation twice nor overshoot a cap. The
 * claim commits {@code LAUNCHING}; the launch follows outside the transaction. A crash in between
 * leaves the investigation {@code LAUNCHING}, and {@link #resync} launches it again (launch is
 * idempotent), so a run is neither lost nor duplicated.
 */
public class Dispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);
    static final String ACTOR = "dispatcher";
    /** Serialises claims across replicas; any constant shared by all of them works. */
    private static final long CLAIM_LOCK = 0x6e6967687473L; // "nights"

    private final InvestigationLauncher launcher;
    private final WorkerTokens workerTokens;
    private final InvestigationService investigations;
    private final InvestigationProperties investigationProperties;
    private final DispatcherProperties properties;
    private final JdbcClient jdbc;
    private final TransactionTemplate transactions;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Traces traces;
    private final Timer jobCreate;
    private final ExecutorService passes = Executors.newSingleThreadExecutor(
            Thread.ofPlatform().name("dispatcher").daemon().factory());
    private final AtomicBoolean passPending = new AtomicBoolean();

    /** A queued (or stranded) investigation to launch, with the trace its creation started. */
    private record Claim(UUID id, String tier, TrustPhase trustPhase, String traceparent) {}

    private static final String CLAIM_COLUMNS = "SELECT id, tier, trust_phase, traceparent FROM investigations ";

    private static Claim claim(java.sql.ResultSet rs) throws java.sql.SQLException {
        return new Claim(rs.getObject(1, UUID.class), rs.getString(2), TrustPhase.valueOf(rs.getString(3)),
                rs.getString(4));
    }

    public Dispatcher(InvestigationLauncher launcher, WorkerTokens workerTokens, InvestigationService investigations,
            InvestigationProperties investigationProperties, DispatcherProperties properties, JdbcClient jdbc,
            PlatformTransactionManager transactionManager, Clock clock, MeterRegistry meters, Traces traces) {
        this.launcher = launcher;
        this.traces = traces;
        this.workerTokens = workerTokens;
        this.investigations = investigations;
        this.investigationProperties = investigationProperties;
        this.properties = properties;
        this.jdbc = jdbc;
        this.transactions = new TransactionTemplate(transactionManager);
        this.clock = clock;
        this.meters = meters;
        this.jobCreate = Timer.builder(MetricNames.JOB_CREATE).description("Creating one investigation's run")
                .tags("runtime", launcher.name()).publishPercentileHistogram().register(meters);
        Gauge.builder(MetricNames.QUEUE_DEPTH, () -> count("status = 'QUEUED'"))
                .description("Investigations waiting to be launched").register(meters);
        Gauge.builder(MetricNames.ACTIVE_RUNS, () -> count("status IN ('LAUNCHING', 'RUNNING')"))
                .description("Investigations launching or running").register(meters);
    }

    private long count(String condition) {
        return jdbc.sql("SELECT count(*) FROM investigations WHERE " + condition).query(Long.class).single();
    }

    /** Right after an investigation is committed, rather than at the next interval. */
    @TransactionalEventListener
    void onQueued(InvestigationService.InvestigationQueued queued) {
        requestPass();
    }

    /** The run of a cancelled investigation is stopped once the cancel has committed. */
    @TransactionalEventListener
    void onCancelled(InvestigationService.InvestigationCancelled cancelled) {
        launcher.cancel(cancelled.id());
        requestPass(); // a slot may have freed up
    }

    @Scheduled(fixedDelayString = "${nightshift.dispatcher.interval:2s}", initialDelayString = "${nightshift.dispatcher.interval:2s}")
    void scheduledPass() {
        requestPass();
    }

    @EventListener(ApplicationReadyEvent.class)
    void onStart() {
        if (!properties.enabled()) {
            log.info("Dispatcher disabled: queued investigations wait (nightshift.dispatcher.enabled=false)");
            return;
        }
        passes.submit(this::resyncSafely);
        requestPass();
    }

    /** Runs one pass soon; passes never overlap within a replica, and requests while one waits coalesce. */
    public void requestPass() {
        if (properties.enabled() && passPending.compareAndSet(false, true)) {
            passes.submit(() -> {
                passPending.set(false);
                try {
                    dispatch();
                } catch (RuntimeException e) {
                    log.warn("Dispatch pass failed; the next one retries: {}", e.toString());
                }
            });
        }
    }

    /** Claims and launches what the caps allow; returns how many were launched. */
    public int dispatch() {
        List<Claim> claims = transactions.execute(status -> claim());
        for (Claim claim : claims) {
            launch(claim);
        }
        return claims.size();
    }

    private List<Claim> claim() {
        jdbc.sql("SELECT pg_advisory_xact_lock(?)").param(CLAIM_LOCK).query().singleRow();
        AuditLog.lock(jdbc); // claims report LAUNCHING, which is audited: the audit lock before the row locks

        Map<String, Integer> activeByTier = new HashMap<>();
        jdbc.sql("SELECT tier, count(*) FROM investigations WHERE status IN ('LAUNCHING', 'RUNNING') GROUP BY tier")
                .query((rs, i) -> activeByTier.put(rs.getString(1), rs.getInt(2)))
                .list();
        int active = activeByTier.values().stream().mapToInt(Integer::intValue).sum();
        int free = Math.min(properties.maxConcurrent(), launcher.maxConcurrentRuns()) - active;
        if (free <= 0) {
            return List.of();
        }
        List<Claim> candidates = jdbc.sql(CLAIM_COLUMNS + "WHERE status = 'QUEUED'"
                        + " ORDER BY " + InvestigationQueries.SEVERITY_RANK + ", id LIMIT ? FOR UPDATE SKIP LOCKED")
                .param(Math.max(free * 4, 50))
                .query((rs, i) -> claim(rs))
                .list();
        List<Claim> claimed = new ArrayList<>();
        for (Claim candidate : candidates) {
            if (claimed.size() == free) {
                break;
            }
            int tierCap = investigationProperties.tierNamed(candidate.tier())
                    .map(InvestigationProperties.Tier::maxConcurrent).orElse(0);
            int tierActive = activeByTier.getOrDefault(candidate.tier(), 0);
            if (tierCap > 0 && tierActive >= tierCap) {
                continue;
            }
            if (investigations.report(candidate.id(), InvestigationStatus.LAUNCHING, ACTOR, "claimed for launch")) {
                activeByTier.merge(candidate.tier(), 1, Integer::sum);
                claimed.add(candidate);
            }
        }
        return claimed;
    }

    private void launch(Claim claim) {
        var tier = investigationProperties.tierNamed(claim.tier());
        try (var ignored = MDC.putCloseable("investigationId", claim.id().toString())) {
            if (tier.isEmpty()) {
                investigations.report(claim.id(), InvestigationStatus.FAILED, ACTOR,
                        "tier " + claim.tier() + " is no longer configured");
                return;
            }
            Timer.Sample creating = Timer.start(meters);
            // The launch continues the trace the investigation's creation started, and hands it on.
            // Each launch its own token: a relaunch after a lost run does not reuse the first one's.
            traces.child(claim.traceparent(), "investigation.launch", traceparent -> launcher.launch(
                    new LaunchRequest(claim.id(), tier.get(), claim.trustPhase(), workerTokens.mint(claim.id()),
                            traceparent)));
            creating.stop(jobCreate);
        } catch (LaunchException e) {
            log.warn("Launch failed: {}", e.getMessage());
            investigations.report(claim.id(), InvestigationStatus.FAILED, launcher.name(), "launch failed: " + e.getMessage());
        }
    }

    /**
     * Brings PostgreSQL and the runtime into agreement: a {@code RUNNING} investigation whose run is
     * gone failed ({@code JobLost}); one {@code LAUNCHING} for longer than the launch grace is
     * launched again.
     */
    public void resync() {
        Set<UUID> active = launcher.activeRuns();
        Timestamp graceStart = Timestamp.from(clock.instant().minus(properties.launchGrace()));
        jdbc.sql("SELECT id FROM investigations WHERE status = 'RUNNING'").query(UUID.class).list().stream()
                .filter(id -> !active.contains(id))
                .filter(id -> investigations.report(id, InvestigationStatus.FAILED, launcher.name(),
                        "JobLost: the run no longer exists in the " + launcher.name()))
                .forEach(id -> meters.counter(MetricNames.JOBS_LOST, "runtime", launcher.name()).increment());
        jdbc.sql(CLAIM_COLUMNS + "WHERE status = 'LAUNCHING' AND updated_at < ?")
                .param(graceStart)
                .query((rs, i) -> claim(rs))
                .list().stream()
                .filter(claim -> !active.contains(claim.id()))
                .forEach(this::launch);
    }

    @Scheduled(fixedDelayString = "${nightshift.dispatcher.launch-grace:60s}",
            initialDelayString = "${nightshift.dispatcher.launch-grace:60s}")
    void scheduledResync() {
        if (properties.enabled()) {
            passes.submit(this::resyncSafely);
        }
    }

    private void resyncSafely() {
        try {
            resync();
        } catch (RuntimeException e) {
            log.warn("Resync failed; the next one retries: {}", e.toString());
        }
    }

    @Override
    public void close() {
        passes.shutdownNow();
    }
}
