package dev.nightshift.server.system;

/** Every metric Nightshift records, under one prefix ({@code nightshift_...} in Prometheus). */
public final class MetricNames {

    /** Gauge: investigations waiting in {@code QUEUED}. */
    public static final String QUEUE_DEPTH = "nightshift.queue.depth";
    /** Gauge: investigations {@code LAUNCHING} or {@code RUNNING}. */
    public static final String ACTIVE_RUNS = "nightshift.runs.active";
    /** Counter: investigations created, by {@code tier}, {@code phase}, {@code domain} and {@code source}. */
    public static final String INVESTIGATIONS_STARTED = "nightshift.investigations.started";
    /** Counter: investigations ended as succeeded, escalated or cancelled ({@code outcome}), same tags. */
    public static final String INVESTIGATIONS_COMPLETED = "nightshift.investigations.completed";
    /** Counter: investigations failed or timed out ({@code outcome}), same tags. */
    public static final String INVESTIGATIONS_FAILED = "nightshift.investigations.failed";
    /** Timer (histogram): creation to end, by {@code tier} and {@code outcome}. */
    public static final String INVESTIGATION_DURATION = "nightshift.investigation.duration";
    /** Timer (histogram): creation to launch, by {@code tier}. */
    public static final String QUEUE_WAIT = "nightshift.queue.wait";
    /** Timer: creating one run (Job or process), by {@code runtime}. */
    public static final String JOB_CREATE = "nightshift.jobs.create";
    /** Distribution summary: reasoning cycles per investigation, by {@code tier} and {@code outcome}. */
    public static final String REASONING_CYCLES = "nightshift.reasoning.cycles";
    /** Counter: escalations because the circuit breaker tripped, by {@code tier}. */
    public static final String CIRCUIT_BREAKER_TRIPS = "nightshift.circuit.breaker.trips";
    /** Counter: LLM calls by {@code model}. */
    public static final String LLM_CALLS = "nightshift.llm.calls";
    /** Counter: LLM tokens by {@code model} and {@code direction} (in, out). */
    public static final String LLM_TOKENS = "nightshift.llm.tokens";
    /** Counter: LLM cost in USD by {@code model}. */
    public static final String LLM_COST = "nightshift.llm.cost";
    /** Timer (histogram): worker tool calls by {@code tool} and {@code ok}. */
    public static final String TOOL_CALLS = "nightshift.tool.calls";
    /** Gauge: clients following an investigation's event stream. */
    public static final String SSE_CLIENTS = "nightshift.sse.clients";

    /** Counter: running investigations whose run (Job, process) was gone, failed as {@code JobLost}. */
    public static final String JOBS_LOST = "nightshift.jobs.lost";
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
