//! Keeping the search index in line with the catalog: the `search.index` task (one pending
//! per dataset, written by every mutation that changes what search shows) rebuilds the
//! dataset's documents from the database and swaps them in one step, so a failed index write
//! is retried and the index converges; [`reindex`] rebuilds everything.

use std::sync::Arc;

use async_trait::async_trait;
use lakecat_core::catalog::{DatasetFilter, Task};
use lakecat_core::ids::DatasetId;
use lakecat_core::page::{MAX_PAGE_SIZE, PageRequest};
use lakecat_core::ports::CatalogStore;
use lakecat_core::search::{SEARCH_TASK_KIND, SearchIndex, index_dataset};
use lakecat_core::tasks::{TaskError, TaskHandler};
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
        let id =
            DatasetId::parse("dataset_id", raw).map_err(|e| TaskError::permanent(e.message))?;
        match index_dataset(self.store.as_ref(), self.index.as_ref(), &id).await {
            Ok(n) => Ok(serde_json::json!({ "documents": n })),
            Err(e) if e.code == ErrorCode::BadUserInput => Err(TaskError::permanent(e.message)),
            // The index or the database is unavailable: try again; the rebuild is idempotent.
            Err(e) => Err(TaskError::retryable(e.message)),
        }
    }
}

/// Rebuilds the index from the database, dataset by dataset (each swapped in one step, so
/// search stays up); `progress` hears (datasets done, documents written) after each.
pub async fn reindex(
    store: &dyn CatalogStore,
    index: &dyn SearchIndex,
    mut progress: impl FnMut(u64, u64),
) -> Result<(u64, u64)> {
    let (mut datasets, mut documents) = (0u64, 0u64);
    let mut after = None;
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
        // A page of datasets is swapped in one commit: per-dataset commits would make a
        // rebuild of 100,000 datasets commit 100,000 times.
        let mut batch = Vec::with_capacity(page.items.len());
        for (_, ds) in &page.items {
            let docs = lakecat_core::search::dataset_documents(store, &ds.id).await?;
            documents += docs.len() as u64;
            batch.push((ds.id.to_string(), docs));
        }
        index.replace_datasets(&batch).await?;
        datasets += batch.len() as u64;
        progress(datasets, documents);
        if !page.has_next || after.is_none() {
            return Ok((datasets, documents));
        }
    }
}
