//! Keeping the search index in line with the catalog: the `search.index` task (one pending
//! per dataset or glossary, written by every mutation that changes what search shows)
//! rebuilds that unit's documents from the database and swaps them in one step, so a failed index write
//! is retried and the index converges; [`reindex`] rebuilds everything.

use std::sync::Arc;

use async_trait::async_trait;
use lakecat_core::catalog::{DatasetFilter, Task};
use lakecat_core::page::{MAX_PAGE_SIZE, PageRequest};
use lakecat_core::ports::CatalogStore;
use lakecat_core::search::{
    SEARCH_REBUILD_KIND, SEARCH_TASK_KIND, SearchDoc, SearchIndex, index_target,
};
use lakecat_core::tasks::{TaskError, TaskHandler, TaskStore};
use lakecat_core::{ErrorCode, Result};

/// Runs `search.index` tasks.
pub struct SearchHandler {
    store: Arc<dyn CatalogStore>,
    index: Arc<dyn SearchIndex>,
}

impl SearchHandler {
    pub fn new(store: Arc<dyn CatalogStore>, index: Arc<dyn SearchIndex>) -> Self {
        SearchHandler { store, index }
    }
}

#[async_trait]
impl TaskHandler for SearchHandler {
    fn kind(&self) -> &'static str {
        SEARCH_TASK_KIND
    }

    async fn run(&self, task: &Task) -> std::result::Result<serde_json::Value, TaskError> {
        let raw = task
            .payload
            .get("dataset_id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| TaskError::permanent("payload has no dataset_id"))?;
        // A dataset's id, or a glossary's (the index's other unit; the key kept its name).
        match index_target(self.store.as_ref(), self.index.as_ref(), raw).await {
            Ok(n) => Ok(serde_json::json!({ "documents": n })),
            Err(e) if e.code == ErrorCode::BadUserInput => Err(TaskError::permanent(e.message)),
            // The index or the database is unavailable: try again; the rebuild is idempotent.
            Err(e) => Err(TaskError::retryable(e.message)),
        }
    }
}

/// Runs `search.rebuild` tasks: [`rebuild`] in the process that holds the index, while it
/// keeps serving searches and indexing mutations. The task's `result` tells how far it has
/// got as it runs (`datasets`, `documents`), and each report extends its lease.
pub struct SearchRebuildHandler {
    store: Arc<dyn CatalogStore>,
    index: Arc<dyn SearchIndex>,
}

impl SearchRebuildHandler {
    pub fn new(store: Arc<dyn CatalogStore>, index: Arc<dyn SearchIndex>) -> Self {
        SearchRebuildHandler { store, index }
    }
}

/// How often a running rebuild reports its progress.
const REBUILD_REPORT: std::time::Duration = std::time::Duration::from_secs(1);
/// The lease each report gives a running rebuild.
const REBUILD_LEASE: std::time::Duration = std::time::Duration::from_secs(120);

#[async_trait]
impl TaskHandler for SearchRebuildHandler {
    fn kind(&self) -> &'static str {
        SEARCH_REBUILD_KIND
    }

    async fn run(&self, task: &Task) -> std::result::Result<serde_json::Value, TaskError> {
        let (tx, rx) = tokio::sync::watch::channel((0u64, 0u64));
        let work = rebuild(
            self.store.as_ref(),
            self.store.as_ref(),
            self.index.as_ref(),
            move |datasets, documents| {
                // No receiver left means the report loop ended: the rebuild ends with it.
                let _ = tx.send((datasets, documents));
            },
        );
        let report = async {
            loop {
                tokio::time::sleep(REBUILD_REPORT).await;
                let (datasets, documents) = *rx.borrow();
                let progress = serde_json::json!({ "datasets": datasets, "documents": documents });
                match self
                    .store
                    .progress(&task.id, task.attempts, &progress, REBUILD_LEASE)
                    .await
                {
                    Ok(()) => {}
                    // Another worker took the task over: stop, rather than rebuild twice.
                    Err(e) if e.code == ErrorCode::Conflict => return e,
                    // The report is lost; the lease still runs, and the next report may land.
                    Err(_) => {}
                }
            }
        };
        tokio::select! {
            done = work => match done {
                Ok((datasets, documents, superseded)) => Ok(serde_json::json!({
                    "datasets": datasets,
                    "documents": documents,
                    "superseded_tasks": superseded,
                })),
                Err(e) => Err(TaskError::retryable(e.message)),
            },
            lost = report => Err(TaskError::retryable(lost.message)),
        }
    }
}

/// Tasks written this long before a rebuild began are left to run: another machine's clock
/// may be behind.
const CLOCK_MARGIN: chrono::Duration = chrono::Duration::seconds(60);

/// [`reindex`], then finishes the `search.index` tasks written before it began, since it has
/// done their work: a server started after a bulk load, or an operator's `lakecat reindex`,
/// would otherwise index those datasets once more, and every one of those commits would
/// empty the search caches. Last, compacts the index ([`SearchIndex::compact`]). Returns
/// (datasets, documents, tasks finished).
pub async fn rebuild(
    store: &dyn CatalogStore,
    tasks: &dyn TaskStore,
    index: &dyn SearchIndex,
    progress: impl FnMut(u64, u64),
) -> Result<(u64, u64, u64)> {
    let began = chrono::Utc::now();
    let (datasets, documents) = reindex(store, index, progress).await?;
    let finished = supersede_search_tasks(tasks, began).await?;
    index.compact().await.map_err(|mut e| {
        // The index is complete and searchable; only its merge into one segment failed.
        e.message = format!(
            "the index was rebuilt ({documents} documents) but compacting it failed: {}",
            e.message
        );
        e
    })?;
    Ok((datasets, documents, finished))
}

/// Finishes the `search.index` tasks written before a rebuild that began at `began`, once
/// its index is the one searches read (after an alias swap, for OpenSearch).
pub async fn supersede_search_tasks(
    tasks: &dyn TaskStore,
    began: chrono::DateTime<chrono::Utc>,
) -> Result<u64> {
    tasks
        .supersede(
            SEARCH_TASK_KIND,
            began - CLOCK_MARGIN,
            &serde_json::json!({ "superseded_by": "search rebuild", "began": began }),
        )
        .await
}

/// Documents a rebuild swaps in per commit.
const REINDEX_BATCH: usize = 20_000;

/// Rebuilds the index from the database, a page of datasets at a time, then the glossaries
/// (each dataset or glossary swapped in one step, so search stays up); `progress` hears (datasets read, documents read) after
/// each page. Reading the next pages from the database overlaps with indexing the last batch.
pub async fn reindex(
    store: &dyn CatalogStore,
    index: &dyn SearchIndex,
    mut progress: impl FnMut(u64, u64),
) -> Result<(u64, u64)> {
    let (mut datasets, mut documents) = (0u64, 0u64);
    let mut seen = std::collections::HashSet::new();
    // One batch indexed while the next is read: at most two in memory.
    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<(String, Vec<SearchDoc>)>>(1);
    let read = async {
        let mut after = None;
        let mut batch = Vec::new();
        loop {
            let page = store
                .list_datasets(
                    &DatasetFilter::default(),
                    &PageRequest {
                        first: MAX_PAGE_SIZE,
                        after: after.clone(),
                    },
                )
                .await?;
            after = page.items.last().map(|(k, _)| k.clone());
            let ids: Vec<String> = page.items.iter().map(|(_, d)| d.id.to_string()).collect();
            seen.extend(ids.iter().cloned());
            let sets = lakecat_core::search::datasets_documents(store, &ids).await?;
            documents += sets.iter().map(|(_, d)| d.len() as u64).sum::<u64>();
            datasets += sets.len() as u64;
            batch.extend(sets);
            // Pages of datasets are swapped together, one commit per REINDEX_BATCH documents
            // or so: per-page commits would make a rebuild of 100,000 datasets commit 1,000
            // times.
            let pending: usize = batch.iter().map(|(_, d)| d.len()).sum();
            let last = !page.has_next || after.is_none();
            // A failed send means the indexing side stopped: its error is the one reported.
            if (pending >= REINDEX_BATCH || last)
                && tx.send(std::mem::take(&mut batch)).await.is_err()
            {
                break;
            }
            progress(datasets, documents);
            if last {
                break;
            }
        }
        drop(tx);
        Ok::<(), lakecat_core::Error>(())
    };
    let write = async {
        while let Some(batch) = rx.recv().await {
            index.replace_datasets(batch).await?;
        }
        Ok::<(), lakecat_core::Error>(())
    };
    tokio::try_join!(read, write)?;
    // Then the glossaries, the index's other unit (their terms).
    let mut after = None;
    loop {
        let page = store
            .list_glossaries(&PageRequest {
                first: MAX_PAGE_SIZE,
                after: after.clone(),
            })
            .await?;
        after = page.items.last().map(|(k, _)| k.clone());
        let ids: Vec<String> = page.items.iter().map(|(_, g)| g.id.to_string()).collect();
        seen.extend(ids.iter().cloned());
        let sets = lakecat_core::search::glossaries_documents(store, &ids).await?;
        documents += sets.iter().map(|(_, d)| d.len() as u64).sum::<u64>();
        index.replace_datasets(sets).await?;
        if !page.has_next || after.is_none() {
            break;
        }
    }
    progress(datasets, documents);
    // Datasets the index holds and the catalog no longer has (deleted while the index was
    // down, say) are removed; one created since its page was read is not.
    let stale: Vec<String> = index
        .dataset_ids()
        .await?
        .into_iter()
        .filter(|id| !seen.contains(id))
        .collect();
    for chunk in stale.chunks(1000) {
        let mut exist: std::collections::HashSet<String> = store
            .datasets_by_ids(chunk)
            .await?
            .into_iter()
            .map(|d| d.id.to_string())
            .collect();
        exist.extend(
            store
                .glossary_nodes_by_ids(chunk)
                .await?
                .into_iter()
                .map(|g| g.id.to_string()),
        );
        let gone: Vec<(String, Vec<SearchDoc>)> = chunk
            .iter()
            .filter(|id| !exist.contains(*id))
            .map(|id| (id.clone(), vec![]))
            .collect();
        if !gone.is_empty() {
            index.replace_datasets(gone).await?;
        }
    }
    Ok((datasets, documents))
}
