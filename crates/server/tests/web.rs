//! The web UI is served from the binary at `/` (with the `web-ui` feature): index.html for
//! the UI's routes, hashed assets cached as immutable, a strict Content-Security-Policy, and
//! the API's own paths untouched. A binary built before the UI says how to build it.

#![cfg(feature = "web-ui")]
#![expect(
    clippy::unwrap_used,
    reason = "integration tests are outside #[cfg(test)], where allow-unwrap-in-tests applies"
)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode, header};
use http_body_util::BodyExt;
use lakecat_server::{App, Config};
use tower::ServiceExt;

async fn get(app: &App, path: &str) -> (StatusCode, axum::http::HeaderMap, String) {
    let resp = app
        .router()
        .oneshot(Request::get(path).body(Body::empty()).unwrap())
        .await
        .unwrap();
    let (parts, body) = resp.into_parts();
    let bytes = body.collect().await.unwrap().to_bytes();
    (
        parts.status,
        parts.headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

#[tokio::test]
async fn the_ui_is_served_at_the_root_under_a_strict_policy() {
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let app = App::build(
        Config::local(dir.path().to_path_buf(), url),
        true,
        common::embedded(),
    )
    .await
    .unwrap();
    // The API keeps its paths.
    assert_eq!(get(&app, "/healthz").await.2, "ok");
    let (status, headers, _) = get(&app, "/graphiql").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    // A file that is not there is a 404, never the page.
    // So are the API's own paths (GraphiQL when it is off, say).
    for path in [
        "/assets/nothing-here.js",
        "/graphiql/assets/x.js",
        "/auth/nothing",
        "/graphql/x",
    ] {
        let (status, _, _) = get(&app, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }

    let (status, headers, body) = get(&app, "/datasets/ds_01/tables").await;
    let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
    assert_eq!(csp, lakecat_server::web::CONTENT_SECURITY_POLICY);
    assert!(
        csp.contains("script-src 'self';") && !csp.contains("unsafe"),
        "{csp}"
    );
    if !lakecat_server::web::is_built() {
        // Built before web/dist existed: the answer says what to do, and is not a success.
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(body.contains("scripts/web-build"), "{body}");
        return;
    }
    // Every route of the UI answers its page, never cached (it names the hashed assets).
    assert_eq!(status, StatusCode::OK);
    assert!(
        body.contains("<div id=\"root\"") || body.contains("id=root"),
        "{body}"
    );
    assert_eq!(headers[header::CACHE_CONTROL], "no-cache");
    let (status, _, root) = get(&app, "/").await;
    assert_eq!((status, root), (StatusCode::OK, body.clone()));
    // The page's scripts and styles are files of the build, cached as immutable.
    let assets: Vec<&str> = body
        .split('"')
        .filter(|s| s.starts_with("/assets/"))
        .collect();
    assert!(!assets.is_empty(), "{body}");
    // Nothing is loaded from another host (an inline data: icon may name an XML namespace).
    for external in ["src=\"http", "href=\"http", "src='http", "href='http"] {
        assert!(!body.contains(external), "{body}");
    }
    for asset in assets {
        let (status, headers, _) = get(&app, asset).await;
        assert_eq!(status, StatusCode::OK, "{asset}");
        assert_eq!(
            headers[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable",
            "{asset}"
        );
    }
}

#[tokio::test]
async fn the_page_may_reach_the_identity_provider_it_signs_in_with() {
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let mut config = Config::local(dir.path().to_path_buf(), url);
    assert_eq!(
        lakecat_server::web::content_security_policy(&config),
        lakecat_server::web::CONTENT_SECURITY_POLICY
    );
    config.auth = lakecat_server::AuthMode::Oidc {
        issuer: "https://id.example.com/realms/acme".into(),
        jwks_url: Some("https://id.example.com/realms/acme/certs".into()),
    };
    config.web_sign_in = Some(lakecat_server::config::WebSignIn {
        client_id: "lakecat-web".into(),
        scopes: vec!["openid".into()],
        authorization_endpoint: None,
        token_endpoint: Some("https://auth.example.com/oauth2/token".into()),
    });
    let csp = lakecat_server::web::content_security_policy(&config);
    assert!(
        csp.contains("connect-src 'self' https://id.example.com https://auth.example.com;"),
        "{csp}"
    );
    let app = App::build(config, true, common::embedded()).await.unwrap();
    let (_, headers, _) = get(&app, "/search").await;
    assert_eq!(headers[header::CONTENT_SECURITY_POLICY], csp.as_str());
}
