//! The store suite: one async fn per behaviour, run against SQLite and PostgreSQL alike.

use alert_airquality::{Grade, Language};
use alert_platform::db::testing::{fresh_postgres_database, sqlite_url};
use alert_service::{
    Error,
    domain::{
        AirQualityContent, AlertContent, Condition, Measure, StationName, Threshold,
        UnavailablePolicy,
    },
    store::{
        AlertChanges, AlertRecord, RefreshTokenRecord, RunRecord, SqlStore, Store, UserRecord,
    },
};

async fn sqlite_store() -> (SqlStore, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqlStore::connect(&sqlite_url(dir.path(), "store"))
        .await
        .expect("open SQLite");
    (store, dir)
}

async fn postgres_store() -> SqlStore {
    SqlStore::connect(&fresh_postgres_database().await)
        .await
        .expect("open PostgreSQL")
}

/// Runs each behaviour against both backends: `store::sqlite::<name>` and `store::postgres::<name>`.
macro_rules! store_suite {
    ($($behaviour:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    let (store, _dir) = super::sqlite_store().await;
                    super::$behaviour(&store).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $behaviour() {
                    let store = super::postgres_store().await;
                    super::$behaviour(&store).await;
                }
            )*
        }
    };
}

store_suite!(
    users_are_found_by_email_and_id_and_emails_are_unique,
    a_refresh_token_rotates_once,
    revoking_a_family_revokes_only_its_tokens,
    logout_revokes_only_the_owners_token,
    alerts_are_inserted_up_to_the_limit,
    concurrent_creates_stop_at_the_limit,
    alerts_are_scoped_to_their_user_and_listed_oldest_first,
    updates_bump_the_schedule_version_only_when_asked,
    toggling_and_deleting_bump_the_schedule_version,
    a_stale_sync_does_not_mark_a_newer_version_synced,
    a_deleted_alert_is_purged_only_at_the_synced_version,
    runs_are_recorded_once_per_scheduled_time,
    air_quality_content_is_stored_and_changed_like_any_field,
    a_users_language_is_korean_until_changed,
    runs_are_listed_newest_first_with_their_reason,
);

fn user(id: &str, email: &str) -> UserRecord {
    UserRecord {
        id: id.into(),
        email: email.into(),
        password_hash: "$argon2id$stub".into(),
        created_at: 1_000,
        language: Language::Ko,
    }
}

fn token(hash: &str, user_id: &str, family_id: &str, expires_at: i64) -> RefreshTokenRecord {
    RefreshTokenRecord {
        token_hash: hash.into(),
        user_id: user_id.into(),
        family_id: family_id.into(),
        expires_at,
        revoked: false,
        created_at: 1_000,
    }
}

fn alert(id: &str, user_id: &str, created_at: i64) -> AlertRecord {
    AlertRecord {
        id: id.into(),
        user_id: user_id.into(),
        name: format!("alert {id}"),
        schedule: "0 8 * * 1-5".into(),
        timezone: "Asia/Seoul".into(),
        title: "title".into(),
        body: "body".into(),
        content: AlertContent::Plain,
        enabled: true,
        schedule_version: 1,
        synced_version: 0,
        created_at,
        updated_at: created_at,
        deleted_at: None,
    }
}

fn changes_of(alert: &AlertRecord, schedule_changed: bool, updated_at: i64) -> AlertChanges {
    AlertChanges {
        name: alert.name.clone(),
        schedule: alert.schedule.clone(),
        timezone: alert.timezone.clone(),
        title: alert.title.clone(),
        body: alert.body.clone(),
        content: alert.content.clone(),
        enabled: alert.enabled,
        schedule_changed,
        updated_at,
    }
}

async fn store_with_user(store: &dyn Store, user_id: &str) {
    store
        .insert_user(&user(user_id, &format!("{user_id}@example.com")))
        .await
        .unwrap();
}

async fn users_are_found_by_email_and_id_and_emails_are_unique(store: &dyn Store) {
    let alice = user("u1", "alice@example.com");
    store.insert_user(&alice).await.unwrap();
    assert_eq!(
        store.user_by_email("alice@example.com").await.unwrap(),
        Some(alice.clone())
    );
    assert_eq!(store.user_by_id("u1").await.unwrap(), Some(alice));
    assert_eq!(store.user_by_email("bob@example.com").await.unwrap(), None);

    let duplicate = store
        .insert_user(&user("u2", "alice@example.com"))
        .await
        .unwrap_err();
    assert!(
        matches!(duplicate, Error::UniqueViolation(_)),
        "{duplicate:?}"
    );
}

async fn a_refresh_token_rotates_once(store: &dyn Store) {
    store_with_user(store, "u1").await;
    store
        .insert_refresh_token(&token("h1", "u1", "f1", 10_000))
        .await
        .unwrap();

    assert!(
        store
            .rotate_refresh_token("h1", &token("h2", "u1", "f1", 20_000), 5_000)
            .await
            .unwrap()
    );
    assert!(
        store.refresh_token("h1").await.unwrap().unwrap().revoked,
        "the old token is revoked"
    );
    assert!(
        !store.refresh_token("h2").await.unwrap().unwrap().revoked,
        "the new token is live"
    );

    let again = store
        .rotate_refresh_token("h1", &token("h3", "u1", "f1", 20_000), 5_000)
        .await
        .unwrap();
    assert!(!again, "a revoked token does not rotate");
    assert_eq!(
        store.refresh_token("h3").await.unwrap(),
        None,
        "and leaves no replacement behind"
    );

    let expired = store
        .rotate_refresh_token("h2", &token("h4", "u1", "f1", 40_000), 20_000)
        .await
        .unwrap();
    assert!(!expired, "an expired token does not rotate");
}

async fn revoking_a_family_revokes_only_its_tokens(store: &dyn Store) {
    store_with_user(store, "u1").await;
    store
        .insert_refresh_token(&token("a1", "u1", "fa", 10_000))
        .await
        .unwrap();
    store
        .insert_refresh_token(&token("a2", "u1", "fa", 10_000))
        .await
        .unwrap();
    store
        .insert_refresh_token(&token("b1", "u1", "fb", 10_000))
        .await
        .unwrap();
    assert_eq!(store.revoke_token_family("fa").await.unwrap(), 2);
    assert!(store.refresh_token("a1").await.unwrap().unwrap().revoked);
    assert!(store.refresh_token("a2").await.unwrap().unwrap().revoked);
    assert!(!store.refresh_token("b1").await.unwrap().unwrap().revoked);
    assert_eq!(
        store.revoke_token_family("fa").await.unwrap(),
        0,
        "nothing live is left"
    );
}

async fn logout_revokes_only_the_owners_token(store: &dyn Store) {
    store_with_user(store, "u1").await;
    store_with_user(store, "u2").await;
    store
        .insert_refresh_token(&token("h1", "u1", "f1", 10_000))
        .await
        .unwrap();
    assert!(
        !store.revoke_refresh_token("h1", "u2").await.unwrap(),
        "not u2's token"
    );
    assert!(!store.refresh_token("h1").await.unwrap().unwrap().revoked);
    assert!(store.revoke_refresh_token("h1", "u1").await.unwrap());
    assert!(store.refresh_token("h1").await.unwrap().unwrap().revoked);
    assert!(!store.revoke_refresh_token("unknown", "u1").await.unwrap());
}

async fn alerts_are_inserted_up_to_the_limit(store: &dyn Store) {
    store_with_user(store, "u1").await;
    assert!(store.insert_alert(&alert("a1", "u1", 1), 2).await.unwrap());
    assert!(store.insert_alert(&alert("a2", "u1", 2), 2).await.unwrap());
    assert!(
        !store.insert_alert(&alert("a3", "u1", 3), 2).await.unwrap(),
        "the third is over the limit"
    );
    assert_eq!(store.alert("a3").await.unwrap(), None);

    store
        .soft_delete_alert("u1", "a1", 10)
        .await
        .unwrap()
        .expect("a1 exists");
    assert!(
        store.insert_alert(&alert("a3", "u1", 3), 2).await.unwrap(),
        "deleted alerts do not count"
    );
}

async fn concurrent_creates_stop_at_the_limit(store: &dyn Store) {
    store_with_user(store, "u1").await;
    let limit = 3;
    let attempts = 24;
    let alerts: Vec<AlertRecord> = (0..attempts)
        .map(|n| alert(&format!("a{n}"), "u1", 1 + n))
        .collect();
    let inserted =
        futures::future::join_all(alerts.iter().map(|alert| store.insert_alert(alert, limit)))
            .await;
    let inserted = inserted
        .into_iter()
        .map(|result| result.expect("a create at the limit is refused, not an error"))
        .filter(|inserted| *inserted)
        .count();
    assert_eq!(inserted, limit as usize, "creates that said they inserted");
    assert_eq!(
        store.alerts_of_user("u1").await.unwrap().len(),
        limit as usize,
        "alerts stored"
    );
}

async fn alerts_are_scoped_to_their_user_and_listed_oldest_first(store: &dyn Store) {
    store_with_user(store, "u1").await;
    store_with_user(store, "u2").await;
    let newer = alert("a-newer", "u1", 20);
    let older = alert("b-older", "u1", 10);
    store.insert_alert(&newer, 100).await.unwrap();
    store.insert_alert(&older, 100).await.unwrap();
    store.insert_alert(&alert("c", "u2", 5), 100).await.unwrap();

    assert_eq!(
        store.alerts_of_user("u1").await.unwrap(),
        vec![older.clone(), newer.clone()]
    );
    assert_eq!(
        store.alert_of_user("u1", "a-newer").await.unwrap(),
        Some(newer)
    );
    assert_eq!(
        store.alert_of_user("u2", "a-newer").await.unwrap(),
        None,
        "another user's alert"
    );
    assert_eq!(store.toggle_alert("u2", "b-older", 30).await.unwrap(), None);
    assert_eq!(
        store.soft_delete_alert("u2", "b-older", 30).await.unwrap(),
        None
    );
    assert_eq!(
        store
            .update_alert("u2", "b-older", &changes_of(&older, true, 30))
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store.alert("b-older").await.unwrap(),
        Some(older),
        "untouched"
    );
}

async fn updates_bump_the_schedule_version_only_when_asked(store: &dyn Store) {
    store_with_user(store, "u1").await;
    let original = alert("a1", "u1", 10);
    store.insert_alert(&original, 100).await.unwrap();

    let renamed = AlertChanges {
        name: "renamed".into(),
        ..changes_of(&original, false, 20)
    };
    let updated = store
        .update_alert("u1", "a1", &renamed)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.name, "renamed");
    assert_eq!(updated.updated_at, 20);
    assert_eq!(
        updated.schedule_version, 1,
        "a rename is not a schedule change"
    );

    let rescheduled = AlertChanges {
        schedule: "0 9 * * *".into(),
        ..changes_of(&updated, true, 30)
    };
    let updated = store
        .update_alert("u1", "a1", &rescheduled)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.schedule, "0 9 * * *");
    assert_eq!(updated.schedule_version, 2);
    assert_eq!(store.unsynced_alerts(10).await.unwrap(), vec![updated]);
}

async fn toggling_and_deleting_bump_the_schedule_version(store: &dyn Store) {
    store_with_user(store, "u1").await;
    store
        .insert_alert(&alert("a1", "u1", 10), 100)
        .await
        .unwrap();
    let toggled = store.toggle_alert("u1", "a1", 20).await.unwrap().unwrap();
    assert!(!toggled.enabled);
    assert_eq!(toggled.schedule_version, 2);
    let deleted = store
        .soft_delete_alert("u1", "a1", 30)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(deleted.deleted_at, Some(30));
    assert_eq!(deleted.schedule_version, 3);
    assert_eq!(
        store.alert_of_user("u1", "a1").await.unwrap(),
        None,
        "a deleted alert is not the user's any more"
    );
    assert_eq!(
        store.alert("a1").await.unwrap(),
        Some(deleted.clone()),
        "but its row waits for the scheduler"
    );
    assert_eq!(store.unsynced_alerts(10).await.unwrap(), vec![deleted]);
}

async fn a_stale_sync_does_not_mark_a_newer_version_synced(store: &dyn Store) {
    store_with_user(store, "u1").await;
    store
        .insert_alert(&alert("a1", "u1", 10), 100)
        .await
        .unwrap();
    // A sync of version 1 is in flight when the user toggles (version 2).
    store.toggle_alert("u1", "a1", 20).await.unwrap().unwrap();
    assert!(
        !store.mark_synced("a1", 1).await.unwrap(),
        "version 1 is stale"
    );
    assert_eq!(
        store.unsynced_alerts(10).await.unwrap().len(),
        1,
        "version 2 is still pending"
    );
    assert!(store.mark_synced("a1", 2).await.unwrap());
    assert!(store.unsynced_alerts(10).await.unwrap().is_empty());
    assert_eq!(store.alert("a1").await.unwrap().unwrap().synced_version, 2);
}

async fn a_deleted_alert_is_purged_only_at_the_synced_version(store: &dyn Store) {
    store_with_user(store, "u1").await;
    store
        .insert_alert(&alert("live", "u1", 10), 100)
        .await
        .unwrap();
    assert!(
        !store.purge_deleted_alert("live", 1).await.unwrap(),
        "a live alert is never purged"
    );

    store
        .insert_alert(&alert("gone", "u1", 10), 100)
        .await
        .unwrap();
    let deleted = store
        .soft_delete_alert("u1", "gone", 20)
        .await
        .unwrap()
        .unwrap();
    assert!(
        !store
            .purge_deleted_alert("gone", deleted.schedule_version - 1)
            .await
            .unwrap(),
        "stale version"
    );
    assert!(
        store
            .purge_deleted_alert("gone", deleted.schedule_version)
            .await
            .unwrap()
    );
    assert_eq!(store.alert("gone").await.unwrap(), None);
}

async fn runs_are_recorded_once_per_scheduled_time(store: &dyn Store) {
    store_with_user(store, "u1").await;
    store
        .insert_alert(&alert("a1", "u1", 10), 100)
        .await
        .unwrap();
    let run = RunRecord {
        alert_id: "a1".into(),
        scheduled_time: 1_000,
        outcome: "sent".into(),
        deliveries: 2,
        reason: String::new(),
        created_at: 5,
    };
    assert!(!store.run_recorded("a1", 1_000).await.unwrap());
    assert!(store.record_run(&run).await.unwrap());
    assert!(store.run_recorded("a1", 1_000).await.unwrap());
    assert!(
        !store.record_run(&run).await.unwrap(),
        "the same time again"
    );
    let next = RunRecord {
        scheduled_time: 2_000,
        ..run
    };
    assert!(store.record_run(&next).await.unwrap(), "another time");
}

fn air_quality(station: &str, condition: Option<Condition>) -> AlertContent {
    AlertContent::AirQuality(AirQualityContent {
        station: StationName::parse(station).unwrap(),
        condition,
        when_unavailable: UnavailablePolicy::Skip,
    })
}

async fn air_quality_content_is_stored_and_changed_like_any_field(store: &dyn Store) {
    store_with_user(store, "u1").await;
    let by_grade = AlertRecord {
        title: String::new(),
        content: air_quality(
            "종로구",
            Some(Condition {
                measure: Measure::Worse,
                threshold: Threshold::Grade(Grade::VeryBad),
            }),
        ),
        ..alert("a1", "u1", 10)
    };
    let by_value = AlertRecord {
        content: air_quality(
            "강남구",
            Some(Condition {
                measure: Measure::Pm25,
                threshold: Threshold::Value(35),
            }),
        ),
        ..alert("a2", "u1", 20)
    };
    let unconditional = AlertRecord {
        content: air_quality("중구", None),
        ..alert("a3", "u1", 30)
    };
    for record in [&by_grade, &by_value, &unconditional] {
        assert!(store.insert_alert(record, 100).await.unwrap());
        assert_eq!(
            store.alert(&record.id).await.unwrap().as_ref(),
            Some(record),
            "{}",
            record.id
        );
    }

    let to_plain = AlertChanges {
        title: "plain now".into(),
        content: AlertContent::Plain,
        ..changes_of(&by_grade, false, 40)
    };
    let updated = store
        .update_alert("u1", "a1", &to_plain)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(updated.content, AlertContent::Plain);
    let back = AlertChanges {
        content: by_value.content.clone(),
        ..changes_of(&updated, false, 50)
    };
    let updated = store
        .update_alert("u1", "a1", &back)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        updated.content, by_value.content,
        "no condition column is left behind"
    );
}

async fn a_users_language_is_korean_until_changed(store: &dyn Store) {
    store_with_user(store, "u1").await;
    assert_eq!(
        store.user_by_id("u1").await.unwrap().unwrap().language,
        Language::Ko
    );
    let changed = store
        .set_language("u1", Language::En)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(changed.language, Language::En);
    assert_eq!(
        store
            .user_by_email("u1@example.com")
            .await
            .unwrap()
            .unwrap()
            .language,
        Language::En
    );
    assert_eq!(
        store.set_language("nobody", Language::En).await.unwrap(),
        None
    );
}

async fn runs_are_listed_newest_first_with_their_reason(store: &dyn Store) {
    store_with_user(store, "u1").await;
    for id in ["a1", "a2"] {
        store.insert_alert(&alert(id, "u1", 10), 100).await.unwrap();
    }
    let sent = RunRecord {
        alert_id: "a1".into(),
        scheduled_time: 1_000,
        outcome: "sent".into(),
        deliveries: 1,
        reason: String::new(),
        created_at: 1_001,
    };
    let skipped = RunRecord {
        scheduled_time: 2_000,
        outcome: "skipped".into(),
        deliveries: 0,
        reason: "condition not met: PM2.5 is good (12 µg/m³), below bad".into(),
        created_at: 2_001,
        ..sent.clone()
    };
    let other_alert = RunRecord {
        alert_id: "a2".into(),
        ..sent.clone()
    };
    for run in [&sent, &skipped, &other_alert] {
        assert!(store.record_run(run).await.unwrap());
    }
    assert_eq!(
        store.runs_of_alert("a1", 10).await.unwrap(),
        vec![skipped.clone(), sent]
    );
    assert_eq!(store.runs_of_alert("a1", 1).await.unwrap(), vec![skipped]);
    assert!(store.runs_of_alert("unknown", 10).await.unwrap().is_empty());
}

/// Rows written before air-quality content read as plain alerts, Korean users and runs without
/// a reason once the migration ran.
async fn rows_from_before_the_migration_read_as_plain(url: &str, migrations: [&str; 2]) {
    sqlx::any::install_default_drivers();
    let pool = sqlx::AnyPool::connect(url).await.unwrap();
    sqlx::raw_sql(migrations[0]).execute(&pool).await.unwrap();
    sqlx::raw_sql(
        "INSERT INTO users (id, email, password_hash, created_at) VALUES ('u1', 'a@example.com', 'h', 1); \
         INSERT INTO alerts (id, user_id, name, schedule, timezone, title, body, enabled, schedule_version, created_at, updated_at) \
         VALUES ('a1', 'u1', 'n', '0 8 * * *', 'Asia/Seoul', 't', 'b', 1, 1, 1, 1); \
         INSERT INTO alert_runs (alert_id, scheduled_time, outcome, deliveries, created_at) VALUES ('a1', 1, 'sent', 1, 1);",
    )
    .execute(&pool)
    .await
    .unwrap();
    sqlx::raw_sql(migrations[1]).execute(&pool).await.unwrap();
    let row: (String, Option<String>, String, String, String) = sqlx::query_as(
        "SELECT alerts.content_kind, alerts.station, alerts.when_unavailable, users.language, alert_runs.reason \
         FROM alerts JOIN users ON users.id = alerts.user_id JOIN alert_runs ON alert_runs.alert_id = alerts.id",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        row,
        (
            "plain".to_owned(),
            None,
            "send".to_owned(),
            "ko".to_owned(),
            String::new()
        )
    );
}

#[tokio::test]
async fn sqlite_rows_from_before_the_migration_read_as_plain() {
    let dir = tempfile::tempdir().unwrap();
    rows_from_before_the_migration_read_as_plain(
        &format!("{}?mode=rwc", sqlite_url(dir.path(), "migration")),
        [
            include_str!("../../migrations/sqlite/0001_initial.sql"),
            include_str!("../../migrations/sqlite/0002_air_quality_content.sql"),
        ],
    )
    .await;
}

#[tokio::test]
async fn postgres_rows_from_before_the_migration_read_as_plain() {
    rows_from_before_the_migration_read_as_plain(
        &fresh_postgres_database().await,
        [
            include_str!("../../migrations/postgres/0001_initial.sql"),
            include_str!("../../migrations/postgres/0002_air_quality_content.sql"),
        ],
    )
    .await;
}
