package dev.nightshift.server.action;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.nightshift.server.ApiClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import io.fabric8.mockwebserver.http.RecordedRequest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Workers propose, the policy decides, operators approve, reject or roll back, and the executor
 * acts on a Kubernetes API test server — with every step in the audit trail, the investigation's
 * history and, for approvals, the notification webhooks.
 */
class ActionGatewayIT extends ClusterActionTest {

    @BeforeEach
    void cluster() {
        resetCluster();
    }

    private ApiClient.Response propose(Run run, Map<String, Object> action) {
        return api.post("/api/v1/investigations/" + run.id() + "/actions").bearer(run.token()).json(action).send();
    }

    private JsonNode proposeOk(Run run, Map<String, Object> action) {
        ApiClient.Response response = propose(run, action);
        assertThat(response.status()).as(response.body()).isEqualTo(201);
        return response.json();
    }

    private ApiClient.Response decide(JsonNode action, String decision, String token, String reason) {
        return api.post("/api/v1/actions/" + action.path("id").asString() + "/" + decision).bearer(token)
                .json(reason == null ? Map.of() : Map.of("reason", reason)).send();
    }

    private List<String> history(Run run) {
        return api.get("/api/v1/investigations/" + run.id() + "/events").bearer(OPERATOR).send().json().path("items")
                .valueStream().map(e -> e.path("type").asString() + ":" + e.path("payload").path("status")
                        .asString("")).toList();
    }

    private List<String> audit(UUID investigationId) {
        return jdbc.sql("SELECT action FROM audit_log WHERE investigation_id = ? AND action LIKE 'action.%' ORDER BY seq")
                .param(investigationId).query(String.class).list();
    }

    private String ceiling() {
        return api.get("/api/v1/trust").bearer(VIEWER).send().json().path("ceiling").asString(null);
    }

    @Test
    void shouldWaitForApprovalInLimitedRemediationThenExecuteAsTheExecutorAndRollBack() throws Exception {
        Run run = running("LIMITED_REMEDIATION");
        JsonNode proposed = proposeOk(run, Map.of("kind", "scale-deployment", "namespace", "shop", "name", "checkout",
                "replicas", 6, "rationale", "CPU saturated at 4 replicas"));
        assertThat(proposed.path("status").asString()).isEqualTo("PENDING_APPROVAL");
        assertThat(proposed.path("risk").asString()).isEqualTo("MEDIUM");
        assertThat(proposed.path("parameters").path("currentReplicas").asInt()).isEqualTo(4);
        assertThat(proposed.path("expiresAt").asString()).isNotEmpty();

        // The approvals queue shows it to viewers; only operators decide, and they say why.
        JsonNode queue = api.get("/api/v1/actions?status=PENDING_APPROVAL&investigationId=" + run.id()).bearer(VIEWER)
                .send().json();
        assertThat(queue.path("items").valueStream().map(a -> a.path("id").asString()))
                .containsExactly(proposed.path("id").asString());
        assertThat(decide(proposed, "approve", VIEWER, "looks right").status()).isEqualTo(403);
        ApiClient.Response noReason = decide(proposed, "approve", OPERATOR, null);
        assertThat(noReason.status()).isEqualTo(400);
        assertThat(noReason.errorFields()).containsExactly("reason");
        assertThat(CLUSTER.apps().deployments().inNamespace("shop").withName("checkout").get().getSpec().getReplicas())
                .as("nothing ran before approval").isEqualTo(4);

        ApiClient.Response approved = decide(proposed, "approve", OPERATOR, "saturation confirmed on the dashboard");
        assertThat(approved.status()).as(approved.body()).isEqualTo(200);
        JsonNode executed = approved.json();
        assertThat(executed.path("status").asString()).isEqualTo("EXECUTED");
        assertThat(executed.path("decidedBy").asString()).isEqualTo("otto-operator");
        assertThat(executed.path("decisionReason").asString()).isEqualTo("saturation confirmed on the dashboard");
        assertThat(executed.path("result").path("state").path("replicas").asInt()).isEqualTo(6);
        assertThat(executed.path("result").path("previous").path("replicas").asInt()).isEqualTo(4);
        assertThat(CLUSTER.apps().deployments().inNamespace("shop").withName("checkout").get().getSpec().getReplicas())
                .isEqualTo(6);
        RecordedRequest write = lastRequest("PATCH");
        assertThat(write.getHeader("Impersonate-User")).isEqualTo(EXECUTOR);
        assertThat(write.getHeader("Content-Type")).startsWith("application/merge-patch+json");
        assertThat(decide(proposed, "approve", OPERATOR, "again").status()).isEqualTo(409);

        JsonNode rolledBack = decide(proposed, "rollback", OPERATOR, "latency did not improve").json();
        assertThat(rolledBack.path("status").asString()).isEqualTo("ROLLED_BACK");
        assertThat(rolledBack.path("rolledBackBy").asString()).isEqualTo("otto-operator");
        assertThat(CLUSTER.apps().deployments().inNamespace("shop").withName("checkout").get().getSpec().getReplicas())
                .isEqualTo(4);

        assertThat(history(run)).containsSubsequence("ACTION_PROPOSED:", "ACTION_DECIDED:PENDING_APPROVAL",
                "ACTION_DECIDED:APPROVED", "ACTION_EXECUTED:EXECUTED", "ACTION_EXECUTED:ROLLED_BACK");
        assertThat(audit(run.id())).containsExactly("action.proposed", "action.decided", "action.approved",
                "action.executed", "action.rolled-back");
        assertThat(ceiling()).as("one rollback among few is no reason to demote").isNull();
    }

    @Test
    void shouldRecordInShadowAndAssistAndNeverExecute() {
        for (String phase : List.of("SHADOW", "ASSIST")) {
            Run run = running(phase);
            JsonNode recorded = proposeOk(run, Map.of("kind", "restart-pod", "namespace", "shop", "name", "checkout-abc"));
            assertThat(recorded.path("status").asString()).isEqualTo("RECORDED");
            assertThat(recorded.path("outOfScope").asBoolean()).isFalse();
            assertThat(decide(recorded, "approve", OPERATOR, "do it").status()).isEqualTo(409);
        }
        assertThat(CLUSTER.pods().inNamespace("shop").withName("checkout-abc").get()).isNotNull();
        assertThat(ceiling()).isNull();
    }

    @Test
    void shouldRunLowRiskAloneInAutonomousAndHoldHighRisk() {
        Run run = running("AUTONOMOUS");
        JsonNode restart = proposeOk(run, Map.of("kind", "restart-pod", "namespace", "shop", "name", "checkout-abc"));
        assertThat(restart.path("status").asString()).isEqualTo("EXECUTED");
        assertThat(restart.path("decidedBy").asString()).isEqualTo("policy");
        assertThat(CLUSTER.pods().inNamespace("shop").withName("checkout-abc").get()).isNull();

        JsonNode cache = proposeOk(run, Map.of("kind", "cache-clear-webhook", "webhook", "storefront"));
        assertThat(cache.path("status").asString()).isEqualTo("EXECUTED");
        assertThat(CACHE_CLEARS).anyMatch(body -> body.contains(cache.path("id").asString()));

        JsonNode cordon = proposeOk(run, Map.of("kind", "cordon-node", "name", "node-1"));
        assertThat(cordon.path("status").asString()).isEqualTo("PENDING_APPROVAL");
        assertThat(cordon.path("policyReason").asString()).isEqualTo("high risk waits for approval");
        JsonNode cordoned = decide(cordon, "approve", OPERATOR, "node-1 has a failing disk").json();
        assertThat(cordoned.path("status").asString()).isEqualTo("EXECUTED");
        assertThat(CLUSTER.nodes().withName("node-1").get().getSpec().getUnschedulable()).isTrue();
        assertThat(decide(cordon, "rollback", OPERATOR, "disk replaced").json().path("status").asString())
                .isEqualTo("ROLLED_BACK");
        assertThat(CLUSTER.nodes().withName("node-1").get().getSpec().getUnschedulable()).isFalse();
        assertThat(decide(restart, "rollback", OPERATOR, "undo").status()).as("a restart cannot be undone")
                .isEqualTo(409);
    }

    @Test
    void shouldRecordWhatTheClusterRefusedAsFailed() {
        Run run = running("LIMITED_REMEDIATION");
        JsonNode hpa = proposeOk(run, Map.of("kind", "adjust-hpa", "namespace", "shop", "name", "missing",
                "maxReplicas", 20));
        JsonNode failed = decide(hpa, "approve", OPERATOR, "more headroom").json();
        assertThat(failed.path("status").asString()).isEqualTo("FAILED");
        assertThat(failed.path("result").path("summary").asString()).contains("does not exist");
        assertThat(history(run)).contains("ACTION_EXECUTED:FAILED");
    }

    @Test
    void shouldDemoteForOutOfScopeButNotForRejectionsOrRateLimits() {
        Run run = running("LIMITED_REMEDIATION");
        JsonNode restart = proposeOk(run, Map.of("kind", "rollout-restart", "namespace", "shop", "name", "checkout"));
        JsonNode rejected = decide(restart, "reject", OPERATOR, "the leak is in the cache, not the app").json();
        assertThat(rejected.path("status").asString()).isEqualTo("REJECTED");
        var template = CLUSTER.apps().deployments().inNamespace("shop").withName("checkout").get().getSpec().getTemplate();
        assertThat(template.getMetadata() == null ? null : template.getMetadata().getAnnotations())
                .as("nothing was restarted").isNullOrEmpty();
        assertThat(ceiling()).as("a human's rejection never demotes").isNull();

        // Fill this investigation's allowance: the next proposal is rate limited, which never demotes either.
        Run busy = running("LIMITED_REMEDIATION");
        jdbc.sql("""
                        INSERT INTO actions (id, investigation_id, source, kind, risk, verb, resource, parameters,
                            trust_phase, status, policy_reason, out_of_scope, proposed_by, proposed_at)
                        SELECT gen_random_uuid(), ?, 'GATEWAY', 'restart-pod', 'LOW', 'delete', 'pods', '{}',
                            'LIMITED_REMEDIATION', 'REJECTED', 'seeded', false, 'seed', now()
                        FROM generate_series(1, 40)""").param(busy.id()).update();
        JsonNode limited = proposeOk(busy, Map.of("kind", "restart-pod", "namespace", "shop", "name", "checkout-abc"));
        assertThat(limited.path("status").asString()).isEqualTo("RATE_LIMITED");
        assertThat(limited.path("policyReason").asString()).isEqualTo("at most 40 proposals per investigation");
        assertThat(ceiling()).isNull();

        JsonNode denied = proposeOk(run, Map.of("kind", "restart-pod", "namespace", "payments", "name", "checkout-abc"));
        assertThat(denied.path("status").asString()).isEqualTo("DENIED_BY_POLICY");
        assertThat(denied.path("outOfScope").asBoolean()).isTrue();
        assertThat(denied.path("policyReason").asString()).as("protected by its label")
                .isEqualTo("namespace payments is protected");
        assertThat(ceiling()).as("an out-of-scope attempt demotes one phase").isEqualTo("LIMITED_REMEDIATION");
        assertThat(history(run)).contains("TRUST_DEMOTED:");
        // The gate now in force reads its evidence from the gateway's record of limited remediation.
        JsonNode gate = api.get("/api/v1/trust").bearer(VIEWER).send().json().path("nextGate");
        assertThat(gate.path("from").asString()).isEqualTo("LIMITED_REMEDIATION");
        long carriedOut = jdbc.sql("""
                        SELECT count(*) FROM actions WHERE trust_phase = 'LIMITED_REMEDIATION'
                          AND status IN ('EXECUTED', 'FAILED', 'ROLLED_BACK')""").query(Long.class).single();
        assertThat(gate.path("criteria").valueStream().filter(c -> c.path("name").asString()
                .equals("approved remediations")).findFirst().orElseThrow().path("value").asLong()).isEqualTo(carriedOut);
        assertThat(CLUSTER.pods().inNamespace("payments").withName("checkout-abc").get()).isNotNull();

        // While demoted, a new proposal is judged in the lower phase: low risk no longer runs alone.
        Run next = running("AUTONOMOUS");
        assertThat(proposeOk(next, Map.of("kind", "restart-pod", "namespace", "shop", "name", "checkout-abc"))
                .path("status").asString()).isEqualTo("PENDING_APPROVAL");
        await().atMost(Duration.ofSeconds(20)).until(() -> notifications("/hooks/pager").stream()
                .anyMatch(n -> n.path("event").asString().equals("DEMOTION")
                        && n.path("investigationId").asString().equals(run.id().toString())));
    }

    @Test
    void shouldExpireWhatNobodyDecidedAndRefuseToApproveIt() {
        Run run = running("LIMITED_REMEDIATION");
        JsonNode pending = proposeOk(run, Map.of("kind", "restart-pod", "namespace", "shop", "name", "checkout-abc"));
        jdbc.sql("UPDATE actions SET expires_at = now() - interval '1 second' WHERE id = ?")
                .param(UUID.fromString(pending.path("id").asString())).update();
        await().atMost(Duration.ofSeconds(10)).until(() -> "EXPIRED".equals(api.get("/api/v1/actions/"
                + pending.path("id").asString()).bearer(VIEWER).send().json().path("status").asString()));
        assertThat(decide(pending, "approve", OPERATOR, "late").status()).isEqualTo(409);
        assertThat(history(run)).contains("ACTION_DECIDED:EXPIRED");
        assertThat(audit(run.id())).contains("action.expired");
        assertThat(CLUSTER.pods().inNamespace("shop").withName("checkout-abc").get()).isNotNull();
        assertThat(ceiling()).isNull();
    }

    @Test
    void shouldNotifyApprovalRequestsThroughFailuresWithBackOff() {
        Run run = running("LIMITED_REMEDIATION");
        JsonNode pending = proposeOk(run, Map.of("kind", "scale-deployment", "namespace", "shop", "name", "checkout",
                "replicas", 5));
        String id = pending.path("id").asString();
        await().atMost(Duration.ofSeconds(20)).until(() -> NOTIFICATIONS.stream().filter(n -> n.contains(id)).count() == 2);
        assertThat(notifications("/hooks/pager")).anyMatch(n -> n.path("event").asString().equals("APPROVAL_REQUESTED")
                && n.path("details").path("actionId").asString().equals(id)
                && n.path("details").path("namespace").asString().equals("shop"));
        assertThat(notifications("/hooks/chat")).as("Slack format: one text field").anyMatch(n -> n.size() == 1
                && n.path("text").asString().contains("approval requested: patch deployments/scale/checkout in shop")
                && n.path("text").asString().contains(id));
        assertThat(notifications("/hooks/chat")).as("the chat webhook wants approvals only")
                .allMatch(n -> n.path("text").asString().contains("approval requested"));
        assertThat(jdbc.sql("SELECT status FROM notification_deliveries WHERE payload::text LIKE ?").param("%" + id + "%")
                .query(String.class).list()).containsOnly("DELIVERED");
        JsonNode deliveries = api.get("/api/v1/notifications?status=DELIVERED").bearer(OPERATOR).send().json();
        assertThat(deliveries.path("items").valueStream().mapToInt(d -> d.path("attempts").asInt()).max().orElse(0))
                .as("the first deliveries were retried").isGreaterThan(1);
        assertThat(deliveries.path("items").valueStream().map(d -> d.path("webhook").asString()).distinct().toList())
                .contains("pager", "chat");
        assertThat(api.get("/api/v1/notifications").bearer(VIEWER).send().status()).isEqualTo(403);
        assertThat(api.get("/api/v1/notifications?status=LOST").bearer(OPERATOR).send().errorFields())
                .containsExactly("status");
    }

    @Test
    void shouldNotifyEscalationsAndFailedInvestigations() {
        Run escalated = running("ASSIST");
        Run failed = running("ASSIST");
        investigations.report(escalated.id(), dev.nightshift.server.investigation.InvestigationStatus.ESCALATED,
                "worker", "disk pressure on three nodes needs a human");
        investigations.report(failed.id(), dev.nightshift.server.investigation.InvestigationStatus.FAILED,
                "test-runtime", "OOMKilled");
        await().atMost(Duration.ofSeconds(20)).until(() -> notifications("/hooks/pager").stream()
                .filter(n -> n.path("investigationId").asString().equals(escalated.id().toString())
                        && n.path("event").asString().equals("ESCALATION")
                        || n.path("investigationId").asString().equals(failed.id().toString())
                        && n.path("event").asString().equals("INVESTIGATION_FAILED")).count() == 2);
        assertThat(notifications("/hooks/chat")).as("the chat webhook wants approvals only")
                .noneMatch(n -> n.path("text").asString().contains(" escalated") || n.path("text").asString()
                        .contains(" failed: OOMKilled"));
        assertThat(notifications("/hooks/pager")).anyMatch(n -> n.path("text").asString()
                .equals("investigation \"checkout slow\" failed: OOMKilled"));
    }

    @Test
    void shouldRejectBadProposalsWithoutRecordingThem() {
        Run run = running("LIMITED_REMEDIATION");
        long before = jdbc.sql("SELECT count(*) FROM actions").query(Long.class).single();
        ApiClient.Response unknown = propose(run, Map.of("kind", "delete-namespace", "namespace", "shop", "name", "x"));
        assertThat(unknown.status()).isEqualTo(400);
        assertThat(unknown.header("Content-Type")).startsWith("application/problem+json");
        assertThat(unknown.errorFields()).containsExactly("kind");
        assertThat(propose(run, Map.of("kind", "scale-deployment", "namespace", "shop", "name", "checkout"))
                .errorFields()).containsExactly("replicas");
        assertThat(propose(run, Map.of("kind", "restart-pod", "namespace", "Shop!", "name", "x", "replicas", 2))
                .errorFields()).containsExactlyInAnyOrder("namespace", "replicas");
        assertThat(propose(run, Map.of("kind", "cache-clear-webhook", "webhook", "http://evil.example"))
                .errorFields()).containsExactly("webhook");
        assertThat(api.post("/api/v1/investigations/" + run.id() + "/actions").bearer(OPERATOR)
                .json(Map.of("kind", "restart-pod", "namespace", "shop", "name", "x")).send().status())
                .as("humans do not propose as a worker").isEqualTo(403);
        Run other = running("LIMITED_REMEDIATION");
        assertThat(api.post("/api/v1/investigations/" + run.id() + "/actions").bearer(other.token())
                .json(Map.of("kind", "restart-pod", "namespace", "shop", "name", "x")).send().status())
                .as("a worker proposes for its own investigation only").isEqualTo(403);
        assertThat(api.get("/api/v1/actions?status=DONE").bearer(VIEWER).send().errorFields()).containsExactly("status");
        assertThat(jdbc.sql("SELECT count(*) FROM actions").query(Long.class).single()).isEqualTo(before);
    }

    private static List<JsonNode> notifications(String path) {
        return NOTIFICATIONS.stream().filter(n -> n.startsWith(path + " "))
                .map(n -> JSON.readTree(n.substring(path.length() + 1))).toList();
    }

    private static final tools.jackson.databind.ObjectMapper JSON = new tools.jackson.databind.json.JsonMapper();

    /** The most recent request of a method the Kubernetes API test server received. */
    static RecordedRequest lastRequest(String method) throws InterruptedException {
        RecordedRequest found = null;
        RecordedRequest request;
        while ((request = KUBERNETES.takeRequest(10, java.util.concurrent.TimeUnit.MILLISECONDS)) != null) {
            if (request.getMethod().equals(method)) {
                found = request;
            }
        }
        return found;
    }
}
