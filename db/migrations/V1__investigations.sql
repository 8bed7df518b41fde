-- Investigations, their state transitions, and idempotency keys of the create call.
-- Migrations are append-only: change the schema in a new V<n>__*.sql file.

CREATE TABLE investigations (
    -- UUID v7: sorts by creation time, so "newest first" and keyset paging use the primary key.
    id               uuid PRIMARY KEY,
    title            varchar(200)   NOT NULL,
    problem          varchar(10000) NOT NULL,
    severity         varchar(16)    NOT NULL CHECK (severity IN ('CRITICAL', 'WARNING', 'INFO')),
    target_cluster   varchar(63),
    target_namespace varchar(63),
    target_workload  varchar(253),
    tier             varchar(63)    NOT NULL,
    trust_phase      varchar(32)    NOT NULL
        CHECK (trust_phase IN ('SHADOW', 'ASSIST', 'LIMITED_REMEDIATION', 'AUTONOMOUS')),
    status           varchar(16)    NOT NULL
        CHECK (status IN ('QUEUED', 'LAUNCHING', 'RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT',
                          'ESCALATED', 'CANCELLED')),
    source           varchar(16)    NOT NULL CHECK (source IN ('API', 'ALERTMANAGER')),
    created_by       varchar(200)   NOT NULL,
    created_at       timestamptz    NOT NULL,
    updated_at       timestamptz    NOT NULL,
    version          bigint         NOT NULL,
    -- Words of title and problem for q=...: 'simple' lowercases and does not stem, so names such as
    -- checkout-api or KubePodCrashLooping are found as written.
    search           tsvector GENERATED ALWAYS AS (to_tsvector('simple', title || ' ' || problem)) STORED
);

-- One index per equality filter, each ending in id so a filtered page is an ordered index range.
CREATE INDEX investigations_status_idx ON investigations (status, id DESC);
CREATE INDEX investigations_severity_idx ON investigations (severity, id DESC);
CREATE INDEX investigations_trust_phase_idx ON investigations (trust_phase, id DESC);
CREATE INDEX investigations_source_idx ON investigations (source, id DESC);
CREATE INDEX investigations_search_idx ON investigations USING gin (search);

CREATE TABLE investigation_domains (
    investigation_id uuid        NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
    domain           varchar(16) NOT NULL
        CHECK (domain IN ('NETWORK', 'DATABASE', 'APPLICATION', 'SECURITY', 'KUBERNETES', 'STORAGE')),
    PRIMARY KEY (investigation_id, domain)
);
CREATE INDEX investigation_domains_domain_idx ON investigation_domains (domain, investigation_id DESC);

CREATE TABLE investigation_labels (
    investigation_id uuid         NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
    label_key        varchar(317) NOT NULL,
    label_value      varchar(256) NOT NULL,
    PRIMARY KEY (investigation_id, label_key)
);
CREATE INDEX investigation_labels_pair_idx
    ON investigation_labels (label_key, label_value, investigation_id DESC);

-- The audit trail of the lifecycle: every transition with time, actor and reason.
CREATE TABLE investigation_transitions (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    investigation_id uuid          NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
    from_status      varchar(16),
    to_status        varchar(16)   NOT NULL,
    actor            varchar(200)  NOT NULL,
    reason           varchar(1000),
    occurred_at      timestamptz   NOT NULL
);
CREATE INDEX investigation_transitions_investigation_idx
    ON investigation_transitions (investigation_id, id);

-- Idempotency-Key of POST /api/v1/investigations, scoped per principal.
CREATE TABLE idempotency_keys (
    principal        varchar(200) NOT NULL,
    idempotency_key  varchar(255) NOT NULL,
    request_hash     char(64)     NOT NULL,
    investigation_id uuid         NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
    created_at       timestamptz  NOT NULL,
    PRIMARY KEY (principal, idempotency_key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);
