//! The portable SQL subset the stores rely on behaves alike on SQLite and PostgreSQL.

use alert_platform::db::{ConstraintViolation, Database, Migrations, constraint_violation};
use sqlx::Row;

fn migrations() -> Migrations {
    Migrations {
        postgres: sqlx::migrate!("tests/migrations/postgres"),
        sqlite: sqlx::migrate!("tests/migrations/sqlite"),
    }
}

async fn exercise(database: Database) {
    let insert = "INSERT INTO items (id, flag, at) VALUES ($1, $2, $3)";
    sqlx::query(insert)
        .bind("a")
        .bind(1_i64)
        .bind(1_700_000_000_000_i64)
        .execute(&database.pool)
        .await
        .unwrap();
    let duplicate = sqlx::query(insert)
        .bind("a")
        .bind(0_i64)
        .bind(0_i64)
        .execute(&database.pool)
        .await
        .unwrap_err();
    assert_eq!(
        constraint_violation(&duplicate),
        Some(ConstraintViolation::Unique)
    );

    let row = sqlx::query("SELECT id, flag, at FROM items WHERE at >= $1 AND id = $2")
        .bind(1_i64)
        .bind("a")
        .fetch_one(&database.pool)
        .await
        .unwrap();
    assert_eq!(row.get::<String, _>("id"), "a");
    assert_eq!(row.get::<i64, _>("flag"), 1);
    assert_eq!(row.get::<i64, _>("at"), 1_700_000_000_000);

    let claimed = sqlx::query("UPDATE items SET flag = $1 WHERE id = $2 AND flag = $3")
        .bind(0_i64)
        .bind("a")
        .bind(1_i64)
        .execute(&database.pool)
        .await
        .unwrap();
    assert_eq!(claimed.rows_affected(), 1);
    let inserted = sqlx::query(
        "INSERT INTO items (id, flag, at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING",
    )
    .bind("a")
    .bind(1_i64)
    .bind(2_i64)
    .execute(&database.pool)
    .await
    .unwrap();
    assert_eq!(inserted.rows_affected(), 0);
}

#[tokio::test]
async fn sqlite_speaks_the_portable_subset() {
    let dir = tempfile::tempdir().unwrap();
    let url = alert_platform::db::testing::sqlite_url(dir.path(), "items");
    exercise(
        Database::connect(&url, "platform_test", &migrations())
            .await
            .unwrap(),
    )
    .await;
}

#[tokio::test]
async fn postgres_speaks_the_portable_subset() {
    let url = alert_platform::db::testing::fresh_postgres_database().await;
    exercise(
        Database::connect(&url, "platform_test", &migrations())
            .await
            .unwrap(),
    )
    .await;
}
