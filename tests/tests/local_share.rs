//! The embedded default end to end: `lakecat serve`'s router with its in-process worker and
//! the demo catalog. A finance analyst asks for a sales table, the owning team approves, the
//! worker grants it on the local lake by itself, and a revoke takes it back.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::time::Duration;

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use lakecat_cli::demo::{DEMO_PASSWORD, seed_demo};
use lakecat_server::{App, Config};
use serde_json::{Value, json};
use tower::ServiceExt;

async fn post(app: &App, path: &str, token: Option<&str>, body: Value) -> Value {
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

async fn sign_in(app: &App, user: &str) -> String {
    let r = post(
        app,
        "/auth/login",
        None,
        json!({"username": user, "password": DEMO_PASSWORD}),
    )
    .await;
    r["token"].as_str().unwrap().to_owned()
}

async fn gql(app: &App, token: &str, query: &str) -> Value {
    let r = post(app, "/graphql", Some(token), json!({ "query": query })).await;
    assert!(r.get("errors").is_none(), "{query}: {r}");
    r["data"].clone()
}

/// Polls until the request reaches `status` (the in-process worker runs the task).
async fn wait_for(app: &App, token: &str, id: &str, status: &str) -> Value {
    for _ in 0..200 {
        let d = gql(app, token, &format!(r#"{{ shareRequest(id: "{id}") {{ status items {{ status consumption {{ glueDatabase glueTable s3Uri }} }} }} }}"#)).await;
        if d["shareRequest"]["status"] == status {
            return d["shareRequest"].clone();
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("share request {id} never reached {status}");
}

#[tokio::test]
async fn a_share_is_granted_and_revoked_by_the_in_process_worker() {
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let app = App::build(Config::local(dir.path().to_path_buf(), url), true)
        .await
        .unwrap();
    seed_demo(&app.store, app.auth.local_users()).await.unwrap();
    app.start_worker();

    let ben = sign_in(&app, "ben").await; // finance
    let ana = sign_in(&app, "ana").await; // sales-analytics, owns the sales datasets
    let d = gql(&app, &ben, r#"{ datasets(first: 100) { nodes { id ownerTeam { name } environment { id } tables(first: 1) { nodes { id name } } } } }"#).await;
    let ds = d["datasets"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| {
            d["ownerTeam"]["name"] == "sales-analytics" && d["tables"]["nodes"][0]["id"].is_string()
        })
        .unwrap()
        .clone();
    let env = ds["environment"]["id"].as_str().unwrap();
    let table = ds["tables"]["nodes"][0]["id"].as_str().unwrap();
    let glue_name = ds["tables"]["nodes"][0]["name"].as_str().unwrap();

    let s = gql(&app, &ben, &format!(r#"mutation {{ createShareRequest(input: {{datasetId: "{}", environmentId: "{env}", teamName: "finance", purpose: "margin report"}}) {{ id }} }}"#, ds["id"].as_str().unwrap())).await;
    let id = s["createShareRequest"]["id"].as_str().unwrap().to_owned();
    gql(&app, &ben, &format!(r#"mutation {{ addShareItem(input: {{shareId: "{id}", itemType: TABLE, itemId: "{table}"}}) {{ id }} }}"#)).await;
    gql(
        &app,
        &ben,
        &format!(r#"mutation {{ submitShareRequest(input: {{shareId: "{id}"}}) {{ status }} }}"#),
    )
    .await;
    let received = gql(
        &app,
        &ana,
        r#"{ sharesReceived(filter: {status: SUBMITTED}) { nodes { id } } }"#,
    )
    .await;
    assert_eq!(received["sharesReceived"]["nodes"][0]["id"], id.as_str());
    gql(
        &app,
        &ana,
        &format!(r#"mutation {{ approveShareRequest(input: {{shareId: "{id}"}}) {{ status }} }}"#),
    )
    .await;

    let done = wait_for(&app, &ben, &id, "Processed").await;
    assert_eq!(done["items"][0]["status"], "Share_Succeeded");
    assert_eq!(done["items"][0]["consumption"]["glueTable"], glue_name);
    let grants = gql(
        &app,
        &ana,
        &format!(
            r#"{{ lakeGrants(datasetId: "{}") {{ resource access }} }}"#,
            ds["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(
        grants["lakeGrants"],
        json!([{ "resource": glue_name, "access": "READ" }])
    );
    let tasks = gql(
        &app,
        &ben,
        &format!(r#"{{ tasks(targetId: "{id}") {{ nodes {{ kind status attempts }} }} }}"#),
    )
    .await;
    assert_eq!(
        tasks["tasks"]["nodes"],
        json!([{ "kind": "share.process", "status": "SUCCEEDED", "attempts": 1 }])
    );

    gql(
        &app,
        &ana,
        &format!(r#"mutation {{ revokeShareItems(input: {{shareId: "{id}"}}) {{ status }} }}"#),
    )
    .await;
    let done = wait_for(&app, &ben, &id, "Processed").await;
    assert_eq!(done["items"][0]["status"], "Revoke_Succeeded");
    let grants = gql(
        &app,
        &ana,
        &format!(
            r#"{{ lakeGrants(datasetId: "{}") {{ resource }} }}"#,
            ds["id"].as_str().unwrap()
        ),
    )
    .await;
    assert_eq!(grants["lakeGrants"], json!([]));
}
