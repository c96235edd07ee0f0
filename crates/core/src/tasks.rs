//! Durable tasks: background work (AWS calls, indexing, notifications) recorded as rows in
//! the same transaction as the mutation that needs it (the outbox), published to a queue
//! after commit, claimed atomically by a worker under a lease, retried with backoff when a
//! failure is retryable, and failed — with a dead letter and a notification — when it is not
//! or when the attempts run out. A sweep republishes what a lost publish or a dead worker
//! left behind. Handlers are idempotent: a task may run more than once, its effect must not.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::{Task, TaskStatus};
use crate::error::Result;
use crate::ids::TaskId;
use crate::names::TeamName;

/// A task to write with a mutation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub id: TaskId,
    pub kind: String,
    /// The resource the task works on (dataset, share request, …), for listing and audit.
    pub target_id: Option<String>,
    pub payload: serde_json::Value,
    /// Told when the task finally fails.
    pub notify_team: Option<TeamName>,
    /// Nobody publishes it after commit (written by a process without the worker's queue):
    /// it is written as due since [`UNPUBLISHED_BACKDATE`] ago, so the next sweep takes it
    /// without waiting out the grace it gives publishes in flight.
    pub unpublished: bool,
}

/// How far back an unpublished task's `run_after` is set: more than any sweep's grace.
pub const UNPUBLISHED_BACKDATE: Duration = Duration::from_secs(60);

impl NewTask {
    pub fn new(kind: &str, target_id: Option<&str>, payload: serde_json::Value) -> NewTask {
        NewTask {
            id: TaskId::generate(),
            kind: kind.to_owned(),
            target_id: target_id.map(str::to_owned),
            payload,
            notify_team: None,
            unpublished: false,
        }
    }

    /// Marks the task as one nobody publishes: the next sweep takes it.
    pub fn unpublished(mut self) -> NewTask {
        self.unpublished = true;
        self
    }

    pub fn notify(mut self, team: TeamName) -> NewTask {
        self.notify_team = Some(team);
        self
    }

    pub fn envelope(&self) -> TaskEnvelope {
        TaskEnvelope::new(&self.id, &self.kind)
    }
}

/// What travels on the queue: only the id and kind; the row holds the payload, so a message
/// can be published any number of times and carries nothing stale or secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskEnvelope {
    /// Envelope format version.
    pub v: u32,
    pub task_id: String,
    pub kind: String,
}

impl TaskEnvelope {
    pub const VERSION: u32 = 1;

    pub fn new(id: &TaskId, kind: &str) -> TaskEnvelope {
        TaskEnvelope {
            v: Self::VERSION,
            task_id: id.to_string(),
            kind: kind.to_owned(),
        }
    }

    /// Parses a queue message body; a body of another format or version is an error (the
    /// message is unusable, not retryable).
    pub fn parse(body: &str) -> std::result::Result<TaskEnvelope, String> {
        let env: TaskEnvelope =
            serde_json::from_str(body).map_err(|e| format!("not a task envelope: {e}"))?;
        if env.v != Self::VERSION {
            return Err(format!("task envelope version {} is not supported", env.v));
        }
        TaskId::parse("task_id", &env.task_id).map_err(|e| e.message)?;
        Ok(env)
    }

    pub fn to_json(&self) -> String {
        serde_json::json!({ "v": self.v, "task_id": self.task_id, "kind": self.kind }).to_string()
    }
}

/// Why a handler failed, and whether trying again may help.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskError {
    pub retryable: bool,
    pub message: String,
}

impl TaskError {
    /// Throttling, timeouts, a dependency briefly down: try again later.
    pub fn retryable(message: impl Into<String>) -> TaskError {
        TaskError {
            retryable: true,
            message: message.into(),
        }
    }
    /// Bad payload, missing resource, access denied: trying again changes nothing.
    pub fn permanent(message: impl Into<String>) -> TaskError {
        TaskError {
            retryable: false,
            message: message.into(),
        }
    }
}

/// Runs one kind of task. Must be idempotent.
#[async_trait]
pub trait TaskHandler: Send + Sync + 'static {
    fn kind(&self) -> &'static str;
    async fn run(&self, task: &Task) -> std::result::Result<serde_json::Value, TaskError>;
}

/// How failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub max_attempts: i32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// How long a claim holds before another worker may take the task over.
    pub lease: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_secs(2),
            max_delay: Duration::from_secs(300),
            lease: Duration::from_secs(300),
        }
    }
}

impl RetryPolicy {
    /// Delay before attempt `attempts + 1`: exponential from `base_delay`, capped, with
    /// "equal jitter" (half fixed, half random) so retries of one burst spread out.
    /// `jitter` is a random number in [0, 1) supplied by the caller (core has no RNG).
    pub fn backoff(&self, attempts: i32, jitter: f64) -> Duration {
        let exp = 2u32.saturating_pow(attempts.saturating_sub(1).clamp(0, 30) as u32);
        let full = self.base_delay.saturating_mul(exp).min(self.max_delay);
        let half = full / 2;
        half + half.mul_f64(jitter.clamp(0.0, 1.0))
    }

    /// Whether a failure on attempt `attempts` is retried.
    pub fn retries(&self, attempts: i32, error: &TaskError) -> bool {
        error.retryable && attempts < self.max_attempts
    }
}

/// A task claimed by a worker: the row, with its attempt number as the fencing token (only
/// the holder of the current attempt may record the outcome).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedTask {
    pub task: Task,
    pub attempt: i32,
}

/// The outcome of one attempt, recorded atomically.
#[derive(Debug, Clone, PartialEq)]
pub enum TaskOutcome {
    Succeeded(serde_json::Value),
    /// Back to PENDING, to run again at `run_after`.
    Retry {
        error: String,
        run_after: DateTime<Utc>,
    },
    /// FAILED for good; the task's notify team gets a notification.
    Failed(String),
}

/// Persistence of tasks (implemented by `lakecat-store`).
#[async_trait]
pub trait TaskStore: Send + Sync + 'static {
    /// Writes tasks on their own (mutations write theirs in their own transaction).
    async fn enqueue(&self, tasks: &[NewTask]) -> Result<()>;
    /// Claims a task if it is due (PENDING and `run_after` passed) or its lease expired;
    /// None if another worker holds it, it is not due yet, or it is finished.
    async fn claim(&self, id: &TaskId, lease: Duration) -> Result<Option<ClaimedTask>>;
    /// Claims the PENDING task of `kind` for `target_id`, due or not (a coalesced kind has at
    /// most one): for a caller about to do its work at once. None if there is none pending:
    /// a worker holds it, or it is finished. The claim does not count as an attempt.
    async fn claim_pending(
        &self,
        kind: &str,
        target_id: &str,
        lease: Duration,
    ) -> Result<Option<ClaimedTask>>;
    /// Records how far `attempt` has got (the task's `result` while it runs) and extends its
    /// lease to `lease` from now; CONFLICT if the task was taken over or finished since.
    async fn progress(
        &self,
        id: &TaskId,
        attempt: i32,
        progress: &serde_json::Value,
        lease: Duration,
    ) -> Result<()>;
    /// Records the outcome of `attempt`; CONFLICT if the task was taken over since.
    async fn finish(&self, id: &TaskId, attempt: i32, outcome: &TaskOutcome) -> Result<()>;
    /// Tasks a sweep must publish again: PENDING and due for longer than `grace` (the
    /// publish after commit was lost, or a retry is due), or RUNNING with an expired lease.
    async fn stranded(&self, grace: Duration, limit: u32) -> Result<Vec<Task>>;
    async fn tasks_by_ids(&self, ids: &[String]) -> Result<Vec<Task>>;
    async fn list_tasks(
        &self,
        target_id: &str,
        page: &crate::page::PageRequest,
    ) -> Result<crate::page::Page<Task>>;
    /// Puts a FAILED task back to PENDING with a fresh attempt budget (admin action).
    async fn retry_task(&self, meta: &crate::caller::MutationMeta, id: &TaskId) -> Result<Task>;
    /// Finishes the PENDING tasks of `kind` written before `before` as SUCCEEDED with
    /// `result`, in one statement: their work is done by something that began after them (a
    /// full search rebuild reads every dataset). Running tasks are left to finish. Returns
    /// how many.
    async fn supersede(
        &self,
        kind: &str,
        before: DateTime<Utc>,
        result: &serde_json::Value,
    ) -> Result<u64>;
}

/// Delivery of task ids to workers (SQS in AWS, a channel in `lakecat serve`).
#[async_trait]
pub trait TaskQueue: Send + Sync + 'static {
    /// Publishes envelopes; `delay` postpones delivery (retries).
    async fn publish(&self, envelopes: &[TaskEnvelope], delay: Duration) -> Result<()>;
    /// Sends a message that cannot or will not be processed to the dead-letter queue.
    async fn dead_letter(&self, envelope: &TaskEnvelope, reason: &str) -> Result<()>;
}

impl TaskStatus {
    pub fn is_finished(self) -> bool {
        matches!(self, TaskStatus::Succeeded | TaskStatus::Failed)
    }
}
