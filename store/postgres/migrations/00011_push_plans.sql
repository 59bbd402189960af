-- The completed sweeps whose pushes and grants the pusher has planned, so
-- that planning follows every sweep exactly once per process restart
-- (planning itself is idempotent; this only saves re-reading the matches).

-- +goose Up
CREATE TABLE push_plans (
    sweep_key  TEXT PRIMARY KEY,
    planned_at BIGINT NOT NULL,
    outcome    TEXT NOT NULL DEFAULT ''
);

-- +goose Down
DROP TABLE push_plans;
