package dev.nightshift.server.action;

import static org.assertj.core.api.Assertions.assertThat;

import dev.nightshift.server.action.ActionPolicy.Outcome;
import dev.nightshift.server.action.ActionPolicy.Proposal;
import dev.nightshift.server.action.ActionPolicy.Usage;
import dev.nightshift.server.trust.TrustPhase;
import java.time.LocalTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ActionPolicyTest {

    private static final LocalTime NOON = LocalTime.NOON;
    private static final Usage NONE = new Usage(0, 0);

    private static ActionPolicy policy(boolean production) {
        return new ActionPolicy(new ActionPolicyProperties(production, null, null, null, null, 0.5, null, null, 5, 30));
    }

    private static Proposal proposal(ActionKind kind, String namespace) {
        return new Proposal(kind, namespace, Map.of(), "checkout", kind == ActionKind.SCALE_DEPLOYMENT ? 4 : null,
                kind == ActionKind.SCALE_DEPLOYMENT ? 6 : null);
    }

    /** The policy matrix: phase × action × namespace × environment, one expected outcome per cell. */
    @ParameterizedTest(name = "{0} {1} in {2} (production {3}) -> {4}")
    @CsvSource({
            // phase, action, namespace, production, outcome, out of scope
            "SHADOW, RESTART_POD, shop, true, RECORDED, false",
            "SHADOW, CORDON_NODE, , true, RECORDED, false",
            "SHADOW, SCALE_DEPLOYMENT, shop, false, RECORDED, false",
            "SHADOW, RESTART_POD, kube-system, false, DENIED_BY_POLICY, true",
            "ASSIST, ROLLOUT_RESTART, shop, true, RECORDED, false",
            "ASSIST, ADJUST_HPA, kube-public, true, DENIED_BY_POLICY, true",
            "ASSIST, CACHE_CLEAR_WEBHOOK, , false, RECORDED, false",
            "LIMITED_REMEDIATION, RESTART_POD, shop, true, PENDING_APPROVAL, false",
            "LIMITED_REMEDIATION, SCALE_DEPLOYMENT, shop, true, PENDING_APPROVAL, false",
            "LIMITED_REMEDIATION, CORDON_NODE, , true, DENIED_BY_POLICY, true",
            "LIMITED_REMEDIATION, CORDON_NODE, , false, DENIED_BY_POLICY, true",
            "LIMITED_REMEDIATION, ROLLOUT_RESTART, kube-system, false, DENIED_BY_POLICY, true",
            "AUTONOMOUS, RESTART_POD, shop, true, APPROVED, false",
            "AUTONOMOUS, CACHE_CLEAR_WEBHOOK, , true, APPROVED, false",
            "AUTONOMOUS, SCALE_DEPLOYMENT, shop, true, PENDING_APPROVAL, false",
            "AUTONOMOUS, ADJUST_HPA, shop, false, PENDING_APPROVAL, false",
            "AUTONOMOUS, CORDON_NODE, , true, PENDING_APPROVAL, false",
            "AUTONOMOUS, ROLLOUT_RESTART, kube-node-lease, true, DENIED_BY_POLICY, true",
    })
    void shouldDecideEachCellOfTheMatrix(TrustPhase phase, ActionKind kind, String namespace, boolean production,
            Outcome outcome, boolean outOfScope) {
        ActionPolicy.Decision decision = policy(production).decide(phase, proposal(kind, namespace), NONE, NOON);
        assertThat(decision.outcome()).as(decision.reason()).isEqualTo(outcome);
        assertThat(decision.outOfScope()).isEqualTo(outOfScope);
    }

    @Test
    void shouldNeverExecuteInShadowOrAssistAndAlwaysGuardProtectedNamespaces() {
        for (TrustPhase phase : TrustPhase.values()) {
            for (ActionKind kind : ActionKind.values()) {
                for (boolean production : List.of(true, false)) {
                    var protectedTarget = policy(production).decide(phase, proposal(kind, "kube-system"), NONE, NOON);
                    if (kind != ActionKind.CORDON_NODE && kind != ActionKind.CACHE_CLEAR_WEBHOOK) {
                        assertThat(protectedTarget.outcome()).isEqualTo(Outcome.DENIED_BY_POLICY);
                        assertThat(protectedTarget.outOfScope()).isTrue();
                    }
                    var inScope = policy(production).decide(phase, proposal(kind, "shop"), NONE, NOON);
                    if (phase == TrustPhase.SHADOW || phase == TrustPhase.ASSIST) {
                        assertThat(inScope.outcome()).isEqualTo(Outcome.RECORDED);
                    }
                    if (kind.risk() == ActionKind.Risk.HIGH) {
                        assertThat(inScope.outcome()).isNotEqualTo(Outcome.APPROVED);
                    }
                }
            }
        }
    }

    @Test
    void shouldRefuseScaleToZeroAndDrasticCutsInProductionOnly() {
        Proposal toZero = new Proposal(ActionKind.SCALE_DEPLOYMENT, "shop", Map.of(), "checkout", 0, 6);
        Proposal drastic = new Proposal(ActionKind.SCALE_DEPLOYMENT, "shop", Map.of(), "checkout", 2, 6);
        Proposal modest = new Proposal(ActionKind.SCALE_DEPLOYMENT, "shop", Map.of(), "checkout", 3, 6);
        TrustPhase phase = TrustPhase.LIMITED_REMEDIATION;
        assertThat(policy(true).decide(phase, toZero, NONE, NOON).reason()).isEqualTo("no scale to zero in production");
        assertThat(policy(true).decide(phase, drastic, NONE, NOON).reason())
                .isEqualTo("a cut of 67% of replicas in production is over 50%");
        assertThat(policy(true).decide(phase, modest, NONE, NOON).outcome()).isEqualTo(Outcome.PENDING_APPROVAL);
        assertThat(policy(false).decide(phase, toZero, NONE, NOON).outcome()).isEqualTo(Outcome.PENDING_APPROVAL);
    }

    @Test
    void shouldRateLimitAndKeepWindowsWithoutCallingEitherOutOfScope() {
        var limited = policy(false).decide(TrustPhase.AUTONOMOUS, proposal(ActionKind.RESTART_POD, "shop"),
                new Usage(5, 5), NOON);
        assertThat(limited.outcome()).isEqualTo(Outcome.RATE_LIMITED);
        assertThat(limited.outOfScope()).isFalse();
        assertThat(policy(false).decide(TrustPhase.AUTONOMOUS, proposal(ActionKind.RESTART_POD, "shop"),
                new Usage(0, 30), NOON).reason()).isEqualTo("at most 30 proposals per hour");

        ActionPolicy office = new ActionPolicy(new ActionPolicyProperties(false, null, null, List.of("shop"), null, 0.5,
                LocalTime.of(8, 0), LocalTime.of(18, 0), 5, 30));
        var night = office.decide(TrustPhase.AUTONOMOUS, proposal(ActionKind.RESTART_POD, "shop"), NONE,
                LocalTime.of(2, 0));
        assertThat(night.outcome()).isEqualTo(Outcome.DENIED_BY_POLICY);
        assertThat(night.outOfScope()).as("a window is not scope").isFalse();
        assertThat(office.decide(TrustPhase.AUTONOMOUS, proposal(ActionKind.RESTART_POD, "shop"), NONE, NOON).outcome())
                .isEqualTo(Outcome.APPROVED);
        assertThat(office.decide(TrustPhase.AUTONOMOUS, proposal(ActionKind.RESTART_POD, "payments"), NONE, NOON)
                .reason()).isEqualTo("namespace payments is not a target namespace");
    }

    @Test
    void shouldProtectNamespacesByLabelAndJudgeKubectlScalesByEnvironment() {
        Proposal labelled = new Proposal(ActionKind.RESTART_POD, "payments", Map.of("nightshift.dev/protected", "true"),
                "api-0", null, null);
        var denied = policy(false).decide(TrustPhase.AUTONOMOUS, labelled, NONE, NOON);
        assertThat(denied.outcome()).isEqualTo(Outcome.DENIED_BY_POLICY);
        assertThat(denied.reason()).isEqualTo("namespace payments is protected");

        assertThat(policy(false).isDrasticScale(0, 3)).as("to zero, anywhere").isTrue();
        assertThat(policy(false).isDrasticScale(1, 6)).isFalse();
        assertThat(policy(true).isDrasticScale(1, 6)).as("a cut of 83% in production").isTrue();
        assertThat(policy(true).isDrasticScale(3, 6)).isFalse();
        assertThat(policy(true).isDrasticScale(8, 6)).isFalse();

        assertThat(policy(true).decideCall(TrustPhase.AUTONOMOUS, ActionKind.Risk.HIGH, NONE, NOON).outcome())
                .isEqualTo(Outcome.PENDING_APPROVAL);
        assertThat(policy(true).decideCall(TrustPhase.AUTONOMOUS, ActionKind.Risk.LOW, NONE, NOON).outcome())
                .isEqualTo(Outcome.APPROVED);
        assertThat(policy(true).decideCall(TrustPhase.SHADOW, ActionKind.Risk.HIGH, NONE, NOON).outcome())
                .isEqualTo(Outcome.RECORDED);
    }
}
