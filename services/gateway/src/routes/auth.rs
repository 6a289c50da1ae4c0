//! `/auth/*`: accounts and sessions, served by alert-service's `AuthService`.

use alert_platform::identity::user_request;
use alert_proto::v1::{
    GetMeRequest, Language, LoginRequest, LogoutRequest, RefreshRequest, RegisterRequest, Session,
    UpdateSettingsRequest, User,
};
use axum::{Json, extract::State, http::StatusCode};
use serde::{Deserialize, Serialize};

use super::{AppState, present};
use crate::{
    error::{Error, Result},
    extract::{Caller, JsonBody},
};

const SERVICE: &str = "alert-service";

#[derive(Debug, Deserialize)]
pub struct CredentialsBody {
    email: String,
    password: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RefreshTokenBody {
    refresh_token: String,
}

/// The language of a user's notifications.
#[derive(Debug, Clone, Copy, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LanguageJson {
    Ko,
    En,
}

/// `PATCH /auth/me`: settings left out keep their value.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsBody {
    language: Option<LanguageJson>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserJson {
    id: String,
    email: String,
    created_at: String,
    language: LanguageJson,
}

impl From<User> for UserJson {
    fn from(user: User) -> Self {
        let language = match user.language() {
            Language::En => LanguageJson::En,
            Language::Ko | Language::Unspecified => LanguageJson::Ko,
        };
        UserJson {
            id: user.id,
            email: user.email,
            created_at: user.created_at,
            language,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct UserEnvelope {
    user: UserJson,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SessionJson {
    access_token: String,
    refresh_token: String,
    expires_in: i64,
    user: UserJson,
}

fn session_json(session: Option<Session>) -> Result<SessionJson> {
    let session = present(session, SERVICE, "session")?;
    Ok(SessionJson {
        access_token: session.access_token,
        refresh_token: session.refresh_token,
        expires_in: session.expires_in,
        user: present(session.user, SERVICE, "user")?.into(),
    })
}

/// `POST /auth/register {email, password}` → 201 `{user}`.
pub async fn register(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CredentialsBody>,
) -> Result<(StatusCode, Json<UserEnvelope>)> {
    let request = RegisterRequest {
        email: body.email,
        password: body.password,
    };
    let response = state
        .auth
        .clone()
        .register(request)
        .await
        .map_err(|status| Error::upstream(SERVICE, status))?;
    let user = present(response.into_inner().user, SERVICE, "user")?;
    Ok((
        StatusCode::CREATED,
        Json(UserEnvelope { user: user.into() }),
    ))
}

/// `POST /auth/login {email, password}` → a session.
pub async fn login(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<CredentialsBody>,
) -> Result<Json<SessionJson>> {
    let request = LoginRequest {
        email: body.email,
        password: body.password,
    };
    let response = state
        .auth
        .clone()
        .login(request)
        .await
        .map_err(|status| Error::upstream(SERVICE, status))?;
    Ok(Json(session_json(response.into_inner().session)?))
}

/// `POST /auth/refresh {refreshToken}` → a new session.
pub async fn refresh(
    State(state): State<AppState>,
    JsonBody(body): JsonBody<RefreshTokenBody>,
) -> Result<Json<SessionJson>> {
    let request = RefreshRequest {
        refresh_token: body.refresh_token,
    };
    let response = state
        .auth
        .clone()
        .refresh(request)
        .await
        .map_err(|status| Error::upstream(SERVICE, status))?;
    Ok(Json(session_json(response.into_inner().session)?))
}

/// `POST /auth/logout {refreshToken}` → 204.
pub async fn logout(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    JsonBody(body): JsonBody<RefreshTokenBody>,
) -> Result<StatusCode> {
    let request = user_request(
        LogoutRequest {
            refresh_token: body.refresh_token,
        },
        &user_id,
    );
    state
        .auth
        .clone()
        .logout(request)
        .await
        .map_err(|status| Error::upstream(SERVICE, status))?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /auth/me` → `{user}`.
pub async fn me(
    State(state): State<AppState>,
    Caller(user_id): Caller,
) -> Result<Json<UserEnvelope>> {
    let response = state
        .auth
        .clone()
        .get_me(user_request(GetMeRequest {}, &user_id))
        .await
        .map_err(|status| Error::upstream(SERVICE, status))?;
    let user = present(response.into_inner().user, SERVICE, "user")?;
    Ok(Json(UserEnvelope { user: user.into() }))
}

/// `PATCH /auth/me {language}` → `{user}` with the settings changed.
pub async fn update_settings(
    State(state): State<AppState>,
    Caller(user_id): Caller,
    JsonBody(body): JsonBody<SettingsBody>,
) -> Result<Json<UserEnvelope>> {
    let language = body.language.map(|language| match language {
        LanguageJson::Ko => Language::Ko,
        LanguageJson::En => Language::En,
    });
    let request = UpdateSettingsRequest {
        language: language.map(Into::into),
    };
    let response = state
        .auth
        .clone()
        .update_settings(user_request(request, &user_id))
        .await
        .map_err(|status| Error::upstream(SERVICE, status))?;
    let user = present(response.into_inner().user, SERVICE, "user")?;
    Ok(Json(UserEnvelope { user: user.into() }))
}
