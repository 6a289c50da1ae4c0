//! `alert.v1.AuthService` over gRPC-web, terminated here rather than forwarded raw, so the
//! refresh token never reaches the browser's JavaScript: the gateway puts it into an httpOnly,
//! Secure, SameSite=Strict cookie scoped to the auth RPCs and blanks it in the response body;
//! `Refresh` and `Logout` take it from that cookie when the body carries none. The access token
//! stays in the body (the app keeps it in memory). REST clients (`/auth/*`) are unaffected.

use alert_platform::{ErrorCode, identity::USER_ID_METADATA};
use alert_proto::v1::{
    GetMeRequest, GetMeResponse, LoginRequest, LoginResponse, LogoutRequest, LogoutResponse,
    RefreshRequest, RefreshResponse, RegisterRequest, RegisterResponse, Session,
    UpdateSettingsRequest, UpdateSettingsResponse,
    auth_service_client::AuthServiceClient,
    auth_service_server::{AuthService, AuthServiceServer},
};
use tonic::{
    Request, Response, Status,
    metadata::{MetadataMap, MetadataValue},
    transport::Channel,
};

use crate::error::Error;

const SERVICE: &str = "alert-service";

/// The refresh token cookie. Only the auth RPCs under [`COOKIE_PATH`] ever see it.
pub const REFRESH_COOKIE: &str = "alert_refresh_token";
const COOKIE_PATH: &str = "/alert.v1.AuthService/";
/// How long the browser keeps the cookie: the default `REFRESH_TOKEN_TTL` (720h) of
/// alert-service, which decides whether the token is still good.
const COOKIE_MAX_AGE_SECS: u64 = 720 * 60 * 60;

/// The gateway's `AuthService`, backed by alert-service's.
#[derive(Debug, Clone)]
pub struct BrowserAuth {
    auth: AuthServiceClient<Channel>,
}

impl BrowserAuth {
    pub fn server(alert: Channel) -> AuthServiceServer<BrowserAuth> {
        AuthServiceServer::new(BrowserAuth {
            auth: AuthServiceClient::new(alert),
        })
    }
}

#[tonic::async_trait]
impl AuthService for BrowserAuth {
    async fn register(
        &self,
        request: Request<RegisterRequest>,
    ) -> Result<Response<RegisterResponse>, Status> {
        let response = self
            .auth
            .clone()
            .register(request.into_inner())
            .await
            .map_err(upstream_status)?;
        Ok(Response::new(response.into_inner()))
    }

    async fn login(
        &self,
        request: Request<LoginRequest>,
    ) -> Result<Response<LoginResponse>, Status> {
        let response = self
            .auth
            .clone()
            .login(request.into_inner())
            .await
            .map_err(upstream_status)?;
        let LoginResponse { session } = response.into_inner();
        let (session, cookie) = move_refresh_token_to_cookie(session);
        let mut response = Response::new(LoginResponse { session });
        set_cookie(response.metadata_mut(), &cookie);
        Ok(response)
    }

    async fn refresh(
        &self,
        request: Request<RefreshRequest>,
    ) -> Result<Response<RefreshResponse>, Status> {
        let from_cookie = request.get_ref().refresh_token.is_empty();
        let refresh_token = if from_cookie {
            cookie_value(request.metadata(), REFRESH_COOKIE).unwrap_or_default()
        } else {
            request.into_inner().refresh_token
        };
        let result = self
            .auth
            .clone()
            .refresh(RefreshRequest { refresh_token })
            .await;
        let response = match result {
            Ok(response) => response,
            Err(status) => {
                let mut status = upstream_status(status);
                // A spent or revoked token in the cookie is of no further use: drop it.
                if from_cookie && ErrorCode::from_grpc(status.code()).is_client_fault() {
                    set_cookie(status.metadata_mut(), &expired_cookie());
                }
                return Err(status);
            }
        };
        let RefreshResponse { session } = response.into_inner();
        let (session, cookie) = move_refresh_token_to_cookie(session);
        let mut response = Response::new(RefreshResponse { session });
        set_cookie(response.metadata_mut(), &cookie);
        Ok(response)
    }

    async fn logout(
        &self,
        request: Request<LogoutRequest>,
    ) -> Result<Response<LogoutResponse>, Status> {
        let user_request = forwardable(&request);
        let refresh_token = match request.get_ref().refresh_token.as_str() {
            "" => cookie_value(request.metadata(), REFRESH_COOKIE).unwrap_or_default(),
            token => token.to_owned(),
        };
        let result = self
            .auth
            .clone()
            .logout(user_request.map(|()| LogoutRequest { refresh_token }))
            .await;
        // Signed out either way: the browser forgets the cookie even when the session was gone.
        let mut response = match result {
            Ok(_) => Response::new(LogoutResponse {}),
            Err(status) => {
                let mut status = upstream_status(status);
                set_cookie(status.metadata_mut(), &expired_cookie());
                return Err(status);
            }
        };
        set_cookie(response.metadata_mut(), &expired_cookie());
        Ok(response)
    }

    async fn get_me(
        &self,
        request: Request<GetMeRequest>,
    ) -> Result<Response<GetMeResponse>, Status> {
        let user_request = forwardable(&request);
        let response = self
            .auth
            .clone()
            .get_me(user_request.map(|()| GetMeRequest {}))
            .await
            .map_err(upstream_status)?;
        Ok(Response::new(response.into_inner()))
    }

    async fn update_settings(
        &self,
        request: Request<UpdateSettingsRequest>,
    ) -> Result<Response<UpdateSettingsResponse>, Status> {
        let user_request = forwardable(&request);
        let settings = request.into_inner();
        let response = self
            .auth
            .clone()
            .update_settings(user_request.map(|()| settings))
            .await
            .map_err(upstream_status)?;
        Ok(Response::new(response.into_inner()))
    }
}

/// An empty request carrying the caller the auth layer put into `x-user-id`.
fn forwardable<T>(request: &Request<T>) -> Request<()> {
    let mut forwarded = Request::new(());
    if let Some(user_id) = request.metadata().get(USER_ID_METADATA) {
        forwarded
            .metadata_mut()
            .insert(USER_ID_METADATA, user_id.clone());
    }
    forwarded
}

/// An error of alert-service as our caller sees it: user faults unchanged (their message and
/// field violations were written for the user), server faults opaque.
fn upstream_status(status: Status) -> Status {
    let code = ErrorCode::from_grpc(status.code());
    if code.is_client_fault() {
        return status;
    }
    // Logs the failure with the service it came from.
    let _ = Error::upstream(SERVICE, status);
    let message = match code {
        ErrorCode::Unavailable => "service temporarily unavailable, try again",
        _ => "internal error",
    };
    Status::new(code.grpc_code(), message)
}

/// The session without its refresh token, and the `set-cookie` value that carries it instead.
fn move_refresh_token_to_cookie(session: Option<Session>) -> (Option<Session>, String) {
    let mut session = session;
    let token = session
        .as_mut()
        .map(|session| std::mem::take(&mut session.refresh_token))
        .unwrap_or_default();
    (session, refresh_cookie(&token, COOKIE_MAX_AGE_SECS))
}

/// `Secure` holds on http://localhost and http://127.0.0.1 too: browsers count them as secure
/// contexts, which is what development and the end-to-end test use.
fn refresh_cookie(token: &str, max_age_secs: u64) -> String {
    format!(
        "{REFRESH_COOKIE}={token}; Path={COOKIE_PATH}; Max-Age={max_age_secs}; HttpOnly; Secure; SameSite=Strict"
    )
}

fn expired_cookie() -> String {
    refresh_cookie("", 0)
}

fn set_cookie(metadata: &mut MetadataMap, cookie: &str) {
    match MetadataValue::try_from(cookie) {
        Ok(value) => {
            metadata.append("set-cookie", value);
        }
        // Refresh tokens are URL-safe text; anything else is alert-service's bug, not the user's.
        Err(_) => tracing::error!("refresh token is not a valid header value, no cookie set"),
    }
}

/// The value of cookie `name` in the request's `cookie` header(s).
fn cookie_value(metadata: &MetadataMap, name: &str) -> Option<String> {
    metadata
        .get_all("cookie")
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|header| header.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, value)| *key == name && !value.is_empty())
        .map(|(_, value)| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_refresh_cookie_is_read_among_others() {
        let mut metadata = MetadataMap::new();
        metadata.insert(
            "cookie",
            "theme=dark; alert_refresh_token=abc.def; other=1"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            cookie_value(&metadata, REFRESH_COOKIE).as_deref(),
            Some("abc.def")
        );
        assert_eq!(cookie_value(&metadata, "missing"), None);
    }

    #[test]
    fn the_cookie_is_http_only_secure_strict_and_scoped_to_the_auth_rpcs() {
        let cookie = refresh_cookie("t", 60);
        for attribute in [
            "HttpOnly",
            "Secure",
            "SameSite=Strict",
            "Path=/alert.v1.AuthService/",
        ] {
            assert!(cookie.contains(attribute), "{cookie} lacks {attribute}");
        }
        assert!(expired_cookie().contains("Max-Age=0"));
    }

    #[test]
    fn the_session_loses_its_refresh_token_to_the_cookie() {
        let session = Session {
            access_token: "a".into(),
            refresh_token: "r".into(),
            expires_in: 900,
            user: None,
        };
        let (session, cookie) = move_refresh_token_to_cookie(Some(session));
        let session = session.unwrap();
        assert_eq!(
            (
                session.access_token.as_str(),
                session.refresh_token.as_str()
            ),
            ("a", "")
        );
        assert!(cookie.starts_with("alert_refresh_token=r;"), "{cookie}");
    }
}
