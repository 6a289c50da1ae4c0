//! `alert.v1.AuthService` over [`Accounts`].

use alert_platform::identity::caller_user_id;
use alert_proto::v1::{self as pb, auth_service_server::AuthService};
use tonic::{Request, Response, Status};

use super::user_to_proto;
use crate::{
    accounts::{Accounts, IssuedSession},
    domain::{Email, Password, language_from_proto},
};

pub struct AuthGrpc {
    accounts: Accounts,
}

impl AuthGrpc {
    pub fn new(accounts: Accounts) -> AuthGrpc {
        AuthGrpc { accounts }
    }
}

fn session_to_proto(session: IssuedSession) -> pb::Session {
    pb::Session {
        access_token: session.access_token,
        refresh_token: session.refresh_token,
        expires_in: session.expires_in,
        user: Some(user_to_proto(session.user)),
    }
}

#[tonic::async_trait]
impl AuthService for AuthGrpc {
    async fn register(
        &self,
        request: Request<pb::RegisterRequest>,
    ) -> Result<Response<pb::RegisterResponse>, Status> {
        let request = request.into_inner();
        let email = Email::parse(&request.email)?;
        let password = Password::parse(&request.password)?;
        let user = self.accounts.register(email, password).await?;
        Ok(Response::new(pb::RegisterResponse {
            user: Some(user_to_proto(user)),
        }))
    }

    async fn login(
        &self,
        request: Request<pb::LoginRequest>,
    ) -> Result<Response<pb::LoginResponse>, Status> {
        let request = request.into_inner();
        let session = self
            .accounts
            .login(&request.email, &request.password)
            .await?;
        Ok(Response::new(pb::LoginResponse {
            session: Some(session_to_proto(session)),
        }))
    }

    async fn refresh(
        &self,
        request: Request<pb::RefreshRequest>,
    ) -> Result<Response<pb::RefreshResponse>, Status> {
        let session = self
            .accounts
            .refresh(&request.into_inner().refresh_token)
            .await?;
        Ok(Response::new(pb::RefreshResponse {
            session: Some(session_to_proto(session)),
        }))
    }

    async fn logout(
        &self,
        request: Request<pb::LogoutRequest>,
    ) -> Result<Response<pb::LogoutResponse>, Status> {
        let user_id = caller_user_id(&request)?;
        self.accounts
            .logout(&user_id, &request.into_inner().refresh_token)
            .await?;
        Ok(Response::new(pb::LogoutResponse {}))
    }

    async fn get_me(
        &self,
        request: Request<pb::GetMeRequest>,
    ) -> Result<Response<pb::GetMeResponse>, Status> {
        let user_id = caller_user_id(&request)?;
        let user = self.accounts.me(&user_id).await?;
        Ok(Response::new(pb::GetMeResponse {
            user: Some(user_to_proto(user)),
        }))
    }

    async fn update_settings(
        &self,
        request: Request<pb::UpdateSettingsRequest>,
    ) -> Result<Response<pb::UpdateSettingsResponse>, Status> {
        let user_id = caller_user_id(&request)?;
        let language = request
            .into_inner()
            .language
            .map(language_from_proto)
            .transpose()?;
        let user = self.accounts.update_settings(&user_id, language).await?;
        Ok(Response::new(pb::UpdateSettingsResponse {
            user: Some(user_to_proto(user)),
        }))
    }
}
