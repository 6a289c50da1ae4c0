//! Registration, login, refresh-token rotation and reuse detection, logout.

use alert_platform::{access_token::AccessTokens, identity::user_request};
use alert_proto::v1 as pb;
use secrecy::SecretString;
use tonic::{Code, Request};

use crate::helpers::{JWT_SECRET, spawn_app};

fn refresh(token: &str) -> pb::RefreshRequest {
    pb::RefreshRequest {
        refresh_token: token.to_owned(),
    }
}

#[tokio::test]
async fn registering_returns_the_user_with_a_normalised_email() {
    let app = spawn_app().await;
    let user = app
        .auth()
        .register(pb::RegisterRequest {
            email: "  Someone@Example.COM ".into(),
            password: "long enough".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(user.email, "someone@example.com");
    assert!(
        uuid::Uuid::parse_str(&user.id).is_ok(),
        "id {:?} is a uuid",
        user.id
    );
    assert!(
        user.created_at.ends_with('Z'),
        "created_at {:?} is RFC 3339 UTC",
        user.created_at
    );
}

#[tokio::test]
async fn a_duplicate_email_already_exists_whatever_its_case() {
    let app = spawn_app().await;
    app.signed_up_user("taken@example.com").await;
    let status = app
        .auth()
        .register(pb::RegisterRequest {
            email: "Taken@Example.com".into(),
            password: "another password".into(),
        })
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::AlreadyExists);
    assert_eq!(
        status.message(),
        "an account with this email already exists"
    );
}

#[tokio::test]
async fn login_returns_an_access_token_for_the_user() {
    let app = spawn_app().await;
    let session = app.signed_up_user("me@example.com").await;
    let user = session.user.unwrap();
    let tokens = AccessTokens::new(
        &SecretString::from(JWT_SECRET),
        chrono::Duration::minutes(15),
    );
    assert_eq!(tokens.verify(&session.access_token).unwrap(), user.id);
    assert_eq!(session.expires_in, 15 * 60);
    assert_eq!(
        session.refresh_token.len(),
        43,
        "32 bytes in base64url without padding"
    );
}

#[tokio::test]
async fn wrong_password_and_unknown_email_give_the_same_error() {
    let app = spawn_app().await;
    app.signed_up_user("me@example.com").await;
    let cases = [
        ("wrong password", "me@example.com", "not my password"),
        (
            "unknown email",
            "nobody@example.com",
            "correct horse battery",
        ),
        ("malformed email", "nobody", "correct horse battery"),
        ("overlong password", "me@example.com", &"x".repeat(10_000)),
    ];
    for (case, email, password) in cases {
        let status = app
            .auth()
            .login(pb::LoginRequest {
                email: email.into(),
                password: password.into(),
            })
            .await
            .expect_err(case);
        assert_eq!(status.code(), Code::Unauthenticated, "{case}");
        assert_eq!(status.message(), "email or password is incorrect", "{case}");
    }
}

#[tokio::test]
async fn refresh_rotates_the_token() {
    let app = spawn_app().await;
    let session = app.signed_up_user("me@example.com").await;
    let renewed = app
        .auth()
        .refresh(refresh(&session.refresh_token))
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap();
    assert_ne!(renewed.refresh_token, session.refresh_token);
    assert_eq!(renewed.user.unwrap().id, session.user.unwrap().id);
    let again = app
        .auth()
        .refresh(refresh(&renewed.refresh_token))
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap();
    assert_ne!(again.refresh_token, renewed.refresh_token);
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_family() {
    let app = spawn_app().await;
    let session = app.signed_up_user("me@example.com").await;
    let renewed = app
        .auth()
        .refresh(refresh(&session.refresh_token))
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap();

    let status = app
        .auth()
        .refresh(refresh(&session.refresh_token))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::Unauthenticated,
        "the rotated token is refused"
    );
    let status = app
        .auth()
        .refresh(refresh(&renewed.refresh_token))
        .await
        .unwrap_err();
    assert_eq!(
        status.code(),
        Code::Unauthenticated,
        "the family's live token is revoked too"
    );
}

#[tokio::test]
async fn another_login_is_not_revoked_by_reuse_in_a_different_family() {
    let app = spawn_app().await;
    let first = app.signed_up_user("me@example.com").await;
    let second = app
        .auth()
        .login(pb::LoginRequest {
            email: "me@example.com".into(),
            password: "correct horse battery".into(),
        })
        .await
        .unwrap()
        .into_inner()
        .session
        .unwrap();
    app.auth()
        .refresh(refresh(&first.refresh_token))
        .await
        .unwrap();
    app.auth()
        .refresh(refresh(&first.refresh_token))
        .await
        .unwrap_err();
    app.auth()
        .refresh(refresh(&second.refresh_token))
        .await
        .expect("the other login still works");
}

#[tokio::test]
async fn an_expired_refresh_token_is_refused() {
    let app = spawn_app().await;
    let session = app.signed_up_user("me@example.com").await;
    app.clock
        .advance(chrono::Duration::days(30) + chrono::Duration::seconds(1));
    let status = app
        .auth()
        .refresh(refresh(&session.refresh_token))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn an_unknown_refresh_token_is_refused() {
    let app = spawn_app().await;
    let status = app
        .auth()
        .refresh(refresh("not-a-token"))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);
}

#[tokio::test]
async fn logout_revokes_the_refresh_token_and_is_idempotent() {
    let app = spawn_app().await;
    let session = app.signed_up_user("me@example.com").await;
    let user_id = session.user.unwrap().id;
    let logout = || {
        user_request(
            pb::LogoutRequest {
                refresh_token: session.refresh_token.clone(),
            },
            &user_id,
        )
    };
    app.auth().logout(logout()).await.unwrap();
    app.auth()
        .logout(logout())
        .await
        .expect("logging out twice is fine");
    let status = app
        .auth()
        .refresh(refresh(&session.refresh_token))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated);

    let unknown = user_request(
        pb::LogoutRequest {
            refresh_token: "never-issued".into(),
        },
        &user_id,
    );
    app.auth()
        .logout(unknown)
        .await
        .expect("an unknown token is fine");
}

#[tokio::test]
async fn logout_cannot_revoke_another_users_token() {
    let app = spawn_app().await;
    let victim = app.signed_up_user("victim@example.com").await;
    let attacker = app.user_id("attacker@example.com").await;
    let request = user_request(
        pb::LogoutRequest {
            refresh_token: victim.refresh_token.clone(),
        },
        &attacker,
    );
    app.auth().logout(request).await.unwrap();
    app.auth()
        .refresh(refresh(&victim.refresh_token))
        .await
        .expect("the victim's session survives");
}

#[tokio::test]
async fn logout_and_get_me_need_a_caller() {
    let app = spawn_app().await;
    let status = app
        .auth()
        .logout(Request::new(pb::LogoutRequest {
            refresh_token: "x".into(),
        }))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "logout");
    let status = app
        .auth()
        .get_me(Request::new(pb::GetMeRequest {}))
        .await
        .unwrap_err();
    assert_eq!(status.code(), Code::Unauthenticated, "get me");
}

#[tokio::test]
async fn get_me_returns_the_caller() {
    let app = spawn_app().await;
    let user = app.signed_up_user("me@example.com").await.user.unwrap();
    let me = app
        .auth()
        .get_me(user_request(pb::GetMeRequest {}, &user.id))
        .await
        .unwrap()
        .into_inner()
        .user
        .unwrap();
    assert_eq!(me, user);
}
