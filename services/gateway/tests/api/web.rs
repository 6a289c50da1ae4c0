//! The web app at `/`, with client-side routes falling back to `index.html`.

use reqwest::{Method, StatusCode};

use crate::helpers::{spawn_app, spawn_app_with};

#[tokio::test]
async fn the_root_says_the_api_is_up_when_no_web_app_is_configured() {
    let app = spawn_app().await;
    let response = app.call(Method::GET, "/", None, None).await;
    assert_eq!(response.status, StatusCode::OK);
    assert!(response.text.contains("API is up"), "{}", response.text);
    let unknown = app.call(Method::GET, "/no/such/page", None, None).await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.json["error"]["code"], "not_found");
}

#[tokio::test]
async fn the_web_app_is_served_with_a_fallback_to_its_index() {
    let web_dir = tempfile::tempdir().unwrap();
    std::fs::write(web_dir.path().join("index.html"), "<html>alert app</html>").unwrap();
    std::fs::create_dir(web_dir.path().join("assets")).unwrap();
    std::fs::write(web_dir.path().join("assets/app.js"), "console.log('hi')").unwrap();
    let path = web_dir.path().to_str().unwrap().to_owned();
    let app = spawn_app_with(move |env| env.with("WEB_DIR", path)).await;

    let index = app.call(Method::GET, "/", None, None).await;
    assert_eq!(
        (index.status, index.text.as_str()),
        (StatusCode::OK, "<html>alert app</html>")
    );
    let asset = app.call(Method::GET, "/assets/app.js", None, None).await;
    assert_eq!(asset.text, "console.log('hi')");
    let client_route = app.call(Method::GET, "/alerts/new", None, None).await;
    assert_eq!(
        client_route.status,
        StatusCode::UNAUTHORIZED,
        "API routes still win over the web app"
    );
    let client_route = app
        .call(Method::GET, "/settings/notifications", None, None)
        .await;
    assert_eq!(
        (client_route.status, client_route.text.as_str()),
        (StatusCode::OK, "<html>alert app</html>")
    );
}

#[tokio::test]
async fn a_web_dir_without_an_index_is_refused_at_start() {
    let empty_dir = tempfile::tempdir().unwrap();
    let env = alert_platform::Env::from_pairs([
        ("JWT_SECRET", crate::helpers::JWT_SECRET),
        ("WEB_DIR", empty_dir.path().to_str().unwrap()),
    ]);
    let unused = alert_platform::grpc::connect_lazy("http://127.0.0.1:9").unwrap();
    let peers = gateway::Peers {
        alert: unused.clone(),
        scheduler: unused.clone(),
        notifier: unused,
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let error =
        gateway::Application::build(gateway::Config::from_env(&env).unwrap(), listener, peers)
            .await
            .err()
            .expect("an empty WEB_DIR is refused");
    assert!(error.to_string().contains("index.html"), "{error}");
}

#[tokio::test]
async fn hashed_assets_are_cached_for_a_year_and_everything_else_is_revalidated() {
    let web_dir = tempfile::tempdir().unwrap();
    std::fs::write(web_dir.path().join("index.html"), "<html>alert app</html>").unwrap();
    std::fs::write(
        web_dir.path().join("sw.js"),
        "self.addEventListener('push', () => {})",
    )
    .unwrap();
    std::fs::create_dir(web_dir.path().join("assets")).unwrap();
    std::fs::write(
        web_dir.path().join("assets/index-AbC123.js"),
        "console.log('hi')",
    )
    .unwrap();
    let path = web_dir.path().to_str().unwrap().to_owned();
    let app = spawn_app_with(move |env| env.with("WEB_DIR", path)).await;

    let cases = [
        (
            "/assets/index-AbC123.js",
            StatusCode::OK,
            "public, max-age=31536000, immutable",
        ),
        ("/", StatusCode::OK, "no-cache"),
        ("/index.html", StatusCode::OK, "no-cache"),
        ("/sw.js", StatusCode::OK, "no-cache"),
        ("/app/settings", StatusCode::OK, "no-cache"),
        ("/assets/gone-XyZ.js", StatusCode::NOT_FOUND, "no-cache"),
    ];
    for (path, status, cache_control) in cases {
        let response = app.call(Method::GET, path, None, None).await;
        assert_eq!(response.status, status, "{path}");
        assert_eq!(response.headers["cache-control"], cache_control, "{path}");
        let csp = response.headers["content-security-policy"]
            .to_str()
            .unwrap();
        for directive in [
            "default-src 'self'",
            "script-src 'self'",
            "connect-src 'self'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp} lacks {directive}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
    }
}
