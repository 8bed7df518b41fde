package dev.nightshift.server.action;

import dev.nightshift.server.system.WireEnum;
import java.util.Locale;

/**
 * The catalogue of what an agent may propose: pre-approved operations, each with its risk and the
 * Kubernetes verb and kind it needs. Nothing outside it can be proposed at all.
 */
public enum ActionKind implements WireEnum {
    RESTART_POD(Risk.LOW, "delete", "pods"),
    ROLLOUT_RESTART(Risk.LOW, "patch", "deployments"),
    SCALE_DEPLOYMENT(Risk.MEDIUM, "patch", "deployments/scale"),
    ADJUST_HPA(Risk.MEDIUM, "patch", "horizontalpodautoscalers"),
    CORDON_NODE(Risk.HIGH, "patch", "nodes"),
    CACHE_CLEAR_WEBHOOK(Risk.LOW, "post", "webhooks");

    /** How much a mistake would hurt: low runs alone when autonomous, high always waits for a human. */
    public enum Risk { LOW, MEDIUM, HIGH }

    private final Risk risk;
    private final String verb;
    private final String resource;

    ActionKind(Risk risk, String verb, String resource) {
        this.risk = risk;
        this.verb = verb;
        this.resource = resource;
    }

    public Risk risk() {
        return risk;
    }

    public String verb() {
        return verb;
    }

    public String resource() {
        return resource;
    }

    @Override
    public String wire() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
