//! Tables synced from the embedded default's local lake through the API, with the worker:
//! `syncTables` writes a task (a second request joins it), the worker reads the dataset's
//! folder and records its tables in one transaction, a broken table fails alone with its
//! reason, the catalog's own descriptions survive a re-sync, an unchanged table is not
//! written; who may sync; bad input writes nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

mod common;

use std::path::Path;
use std::sync::Arc;

use common::{Fixture, caller};
use lakecat_core::caller::Caller;
use lakecat_core::catalog::TaskStatus;
use lakecat_core::ports::CatalogStore;
use lakecat_core::tasks::{RetryPolicy, TaskEnvelope};
use lakecat_lake::LocalLake;
use lakecat_testkit::Backend;
use lakecat_worker::{InProcessQueue, Processed, TablesSyncHandler, Worker};
use serde_json::Value;

fn owner() -> Option<Caller> {
    Some(caller("olga", &["owners"], false))
}

const SYNC: &str = "taskId status tablesCreated tablesUpdated tablesUnchanged failures { table reason } error requestedAt finishedAt";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

impl Fixture {
    /// Runs the dataset's pending table syncs against the local lake at `root`.
    async fn run_syncs(&self, root: &Path, dataset: &str) -> Vec<Processed> {
        let store: Arc<dyn CatalogStore> = Arc::new(self.store().clone());
        let (queue, _rx) = InProcessQueue::new();
        let worker = Worker::new(store.clone(), Arc::new(queue), RetryPolicy::default())
            .with_handler(Arc::new(TablesSyncHandler::new(
                store.clone(),
                Arc::new(LocalLake::new(root)),
            )));
        let tasks = store
            .list_tasks(dataset, &lakecat_core::page::PageRequest::first(100))
            .await
            .unwrap();
        let mut out = vec![];
        for t in tasks.items.into_iter().map(|(_, t)| t) {
            if t.kind == "tables.sync" && t.status == TaskStatus::Pending {
                out.push(
                    worker
                        .process(&TaskEnvelope::new(&t.id, &t.kind))
                        .await
                        .unwrap(),
                );
            }
        }
        out
    }

    async fn sync(&self, who: Option<Caller>, ds: &str) -> Value {
        let q = format!(r#"mutation {{ syncTables(input: {{datasetId: "{ds}"}}) {{ {SYNC} }} }}"#);
        self.ok(who, &q).await["syncTables"].clone()
    }

    async fn last_sync(&self, ds: &str) -> Value {
        let q = format!(r#"{{ dataset(id: "{ds}") {{ tableSync {{ {SYNC} }} }} }}"#);
        self.ok(owner(), &q).await["dataset"]["tableSync"].clone()
    }

    /// name → (description, [column name type partition])
    async fn tables(&self, ds: &str) -> Value {
        let q = format!(
            r#"{{ tables(datasetId: "{ds}", first: 10) {{ nodes {{ id name format location description version columns(first: 10) {{ nodes {{ name type isPartition description }} }} }} }} }}"#
        );
        let t = self.ok(owner(), &q).await;
        let mut out = serde_json::Map::new();
        for n in t["tables"]["nodes"].as_array().unwrap() {
            out.insert(n["name"].as_str().unwrap().to_owned(), n.clone());
        }
        Value::Object(out)
    }
}

fn column_names(t: &Value) -> Vec<String> {
    t["columns"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            format!(
                "{} {}{}",
                c["name"].as_str().unwrap(),
                c["type"].as_str().unwrap(),
                if c["isPartition"] == true {
                    " (partition)"
                } else {
                    ""
                }
            )
        })
        .collect()
}

async fn tables_sync_from_the_local_lake(b: Backend) {
    let f = Fixture::new(b).await;
    let lake = tempfile::tempdir().unwrap();
    let (env, ds) = (f.id("env"), f.id("dataset"));
    let slug = f
        .ok(owner(), &format!(r#"{{ dataset(id: "{ds}") {{ slug }} }}"#))
        .await["dataset"]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let dir = lake.path().join(&env).join(&slug);
    write(
        &dir.join("orders/day=2024-05-01/part-0.csv"),
        "order_id,amount\n1,2.5\n2,3\n",
    );
    write(
        &dir.join("orders/day=2024-05-02/part-0.csv"),
        "order_id,amount\n3,4\n",
    );
    write(
        &dir.join("clicks.jsonl"),
        "{\"user\": \"ana\", \"at\": \"x\"}\n",
    );
    write(&dir.join("broken/part-0.parquet"), "not parquet at all");

    assert_eq!(f.last_sync(&ds).await, Value::Null, "never synced");
    let before = f.tables(&ds).await;
    let asked = f.sync(owner(), &ds).await;
    assert_eq!(asked["status"], "PENDING");
    assert_eq!(asked["finishedAt"], Value::Null);
    // A second request while it waits joins it.
    assert_eq!(f.sync(owner(), &ds).await["taskId"], asked["taskId"]);
    assert_eq!(
        f.run_syncs(lake.path(), &ds).await,
        vec![Processed::Succeeded]
    );

    let done = f.last_sync(&ds).await;
    assert_eq!(done["taskId"], asked["taskId"]);
    assert_eq!(done["status"], "SUCCEEDED");
    assert_eq!(
        (
            done["tablesCreated"].as_i64(),
            done["tablesUpdated"].as_i64()
        ),
        (Some(2), Some(0))
    );
    assert_eq!(done["failures"][0]["table"], "broken");
    assert!(
        done["failures"][0]["reason"]
            .as_str()
            .unwrap()
            .starts_with("file part-0.parquet: not a Parquet file"),
        "{done}"
    );
    assert_eq!(done["failures"].as_array().unwrap().len(), 1);
    assert!(done["finishedAt"].is_string());

    let tables = f.tables(&ds).await;
    assert_eq!(
        tables.as_object().unwrap().len(),
        before.as_object().unwrap().len() + 2,
        "the two readable tables were added: {tables}"
    );
    let orders = &tables["orders"];
    assert_eq!(orders["format"], "csv");
    assert!(orders["location"].as_str().unwrap().starts_with("file:///"));
    assert!(
        orders["location"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{slug}/orders"))
    );
    assert_eq!(
        column_names(orders),
        ["order_id bigint", "amount double", "day date (partition)"]
    );
    assert_eq!(
        column_names(&tables["clicks"]),
        ["at string", "user string"]
    );
    assert!(tables.get("broken").is_none());

    // What people wrote survives a sync; a changed file updates its table.
    let id = orders["id"].as_str().unwrap();
    let v = orders["version"].as_i64().unwrap();
    f.ok(owner(), &format!(r#"mutation {{ updateTable(input: {{id: "{id}", expectedVersion: {v}, description: "One row per order"}}) {{ id }} }}"#)).await;
    for day in ["2024-05-01", "2024-05-02"] {
        write(
            &dir.join(format!("orders/day={day}/part-0.csv")),
            "order_id,amount,channel\n1,2.5,web\n",
        );
    }
    f.sync(owner(), &ds).await;
    assert_eq!(
        f.run_syncs(lake.path(), &ds).await,
        vec![Processed::Succeeded]
    );
    let s = f.last_sync(&ds).await;
    assert_eq!(
        (
            s["tablesCreated"].as_i64(),
            s["tablesUpdated"].as_i64(),
            s["tablesUnchanged"].as_i64()
        ),
        (Some(0), Some(1), Some(1)),
        "{s}"
    );
    let orders = &f.tables(&ds).await["orders"];
    assert_eq!(orders["description"], "One row per order");
    assert_eq!(orders["id"], id);
    assert_eq!(
        column_names(orders),
        [
            "order_id bigint",
            "amount double",
            "channel string",
            "day date (partition)"
        ]
    );

    // Nothing changed: nothing written (the table keeps its version).
    let version = orders["version"].clone();
    f.sync(owner(), &ds).await;
    assert_eq!(
        f.run_syncs(lake.path(), &ds).await,
        vec![Processed::Succeeded]
    );
    let s = f.last_sync(&ds).await;
    assert_eq!(
        (
            s["tablesCreated"].as_i64(),
            s["tablesUpdated"].as_i64(),
            s["tablesUnchanged"].as_i64()
        ),
        (Some(0), Some(0), Some(2)),
        "{s}"
    );
    assert_eq!(f.tables(&ds).await["orders"]["version"], version);
}

async fn who_may_sync_and_bad_input(b: Backend) {
    let f = Fixture::new(b).await;
    let ds = f.id("dataset");
    let q = format!(r#"mutation {{ syncTables(input: {{datasetId: "{ds}"}}) {{ taskId }} }}"#);
    let counts = f.row_counts().await;
    for who in [
        Some(caller("otto", &["outsiders"], false)),
        Some(caller("gus", &["guests"], false)),
    ] {
        assert_eq!(Fixture::codes(&f.run(who, &q).await), ["FORBIDDEN"]);
    }
    assert_eq!(Fixture::codes(&f.run(None, &q).await), ["UNAUTHENTICATED"]);
    let bad = f
        .run(owner(), r#"mutation { syncTables(input: {datasetId: "tbl_01J0000000000000000000000"}) { taskId } }"#)
        .await;
    assert_eq!(Fixture::codes(&bad), ["BAD_USER_INPUT"]);
    let field = bad.errors[0]
        .extensions
        .as_ref()
        .unwrap()
        .get("field")
        .unwrap()
        .to_string();
    assert_eq!(field.trim_matches('"'), "input.datasetId");
    assert_eq!(f.row_counts().await, counts, "nothing was written");
    // Admins may sync any dataset.
    assert_eq!(
        f.sync(Some(common::admin()), &ds).await["status"],
        "PENDING"
    );
}

/// Where no worker reads the lake (the API Lambda until the Glue sync lands), the mutation
/// says so instead of writing a task nothing would run.
async fn not_offered_where_no_worker_reads_the_lake(b: Backend) {
    let f = Fixture::new(b).await;
    let ds = f.id("dataset");
    let store: Arc<dyn CatalogStore> = Arc::new(f.store().clone());
    let schema = lakecat_graphql::build_schema(lakecat_graphql::SchemaConfig {
        store: store.clone(),
        cursor_key: b"test-cursor-key".to_vec(),
        introspection: false,
        default_tenant_permissions: vec![],
        queue: None,
        search: None,
        users: None,
        platform: Default::default(),
        tables_sync: false,
    });
    let counts = f.row_counts().await;
    let q = format!(r#"mutation {{ syncTables(input: {{datasetId: "{ds}"}}) {{ taskId }} }}"#);
    let ctx = lakecat_graphql::RequestContext::new(store, owner(), "req-sync".into());
    let r = schema
        .execute(async_graphql::Request::new(q).data(ctx))
        .await;
    assert_eq!(Fixture::codes(&r), ["UNAVAILABLE"]);
    let reason = r.errors[0]
        .extensions
        .as_ref()
        .unwrap()
        .get("reason")
        .unwrap()
        .to_string();
    assert_eq!(reason.trim_matches('"'), "not_offered");
    assert_eq!(f.row_counts().await, counts, "nothing was written");
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod postgres { $(#[tokio::test] async fn $name() { super::$name(super::Backend::Postgres).await })* }
        mod sqlite { $(#[tokio::test] async fn $name() { super::$name(super::Backend::Sqlite).await })* }
    };
}

both!(
    tables_sync_from_the_local_lake,
    who_may_sync_and_bad_input,
    not_offered_where_no_worker_reads_the_lake,
);
