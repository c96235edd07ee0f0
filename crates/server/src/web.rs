//! The web UI (`web/`, built by Vite into `web/dist`), embedded in the binary and served at
//! `/` by `lakecat serve`. Hashed assets (`/assets/…`) are cached for a year as immutable;
//! every other path the API does not claim answers `index.html`, since the UI routes in the
//! browser; every answer carries a Content-Security-Policy that lets the page load only its
//! own scripts, styles and API. A binary built before `web/dist` existed answers with how to
//! build the UI. On AWS the same build goes to S3 and CloudFront, so the API Lambda is built
//! without this (the `web-ui` feature).

use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};

#[derive(rust_embed::RustEmbed)]
#[folder = "../../web/dist"]
#[allow_missing = true]
struct Dist;

/// What the UI may load: its own files and API, images inline, nothing framed or posted away.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
     object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

/// Paths of the API (some only when configured): never answered with the UI's page.
const API_PATHS: &[&str] = &["graphql", "graphiql", "auth", "healthz", "readyz"];

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Serves a file of the UI, or `index.html` for a route of the UI.
pub async fn serve(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = (!path.is_empty()).then(|| Dist::get(path)).flatten() {
        let cache = if path.starts_with("assets/") {
            IMMUTABLE
        } else {
            "no-cache"
        };
        return answer(
            StatusCode::OK,
            content_type(path),
            cache,
            file.data.into_owned(),
        );
    }
    // A missing file is a 404, and so is a path of the API (GraphiQL when it is off, say);
    // anything else is a route of the UI.
    let last = path.rsplit('/').next().unwrap_or("");
    let api = API_PATHS
        .iter()
        .any(|p| path == *p || path.starts_with(&format!("{p}/")));
    if api || path.starts_with("assets/") || last.contains('.') {
        return answer(
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "no-cache",
            b"not found\n".to_vec(),
        );
    }
    match Dist::get("index.html") {
        Some(index) => answer(
            StatusCode::OK,
            "text/html; charset=utf-8",
            "no-cache",
            index.data.into_owned(),
        ),
        None => answer(
            StatusCode::SERVICE_UNAVAILABLE,
            "text/plain; charset=utf-8",
            "no-cache",
            b"The web UI was not built into this binary. Build it with `scripts/web-build` \
(npm ci and npm run build in web/), then build lakecat again. The API is at /graphql and \
GraphiQL at /graphiql.\n"
                .to_vec(),
        ),
    }
}

/// Whether this binary carries a built UI.
pub fn is_built() -> bool {
    Dist::get("index.html").is_some()
}

fn answer(
    status: StatusCode,
    content_type: &'static str,
    cache: &'static str,
    body: Vec<u8>,
) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

fn content_type(path: &str) -> &'static str {
    match path.rsplit('.').next().unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "webp" => "image/webp",
        "woff2" => "font/woff2",
        "woff" => "font/woff",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}
