//! Driving `lakecat serve`'s router with the demo catalog: sign in as a demo user, run
//! GraphQL, wait for the in-process worker.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]
#![allow(dead_code, reason = "each test binary uses a part of the helpers")]

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use lakecat_cli::demo::DEMO_PASSWORD;
use lakecat_server::App;
use serde_json::{Value, json};
use tower::ServiceExt;

pub async fn post(app: &App, path: &str, token: Option<&str>, body: Value) -> Value {
    let mut b = Request::post(path).header("content-type", "application/json");
    if let Some(t) = token {
        b = b.header("authorization", format!("Bearer {t}"));
    }
    let resp = app
        .router()
        .oneshot(b.body(Body::from(body.to_string())).unwrap())
        .await
        .unwrap();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

pub async fn sign_in(app: &App, user: &str) -> String {
    let r = post(
        app,
        "/auth/login",
        None,
        json!({"username": user, "password": DEMO_PASSWORD}),
    )
    .await;
    r["token"].as_str().unwrap().to_owned()
}

pub async fn gql(app: &App, token: &str, query: &str) -> Value {
    let r = post(app, "/graphql", Some(token), json!({ "query": query })).await;
    assert!(r.get("errors").is_none(), "{query}: {r}");
    r["data"].clone()
}

/// Polls until the request reaches `status` (the in-process worker runs the task).
pub async fn wait_for(app: &App, token: &str, id: &str, status: &str, within: Duration) -> Value {
    let deadline = std::time::Instant::now() + within;
    loop {
        let d = gql(
            app,
            token,
            &format!(
                r#"{{ shareRequest(id: "{id}") {{ status items {{ itemType status error consumption {{ glueDatabase glueTable accessPointAlias bucket s3Prefix s3Uri }} }} }} }}"#
            ),
        )
        .await;
        if d["shareRequest"]["status"] == status {
            return d["shareRequest"].clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "share request {id} never reached {status}: {d}"
        );
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

/// A demo dataset owned by `owner` with at least one table, read with `token` (a member of the
/// owner team: only its teams see `aws`): (dataset json, first table id, its name).
pub async fn dataset_of(
    app: &App,
    token: &str,
    owner: &str,
    env_account: &str,
) -> (Value, String, String) {
    let d = gql(app, token, r#"{ datasets(first: 100) { nodes { id ownerTeam { name } aws { accountId region bucket glueDatabase kmsAlias } tables(first: 5) { nodes { id name } } } } }"#).await;
    let ds = d["datasets"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["ownerTeam"]["name"] == owner
                && d["aws"]["accountId"] == env_account
                && d["tables"]["nodes"][0]["id"].is_string()
        })
        .unwrap()
        .clone();
    let table = ds["tables"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let name = ds["tables"]["nodes"][0]["name"]
        .as_str()
        .unwrap()
        .to_owned();
    (ds, table, name)
}

/// The id of the environment in `account`.
pub async fn environment_in(app: &App, token: &str, account: &str) -> String {
    let e = gql(
        app,
        token,
        "{ environments(first: 10) { nodes { id accountId } } }",
    )
    .await;
    e["environments"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["accountId"] == account)
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}
