//! The `table-sync` scenario: the store side of a sync at scale. A dataset's tables — 100,000
//! of 20 columns by default, as if every page of the lake's listing were already fetched —
//! recorded by `record_discovered_tables` (what the `tables.sync` task runs) on a fresh
//! PostgreSQL database: the first sync (everything created), a re-sync with nothing changed,
//! and a re-sync with 1 % of the tables changed. Each in one transaction, search documents
//! included.

use std::time::Instant;

use anyhow::{Result, anyhow};
use hdrhistogram::Histogram;
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::{DiscoveredColumn, DiscoveredTable};
use lakecat_core::names::GlueName;
use lakecat_core::ports::DatasetStore;

use crate::Outcome;

const COLUMNS: usize = 20;

fn tables(n: usize, changed_every: Option<usize>) -> Result<Vec<DiscoveredTable>> {
    (0..n)
        .map(|i| {
            let changed = changed_every.is_some_and(|k| i % k == 0);
            Ok(DiscoveredTable {
                glue_name: GlueName::parse("table", &format!("events_{i:06}"))
                    .map_err(|e| anyhow!(e.message))?,
                location: format!("file:///lake/bench/events_{i:06}"),
                format: "parquet".into(),
                properties: serde_json::json!({ "classification": "parquet" }),
                description: None,
                columns: (0..COLUMNS + usize::from(changed))
                    .map(|c| DiscoveredColumn {
                        name: format!("col_{c:02}"),
                        data_type: if c % 3 == 0 { "bigint" } else { "string" }.into(),
                        is_partition: c == COLUMNS - 1,
                        description: None,
                    })
                    .collect(),
            })
        })
        .collect()
}

/// Records `n` tables three times (first sync, unchanged, 1 % changed); the latency column
/// holds the three durations.
pub(crate) async fn table_sync(n: usize, json: bool) -> Result<Outcome> {
    let (store, _, ds) =
        crate::lake_sync::catalog("Sync bench", "sync-bench", "111122223333").await?;
    let meta = MutationMeta {
        actor: "lakecat-bench".into(),
        action: "syncTables".into(),
        request_id: "bench".into(),
    };
    let mut hist = Histogram::<u64>::new(3)?;
    let mut lines = vec![];
    for (what, listing) in [
        ("first sync", tables(n, None)?),
        ("unchanged", tables(n, None)?),
        ("1 % changed", tables(n, Some(100))?),
    ] {
        let t = Instant::now();
        let s = store
            .record_discovered_tables(&meta, &ds.id, &listing)
            .await
            .map_err(|e| anyhow!(e.message))?;
        let took = t.elapsed();
        hist.record(took.as_micros() as u64)?;
        lines.push(format!(
            "{what}: {:.2} s ({} created, {} updated, {} unchanged, {} columns written)",
            took.as_secs_f64(),
            s.tables_created,
            s.tables_updated,
            s.tables_unchanged,
            s.columns_written
        ));
    }
    if !json {
        eprintln!("table-sync: {n} tables of {COLUMNS} columns, one dataset, PostgreSQL");
        for l in &lines {
            eprintln!("  {l}");
        }
    }
    Ok(Outcome {
        scenario: "table-sync".into(),
        requests: 3,
        errors: 0,
        rps: None,
        hist,
        rss_mb: None,
    })
}
