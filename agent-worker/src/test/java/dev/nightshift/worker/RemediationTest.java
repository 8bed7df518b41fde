package dev.nightshift.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class RemediationTest {

    private static Outcome concluded(String remediationClass) {
        return new Outcome(true, "A monitored target is down", "availability/target-down", remediationClass, 0.8,
                "Restart it.");
    }

    @Test
    void shouldProposeARolloutRestartOfTheTargetDeploymentOnly() {
        assertThat(Remediation.proposal(concluded("restart"), Map.of("namespace", "shop", "workload",
                "deployment/checkout"))).containsEntry("kind", "rollout-restart").containsEntry("namespace", "shop")
                .containsEntry("name", "checkout").containsEntry("rationale", "A monitored target is down. Restart it.");
        assertThat(Remediation.proposal(concluded("restart"), Map.of("namespace", "shop", "workload", "checkout")))
                .containsEntry("name", "checkout");
        assertThat(Remediation.proposal(concluded("restart"), Map.of("namespace", "shop", "workload", "statefulset/db")))
                .isNull();
        assertThat(Remediation.proposal(concluded("restart"), Map.of("namespace", "shop"))).isNull();
        assertThat(Remediation.proposal(concluded("rollback"), Map.of("namespace", "shop", "workload", "checkout")))
                .isNull();
        assertThat(Remediation.proposal(Outcome.escalate("unclear"), Map.of("namespace", "shop", "workload", "checkout")))
                .isNull();
    }
}
