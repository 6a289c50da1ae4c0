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

/// A batch of rows loaded by key with their parents, as the notifier loads a claimed batch of
/// deliveries with their subscriptions, right after a burst of inserts (no statistics yet):
/// PostgreSQL must look up the parents by key, not read and hash the whole parent table for
/// every batch (which cost the notifier four times the CPU per delivery at 5,000 deliveries and
/// grows with every subscription stored).
#[tokio::test]
async fn postgres_loads_a_batch_with_its_parents_by_key_on_fresh_tables() {
    let url = alert_platform::db::testing::fresh_postgres_database().await;
    let database = Database::connect(&url, "platform_test", &migrations())
        .await
        .unwrap();
    for statement in [
        "CREATE TABLE parents (id TEXT PRIMARY KEY, owner TEXT NOT NULL, address TEXT NOT NULL)",
        "CREATE TABLE children (id TEXT PRIMARY KEY, parent_id TEXT NOT NULL, owner TEXT NOT NULL, \
           body TEXT NOT NULL)",
        "INSERT INTO parents SELECT 'p' || n, 'owner', repeat('a', 120) FROM generate_series(1, 5000) n",
        "INSERT INTO children SELECT 'c' || n, 'p' || n, 'owner', repeat('b', 200) \
           FROM generate_series(1, 5000) n",
    ] {
        sqlx::query(statement)
            .execute(&database.pool)
            .await
            .unwrap();
    }
    let ids: Vec<String> = (0..128).map(|n| format!("c{}", 1 + n * 37)).collect();
    let list: Vec<String> = (1..=ids.len()).map(|n| format!("${n}")).collect();
    let explain = format!(
        "EXPLAIN SELECT c.id, c.body, p.address FROM children c \
         LEFT JOIN parents p ON p.id = c.parent_id AND p.owner = c.owner WHERE c.id IN ({})",
        list.join(", ")
    );
    let mut query = sqlx::query(&explain);
    for id in &ids {
        query = query.bind(id.as_str());
    }
    let plan: Vec<String> = query
        .fetch_all(&database.pool)
        .await
        .unwrap()
        .iter()
        .map(|row| row.get::<String, _>(0))
        .collect();
    let plan = plan.join("\n");
    assert!(
        plan.contains("Index Scan using parents_pkey"),
        "parents should be looked up by key:\n{plan}"
    );
    assert!(
        !plan.contains("Seq Scan on parents"),
        "parents should not be read whole:\n{plan}"
    );
}
