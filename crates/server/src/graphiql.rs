//! GraphiQL served from the binary: the page, lakecat's bootstrap script and the vendored
//! GraphiQL and React builds (`assets/graphiql/`, see its NOTICE), so it works offline and under
//! a Content-Security-Policy that allows scripts and styles from 'self' only. The page can sign
//! in (local mode) or take a pasted token; the bootstrap keeps it in the tab's sessionStorage.

use std::sync::LazyLock;

use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::App;

/// The page's policy: nothing from another origin and no inline script or style. Fonts and
/// icons of GraphiQL's stylesheet are `data:` URLs.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; \
    style-src 'self'; font-src 'self' data:; img-src 'self' data:; connect-src 'self'; \
    base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Assets never change under a URL: each carries a fingerprint of its bytes (`?v=…`).
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "graphiql.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/graphiql/graphiql.min.js"),
    },
    Asset {
        name: "graphiql.min.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/graphiql/graphiql.min.css"),
    },
    Asset {
        name: "react.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/graphiql/react.production.min.js"),
    },
    Asset {
        name: "react-dom.production.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/graphiql/react-dom.production.min.js"),
    },
    Asset {
        name: "lakecat-graphiql.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../assets/graphiql/lakecat-graphiql.js"),
    },
    Asset {
        name: "lakecat-graphiql.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../assets/graphiql/lakecat-graphiql.css"),
    },
    Asset {
        name: "NOTICE",
        content_type: "text/plain; charset=utf-8",
        bytes: include_bytes!("../assets/graphiql/NOTICE"),
    },
];

const PAGE: &str = include_str!("../assets/graphiql/index.html");

/// FNV-1a of an asset's bytes: enough to tell versions apart in a URL.
fn fingerprint(bytes: &[u8]) -> String {
    let hash = bytes.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("{hash:016x}")
}

/// The page with each asset's fingerprint filled in (once per process).
static PAGE_WITH_FINGERPRINTS: LazyLock<String> = LazyLock::new(|| {
    ASSETS.iter().fold(PAGE.to_owned(), |page, a| {
        page.replace(&format!("{{{{{}}}}}", a.name), &fingerprint(a.bytes))
    })
});

/// `GET /graphiql` (and `GET /graphql` from a browser): the page; the login form shows in
/// local mode only.
pub async fn page(State(app): State<App>) -> Response {
    let local = app.auth.local_users().is_some();
    let html =
        PAGE_WITH_FINGERPRINTS.replace("{{local-login}}", if local { "true" } else { "false" });
    let mut response = ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CONTENT_SECURITY_POLICY),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    response
}

/// `GET /graphiql/assets/{name}`: an embedded asset, cached for a year.
pub async fn asset(Path(name): Path<String>) -> Response {
    let Some(a) = ASSETS.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    (
        [
            (header::CONTENT_TYPE, a.content_type),
            (header::CACHE_CONTROL, IMMUTABLE),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        a.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_placeholder_of_the_page_is_an_asset() {
        let page = PAGE_WITH_FINGERPRINTS.replace("{{local-login}}", "true");
        assert!(!page.contains("{{"), "{page}");
        assert_ne!(fingerprint(b"a"), fingerprint(b"b"));
    }
}
