-- Pushes (the delivery outbox), apply-free grants and the built-in
-- receiver's inbox. Times are BIGINT unix microseconds (UTC): they compare
-- exactly on both backends. 0 means "not yet".

-- +goose Up
CREATE TABLE deliveries (
    id               BIGSERIAL PRIMARY KEY,
    idempotency_key  TEXT NOT NULL UNIQUE,
    subject_kind     TEXT NOT NULL,
    subject_id       TEXT NOT NULL,
    kind             TEXT NOT NULL,
    channel          TEXT NOT NULL,
    payload          TEXT NOT NULL,
    policy_id        TEXT COLLATE "C" NOT NULL,
    version          INTEGER NOT NULL,
    benefit_key      TEXT NOT NULL DEFAULT '',
    status           TEXT NOT NULL CHECK (status IN ('pending', 'sending', 'delivered', 'dead', 'cancelled')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    -- when pending: due time; when sending: equals claim_expires_at
    next_attempt_at  BIGINT NOT NULL,
    claimed_by       TEXT NOT NULL DEFAULT '',
    claim_token      TEXT NOT NULL DEFAULT '',
    claim_expires_at BIGINT NOT NULL DEFAULT 0,
    last_error       TEXT NOT NULL DEFAULT '',
    created_at       BIGINT NOT NULL,
    delivered_at     BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX deliveries_due_idx ON deliveries (channel, next_attempt_at, id) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_subject_idx ON deliveries (subject_kind, subject_id, delivered_at) WHERE status = 'delivered';
CREATE INDEX deliveries_policy_idx ON deliveries (policy_id, version) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_subject_policy_idx ON deliveries (subject_kind, subject_id, policy_id) WHERE status IN ('pending', 'sending');
CREATE INDEX deliveries_dead_idx ON deliveries (id) WHERE status = 'dead';

CREATE TABLE grants (
    grant_key         TEXT PRIMARY KEY,
    policy_id         TEXT NOT NULL,
    version           INTEGER NOT NULL,
    benefit_key       TEXT NOT NULL,
    benefit_name      TEXT NOT NULL DEFAULT '',
    subject_kind      TEXT NOT NULL,
    subject_id        TEXT NOT NULL,
    facts             TEXT NOT NULL,
    amount            DOUBLE PRECISION,
    amount_text       TEXT NOT NULL DEFAULT '',
    status            TEXT NOT NULL CHECK (status IN ('notified', 'held', 'ready', 'stopped')),
    reason            TEXT NOT NULL DEFAULT '',
    created_at        BIGINT NOT NULL,
    objection_ends_at BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    exported_at       BIGINT NOT NULL DEFAULT 0,
    -- the idempotency key of the 已为您办理 notice: the grant becomes ready
    -- only once the notice was delivered and a full objection_window
    -- (microseconds) has passed since ('' when no notice is required)
    notice_key        TEXT NOT NULL DEFAULT '',
    objection_window  BIGINT NOT NULL DEFAULT 0,
    UNIQUE (subject_kind, subject_id, policy_id, version, benefit_key)
);
CREATE INDEX grants_status_idx ON grants (status, objection_ends_at);
CREATE INDEX grants_policy_idx ON grants (policy_id, version);

CREATE TABLE inbox_items (
    seq             BIGSERIAL PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    subject_kind    TEXT NOT NULL,
    subject_id      TEXT NOT NULL,
    kind            TEXT NOT NULL,
    channel         TEXT NOT NULL DEFAULT '',
    title           TEXT NOT NULL,
    body            TEXT NOT NULL,
    policy_id       TEXT NOT NULL DEFAULT '',
    version         BIGINT NOT NULL DEFAULT 0,
    benefit_key     TEXT NOT NULL DEFAULT '',
    due_date        TEXT NOT NULL DEFAULT '',
    received_at     BIGINT NOT NULL,
    read_at         BIGINT NOT NULL DEFAULT 0,
    declined_at     BIGINT NOT NULL DEFAULT 0,
    decline_reason  TEXT NOT NULL DEFAULT '',
    rating          BIGINT NOT NULL DEFAULT 0,
    comment         TEXT NOT NULL DEFAULT '',
    question        TEXT NOT NULL DEFAULT '',
    asked_at        BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX inbox_subject_idx ON inbox_items (subject_kind, subject_id, seq);

-- +goose Down
DROP TABLE inbox_items;
DROP TABLE grants;
DROP TABLE deliveries;
