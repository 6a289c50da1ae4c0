-- Users, their refresh tokens, their alerts and the runs of those alerts.
-- Portable types only (ADR 0002): TEXT ids, BIGINT Unix milliseconds, BIGINT 0/1 flags.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);

-- Refresh tokens are stored as SHA-256 hashes; a family is one login and its rotations.
CREATE TABLE refresh_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id  TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked    BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- schedule_version counts changes the scheduler must hear about; synced_version is the last one
-- it acknowledged. A deleted alert keeps its row (deleted_at) until the scheduler forgot it.
CREATE TABLE alerts (
    id               TEXT PRIMARY KEY,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name             TEXT NOT NULL,
    schedule         TEXT NOT NULL,
    timezone         TEXT NOT NULL,
    title            TEXT NOT NULL,
    body             TEXT NOT NULL,
    enabled          BIGINT NOT NULL,
    schedule_version BIGINT NOT NULL,
    synced_version   BIGINT NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    deleted_at       BIGINT
);

CREATE INDEX alerts_user_created ON alerts (user_id, created_at);
CREATE INDEX alerts_unsynced ON alerts (updated_at) WHERE synced_version < schedule_version;

-- One row per (alert, scheduled time): what makes RunAlert idempotent.
CREATE TABLE alert_runs (
    alert_id       TEXT NOT NULL REFERENCES alerts (id) ON DELETE CASCADE,
    scheduled_time BIGINT NOT NULL,
    outcome        TEXT NOT NULL,
    deliveries     BIGINT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (alert_id, scheduled_time)
);
