//! The router without a socket (`tower::ServiceExt::oneshot`): sign-in, token checks,
//! request limits, health, request ids.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use lakecat_server::{App, Config};
use serde_json::{Value, json};
use tower::ServiceExt;

struct Local {
    app: App,
    _dir: tempfile::TempDir,
}

async fn local() -> Local {
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let app = App::build(
        Config::local(dir.path().to_path_buf(), url),
        true,
        common::embedded(),
    )
    .await
    .unwrap();
    Local { app, _dir: dir }
}

async fn call(app: &App, req: Request<Body>) -> (StatusCode, Option<String>, Value) {
    let resp = app.router().oneshot(req).await.unwrap();
    let status = resp.status();
    let rid = resp
        .headers()
        .get("x-request-id")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes)
        .unwrap_or(Value::String(String::from_utf8_lossy(&bytes).into_owned()));
    (status, rid, body)
}

fn gql(token: Option<&str>, query: &str) -> Request<Body> {
    let mut b = Request::post("/graphql").header("content-type", "application/json");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    b.body(Body::from(json!({ "query": query }).to_string()))
        .unwrap()
}

fn gql_with(query: &str, variables: Value) -> Request<Body> {
    Request::post("/graphql")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({ "query": query, "variables": variables }).to_string(),
        ))
        .unwrap()
}

fn login(user: &str, password: &str) -> Request<Body> {
    Request::post("/auth/login")
        .header("content-type", "application/json")
        .body(Body::from(
            json!({ "username": user, "password": password }).to_string(),
        ))
        .unwrap()
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("")
}

#[tokio::test]
async fn first_admin_signs_in_and_is_admin() {
    let l = local().await;
    let (user, password) = l
        .app
        .auth
        .local_users()
        .unwrap()
        .created_admin
        .clone()
        .unwrap();
    let (status, _, body) = call(&l.app, login(&user, &password)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    let (status, _, body) = call(
        &l.app,
        gql(Some(&token), "{ me { username teams isAdmin } }"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body["data"]["me"],
        json!({ "username": "admin", "teams": ["lakecat-admins"], "isAdmin": true })
    );
    let (status, _, body) = call(&l.app, login(&user, "wrong")).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED")
    );
    let (status, _, body) = call(&l.app, login("nobody", "x")).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED")
    );
}

#[tokio::test]
async fn bad_tokens_get_401_unauthenticated() {
    let l = local().await;
    let users = l.app.auth.local_users().unwrap();
    let now = chrono::Utc::now().timestamp();
    let claims = |over: Value| {
        let mut c = json!({ "iss": "lakecat-local", "aud": "lakecat", "sub": "local:x", "cognito:groups": ["t"], "iat": now, "exp": now + 600 });
        for (k, v) in over.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    let good = users.sign_claims(&claims(json!({}))).unwrap();
    let (status, _, _) = call(&l.app, gql(Some(&good), "{ me { subject } }")).await;
    assert_eq!(status, StatusCode::OK);

    let other_dir = tempfile::tempdir().unwrap();
    let stranger = lakecat_server::local_users::LocalUsers::open(other_dir.path(), "x").unwrap();
    let mut tampered = good.clone();
    let mid = good.find('.').unwrap() + 5;
    tampered.replace_range(
        mid..mid + 1,
        if &good[mid..mid + 1] == "A" { "B" } else { "A" },
    );
    let cases = [
        (
            "expired",
            users
                .sign_claims(&claims(json!({ "exp": now - 3600 })))
                .unwrap(),
        ),
        (
            "not yet valid",
            users
                .sign_claims(&claims(json!({ "nbf": now + 3600 })))
                .unwrap(),
        ),
        (
            "wrong audience",
            users
                .sign_claims(&claims(json!({ "aud": "someone-else" })))
                .unwrap(),
        ),
        (
            "wrong issuer",
            users
                .sign_claims(&claims(json!({ "iss": "https://evil.example" })))
                .unwrap(),
        ),
        (
            "wrong token_use",
            users
                .sign_claims(&claims(json!({ "token_use": "refresh" })))
                .unwrap(),
        ),
        (
            "foreign key",
            stranger.sign_claims(&claims(json!({}))).unwrap(),
        ),
        ("tampered", tampered),
        ("garbage", "not.a.token".to_owned()),
        (
            "unsigned",
            format!(
                "{}.{}.",
                b64(r#"{"alg":"none","kid":"x"}"#),
                b64(&claims(json!({})).to_string())
            ),
        ),
    ];
    for (what, token) in cases {
        let (status, rid, body) = call(&l.app, gql(Some(&token), "{ me { subject } }")).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
            "{what}: {body}"
        );
        assert_eq!(
            body["errors"][0]["extensions"]["requestId"].as_str(),
            rid.as_deref(),
            "{what}"
        );
    }
    // No token at all: the request runs, every field answers UNAUTHENTICATED.
    let (status, _, body) = call(&l.app, gql(None, "{ me { subject } }")).await;
    assert_eq!((status, code(&body)), (StatusCode::OK, "UNAUTHENTICATED"));
}

fn b64(s: &str) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
}

#[tokio::test]
async fn malformed_and_oversized_requests() {
    let l = local().await;
    let raw = |body: Vec<u8>| {
        Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(body))
            .unwrap()
    };
    let (status, _, body) = call(&l.app, raw(b"{\"query\": ".to_vec())).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    let (status, _, body) = call(&l.app, gql(None, "{ me { ")).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "GRAPHQL_VALIDATION_FAILED")
    );
    let (status, _, body) = call(&l.app, gql(None, "{ me { noSuchField } }")).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "GRAPHQL_VALIDATION_FAILED")
    );
    let big = format!("{{\"query\": \"{}\"}}", "a".repeat(1024 * 1024 + 10));
    let (status, _, _) = call(&l.app, raw(big.into_bytes())).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    // Depth limit (12).
    let nested = "{ datasets(first: 1) { edges { node { tables(first: 1) { edges { node { dataset { tables(first: 1) { edges { node { dataset { tables(first: 1) { edges { node { id } } } } } } } } } } } } } } }";
    let (status, _, body) = call(&l.app, gql(None, nested)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nested too deep"),
        "{body}"
    );
    // Complexity: connections weigh `first × fields per node`, so a page of pages of pages is
    // refused before anything runs, while a full page of datasets with many fields is fine.
    let wide = "{ datasets(first: 100) { nodes { tables(first: 100) { nodes { columns(first: 100) { nodes { id } } } } } } }";
    let (status, _, body) = call(&l.app, gql(None, wide)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_lowercase()
            .contains("too complex"),
        "{body}"
    );
    let full_page = "{ datasets(first: 100) { totalCount nodes { id label slug description tags topics confidentiality stackStatus version ownerTeam { name } stewardsTeam { name } tableCount upvotes hasUpvoted aws { accountId region bucket glueDatabase kmsAlias adminRoleArn } } pageInfo { hasNextPage endCursor } } }";
    let (status, _, body) = call(&l.app, gql(None, full_page)).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::OK, "UNAUTHENTICATED"),
        "{body}"
    );
}

/// A document that passed validation skips it when its variables cannot change the outcome;
/// variables that could are validated again, so bad input gets the error it gets the first
/// time, whatever ran before.
#[tokio::test]
async fn bad_variables_get_the_same_error_once_their_document_passed_validation() {
    let (warm, fresh) = (local().await, local().await);
    let text = "query($id: String!, $first: Int) { dataset(id: $id) { id } \
                datasets(first: $first) { nodes { id } } }";
    let good = json!({ "id": "d1", "first": 5 });
    // No token: it passes validation, and its fields answer with errors of their own.
    for _ in 0..2 {
        let (status, _, body) = call(&warm.app, gql_with(text, good.clone())).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert_eq!(
            body["errors"][1]["extensions"]["code"], "UNAUTHENTICATED",
            "{body}"
        );
    }
    let mut again =
        async_graphql::Request::new(text).variables(async_graphql::Variables::from_json(good));
    assert_eq!(
        warm.app.parsed.prepare(&mut again),
        lakecat_server::parsed::Validation::Passed,
        "the document is known to pass"
    );
    let without_ids = |mut body: Value| {
        for e in body["errors"].as_array_mut().into_iter().flatten() {
            e["extensions"]["requestId"].take();
        }
        body
    };
    for bad in [
        json!({ "id": 5, "first": 5 }),
        json!({ "id": null }),
        json!({ "id": "d1", "first": "5" }),
        json!({ "id": "d1", "first": 1.5 }),
        json!({ "id": ["d1"] }),
    ] {
        let (status, _, body) = call(&warm.app, gql_with(text, bad.clone())).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::BAD_REQUEST, "GRAPHQL_VALIDATION_FAILED"),
            "{bad}: {body}"
        );
        let (first_status, _, first) = call(&fresh.app, gql_with(text, bad.clone())).await;
        assert_eq!(
            (status, without_ids(body)),
            (first_status, without_ids(first)),
            "{bad}"
        );
    }
}

#[tokio::test]
async fn health_readiness_and_request_ids() {
    let l = local().await;
    let (status, rid, _) = call(
        &l.app,
        Request::get("/healthz").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(rid.map(|r| r.len()), Some(26), "a ULID request id");
    let (status, _, _) = call(&l.app, Request::get("/readyz").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _, body) = call(
        &l.app,
        Request::get("/graphql").body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.as_str().unwrap_or("").contains("graphiql"));
    // An incoming request id is kept (API Gateway and load balancers set one).
    let req = Request::get("/healthz")
        .header("x-request-id", "abc-123")
        .body(Body::empty())
        .unwrap();
    let (_, rid, _) = call(&l.app, req).await;
    assert_eq!(rid.as_deref(), Some("abc-123"));
}

#[tokio::test]
async fn production_settings_turn_off_introspection_and_graphiql() {
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let mut config = Config::local(dir.path().to_path_buf(), url);
    config.introspection = false;
    config.graphiql = false;
    let app = App::build(config, true, common::embedded()).await.unwrap();
    let token = app
        .auth
        .local_users()
        .unwrap()
        .token_for("ana", &["analysts".into()])
        .unwrap();
    // Twice: the second time runs on the schema for documents that passed validation.
    for _ in 0..2 {
        let (_, _, body) = call(&app, gql(Some(&token), "{ __schema { types { name } } }")).await;
        assert!(body["data"]["__schema"].is_null(), "{body}");
    }
    let (status, _, _) = call(&app, Request::get("/graphql").body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    // Ordinary queries still work.
    let (status, _, body) = call(&app, gql(Some(&token), "{ me { username } }")).await;
    assert_eq!(
        (status, &body["data"]["me"]["username"]),
        (StatusCode::OK, &json!("ana"))
    );
}

#[tokio::test]
async fn local_tokens_die_with_their_user_and_its_password() {
    let l = local().await;
    let users = l.app.auth.local_users().unwrap();
    users
        .upsert("ana", "first-pw", None, &["analysts"])
        .unwrap();
    let me = |token: &str| gql(Some(token), "{ me { username } }");
    let sign_in = async |password: &str| {
        let (status, _, body) = call(&l.app, login("ana", password)).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        body["token"].as_str().unwrap().to_owned()
    };
    let refused = async |token: &str| {
        let (status, _, body) = call(&l.app, me(token)).await;
        assert_eq!(
            (status, code(&body)),
            (StatusCode::UNAUTHORIZED, "UNAUTHENTICATED"),
            "{body}"
        );
    };

    let old = sign_in("first-pw").await;
    // Twice: the second answer comes from the verified-token cache.
    for _ in 0..2 {
        let (status, _, body) = call(&l.app, me(&old)).await;
        assert_eq!(
            (status, &body["data"]["me"]["username"]),
            (StatusCode::OK, &json!("ana"))
        );
    }
    assert!(users.set_password("ana", "second-pw").unwrap());
    refused(&old).await;
    let (status, _, _) = call(&l.app, login("ana", "first-pw")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let new = sign_in("second-pw").await;
    let (status, _, _) = call(&l.app, me(&new)).await;
    assert_eq!(status, StatusCode::OK);

    // Another process (the CLI) removes the user: the server reads the changed file.
    let cli = lakecat_server::local_users::LocalUsers::open(l._dir.path(), "admins").unwrap();
    assert!(cli.remove("ana").unwrap());
    refused(&new).await;
    assert!(!users.remove("ana").unwrap());
    assert!(!users.set_password("ana", "x").unwrap());

    // A user created again under the same name does not revive the old tokens.
    users
        .upsert("ana", "second-pw", None, &["analysts"])
        .unwrap();
    refused(&new).await;
}

/// A client's request id becomes lakecat's only when it is a short plain token; any other is
/// replaced by a ULID, in the response header and in error bodies alike.
#[tokio::test]
async fn only_plain_client_request_ids_are_kept() {
    let l = local().await;
    let with_id = |id: &[u8]| {
        Request::post("/graphql")
            .header("content-type", "application/json")
            .header("authorization", "Bearer not-a-token")
            .header(
                "x-request-id",
                axum::http::HeaderValue::from_bytes(id).unwrap(),
            )
            .body(Body::from(
                json!({ "query": "{ me { username } }" }).to_string(),
            ))
            .unwrap()
    };
    let valid = "01J7Z3K9Q.trace_id:span-42";
    let (status, rid, body) = call(&l.app, with_id(valid.as_bytes())).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(rid.as_deref(), Some(valid));
    assert_eq!(body["errors"][0]["extensions"]["requestId"], valid);

    let long = "a".repeat(20_000);
    let sixty_five = "b".repeat(65);
    for bad in [
        b"<script>alert(1)</script>".as_slice(),
        long.as_bytes(),
        sixty_five.as_bytes(),
        b"id with spaces",
        "caf\u{e9}".as_bytes(),
        b"",
    ] {
        let (_, rid, body) = call(&l.app, with_id(bad)).await;
        let rid = rid.unwrap();
        assert!(
            ulid::Ulid::from_string(&rid).is_ok(),
            "{:?} became {rid}",
            String::from_utf8_lossy(bad)
        );
        assert_eq!(body["errors"][0]["extensions"]["requestId"], rid.as_str());
    }
    // Sent twice, even a plain id is not trusted.
    let mut twice = with_id(b"one");
    twice
        .headers_mut()
        .append("x-request-id", "two".parse().unwrap());
    let (_, rid, _) = call(&l.app, twice).await;
    assert!(ulid::Ulid::from_string(&rid.unwrap()).is_ok());
}

async fn local_with(limits: lakecat_server::config::LoginLimits) -> Local {
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let mut config = Config::local(dir.path().to_path_buf(), url);
    config.login_limits = limits;
    let app = App::build(config, true, common::embedded()).await.unwrap();
    Local { app, _dir: dir }
}

fn limits() -> lakecat_server::config::LoginLimits {
    lakecat_server::config::LoginLimits {
        hashing_permits: 1,
        permit_wait: std::time::Duration::from_secs(60),
        per_user: 100,
        per_address: 100,
        window: std::time::Duration::from_secs(60),
        tracked_keys: 1000,
    }
}

async fn call_with_headers(app: &App, req: Request<Body>) -> (StatusCode, Option<String>, Value) {
    let resp = app.router().oneshot(req).await.unwrap();
    let status = resp.status();
    let retry = resp
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, retry, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sign_ins_beyond_the_password_checks_get_429() {
    let l = local_with(lakecat_server::config::LoginLimits {
        permit_wait: std::time::Duration::from_millis(20),
        ..limits()
    })
    .await;
    let tries = (0..8).map(|i| {
        let app = l.app.clone();
        tokio::spawn(async move { call_with_headers(&app, login(&format!("u{i}"), "wrong")).await })
    });
    let mut answers = Vec::new();
    for t in tries.collect::<Vec<_>>() {
        answers.push(t.await.unwrap());
    }
    let limited: Vec<_> = answers
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    assert!(!limited.is_empty(), "{answers:?}");
    assert!(
        answers
            .iter()
            .any(|(s, _, _)| *s == StatusCode::UNAUTHORIZED),
        "{answers:?}"
    );
    for (_, retry, body) in limited {
        assert_eq!(retry.as_deref(), Some("1"));
        assert_eq!(code(body), "RATE_LIMITED", "{body}");
    }
}

#[tokio::test]
async fn a_user_past_its_failures_waits_for_the_window_even_with_the_right_password() {
    let l = local_with(lakecat_server::config::LoginLimits {
        per_user: 2,
        // Longer than two password checks take in a debug build.
        window: std::time::Duration::from_secs(6),
        ..limits()
    })
    .await;
    l.app
        .auth
        .local_users()
        .unwrap()
        .upsert("ana", "right", None, &["analysts"])
        .unwrap();
    for _ in 0..2 {
        assert_eq!(
            call(&l.app, login("ana", "wrong")).await.0,
            StatusCode::UNAUTHORIZED
        );
    }
    let (status, retry, body) = call_with_headers(&l.app, login("ana", "right")).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::TOO_MANY_REQUESTS, "RATE_LIMITED")
    );
    let secs: u64 = retry.unwrap().parse().unwrap();
    assert!((1..=6).contains(&secs), "{secs}");
    // Another user is not affected.
    assert_eq!(
        call(&l.app, login("bo", "x")).await.0,
        StatusCode::UNAUTHORIZED
    );
    tokio::time::sleep(std::time::Duration::from_secs(secs)).await;
    // Successes are not counted.
    for _ in 0..3 {
        assert_eq!(call(&l.app, login("ana", "right")).await.0, StatusCode::OK);
    }
}

/// `lakecat serve` gives each request its peer's address, which sign-in limits count by.
#[tokio::test]
async fn failures_are_counted_per_client_address_over_a_real_socket() {
    let l = local_with(lakecat_server::config::LoginLimits {
        per_address: 2,
        ..limits()
    })
    .await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(lakecat_server::serve_on(listener, l.app.clone(), async {
        stopped.await.ok();
    }));
    let client = reqwest::Client::new();
    let mut statuses = Vec::new();
    let mut retry = None;
    for i in 0..3 {
        let resp = client
            .post(format!("http://{addr}/auth/login"))
            .json(&json!({ "username": format!("u{i}"), "password": "wrong" }))
            .send()
            .await
            .unwrap();
        statuses.push(resp.status().as_u16());
        retry = retry.or(resp.headers().get("retry-after").cloned());
    }
    assert_eq!(statuses, [401, 401, 429]);
    assert!(retry.is_some());
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}

/// What graphql-js' `getIntrospectionQuery` produces (GraphiQL, graphql-codegen) with every
/// option async-graphql supports: descriptions, `specifiedByURL`, `isRepeatable`, the schema's
/// description, deprecated input values, `isOneOf`, and its default `ofType` depth of 9.
fn standard_introspection_query() -> String {
    let of_type = (0..9).fold(String::new(), |inner, _| {
        format!("\n ofType {{\n name\n kind{inner}\n }}")
    });
    format!(
        r#"
    query IntrospectionQuery {{
      __schema {{
        description
        queryType {{ name kind }}
        mutationType {{ name kind }}
        subscriptionType {{ name kind }}
        types {{
          ...FullType
        }}
        directives {{
          name
          description
          isRepeatable
          locations
          args(includeDeprecated: true) {{
            ...InputValue
          }}
        }}
      }}
    }}

    fragment FullType on __Type {{
      kind
      name
      description
      specifiedByURL
      isOneOf
      fields(includeDeprecated: true) {{
        name
        description
        args(includeDeprecated: true) {{
          ...InputValue
        }}
        type {{
          ...TypeRef
        }}
        isDeprecated
        deprecationReason
      }}
      inputFields(includeDeprecated: true) {{
        ...InputValue
      }}
      interfaces {{
        ...TypeRef
      }}
      enumValues(includeDeprecated: true) {{
        name
        description
        isDeprecated
        deprecationReason
      }}
      possibleTypes {{
        ...TypeRef
      }}
    }}

    fragment InputValue on __InputValue {{
      name
      description
      type {{ ...TypeRef }}
      defaultValue
      isDeprecated
      deprecationReason
    }}

    fragment TypeRef on __Type {{
      kind
      name{of_type}
    }}
  "#
    )
}

#[tokio::test]
async fn the_standard_introspection_query_runs_and_depth_still_binds_everything_else() {
    let l = local().await;
    let query = standard_introspection_query();
    let request = || {
        Request::post("/graphql")
            .header("content-type", "application/json")
            .body(Body::from(
                json!({ "query": query, "operationName": "IntrospectionQuery" }).to_string(),
            ))
            .unwrap()
    };
    // Twice: the second time the document is known to have passed validation.
    for _ in 0..2 {
        let (status, _, body) = call(&l.app, request()).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        assert!(body.get("errors").is_none(), "{body}");
        assert_eq!(body["data"]["__schema"]["queryType"]["name"], "QueryRoot");
        let types = body["data"]["__schema"]["types"].as_array().unwrap();
        assert!(types.iter().any(|t| t["name"] == "Dataset"), "{body}");
    }

    // Introspection next to a normal field: the depth limit holds.
    let deep = "datasets(first: 1) { edges { node { tables(first: 1) { edges { node { dataset { tables(first: 1) { edges { node { dataset { tables(first: 1) { edges { node { id } } } } } } } } } } } } } }";
    let deep_introspection = (0..6).fold("name".to_owned(), |acc, _| {
        format!("fields {{ type {{ {acc} }} }}")
    });
    for query in [
        format!("{{ __schema {{ types {{ name }} }} {deep} }}"),
        format!("{{ __typename {deep} }}"),
        // Introspection that fans out (fields of types of fields …) is not exempt either.
        format!("{{ __schema {{ types {{ {deep_introspection} }} }} }}"),
    ] {
        let (status, _, body) = call(&l.app, gql(None, &query)).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {body}");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("nested too deep"),
            "{body}"
        );
    }
}

/// The admin user mutations on local mode's `users.json`: a user created through the API
/// signs in; a change of teams or password, or a removal, ends its tokens; users.json never
/// holds or returns a password.
#[tokio::test]
async fn admins_manage_local_users_through_the_api() {
    let l = local().await;
    let (user, password) = l
        .app
        .auth
        .local_users()
        .unwrap()
        .created_admin
        .clone()
        .unwrap();
    let (_, _, body) = call(&l.app, login(&user, &password)).await;
    let admin = body["token"].as_str().unwrap().to_owned();
    let mutate = async |doc: &str| call(&l.app, gql(Some(&admin), doc)).await.2;

    let created = mutate(r#"mutation { createUser(input: {username: "bo", password: "bo's long password", teams: ["analysts"]}) { username teams } }"#).await;
    assert_eq!(
        created["data"]["createUser"],
        json!({ "username": "bo", "teams": ["analysts"] }),
        "{created}"
    );
    let again = mutate(r#"mutation { createUser(input: {username: "bo", password: "another long password", teams: []}) { username } }"#).await;
    assert_eq!(code(&again), "CONFLICT", "{again}");
    let listed = mutate("{ users { username teams } }").await;
    assert_eq!(
        listed["data"]["users"],
        json!([{ "username": "admin", "teams": ["lakecat-admins"] }, { "username": "bo", "teams": ["analysts"] }])
    );
    let file = std::fs::read_to_string(l._dir.path().join("users.json")).unwrap();
    assert!(
        !file.contains("long password"),
        "users.json holds hashes only"
    );

    let (status, _, body) = call(&l.app, login("bo", "bo's long password")).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let token = body["token"].as_str().unwrap().to_owned();
    let me = async |token: &str| call(&l.app, gql(Some(token), "{ me { teams } }")).await;
    assert_eq!(
        me(&token).await.2["data"]["me"]["teams"],
        json!(["analysts"])
    );

    // New teams: the old token carried the old ones, so it dies.
    let teams = mutate(
        r#"mutation { setUserTeams(input: {username: "bo", teams: ["finance"]}) { teams } }"#,
    )
    .await;
    assert_eq!(teams["data"]["setUserTeams"]["teams"], json!(["finance"]));
    assert_eq!(me(&token).await.0, StatusCode::UNAUTHORIZED);
    let (_, _, body) = call(&l.app, login("bo", "bo's long password")).await;
    let token = body["token"].as_str().unwrap().to_owned();
    assert_eq!(
        me(&token).await.2["data"]["me"]["teams"],
        json!(["finance"])
    );

    let reset = mutate(r#"mutation { resetUserPassword(input: {username: "bo", password: "a brand new password"}) }"#).await;
    assert_eq!(reset["data"]["resetUserPassword"], true, "{reset}");
    assert_eq!(me(&token).await.0, StatusCode::UNAUTHORIZED);
    let (status, _, _) = call(&l.app, login("bo", "bo's long password")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (_, _, body) = call(&l.app, login("bo", "a brand new password")).await;
    let token = body["token"].as_str().unwrap().to_owned();

    // Bo is no admin.
    let (_, _, body) = call(&l.app, gql(Some(&token), "{ users { username } }")).await;
    assert_eq!(code(&body), "FORBIDDEN", "{body}");

    let removed = mutate(r#"mutation { removeUser(input: {username: "bo"}) }"#).await;
    assert_eq!(removed["data"]["removeUser"], true, "{removed}");
    assert_eq!(me(&token).await.0, StatusCode::UNAUTHORIZED);
    let gone = mutate(r#"mutation { removeUser(input: {username: "bo"}) }"#).await;
    assert_eq!(code(&gone), "NOT_FOUND", "{gone}");
}

#[tokio::test]
async fn the_ui_learns_how_to_sign_in_without_a_token() {
    let l = local().await;
    let req = || Request::get("/auth/config").body(Body::empty()).unwrap();
    let (status, _, body) = call(&l.app, req()).await;
    assert_eq!((status, body), (StatusCode::OK, json!({ "mode": "local" })));

    // An OIDC issuer with a web client: its public settings, never a secret.
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let mut config = Config::local(dir.path().to_path_buf(), url);
    config.auth = lakecat_server::AuthMode::Oidc {
        issuer: "https://id.example.com/realms/acme".into(),
        jwks_url: Some("https://id.example.com/realms/acme/certs".into()),
    };
    config.audiences = vec!["lakecat-web".into()];
    config.web_sign_in = Some(lakecat_server::config::WebSignIn {
        client_id: "lakecat-web".into(),
        scopes: vec!["openid".into(), "email".into()],
        authorization_endpoint: None,
        token_endpoint: Some("https://auth.example.com/oauth2/token".into()),
    });
    let app = App::build(config, true, common::embedded()).await.unwrap();
    let (status, _, body) = call(&app, req()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!({
            "mode": "oidc",
            "issuer": "https://id.example.com/realms/acme",
            "clientId": "lakecat-web",
            "scopes": ["openid", "email"],
            "authorizationEndpoint": null,
            "tokenEndpoint": "https://auth.example.com/oauth2/token",
        })
    );
}
