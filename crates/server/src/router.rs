//! The HTTP surface: `POST /graphql`, `GET /graphiql` and `GET /graphql` (GraphiQL when
//! enabled, its assets under `/graphiql/assets/`), `POST /auth/login` (local mode), `GET /auth/config` (how the UI signs in), `/healthz`, `/readyz`. Every response carries
//! `x-request-id`; every request runs in a span with that id. A client's id is kept only when
//! it is a short plain token (see [`is_plain_request_id`]); any other is replaced by a ULID.

use async_graphql::{ErrorExtensionValues, ServerError};
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use std::net::SocketAddr;

use axum::extract::{ConnectInfo, DefaultBodyLimit, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use lakecat_core::caller::Caller;
use lakecat_core::ports::CatalogStore;
use lakecat_graphql::RequestContext;
use serde::Deserialize;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::trace::TraceLayer;

use crate::auth::TrustedClaims;
use crate::introspection::is_bounded_introspection;
use crate::parsed::Validation;
use crate::throttle::RetryAfter;
use crate::{App, graphiql};

pub const MAX_BODY_BYTES: usize = 1024 * 1024;
/// The code of a 429 answer. A transport-level code like `BAD_REQUEST`, not one of core's:
/// no use case is rate limited.
pub const RATE_LIMITED: &str = "RATE_LIMITED";
const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// The longest client request id kept (a UUID is 36 characters, a ULID 26).
const MAX_REQUEST_ID_LEN: usize = 64;

#[derive(Clone, Default)]
struct UlidRequestId;

/// A request id the client sent and lakecat did not keep, shown (cut and escaped) in the
/// request's span only.
#[derive(Clone)]
struct ClientRequestId(String);

/// Whether a client's request id can serve as lakecat's: 1 to [`MAX_REQUEST_ID_LEN`]
/// characters of `A-Z a-z 0-9 . _ : -`. Anything else could forge or garble the audit
/// trail and logs that carry the id.
fn is_plain_request_id(value: &[u8]) -> bool {
    (1..=MAX_REQUEST_ID_LEN).contains(&value.len())
        && value
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// Drops a client's `x-request-id` that is not plain (or is sent more than once), so that
/// [`UlidRequestId`] makes one; the dropped value goes to the span as `client_request_id`.
async fn screen_request_id(mut req: Request<axum::body::Body>) -> Request<axum::body::Body> {
    let mut sent = req.headers().get_all(REQUEST_ID).iter();
    let (first, second) = (sent.next(), sent.next());
    let Some(first) = first else {
        return req;
    };
    if second.is_none() && is_plain_request_id(first.as_bytes()) {
        return req;
    }
    let shown = shown_request_id(first.as_bytes());
    req.headers_mut().remove(REQUEST_ID);
    req.extensions_mut().insert(ClientRequestId(shown));
    req
}

/// A client's value as it may appear in logs: its first [`MAX_REQUEST_ID_LEN`] bytes,
/// anything but plain id characters escaped.
fn shown_request_id(value: &[u8]) -> String {
    let cut = &value[..value.len().min(MAX_REQUEST_ID_LEN)];
    cut.iter()
        .map(|&b| {
            if is_plain_request_id(&[b]) {
                char::from(b).to_string()
            } else {
                format!("\\x{b:02x}")
            }
        })
        .collect()
}

impl MakeRequestId for UlidRequestId {
    fn make_request_id<B>(&mut self, _req: &Request<B>) -> Option<RequestId> {
        HeaderValue::from_str(&ulid::Ulid::new().to_string())
            .ok()
            .map(RequestId::new)
    }
}

pub fn router(app: App) -> Router {
    let graphql = if app.config.graphiql {
        get(graphiql::page).post(graphql_handler)
    } else {
        post(graphql_handler)
    };
    let mut routes = Router::new().route("/graphql", graphql);
    if app.config.graphiql {
        routes = routes
            .route("/graphiql", get(graphiql::page))
            .route("/graphiql/assets/{name}", get(graphiql::asset));
    }
    // Every path the API does not claim belongs to the web UI (it routes in the browser).
    #[cfg(feature = "web-ui")]
    {
        routes = routes.fallback(crate::web::serve);
    }
    routes
        .route("/auth/login", post(login))
        .route("/auth/config", get(auth_config))
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .with_state(app)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &Request<_>| {
                let id = req
                    .headers()
                    .get(REQUEST_ID)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                let client = req
                    .extensions()
                    .get::<ClientRequestId>()
                    .map(|c| c.0.as_str());
                tracing::info_span!(
                    "request",
                    request_id = %id,
                    client_request_id = client,
                    method = %req.method(),
                    path = %req.uri().path()
                )
            }),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, UlidRequestId))
        .layer(axum::middleware::map_request(screen_request_id))
}

fn request_id(headers: &HeaderMap) -> String {
    headers
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

fn error_body(status: StatusCode, code: &str, message: &str, request_id: &str) -> Response {
    let body = serde_json::json!({
        "errors": [{ "message": message, "extensions": { "code": code, "requestId": request_id } }]
    });
    (status, Json(body)).into_response()
}

/// The caller of this request: trusted gateway claims (Lambda, when configured), else the
/// bearer token, else nobody. A token that fails verification is a 401, never anonymous.
async fn authenticate(
    app: &App,
    headers: &HeaderMap,
    trusted: Option<&TrustedClaims>,
) -> Result<Option<Caller>, String> {
    if let (true, Some(TrustedClaims(claims))) = (app.config.trust_gateway_claims, trusted) {
        return app
            .auth
            .caller_from_claims(claims)
            .map(Some)
            .map_err(|e| e.0);
    }
    let Some(value) = headers.get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let value = value
        .to_str()
        .map_err(|_| "malformed Authorization header".to_owned())?;
    let token = value
        .strip_prefix("Bearer ")
        .or_else(|| value.strip_prefix("bearer "))
        .ok_or_else(|| "Authorization must be 'Bearer <token>'".to_owned())?;
    app.auth
        .verify(token.trim())
        .await
        .map(Some)
        .map_err(|e| e.0)
}

async fn graphql_handler(
    State(app): State<App>,
    headers: HeaderMap,
    trusted: Option<Extension<TrustedClaims>>,
    req: Result<GraphQLRequest, async_graphql_axum::rejection::GraphQLRejection>,
) -> Response {
    let rid = request_id(&headers);
    let mut req = match req {
        Ok(r) => r.into_inner(),
        Err(e) => {
            // A body cut off by the size limit surfaces as a read error of the extractor.
            let text = e.0.to_string();
            if matches!(e.0, async_graphql::ParseRequestError::PayloadTooLarge)
                || text.contains("length limit exceeded")
            {
                return error_body(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "BAD_REQUEST",
                    "request body over 1 MiB",
                    &rid,
                );
            }
            return error_body(
                StatusCode::BAD_REQUEST,
                "BAD_REQUEST",
                &format!("malformed GraphQL request: {text}"),
                &rid,
            );
        }
    };
    let caller = match authenticate(&app, &headers, trusted.as_ref().map(|e| &e.0)).await {
        Ok(c) => c,
        Err(message) => {
            return error_body(StatusCode::UNAUTHORIZED, "UNAUTHENTICATED", &message, &rid);
        }
    };
    let validation = app.parsed.prepare(&mut req);
    let schema = if app.config.introspection && introspects_only(&mut req) {
        app.introspection_schema()
    } else {
        match validation {
            Validation::Passed => app.validated_schema(),
            Validation::Needed(_) => &app.schema,
        }
    };
    let store: std::sync::Arc<dyn CatalogStore> = std::sync::Arc::new(app.store.clone());
    let ctx = RequestContext::new(store, caller, rid.clone());
    let mut resp = lakecat_graphql::execute(schema, req.data(ctx)).await;
    // A response without data and with uncoded errors failed to parse or validate: 400.
    let request_error = resp.data == async_graphql::Value::Null
        && !resp.errors.is_empty()
        && resp.errors.iter().all(|e| {
            e.extensions
                .as_ref()
                .is_none_or(|x| x.get("code").is_none())
        });
    if let (false, Validation::Needed(Some(key))) = (request_error, validation) {
        // Validation failures are request errors; anything else got past validation.
        app.parsed.passed(key);
    }
    for e in resp.errors.iter_mut() {
        tag_error(e, &rid, request_error);
    }
    let status = if request_error {
        StatusCode::BAD_REQUEST
    } else {
        StatusCode::OK
    };
    (status, GraphQLResponse::from(resp)).into_response()
}

/// Whether the request's operation only introspects, within the depth limit but for
/// `ofType` steps (the standard introspection query's).
fn introspects_only(req: &mut async_graphql::Request) -> bool {
    let name = req.operation_name.clone();
    req.parsed_query()
        .is_ok_and(|doc| is_bounded_introspection(doc, name.as_deref()))
}

fn tag_error(e: &mut ServerError, rid: &str, request_error: bool) {
    let ext = e
        .extensions
        .get_or_insert_with(ErrorExtensionValues::default);
    if request_error && ext.get("code").is_none() {
        ext.set("code", "GRAPHQL_VALIDATION_FAILED");
    }
    ext.set("requestId", rid);
}

async fn ready(State(app): State<App>) -> Response {
    match app.store.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e.message, "not ready");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// How the UI signs in (public: no token needed); see [`crate::auth::public_config`].
async fn auth_config(State(app): State<App>) -> Response {
    let mut resp = Json(crate::auth::public_config(&app.config)).into_response();
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    resp
}

#[derive(Deserialize)]
struct LoginRequest {
    username: String,
    password: String,
}

async fn login(
    State(app): State<App>,
    headers: HeaderMap,
    peer: Option<Extension<ConnectInfo<SocketAddr>>>,
    body: Result<Json<LoginRequest>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let rid = request_id(&headers);
    if app.auth.local_users().is_none() {
        return error_body(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "login is only available in local auth mode",
            &rid,
        );
    }
    let Ok(Json(body)) = body else {
        return error_body(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "expected JSON {\"username\": …, \"password\": …}",
            &rid,
        );
    };
    if body.username.len() > 128 || body.password.len() > 1024 {
        return error_body(
            StatusCode::BAD_REQUEST,
            "BAD_USER_INPUT",
            "username or password too long",
            &rid,
        );
    }
    // Behind a proxy every client shares its address: only the per-username limit then
    // applies (forwarded-for headers are not trusted).
    let address = peer.map(|Extension(ConnectInfo(peer))| peer.ip());
    let username = body.username.clone();
    if let Err(retry) = app.login.attempt(&username, address) {
        tracing::warn!(retry_after = retry.0, "sign-in refused: too many failures");
        return too_many_sign_ins(retry, &rid);
    }
    let auth = app.auth.clone();
    let checked = app
        .login
        .check(move || match auth.local_users() {
            Some(users) => users.login(&body.username, &body.password),
            None => Ok(None),
        })
        .await;
    let result = match checked {
        Ok(result) => result,
        Err(retry) => {
            app.login.forgive(&username, address);
            tracing::warn!("sign-in refused: password checks busy");
            return too_many_sign_ins(retry, &rid);
        }
    };
    match result {
        Ok(Some(token)) => {
            app.login.forgive(&username, address);
            Json(serde_json::json!({ "token": token, "tokenType": "Bearer", "expiresIn": crate::auth::LOCAL_TOKEN_SECS }))
                .into_response()
        }
        Ok(None) => error_body(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "wrong username or password",
            &rid,
        ),
        Err(e) => {
            tracing::error!(error = %e, "login failed");
            error_body(
                StatusCode::INTERNAL_SERVER_ERROR,
                "INTERNAL",
                "internal error",
                &rid,
            )
        }
    }
}

/// 429 with `Retry-After` (seconds).
fn too_many_sign_ins(retry: RetryAfter, rid: &str) -> Response {
    let mut resp = error_body(
        StatusCode::TOO_MANY_REQUESTS,
        RATE_LIMITED,
        &format!("too many sign-in attempts; retry in {} s", retry.0),
        rid,
    );
    resp.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(retry.0));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dropped_client_id_is_cut_and_escaped_for_the_logs() {
        assert_eq!(shown_request_id(b"<b>\"x\n"), r#"\x3cb\x3e\x22x\x0a"#);
        let long = "z".repeat(20_000);
        assert_eq!(shown_request_id(long.as_bytes()), "z".repeat(64));
    }
}
