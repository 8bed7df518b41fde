-- Per-attempt Vault tokens: what was issued to whom, and when it was revoked. Accessors only; a
-- token itself is never stored (the worker gets it response-wrapped, single use).
CREATE TABLE vault_tokens (
    accessor          varchar(100)  PRIMARY KEY,
    investigation_id  uuid          NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
    attempt           integer       NOT NULL,
    token_role        varchar(200)  NOT NULL,
    trust_phase       varchar(32)   NOT NULL,
    issued_at         timestamptz   NOT NULL,
    expires_at        timestamptz   NOT NULL,
    revoked_at        timestamptz,
    revoke_reason     varchar(200)
);
CREATE INDEX vault_tokens_unrevoked_idx ON vault_tokens (investigation_id) WHERE revoked_at IS NULL;
