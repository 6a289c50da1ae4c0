-- Buckets: one schedule per distinct (normalised cron expression, time zone).
CREATE TABLE buckets (
    key TEXT PRIMARY KEY,
    expression TEXT NOT NULL,
    timezone TEXT NOT NULL,
    -- Unix millis of the next fire the local scheduler owes; NULL when the schedule never fires again.
    next_fire_at BIGINT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX buckets_next_fire_at ON buckets (next_fire_at);

-- The desired state: which bucket each alert belongs to.
CREATE TABLE members (
    alert_id TEXT PRIMARY KEY,
    bucket_key TEXT NOT NULL REFERENCES buckets (key),
    enabled BIGINT NOT NULL,
    -- When the alert joined its bucket or was last enabled; fires before it do not include it.
    member_since BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX members_bucket_key ON members (bucket_key);

-- One row per delivered fire: `bucket:<key>` or `alert:<id>` at a scheduled time.
CREATE TABLE fires (
    target TEXT NOT NULL,
    scheduled_at BIGINT NOT NULL,
    execution_id TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (target, scheduled_at)
);

-- The fan-out of a fire: one RunAlert call owed per alert.
CREATE TABLE fire_runs (
    target TEXT NOT NULL,
    scheduled_at BIGINT NOT NULL,
    alert_id TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error TEXT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (target, scheduled_at, alert_id)
);
CREATE INDEX fire_runs_pending ON fire_runs (next_attempt_at) WHERE status = 'pending';
