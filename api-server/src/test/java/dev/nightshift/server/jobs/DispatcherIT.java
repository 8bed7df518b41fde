package dev.nightshift.server.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.server.investigation.Domain;
import dev.nightshift.server.investigation.InvestigationProperties;
import dev.nightshift.server.investigation.InvestigationRequest;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.worker.WorkerTokens;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.investigation.Severity;
import dev.nightshift.server.system.MetricNames;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Two dispatchers (as on two api-server replicas) on one real PostgreSQL: each investigation is
 * launched once, the cap holds across both, and critical goes before info.
 */
@SpringBootTest
class DispatcherIT {

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) throws IOException {
        var dataDir = Files.createTempDirectory("nightshift-dispatcher-");
        registry.add("nightshift.data-dir", dataDir::toString);
        registry.add("nightshift.events.embedded-kafka.enabled", () -> "false"); // no worker events here
        registry.add("nightshift.security.admin-token", () -> "dispatcher-it");
        registry.add("nightshift.dispatcher.enabled", () -> "false"); // only the dispatchers built here run
    }

    @Autowired
    private InvestigationService investigations;

    @Autowired
    private WorkerTokens workerTokens;

    @Autowired
    private InvestigationProperties investigationProperties;

    @Autowired
    private JdbcClient jdbc;

    @Autowired
    private PlatformTransactionManager transactionManager;

    @Autowired
    private dev.nightshift.server.system.Traces traces;

    /** A runtime that accepts every launch and keeps the run going, as a cluster would. */
    private final class AcceptingLauncher implements InvestigationLauncher {
        final List<UUID> launched = new CopyOnWriteArrayList<>();
        final Set<UUID> running = ConcurrentHashMap.newKeySet();

        @Override
        public String name() {
            return "accepting";
        }

        @Override
        public void launch(LaunchRequest request) {
            launched.add(request.investigationId());
            running.add(request.investigationId());
            investigations.report(request.investigationId(), InvestigationStatus.RUNNING, name(), "started");
        }

        @Override
        public void cancel(UUID investigationId) {
            running.remove(investigationId);
        }

        @Override
        public Set<UUID> activeRuns() {
            return Set.copyOf(running);
        }

        @Override
        public Optional<RunLog> log(UUID investigationId) {
            return Optional.empty();
        }
    }

    private Dispatcher dispatcher(InvestigationLauncher launcher, int cap) {
        return dispatcher(launcher, cap, investigationProperties);
    }

    private Dispatcher dispatcher(InvestigationLauncher launcher, int cap, InvestigationProperties tiers) {
        return new Dispatcher(launcher, workerTokens, investigations, tiers,
                new DispatcherProperties(true, cap, Duration.ofSeconds(2), Duration.ofSeconds(60)), jdbc,
                transactionManager, Clock.systemUTC(), meters, traces);
    }

    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    private UUID queue(String severity) {
        return queue(severity, List.of(Domain.NETWORK));
    }

    private UUID queue(String severity, List<Domain> domains) {
        var request = new InvestigationRequest("t", "p", domains, Severity.valueOf(severity), null, null, null);
        return investigations.create(request, "test", null).investigation().summary().id();
    }

    @BeforeEach
    void emptyQueue() {
        jdbc.sql("DELETE FROM investigations").update();
    }

    @Test
    void shouldLaunchEachInvestigationOnceAndHoldTheCapAcrossTwoDispatchers() throws Exception {
        for (int i = 0; i < 30; i++) {
            queue("WARNING");
        }
        AcceptingLauncher left = new AcceptingLauncher();
        AcceptingLauncher right = new AcceptingLauncher();
        Dispatcher a = dispatcher(left, 12);
        Dispatcher b = dispatcher(right, 12);
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (Dispatcher dispatcher : List.of(a, b, a, b)) {
            threads.add(Thread.ofPlatform().start(() -> {
                try {
                    start.await();
                    for (int pass = 0; pass < 5; pass++) {
                        dispatcher.dispatch();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        start.countDown();
        for (Thread thread : threads) {
            thread.join();
        }
        List<UUID> all = new ArrayList<>(left.launched);
        all.addAll(right.launched);
        assertThat(all).hasSize(12).doesNotHaveDuplicates();
        assertThat(jdbc.sql("SELECT count(*) FROM investigations WHERE status = 'RUNNING'").query(Long.class).single())
                .isEqualTo(12);
        assertThat(jdbc.sql("SELECT count(*) FROM investigations WHERE status = 'QUEUED'").query(Long.class).single())
                .isEqualTo(18);
        assertThat(meters.get(MetricNames.QUEUE_DEPTH).gauge().value()).isEqualTo(18);
        assertThat(meters.get(MetricNames.ACTIVE_RUNS).gauge().value()).isEqualTo(12);
    }

    @Test
    void shouldHoldEachTiersOwnCap() {
        UUID firstSimple = queue("CRITICAL");
        queue("CRITICAL");
        queue("CRITICAL");
        UUID multiA = queue("INFO", List.of(Domain.DATABASE, Domain.APPLICATION));
        UUID multiB = queue("INFO", List.of(Domain.NETWORK, Domain.SECURITY));
        var oneSimpleAtATime = new InvestigationProperties(List.of(
                new InvestigationProperties.Tier("simple", 1, null, 8, 1, null),
                new InvestigationProperties.Tier("multi-domain", 6, null, 15, 0, null)), Duration.ofHours(24));
        AcceptingLauncher launcher = new AcceptingLauncher();

        dispatcher(launcher, 10, oneSimpleAtATime).dispatch();

        assertThat(launcher.launched).containsExactly(firstSimple, multiA, multiB);
    }

    @Test
    void shouldLaunchCriticalBeforeOlderInfo() {
        UUID info = queue("INFO");
        UUID warning = queue("WARNING");
        UUID critical = queue("CRITICAL");
        AcceptingLauncher launcher = new AcceptingLauncher();
        Dispatcher dispatcher = dispatcher(launcher, 1);

        dispatcher.dispatch();
        assertThat(launcher.launched).containsExactly(critical);
        dispatcher.dispatch();
        assertThat(launcher.launched).containsExactly(critical); // the cap of one is taken

        investigations.report(critical, InvestigationStatus.SUCCEEDED, "test", "done");
        dispatcher.dispatch();
        investigations.report(warning, InvestigationStatus.SUCCEEDED, "test", "done");
        dispatcher.dispatch();
        assertThat(launcher.launched).containsExactly(critical, warning, info);
    }

    @Test
    void shouldFailLostRunsAndRelaunchStaleClaimsOnResync() {
        UUID lost = queue("CRITICAL");
        UUID stale = queue("WARNING");
        AcceptingLauncher before = new AcceptingLauncher();
        dispatcher(before, 1).dispatch(); // lost: RUNNING, but its runtime is gone
        // stale: claimed by a dispatcher that died before launching it.
        investigations.report(stale, InvestigationStatus.LAUNCHING, "dispatcher", "claimed for launch");
        jdbc.sql("UPDATE investigations SET updated_at = now() - interval '5 minutes' WHERE id = ?").param(stale).update();

        AcceptingLauncher after = new AcceptingLauncher();
        dispatcher(after, 5).resync();

        assertThat(investigations.get(lost).summary().status()).isEqualTo(InvestigationStatus.FAILED);
        assertThat(investigations.get(lost).transitions().getLast().reason()).startsWith("JobLost");
        assertThat(after.launched).containsExactly(stale);
        assertThat(investigations.get(stale).summary().status()).isEqualTo(InvestigationStatus.RUNNING);
    }
}
