//! `lakecat seed --demo` writes the demo tables' sample Parquet files into the local lake, and
//! `lakecat sync` reads them back as the catalog describes them; a new table is added, a
//! broken one is reported with its reason and makes the exit status 1, a second run with
//! nothing changed writes nothing.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::path::Path;
use std::process::{Command, Output};

use lakecat_core::page::PageRequest;
use lakecat_core::ports::DatasetStore;

fn lakecat(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_lakecat"))
        .args(args)
        .arg("--data-dir")
        .arg(dir)
        .env_remove("LAKECAT_DATABASE_URL")
        .env_remove("LAKECAT_LAKE_DIR")
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn sync_reads_the_local_lake_and_reports_broken_tables() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let seed = lakecat(&data, &["seed", "--demo"]);
    assert!(seed.status.success(), "{}", text(&seed.stderr));
    let store = lakecat_store::SeaStore::open(&lakecat_store::StoreConfig::new(
        lakecat_store::sqlite_url(&data.join("catalog.db")),
    ))
    .await
    .unwrap();
    let page = store
        .list_datasets(&Default::default(), &PageRequest::first(100))
        .await
        .unwrap();
    let ds = page
        .items
        .into_iter()
        .map(|(_, d)| d)
        .find(|d| d.slug.as_str() == "sales-orders")
        .unwrap();
    let folder = data
        .join("lake")
        .join(ds.environment_id.as_str())
        .join(ds.slug.as_str());
    std::fs::create_dir_all(folder.join("returns")).unwrap();
    std::fs::write(
        folder.join("returns/part-0.csv"),
        "return_id,order_id,reason\n1,1001,damaged\n",
    )
    .unwrap();
    std::fs::create_dir_all(folder.join("refunds")).unwrap();
    std::fs::write(folder.join("refunds/part-0.parquet"), "not parquet").unwrap();

    // The demo's own tables have their sample files, where their locations say.
    let before = store
        .list_tables(&ds.id, &PageRequest::first(100))
        .await
        .unwrap();
    for (_, t) in &before.items {
        let dir = t.location.strip_prefix("file://").unwrap();
        assert!(
            dir.ends_with(&format!("/sales-orders/{}", t.glue_name.as_str())),
            "{dir}"
        );
        let days = std::fs::read_dir(dir).unwrap().count();
        assert_eq!(days, 5, "{dir}: one dt= folder per day");
    }
    let id = ds.id.to_string();
    let run = lakecat(&data, &["sync", "--dataset", &id]);
    let out = text(&run.stdout);
    assert_eq!(run.status.code(), Some(1), "{out}\n{}", text(&run.stderr));
    assert!(
        out.contains(&format!(
            "{id}: 1 created, 2 updated, 0 unchanged, 0 deleted, 0 restored, 1 failed"
        )),
        "{out}"
    );
    assert!(
        out.contains("  refunds: file part-0.parquet: not a Parquet file"),
        "{out}"
    );
    assert!(text(&run.stderr).contains("1 table(s) or dataset(s) could not be synced"));
    let tables = store
        .list_tables(&ds.id, &PageRequest::first(100))
        .await
        .unwrap();
    let returns = tables
        .items
        .iter()
        .map(|(_, t)| t)
        .find(|t| t.glue_name.as_str() == "returns")
        .unwrap();
    assert_eq!(returns.format, "csv");

    // Fixed, and every dataset synced: the new table is added, nothing else changes.
    std::fs::remove_file(folder.join("refunds/part-0.parquet")).unwrap();
    std::fs::write(
        folder.join("refunds/part-0.csv"),
        "refund_id,amount\n1,9.5\n",
    )
    .unwrap();
    let run = lakecat(&data, &["sync"]);
    let out = text(&run.stdout);
    assert!(run.status.success(), "{out}\n{}", text(&run.stderr));
    assert!(
        out.contains(&format!(
            "{id}: 1 created, 0 updated, 3 unchanged, 0 deleted, 0 restored, 0 failed"
        )),
        "{out}"
    );
    assert_eq!(out.lines().count(), 8, "a line per demo dataset: {out}");
    // The sample files read back with the demo's column types and descriptions kept.
    let tables = store
        .list_tables(&ds.id, &PageRequest::first(100))
        .await
        .unwrap();
    let orders = tables
        .items
        .iter()
        .map(|(_, t)| t)
        .find(|t| t.glue_name.as_str() == "sales_orders")
        .unwrap();
    let columns = store
        .list_columns(&orders.id, &PageRequest::first(100))
        .await
        .unwrap();
    let shown: Vec<String> = columns
        .items
        .iter()
        .map(|(_, c)| format!("{} {} {}", c.name, c.data_type, c.description.as_str()))
        .collect();
    assert_eq!(
        shown,
        [
            "order_id bigint Unique order number",
            "customer_id bigint Customer who placed the order",
            "store_id int Store or web shop that took the order",
            "order_ts timestamp When the order was placed (UTC)",
            "net_revenue decimal(12,2) Order value after discounts and returns, excluding VAT",
            "currency string ISO 4217 currency code",
            "dt date Partition: order date",
        ]
    );

    // A table whose folder is removed is marked deleted: gone from the list, kept by id.
    let returns_id = returns.id.clone();
    let moved = data.join("returns-aside");
    std::fs::rename(folder.join("returns"), &moved).unwrap();
    let run = lakecat(&data, &["sync", "--dataset", &id]);
    let out = text(&run.stdout);
    assert!(run.status.success(), "{out}\n{}", text(&run.stderr));
    assert!(
        out.contains(&format!(
            "{id}: 0 created, 0 updated, 3 unchanged, 1 deleted, 0 restored, 0 failed"
        )),
        "{out}"
    );
    let listed = store
        .list_tables(&ds.id, &PageRequest::first(100))
        .await
        .unwrap();
    assert!(
        listed
            .items
            .iter()
            .all(|(_, t)| t.glue_name.as_str() != "returns"),
        "a deleted table is not listed"
    );
    let kept = store
        .tables_by_ids(&[returns_id.to_string()])
        .await
        .unwrap();
    assert!(kept[0].deleted_at.is_some(), "kept, marked deleted");
    // Back in the lake: restored, with the same id.
    std::fs::rename(&moved, folder.join("returns")).unwrap();
    let run = lakecat(&data, &["sync", "--dataset", &id]);
    let out = text(&run.stdout);
    assert!(
        out.contains(&format!(
            "{id}: 0 created, 0 updated, 3 unchanged, 0 deleted, 1 restored, 0 failed"
        )),
        "{out}"
    );
    let back = store
        .tables_by_ids(&[returns_id.to_string()])
        .await
        .unwrap();
    assert_eq!(back[0].deleted_at, None);
}
