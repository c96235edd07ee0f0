//! The API Lambda's `previewTable`: authorized and checked here, read by the worker Lambda
//! (`LAKECAT_WORKER_FUNCTION`) through a synchronous invocation — against moto's Lambda
//! without Docker, which answers the invocation with the worker answer registered through
//! `/moto-api/static/lambda-simple/response` (the worker's own side is tested in
//! `lambdas/worker/tests/previews.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::sync::Arc;

use http_body_util::BodyExt;
use lakecat_core::catalog::{DiscoveredColumn, DiscoveredTable, StackStatus};
use lakecat_core::ids::DatasetId;
use lakecat_core::lake::{PreviewAnswer, TablePreview, TableReader};
use lakecat_core::names::GlueName;
use lakecat_core::page::PageRequest;
use lakecat_core::ports::{AuditStore, DatasetStore};
use lakecat_core::{Error, Reason};
use lakecat_server::{Adapters, App, Config};
use serde_json::{Value, json};
use tower::ServiceExt;

const REGION: &str = "eu-west-1";

async fn worker_answers(moto: &lakecat_testkit::moto::Moto, answer: &PreviewAnswer) {
    moto.lambda_answers(REGION, &serde_json::to_string(answer).unwrap())
        .await
        .unwrap();
}

async fn graphql(app: &App, token: &str, query: &str) -> Value {
    let req = axum::http::Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(
            json!({ "query": query }).to_string(),
        ))
        .unwrap();
    let resp = lakecat_lambda_api::service(app).oneshot(req).await.unwrap();
    serde_json::from_slice(&resp.into_body().collect().await.unwrap().to_bytes()).unwrap()
}

#[tokio::test]
async fn previews_in_the_api_lambda_are_read_by_the_worker() {
    let moto = lakecat_testkit::moto::start().unwrap();
    moto.lambda_without_docker().await.unwrap();
    let sdk = lakecat_aws::AwsConfig {
        region: Some(REGION.into()),
        endpoint: Some(moto.endpoint.clone()),
    }
    .load()
    .await;

    let dir = tempfile::tempdir().unwrap();
    let db = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let mut config = Config::local(dir.path().to_path_buf(), db);
    config.in_process_worker = false;
    let build = |previews: Option<Arc<dyn TableReader>>| {
        let config = config.clone();
        async move {
            App::build(
                config,
                true,
                Adapters {
                    previews,
                    ..Adapters::default()
                },
            )
            .await
            .unwrap()
        }
    };
    let app = build(Some(Arc::new(lakecat_aws::WorkerPreviews::new(
        &sdk,
        "lakecat-worker",
    ))))
    .await;
    let (_, ds) = lakecat_testkit::seed_dataset(
        &app.store,
        "123456789012",
        "orders",
        StackStatus::CreateComplete,
    )
    .await
    .unwrap();
    let meta = lakecat_testkit::meta("syncTables");
    let ds_id = DatasetId::parse("d", ds.id.as_str()).unwrap();
    app.store
        .record_table_listing(
            &meta,
            &ds_id,
            &[DiscoveredTable {
                glue_name: GlueName::parse("t", "order_lines").unwrap(),
                location: "s3://orders/order_lines/".into(),
                format: "parquet".into(),
                properties: json!({}),
                description: None,
                columns: vec![DiscoveredColumn {
                    name: "order_id".into(),
                    data_type: "bigint".into(),
                    is_partition: false,
                    description: None,
                }],
            }],
            &[],
        )
        .await
        .unwrap();
    let table = app
        .store
        .tables_of_datasets(&[ds.id.to_string()])
        .await
        .unwrap()
        .pop()
        .unwrap();
    let token = app
        .auth
        .local_users()
        .unwrap()
        .token_for("root", &["lakecat-admins".into()])
        .unwrap();
    let preview = |limit: i32| {
        format!(
            r#"{{ previewTable(tableId: "{}", limit: {limit}) {{ columns {{ name type }} rows more queryId }} }}"#,
            table.id
        )
    };

    // The worker's rows, as the API's answer, the read audited with the worker's query id.
    worker_answers(
        &moto,
        &PreviewAnswer::Preview(TablePreview {
            columns: vec![("order_id".into(), "bigint".into())],
            rows: vec![vec![json!(1)], vec![json!(2)]],
            more: true,
            files_read: 0,
            query_id: Some("0b1d5f5e-athena-query".into()),
        }),
    )
    .await;
    let body = graphql(&app, &token, &preview(2)).await;
    assert_eq!(
        body["data"]["previewTable"],
        json!({ "columns": [{ "name": "order_id", "type": "bigint" }],
                "rows": [[1], [2]], "more": true, "queryId": "0b1d5f5e-athena-query" }),
        "{body}"
    );
    let audit = app
        .store
        .list_audit_events(table.id.as_str(), &PageRequest::first(10))
        .await
        .unwrap();
    assert!(
        audit.items.iter().any(|(_, e)| e
            .after
            .as_ref()
            .is_some_and(|a| a["preview"]["queryId"] == "0b1d5f5e-athena-query")),
        "{:?}",
        audit.items
    );

    // The worker's error, with its code and reason.
    worker_answers(
        &moto,
        &PreviewAnswer::from_result(Err(Error::unavailable(
            "athena query q-9 did not finish within 20 s and was stopped",
        )
        .with_reason(Reason::QueryTimeout))),
    )
    .await;
    let body = graphql(&app, &token, &preview(2)).await;
    let e = &body["errors"][0];
    assert_eq!(
        (&e["extensions"]["code"], &e["extensions"]["reason"]),
        (&json!("UNAVAILABLE"), &json!("query_timeout")),
        "{body}"
    );
    assert_eq!(
        e["message"],
        "athena query q-9 did not finish within 20 s and was stopped"
    );

    // Bad input is refused here, before any invocation (nothing registered is consumed).
    let body = graphql(&app, &token, &preview(101)).await;
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{body}"
    );

    // A worker that answers something else (moto echoes the request when nothing is
    // registered): a fault of the deployment, the detail logged, the caller told to retry.
    let body = graphql(&app, &token, &preview(2)).await;
    let e = &body["errors"][0];
    assert_eq!(
        (
            &e["extensions"]["code"],
            &e["extensions"]["reason"],
            &e["message"]
        ),
        (
            &json!("UNAVAILABLE"),
            &json!("unavailable"),
            &json!("a dependency is unavailable; retry later")
        ),
        "{body}"
    );

    // Without a worker to ask, previews are not offered.
    let app = build(None).await;
    let body = graphql(&app, &token, &preview(2)).await;
    assert_eq!(
        (
            &body["errors"][0]["extensions"]["code"],
            &body["errors"][0]["extensions"]["reason"]
        ),
        (&json!("UNAVAILABLE"), &json!("not_offered")),
        "{body}"
    );
}
