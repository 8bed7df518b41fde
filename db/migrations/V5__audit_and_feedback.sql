-- The audit trail: one global, append-only hash chain. Each entry's hash covers its content and
-- the previous entry's hash, computed by PostgreSQL from the stored values (so verification reads
-- exactly what was hashed); appends are serialized, so the chain never forks.

CREATE TABLE audit_log (
    seq              bigint       PRIMARY KEY,
    at               timestamptz  NOT NULL,
    actor            varchar(200) NOT NULL,
    action           varchar(64)  NOT NULL,
    investigation_id uuid,
    details          jsonb        NOT NULL,
    prev_hash        char(64)     NOT NULL,
    hash             char(64)     NOT NULL
);
CREATE INDEX audit_log_investigation_idx ON audit_log (investigation_id, seq);

-- The content an entry's hash covers, in one place for appending and verifying.
CREATE FUNCTION audit_log_hash(prev_hash text, seq bigint, at timestamptz, actor text, action text,
                               investigation_id uuid, details jsonb) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT encode(sha256(convert_to(prev_hash || '|' || seq || '|' || (extract(epoch FROM at) * 1000000)::bigint
        || '|' || actor || '|' || action || '|' || coalesce(investigation_id::text, '') || '|' || details::text,
        'UTF8')), 'hex')
$$;

-- Rows are never changed or removed, whoever asks; an owner who disables this leaves a broken chain.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_no_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();

-- Operators' verdicts on diagnoses; the latest per investigation counts, every one is kept.
CREATE TABLE investigation_feedback (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    investigation_id    uuid          NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
    verdict             varchar(16)   NOT NULL CHECK (verdict IN ('ACCEPTED', 'REJECTED', 'MODIFIED')),
    root_cause_category varchar(128),
    remediation_class   varchar(128),
    comment             varchar(4000),
    actor               varchar(200)  NOT NULL,
    recorded_at         timestamptz   NOT NULL
);
CREATE INDEX investigation_feedback_investigation_idx ON investigation_feedback (investigation_id, id DESC);
