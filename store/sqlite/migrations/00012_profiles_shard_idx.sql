-- A sweep shard is a range of shard_hash (see sqlstore.ShardRange): this
-- index lets each shard read only its own profiles of a kind, in page order.

-- +goose Up
CREATE INDEX profiles_shard_idx ON profiles (kind, shard_hash, id);

-- +goose Down
DROP INDEX profiles_shard_idx;
