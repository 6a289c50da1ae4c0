-- A browser's push subscription. The endpoint is unique: a browser belongs to whoever
-- subscribed it last.
CREATE TABLE subscriptions (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL,
    endpoint    TEXT NOT NULL UNIQUE,
    p256dh      TEXT NOT NULL,
    auth        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE INDEX subscriptions_by_user ON subscriptions (user_id, created_at);

-- One push of one notification to one subscription, and its queue state. No foreign key to
-- subscriptions: the history outlives a deleted subscription.
CREATE TABLE deliveries (
    id                TEXT PRIMARY KEY,
    user_id           TEXT NOT NULL,
    subscription_id   TEXT NOT NULL,
    alert_id          TEXT,
    dedupe_key        TEXT NOT NULL,
    title             TEXT NOT NULL,
    payload           TEXT NOT NULL,
    ttl_seconds       BIGINT NOT NULL,
    urgency           TEXT NOT NULL,
    status            TEXT NOT NULL,
    attempts          BIGINT NOT NULL DEFAULT 0,
    push_status_code  BIGINT,
    error             TEXT,
    next_attempt_at   BIGINT NOT NULL,
    lease_until       BIGINT,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    delivered_at      BIGINT,
    UNIQUE (dedupe_key, subscription_id)
);

CREATE INDEX deliveries_due ON deliveries (status, next_attempt_at);
CREATE INDEX deliveries_by_user ON deliveries (user_id, created_at);
