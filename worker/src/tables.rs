//! `tables.sync`: reads a dataset's tables from the lake (the [`LakeReader`] port) and records
//! them in the catalog in one transaction — new tables created, changed ones updated with the
//! catalog's own edits kept, unchanged ones not written — its search documents with them. A
//! table the reader could not read fails alone: the others are recorded, and the task's
//! result names it with the reason. `lakecat sync` runs the same [`sync_tables`].

use crate::{store_err, worker_meta};
use std::sync::Arc;

use async_trait::async_trait;
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::Task;
use lakecat_core::ids::DatasetId;
use lakecat_core::lake::{LakeReader, TABLES_SYNC_KIND, TableFailure};
use lakecat_core::ports::{CatalogStore, SyncSummary};
use lakecat_core::tasks::{TaskError, TaskHandler};

/// What a sync found and wrote.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SyncOutcome {
    pub summary: SyncSummary,
    pub failures: Vec<TableFailure>,
}

impl SyncOutcome {
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "tablesCreated": self.summary.tables_created,
            "tablesUpdated": self.summary.tables_updated,
            "tablesUnchanged": self.summary.tables_unchanged,
            "tablesDeleted": self.summary.tables_deleted,
            "tablesRestored": self.summary.tables_restored,
            "columnsWritten": self.summary.columns_written,
            "failures": self.failures,
        })
    }
}

/// Reads the dataset's tables through `lake` and records them as `meta`'s change.
pub async fn sync_tables(
    store: &dyn CatalogStore,
    lake: &dyn LakeReader,
    dataset_id: &str,
    meta: &MutationMeta,
) -> Result<SyncOutcome, TaskError> {
    let dataset = store
        .datasets_by_ids(&[dataset_id.to_owned()])
        .await
        .map_err(store_err)?
        .pop()
        .ok_or_else(|| TaskError::permanent(format!("dataset {dataset_id} does not exist")))?;
    let environment = store
        .environments_by_ids(&[dataset.environment_id.as_str().to_owned()])
        .await
        .map_err(store_err)?
        .pop()
        .ok_or_else(|| {
            TaskError::permanent(format!(
                "the environment of dataset {dataset_id} does not exist"
            ))
        })?;
    let discovery = lake.discover(&environment, &dataset).await?;
    let id = DatasetId::parse("dataset", dataset_id).map_err(store_err)?;
    // The listing is complete: tables it lacks are gone from the lake (marked deleted), but
    // one that failed to read this time is still there.
    let unread: Vec<String> = discovery.failures.iter().map(|f| f.table.clone()).collect();
    let summary = store
        .record_table_listing(meta, &id, &discovery.tables, &unread)
        .await
        .map_err(store_err)?;
    for f in &discovery.failures {
        tracing::warn!(dataset = %dataset_id, table = %f.table, reason = %f.reason, "table not synced");
    }
    Ok(SyncOutcome {
        summary,
        failures: discovery.failures,
    })
}

/// Runs `tables.sync` tasks (target: the dataset).
pub struct TablesSyncHandler {
    store: Arc<dyn CatalogStore>,
    lake: Arc<dyn LakeReader>,
}

impl TablesSyncHandler {
    pub fn new(store: Arc<dyn CatalogStore>, lake: Arc<dyn LakeReader>) -> Self {
        TablesSyncHandler { store, lake }
    }
}

#[async_trait]
impl TaskHandler for TablesSyncHandler {
    fn kind(&self) -> &'static str {
        TABLES_SYNC_KIND
    }

    async fn run(&self, task: &Task) -> Result<serde_json::Value, TaskError> {
        let target = task
            .target_id
            .as_deref()
            .ok_or_else(|| TaskError::permanent("a tables.sync task needs a dataset"))?;
        let meta = worker_meta(task.id.as_str(), "syncTables");
        let outcome = sync_tables(self.store.as_ref(), self.lake.as_ref(), target, &meta).await?;
        tracing::info!(
            dataset = %target,
            created = outcome.summary.tables_created,
            updated = outcome.summary.tables_updated,
            unchanged = outcome.summary.tables_unchanged,
            deleted = outcome.summary.tables_deleted,
            failed = outcome.failures.len(),
            "tables synced"
        );
        Ok(outcome.to_json())
    }
}
