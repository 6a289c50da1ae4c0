//! The REST API, the gRPC-web proxy and the web app, on one router, with the layers every
//! request passes: tracing, CORS, identity stripping, timeout, body limit; then per route
//! group, authentication and rate limits.

mod air_quality;
mod alerts;
mod auth;
mod content;
mod health;
mod push;
mod scheduler_trigger;
mod web;

use std::sync::Arc;

use alert_proto::v1::{
    air_quality_service_client::AirQualityServiceClient, alert_service_client::AlertServiceClient,
    auth_service_client::AuthServiceClient, push_service_client::PushServiceClient,
    scheduler_service_client::SchedulerServiceClient,
};
use axum::{
    Router,
    extract::DefaultBodyLimit,
    middleware::{from_fn_with_state, map_request},
    routing::{get, patch, post},
};
use tonic::transport::Channel;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

use crate::{
    Config, Peers,
    error::{Error, Result},
    extract::BODY_LIMIT_BYTES,
    grpc_proxy,
    layers::{
        Authenticator, RateLimit, cors_layer, limit_rate, require_access_token,
        strip_caller_identity, time_out,
    },
};
pub use scheduler_trigger::SchedulerSecret;
pub use web::web_app;

/// What the handlers share: clients of the services behind the gateway.
#[derive(Clone)]
pub struct AppState {
    auth: AuthServiceClient<Channel>,
    alerts: AlertServiceClient<Channel>,
    air_quality: AirQualityServiceClient<Channel>,
    push: PushServiceClient<Channel>,
    scheduler: SchedulerServiceClient<Channel>,
    /// Every service behind the gateway, by name, for `/health`.
    upstreams: Arc<[(&'static str, Channel)]>,
    scheduler_secret: SchedulerSecret,
    web_app: Option<web::WebApp>,
}

/// Builds the gateway's whole HTTP surface.
pub fn router(config: &Config, peers: Peers, rate_limit: RateLimit) -> Router {
    let authenticator = Authenticator::new(&config.jwt_secret);
    let state = AppState {
        auth: AuthServiceClient::new(peers.alert.clone()),
        alerts: AlertServiceClient::new(peers.alert.clone()),
        air_quality: AirQualityServiceClient::new(peers.alert.clone()),
        push: PushServiceClient::new(peers.notifier.clone()),
        scheduler: SchedulerServiceClient::new(peers.scheduler.clone()),
        upstreams: Arc::new([
            ("alert-service", peers.alert.clone()),
            ("scheduler-service", peers.scheduler.clone()),
            ("notifier-service", peers.notifier.clone()),
        ]),
        scheduler_secret: SchedulerSecret(config.scheduler_secret.clone().map(Arc::new)),
        web_app: config.web_dir.as_deref().map(web_app),
    };

    let public_api = Router::new()
        .route("/auth/register", post(auth::register))
        .route("/auth/login", post(auth::login))
        .route("/auth/refresh", post(auth::refresh))
        .route("/push/vapid-public-key", get(push::vapid_public_key))
        .route_layer(from_fn_with_state(rate_limit.clone(), limit_rate));

    // Layers added later run first: the token is checked, then the user's allowance is taken.
    let signed_in_api = Router::new()
        .route("/auth/logout", post(auth::logout))
        .route("/auth/me", get(auth::me).patch(auth::update_settings))
        .route("/push/subscribe", post(push::subscribe))
        .route("/push/unsubscribe", post(push::unsubscribe))
        .route("/push/subscriptions", get(push::subscriptions))
        .route("/push/test", post(push::send_test))
        .route("/deliveries", get(push::deliveries))
        .route("/alerts", get(alerts::list).post(alerts::create))
        .route("/alerts/next-runs", get(alerts::preview))
        .route(
            "/alerts/{id}",
            get(alerts::get)
                .patch(alerts::update)
                .delete(alerts::delete),
        )
        .route("/alerts/{id}/toggle", patch(alerts::toggle))
        .route("/alerts/{id}/next-runs", get(alerts::next_runs))
        .route("/alerts/{id}/runs", get(alerts::runs))
        .route("/air-quality/stations", get(air_quality::search))
        .route("/air-quality/stations/nearest", get(air_quality::nearest))
        .route(
            "/air-quality/stations/{name}/reading",
            get(air_quality::reading),
        )
        .route_layer(from_fn_with_state(rate_limit.clone(), limit_rate))
        .route_layer(from_fn_with_state(
            authenticator.clone(),
            require_access_token,
        ));

    // Infrastructure calls: neither signed in nor rate limited (EventBridge fires a whole
    // minute's buckets at once; load balancers poll health).
    let infrastructure = Router::new()
        .route("/health", get(health::health))
        .route(crate::probe::LIVENESS_PATH, get(health::live))
        .route("/scheduler/trigger", post(scheduler_trigger::trigger));

    let grpc = grpc_proxy::router(peers.alert, peers.notifier, authenticator, rate_limit);

    Router::new()
        .merge(public_api)
        .merge(signed_in_api)
        .merge(infrastructure)
        .merge(grpc)
        .fallback(web::fallback)
        .with_state(state)
        .layer(DefaultBodyLimit::max(BODY_LIMIT_BYTES))
        .layer(from_fn_with_state(config.request_timeout, time_out))
        .layer(map_request(strip_caller_identity))
        .layer(cors_layer(&config.cors_allowed_origins))
        .layer(
            // One info line per request, and the request's span around everything it logs.
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}

/// A message field the service must fill; its absence is the service's fault.
fn present<T>(value: Option<T>, service: &'static str, field: &'static str) -> Result<T> {
    value.ok_or_else(|| {
        Error::upstream(
            service,
            tonic::Status::internal(format!("response lacks {field}")),
        )
    })
}
