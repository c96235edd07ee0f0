//! The web UI (`web/`, built by Vite into `web/dist`), embedded in the binary and served at
//! `/` by `lakecat serve`. Hashed assets (`/assets/…`) are cached for a year as immutable;
//! every other path the API does not claim answers `index.html`, since the UI routes in the
//! browser; every answer carries a Content-Security-Policy that lets the page load only its
//! own scripts, styles and API. A binary built before `web/dist` existed answers with how to
//! build the UI. On AWS the same build goes to S3 and CloudFront, so the API Lambda is built
//! without this (the `web-ui` feature).

use axum::extract::State;
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

/// [`CONTENT_SECURITY_POLICY`], with the identity provider's origins added to `connect-src`
/// when the UI signs in there (it fetches the discovery document and tokens).
pub fn content_security_policy(config: &crate::Config) -> String {
    let origins = crate::auth::sign_in_origins(config);
    if origins.is_empty() {
        return CONTENT_SECURITY_POLICY.to_owned();
    }
    CONTENT_SECURITY_POLICY.replace(
        "connect-src 'self';",
        &format!("connect-src 'self' {};", origins.join(" ")),
    )
}

/// Paths of the API (some only when configured): never answered with the UI's page.
const API_PATHS: &[&str] = &["graphql", "graphiql", "auth", "healthz", "readyz"];

const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Serves a file of the UI, or `index.html` for a route of the UI.
pub async fn serve(State(app): State<crate::App>, uri: Uri) -> Response {
    let csp = HeaderValue::from_str(&content_security_policy(&app.config))
        .unwrap_or(HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    let path = uri.path().trim_start_matches('/');
    if let Some(file) = (!path.is_empty()).then(|| Dist::get(path)).flatten() {
        let cache = if path.starts_with("assets/") {
            IMMUTABLE
        } else {
            "no-cache"
        };
        return answer(
            &csp,
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
            &csp,
            StatusCode::NOT_FOUND,
            "text/plain; charset=utf-8",
            "no-cache",
            b"not found\n".to_vec(),
        );
    }
    match Dist::get("index.html") {
        Some(index) => answer(
            &csp,
            StatusCode::OK,
            "text/html; charset=utf-8",
            "no-cache",
            index.data.into_owned(),
        ),
        None => answer(
            &csp,
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
    csp: &HeaderValue,
    status: StatusCode,
    content_type: &'static str,
    cache: &'static str,
    body: Vec<u8>,
) -> Response {
    let mut r = (status, body).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(header::CONTENT_SECURITY_POLICY, csp.clone());
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
