-- What agents propose, what the policy and humans decided, and what was executed: gateway actions
-- from the catalogue and kubectl calls held by the approval proxy, in one approvals queue.
CREATE TABLE actions (
    id               uuid          PRIMARY KEY,
    investigation_id uuid          NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
    source           varchar(16)   NOT NULL CHECK (source IN ('GATEWAY', 'PROXY')),
    kind             varchar(32)   NOT NULL,
    risk             varchar(8)    NOT NULL CHECK (risk IN ('LOW', 'MEDIUM', 'HIGH')),
    verb             varchar(32)   NOT NULL,
    resource         varchar(253)  NOT NULL,
    namespace        varchar(253),
    name             varchar(253),
    parameters       jsonb         NOT NULL,
    rationale        varchar(2000),
    trust_phase      varchar(32)   NOT NULL,
    status           varchar(20)   NOT NULL CHECK (status IN ('RECORDED', 'DENIED_BY_POLICY', 'RATE_LIMITED',
                         'PENDING_APPROVAL', 'APPROVED', 'EXECUTED', 'FAILED', 'REJECTED', 'EXPIRED', 'ROLLED_BACK')),
    policy_reason    varchar(1000) NOT NULL,
    out_of_scope     boolean       NOT NULL,
    proposed_by      varchar(200)  NOT NULL,
    proposed_at      timestamptz   NOT NULL,
    expires_at       timestamptz,
    decided_by       varchar(200),
    decided_at       timestamptz,
    decision_reason  varchar(1000),
    executed_at      timestamptz,
    result           jsonb,
    rolled_back_by   varchar(200),
    rolled_back_at   timestamptz,
    rollback_reason  varchar(1000)
);
CREATE INDEX actions_investigation_idx ON actions (investigation_id, proposed_at);
CREATE INDEX actions_proposed_at_idx ON actions (proposed_at);
CREATE INDEX actions_pending_idx ON actions (expires_at) WHERE status = 'PENDING_APPROVAL';

-- Notifications to the configured webhooks: written with what they announce, delivered after,
-- retried with back-off; each attempt's outcome is kept.
CREATE TABLE notification_deliveries (
    id               bigint        GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    webhook          varchar(100)  NOT NULL,
    event            varchar(32)   NOT NULL,
    investigation_id uuid,
    payload          jsonb         NOT NULL,
    status           varchar(16)   NOT NULL CHECK (status IN ('PENDING', 'DELIVERED', 'FAILED')),
    attempts         integer       NOT NULL DEFAULT 0,
    last_error       varchar(1000),
    created_at       timestamptz   NOT NULL,
    next_attempt_at  timestamptz   NOT NULL,
    delivered_at     timestamptz
);
CREATE INDEX notification_deliveries_due_idx ON notification_deliveries (next_attempt_at) WHERE status = 'PENDING';
