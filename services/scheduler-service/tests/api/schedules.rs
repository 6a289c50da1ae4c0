//! UpsertSchedule and DeleteSchedule: filing alerts into buckets.

use scheduler_service::domain::{AlertId, BucketKey};

use crate::helpers::{spawn_app, utc};

fn key(raw: &str) -> BucketKey {
    BucketKey::parse(raw).unwrap()
}

#[tokio::test]
async fn alerts_with_the_same_schedule_share_a_bucket() {
    let app = spawn_app().await;
    let first = app
        .upsert("alert-1", "0 8 * * 1-5", "Asia/Seoul", true)
        .await;
    let second = app
        .upsert("alert-2", "0 8 * * 1-5", "Asia/Seoul", true)
        .await;
    assert_eq!(first, second);
    assert!(first.starts_with("alert-") && first.len() <= 64, "{first}");
    let bucket = app
        .store
        .bucket(&key(&first))
        .await
        .unwrap()
        .expect("bucket stored");
    assert_eq!(bucket.expression, "0 8 * * 1-5");
    assert_eq!(bucket.timezone, "Asia/Seoul");
    // Monday 2026-01-05 00:00 UTC is 09:00 in Seoul: the next weekday 08:00 is Tuesday's.
    assert_eq!(bucket.next_fire_at, Some(utc("2026-01-05T23:00:00Z")));
}

#[tokio::test]
async fn equivalent_spellings_share_a_bucket() {
    let app = spawn_app().await;
    let numeric = app
        .upsert("alert-1", "0 8 * * 1-5", "Asia/Seoul", true)
        .await;
    let named = app
        .upsert("alert-2", "0 8 * * MON-FRI", "asia/seoul", true)
        .await;
    assert_eq!(numeric, named);
}

#[tokio::test]
async fn a_different_time_zone_is_a_different_bucket() {
    let app = spawn_app().await;
    let seoul = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    let tokyo = app.upsert("alert-2", "0 8 * * *", "Asia/Tokyo", true).await;
    assert_ne!(seoul, tokyo);
}

#[tokio::test]
async fn moving_an_alert_to_another_schedule_removes_the_empty_old_bucket() {
    let app = spawn_app().await;
    let old = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    let new = app.upsert("alert-1", "0 9 * * *", "Asia/Seoul", true).await;
    assert_ne!(old, new);
    assert!(
        app.store.bucket(&key(&old)).await.unwrap().is_none(),
        "the empty old bucket is gone"
    );
    assert!(app.store.bucket(&key(&new)).await.unwrap().is_some());
    let member = app
        .store
        .member(&AlertId::parse("alert-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(member.bucket_key, key(&new));
}

#[tokio::test]
async fn moving_one_alert_keeps_a_bucket_other_alerts_still_use() {
    let app = spawn_app().await;
    let shared = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    app.upsert("alert-2", "0 8 * * *", "Asia/Seoul", true).await;
    app.upsert("alert-1", "0 9 * * *", "Asia/Seoul", true).await;
    assert!(app.store.bucket(&key(&shared)).await.unwrap().is_some());
}

#[tokio::test]
async fn upserting_the_same_schedule_again_changes_nothing() {
    let app = spawn_app().await;
    let first = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    let alert = AlertId::parse("alert-1").unwrap();
    let before = app.store.member(&alert).await.unwrap().unwrap();
    app.clock.advance(chrono::Duration::minutes(5));
    let second = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    assert_eq!(first, second);
    assert_eq!(
        app.store.member(&alert).await.unwrap().unwrap(),
        before,
        "member_since is kept"
    );
}

#[tokio::test]
async fn enabling_a_disabled_alert_restarts_its_membership() {
    let app = spawn_app().await;
    app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", false)
        .await;
    app.clock.advance(chrono::Duration::minutes(5));
    app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    let member = app
        .store
        .member(&AlertId::parse("alert-1").unwrap())
        .await
        .unwrap()
        .unwrap();
    assert!(member.enabled);
    assert_eq!(member.member_since, app.clock_now());
}

#[tokio::test]
async fn deleting_a_schedule_removes_the_member_and_its_empty_bucket() {
    let app = spawn_app().await;
    let bucket = app.upsert("alert-1", "0 8 * * *", "Asia/Seoul", true).await;
    app.delete("alert-1").await;
    assert!(
        app.store
            .member(&AlertId::parse("alert-1").unwrap())
            .await
            .unwrap()
            .is_none()
    );
    assert!(app.store.bucket(&key(&bucket)).await.unwrap().is_none());
}

#[tokio::test]
async fn deleting_an_unknown_schedule_succeeds() {
    let app = spawn_app().await;
    app.delete("never-scheduled").await;
}
