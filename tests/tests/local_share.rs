//! The embedded default end to end: `lakecat serve`'s router with its in-process worker and
//! the demo catalog. A finance analyst asks for a sales table, the owning team approves, the
//! worker grants it on the local lake by itself, and a revoke takes it back.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

mod common;

use std::time::Duration;

use common::{dataset_of, gql, sign_in, wait_for};
use lakecat_cli::demo::seed_demo;
use lakecat_server::{App, Config};
use serde_json::json;

#[tokio::test]
async fn a_share_is_granted_and_revoked_by_the_in_process_worker() {
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let config = Config::local(dir.path().to_path_buf(), url);
    let wired = lakecat_cli::adapters(&config).await.unwrap();
    let app = App::build(config, true, wired).await.unwrap();
    seed_demo(&app.store, app.auth.local_users()).await.unwrap();
    app.start_worker();

    let ben = sign_in(&app, "ben").await; // finance
    let ana = sign_in(&app, "ana").await; // sales-analytics, owns the sales datasets
    let (ds, table, glue_name) = dataset_of(&app, &ana, "sales-analytics", "123456789012").await;
    let ds_id = ds["id"].as_str().unwrap();
    let env = common::environment_in(&app, &ben, "123456789012").await;

    let s = gql(&app, &ben, &format!(r#"mutation {{ createShareRequest(input: {{datasetId: "{ds_id}", environmentId: "{env}", teamName: "finance", purpose: "margin report"}}) {{ id }} }}"#)).await;
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

    let done = wait_for(&app, &ben, &id, "PROCESSED", Duration::from_secs(10)).await;
    assert_eq!(done["items"][0]["status"], "SHARE_SUCCEEDED");
    assert_eq!(
        done["items"][0]["consumption"]["glueTable"],
        glue_name.as_str()
    );
    let grants = gql(
        &app,
        &ana,
        &format!(r#"{{ lakeGrants(datasetId: "{ds_id}") {{ resource access }} }}"#),
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
    let done = wait_for(&app, &ben, &id, "PROCESSED", Duration::from_secs(10)).await;
    assert_eq!(done["items"][0]["status"], "REVOKE_SUCCEEDED");
    let grants = gql(
        &app,
        &ana,
        &format!(r#"{{ lakeGrants(datasetId: "{ds_id}") {{ resource }} }}"#),
    )
    .await;
    assert_eq!(grants["lakeGrants"], json!([]));
}
