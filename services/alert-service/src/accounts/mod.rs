//! Accounts and sessions: registration, login, refresh-token rotation with reuse detection,
//! logout.

mod passwords;
mod refresh_tokens;

use std::sync::Arc;

use alert_airquality::Language;
use alert_platform::{access_token::AccessTokens, clock::SharedClock};
use tracing::{info, warn};

use crate::{
    domain::{Email, Password},
    error::{Error, Result},
    store::{RefreshTokenRecord, Store, UserRecord},
};
use passwords::{hash_password, verify_password};
use refresh_tokens::{generate_refresh_token, hash_refresh_token};

/// Longest password registration accepts (see [`Password`]).
const MAX_PASSWORD_CHARS: usize = 128;

/// What a successful login or refresh hands to the client.
#[derive(Debug, Clone)]
pub struct IssuedSession {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    pub user: UserRecord,
}

/// The account and session logic behind `alert.v1.AuthService`.
#[derive(Clone)]
pub struct Accounts {
    store: Arc<dyn Store>,
    clock: SharedClock,
    access_tokens: AccessTokens,
    refresh_token_ttl: chrono::Duration,
    /// Verified against when the email is unknown, so that login takes as long either way.
    dummy_password_hash: Arc<str>,
}

impl Accounts {
    pub async fn new(
        store: Arc<dyn Store>,
        clock: SharedClock,
        access_tokens: AccessTokens,
        refresh_token_ttl: chrono::Duration,
    ) -> Result<Accounts> {
        let dummy = Password::parse(&generate_refresh_token())?;
        let dummy_password_hash = hash_password(dummy).await?.into();
        Ok(Accounts {
            store,
            clock,
            access_tokens,
            refresh_token_ttl,
            dummy_password_hash,
        })
    }

    pub async fn register(&self, email: Email, password: Password) -> Result<UserRecord> {
        let user = UserRecord {
            id: uuid::Uuid::now_v7().to_string(),
            email: email.as_str().to_owned(),
            password_hash: hash_password(password).await?,
            created_at: self.clock.now().timestamp_millis(),
            language: Language::default(),
        };
        self.store
            .insert_user(&user)
            .await
            .map_err(|error| match error {
                Error::UniqueViolation(_) => Error::EmailTaken,
                other => other,
            })?;
        info!(user_id = %user.id, "user registered");
        Ok(user)
    }

    /// Unknown email and wrong password fail alike, in message and in time.
    pub async fn login(&self, email: &str, password: &str) -> Result<IssuedSession> {
        let user = match Email::parse(email) {
            Ok(email) => self.store.user_by_email(email.as_str()).await?,
            Err(_) => None,
        };
        let stored_hash = user.as_ref().map_or_else(
            || self.dummy_password_hash.to_string(),
            |u| u.password_hash.clone(),
        );
        // Hash at most what registration accepts: a megabyte "password" must not cost a megabyte
        // of Argon2 work; anything longer cannot match anyway.
        let candidate: String = password.chars().take(MAX_PASSWORD_CHARS + 1).collect();
        let too_long = candidate.chars().count() > MAX_PASSWORD_CHARS;
        let matches = verify_password(candidate, stored_hash).await? && !too_long;
        let Some(user) = user.filter(|_| matches) else {
            return Err(Error::WrongCredentials);
        };
        let family_id = uuid::Uuid::now_v7().to_string();
        let (refresh_token, record) = self.new_refresh_token(&user.id, &family_id);
        self.store.insert_refresh_token(&record).await?;
        info!(user_id = %user.id, "user logged in");
        Ok(self.session(user, refresh_token))
    }

    /// Rotates a refresh token. Presenting a revoked token means it was stolen (or replayed):
    /// its whole family is revoked, logging out both the thief and the owner.
    pub async fn refresh(&self, refresh_token: &str) -> Result<IssuedSession> {
        let now = self.clock.now().timestamp_millis();
        let token_hash = hash_refresh_token(refresh_token);
        let Some(record) = self.store.refresh_token(&token_hash).await? else {
            return Err(Error::InvalidRefreshToken);
        };
        if record.revoked {
            self.revoke_family_after_reuse(&record).await?;
            return Err(Error::InvalidRefreshToken);
        }
        if record.expires_at <= now {
            return Err(Error::InvalidRefreshToken);
        }
        let (new_token, replacement) = self.new_refresh_token(&record.user_id, &record.family_id);
        if !self
            .store
            .rotate_refresh_token(&token_hash, &replacement, now)
            .await?
        {
            // Another request rotated it first: the same token was used twice.
            self.revoke_family_after_reuse(&record).await?;
            return Err(Error::InvalidRefreshToken);
        }
        let user = self
            .store
            .user_by_id(&record.user_id)
            .await?
            .ok_or(Error::InvalidRefreshToken)?;
        Ok(self.session(user, new_token))
    }

    /// Revokes the caller's refresh token; unknown tokens and other users' tokens are ignored, so
    /// logging out twice succeeds.
    pub async fn logout(&self, user_id: &str, refresh_token: &str) -> Result<()> {
        if refresh_token.trim().is_empty() {
            return Ok(());
        }
        if self
            .store
            .revoke_refresh_token(&hash_refresh_token(refresh_token), user_id)
            .await?
        {
            info!(user_id, "user logged out");
        }
        Ok(())
    }

    pub async fn me(&self, user_id: &str) -> Result<UserRecord> {
        self.store
            .user_by_id(user_id)
            .await?
            .ok_or(Error::UnknownUser)
    }

    /// Changes the settings given; `None` keeps a setting.
    pub async fn update_settings(
        &self,
        user_id: &str,
        language: Option<Language>,
    ) -> Result<UserRecord> {
        let Some(language) = language else {
            return self.me(user_id).await;
        };
        let user = self
            .store
            .set_language(user_id, language)
            .await?
            .ok_or(Error::UnknownUser)?;
        info!(user_id, ?language, "settings updated");
        Ok(user)
    }

    async fn revoke_family_after_reuse(&self, record: &RefreshTokenRecord) -> Result<()> {
        let revoked = self.store.revoke_token_family(&record.family_id).await?;
        warn!(
            user_id = %record.user_id,
            family_id = %record.family_id,
            revoked,
            "revoked refresh token presented again, session family revoked"
        );
        Ok(())
    }

    fn new_refresh_token(&self, user_id: &str, family_id: &str) -> (String, RefreshTokenRecord) {
        let now = self.clock.now();
        let token = generate_refresh_token();
        let record = RefreshTokenRecord {
            token_hash: hash_refresh_token(&token),
            user_id: user_id.to_owned(),
            family_id: family_id.to_owned(),
            expires_at: (now + self.refresh_token_ttl).timestamp_millis(),
            revoked: false,
            created_at: now.timestamp_millis(),
        };
        (token, record)
    }

    fn session(&self, user: UserRecord, refresh_token: String) -> IssuedSession {
        IssuedSession {
            access_token: self.access_tokens.issue(&user.id, self.clock.now()),
            refresh_token,
            expires_in: self.access_tokens.lifetime().num_seconds(),
            user,
        }
    }
}
