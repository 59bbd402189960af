-- matches.digest is store.MatchDigest of the row (region, verdict, score,
-- grant, explanation as written): a rematch reads it instead of the
-- explanations to tell which of a subject's results changed. Rows written
-- before it are NULL and get theirs at their next write.

-- +goose Up
ALTER TABLE matches ADD COLUMN digest bigint;

-- +goose Down
ALTER TABLE matches DROP COLUMN digest;
