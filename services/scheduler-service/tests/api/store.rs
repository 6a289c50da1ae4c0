//! One behaviour suite for the store, run against SQLite and PostgreSQL.

use chrono::{DateTime, Duration, Utc};
use scheduler_service::{
    domain::{AlertId, Fire, FireTarget, Schedule},
    store::{AdvanceOutcome, Bucket, BucketAdvance, RunCompletion, RunStatus, Store},
};

use crate::helpers::utc;

macro_rules! store_suite {
    ($($behaviour:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    let dir = tempfile::tempdir().unwrap();
                    let url = alert_platform::db::testing::sqlite_url(dir.path(), "store");
                    let store = scheduler_service::store::SqlStore::connect(&url).await.unwrap();
                    super::$behaviour(&store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    let url = alert_platform::db::testing::fresh_postgres_database().await;
                    let store = scheduler_service::store::SqlStore::connect(&url).await.unwrap();
                    super::$behaviour(&store).await;
                }
            )*
        }
    };
}

store_suite!(
    upsert_creates_a_bucket_once_and_keeps_its_next_fire,
    moving_the_last_member_away_deletes_the_old_bucket,
    member_since_moves_only_when_joining_or_enabling,
    removing_the_last_member_deletes_the_bucket,
    a_fire_is_recorded_once_with_the_members_at_its_time,
    advancing_a_bucket_is_a_compare_and_set,
    each_run_is_leased_to_one_claimant,
    settled_runs_are_not_claimed_again,
);

fn bucket(cron: &str, timezone: &str, next: &str) -> Bucket {
    let schedule = Schedule::parse(cron, timezone).unwrap();
    Bucket {
        key: schedule.bucket_key(),
        expression: schedule.cron.normalized(),
        timezone: schedule.timezone.name().to_owned(),
        next_fire_at: Some(utc(next)),
    }
}

fn id(raw: &str) -> AlertId {
    AlertId::parse(raw).unwrap()
}

const T0: &str = "2026-01-05T00:00:00Z";

fn at(minutes: i64) -> DateTime<Utc> {
    utc(T0) + Duration::minutes(minutes)
}

fn bucket_fire(bucket: &Bucket, scheduled_at: DateTime<Utc>) -> Fire {
    Fire {
        target: FireTarget::Bucket(bucket.key.clone()),
        scheduled_at,
        execution_id: "exec".into(),
    }
}

async fn upsert_creates_a_bucket_once_and_keeps_its_next_fire(store: &dyn Store) {
    let first = store
        .upsert_member(
            &id("a1"),
            &bucket("0 8 * * *", "UTC", "2026-01-05T08:00:00Z"),
            true,
            at(0),
        )
        .await;
    assert!(first.unwrap().bucket_created);
    let later = bucket("0 8 * * *", "UTC", "2026-01-06T08:00:00Z");
    let second = store
        .upsert_member(&id("a2"), &later, true, at(1))
        .await
        .unwrap();
    assert!(!second.bucket_created);
    let stored = store.bucket(&later.key).await.unwrap().unwrap();
    assert_eq!(
        stored.next_fire_at,
        Some(utc("2026-01-05T08:00:00Z")),
        "an existing bucket keeps its next fire"
    );
    assert_eq!(stored.expression, "0 8 * * *");
}

async fn moving_the_last_member_away_deletes_the_old_bucket(store: &dyn Store) {
    let eight = bucket("0 8 * * *", "UTC", "2026-01-05T08:00:00Z");
    let nine = bucket("0 9 * * *", "UTC", "2026-01-05T09:00:00Z");
    store
        .upsert_member(&id("a1"), &eight, true, at(0))
        .await
        .unwrap();
    let moved = store
        .upsert_member(&id("a1"), &nine, true, at(1))
        .await
        .unwrap();
    assert_eq!(moved.removed_bucket, Some(eight.key.clone()));
    assert!(store.bucket(&eight.key).await.unwrap().is_none());

    store
        .upsert_member(&id("a2"), &nine, true, at(2))
        .await
        .unwrap();
    let moved_back = store
        .upsert_member(&id("a1"), &eight, true, at(3))
        .await
        .unwrap();
    assert_eq!(
        moved_back.removed_bucket, None,
        "a2 still uses the 09:00 bucket"
    );
    assert!(store.bucket(&nine.key).await.unwrap().is_some());
}

async fn member_since_moves_only_when_joining_or_enabling(store: &dyn Store) {
    let eight = bucket("0 8 * * *", "UTC", "2026-01-05T08:00:00Z");
    let nine = bucket("0 9 * * *", "UTC", "2026-01-05T09:00:00Z");
    let steps = [
        ("joins enabled", &eight, true, 0, 0),
        ("same again", &eight, true, 1, 0),
        ("disabled", &eight, false, 2, 0),
        ("disabled again", &eight, false, 3, 0),
        ("enabled again", &eight, true, 4, 4),
        ("moves", &nine, true, 5, 5),
        ("moves disabled", &eight, false, 6, 6),
    ];
    for (step, bucket, enabled, now, since) in steps {
        store
            .upsert_member(&id("a1"), bucket, enabled, at(now))
            .await
            .unwrap();
        let member = store.member(&id("a1")).await.unwrap().unwrap();
        assert_eq!(member.member_since, at(since), "{step}");
        assert_eq!(
            (member.enabled, &member.bucket_key),
            (enabled, &bucket.key),
            "{step}"
        );
    }
}

async fn removing_the_last_member_deletes_the_bucket(store: &dyn Store) {
    let eight = bucket("0 8 * * *", "UTC", "2026-01-05T08:00:00Z");
    store
        .upsert_member(&id("a1"), &eight, true, at(0))
        .await
        .unwrap();
    store
        .upsert_member(&id("a2"), &eight, true, at(0))
        .await
        .unwrap();
    assert_eq!(store.remove_member(&id("a1")).await.unwrap(), None);
    assert_eq!(
        store.remove_member(&id("a2")).await.unwrap(),
        Some(eight.key.clone())
    );
    assert_eq!(store.remove_member(&id("unknown")).await.unwrap(), None);
    assert!(store.bucket(&eight.key).await.unwrap().is_none());
    assert!(store.member(&id("a1")).await.unwrap().is_none());
}

async fn a_fire_is_recorded_once_with_the_members_at_its_time(store: &dyn Store) {
    let eight = bucket("0 8 * * *", "UTC", "2026-01-05T08:00:00Z");
    store
        .upsert_member(&id("early"), &eight, true, at(0))
        .await
        .unwrap();
    store
        .upsert_member(&id("disabled"), &eight, false, at(0))
        .await
        .unwrap();
    store
        .upsert_member(&id("late"), &eight, true, at(20))
        .await
        .unwrap();
    let fire = bucket_fire(&eight, at(10));

    let first = store.record_fire(&fire, at(11)).await.unwrap();
    let again = store.record_fire(&fire, at(12)).await.unwrap();

    assert_eq!((first.alerts, first.first_delivery), (1, true));
    assert_eq!((again.alerts, again.first_delivery), (1, false));
    let runs = store.runs(&fire.target, at(10)).await.unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].key.alert_id, id("early"));
    assert_eq!(
        (runs[0].status, runs[0].attempts, runs[0].next_attempt_at),
        (RunStatus::Pending, 0, at(11))
    );

    let single = |alert: &str| Fire {
        target: FireTarget::Alert(id(alert)),
        scheduled_at: at(10),
        execution_id: "x".into(),
    };
    assert_eq!(
        store
            .record_fire(&single("late"), at(11))
            .await
            .unwrap()
            .alerts,
        1,
        "an alert target ignores member_since"
    );
    assert_eq!(
        store
            .record_fire(&single("disabled"), at(11))
            .await
            .unwrap()
            .alerts,
        0
    );
    assert_eq!(
        store
            .record_fire(&single("unknown"), at(11))
            .await
            .unwrap()
            .alerts,
        0
    );
}

async fn advancing_a_bucket_is_a_compare_and_set(store: &dyn Store) {
    let eight = bucket("0 8 * * *", "UTC", "2026-01-05T08:00:00Z");
    store
        .upsert_member(&id("a1"), &eight, true, at(0))
        .await
        .unwrap();
    let first_fire = utc("2026-01-05T08:00:00Z");
    let second_fire = utc("2026-01-06T08:00:00Z");
    assert!(
        store
            .due_buckets(first_fire - Duration::milliseconds(1), 10)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.due_buckets(first_fire, 10).await.unwrap().len(), 1);

    let advance = BucketAdvance {
        key: eight.key.clone(),
        expected_next: first_fire,
        new_next: Some(second_fire),
        fire: Some(bucket_fire(&eight, first_fire)),
    };
    let won = store.advance_bucket(&advance, first_fire).await.unwrap();
    let lost = store.advance_bucket(&advance, first_fire).await.unwrap();

    assert!(
        matches!(won, AdvanceOutcome::Fired(fire) if fire.alerts == 1 && fire.first_delivery),
        "{won:?}"
    );
    assert_eq!(lost, AdvanceOutcome::Lost);
    assert!(store.due_buckets(first_fire, 10).await.unwrap().is_empty());
    let skip = BucketAdvance {
        expected_next: second_fire,
        new_next: None,
        fire: None,
        ..advance
    };
    assert_eq!(
        store.advance_bucket(&skip, second_fire).await.unwrap(),
        AdvanceOutcome::Skipped
    );
    assert!(
        store
            .runs(&FireTarget::Bucket(eight.key.clone()), second_fire)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .bucket(&eight.key)
            .await
            .unwrap()
            .unwrap()
            .next_fire_at,
        None
    );
}

async fn each_run_is_leased_to_one_claimant(store: &dyn Store) {
    let eight = bucket("0 8 * * *", "UTC", "2026-01-05T08:00:00Z");
    for alert in ["a1", "a2", "a3"] {
        store
            .upsert_member(&id(alert), &eight, true, at(0))
            .await
            .unwrap();
    }
    store
        .record_fire(&bucket_fire(&eight, at(5)), at(5))
        .await
        .unwrap();
    let lease = at(10);

    let (first, second) = tokio::join!(
        store.claim_runs(at(5), lease, 2),
        store.claim_runs(at(5), lease, 2)
    );
    let (first, second) = (first.unwrap(), second.unwrap());
    let mut claimed: Vec<_> = first
        .iter()
        .chain(&second)
        .map(|run| run.key.alert_id.clone())
        .collect();
    claimed.sort();
    assert_eq!(
        claimed,
        [id("a1"), id("a2"), id("a3")],
        "each run claimed exactly once"
    );
    assert!(
        first
            .iter()
            .chain(&second)
            .all(|run| run.attempts == 1 && run.next_attempt_at == lease)
    );
    assert!(
        store
            .claim_runs(at(9), at(14), 10)
            .await
            .unwrap()
            .is_empty(),
        "leased runs are not due"
    );

    let after_lease = store.claim_runs(at(10), at(15), 10).await.unwrap();
    assert_eq!(
        after_lease.len(),
        3,
        "a crashed claimant's runs are taken over when the lease ends"
    );
    assert!(after_lease.iter().all(|run| run.attempts == 2));
}

async fn settled_runs_are_not_claimed_again(store: &dyn Store) {
    let eight = bucket("0 8 * * *", "UTC", "2026-01-05T08:00:00Z");
    for alert in ["a1", "a2", "a3"] {
        store
            .upsert_member(&id(alert), &eight, true, at(0))
            .await
            .unwrap();
    }
    let fire = bucket_fire(&eight, at(5));
    store.record_fire(&fire, at(5)).await.unwrap();
    let runs = store.claim_runs(at(5), at(10), 10).await.unwrap();
    let [done, retried, failed] = [&runs[0], &runs[1], &runs[2]];

    // One batch, as the fan-out's recorder writes what finished meanwhile.
    store
        .complete_runs(
            &[
                (done.clone(), RunCompletion::Done),
                (
                    retried.clone(),
                    RunCompletion::Retry {
                        at: at(7),
                        error: "Unavailable: down".into(),
                    },
                ),
                (
                    failed.clone(),
                    RunCompletion::Failed {
                        error: "NotFound: gone".into(),
                    },
                ),
            ],
            at(6),
        )
        .await
        .unwrap();
    // A late completion of a settled run changes nothing.
    store
        .complete_run(failed, &RunCompletion::Done, at(6))
        .await
        .unwrap();

    assert!(
        store
            .claim_runs(at(6), at(11), 10)
            .await
            .unwrap()
            .is_empty(),
        "the retry is not due yet"
    );
    let retry = store.claim_runs(at(7), at(12), 10).await.unwrap();
    assert_eq!(
        retry.iter().map(|run| &run.key).collect::<Vec<_>>(),
        [&retried.key]
    );
    assert_eq!(retry[0].attempts, 2);

    let stored = store.runs(&fire.target, at(5)).await.unwrap();
    let status_of =
        |key: &scheduler_service::store::RunKey| stored.iter().find(|run| run.key == *key).unwrap();
    assert_eq!(status_of(&done.key).status, RunStatus::Done);
    assert_eq!(status_of(&failed.key).status, RunStatus::Failed);
    assert_eq!(
        status_of(&failed.key).last_error.as_deref(),
        Some("NotFound: gone")
    );
    assert_eq!(
        status_of(&retried.key).last_error.as_deref(),
        Some("Unavailable: down")
    );
}
