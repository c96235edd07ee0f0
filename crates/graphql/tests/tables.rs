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
use lakecat_core::shares::SHARE_TASK_KIND;
use lakecat_core::tasks::TaskOutcome;
use lakecat_core::tasks::{RetryPolicy, TaskEnvelope};
use lakecat_lake::LocalLake;
use lakecat_testkit::Backend;
use lakecat_worker::{
    DatasetVerifyHandler, InProcessQueue, LocalLakeProcessor, Processed, ShareHandler,
    TablesCrawlHandler, TablesProfileHandler, TablesSyncHandler, Worker,
};
use serde_json::Value;

fn owner() -> Option<Caller> {
    Some(caller("olga", &["owners"], false))
}

const SYNC: &str = "taskId status tables tablesCreated tablesUpdated tablesUnchanged tablesDeleted tablesRestored failures { table reason } error requestedAt finishedAt";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

impl Fixture {
    /// Runs the dataset's pending table syncs against the local lake at `root`.
    async fn run_syncs(&self, root: &Path, dataset: &str) -> Vec<Processed> {
        self.run_lake_tasks(root, dataset, "tables.sync").await
    }

    /// Runs the pending tasks of `kind` on `target` with the lake's handlers.
    async fn run_lake_tasks(&self, root: &Path, target: &str, kind: &str) -> Vec<Processed> {
        let store: Arc<dyn CatalogStore> = Arc::new(self.store().clone());
        let (queue, _rx) = InProcessQueue::new();
        let lake = Arc::new(LocalLake::new(root));
        let queue: Arc<dyn lakecat_core::tasks::TaskQueue> = Arc::new(queue);
        let worker = Worker::new(store.clone(), queue.clone(), RetryPolicy::default())
            .with_handler(Arc::new(TablesSyncHandler::new(
                store.clone(),
                lake.clone(),
            )))
            .with_handler(Arc::new(TablesCrawlHandler::new(
                store.clone(),
                lake.clone(),
                queue,
            )))
            .with_handler(Arc::new(TablesProfileHandler::new(
                store.clone(),
                lake.clone(),
            )))
            .with_handler(Arc::new(DatasetVerifyHandler::new(store.clone(), lake)));
        let tasks = store
            .list_tasks(target, &lakecat_core::page::PageRequest::first(100))
            .await
            .unwrap();
        let mut out = vec![];
        for t in tasks.items.into_iter().map(|(_, t)| t) {
            if t.kind == kind && t.status == TaskStatus::Pending {
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

    // The fixture's tables were never in this lake: the listing is complete, so they are
    // marked deleted — kept by id, gone from the dataset's tables.
    let before = before.as_object().unwrap();
    assert!(!before.is_empty());
    assert_eq!(done["tablesDeleted"].as_i64(), Some(before.len() as i64));
    let tables = f.tables(&ds).await;
    assert_eq!(
        tables.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["clicks", "orders"],
        "the two readable tables were added, the fixture's are gone: {tables}"
    );
    let (_, gone) = before.iter().next().unwrap();
    let gone_id = gone["id"].as_str().unwrap();
    let q = format!(r#"{{ table(id: "{gone_id}") {{ name deletedAt }} }}"#);
    assert!(f.ok(owner(), &q).await["table"]["deletedAt"].is_string());
    let r = f
        .run(
            owner(),
            &format!(r#"{{ previewTable(tableId: "{gone_id}") {{ more }} }}"#),
        )
        .await;
    let reason = r.errors[0]
        .extensions
        .as_ref()
        .and_then(|x| x.get("reason"))
        .map(|v| v.to_string());
    assert_eq!(
        reason.as_deref(),
        Some("\"table_deleted\""),
        "{:?}",
        r.errors
    );
    assert!(
        r.errors[0].message.contains("gone from the lake"),
        "{:?}",
        r.errors
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
    assert_eq!(s["tables"], Value::Null, "a whole dataset's sync");
    assert_eq!(f.tables(&ds).await["orders"]["version"], version);

    // A sync of named tables (what Glue's events ask for) says which, and reads only those.
    let meta = lakecat_testkit::meta("tables.event");
    let id = lakecat_core::ids::DatasetId::parse("d", &ds).unwrap();
    lakecat_core::ports::DatasetStore::request_table_sync(
        f.store(),
        &meta,
        &id,
        Some(&["orders".to_owned()]),
    )
    .await
    .unwrap();
    assert_eq!(
        f.last_sync(&ds).await["tables"],
        serde_json::json!(["orders"])
    );
    assert_eq!(
        f.run_syncs(lake.path(), &ds).await,
        vec![Processed::Succeeded]
    );
    let s = f.last_sync(&ds).await;
    assert_eq!(
        (
            s["tables"].clone(),
            s["tablesUnchanged"].as_i64(),
            s["status"].clone()
        ),
        (
            serde_json::json!(["orders"]),
            Some(1),
            serde_json::json!("SUCCEEDED")
        ),
        "{s}"
    );
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
        lake: None,
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

fn guest() -> Option<Caller> {
    Some(caller("gus", &["guests"], false))
}

impl Fixture {
    /// Runs a share's pending tasks with the local lake's share processor.
    async fn run_share_tasks(&self, share_id: &str) {
        let store: Arc<dyn CatalogStore> = Arc::new(self.store().clone());
        let handler = ShareHandler::new(
            store.clone(),
            Arc::new(LocalLakeProcessor::new(store.clone())),
        );
        let tasks = store
            .list_tasks(share_id, &lakecat_core::page::PageRequest::first(100))
            .await
            .unwrap();
        for t in tasks.items.into_iter().map(|(_, t)| t) {
            if t.kind == SHARE_TASK_KIND && t.status == TaskStatus::Pending {
                let claimed = store
                    .claim(&t.id, std::time::Duration::from_secs(60))
                    .await
                    .unwrap()
                    .unwrap();
                let r = handler.process(t.id.as_str(), share_id).await.unwrap();
                store
                    .finish(&t.id, claimed.attempt, &TaskOutcome::Succeeded(r))
                    .await
                    .unwrap();
            }
        }
    }

    async fn preview(
        &self,
        who: Option<Caller>,
        table: &str,
        limit: i64,
    ) -> async_graphql::Response {
        let q = format!(
            r#"{{ previewTable(tableId: "{table}", limit: {limit}) {{ tableId columns {{ name type }} rows more }} }}"#
        );
        self.run(who, &q).await
    }
}

async fn previews_read_the_files_for_owners_and_granted_teams(b: Backend) {
    let lake = tempfile::tempdir().unwrap();
    let f = Fixture::with_lake(b, Arc::new(LocalLake::new(lake.path()))).await;
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
        "order_id,amount\n1,2.5\n2,\n",
    );
    write(
        &dir.join("orders/day=2024-05-02/part-0.csv"),
        "order_id,amount\n3,4\n",
    );
    write(&dir.join("clicks.jsonl"), "{\"user\": \"ana\"}\n");
    f.sync(owner(), &ds).await;
    assert_eq!(
        f.run_syncs(lake.path(), &ds).await,
        vec![Processed::Succeeded]
    );
    let tables = f.tables(&ds).await;
    let (orders, clicks) = (
        tables["orders"]["id"].as_str().unwrap().to_owned(),
        tables["clicks"]["id"].as_str().unwrap().to_owned(),
    );

    // The owners read the first rows, typed, partition values included.
    let r = f.preview(owner(), &orders, 2).await;
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    let p = r.data.into_json().unwrap()["previewTable"].clone();
    assert_eq!(
        p["columns"],
        serde_json::json!([{"name": "order_id", "type": "bigint"}, {"name": "amount", "type": "double"}, {"name": "day", "type": "date"}])
    );
    assert_eq!(
        p["rows"],
        serde_json::json!([[1, 2.5, "2024-05-01"], [2, null, "2024-05-01"]])
    );
    assert_eq!(p["more"], true);
    // Audited on the table.
    let audit = f
        .ok(
            owner(),
            &format!(
                r#"{{ auditEvents(targetId: "{orders}") {{ nodes {{ actor action after }} }} }}"#
            ),
        )
        .await;
    let previews: Vec<&Value> = audit["auditEvents"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "previewTable")
        .collect();
    assert_eq!(previews.len(), 1);
    assert_eq!(previews[0]["actor"], "local:olga");

    // Bad limits write nothing.
    let counts = f.row_counts().await;
    for limit in [0, 101] {
        let r = f.preview(owner(), &orders, limit).await;
        assert_eq!(Fixture::codes(&r), ["BAD_USER_INPUT"]);
        assert_eq!(
            r.errors[0]
                .extensions
                .as_ref()
                .unwrap()
                .get("field")
                .unwrap()
                .to_string()
                .trim_matches('"'),
            "limit"
        );
    }
    assert_eq!(f.row_counts().await, counts);

    // A team that may see the dataset but holds no share of the table is refused...
    assert_eq!(
        Fixture::codes(&f.preview(guest(), &orders, 5).await),
        ["FORBIDDEN"]
    );
    // ...until a share of it is granted (through the local lake's share processor).
    let share = f.ok(guest(), &format!(r#"mutation {{ createShareRequest(input: {{datasetId: "{ds}", environmentId: "{env}", teamName: "guests", purpose: "returns analysis"}}) {{ id }} }}"#)).await;
    let share = share["createShareRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.ok(guest(), &format!(r#"mutation {{ addShareItem(input: {{shareId: "{share}", itemType: TABLE, itemId: "{orders}"}}) {{ id }} }}"#)).await;
    f.ok(
        guest(),
        &format!(r#"mutation {{ submitShareRequest(input: {{shareId: "{share}"}}) {{ id }} }}"#),
    )
    .await;
    let steward = Some(caller("stella", &["stewards"], false));
    f.ok(
        steward,
        &format!(r#"mutation {{ approveShareRequest(input: {{shareId: "{share}"}}) {{ id }} }}"#),
    )
    .await;
    f.run_share_tasks(&share).await;
    let r = f.preview(guest(), &orders, 10).await;
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    assert_eq!(
        r.data.into_json().unwrap()["previewTable"]["rows"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
    // Exactly the tables shared with it.
    assert_eq!(
        Fixture::codes(&f.preview(guest(), &clicks, 5).await),
        ["FORBIDDEN"]
    );
    // SECRET: owners only, whatever was shared.
    let v = f
        .ok(
            owner(),
            &format!(r#"{{ dataset(id: "{ds}") {{ version }} }}"#),
        )
        .await["dataset"]["version"]
        .as_i64()
        .unwrap();
    f.ok(owner(), &format!(r#"mutation {{ updateDataset(input: {{id: "{ds}", expectedVersion: {v}, confidentiality: SECRET}}) {{ id }} }}"#)).await;
    let r = f.preview(guest(), &orders, 5).await;
    assert_eq!(Fixture::codes(&r), ["FORBIDDEN"]);
    assert!(
        r.errors[0].message.contains("SECRET"),
        "{}",
        r.errors[0].message
    );
    assert!(f.preview(owner(), &orders, 5).await.errors.is_empty());
    // ...unless its owners let teams with a granted share preview it.
    let v = f
        .ok(
            owner(),
            &format!(r#"{{ dataset(id: "{ds}") {{ version secretPreview }} }}"#),
        )
        .await;
    assert_eq!(v["dataset"]["secretPreview"], false);
    let v = v["dataset"]["version"].as_i64().unwrap();
    f.ok(owner(), &format!(r#"mutation {{ updateDataset(input: {{id: "{ds}", expectedVersion: {v}, secretPreview: true}}) {{ id }} }}"#)).await;
    assert!(f.preview(guest(), &orders, 5).await.errors.is_empty());
    assert_eq!(
        Fixture::codes(&f.preview(guest(), &clicks, 5).await),
        ["FORBIDDEN"],
        "still only what was shared"
    );
    // Teams outside the dataset are refused too (the fixture's dataset is visible to all, so
    // they see the table); a file broken since the sync is named.
    assert_eq!(
        Fixture::codes(
            &f.preview(Some(caller("otto", &["outsiders"], false)), &orders, 5)
                .await
        ),
        ["FORBIDDEN"]
    );
    write(&dir.join("clicks.jsonl"), "not json\n");
    let r = f.preview(owner(), &clicks, 5).await;
    assert_eq!(Fixture::codes(&r), ["UNAVAILABLE"]);
    assert!(
        r.errors[0].message.contains("line 1: not JSON"),
        "{}",
        r.errors[0].message
    );
}

async fn profiles_count_every_row_for_those_who_may_read_the_data(b: Backend) {
    let lake = tempfile::tempdir().unwrap();
    let f = Fixture::with_lake(b, Arc::new(LocalLake::new(lake.path()))).await;
    let (env, ds) = (f.id("env"), f.id("dataset"));
    let slug = f
        .ok(owner(), &format!(r#"{{ dataset(id: "{ds}") {{ slug }} }}"#))
        .await["dataset"]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let dir = lake.path().join(&env).join(&slug);
    let mut csv = String::from("order_id,amount,channel\n");
    for i in 0..1000 {
        let amount = if i % 10 == 0 {
            String::new()
        } else {
            format!("{}", i % 100)
        };
        let channel = ["web", "store", "phone"][i % 3];
        csv.push_str(&format!("{i},{amount},{channel}\n"));
    }
    write(&dir.join("orders/day=2024-05-01/part-0.csv"), &csv);
    write(
        &dir.join("orders/day=2024-05-02/part-0.csv"),
        "order_id,amount,channel\n1000,5,web\n",
    );
    write(&dir.join("refunds/part-0.csv"), "refund_id\n1\n");
    f.sync(owner(), &ds).await;
    assert_eq!(
        f.run_syncs(lake.path(), &ds).await,
        vec![Processed::Succeeded]
    );
    let tables = f.tables(&ds).await;
    let orders = tables["orders"]["id"].as_str().unwrap().to_owned();

    let run = |t: &str| {
        format!(r#"mutation {{ profileTable(input: {{tableId: "{t}"}}) {{ taskId status }} }}"#)
    };
    let asked = f.ok(owner(), &run(&orders)).await["profileTable"].clone();
    assert_eq!(asked["status"], "PENDING");
    // A second request while it waits joins it.
    assert_eq!(
        f.ok(owner(), &run(&orders)).await["profileTable"]["taskId"],
        asked["taskId"]
    );
    let before = format!(
        r#"{{ table(id: "{orders}") {{ profile {{ rowCount }} profileRun {{ status }} }} }}"#
    );
    let t = f.ok(owner(), &before).await;
    assert_eq!(t["table"]["profile"], Value::Null, "not computed yet");
    assert_eq!(t["table"]["profileRun"]["status"], "PENDING");
    assert_eq!(
        f.run_lake_tasks(lake.path(), &orders, "tables.profile")
            .await,
        vec![Processed::Succeeded]
    );

    let q = format!(
        r#"{{ table(id: "{orders}") {{ profileRun {{ status finishedAt error }} profile {{ taskId computedAt rowCount rowsScanned filesRead method columns {{ name nulls distinct min max topValues {{ value count }} histogram {{ low high count }} }} }} columns(first: 10) {{ nodes {{ name stats {{ nulls distinct }} }} }} }} }}"#
    );
    let t = f.ok(owner(), &q).await["table"].clone();
    assert_eq!(t["profileRun"]["status"], "SUCCEEDED");
    let p = &t["profile"];
    assert_eq!(p["taskId"], asked["taskId"]);
    assert_eq!(
        (
            p["rowCount"].as_i64(),
            p["rowsScanned"].as_i64(),
            p["filesRead"].as_i64()
        ),
        (Some(1001), Some(1001), Some(2))
    );
    let cols: Vec<&Value> = p["columns"].as_array().unwrap().iter().collect();
    let names: Vec<&str> = cols.iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["order_id", "amount", "channel", "day"]);
    let (id, amount, channel, day) = (cols[0], cols[1], cols[2], cols[3]);
    assert_eq!(
        (id["nulls"].as_i64(), id["min"].as_i64(), id["max"].as_i64()),
        (Some(0), Some(0), Some(1000))
    );
    let d = id["distinct"].as_i64().unwrap();
    assert!(
        (990..=1012).contains(&d),
        "approximately 1001 distinct ids: {d}"
    );
    assert_eq!(
        id["topValues"],
        serde_json::json!([]),
        "too many values to list"
    );
    let buckets = id["histogram"].as_array().unwrap();
    assert_eq!(buckets.len(), 10);
    let total: i64 = buckets.iter().map(|b| b["count"].as_i64().unwrap()).sum();
    assert_eq!(total, 1001);
    assert_eq!(amount["nulls"].as_i64(), Some(100), "empty cells are nulls");
    assert_eq!(
        (amount["min"].as_f64(), amount["max"].as_f64()),
        (Some(1.0), Some(99.0))
    );
    assert_eq!(channel["distinct"].as_i64(), Some(3));
    assert_eq!(
        channel["topValues"],
        serde_json::json!([{"value": "web", "count": 335}, {"value": "phone", "count": 333}, {"value": "store", "count": 333}])
    );
    assert_eq!(channel["histogram"], serde_json::json!([]));
    assert_eq!(
        day["topValues"],
        serde_json::json!([{"value": "2024-05-01", "count": 1000}, {"value": "2024-05-02", "count": 1}])
    );
    // Each column's own statistics, from the same profile.
    let stats: Vec<Value> = t["columns"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["stats"]["nulls"].clone())
        .collect();
    assert_eq!(
        stats,
        [
            serde_json::json!(0),
            serde_json::json!(100),
            serde_json::json!(0),
            serde_json::json!(0)
        ]
    );

    // Others who see the table but may not read its data see no statistics.
    let t = f.ok(guest(), &q).await["table"].clone();
    assert_eq!(t["profile"], Value::Null);
    assert_eq!(t["columns"]["nodes"][1]["stats"], Value::Null);
    // Only the owners profile.
    let r = f.run(guest(), &run(&orders)).await;
    assert_eq!(Fixture::codes(&r), ["FORBIDDEN"]);

    // A file that cannot be read fails the run, named; the last good profile stays.
    write(
        &dir.join("orders/day=2024-05-03/part-0.parquet"),
        "not parquet",
    );
    f.ok(owner(), &run(&orders)).await;
    let failed = f
        .run_lake_tasks(lake.path(), &orders, "tables.profile")
        .await;
    assert!(
        matches!(failed.as_slice(), [Processed::Failed(_)]),
        "{failed:?}"
    );
    let t = f.ok(owner(), &q).await["table"].clone();
    assert_eq!(t["profileRun"]["status"], "FAILED");
    let error = t["profileRun"]["error"].as_str().unwrap();
    assert!(error.contains("day=2024-05-03/part-0.parquet"), "{error}");
    assert_eq!(t["profile"]["taskId"], asked["taskId"]);

    // A table gone from the lake is not profiled; bad ids are field errors.
    std::fs::remove_dir_all(dir.join("refunds")).unwrap();
    let refunds = tables["refunds"]["id"].as_str().unwrap().to_owned();
    f.sync(owner(), &ds).await;
    f.run_syncs(lake.path(), &ds).await;
    let counts = f.row_counts().await;
    let r = f.run(owner(), &run(&refunds)).await;
    assert_eq!(Fixture::codes(&r), ["CONFLICT"], "{:?}", r.errors);
    let r = f.run(owner(), &run("not-a-table")).await;
    assert_eq!(Fixture::codes(&r), ["BAD_USER_INPUT"]);
    assert_eq!(f.row_counts().await, counts, "nothing was written");
}

async fn imported_datasets_are_verified_before_their_tables_are_read(b: Backend) {
    let lake = tempfile::tempdir().unwrap();
    let f = Fixture::with_lake(b, Arc::new(LocalLake::new(lake.path()))).await;
    let env = f.id("env");
    let created = f
        .ok(
            owner(),
            &format!(
                r#"mutation {{ createDataset(input: {{environmentId: "{env}", label: "Sales raw", ownerTeam: "owners", import: {{bucket: "sales-raw", glueDatabase: "sales_raw", kmsAlias: "alias/sales"}}}}) {{ id slug imported ready importCheck {{ status }} }} }}"#
            ),
        )
        .await["createDataset"]
        .clone();
    let ds = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["imported"], true);
    assert_eq!(created["ready"], false, "its stack is not deployed yet");
    assert_eq!(
        created["importCheck"]["status"], "PENDING",
        "verified when imported"
    );
    let check = format!(
        r#"{{ dataset(id: "{ds}") {{ importCheck {{ status checks {{ field ok message }} finishedAt }} }} }}"#
    );
    // The local lake's bucket is the dataset's folder: not there yet, the check fails, named.
    let failed = f.run_lake_tasks(lake.path(), &ds, "dataset.verify").await;
    assert!(
        matches!(failed.as_slice(), [Processed::Failed(_)]),
        "{failed:?}"
    );
    let c = f.ok(owner(), &check).await["dataset"]["importCheck"].clone();
    assert_eq!(c["status"], "FAILED");
    assert_eq!(c["checks"].as_array().unwrap().len(), 1, "{c}");
    assert_eq!(c["checks"][0]["field"], "aws.bucket", "{c}");
    assert_eq!(c["checks"][0]["ok"], false);
    let slug = created["slug"].as_str().unwrap();
    assert!(
        c["checks"][0]["message"]
            .as_str()
            .unwrap()
            .contains(&format!("{env}/{slug}")),
        "{c}"
    );
    // Not ready: its tables are not synced until it passes.
    let counts = f.row_counts().await;
    let r = f
        .run(
            owner(),
            &format!(r#"mutation {{ syncTables(input: {{datasetId: "{ds}"}}) {{ taskId }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["CONFLICT"]);
    let reason = r.errors[0]
        .extensions
        .as_ref()
        .unwrap()
        .get("reason")
        .unwrap()
        .to_string();
    assert_eq!(reason.trim_matches('"'), "dataset_not_ready");
    assert!(
        r.errors[0].message.contains("aws.bucket: folder"),
        "{}",
        r.errors[0].message
    );
    assert_eq!(f.row_counts().await, counts, "nothing was written");

    // Fixed, and verified again: every check passes.
    std::fs::create_dir_all(lake.path().join(&env).join(slug)).unwrap();
    let again = f
        .ok(
            owner(),
            &format!(
                r#"mutation {{ verifyDataset(input: {{datasetId: "{ds}"}}) {{ taskId status }} }}"#
            ),
        )
        .await["verifyDataset"]
        .clone();
    assert_eq!(again["status"], "PENDING");
    assert_eq!(
        f.run_lake_tasks(lake.path(), &ds, "dataset.verify").await,
        vec![Processed::Succeeded]
    );
    let c = f.ok(owner(), &check).await["dataset"]["importCheck"].clone();
    assert_eq!(c["status"], "SUCCEEDED");
    let fields: Vec<(&str, bool)> = c["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["field"].as_str().unwrap(), c["ok"].as_bool().unwrap()))
        .collect();
    assert_eq!(
        fields,
        [
            ("aws.bucket", true),
            ("aws.kmsAlias", true),
            ("aws.glueDatabase", true)
        ]
    );
    f.sync(owner(), &ds).await;

    // Only imported datasets are verified, by their owners.
    let made = f.id("dataset");
    let r = f
        .run(
            owner(),
            &format!(
                r#"mutation {{ verifyDataset(input: {{datasetId: "{made}"}}) {{ taskId }} }}"#
            ),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["BAD_USER_INPUT"]);
    let r = f
        .run(
            guest(),
            &format!(r#"mutation {{ verifyDataset(input: {{datasetId: "{ds}"}}) {{ taskId }} }}"#),
        )
        .await;
    assert_ne!(Fixture::codes(&r), Vec::<String>::new());
    let q = format!(r#"{{ dataset(id: "{made}") {{ imported importCheck {{ status }} }} }}"#);
    assert_eq!(
        f.ok(owner(), &q).await["dataset"]["importCheck"],
        Value::Null
    );
}

async fn a_crawl_of_the_local_lake_syncs_at_once(b: Backend) {
    let lake = tempfile::tempdir().unwrap();
    let f = Fixture::with_lake(b, Arc::new(LocalLake::new(lake.path()))).await;
    let (env, ds) = (f.id("env"), f.id("dataset"));
    let slug = f
        .ok(owner(), &format!(r#"{{ dataset(id: "{ds}") {{ slug }} }}"#))
        .await["dataset"]["slug"]
        .as_str()
        .unwrap()
        .to_owned();
    let dir = lake.path().join(&env).join(&slug);
    write(&dir.join("orders/part-0.csv"), "order_id\n1\n");

    // Bad prefixes are refused on their field, writing nothing.
    let counts = f.row_counts().await;
    for bad in ["../other", "s3://elsewhere/x"] {
        let r = f
            .run(
                owner(),
                &format!(r#"mutation {{ startCrawler(input: {{datasetId: "{ds}", prefix: "{bad}"}}) {{ taskId }} }}"#),
            )
            .await;
        assert_eq!(Fixture::codes(&r), ["BAD_USER_INPUT"], "{bad}");
        let field = r.errors[0]
            .extensions
            .as_ref()
            .unwrap()
            .get("field")
            .unwrap()
            .to_string();
        assert_eq!(field.trim_matches('"'), "input.prefix");
    }
    assert_eq!(f.row_counts().await, counts, "nothing was written");

    let run = f
        .ok(
            owner(),
            &format!(r#"mutation {{ startCrawler(input: {{datasetId: "{ds}", prefix: "orders/"}}) {{ taskId status prefix }} }}"#),
        )
        .await["startCrawler"]
        .clone();
    assert_eq!(
        (run["status"].as_str(), run["prefix"].as_str()),
        (Some("PENDING"), Some("orders/"))
    );
    assert_eq!(
        f.run_lake_tasks(lake.path(), &ds, "tables.crawl").await,
        vec![Processed::Succeeded]
    );
    let q = format!(
        r#"{{ dataset(id: "{ds}") {{ tableCrawl {{ status crawler path }} tableSync {{ status }} }} }}"#
    );
    let d = f.ok(owner(), &q).await["dataset"].clone();
    assert_eq!(d["tableCrawl"]["status"], "SUCCEEDED");
    assert_eq!(
        d["tableCrawl"]["crawler"],
        Value::Null,
        "the local lake needs no crawler"
    );
    assert!(
        d["tableCrawl"]["path"]
            .as_str()
            .unwrap()
            .ends_with(&format!("{slug}/orders/")),
        "{d}"
    );
    assert_eq!(
        d["tableSync"]["status"], "PENDING",
        "the crawl requested a sync"
    );
    assert_eq!(
        f.run_syncs(lake.path(), &ds).await,
        vec![Processed::Succeeded]
    );
    assert!(f.tables(&ds).await.get("orders").is_some());
    // Only the owners crawl.
    let r = f
        .run(
            guest(),
            &format!(r#"mutation {{ startCrawler(input: {{datasetId: "{ds}"}}) {{ taskId }} }}"#),
        )
        .await;
    assert_ne!(Fixture::codes(&r), Vec::<String>::new());
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
    previews_read_the_files_for_owners_and_granted_teams,
    profiles_count_every_row_for_those_who_may_read_the_data,
    imported_datasets_are_verified_before_their_tables_are_read,
    a_crawl_of_the_local_lake_syncs_at_once,
);
