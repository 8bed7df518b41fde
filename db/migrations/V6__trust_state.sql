-- The runtime ceiling of each environment's trust phase: set by an automatic demotion, lifted only
-- by a configuration change plus an ADMIN acknowledgement.
CREATE TABLE trust_state (
    environment      varchar(63) PRIMARY KEY,
    ceiling          varchar(32) CHECK (ceiling IN ('SHADOW', 'ASSIST', 'LIMITED_REMEDIATION', 'AUTONOMOUS')),
    demoted_from     varchar(32),
    demotion_reason  varchar(1000),
    demoted_at       timestamptz,
    acknowledged_by  varchar(200),
    acknowledged_at  timestamptz
);
