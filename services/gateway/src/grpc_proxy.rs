//! gRPC-web (and HTTP/2 gRPC) for browsers: the public services are forwarded, as raw gRPC, to
//! the service that serves them, except `AuthService`, which the gateway terminates itself to keep
//! the refresh token in a cookie ([`crate::browser_auth`]). Internal services (`SchedulerService`, `NotifierService`,
//! `AlertRunnerService`) have no route here and are never reachable from outside.

use std::{convert::Infallible, future::Future, pin::Pin, task::Poll};

use alert_platform::error::error_chain;
use axum::{
    Router,
    extract::Request,
    middleware::from_fn_with_state,
    response::{IntoResponse, Response},
    routing::post_service,
};
use http::{HeaderMap, HeaderValue, Version, header};
use http_body_util::{BodyStream, StreamBody};
use tonic::transport::Channel;
use tonic_web::GrpcWebLayer;
use tower::{Service, ServiceExt};
use tower_http::limit::RequestBodyLimitLayer;

use crate::{
    browser_auth::BrowserAuth,
    extract::BODY_LIMIT_BYTES,
    layers::{Authenticator, RateLimit, limit_rate, require_access_token},
};

/// Headers of the browser's request that mean nothing to (or must not reach) the upstream:
/// hop-by-hop headers HTTP/2 forbids, and credentials the auth layer already turned into
/// `x-user-id`.
const DROPPED_HEADERS: [&str; 8] = [
    "host",
    "connection",
    "keep-alive",
    "proxy-connection",
    "transfer-encoding",
    "upgrade",
    "authorization",
    "cookie",
];

/// The gRPC routes: sign-in and the VAPID key are public, the rest need an access token.
pub fn router<S: Clone + Send + Sync + 'static>(
    alert: Channel,
    notifier: Channel,
    authenticator: Authenticator,
    rate_limit: RateLimit,
) -> Router<S> {
    let auth = BrowserAuth::server(alert.clone());
    let alert = GrpcProxy::new("alert-service", alert);
    let notifier = GrpcProxy::new("notifier-service", notifier);
    let public = Router::new()
        .route("/alert.v1.AuthService/Register", post_service(auth.clone()))
        .route("/alert.v1.AuthService/Login", post_service(auth.clone()))
        .route("/alert.v1.AuthService/Refresh", post_service(auth.clone()))
        .route(
            "/alert.v1.PushService/GetVapidPublicKey",
            post_service(notifier.clone()),
        )
        .route_layer(from_fn_with_state(rate_limit.clone(), limit_rate));
    let signed_in = Router::new()
        .route("/alert.v1.AuthService/{method}", post_service(auth))
        .route(
            "/alert.v1.AlertService/{method}",
            post_service(alert.clone()),
        )
        .route("/alert.v1.AirQualityService/{method}", post_service(alert))
        .route("/alert.v1.PushService/{method}", post_service(notifier))
        .route_layer(from_fn_with_state(rate_limit, limit_rate))
        .route_layer(from_fn_with_state(authenticator, require_access_token));
    public
        .merge(signed_in)
        // gRPC-web → gRPC first, so the auth and rate-limit layers answer with gRPC statuses.
        .layer(GrpcWebLayer::new())
        .layer(RequestBodyLimitLayer::new(BODY_LIMIT_BYTES))
}

/// Forwards a gRPC request unchanged to one upstream service, with the headers the auth layer
/// set (`x-user-id`) becoming its metadata.
#[derive(Debug, Clone)]
pub struct GrpcProxy {
    service: &'static str,
    channel: Channel,
}

impl GrpcProxy {
    pub fn new(service: &'static str, channel: Channel) -> Self {
        GrpcProxy { service, channel }
    }
}

impl Service<Request> for GrpcProxy {
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, _cx: &mut std::task::Context<'_>) -> Poll<Result<(), Self::Error>> {
        // Readiness is awaited per call on a clone of the channel.
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let service = self.service;
        let channel = self.channel.clone();
        Box::pin(async move { Ok(forward(service, channel, request).await) })
    }
}

async fn forward(service: &'static str, channel: Channel, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    for name in DROPPED_HEADERS {
        parts.headers.remove(name);
    }
    // gRPC-web arrives over HTTP/1.1; the upstream speaks HTTP/2.
    parts.version = Version::HTTP_2;
    let path = parts.uri.path().to_owned();
    // tonic-web reports the size of the base64 text as the size of a grpc-web-text body; hyper
    // would announce it as content-length and the upstream would reset the stream when fewer
    // bytes arrive. Streaming the frames with no size hint avoids the mismatch.
    let body = StreamBody::new(BodyStream::new(body));
    let upstream_request = http::Request::from_parts(parts, tonic::body::Body::new(body));
    match channel.oneshot(upstream_request).await {
        Ok(response) => response.map(axum::body::Body::new),
        Err(error) => {
            tracing::warn!(service, path, error = %error_chain(&error), "upstream unreachable");
            tonic::Status::unavailable("service temporarily unavailable, try again").into_http()
        }
    }
}

/// The answer to a gRPC call of a method we do not expose: UNIMPLEMENTED, in the caller's
/// flavour of gRPC (a trailers-only response with the status in the headers).
pub fn unimplemented(request_headers: &HeaderMap, path: &str) -> Response {
    tracing::info!(path, "refused grpc call to an unexposed method");
    let mut response = tonic::Status::unimplemented(format!("no such method: {path}"))
        .into_http::<axum::body::Body>();
    if let Some(content_type) = request_headers.get(header::CONTENT_TYPE)
        && content_type
            .to_str()
            .is_ok_and(|value| value.starts_with("application/grpc-web"))
    {
        let content_type = if content_type
            .to_str()
            .is_ok_and(|value| value.starts_with("application/grpc-web-text"))
        {
            "application/grpc-web-text+proto"
        } else {
            "application/grpc-web+proto"
        };
        response
            .headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    }
    response.into_response()
}
