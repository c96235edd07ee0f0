//! GraphiQL comes from the binary: no URL to another host in the page or lakecat's script,
//! a Content-Security-Policy that allows only 'self', assets cached for a year.

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

async fn app(graphiql: bool) -> (App, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let mut config = Config::local(dir.path().to_path_buf(), url);
    config.graphiql = graphiql;
    (
        App::build(config, true, common::embedded()).await.unwrap(),
        dir,
    )
}

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

/// The `graphiql/assets/…` URLs the page loads.
fn asset_urls(html: &str) -> Vec<String> {
    html.split(['"', '\''])
        .filter(|s| s.starts_with("graphiql/assets/"))
        .map(str::to_owned)
        .collect()
}

#[tokio::test]
async fn graphiql_is_served_from_the_binary_under_a_strict_policy() {
    let (app, _dir) = app(true).await;
    for path in ["/graphiql", "/graphql"] {
        let (status, headers, html) = get(&app, path).await;
        assert_eq!(status, StatusCode::OK, "{path}");
        let csp = headers[header::CONTENT_SECURITY_POLICY].to_str().unwrap();
        assert!(csp.contains("default-src 'none'"), "{csp}");
        assert!(csp.contains("script-src 'self';"), "{csp}");
        assert!(csp.contains("style-src 'self';"), "{csp}");
        assert!(!csp.contains("unsafe"), "{csp}");
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "{html}"
        );
        // Every script is a served file: an inline one would need 'unsafe-inline'.
        assert_eq!(
            html.matches("<script").count(),
            html.matches("<script src=\"graphiql/assets/").count(),
            "{html}"
        );
        assert!(html.contains("data-local-login=\"true\""), "{html}");
        let urls = asset_urls(&html);
        assert_eq!(urls.len(), 6, "{urls:?}");
        for url in urls {
            let (status, headers, body) = get(&app, &format!("/{url}")).await;
            assert_eq!(status, StatusCode::OK, "{url}");
            let cache = headers[header::CACHE_CONTROL].to_str().unwrap();
            assert!(
                cache.contains("max-age=31536000") && cache.contains("immutable"),
                "{url}: {cache}"
            );
            let kind = headers[header::CONTENT_TYPE].to_str().unwrap();
            assert!(
                kind.starts_with("text/javascript") || kind.starts_with("text/css"),
                "{url}: {kind}"
            );
            // Nothing is fetched from a CDN (the vendored bundles name URLs only in comments
            // and error messages; none of them a host to load from).
            for cdn in [
                "unpkg.com",
                "jsdelivr.net",
                "cdnjs.cloudflare.com",
                "fonts.googleapis.com",
            ] {
                assert!(!body.contains(cdn), "{url} names {cdn}");
            }
            if url.contains("lakecat-graphiql") {
                assert!(
                    !body.contains("http://") && !body.contains("https://"),
                    "{url}"
                );
            }
        }
    }
    let (_, _, script) = get(&app, "/graphiql/assets/lakecat-graphiql.js").await;
    assert!(script.contains("'auth/login'") && script.contains("'Bearer '"));
    let (status, _, _) = get(&app, "/graphiql/assets/secret.txt").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _, notice) = get(&app, "/graphiql/assets/NOTICE").await;
    assert_eq!(status, StatusCode::OK);
    assert!(notice.contains("MIT License"));
}

#[tokio::test]
async fn without_graphiql_neither_page_nor_assets_are_served() {
    let (app, _dir) = app(false).await;
    for path in ["/graphiql", "/graphiql/assets/lakecat-graphiql.js"] {
        let (status, _, _) = get(&app, path).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
    }
}
