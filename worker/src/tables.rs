//! `tables.sync`: reads a dataset's tables from the lake (the [`LakeReader`] port) and records
//! them in the catalog in one transaction — new tables created, changed ones updated with the
//! catalog's own edits kept, unchanged ones not written — its search documents with them. A
//! table the reader could not read fails alone: the others are recorded, and the task's
//! result names it with the reason. `lakecat sync` runs the same [`sync_tables`].

use crate::{store_err, worker_meta};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::{Dataset, DatasetFilter, Environment, GlueDatabaseRef, Task};
use lakecat_core::ids::{DatasetId, TableId};
use lakecat_core::lake::{
    LakeReader, MAX_PREVIEW_ROWS, PreviewAnswer, PreviewRequest, TABLES_SYNC_KIND, TableFailure,
    TablePreview,
};
use lakecat_core::page::PageRequest;
use lakecat_core::ports::{CatalogStore, SyncSummary};
use lakecat_core::tasks::TaskQueue;
use lakecat_core::tasks::{TaskError, TaskHandler};
use lakecat_core::{Error, ErrorCode, Reason};
use serde_json::Value;

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

/// The dataset a task works on, and its environment; either gone is a permanent failure.
async fn dataset_and_environment(
    store: &dyn CatalogStore,
    dataset_id: &str,
) -> Result<(Dataset, Environment), TaskError> {
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
    Ok((dataset, environment))
}

/// Reads the dataset's tables through `lake` and records them as `meta`'s change.
pub async fn sync_tables(
    store: &dyn CatalogStore,
    lake: &dyn LakeReader,
    dataset_id: &str,
    meta: &MutationMeta,
) -> Result<SyncOutcome, TaskError> {
    sync_named_tables(store, lake, dataset_id, None, meta).await
}

/// [`sync_tables`], or with `names` (a Glue event's) just those tables: those found created
/// or updated, those the lake no longer has marked deleted, the dataset's other tables left
/// alone.
pub async fn sync_named_tables(
    store: &dyn CatalogStore,
    lake: &dyn LakeReader,
    dataset_id: &str,
    names: Option<&[String]>,
    meta: &MutationMeta,
) -> Result<SyncOutcome, TaskError> {
    let (dataset, environment) = dataset_and_environment(store, dataset_id).await?;
    let id = DatasetId::parse("dataset", dataset_id).map_err(store_err)?;
    let (discovery, summary) = match names {
        None => {
            let discovery = lake.discover(&environment, &dataset).await?;
            // The listing is complete: tables it lacks are gone from the lake (marked
            // deleted), but one that failed to read this time is still there.
            let unread: Vec<String> = discovery.failures.iter().map(|f| f.table.clone()).collect();
            let summary = store
                .record_table_listing(meta, &id, &discovery.tables, &unread)
                .await;
            (discovery, summary)
        }
        Some(names) => {
            let (discovery, missing) = lake.discover_named(&environment, &dataset, names).await?;
            let summary = store
                .record_table_changes(meta, &id, &discovery.tables, &missing)
                .await;
            (discovery, summary)
        }
    };
    let summary = summary.map_err(store_err)?;
    for f in &discovery.failures {
        tracing::warn!(dataset = %dataset_id, table = %f.table, reason = %f.reason, "table not synced");
    }
    Ok(SyncOutcome {
        summary,
        failures: discovery.failures,
    })
}

/// Runs `tables.sync` tasks (target: the dataset; payload `tables`: only those, else all).
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
        let scope = lakecat_core::lake::sync_scope(&task.payload);
        let outcome = sync_named_tables(
            self.store.as_ref(),
            self.lake.as_ref(),
            target,
            scope.as_deref(),
            &meta,
        )
        .await?;
        tracing::info!(
            dataset = %target,
            created = outcome.summary.tables_created,
            updated = outcome.summary.tables_updated,
            unchanged = outcome.summary.tables_unchanged,
            deleted = outcome.summary.tables_deleted,
            failed = outcome.failures.len(),
            tables = scope.as_ref().map_or(0, Vec::len),
            "tables synced"
        );
        let mut result = outcome.to_json();
        if let Some(names) = scope {
            result["tables"] = serde_json::json!(names);
        }
        Ok(result)
    }
}

/// Runs `tables.profile` tasks (target: the table): every row of the table read through the
/// lake, and the [`TableProfile`](lakecat_core::lake::TableProfile) kept as the task's
/// result (what `Table.profile` and `Column.stats` read). A table whose files cannot be read
/// fails for good (the reason names the file); a lake that does not answer is retried.
pub struct TablesProfileHandler {
    store: Arc<dyn CatalogStore>,
    lake: Arc<dyn LakeReader>,
}

impl TablesProfileHandler {
    pub fn new(store: Arc<dyn CatalogStore>, lake: Arc<dyn LakeReader>) -> Self {
        TablesProfileHandler { store, lake }
    }
}

#[async_trait]
impl TaskHandler for TablesProfileHandler {
    fn kind(&self) -> &'static str {
        lakecat_core::lake::TABLES_PROFILE_KIND
    }

    async fn run(&self, task: &Task) -> Result<serde_json::Value, TaskError> {
        let target = task
            .target_id
            .as_deref()
            .ok_or_else(|| TaskError::permanent("a tables.profile task needs a table"))?;
        let table = self
            .store
            .tables_by_ids(&[target.to_owned()])
            .await
            .map_err(store_err)?
            .pop()
            .ok_or_else(|| TaskError::permanent(format!("table {target} does not exist")))?;
        if table.deleted_at.is_some() {
            return Err(TaskError::permanent(format!(
                "table {} is gone from the lake",
                table.glue_name
            )));
        }
        let (dataset, environment) =
            dataset_and_environment(self.store.as_ref(), table.dataset_id.as_str()).await?;
        let mut columns = self
            .store
            .columns_of_tables(&[target.to_owned()])
            .await
            .map_err(store_err)?;
        columns.sort_by_key(|c| c.position);
        let started = std::time::Instant::now();
        let profile = self
            .lake
            .profile(&environment, &dataset, &table, &columns)
            .await
            .map_err(|e| match (e.code, e.reason) {
                (_, Reason::LakeUnreadable | Reason::NotOffered) => TaskError::permanent(e.message),
                (ErrorCode::Unavailable | ErrorCode::Internal, _) => {
                    TaskError::retryable(e.message)
                }
                _ => TaskError::permanent(e.message),
            })?;
        tracing::info!(
            table = %target,
            rows = profile.row_count,
            files = profile.files_read,
            ms = started.elapsed().as_millis() as u64,
            "table profiled"
        );
        serde_json::to_value(&profile)
            .map_err(|e| TaskError::permanent(format!("profile of {target}: {e}")))
    }
}

/// Answers previews asked of the worker (a [`PreviewRequest`] in a `lakecatPreview`
/// invocation) by a process that reads no lake itself: the API Lambda, which has authorized
/// the caller (owner team, granted share, confidentiality) and checked the table and its
/// dataset. The table is read as the catalog has it now, through the lake this worker reads.
pub struct TablePreviews {
    store: Arc<dyn CatalogStore>,
    lake: Arc<dyn LakeReader>,
}

impl TablePreviews {
    pub fn new(store: Arc<dyn CatalogStore>, lake: Arc<dyn LakeReader>) -> Self {
        TablePreviews { store, lake }
    }

    pub async fn answer(&self, request: &PreviewRequest) -> PreviewAnswer {
        PreviewAnswer::from_result(self.preview(request).await)
    }

    async fn preview(&self, request: &PreviewRequest) -> lakecat_core::Result<TablePreview> {
        if !(1..=MAX_PREVIEW_ROWS).contains(&request.limit) {
            return Err(Error::bad_input("limit", "must be 1–100"));
        }
        let id = TableId::parse("tableId", &request.table_id)?;
        let table = self
            .store
            .tables_by_ids(&[id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| Error::not_found("table", id.as_str()))?;
        if table.deleted_at.is_some() {
            return Err(Error::conflict(format!(
                "table {} is gone from the lake",
                table.glue_name
            ))
            .with_reason(Reason::TableDeleted));
        }
        let (dataset, environment) =
            dataset_and_environment(self.store.as_ref(), table.dataset_id.as_str())
                .await
                .map_err(|_| Error::not_found("dataset", table.dataset_id.as_str()))?;
        let mut columns = self.store.columns_of_tables(&[id.to_string()]).await?;
        columns.sort_by_key(|c| c.position);
        self.lake
            .preview(&environment, &dataset, &table, &columns, request.limit)
            .await
    }
}

/// Runs `tables.crawl` tasks (target: the dataset; payload: the prefix): the lake's crawler
/// started over that prefix of the bucket. Where the lake needs none (the local lake), the
/// dataset's tables are synced at once; on Glue the crawler's end (its event) syncs them.
pub struct TablesCrawlHandler {
    store: Arc<dyn CatalogStore>,
    lake: Arc<dyn LakeReader>,
    queue: Arc<dyn TaskQueue>,
}

impl TablesCrawlHandler {
    pub fn new(
        store: Arc<dyn CatalogStore>,
        lake: Arc<dyn LakeReader>,
        queue: Arc<dyn TaskQueue>,
    ) -> Self {
        TablesCrawlHandler { store, lake, queue }
    }
}

#[async_trait]
impl TaskHandler for TablesCrawlHandler {
    fn kind(&self) -> &'static str {
        lakecat_core::lake::TABLES_CRAWL_KIND
    }

    async fn run(&self, task: &Task) -> Result<serde_json::Value, TaskError> {
        let target = task
            .target_id
            .as_deref()
            .ok_or_else(|| TaskError::permanent("a tables.crawl task needs a dataset"))?;
        let prefix = task.payload.get("prefix").and_then(Value::as_str);
        let (dataset, environment) = dataset_and_environment(self.store.as_ref(), target).await?;
        let started = self.lake.crawl(&environment, &dataset, prefix).await?;
        let mut sync_task = None;
        if started.sync_now {
            let meta = worker_meta(task.id.as_str(), "startCrawler");
            let (sync, envelopes) = self
                .store
                .request_table_sync(&meta, &dataset.id, None)
                .await
                .map_err(store_err)?;
            if !envelopes.is_empty()
                && let Err(e) = self.queue.publish(&envelopes, Duration::ZERO).await
            {
                tracing::warn!(dataset = %target, error = %e.message, "sync publish failed; the sweep will");
            }
            sync_task = Some(sync.id.to_string());
        }
        Ok(serde_json::json!({
            "crawler": started.crawler,
            "path": started.path,
            "syncTask": sync_task,
        }))
    }
}

/// Runs `dataset.verify` tasks (target: an imported dataset): its bucket, key and Glue
/// database checked through the lake as lakecat will use them. All checks passed: the task
/// succeeds with them as its result. Any failed: the task fails for good, its error a
/// `field: reason` line per failed check (what `Dataset.importCheck` shows), and the owner
/// team is notified.
pub struct DatasetVerifyHandler {
    store: Arc<dyn CatalogStore>,
    lake: Arc<dyn LakeReader>,
}

impl DatasetVerifyHandler {
    pub fn new(store: Arc<dyn CatalogStore>, lake: Arc<dyn LakeReader>) -> Self {
        DatasetVerifyHandler { store, lake }
    }
}

#[async_trait]
impl TaskHandler for DatasetVerifyHandler {
    fn kind(&self) -> &'static str {
        lakecat_core::lake::DATASET_VERIFY_KIND
    }

    async fn run(&self, task: &Task) -> Result<serde_json::Value, TaskError> {
        let target = task
            .target_id
            .as_deref()
            .ok_or_else(|| TaskError::permanent("a dataset.verify task needs a dataset"))?;
        let (dataset, environment) = dataset_and_environment(self.store.as_ref(), target).await?;
        let checks = self.lake.verify_import(&environment, &dataset).await?;
        if checks.iter().any(|c| !c.ok) {
            return Err(TaskError::permanent(
                lakecat_core::lake::ImportCheck::to_error(&checks),
            ));
        }
        Ok(serde_json::json!({ "checks": checks }))
    }
}

/// What requesting syncs did: the datasets asked for, those whose request joined one
/// already waiting.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncsRequested {
    pub datasets: Vec<DatasetId>,
}

/// Requests a `tables.sync` of each dataset (joining one that waits) and publishes what was
/// written. One dataset that cannot be requested (removed meanwhile) does not hold back the
/// others.
async fn request_syncs(
    store: &dyn CatalogStore,
    queue: &dyn TaskQueue,
    meta: &MutationMeta,
    ids: Vec<DatasetId>,
    tables: Option<&[String]>,
) -> lakecat_core::Result<SyncsRequested> {
    let mut out = SyncsRequested::default();
    for id in ids {
        match store.request_table_sync(meta, &id, tables).await {
            Ok((_, envelopes)) => {
                if !envelopes.is_empty()
                    && let Err(e) = queue.publish(&envelopes, Duration::ZERO).await
                {
                    // Written: the sweep republishes it.
                    tracing::warn!(dataset = %id, error = %e.message, "sync publish failed");
                }
                out.datasets.push(id);
            }
            Err(e) if e.code == ErrorCode::NotFound => continue,
            Err(e) => return Err(e),
        }
    }
    Ok(out)
}

/// The scheduled full sync: every dataset with a usable stack whose tables were not synced
/// for `every` gets a `tables.sync`, so what events missed is caught (daily by default).
/// Runs with the worker's sweep.
pub struct TableSyncSchedule {
    store: Arc<dyn CatalogStore>,
    queue: Arc<dyn TaskQueue>,
    every: Duration,
}

/// Datasets asked for per sweep; the rest follow at the next sweep.
const SCHEDULED_PER_SWEEP: u32 = 500;

impl TableSyncSchedule {
    pub fn new(store: Arc<dyn CatalogStore>, queue: Arc<dyn TaskQueue>, every: Duration) -> Self {
        TableSyncSchedule {
            store,
            queue,
            every,
        }
    }

    /// Requests the syncs due at `now`; returns the datasets asked for.
    pub async fn run(&self, now: DateTime<Utc>) -> lakecat_core::Result<SyncsRequested> {
        let every = chrono::Duration::from_std(self.every)
            .map_err(|e| lakecat_core::Error::internal(format!("sync interval: {e}")))?;
        let due = self
            .store
            .datasets_due_for_table_sync(now - every, SCHEDULED_PER_SWEEP)
            .await?;
        let meta = worker_meta(&format!("sweep-{}", now.timestamp()), "tables.schedule");
        request_syncs(self.store.as_ref(), self.queue.as_ref(), &meta, due, None).await
    }

    /// [`sync_on_glue_event`] with this schedule's store and queue.
    pub async fn on_glue_event(&self, event: &GlueEvent) -> lakecat_core::Result<SyncsRequested> {
        sync_on_glue_event(self.store.as_ref(), self.queue.as_ref(), event).await
    }
}

/// A "Glue Data Catalog Table State Change", "Database State Change" or "Glue Crawler State
/// Change" event from EventBridge: which database changed (or which crawler ended), and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlueEvent {
    pub account: String,
    pub region: String,
    /// Empty for a crawler's event.
    pub database: String,
    /// The crawler whose state changed (a crawler's event only).
    pub crawler: Option<String>,
    /// Glue's `typeOfChange` (CreateTable, UpdateTable, DeleteTable, BatchDeleteTable,
    /// CreatePartition, …).
    pub change: String,
    /// The tables named by the event.
    pub tables: Vec<String>,
}

impl GlueEvent {
    /// None when `event` is not a Glue Data Catalog event; an error when it is one without
    /// what a sync needs.
    pub fn parse(event: &Value) -> Option<Result<GlueEvent, String>> {
        if event.get("source").and_then(Value::as_str) != Some("aws.glue") {
            return None;
        }
        let kind = event.get("detail-type").and_then(Value::as_str)?;
        let text = |v: Option<&Value>, what: &str| {
            v.and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| format!("a Glue event without {what}"))
        };
        let detail = event.get("detail");
        if kind == "Glue Crawler State Change" {
            return Some((|| {
                Ok(GlueEvent {
                    account: text(event.get("account"), "account")?,
                    region: text(event.get("region"), "region")?,
                    database: String::new(),
                    crawler: Some(text(
                        detail.and_then(|d| d.get("crawlerName")),
                        "crawlerName",
                    )?),
                    change: text(detail.and_then(|d| d.get("state")), "state")?,
                    tables: vec![],
                })
            })());
        }
        if kind != "Glue Data Catalog Table State Change"
            && kind != "Glue Data Catalog Database State Change"
        {
            return None;
        }
        Some((|| {
            let mut tables: Vec<String> = vec![];
            if let Some(t) = detail
                .and_then(|d| d.get("tableName"))
                .and_then(Value::as_str)
            {
                tables.push(t.to_owned());
            }
            if let Some(list) = detail
                .and_then(|d| d.get("changedTables"))
                .and_then(Value::as_array)
            {
                tables.extend(list.iter().filter_map(Value::as_str).map(str::to_owned));
            }
            Ok(GlueEvent {
                account: text(event.get("account"), "account")?,
                region: text(event.get("region"), "region")?,
                database: text(detail.and_then(|d| d.get("databaseName")), "databaseName")?,
                crawler: None,
                change: text(detail.and_then(|d| d.get("typeOfChange")), "typeOfChange")?,
                tables,
            })
        })())
    }

    /// Whether the change can alter what the catalog records of a table (its columns,
    /// location, format, parameters, or whether it exists): partition changes cannot; of a
    /// crawler's, only its successful end (Started and Failed change nothing).
    pub fn changes_tables(&self) -> bool {
        match self.crawler {
            Some(_) => self.change == "Succeeded",
            None => !self.change.contains("Partition"),
        }
    }
}

/// Syncs the datasets whose Glue database the event names: just the tables it names (one
/// GetTable each), or the whole database for a crawler's end or an event naming none. A burst
/// of events joins one waiting sync, widened to the tables of all of them; unchanged tables
/// cost no write.
pub async fn sync_on_glue_event(
    store: &dyn CatalogStore,
    queue: &dyn TaskQueue,
    event: &GlueEvent,
) -> lakecat_core::Result<SyncsRequested> {
    if !event.changes_tables() {
        return Ok(SyncsRequested::default());
    }
    let filter = match &event.crawler {
        // The dataset stack names its crawler `<bucket>-crawler`.
        Some(crawler) => match crawler.strip_suffix("-crawler") {
            Some(bucket) => DatasetFilter {
                bucket: Some(bucket.to_owned()),
                ..DatasetFilter::default()
            },
            None => return Ok(SyncsRequested::default()),
        },
        None => DatasetFilter {
            glue_database: Some(GlueDatabaseRef {
                account_id: event.account.clone(),
                region: event.region.clone(),
                database: event.database.clone(),
            }),
            ..DatasetFilter::default()
        },
    };
    let page = store
        .list_datasets(&filter, &PageRequest::first(100))
        .await?;
    let ids = page.items.into_iter().map(|(_, d)| d.id).collect();
    let source = event.crawler.as_deref().unwrap_or(&event.database);
    let meta = worker_meta(&format!("glue-{source}-{}", event.change), "tables.event");
    // An event naming its tables syncs just those; a crawler's end, or a database change
    // naming none, the whole dataset.
    let tables = (event.crawler.is_none() && !event.tables.is_empty()).then_some(&event.tables[..]);
    request_syncs(store, queue, &meta, ids, tables).await
}
