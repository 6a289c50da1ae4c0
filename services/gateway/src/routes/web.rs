//! Everything no route matched: the web app (with a fallback to `index.html`, so client-side
//! routes load the app), gRPC calls to methods we do not expose, and 404s.
//!
//! The app's files carry caching headers and a content security policy: Vite's content-hashed
//! files under `/assets/` never change, so browsers keep them for a year; everything else
//! (`index.html`, the service worker, the manifest, icons) is revalidated on every load, so a
//! deploy reaches every browser at its next visit.

use std::path::Path;

use axum::{
    extract::{Request, State},
    response::{Html, IntoResponse, Response},
};
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode, header};
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

/// Where Vite puts content-hashed build output.
const HASHED_ASSETS_PREFIX: &str = "/assets/";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

/// Scripts, styles, workers and API calls from our own origin only; no inline script, no
/// plugins, no framing. `data:` images are the app's inline SVG icons.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
manifest-src 'self'; worker-src 'self'; object-src 'none'; base-uri 'self'; \
form-action 'self'; frame-ancestors 'none'";

/// The built web app: hashed assets as they are (a missing one is a 404, not the app's page,
/// which a browser would then cache for a year), every other path falling back to `index.html`.
#[derive(Debug, Clone)]
pub struct WebApp {
    assets: ServeDir,
    pages: ServeDir<ServeFile>,
}

pub fn web_app(dir: &Path) -> WebApp {
    WebApp {
        assets: ServeDir::new(dir),
        pages: ServeDir::new(dir).fallback(ServeFile::new(dir.join("index.html"))),
    }
}

impl WebApp {
    async fn serve(&self, request: Request) -> Response {
        let hashed = request.uri().path().starts_with(HASHED_ASSETS_PREFIX);
        let served = if hashed {
            self.assets.clone().oneshot(request).await
        } else {
            self.pages.clone().oneshot(request).await
        };
        let mut response = match served {
            Ok(response) => response.into_response(),
            Err(never) => match never {},
        };
        let cache_control = if hashed && response.status() == StatusCode::OK {
            IMMUTABLE
        } else {
            REVALIDATE
        };
        set_web_headers(response.headers_mut(), cache_control);
        response
    }
}

fn set_web_headers(headers: &mut HeaderMap, cache_control: &'static str) {
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(cache_control),
    );
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    headers.insert(
        HeaderName::from_static("cross-origin-opener-policy"),
        HeaderValue::from_static("same-origin"),
    );
}

pub async fn fallback(State(state): State<AppState>, request: Request) -> Response {
    if is_grpc_request(request.headers()) {
        return grpc_proxy::unimplemented(request.headers(), request.uri().path());
    }
    if let Some(web_app) = &state.web_app {
        return web_app.serve(request).await;
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
