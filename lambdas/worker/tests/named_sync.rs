//! A sync of the tables a Glue event names (`tables.sync` with `{"tables": [...]}`), through
//! the worker's handler with the local lake's real files, on PostgreSQL and SQLite: the named
//! tables are read and recorded, a named table gone from the lake is marked deleted, and the
//! dataset's other tables are left as they were — even one whose folder is gone too.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::sync::Arc;

use lakecat_core::catalog::{StackStatus, Task, TaskStatus};
use lakecat_core::ids::TaskId;
use lakecat_core::lake::LakeReader;
use lakecat_core::ports::{CatalogStore, DatasetStore};
use lakecat_core::tasks::TaskHandler;
use lakecat_testkit::{Backend, fresh_store};
use lakecat_worker::TablesSyncHandler;
use serde_json::json;

fn task(dataset: &str, payload: serde_json::Value) -> Task {
    let now = chrono::Utc::now();
    Task {
        id: TaskId::generate(),
        kind: "tables.sync".into(),
        target_id: Some(dataset.to_owned()),
        payload,
        status: TaskStatus::Running,
        attempts: 1,
        lease_until: None,
        run_after: now,
        notify_team: None,
        result: None,
        error: None,
        created_at: now,
        updated_at: now,
    }
}

async fn a_sync_of_named_tables_touches_only_those(backend: Backend) {
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
    let dir = lake.dataset_dir(&env, &ds);
    let write = |table: &str, csv: &str| {
        std::fs::create_dir_all(dir.join(table)).unwrap();
        std::fs::write(dir.join(table).join("part-0.csv"), csv).unwrap();
    };
    write("order_lines", "order_id,amount\n1,2.5\n");
    write("returns", "order_id\n1\n");
    write("customers", "id\n1\n");
    let store: Arc<dyn CatalogStore> = Arc::new(db.store.clone());
    let lake: Arc<dyn LakeReader> = Arc::new(lake);
    let handler = TablesSyncHandler::new(store.clone(), lake);
    let ds_id = ds.id.to_string();
    let full = handler
        .run(&task(&ds_id, json!({ "dataset_id": ds_id })))
        .await
        .unwrap();
    assert_eq!(full["tablesCreated"], 3, "{full}");

    // In the lake: order_lines gains a column, returns and customers are gone.
    write("order_lines", "order_id,amount,currency\n1,2.5,EUR\n");
    std::fs::remove_dir_all(dir.join("returns")).unwrap();
    std::fs::remove_dir_all(dir.join("customers")).unwrap();
    let named = handler
        .run(&task(
            &ds_id,
            json!({ "dataset_id": ds_id, "tables": ["order_lines", "returns"] }),
        ))
        .await
        .unwrap();
    assert_eq!(
        (
            &named["tablesUpdated"],
            &named["tablesDeleted"],
            &named["tablesCreated"],
            &named["tables"]
        ),
        (
            &json!(1),
            &json!(1),
            &json!(0),
            &json!(["order_lines", "returns"])
        ),
        "{named}"
    );
    let tables = db
        .store
        .tables_of_datasets(std::slice::from_ref(&ds_id))
        .await
        .unwrap();
    let state = |name: &str| {
        tables
            .iter()
            .find(|t| t.glue_name == name)
            .map(|t| t.deleted_at.is_some())
    };
    // Listed tables only: returns is gone; customers, not named, is still there.
    assert_eq!(state("order_lines"), Some(false));
    assert_eq!(state("returns"), None, "deleted tables are not listed");
    assert_eq!(state("customers"), Some(false), "not named: left alone");
    let columns = db
        .store
        .columns_of_tables(&[tables
            .iter()
            .find(|t| t.glue_name == "order_lines")
            .unwrap()
            .id
            .to_string()])
        .await
        .unwrap();
    assert_eq!(columns.len(), 3, "the new column is recorded");

    // A full sync afterwards catches what no event named.
    let full = handler
        .run(&task(&ds_id, json!({ "dataset_id": ds_id })))
        .await
        .unwrap();
    assert_eq!(
        (&full["tablesDeleted"], &full["tablesUnchanged"]),
        (&json!(1), &json!(1)),
        "{full}"
    );
}

#[tokio::test]
async fn a_sync_of_named_tables_touches_only_those_on_postgres() {
    a_sync_of_named_tables_touches_only_those(Backend::Postgres).await;
}

#[tokio::test]
async fn a_sync_of_named_tables_touches_only_those_on_sqlite() {
    a_sync_of_named_tables_touches_only_those(Backend::Sqlite).await;
}
