-- Policies: the head (lifecycle state, pending draft, listing columns),
-- immutable published versions, the outbox of policy events and the
-- consumers' cursors over it. Listing columns (title, region, category,
-- audience, effective_to) follow the live version, or the draft of a policy
-- never published. Documents are JSON text; dates are 'YYYY-MM-DD' text
-- (they compare as dates); TIMESTAMP columns hold UTC times the driver
-- reads back as time.Time.

-- +goose Up
CREATE TABLE policies (
    id               TEXT PRIMARY KEY,
    status           TEXT NOT NULL CHECK (status IN ('draft', 'published', 'retracted')),
    latest_version   INTEGER NOT NULL DEFAULT 0,
    draft            TEXT,
    draft_revision   INTEGER NOT NULL DEFAULT 0,
    draft_updated_at TIMESTAMP,
    title            TEXT NOT NULL DEFAULT '',
    region           TEXT NOT NULL DEFAULT '',
    category         TEXT NOT NULL DEFAULT '',
    audience         TEXT NOT NULL DEFAULT '',
    effective_to     TEXT,
    -- the last version an expired event was written for (ExpireDue)
    expired_version  INTEGER NOT NULL DEFAULT 0,
    created_at       TIMESTAMP NOT NULL,
    updated_at       TIMESTAMP NOT NULL,
    retracted_at     TIMESTAMP,
    retract_reason   TEXT NOT NULL DEFAULT ''
);
CREATE INDEX policies_region_idx ON policies (region, id);
CREATE INDEX policies_status_idx ON policies (status, id);
CREATE INDEX policies_due_idx ON policies (effective_to) WHERE status = 'published';

CREATE TABLE policy_versions (
    policy_id    TEXT NOT NULL REFERENCES policies (id),
    version      INTEGER NOT NULL CHECK (version > 0),
    document     TEXT NOT NULL,
    published_at TIMESTAMP NOT NULL,
    region       TEXT NOT NULL DEFAULT '',
    category     TEXT NOT NULL DEFAULT '',
    audience     TEXT NOT NULL DEFAULT '',
    effective_to TEXT,
    PRIMARY KEY (policy_id, version)
);

-- AUTOINCREMENT: an id is never handed out twice, even after the newest
-- event is deleted. SQLite runs one writer at a time, so ids become visible
-- in commit order.
CREATE TABLE outbox (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    kind      TEXT NOT NULL,
    policy_id TEXT NOT NULL REFERENCES policies (id),
    version   INTEGER NOT NULL,
    at        TIMESTAMP NOT NULL
);
CREATE INDEX outbox_policy_idx ON outbox (policy_id, id);

CREATE TABLE consumer_cursors (
    name     TEXT PRIMARY KEY,
    position INTEGER NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE consumer_cursors;
DROP TABLE outbox;
DROP TABLE policy_versions;
DROP TABLE policies;
