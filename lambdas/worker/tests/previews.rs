//! The API Lambda's previews, asked of the worker Lambda (`{"lakecatPreview": …}`): the
//! worker reads the table through its lake and answers the rows, or the error with its code
//! and reason — here the local lake's real files, on PostgreSQL and SQLite.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::sync::Arc;

use lakecat_core::catalog::StackStatus;
use lakecat_core::lake::{LakeReader, PreviewAnswer};
use lakecat_core::ports::{CatalogStore, DatasetStore};
use lakecat_core::tasks::RetryPolicy;
use lakecat_core::{ErrorCode, Reason};
use lakecat_testkit::{Backend, fresh_store};
use lakecat_worker::{InProcessQueue, NoopHandler, TablePreviews, Worker};
use serde_json::json;

async fn previews_are_answered_by_the_worker(backend: Backend) {
    let db = fresh_store(backend).await.unwrap();
    let (env, ds) = lakecat_testkit::seed_dataset(
        &db.store,
        "123456789012",
        "orders",
        StackStatus::CreateComplete,
    )
    .await
    .unwrap();
    let root = tempfile::tempdir().unwrap();
    let lake = lakecat_lake::LocalLake::new(root.path());
    let table_dir = lake.dataset_dir(&env, &ds).join("order_lines");
    std::fs::create_dir_all(&table_dir).unwrap();
    std::fs::write(
        table_dir.join("part-0.csv"),
        "order_id,amount,status\n1,12.5,shipped\n2,,open\n3,7,open\n",
    )
    .unwrap();
    let store: Arc<dyn CatalogStore> = Arc::new(db.store.clone());
    let lake: Arc<dyn LakeReader> = Arc::new(lake);
    let meta = lakecat_testkit::meta("syncTables");
    lakecat_worker::sync_tables(store.as_ref(), lake.as_ref(), ds.id.as_str(), &meta)
        .await
        .unwrap();
    let table = db
        .store
        .tables_of_datasets(&[ds.id.to_string()])
        .await
        .unwrap()
        .pop()
        .unwrap();

    let (queue, _rx) = InProcessQueue::new();
    let worker = Worker::new(store.clone(), Arc::new(queue), RetryPolicy::default())
        .with_handler(Arc::new(NoopHandler));
    // A worker that reads no lake says so (a Lambda error, not an answer).
    let ask = |table_id: &str, limit: i64| json!({ "lakecatPreview": { "tableId": table_id, "limit": limit } });
    let e = lakecat_lambda_worker::handle(&worker, ask(table.id.as_str(), 2))
        .await
        .unwrap_err();
    assert_eq!(e, "a preview request, but this worker reads no lake");

    let worker = worker.with_previews(Arc::new(TablePreviews::new(store.clone(), lake)));
    let out = lakecat_lambda_worker::handle(&worker, ask(table.id.as_str(), 2))
        .await
        .unwrap();
    assert_eq!(
        out,
        json!({ "preview": {
            "columns": [["order_id", "bigint"], ["amount", "double"], ["status", "string"]],
            "rows": [[1, 12.5, "shipped"], [2, null, "open"]],
            "more": true,
            "filesRead": 1,
            "queryId": null,
        }})
    );
    // The API rebuilds the same preview from it.
    let p = serde_json::from_value::<PreviewAnswer>(out)
        .unwrap()
        .into_result()
        .unwrap();
    assert_eq!((p.rows.len(), p.more), (2, true));

    // Errors come back as answers with their code and reason.
    let error = |out: serde_json::Value| {
        serde_json::from_value::<PreviewAnswer>(out)
            .unwrap()
            .into_result()
            .unwrap_err()
    };
    let e = error(
        lakecat_lambda_worker::handle(&worker, ask(table.id.as_str(), 101))
            .await
            .unwrap(),
    );
    assert_eq!(
        (e.code, e.reason),
        (ErrorCode::BadUserInput, Reason::InvalidValue)
    );
    assert_eq!(e.message, "must be 1–100");
    let missing = lakecat_core::ids::TableId::generate();
    let e = error(
        lakecat_lambda_worker::handle(&worker, ask(missing.as_str(), 5))
            .await
            .unwrap(),
    );
    assert_eq!(
        (e.code, e.reason),
        (ErrorCode::NotFound, Reason::TableNotFound)
    );
    let e = error(
        lakecat_lambda_worker::handle(&worker, ask("not-an-id", 5))
            .await
            .unwrap(),
    );
    assert_eq!(e.code, ErrorCode::BadUserInput);
    // A file that stopped being readable: the lake's reason, naming the file.
    std::fs::write(table_dir.join("part-0.csv"), [0xff, 0xfe, 0x00, 0x01]).unwrap();
    std::fs::rename(
        table_dir.join("part-0.csv"),
        table_dir.join("part-0.parquet"),
    )
    .unwrap();
    let e = error(
        lakecat_lambda_worker::handle(&worker, ask(table.id.as_str(), 5))
            .await
            .unwrap(),
    );
    assert_eq!(
        (e.code, e.reason),
        (ErrorCode::Unavailable, Reason::LakeUnreadable)
    );
    assert!(e.message.contains("part-0.parquet"), "{}", e.message);
    // A request of the wrong shape is refused as one.
    let e = lakecat_lambda_worker::handle(&worker, json!({ "lakecatPreview": { "table": 1 } }))
        .await
        .unwrap_err();
    assert!(e.starts_with("not a preview request: "), "{e}");
}

#[tokio::test]
async fn previews_are_answered_by_the_worker_on_postgres() {
    previews_are_answered_by_the_worker(Backend::Postgres).await;
}

#[tokio::test]
async fn previews_are_answered_by_the_worker_on_sqlite() {
    previews_are_answered_by_the_worker(Backend::Sqlite).await;
}
