package dev.nightshift.worker;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The catalogue action a diagnosis suggests, proposed to the server's action gateway, which decides
 * by the trust phase and policy what becomes of it. Only what the diagnosis and the target name
 * precisely is proposed: a restart of the target's deployment. Anything else stays a suggestion in
 * the conclusion for a human.
 */
final class Remediation {

    static final int MAX_RATIONALE = 2000;

    private Remediation() {}

    /** The proposal body for {@code POST /investigations/{id}/actions}, or null when there is none to make. */
    static Map<String, Object> proposal(Outcome outcome, Map<String, String> target) {
        if (!outcome.concluded() || target == null || !"restart".equals(outcome.remediationClass())) {
            return null;
        }
        String namespace = target.get("namespace");
        String workload = target.get("workload");
        if (namespace == null || workload == null) {
            return null;
        }
        int slash = workload.indexOf('/');
        String kind = slash < 0 ? "deployment" : workload.substring(0, slash);
        if (!kind.equals("deployment")) {
            return null;
        }
        String rationale = outcome.summary() + ". " + outcome.suggestedRemediation();
        Map<String, Object> proposal = new LinkedHashMap<>();
        proposal.put("kind", "rollout-restart");
        proposal.put("namespace", namespace);
        proposal.put("name", workload.substring(slash + 1));
        proposal.put("rationale", rationale.length() > MAX_RATIONALE ? rationale.substring(0, MAX_RATIONALE) : rationale);
        return proposal;
    }
}
