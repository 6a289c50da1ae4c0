//! Users and refresh tokens in SQL.

use async_trait::async_trait;

use alert_airquality::Language;

use super::{
    RefreshTokenRecord, StoreResult, UserRecord, UserStore,
    sql::{AnyQuery, SqlStore, flag, refresh_token_from_row, translate, user_from_row},
    sql_content::language_code,
};

const USER_COLUMNS: &str = "id, email, password_hash, created_at, language";

impl SqlStore {
    async fn fetch_user(&self, query: AnyQuery<'_>) -> StoreResult<Option<UserRecord>> {
        let row = query
            .fetch_optional(&self.database.pool)
            .await
            .map_err(translate)?;
        row.as_ref()
            .map(user_from_row)
            .transpose()
            .map_err(translate)
    }
}

#[async_trait]
impl UserStore for SqlStore {
    async fn insert_user(&self, user: &UserRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO users (id, email, password_hash, created_at, language) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&user.id)
        .bind(&user.email)
        .bind(&user.password_hash)
        .bind(user.created_at)
        .bind(language_code(user.language))
        .execute(&self.database.pool)
        .await
        .map_err(translate)?;
        Ok(())
    }

    async fn user_by_email(&self, email: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1");
        self.fetch_user(sqlx::query(&sql).bind(email)).await
    }

    async fn user_by_id(&self, id: &str) -> StoreResult<Option<UserRecord>> {
        let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE id = $1");
        self.fetch_user(sqlx::query(&sql).bind(id)).await
    }

    async fn set_language(&self, id: &str, language: Language) -> StoreResult<Option<UserRecord>> {
        let sql = format!("UPDATE users SET language = $1 WHERE id = $2 RETURNING {USER_COLUMNS}");
        self.fetch_user(sqlx::query(&sql).bind(language_code(language)).bind(id))
            .await
    }

    async fn insert_refresh_token(&self, token: &RefreshTokenRecord) -> StoreResult<()> {
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at, revoked, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&token.token_hash)
        .bind(&token.user_id)
        .bind(&token.family_id)
        .bind(token.expires_at)
        .bind(flag(token.revoked))
        .bind(token.created_at)
        .execute(&self.database.pool)
        .await
        .map_err(translate)?;
        Ok(())
    }

    async fn refresh_token(&self, token_hash: &str) -> StoreResult<Option<RefreshTokenRecord>> {
        let row = sqlx::query(
            "SELECT token_hash, user_id, family_id, expires_at, revoked, created_at \
             FROM refresh_tokens WHERE token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(&self.database.pool)
        .await
        .map_err(translate)?;
        row.as_ref()
            .map(refresh_token_from_row)
            .transpose()
            .map_err(translate)
    }

    async fn rotate_refresh_token(
        &self,
        old_hash: &str,
        replacement: &RefreshTokenRecord,
        now: i64,
    ) -> StoreResult<bool> {
        // Only awaits on this transaction happen below: SQLite pools have one connection.
        let mut transaction = self.database.pool.begin().await.map_err(translate)?;
        // Compare-and-set: of two concurrent refreshes with the same token, one wins.
        let revoked = sqlx::query(
            "UPDATE refresh_tokens SET revoked = 1 WHERE token_hash = $1 AND revoked = 0 AND expires_at > $2",
        )
        .bind(old_hash)
        .bind(now)
        .execute(&mut *transaction)
        .await
        .map_err(translate)?;
        if revoked.rows_affected() != 1 {
            transaction.rollback().await.map_err(translate)?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO refresh_tokens (token_hash, user_id, family_id, expires_at, revoked, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&replacement.token_hash)
        .bind(&replacement.user_id)
        .bind(&replacement.family_id)
        .bind(replacement.expires_at)
        .bind(flag(replacement.revoked))
        .bind(replacement.created_at)
        .execute(&mut *transaction)
        .await
        .map_err(translate)?;
        transaction.commit().await.map_err(translate)?;
        Ok(true)
    }

    async fn revoke_refresh_token(&self, token_hash: &str, user_id: &str) -> StoreResult<bool> {
        let result =
            sqlx::query("UPDATE refresh_tokens SET revoked = 1 WHERE token_hash = $1 AND user_id = $2 AND revoked = 0")
                .bind(token_hash)
                .bind(user_id)
                .execute(&self.database.pool)
                .await
                .map_err(translate)?;
        Ok(result.rows_affected() > 0)
    }

    async fn revoke_token_family(&self, family_id: &str) -> StoreResult<u64> {
        let result = sqlx::query(
            "UPDATE refresh_tokens SET revoked = 1 WHERE family_id = $1 AND revoked = 0",
        )
        .bind(family_id)
        .execute(&self.database.pool)
        .await
        .map_err(translate)?;
        Ok(result.rows_affected())
    }
}
