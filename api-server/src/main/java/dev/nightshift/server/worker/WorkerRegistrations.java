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
import dev.nightshift.server.system.Traces;
import dev.nightshift.server.trust.TrustPhase;
import dev.nightshift.server.vault.VaultCredentials;
import dev.nightshift.server.vault.VaultProperties;
import org.springframework.beans.factory.ObjectProvider;
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

    /**
     * {@code WorkerRegistration}: the attempt number and the worker's whole configuration.
     *
     * @param secrets in words, where the worker's secrets come from
     * @param vault the response-wrapped Vault token and the paths to read; null without Vault
     */
    public record Registration(int attempt, InvestigationViews.Detail investigation, String reasoner, Budgets budgets,
            List<DataSource> datasources, Llm llm, String secrets, VaultCredentials.Handover vault,
            RedactionProperties redaction, Traces.Properties tracing) {}

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
    private final VaultCredentials vault;
    private final VaultProperties vaultProperties;
    private final RedactionProperties redaction;
    private final Traces.Properties tracing;

    WorkerRegistrations(JdbcClient jdbc, InvestigationService investigations, InvestigationProperties tiers,
            EventStore events, CostLedgers costs, DataSourceProperties datasources, LlmProperties llm,
            WorkerProperties worker, PlatformTransactionManager transactionManager, Clock clock, AuditLog audit,
            ObjectProvider<VaultCredentials> vault, VaultProperties vaultProperties, RedactionProperties redaction,
            Traces.Properties tracing) {
        this.jdbc = jdbc;
        this.tracing = tracing;
        this.vault = vault.getIfAvailable();
        this.vaultProperties = vaultProperties;
        this.redaction = redaction;
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

    /**
     * Registers the next attempt. With Vault, its token is issued first (outside any lock) and
     * stored with the attempt; if the attempt is not stored, the token is revoked again.
     *
     * @throws ApiException 409 when the investigation is not launching or running, 503 when Vault fails
     */
    public Registration register(UUID investigationId) {
        InvestigationViews.Detail investigation = investigations.get(investigationId);
        requireActive(investigationId, investigation.summary().status().name());
        int predicted = nextAttempt(investigationId);
        Budgets budgets = budgets(investigation);
        List<DataSource> sources = sources(investigation);
        TrustPhase phase = investigation.summary().trustPhase();
        VaultCredentials.Issued issued = vault == null ? null
                : vault.issue(investigationId, predicted, phase, budgets.deadline(), secretPaths(investigation, sources));
        String actor = "worker:" + investigationId;
        try {
            transactions.executeWithoutResult(status -> {
                audit.lock();
                String state = jdbc.sql("SELECT status FROM investigations WHERE id = ? FOR UPDATE")
                        .param(investigationId).query(String.class).single();
                requireActive(investigationId, state);
                int next = nextAttempt(investigationId);
                if (next != predicted) {
                    throw new ApiException(ProblemType.INVALID_STATE_TRANSITION, "Another attempt of investigation "
                            + investigationId + " registered meanwhile; retry.");
                }
                jdbc.sql("INSERT INTO investigation_attempts (investigation_id, attempt, registered_at) VALUES (?, ?, ?)")
                        .params(investigationId, next, Timestamp.from(clock.instant())).update();
                events.appendServerEvent(investigationId, ATTEMPT_REGISTERED, Map.of("attempt", next));
                audit.append(actor, "worker.registered", investigationId, Map.of("attempt", next));
                if (issued != null) {
                    vault.record(investigationId, next, phase, issued, actor);
                }
            });
        } catch (RuntimeException e) {
            if (issued != null) {
                vault.revokeAccessor(investigationId, issued.accessor(), "registration not stored");
            }
            throw e;
        }
        try (var ignored = MDC.putCloseable("investigationId", investigationId.toString())) {
            log.info("Worker attempt {} registered{}", predicted, issued == null ? "" : " with Vault accessor "
                    + issued.accessor());
        }
        return new Registration(predicted, investigations.get(investigationId), llm.configured() ? "llm" : "rules",
                budgets, sources, llm(), issued == null ? NO_VAULT : "vault: token role " + issued.role() + ", policies "
                        + vaultProperties.policies(phase), issued == null ? null : issued.handover(), redaction, tracing);
    }

    private static void requireActive(UUID investigationId, String state) {
        if (!InvestigationStatus.LAUNCHING.name().equals(state) && !InvestigationStatus.RUNNING.name().equals(state)) {
            throw new ApiException(ProblemType.INVALID_STATE_TRANSITION,
                    "Investigation " + investigationId + " is " + state + ": no worker may register.");
        }
    }

    private int nextAttempt(UUID investigationId) {
        return jdbc.sql("SELECT coalesce(max(attempt), 0) + 1 FROM investigation_attempts WHERE investigation_id = ?")
                .param(investigationId).query(Integer.class).single();
    }

    /** The same paths in every phase: the phase's Vault policy decides which of them it may read. */
    private List<VaultCredentials.SecretPath> secretPaths(InvestigationViews.Detail investigation,
            List<DataSource> sources) {
        String cluster = investigation.summary().target() == null || investigation.summary().target().cluster() == null
                ? datasources.defaultCluster() : investigation.summary().target().cluster();
        String mount = vaultProperties.kvMount();
        List<VaultCredentials.SecretPath> paths = new java.util.ArrayList<>();
        for (DataSource source : sources) {
            paths.add(new VaultCredentials.SecretPath("datasource:" + source.kind(),
                    mount + "/data/datasources/" + cluster + "/" + source.kind()));
        }
        if (llm.configured()) {
            paths.add(new VaultCredentials.SecretPath("llm", mount + "/data/llm/inference"));
        }
        vaultProperties.extraPaths().forEach(path -> paths.add(new VaultCredentials.SecretPath("extra", path)));
        return paths;
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
