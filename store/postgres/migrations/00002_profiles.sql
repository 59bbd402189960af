-- Profiles, match results and sweep leases.
--
-- profiles.seq becomes visible in commit order (see UpsertProfiles in
-- store/postgres): a consumer reading "seq > cursor" never misses a change.
-- shard_hash is FNV-1a 32 of the id, computed in Go, so both backends (and
-- every worker) split profiles into the same shards. Ids and regions compare
-- bytewise (COLLATE "C") so keyset paging and region prefix ranges behave as
-- on SQLite.
--
-- sweep_shards.expires_at is the lease's end in Unix microseconds (integers
-- compare the same on both backends).

-- +goose Up
CREATE SEQUENCE profiles_seq;

CREATE TABLE profiles (
    kind       text COLLATE "C" NOT NULL CHECK (kind IN ('enterprise', 'resident')),
    id         text COLLATE "C" NOT NULL,
    region     text COLLATE "C" NOT NULL DEFAULT '',
    as_of      date,
    data       jsonb NOT NULL,
    hash       text NOT NULL,
    seq        bigint NOT NULL,
    shard_hash bigint NOT NULL,
    updated_at timestamptz NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX profiles_region_idx ON profiles (region, kind, id);
CREATE INDEX profiles_seq_idx ON profiles (seq);

CREATE TABLE matches (
    subject_kind text COLLATE "C" NOT NULL,
    subject_id   text COLLATE "C" NOT NULL,
    policy_id    text COLLATE "C" NOT NULL,
    version      integer NOT NULL,
    benefit_key  text COLLATE "C" NOT NULL,
    region       text COLLATE "C" NOT NULL DEFAULT '',
    verdict      text NOT NULL CHECK (verdict IN ('eligible', 'ineligible', 'unknown')),
    score        double precision NOT NULL DEFAULT 0,
    -- "grant" is a reserved word
    is_grant     boolean NOT NULL DEFAULT false,
    explanation  jsonb,
    matched_at   timestamptz NOT NULL,
    PRIMARY KEY (subject_kind, subject_id, policy_id, version, benefit_key)
);
CREATE INDEX matches_policy_idx ON matches (policy_id, version);

CREATE TABLE sweeps (
    key        text COLLATE "C" PRIMARY KEY,
    policy_id  text COLLATE "C" NOT NULL,
    version    integer NOT NULL,
    shards     integer NOT NULL CHECK (shards > 0),
    created_at timestamptz NOT NULL
);

CREATE TABLE sweep_shards (
    sweep_key  text COLLATE "C" NOT NULL REFERENCES sweeps (key) ON DELETE CASCADE,
    shard      integer NOT NULL,
    done       boolean NOT NULL DEFAULT false,
    worker     text NOT NULL DEFAULT '',
    token      text NOT NULL DEFAULT '',
    expires_at bigint,
    PRIMARY KEY (sweep_key, shard)
);
CREATE INDEX sweep_shards_open_idx ON sweep_shards (sweep_key, shard) WHERE NOT done;

-- +goose Down
DROP TABLE sweep_shards;
DROP TABLE sweeps;
DROP TABLE matches;
DROP TABLE profiles;
DROP SEQUENCE profiles_seq;
