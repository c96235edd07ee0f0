//! `lakecat reindex` on the embedded index while `lakecat serve` holds it: only one process
//! can write a tantivy index, so the server rebuilds it, and this follows the rebuild task.

use std::time::{Duration, Instant};

use anyhow::{Result, anyhow, bail};
use lakecat_core::catalog::TaskStatus;
use lakecat_core::page::PageRequest;
use lakecat_core::ports::CatalogStore;
use lakecat_core::search::{SEARCH_REBUILD_KIND, SEARCH_REBUILD_TARGET};
use lakecat_core::tasks::NewTask;

/// How long a rebuild task may wait for a server to take it (a server sweeps every 2 s).
pub const PICKUP_TIMEOUT: Duration = Duration::from_secs(60);
const POLL: Duration = Duration::from_millis(250);

/// What [`through_server`] reports as it waits.
pub enum Step {
    /// No server has taken the task yet (since how long).
    Waiting(Duration),
    /// The server's rebuild has read this many datasets and documents.
    Running { datasets: u64, documents: u64 },
}

/// Has the server rebuild the index: follows the rebuild task already pending or running, or
/// writes one, until it finishes. Returns (datasets, documents, search tasks superseded).
/// Searches keep answering from the index meanwhile: the server swaps each dataset's
/// documents in one step.
pub async fn through_server(
    store: &dyn CatalogStore,
    mut step: impl FnMut(Step),
) -> Result<(u64, u64, u64)> {
    let err = |e: lakecat_core::Error| anyhow!(e.message);
    let running = store
        .list_tasks(SEARCH_REBUILD_TARGET, &PageRequest::first(100))
        .await
        .map_err(err)?
        .items
        .into_iter()
        .map(|(_, t)| t)
        .find(|t| t.kind == SEARCH_REBUILD_KIND && !t.status.is_finished());
    let id = match running {
        Some(t) => t.id.to_string(),
        None => {
            let task = NewTask::new(
                SEARCH_REBUILD_KIND,
                Some(SEARCH_REBUILD_TARGET),
                serde_json::json!({}),
            )
            .unpublished();
            store
                .enqueue(std::slice::from_ref(&task))
                .await
                .map_err(err)?;
            task.id.to_string()
        }
    };
    let since = Instant::now();
    loop {
        let task = store
            .tasks_by_ids(std::slice::from_ref(&id))
            .await
            .map_err(err)?
            .pop()
            .ok_or_else(|| anyhow!("the rebuild task {id} is gone"))?;
        let count = |key: &str| {
            task.result
                .as_ref()
                .and_then(|r| r[key].as_u64())
                .unwrap_or(0)
        };
        match task.status {
            TaskStatus::Succeeded => {
                return Ok((
                    count("datasets"),
                    count("documents"),
                    count("superseded_tasks"),
                ));
            }
            TaskStatus::Failed => bail!(
                "the server's rebuild failed: {}",
                task.error.unwrap_or_default()
            ),
            TaskStatus::Running => step(Step::Running {
                datasets: count("datasets"),
                documents: count("documents"),
            }),
            // Pending: not taken yet, or given back to retry after an error.
            _ if task.attempts > 0 => step(Step::Running {
                datasets: 0,
                documents: 0,
            }),
            _ => {
                let waited = since.elapsed();
                if waited > PICKUP_TIMEOUT {
                    bail!(
                        "no lakecat serve took the rebuild task {id} within {} s; it stays pending, and the server that holds the index runs it when it next sweeps",
                        PICKUP_TIMEOUT.as_secs()
                    );
                }
                step(Step::Waiting(waited));
            }
        }
        tokio::time::sleep(POLL).await;
    }
}
