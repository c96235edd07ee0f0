//! The worker: takes a task id from the queue, claims the task row under a lease, runs the
//! handler of its kind, and records the outcome — success, a retry after exponential backoff
//! with jitter, or failure with a dead letter and a notification. The same code runs
//! in-process (`lakecat serve`, [`InProcessQueue`]) and behind SQS in AWS. A sweep
//! republishes tasks whose publish was lost or whose worker died.
//!
//! Depends on core only; the queue and store are ports.

mod in_process;
mod search;
mod shares;
mod sqs;
mod stacks;
mod tables;
mod worker;

pub use in_process::{InProcessQueue, QueueReceiver};
pub use search::{SearchHandler, SearchRebuildHandler, rebuild, reindex, supersede_search_tasks};
pub use shares::{ExpirySummary, LocalLakeProcessor, ShareExpiry, ShareHandler, load_case};
pub use sqs::handle_sqs_event;
pub use stacks::{LocalStackDeployer, STACK_LEASE, StackHandler};
pub use tables::{
    DatasetVerifyHandler, GlueEvent, SyncOutcome, SyncsRequested, TablePreviews, TableSyncSchedule,
    TablesCrawlHandler, TablesProfileHandler, TablesSyncHandler, sync_named_tables,
    sync_on_glue_event, sync_tables,
};
pub use worker::{NOOP_KIND, NoopHandler, Processed, Worker};

use lakecat_core::caller::MutationMeta;
use lakecat_core::tasks::TaskError;
use lakecat_core::{Error, ErrorCode};

/// A store error as a task error: what names nothing or is malformed will not succeed on a
/// retry; anything else (the database unreachable, a conflict) may.
pub(crate) fn store_err(e: Error) -> TaskError {
    match e.code {
        ErrorCode::NotFound | ErrorCode::BadUserInput => TaskError::permanent(e.message),
        _ => TaskError::retryable(e.message),
    }
}

/// What the worker's writes are audited as: the worker, the task's action, the task id.
pub(crate) fn worker_meta(task_id: &str, action: &str) -> MutationMeta {
    MutationMeta {
        actor: "lakecat-worker".into(),
        action: action.into(),
        request_id: task_id.into(),
    }
}
