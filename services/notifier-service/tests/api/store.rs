//! The store behaves alike on SQLite and PostgreSQL: each behaviour is a generic async fn, run by
//! a `sqlite_…` and a `postgres_…` test. The queues have their own suite in `queue.rs`.

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
    domain::{
        AttemptOutcome, DeliveryId, DeliveryStatus, NewSubscription, NotifyCommand, SubscriptionId,
        UserId,
    },
    migrations,
    queue::{DatabaseQueue, DeliveryQueue},
    store::{SqlStore, Store},
};

use crate::helpers::queue_to_every_subscription;

const ORIGIN: &str = "http://127.0.0.1:9";
const LEASE: Duration = Duration::from_secs(60);

/// A store and a queue on one fresh database, with a clock the test moves.
struct Fixture {
    store: SqlStore,
    queue: DatabaseQueue,
    clock: ManualClock,
    _dir: Option<tempfile::TempDir>,
}

impl Fixture {
    /// Queues `command` to every subscription of its user, as `Notify` does.
    async fn queue_all(&self, command: &NotifyCommand) -> Vec<DeliveryId> {
        queue_to_every_subscription(&self.store, command, self.clock.now()).await
    }
}

async fn sqlite() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let url = sqlite_url(dir.path(), "store");
    fixture(&url, Some(dir)).await
}

async fn postgres() -> Fixture {
    fixture(&fresh_postgres_database().await, None).await
}

async fn fixture(url: &str, dir: Option<tempfile::TempDir>) -> Fixture {
    let database = Database::connect(url, SCHEMA, &migrations())
        .await
        .expect("database opens");
    let clock = ManualClock::new(Utc.with_ymd_and_hms(2026, 3, 2, 8, 0, 0).unwrap());
    let shared: SharedClock = Arc::new(clock.clone());
    Fixture {
        store: SqlStore::new(database.clone()),
        queue: DatabaseQueue::new(database, shared, Duration::from_millis(10)),
        clock,
        _dir: dir,
    }
}

fn user(id: &str) -> UserId {
    UserId::parse(id, "user_id").unwrap()
}

async fn browser(path: &str) -> NewSubscription {
    let policy = EndpointPolicy::from_comma_separated(ORIGIN).unwrap();
    // Any P-256 public key will do as the browser's.
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

fn command(user_id: &str, dedupe_key: &str, alert_id: &str) -> NotifyCommand {
    NotifyCommand::try_from(NotifyRequest {
        user_id: user_id.into(),
        message: Some(NotificationMessage {
            title: dedupe_key.into(),
            body: "b".into(),
            url: String::new(),
            tag: String::new(),
        }),
        dedupe_key: dedupe_key.into(),
        alert_id: alert_id.into(),
        ttl_seconds: 60,
        urgency: 4,
    })
    .unwrap()
}

macro_rules! on_both_backends {
    ($($behaviour:ident),* $(,)?) => {
        mod sqlite_store {
            $(#[tokio::test] async fn $behaviour() { super::$behaviour(super::sqlite().await).await; })*
        }
        mod postgres_store {
            $(#[tokio::test] async fn $behaviour() { super::$behaviour(super::postgres().await).await; })*
        }
    };
}

on_both_backends!(
    subscriptions_are_idempotent_on_the_endpoint,
    a_moved_endpoint_belongs_to_its_last_subscriber,
    deliveries_are_queued_once_per_dedupe_key_and_subscription,
    a_fan_out_larger_than_one_insert_is_queued_whole_and_once,
    a_due_delivery_is_claimed_once,
    a_final_delivery_is_never_reopened,
    one_batch_records_each_outcome_on_its_own_delivery,
    an_expired_delivery_deletes_its_subscription,
    a_removed_subscription_leaves_the_job_without_one,
    deliveries_are_listed_newest_first_per_user_and_alert,
);

async fn subscriptions_are_idempotent_on_the_endpoint(f: Fixture) {
    let first = f
        .store
        .upsert_subscription(&user("u-1"), &browser("a").await, f.clock.now())
        .await
        .unwrap();
    let updated_keys = browser("a").await;
    let again = f
        .store
        .upsert_subscription(&user("u-1"), &updated_keys, f.clock.now())
        .await
        .unwrap();
    assert_eq!(first, again);
    let listed = f.store.list_subscriptions(&user("u-1")).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(
        listed[0].p256dh,
        updated_keys.p256dh(),
        "the keys are updated"
    );

    let not_theirs = f
        .store
        .delete_subscription_by_endpoint(&user("u-2"), updated_keys.endpoint())
        .await;
    assert!(!not_theirs.unwrap(), "another user cannot delete it");
    assert!(
        f.store
            .delete_subscription_by_endpoint(&user("u-1"), updated_keys.endpoint())
            .await
            .unwrap()
    );
    assert!(
        f.store
            .list_subscriptions(&user("u-1"))
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_moved_endpoint_belongs_to_its_last_subscriber(f: Fixture) {
    let first = f
        .store
        .upsert_subscription(&user("u-1"), &browser("a").await, f.clock.now())
        .await
        .unwrap();
    let moved = f
        .store
        .upsert_subscription(&user("u-2"), &browser("a").await, f.clock.now())
        .await
        .unwrap();
    assert_ne!(first, moved);
    assert!(
        f.store
            .list_subscriptions(&user("u-1"))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        f.store.list_subscriptions(&user("u-2")).await.unwrap()[0].id,
        moved
    );
}

async fn deliveries_are_queued_once_per_dedupe_key_and_subscription(f: Fixture) {
    f.store
        .upsert_subscription(&user("u-1"), &browser("a").await, f.clock.now())
        .await
        .unwrap();
    assert_eq!(f.queue_all(&command("u-1", "k", "alert-1")).await.len(), 1);
    f.store
        .upsert_subscription(&user("u-1"), &browser("b").await, f.clock.now())
        .await
        .unwrap();
    let queued = f.queue_all(&command("u-1", "k", "alert-1")).await;
    assert_eq!(queued.len(), 1, "only the new subscription gets one");

    let job = f
        .store
        .delivery_job(&queued[0])
        .await
        .unwrap()
        .expect("the job exists");
    assert_eq!(job.status, DeliveryStatus::Queued);
    assert_eq!(job.ttl_seconds, 60);
    assert_eq!(job.urgency, alert_webpush::Urgency::High);
    assert_eq!(job.alert_id.as_deref(), Some("alert-1"));
    let payload: serde_json::Value = serde_json::from_str(&job.payload).unwrap();
    assert_eq!(payload["deliveryId"], queued[0].as_str());
    assert!(
        job.subscription
            .is_some_and(|s| s.endpoint.ends_with("/push/b"))
    );
}

async fn a_fan_out_larger_than_one_insert_is_queued_whole_and_once(f: Fixture) {
    // More subscriptions than one INSERT takes: several statements in one transaction.
    let subscriptions: Vec<SubscriptionId> =
        (0..2_345).map(|_| SubscriptionId::generate()).collect();
    let command = command("u-1", "k", "alert-1");
    let now = f.clock.now();
    let queued = f
        .store
        .queue_deliveries(&command, &subscriptions, now)
        .await
        .unwrap();
    assert_eq!(queued.len(), subscriptions.len());
    assert!(queued.is_sorted(), "ids are returned in order");
    let jobs = f.store.delivery_jobs(&queued[..500]).await.unwrap();
    assert_eq!(jobs.len(), 500);

    let again = f
        .store
        .queue_deliveries(&command, &subscriptions, now)
        .await
        .unwrap();
    assert_eq!(again, Vec::new(), "the same dedupe key queues nothing new");
    assert_eq!(
        f.store.queue_deliveries(&command, &[], now).await.unwrap(),
        Vec::new()
    );
}

async fn a_due_delivery_is_claimed_once(f: Fixture) {
    f.store
        .upsert_subscription(&user("u-1"), &browser("a").await, f.clock.now())
        .await
        .unwrap();
    let queued = f.queue_all(&command("u-1", "k", "")).await;
    let claimed = f.queue.claim(10, LEASE).await.unwrap();
    assert_eq!(
        claimed.iter().map(|c| &c.id).collect::<Vec<_>>(),
        [&queued[0]]
    );
    assert!(
        f.queue.claim(10, LEASE).await.unwrap().is_empty(),
        "taken under a live lease"
    );
    let job = f.store.delivery_job(&queued[0]).await.unwrap().unwrap();
    assert_eq!(job.status, DeliveryStatus::Sending);
}

async fn a_final_delivery_is_never_reopened(f: Fixture) {
    f.store
        .upsert_subscription(&user("u-1"), &browser("a").await, f.clock.now())
        .await
        .unwrap();
    let queued = f.queue_all(&command("u-1", "k", "")).await;
    f.queue.claim(10, LEASE).await.unwrap();
    f.store
        .record_attempt(
            &queued[0],
            &AttemptOutcome::Delivered { status_code: 201 },
            f.clock.now(),
        )
        .await
        .unwrap();
    let late = AttemptOutcome::Retry {
        status_code: None,
        error: "late".into(),
        next_attempt_at: f.clock.now(),
    };
    f.store
        .record_attempt(&queued[0], &late, f.clock.now())
        .await
        .unwrap();

    let listed = f
        .store
        .list_deliveries(&user("u-1"), None, 10)
        .await
        .unwrap();
    assert_eq!(listed[0].status, DeliveryStatus::Delivered);
    assert_eq!(listed[0].attempts, 1);
    assert_eq!(listed[0].push_status_code, Some(201));
    assert_eq!(listed[0].delivered_at, Some(f.clock.now()));
    f.clock.advance(chrono::Duration::hours(1));
    assert!(f.queue.claim(10, LEASE).await.unwrap().is_empty());
}

async fn one_batch_records_each_outcome_on_its_own_delivery(f: Fixture) {
    for path in ["a", "b", "c", "d", "e"] {
        f.store
            .upsert_subscription(&user("u-1"), &browser(path).await, f.clock.now())
            .await
            .unwrap();
    }
    let queued = f.queue_all(&command("u-1", "k", "")).await;
    assert_eq!(queued.len(), 5);
    let gone = f.store.delivery_job(&queued[3]).await.unwrap().unwrap();
    let retry_at = f.clock.now() + chrono::Duration::seconds(30);
    let outcomes = [
        AttemptOutcome::Delivered { status_code: 201 },
        AttemptOutcome::Delivered { status_code: 201 },
        AttemptOutcome::Retry {
            status_code: Some(503),
            error: "busy".into(),
            next_attempt_at: retry_at,
        },
        AttemptOutcome::Expired {
            status_code: 410,
            subscription_id: gone.subscription.unwrap().id,
        },
        AttemptOutcome::Failed {
            status_code: Some(400),
            error: "bad request".into(),
        },
    ];
    let batch: Vec<_> = queued.iter().cloned().zip(outcomes).collect();
    f.store
        .record_attempts(&batch, f.clock.now())
        .await
        .unwrap();

    for (id, outcome) in &batch {
        let job = f.store.delivery_job(id).await.unwrap().unwrap();
        assert_eq!(job.status, outcome.status(), "{outcome:?}");
        assert_eq!(job.attempts, 1, "{outcome:?}");
    }
    let retried = f.store.delivery_job(&queued[2]).await.unwrap().unwrap();
    assert_eq!(retried.next_attempt_at, retry_at);
    let listed = f
        .store
        .list_deliveries(&user("u-1"), None, 10)
        .await
        .unwrap();
    let listed_status = |id| listed.iter().find(|d| &d.id == id).unwrap();
    assert_eq!(listed_status(&queued[0]).delivered_at, Some(f.clock.now()));
    assert_eq!(listed_status(&queued[4]).push_status_code, Some(400));
    assert_eq!(
        listed_status(&queued[4]).error.as_deref(),
        Some("bad request")
    );
    assert_eq!(
        f.store
            .list_subscriptions(&user("u-1"))
            .await
            .unwrap()
            .len(),
        4,
        "the gone subscription is deleted, the others stay"
    );
}

async fn an_expired_delivery_deletes_its_subscription(f: Fixture) {
    let subscription_id = f
        .store
        .upsert_subscription(&user("u-1"), &browser("a").await, f.clock.now())
        .await
        .unwrap();
    let queued = f.queue_all(&command("u-1", "k", "")).await;
    let expired = AttemptOutcome::Expired {
        status_code: 410,
        subscription_id,
    };
    f.store
        .record_attempt(&queued[0], &expired, f.clock.now())
        .await
        .unwrap();
    assert!(
        f.store
            .list_subscriptions(&user("u-1"))
            .await
            .unwrap()
            .is_empty()
    );
    let listed = f
        .store
        .list_deliveries(&user("u-1"), None, 10)
        .await
        .unwrap();
    assert_eq!(
        listed[0].status,
        DeliveryStatus::Expired,
        "the history outlives the subscription"
    );
}

async fn a_removed_subscription_leaves_the_job_without_one(f: Fixture) {
    let endpoint = browser("a").await;
    f.store
        .upsert_subscription(&user("u-1"), &endpoint, f.clock.now())
        .await
        .unwrap();
    let queued = f.queue_all(&command("u-1", "k", "")).await;
    // The browser moves to another user: the old user's delivery must not reach it.
    f.store
        .upsert_subscription(&user("u-2"), &endpoint, f.clock.now())
        .await
        .unwrap();
    let job = f.store.delivery_job(&queued[0]).await.unwrap().unwrap();
    assert!(job.subscription.is_none());
    f.store
        .record_attempt(
            &queued[0],
            &AttemptOutcome::Abandoned {
                reason: "subscription removed".into(),
            },
            f.clock.now(),
        )
        .await
        .unwrap();
    let listed = f
        .store
        .list_deliveries(&user("u-1"), None, 10)
        .await
        .unwrap();
    assert_eq!(
        (listed[0].status, listed[0].attempts),
        (DeliveryStatus::Failed, 0)
    );
    assert_eq!(listed[0].error.as_deref(), Some("subscription removed"));
}

async fn deliveries_are_listed_newest_first_per_user_and_alert(f: Fixture) {
    f.store
        .upsert_subscription(&user("u-1"), &browser("a").await, f.clock.now())
        .await
        .unwrap();
    f.store
        .upsert_subscription(&user("u-2"), &browser("b").await, f.clock.now())
        .await
        .unwrap();
    for (dedupe_key, alert_id) in [("one", "alert-1"), ("two", "alert-2"), ("three", "alert-1")] {
        f.queue_all(&command("u-1", dedupe_key, alert_id)).await;
        f.clock.advance(chrono::Duration::seconds(1));
    }
    f.queue_all(&command("u-2", "four", "alert-1")).await;

    let titles = |listed: Vec<notifier_service::domain::Delivery>| {
        listed.into_iter().map(|d| d.title).collect::<Vec<_>>()
    };
    assert_eq!(
        titles(
            f.store
                .list_deliveries(&user("u-1"), Some("alert-1"), 10)
                .await
                .unwrap()
        ),
        ["three", "one"]
    );
    assert_eq!(
        titles(
            f.store
                .list_deliveries(&user("u-1"), None, 2)
                .await
                .unwrap()
        ),
        ["three", "two"]
    );
}
