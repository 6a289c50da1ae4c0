//! Everything no route matched: the web app (with a fallback to `index.html`, so client-side
//! routes load the app), gRPC calls to methods we do not expose, and 404s.

use std::path::Path;

use axum::{
    extract::{Request, State},
    response::{Html, IntoResponse, Response},
};
use http::Method;
use tower::ServiceExt;
use tower_http::services::{ServeDir, ServeFile};

use super::AppState;
use crate::{
    error::{Error, is_grpc_request},
    grpc_proxy,
};

/// The page at `/` when no web app is configured.
const API_IS_UP_PAGE: &str = "<!doctype html><html><head><meta charset=\"utf-8\"><title>Alert System</title></head>\
<body><h1>Alert System</h1><p>The API is up.</p></body></html>";

/// The built web app in `dir`, falling back to its `index.html`.
pub type WebApp = ServeDir<ServeFile>;

pub fn web_app(dir: &Path) -> WebApp {
    ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html")))
}

pub async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    if is_grpc_request(request.headers()) {
        return grpc_proxy::unimplemented(request.headers(), request.uri().path());
    }
    if let Some(web_app) = &state.web_app {
        return match web_app.clone().oneshot(request).await {
            Ok(response) => response.into_response(),
            Err(never) => match never {},
        };
    }
    if request.uri().path() == "/" && matches!(*request.method(), Method::GET | Method::HEAD) {
        return Html(API_IS_UP_PAGE).into_response();
    }
    Error::RouteNotFound {
        method: request.method().to_string(),
        path: request.uri().path().to_owned(),
    }
    .into_response()
}
