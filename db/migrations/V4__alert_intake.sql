-- Alertmanager intake: incidents group alerts; an open incident has at most one investigation.

CREATE TABLE incidents (
    id               uuid PRIMARY KEY,
    incident_key     varchar(1024) NOT NULL,
    status           varchar(16)   NOT NULL CHECK (status IN ('OPEN', 'RESOLVED')),
    investigation_id uuid REFERENCES investigations (id) ON DELETE SET NULL,
    receiver         varchar(256),
    opened_at        timestamptz   NOT NULL,
    resolved_at      timestamptz
);
-- Enforced in the database, so replicas and HA peers racing on one key still make one incident.
CREATE UNIQUE INDEX incidents_open_key_idx ON incidents (incident_key) WHERE status = 'OPEN';
CREATE INDEX incidents_investigation_idx ON incidents (investigation_id);

-- Every alert firing received; fingerprint + startsAt identify one firing.
CREATE TABLE alerts (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    incident_id   uuid          NOT NULL REFERENCES incidents (id) ON DELETE CASCADE,
    fingerprint   varchar(64)   NOT NULL,
    starts_at     timestamptz   NOT NULL,
    ends_at       timestamptz,
    status        varchar(16)   NOT NULL CHECK (status IN ('firing', 'resolved')),
    alertname     varchar(256),
    labels        jsonb         NOT NULL,
    annotations   jsonb         NOT NULL,
    generator_url varchar(2048),
    received_at   timestamptz   NOT NULL,
    updated_at    timestamptz   NOT NULL,
    UNIQUE (fingerprint, starts_at)
);
CREATE INDEX alerts_incident_idx ON alerts (incident_id);
