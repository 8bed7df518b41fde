package dev.nightshift.server.system;

/** Every metric Nightshift records, under one prefix ({@code nightshift_...} in Prometheus). */
public final class MetricNames {

    /** Gauge: investigations waiting in {@code QUEUED}. */
    public static final String QUEUE_DEPTH = "nightshift.queue.depth";
    /** Gauge: investigations {@code LAUNCHING} or {@code RUNNING}. */
    public static final String ACTIVE_RUNS = "nightshift.runs.active";
    /** Counter: runtime objects (Jobs) found with no investigation behind them. */
    public static final String ORPHANED_JOBS = "nightshift.jobs.orphaned";

    /** Counter: event records that could never be stored, sent to the dead-letter topic. */
    public static final String EVENTS_DEAD_LETTERED = "nightshift.events.dead-lettered";

    /** Counter: automatic trust demotions. */
    public static final String TRUST_DEMOTIONS = "nightshift.trust.demotions";

    /** Counter: proposed actions and held kubectl calls by {@code source} and the policy's {@code outcome}. */
    public static final String ACTIONS_PROPOSED = "nightshift.actions.proposed";
    /** Counter: executions by {@code outcome} (executed, failed, rolled-back). */
    public static final String ACTIONS_EXECUTED = "nightshift.actions.executed";
    /** Gauge: actions and held kubectl calls waiting for a human. */
    public static final String APPROVALS_PENDING = "nightshift.approvals.pending";

    /** Timer: issuing a worker attempt's Vault token, by {@code outcome}. */
    public static final String CREDENTIALS_ISSUED = "nightshift.credentials.issued";
    /** Counter: Vault tokens revoked, by {@code outcome} (revoked, gone, failed). */
    public static final String CREDENTIALS_REVOKED = "nightshift.credentials.revoked";
    /** Gauge: Vault tokens issued and neither revoked nor expired. */
    public static final String CREDENTIALS_OUTSTANDING = "nightshift.credentials.outstanding";
    /** Counter: wrapping tokens unwrapped by someone other than their worker. */
    public static final String CREDENTIAL_ALERTS = "nightshift.credentials.alerts";

    /** Counter: notification delivery attempts by {@code webhook} and {@code outcome}. */
    public static final String NOTIFICATIONS = "nightshift.notifications";

    private MetricNames() {}
}
