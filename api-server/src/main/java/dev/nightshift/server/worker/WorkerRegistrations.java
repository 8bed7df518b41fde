package dev.nightshift.server.worker;

import dev.nightshift.server.audit.AuditLog;
import dev.nightshift.server.cost.CostLedgers;
import dev.nightshift.server.events.EventStore;
import dev.nightshift.server.investigation.InvestigationProperties;
import dev.nightshift.server.investigation.InvestigationService;
import dev.nightshift.server.investigation.InvestigationStatus;
import dev.nightshift.server.investigation.InvestigationViews;
import dev.nightshift.server.system.ApiException;
import dev.nightshift.server.system.ProblemType;
import java.math.BigDecimal;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Registers worker attempts: each gets the next attempt number of its investigation and all it
 * needs to work — the investigation, its cluster's data sources, the LLM, its budgets — over this
 * one authenticated call, so that nothing of it sits in the Job's environment.
 */
@Service
public class WorkerRegistrations {

    private static final Logger log = LoggerFactory.getLogger(WorkerRegistrations.class);
    static final String ATTEMPT_REGISTERED = "ATTEMPT_REGISTERED";
    static final String NO_VAULT = "none: no Vault configured";

    /** {@code WorkerRegistration}: the attempt number and the worker's whole configuration. */
    public record Registration(int attempt, InvestigationViews.Detail investigation, String reasoner, Budgets budgets,
            List<DataSource> datasources, Llm llm, String secrets) {}

    /**
     * {@code WorkerBudgets}: when the reasoning must stop and escalate.
     *
     * @param cycleLimit the circuit breaker: the tier's limit, or twice the p95 of its successful runs if lower
     * @param p95Cycles that p95, when the tier has enough successful runs in the window
     * @param deadline when to have escalated at the latest: the run's deadline minus a margin
     */
    public record Budgets(int cycleLimit, String cycleLimitReason, Double p95Cycles, long tokenBudget, Instant deadline,
            long toolTimeoutMillis, int toolResultBytes) {}

    /** {@code WorkerDataSource}. */
    public record DataSource(String kind, String url, DataSourceProperties.Auth.Type authType, String token,
            String username, String password) {
        @Override
        public String toString() {
            return "DataSource[kind=" + kind + ", url=" + url + ", credentials=(redacted)]";
        }
    }

    /** {@code WorkerLlm}: prices in USD per million tokens, {@code null} when the table has none. */
    public record Llm(String baseUrl, String model, String apiKey, BigDecimal inputPricePerMillion,
            BigDecimal outputPricePerMillion) {
        @Override
        public String toString() {
            return "Llm[baseUrl=" + baseUrl + ", model=" + model + ", apiKey=(redacted)]";
        }
    }

    private final JdbcClient jdbc;
    private final AuditLog audit;
    private final InvestigationService investigations;
    private final InvestigationProperties tiers;
    private final EventStore events;
    private final CostLedgers costs;
    private final DataSourceProperties datasources;
    private final LlmProperties llm;
    private final WorkerProperties worker;
    private final TransactionTemplate transactions;
    private final Clock clock;

    WorkerRegistrations(JdbcClient jdbc, InvestigationService investigations, InvestigationProperties tiers,
            EventStore events, CostLedgers costs, DataSourceProperties datasources, LlmProperties llm,
            WorkerProperties worker, PlatformTransactionManager transactionManager, Clock clock, AuditLog audit) {
        this.jdbc = jdbc;
        this.audit = audit;
        this.investigations = investigations;
        this.tiers = tiers;
        this.events = events;
        this.costs = costs;
        this.datasources = datasources;
        this.llm = llm;
        this.worker = worker;
        this.transactions = new TransactionTemplate(transactionManager);
        this.clock = clock;
    }

    public Registration register(UUID investigationId) {
        int attempt = transactions.execute(status -> {
            audit.lock();
            String state = jdbc.sql("SELECT status FROM investigations WHERE id = ? FOR UPDATE")
                    .param(investigationId).query(String.class).single();
            if (!InvestigationStatus.LAUNCHING.name().equals(state) && !InvestigationStatus.RUNNING.name().equals(state)) {
                throw new ApiException(ProblemType.INVALID_STATE_TRANSITION,
                        "Investigation " + investigationId + " is " + state + ": no worker may register.");
            }
            int next = jdbc.sql("SELECT coalesce(max(attempt), 0) + 1 FROM investigation_attempts WHERE investigation_id = ?")
                    .param(investigationId).query(Integer.class).single();
            jdbc.sql("INSERT INTO investigation_attempts (investigation_id, attempt, registered_at) VALUES (?, ?, ?)")
                    .params(investigationId, next, Timestamp.from(clock.instant())).update();
            events.appendServerEvent(investigationId, ATTEMPT_REGISTERED, Map.of("attempt", next));
            audit.append("worker:" + investigationId, "worker.registered", investigationId, Map.of("attempt", next));
            return next;
        });
        InvestigationViews.Detail investigation = investigations.get(investigationId);
        try (var ignored = MDC.putCloseable("investigationId", investigationId.toString())) {
            log.info("Worker attempt {} registered", attempt);
        }
        return new Registration(attempt, investigation, llm.configured() ? "llm" : "rules", budgets(investigation),
                sources(investigation), llm(), NO_VAULT);
    }

    private Budgets budgets(InvestigationViews.Detail investigation) {
        InvestigationProperties.Tier tier = tiers.tierNamed(investigation.summary().tier())
                .orElseThrow(() -> new ApiException(ProblemType.INVALID_STATE_TRANSITION,
                        "Tier " + investigation.summary().tier() + " is no longer configured."));
        int limit = tier.maxReasoningCycles();
        String reason = "tier " + tier.name() + ": " + limit + " cycles";
        Optional<Double> p95 = costs.p95Cycles(tier.name(), worker.p95Window(), worker.p95MinSamples());
        if (p95.isPresent() && Math.ceil(2 * p95.get()) < limit) {
            limit = Math.max(1, (int) Math.ceil(2 * p95.get()));
            reason = "2 x p95 (" + p95.get() + ") of the tier's successful runs: " + limit + " cycles";
        }
        Instant launched = investigation.transitions().stream()
                .filter(t -> t.to() == InvestigationStatus.LAUNCHING).map(InvestigationViews.TransitionView::at)
                .reduce((a, b) -> b).orElse(clock.instant());
        Instant deadline = launched.plus(tier.deadline()).minus(worker.deadlineMargin());
        return new Budgets(limit, reason, p95.orElse(null), llm.tokenBudget(), deadline,
                worker.toolTimeout().toMillis(), worker.toolResultBytes());
    }

    private List<DataSource> sources(InvestigationViews.Detail investigation) {
        String cluster = investigation.summary().target() == null ? null : investigation.summary().target().cluster();
        return datasources.forCluster(cluster).entrySet().stream()
                .map(e -> new DataSource(e.getKey(), e.getValue().url(), e.getValue().auth().type(),
                        e.getValue().auth().token(), e.getValue().auth().username(), e.getValue().auth().password()))
                .toList();
    }

    private Llm llm() {
        if (!llm.configured()) {
            return null;
        }
        LlmProperties.Price price = llm.model() == null ? null : llm.prices().get(llm.model());
        return new Llm(llm.baseUrl(), llm.model(), llm.apiKey(), price == null ? null : price.input(),
                price == null ? null : price.output());
    }
}
