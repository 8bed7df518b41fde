-- The history of each investigation as events: what its worker reported and what the server did.
-- position is gap-free per investigation (1, 2, 3, ...), assigned in storage order from the
-- investigation's own counter under its row lock; event_id makes redelivery harmless.

ALTER TABLE investigations ADD COLUMN last_event_position bigint NOT NULL DEFAULT 0;

CREATE TABLE investigation_events (
    investigation_id uuid        NOT NULL REFERENCES investigations (id) ON DELETE CASCADE,
    position         bigint      NOT NULL,
    event_id         uuid        NOT NULL UNIQUE,
    attempt          integer     NOT NULL,
    seq              bigint      NOT NULL,
    type             varchar(64) NOT NULL,
    occurred_at      timestamptz NOT NULL,
    traceparent      varchar(55),
    payload          jsonb       NOT NULL,
    version          integer     NOT NULL,
    stored_at        timestamptz NOT NULL,
    PRIMARY KEY (investigation_id, position)
);
