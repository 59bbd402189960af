-- Policies: the head (lifecycle state, pending draft, listing columns),
-- immutable published versions, the outbox of policy events and the
-- consumers' cursors over it. Listing columns (title, region, category,
-- audience, effective_to) follow the live version, or the draft of a policy
-- never published. Policy ids are UUIDv7 strings compared bytewise (COLLATE
-- "C"), so their order is creation order whatever the database's locale.

-- +goose Up
CREATE TABLE policies (
    id               text COLLATE "C" PRIMARY KEY,
    status           text NOT NULL CHECK (status IN ('draft', 'published', 'retracted')),
    latest_version   integer NOT NULL DEFAULT 0,
    draft            jsonb,
    draft_revision   integer NOT NULL DEFAULT 0,
    draft_updated_at timestamptz,
    title            text NOT NULL DEFAULT '',
    region           text NOT NULL DEFAULT '',
    category         text NOT NULL DEFAULT '',
    audience         text NOT NULL DEFAULT '',
    effective_to     date,
    -- the last version an expired event was written for (ExpireDue)
    expired_version  integer NOT NULL DEFAULT 0,
    created_at       timestamptz NOT NULL,
    updated_at       timestamptz NOT NULL,
    retracted_at     timestamptz,
    retract_reason   text NOT NULL DEFAULT ''
);
CREATE INDEX policies_region_idx ON policies (region, id);
CREATE INDEX policies_status_idx ON policies (status, id);
CREATE INDEX policies_due_idx ON policies (effective_to) WHERE status = 'published';

CREATE TABLE policy_versions (
    policy_id    text COLLATE "C" NOT NULL REFERENCES policies (id),
    version      integer NOT NULL CHECK (version > 0),
    document     jsonb NOT NULL,
    published_at timestamptz NOT NULL,
    region       text NOT NULL DEFAULT '',
    category     text NOT NULL DEFAULT '',
    audience     text NOT NULL DEFAULT '',
    effective_to date,
    PRIMARY KEY (policy_id, version)
);

-- Event ids become visible in commit order: see insertEvent in
-- store/internal/sqlstore.
CREATE TABLE outbox (
    id        bigserial PRIMARY KEY,
    kind      text NOT NULL,
    policy_id text COLLATE "C" NOT NULL REFERENCES policies (id),
    version   integer NOT NULL,
    at        timestamptz NOT NULL
);
CREATE INDEX outbox_policy_idx ON outbox (policy_id, id);

CREATE TABLE consumer_cursors (
    name     text PRIMARY KEY,
    position bigint NOT NULL DEFAULT 0
);

-- +goose Down
DROP TABLE consumer_cursors;
DROP TABLE outbox;
DROP TABLE policy_versions;
DROP TABLE policies;
