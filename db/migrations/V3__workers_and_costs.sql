-- Worker identity, attempts and the cost ledger.

-- A bootstrap token per launch, valid for that one investigation while it is not over. Only its
-- SHA-256 is kept; the token itself reaches the worker through a Secret or a private file.
CREATE TABLE worker_credentials (
    token_hash       char(64)    PRIMARY KEY,
    investigation_id uuid        NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
    issued_at        timestamptz NOT NULL
);
CREATE INDEX worker_credentials_investigation_idx ON worker_credentials (investigation_id);

-- Each registration of a worker process (a pod retry or a relaunch is a new attempt).
CREATE TABLE investigation_attempts (
    investigation_id uuid        NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
    attempt          integer     NOT NULL CHECK (attempt >= 1),
    registered_at    timestamptz NOT NULL,
    PRIMARY KEY (investigation_id, attempt)
);

-- What an investigation cost: LLM calls and tokens (from LLM_CALLED events), compute time of its
-- run, and the reasoning cycles it took (from its final event; the circuit breaker's p95 history).
CREATE TABLE investigation_costs (
    investigation_id uuid           PRIMARY KEY REFERENCES investigations (id) ON DELETE CASCADE,
    llm_calls        integer        NOT NULL DEFAULT 0,
    input_tokens     bigint         NOT NULL DEFAULT 0,
    output_tokens    bigint         NOT NULL DEFAULT 0,
    llm_cost         numeric(14, 6) NOT NULL DEFAULT 0,
    compute_seconds  numeric(12, 3) NOT NULL DEFAULT 0,
    compute_cost     numeric(14, 6) NOT NULL DEFAULT 0,
    reasoning_cycles integer
);
