//! Previews asked of the worker Lambda (`WorkerPreviews`, the API Lambda's) against moto's
//! Lambda without Docker (`use_docker: false`): it answers an invocation with the result
//! registered through `/moto-api/static/lambda-simple/response`, or, with none, echoes the
//! request — which shows what the API sends. The worker's side of the exchange is tested in
//! `lambdas/worker/tests/previews.rs` on real files.

#![cfg(feature = "invoke")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use lakecat_aws::{AwsConfig, WorkerPreviews};
use lakecat_core::lake::{PreviewAnswer, TablePreview};
use lakecat_core::{Error, ErrorCode, Reason};
use serde_json::json;

const REGION: &str = "eu-west-1";

/// The next invocation's answer.
async fn answers(moto: &lakecat_testkit::moto::Moto, answer: &PreviewAnswer) {
    moto.lambda_answers(REGION, &serde_json::to_string(answer).unwrap())
        .await
        .unwrap();
}

#[tokio::test]
async fn previews_are_asked_of_the_worker_and_answered_as_it_answers() {
    let moto = lakecat_testkit::moto::start().unwrap();
    moto.lambda_without_docker().await.unwrap();
    let sdk = AwsConfig {
        region: Some(REGION.into()),
        endpoint: Some(moto.endpoint.clone()),
    }
    .load()
    .await;
    let previews = WorkerPreviews::new(&sdk, "lakecat-worker");

    // With nothing registered moto echoes the request: the event the worker dispatches on.
    let e = previews.preview_table("tbl_123", 7).await.unwrap_err();
    assert_eq!(
        (e.code, e.reason),
        (ErrorCode::Unavailable, Reason::Unavailable)
    );
    assert!(
        e.message
            .starts_with("preview by the worker lakecat-worker: not a preview answer (")
            && e.message
                .ends_with(r#"{"lakecatPreview":{"limit":7,"tableId":"tbl_123"}}"#),
        "{}",
        e.message
    );

    // The worker's rows.
    let rows = TablePreview {
        columns: vec![("order_id".into(), "bigint".into())],
        rows: vec![vec![json!(1)], vec![json!(2)]],
        more: true,
        files_read: 0,
        query_id: Some("4f1c0c1e-athena".into()),
    };
    answers(&moto, &PreviewAnswer::Preview(rows.clone())).await;
    assert_eq!(previews.preview_table("tbl_123", 2).await.unwrap(), rows);

    // The worker's error, with its code and reason kept.
    let timeout = Error::unavailable("athena query q-1 did not finish within 60 s and was stopped")
        .with_reason(Reason::QueryTimeout);
    answers(&moto, &PreviewAnswer::from_result(Err(timeout.clone()))).await;
    let e = previews.preview_table("tbl_123", 2).await.unwrap_err();
    assert_eq!(
        (e.code, e.reason, e.message.as_str()),
        (timeout.code, timeout.reason, timeout.message.as_str())
    );
    let gone = Error::conflict("table order_lines is gone from the lake")
        .with_reason(Reason::TableDeleted);
    answers(&moto, &PreviewAnswer::from_result(Err(gone.clone()))).await;
    let e = previews.preview_table("tbl_123", 2).await.unwrap_err();
    assert_eq!(
        (e.code, e.reason),
        (ErrorCode::Conflict, Reason::TableDeleted)
    );
}
