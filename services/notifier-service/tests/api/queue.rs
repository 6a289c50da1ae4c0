//! One behaviour suite for every delivery queue: the database queue on SQLite and PostgreSQL,
//! and the Redis Streams queue. Each behaviour is a generic async fn run once per backend.

use std::{sync::Arc, time::Duration};

use alert_platform::{
    Clock, ManualClock,
    clock::SharedClock,
    db::{
        Database,
        testing::{fresh_postgres_database, sqlite_url},
    },
};
use alert_proto::v1::{NotificationMessage, NotifyRequest};
use alert_webpush::{EndpointPolicy, VapidKeys};
use chrono::{TimeZone, Utc};
use notifier_service::{
    SCHEMA,
    config::RedisQueueConfig,
    domain::{AttemptOutcome, DeliveryId, NewSubscription, NotifyCommand, UserId},
    migrations,
    queue::{AttemptNote, ClaimedDelivery, DatabaseQueue, DeliveryQueue, RedisStreamsQueue},
    store::{SqlStore, Store},
};

use crate::helpers::{queue_to_every_subscription, redis_url};

const ORIGIN: &str = "http://127.0.0.1:9";

/// A store, a queue over it, and a clock the test moves.
struct Fixture {
    store: SqlStore,
    queue: Arc<dyn DeliveryQueue>,
    redis: Option<Arc<RedisStreamsQueue>>,
    clock: ManualClock,
    /// The lease claims take: long on the database queue, whose leases follow the test's clock;
    /// short on Redis, whose idle times follow Redis's own clock.
    lease: Duration,
    _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    /// Lets the lease of everything claimed so far run out.
    async fn let_leases_run_out(&self) {
        self.clock.advance(
            chrono::Duration::from_std(self.lease).unwrap() + chrono::Duration::seconds(1),
        );
        if self.redis.is_some() {
            tokio::time::sleep(self.lease + Duration::from_millis(50)).await;
        }
    }

    /// Records one delivery and enqueues it.
    async fn one_delivery(&self, dedupe_key: &str) -> DeliveryId {
        let id = self.record_delivery(dedupe_key).await;
        self.queue.enqueue(std::slice::from_ref(&id)).await.unwrap();
        id
    }

    /// Records one delivery, to a user and browser of its own, without enqueuing it (as if the
    /// enqueue after the commit failed).
    async fn record_delivery(&self, dedupe_key: &str) -> DeliveryId {
        let user_id = format!("u-{dedupe_key}");
        self.store
            .upsert_subscription(
                &user(&user_id),
                &browser(dedupe_key).await,
                self.clock.now(),
            )
            .await
            .unwrap();
        let mut queued = self.queue_all(&command(&user_id, dedupe_key)).await;
        assert_eq!(queued.len(), 1);
        queued.remove(0)
    }

    /// Queues `command` to every subscription of its user, as `Notify` does.
    async fn queue_all(&self, command: &NotifyCommand) -> Vec<DeliveryId> {
        queue_to_every_subscription(&self.store, command, self.clock.now()).await
    }

    async fn claim(&self) -> Vec<ClaimedDelivery> {
        self.queue.claim(10, self.lease).await.unwrap()
    }

    async fn claim_ids(&self) -> Vec<DeliveryId> {
        self.claim().await.into_iter().map(|c| c.id).collect()
    }

    /// Records a failed `attempt` of a claimed delivery and hands it back for a retry `after`
    /// from now, as a worker does after a 503.
    async fn retry_later(&self, claimed: &ClaimedDelivery, attempt: u32, after: chrono::Duration) {
        let next_attempt_at = self.clock.now() + after;
        let retry = AttemptOutcome::Retry {
            status_code: Some(503),
            error: "busy".into(),
            next_attempt_at,
        };
        self.store
            .record_attempt(&claimed.id, &retry, self.clock.now())
            .await
            .unwrap();
        self.queue
            .retry_at(claimed, next_attempt_at, Some(&self.note(attempt)))
            .await
            .unwrap();
    }

    fn note(&self, attempt: u32) -> AttemptNote {
        AttemptNote {
            attempt,
            at: self.clock.now(),
            status_code: Some(503),
            error: format!("push service answered 503 (attempt {attempt})"),
        }
    }
}

async fn database_fixture(url: &str, dir: Option<tempfile::TempDir>) -> Fixture {
    let database = Database::connect(url, SCHEMA, &migrations())
        .await
        .expect("database opens");
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap());
    let shared: SharedClock = Arc::new(clock.clone());
    Fixture {
        store: SqlStore::new(database.clone()),
        queue: Arc::new(DatabaseQueue::new(
            database,
            shared,
            Duration::from_millis(10),
        )),
        redis: None,
        clock,
        lease: Duration::from_secs(60),
        _dir: dir,
    }
}

async fn sqlite_database_queue() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    database_fixture(&sqlite_url(dir.path(), "queue"), Some(dir)).await
}

async fn postgres_database_queue() -> Fixture {
    database_fixture(&fresh_postgres_database().await, None).await
}

/// The Redis queue on the shared Redis, under a key prefix of its own, over SQLite.
async fn redis_streams_queue() -> Fixture {
    redis_streams_queue_sweeping_every(Duration::from_secs(3600)).await
}

async fn redis_streams_queue_sweeping_every(sweep_interval: Duration) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let database = Database::connect(&sqlite_url(dir.path(), "queue"), SCHEMA, &migrations())
        .await
        .expect("database opens");
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap());
    let shared: SharedClock = Arc::new(clock.clone());
    let config = RedisQueueConfig {
        url: redis_url(),
        key_prefix: format!("test-{}", uuid::Uuid::new_v4().simple()),
        sweep_interval,
    };
    let queue =
        RedisStreamsQueue::connect(&config, database.clone(), shared, Duration::from_millis(10))
            .await
            .expect("redis is reachable (REDIS_URL or 127.0.0.1:6379)");
    let queue = Arc::new(queue);
    Fixture {
        store: SqlStore::new(database),
        queue: Arc::clone(&queue) as Arc<dyn DeliveryQueue>,
        redis: Some(queue),
        clock,
        lease: Duration::from_millis(300),
        _dir: Some(dir),
    }
}

fn user(id: &str) -> UserId {
    UserId::parse(id, "user_id").unwrap()
}

async fn browser(path: &str) -> NewSubscription {
    let policy = EndpointPolicy::from_comma_separated(ORIGIN).unwrap();
    let p256dh = VapidKeys::generate().public_key_base64url();
    NewSubscription::parse(
        &format!("{ORIGIN}/push/{path}"),
        &p256dh,
        "AAAAAAAAAAAAAAAAAAAAAA",
        &policy,
    )
    .await
    .unwrap()
}

fn command(user_id: &str, dedupe_key: &str) -> NotifyCommand {
    NotifyCommand::try_from(NotifyRequest {
        user_id: user_id.into(),
        message: Some(NotificationMessage {
            title: dedupe_key.into(),
            body: "b".into(),
            url: String::new(),
            tag: String::new(),
        }),
        dedupe_key: dedupe_key.into(),
        alert_id: String::new(),
        ttl_seconds: 60,
        urgency: 0,
    })
    .unwrap()
}

macro_rules! on_every_queue {
    ($($behaviour:ident),* $(,)?) => {
        mod sqlite_database_queue {
            $(#[tokio::test] async fn $behaviour() { super::$behaviour(super::sqlite_database_queue().await).await; })*
        }
        mod postgres_database_queue {
            $(#[tokio::test] async fn $behaviour() { super::$behaviour(super::postgres_database_queue().await).await; })*
        }
        mod redis_streams_queue {
            $(#[tokio::test] async fn $behaviour() { super::$behaviour(super::redis_streams_queue().await).await; })*
        }
    };
}

on_every_queue!(
    a_due_delivery_is_claimed_once,
    enqueueing_a_delivery_twice_queues_it_once,
    an_expired_lease_is_claimed_again,
    a_retry_is_claimed_only_when_due,
    a_waiting_retry_does_not_hold_up_other_deliveries,
    a_released_delivery_is_claimable_again,
    completed_deliveries_are_never_claimed_again,
    a_dead_lettered_delivery_is_never_claimed_again,
    a_recorded_delivery_whose_enqueue_was_lost_is_still_claimed,
);

async fn a_due_delivery_is_claimed_once(f: Fixture) {
    let id = f.one_delivery("k").await;
    assert_eq!(f.claim_ids().await, [id]);
    assert!(f.claim().await.is_empty(), "taken under a live lease");
}

async fn enqueueing_a_delivery_twice_queues_it_once(f: Fixture) {
    let id = f.one_delivery("k").await;
    f.queue.enqueue(std::slice::from_ref(&id)).await.unwrap();
    assert_eq!(f.claim_ids().await, [id]);
    assert!(f.claim().await.is_empty());
}

async fn an_expired_lease_is_claimed_again(f: Fixture) {
    let id = f.one_delivery("k").await;
    assert_eq!(f.claim_ids().await, std::slice::from_ref(&id));
    f.let_leases_run_out().await;
    assert_eq!(
        f.claim_ids().await,
        [id],
        "a crashed worker's delivery is taken again"
    );
}

async fn a_retry_is_claimed_only_when_due(f: Fixture) {
    let id = f.one_delivery("k").await;
    let claimed = f.claim().await;
    f.retry_later(&claimed[0], 1, chrono::Duration::seconds(30))
        .await;

    assert!(f.claim().await.is_empty(), "not due yet");
    f.clock.advance(chrono::Duration::seconds(30));
    assert_eq!(f.claim_ids().await, std::slice::from_ref(&id));
    let job = f.store.delivery_job(&id).await.unwrap().unwrap();
    assert_eq!(job.attempts, 1);
}

async fn a_waiting_retry_does_not_hold_up_other_deliveries(f: Fixture) {
    let first = f.one_delivery("first").await;
    let claimed = f.claim().await;
    assert_eq!(claimed[0].id, first);
    f.retry_later(&claimed[0], 1, chrono::Duration::minutes(10))
        .await;

    let second = f.one_delivery("second").await;
    assert_eq!(f.claim_ids().await, [second]);
}

async fn a_released_delivery_is_claimable_again(f: Fixture) {
    let id = f.one_delivery("k").await;
    let claimed = f.claim().await;
    f.queue.release(&claimed).await.unwrap();
    assert_eq!(f.claim_ids().await, [id]);
}

async fn completed_deliveries_are_never_claimed_again(f: Fixture) {
    let mut ids = Vec::new();
    for key in ["a", "b", "c"] {
        ids.push(f.one_delivery(key).await);
    }
    let claimed = f.claim().await;
    assert_eq!(claimed.len(), 3);
    let delivered: Vec<_> = ids
        .iter()
        .map(|id| (id.clone(), AttemptOutcome::Delivered { status_code: 201 }))
        .collect();
    f.store
        .record_attempts(&delivered, f.clock.now())
        .await
        .unwrap();
    // All three acknowledged in one call, as the workers settle them.
    f.queue.complete(&claimed).await.unwrap();
    f.let_leases_run_out().await;
    f.clock.advance(chrono::Duration::hours(1));
    assert!(f.claim().await.is_empty());
    if let Some(redis) = &f.redis {
        assert_eq!(
            redis.sweep().await.unwrap(),
            0,
            "none left waiting in redis"
        );
    }
}

async fn a_dead_lettered_delivery_is_never_claimed_again(f: Fixture) {
    let id = f.one_delivery("k").await;
    let mut claimed = f.claim().await;
    for attempt in 1..=2 {
        f.retry_later(&claimed[0], attempt, chrono::Duration::seconds(1))
            .await;
        f.clock.advance(chrono::Duration::seconds(1));
        claimed = f.claim().await;
        assert_eq!(claimed.len(), 1, "retry {attempt} is due");
    }
    let failed = AttemptOutcome::Failed {
        status_code: Some(503),
        error: "busy".into(),
    };
    f.store
        .record_attempt(&id, &failed, f.clock.now())
        .await
        .unwrap();
    f.queue.dead_letter(&claimed[0], &f.note(3)).await.unwrap();
    f.let_leases_run_out().await;
    assert!(f.claim().await.is_empty());

    if let Some(redis) = &f.redis {
        let dead_letters = redis.dead_letters().await.unwrap();
        assert_eq!(dead_letters.len(), 1);
        let (dead_id, attempts, history) = &dead_letters[0];
        assert_eq!(dead_id, id.as_str());
        assert_eq!(*attempts, 3);
        let history: serde_json::Value = serde_json::from_str(history).unwrap();
        let numbers: Vec<u64> = history
            .as_array()
            .unwrap()
            .iter()
            .map(|note| note["attempt"].as_u64().unwrap())
            .collect();
        assert_eq!(numbers, [1, 2, 3], "the whole history: {history}");
        assert_eq!(history[0]["statusCode"], 503);
    }
}

async fn a_recorded_delivery_whose_enqueue_was_lost_is_still_claimed(f: Fixture) {
    // The queue has started and looked around once already.
    assert!(f.claim().await.is_empty());
    let id = f.record_delivery("k").await;
    if let Some(redis) = &f.redis {
        assert!(f.claim().await.is_empty(), "redis does not know it yet");
        assert_eq!(redis.sweep().await.unwrap(), 1);
        assert_eq!(
            redis.sweep().await.unwrap(),
            0,
            "a second sweep adds nothing"
        );
    }
    assert_eq!(f.claim_ids().await, [id]);
}

#[tokio::test]
async fn a_periodic_sweep_leaves_the_last_interval_to_its_notify() {
    // Every claim after the first is a periodic sweep; the clock the deliveries are recorded by
    // is the test's.
    let f = redis_streams_queue_sweeping_every(Duration::from_millis(1)).await;
    assert!(f.claim().await.is_empty(), "the start sweep finds nothing");
    let lost = f.record_delivery("lost").await;
    f.clock.advance(chrono::Duration::seconds(1));
    let just_recorded = f.record_delivery("just-recorded").await;
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        f.claim_ids().await,
        [lost],
        "an older delivery missing from redis is swept, one of the last interval is not"
    );
    f.clock.advance(chrono::Duration::seconds(1));
    tokio::time::sleep(Duration::from_millis(5)).await;
    assert_eq!(
        f.claim_ids().await,
        [just_recorded],
        "swept once it is older than an interval"
    );
}
