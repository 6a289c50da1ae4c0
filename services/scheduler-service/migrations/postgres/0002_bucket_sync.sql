-- Sync state of each bucket's schedule in the backend (EventBridge Scheduler). Whether the
-- schedule should exist is not stored: it is read from members (at least one enabled member).
CREATE TABLE bucket_sync (
    key TEXT PRIMARY KEY,
    -- synced | pending | failed
    state TEXT NOT NULL,
    -- Attempts since the desired state last changed.
    attempts BIGINT NOT NULL,
    last_error TEXT NULL,
    -- Unix millis: when the next attempt is due (or the lease of the one in progress ends).
    next_attempt_at BIGINT NOT NULL,
    -- Bumped by every change of the desired state; an attempt settles only its own version.
    version BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    synced_at BIGINT NULL,
    -- What the last successful attempt left in the backend: 1 the schedule exists as we want it,
    -- NULL unknown. A membership change that leaves it so needs no call.
    applied_present BIGINT NULL
);
CREATE INDEX bucket_sync_due ON bucket_sync (next_attempt_at) WHERE state <> 'synced';
