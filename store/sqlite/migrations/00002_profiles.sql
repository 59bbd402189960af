-- Profiles, match results and sweep leases.
--
-- SQLite runs one writer at a time, so profiles.seq (taken from the seqs
-- counter row inside the writing transaction) becomes visible in commit
-- order. shard_hash is FNV-1a 32 of the id, computed in Go, so both backends
-- split profiles into the same shards. Data and explanations are JSON text;
-- as_of is 'YYYY-MM-DD' text.
--
-- sweep_shards.expires_at is the lease's end in Unix microseconds (integers
-- compare the same on both backends).

-- +goose Up
CREATE TABLE seqs (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
INSERT INTO seqs (name, value) VALUES ('profiles', 0);

CREATE TABLE profiles (
    kind       TEXT NOT NULL CHECK (kind IN ('enterprise', 'resident')),
    id         TEXT NOT NULL,
    region     TEXT NOT NULL DEFAULT '',
    as_of      TEXT,
    data       TEXT NOT NULL,
    hash       TEXT NOT NULL,
    seq        INTEGER NOT NULL,
    shard_hash INTEGER NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX profiles_region_idx ON profiles (region, kind, id);
CREATE INDEX profiles_seq_idx ON profiles (seq);

CREATE TABLE matches (
    subject_kind TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    policy_id    TEXT NOT NULL,
    version      INTEGER NOT NULL,
    benefit_key  TEXT NOT NULL,
    region       TEXT NOT NULL DEFAULT '',
    verdict      TEXT NOT NULL CHECK (verdict IN ('eligible', 'ineligible', 'unknown')),
    score        REAL NOT NULL DEFAULT 0,
    -- "grant" is a reserved word
    is_grant     INTEGER NOT NULL DEFAULT 0,
    explanation  TEXT,
    matched_at   TIMESTAMP NOT NULL,
    PRIMARY KEY (subject_kind, subject_id, policy_id, version, benefit_key)
);
CREATE INDEX matches_policy_idx ON matches (policy_id, version);

CREATE TABLE sweeps (
    key        TEXT PRIMARY KEY,
    policy_id  TEXT NOT NULL,
    version    INTEGER NOT NULL,
    shards     INTEGER NOT NULL CHECK (shards > 0),
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE sweep_shards (
    sweep_key  TEXT NOT NULL REFERENCES sweeps (key) ON DELETE CASCADE,
    shard      INTEGER NOT NULL,
    done       INTEGER NOT NULL DEFAULT 0,
    worker     TEXT NOT NULL DEFAULT '',
    token      TEXT NOT NULL DEFAULT '',
    expires_at INTEGER,
    PRIMARY KEY (sweep_key, shard)
);
CREATE INDEX sweep_shards_open_idx ON sweep_shards (sweep_key, shard) WHERE NOT done;

-- +goose Down
DROP TABLE sweep_shards;
DROP TABLE sweeps;
DROP TABLE matches;
DROP TABLE profiles;
DROP TABLE seqs;
