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
pub use tables::{SyncOutcome, TablesSyncHandler, sync_tables};
pub use worker::{NOOP_KIND, NoopHandler, Processed, Worker};
