//! One task attempt from envelope to recorded outcome, and the loops around it.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use lakecat_core::catalog::Task;
use lakecat_core::ids::TaskId;
use lakecat_core::tasks::{
    RetryPolicy, TaskEnvelope, TaskError, TaskHandler, TaskOutcome, TaskQueue, TaskStore,
};
use lakecat_core::{Error, ErrorCode, Result};
use rand::Rng;
use tracing::Instrument;

use crate::in_process::QueueReceiver;

/// What became of one message.
#[derive(Debug, Clone, PartialEq)]
pub enum Processed {
    Succeeded,
    /// Failed retryably; published again to run after this delay.
    Retrying(Duration),
    /// Failed for good: FAILED row, dead letter, notification.
    Failed(String),
    /// Nothing to do: finished already, held by another worker, or not due yet (a duplicate
    /// or early delivery; the holder or the sweep takes care of it).
    Skipped,
}

pub struct Worker {
    store: Arc<dyn TaskStore>,
    queue: Arc<dyn TaskQueue>,
    handlers: HashMap<String, Arc<dyn TaskHandler>>,
    policy: RetryPolicy,
    expiry: Option<Arc<crate::ShareExpiry>>,
    table_schedule: Option<Arc<crate::TableSyncSchedule>>,
    previews: Option<Arc<crate::TablePreviews>>,
}

impl Worker {
    pub fn new(store: Arc<dyn TaskStore>, queue: Arc<dyn TaskQueue>, policy: RetryPolicy) -> Self {
        Worker {
            store,
            queue,
            handlers: HashMap::new(),
            policy,
            expiry: None,
            table_schedule: None,
            previews: None,
        }
    }

    /// Runs the share expiry (reminders, automatic revocation) with every sweep.
    pub fn with_share_expiry(mut self, expiry: Arc<crate::ShareExpiry>) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// Requests the scheduled full table syncs with every sweep.
    pub fn with_table_schedule(mut self, schedule: Arc<crate::TableSyncSchedule>) -> Self {
        self.table_schedule = Some(schedule);
        self
    }

    /// Answers previews asked of this worker by a process that reads no lake (the API Lambda).
    pub fn with_previews(mut self, previews: Arc<crate::TablePreviews>) -> Self {
        self.previews = Some(previews);
        self
    }

    pub fn previews(&self) -> Option<&Arc<crate::TablePreviews>> {
        self.previews.as_ref()
    }

    /// The table sync schedule, which also answers Glue's events.
    pub fn table_schedule(&self) -> Option<&Arc<crate::TableSyncSchedule>> {
        self.table_schedule.as_ref()
    }

    pub fn with_handler(mut self, handler: Arc<dyn TaskHandler>) -> Self {
        self.handlers.insert(handler.kind().to_owned(), handler);
        self
    }

    /// Runs one delivery of a task. An `Err` means the outcome could not be recorded (the
    /// database is unavailable): the message must be delivered again (SQS: a batch item
    /// failure), and the lease makes the next delivery safe.
    pub async fn process(&self, envelope: &TaskEnvelope) -> Result<Processed> {
        let id = TaskId::parse("task_id", &envelope.task_id)?;
        let span = tracing::info_span!("task", task.id = %id, task.kind = %envelope.kind);
        self.process_claimed(&id, envelope).instrument(span).await
    }

    async fn process_claimed(&self, id: &TaskId, envelope: &TaskEnvelope) -> Result<Processed> {
        let Some(claimed) = self.store.claim(id, self.policy.lease).await? else {
            tracing::debug!("task not claimable (finished, held or not due)");
            return Ok(Processed::Skipped);
        };
        let (task, attempt) = (claimed.task, claimed.attempt);
        if attempt > self.policy.max_attempts {
            // Earlier attempts died without recording anything (their leases ran out).
            let reason = format!(
                "gave up after {} attempts whose workers stopped",
                attempt - 1
            );
            return self.fail(&task, attempt, envelope, reason).await;
        }
        let Some(handler) = self.handlers.get(&task.kind).cloned() else {
            let reason = format!("no handler for task kind '{}'", task.kind);
            return self.fail(&task, attempt, envelope, reason).await;
        };
        let outcome = run_guarded(handler, task.clone()).await;
        match outcome {
            Ok(result) => {
                if !self
                    .record(&task.id, attempt, &TaskOutcome::Succeeded(result))
                    .await?
                {
                    return Ok(Processed::Skipped);
                }
                tracing::info!(attempt, "task succeeded");
                Ok(Processed::Succeeded)
            }
            Err(e) if self.policy.retries(attempt, &e) => {
                let delay = self
                    .policy
                    .backoff(attempt, rand::thread_rng().r#gen::<f64>());
                let run_after = Utc::now()
                    + chrono::Duration::from_std(delay)
                        .map_err(|_| Error::internal("retry delay out of range"))?;
                let retry = TaskOutcome::Retry {
                    error: e.message.clone(),
                    run_after,
                };
                if !self.record(&task.id, attempt, &retry).await? {
                    return Ok(Processed::Skipped);
                }
                tracing::warn!(attempt, error = %e.message, delay_ms = delay.as_millis() as u64, "task failed, will retry");
                // If this publish is lost, the sweep finds the task due and republishes it.
                if let Err(err) = self
                    .queue
                    .publish(std::slice::from_ref(envelope), delay)
                    .await
                {
                    tracing::warn!(error = %err.message, "cannot publish the retry; the sweep will");
                }
                Ok(Processed::Retrying(delay))
            }
            Err(e) => {
                let reason = if e.retryable {
                    format!("gave up after {attempt} attempts: {}", e.message)
                } else {
                    e.message
                };
                self.fail(&task, attempt, envelope, reason).await
            }
        }
    }

    /// Records an outcome; false when another worker took the task over after our lease ran
    /// out (its attempt counts, ours is dropped — safe because handlers are idempotent).
    async fn record(&self, id: &TaskId, attempt: i32, outcome: &TaskOutcome) -> Result<bool> {
        match self.store.finish(id, attempt, outcome).await {
            Ok(()) => Ok(true),
            Err(e) if e.code == ErrorCode::Conflict => {
                tracing::warn!(error = %e.message, "lease lost; outcome dropped");
                Ok(false)
            }
            Err(e) => Err(e),
        }
    }

    async fn fail(
        &self,
        task: &Task,
        attempt: i32,
        envelope: &TaskEnvelope,
        reason: String,
    ) -> Result<Processed> {
        if !self
            .record(&task.id, attempt, &TaskOutcome::Failed(reason.clone()))
            .await?
        {
            return Ok(Processed::Skipped);
        }
        tracing::error!(attempt, error = %reason, "task failed");
        if let Err(err) = self.queue.dead_letter(envelope, &reason).await {
            tracing::warn!(error = %err.message, "cannot dead-letter the message; the row is FAILED");
        }
        Ok(Processed::Failed(reason))
    }

    /// Publishes again what a lost publish or a dead worker left behind (at most `limit`
    /// tasks, oldest first; the rest waits for the next sweep); returns how many.
    pub async fn sweep(&self, grace: Duration, limit: u32) -> Result<usize> {
        if let Some(expiry) = &self.expiry {
            // A failing expiry run must not hold back the republishing below.
            match expiry.run(Utc::now()).await {
                Ok(s) if s.reminded + s.expired > 0 => {
                    tracing::info!(reminded = s.reminded, expired = s.expired, "share expiry");
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e.message, "share expiry failed; the next sweep retries")
                }
            }
        }
        if let Some(schedule) = &self.table_schedule {
            match schedule.run(Utc::now()).await {
                Ok(s) if !s.datasets.is_empty() => {
                    tracing::info!(
                        datasets = s.datasets.len(),
                        "scheduled table syncs requested"
                    )
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!(error = %e.message, "scheduled table sync failed; the next sweep retries")
                }
            }
        }
        let stranded = self.store.stranded(grace, limit).await?;
        if stranded.is_empty() {
            return Ok(0);
        }
        let envelopes: Vec<TaskEnvelope> = stranded
            .iter()
            .map(|t| TaskEnvelope::new(&t.id, &t.kind))
            .collect();
        self.queue.publish(&envelopes, Duration::ZERO).await?;
        tracing::info!(count = envelopes.len(), "sweep republished tasks");
        Ok(envelopes.len())
    }

    /// The in-process worker: runs deliveries from `rx` with up to `concurrency` at a time
    /// until the channel closes.
    pub async fn run(self: Arc<Self>, mut rx: QueueReceiver, concurrency: usize) {
        let permits = Arc::new(tokio::sync::Semaphore::new(concurrency.max(1)));
        while let Some(envelope) = rx.recv().await {
            let Ok(permit) = permits.clone().acquire_owned().await else {
                return;
            };
            let worker = self.clone();
            tokio::spawn(async move {
                if let Err(e) = worker.process(&envelope).await {
                    // The row is still claimable after its lease: the sweep brings it back.
                    tracing::error!(task.id = %envelope.task_id, error = %e.message, "cannot record the task outcome");
                }
                drop(permit);
            });
        }
    }

    /// Sweeps every `interval` (the embedded default's stand-in for the EventBridge schedule),
    /// the first time one interval from now (start-up runs its own sweep).
    pub async fn run_sweeper(self: Arc<Self>, interval: Duration, grace: Duration) {
        let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
        loop {
            tick.tick().await;
            if let Err(e) = self.sweep(grace, 1000).await {
                tracing::warn!(error = %e.message, "sweep failed");
            }
        }
    }
}

/// Runs a handler in its own task so that a panic becomes a retryable failure, not a lost
/// worker.
async fn run_guarded(
    handler: Arc<dyn TaskHandler>,
    task: Task,
) -> std::result::Result<serde_json::Value, TaskError> {
    match tokio::spawn(async move { handler.run(&task).await }).await {
        Ok(r) => r,
        Err(e) => Err(TaskError::retryable(format!("handler panicked: {e}"))),
    }
}

/// Kind of [`NoopHandler`].
pub const NOOP_KIND: &str = "noop";

/// Does nothing and succeeds: measures the task machinery itself (`lakecat-bench
/// --scenario task-throughput`) and checks a deployment's worker path end to end.
pub struct NoopHandler;

#[async_trait]
impl TaskHandler for NoopHandler {
    fn kind(&self) -> &'static str {
        NOOP_KIND
    }
    async fn run(&self, _task: &Task) -> std::result::Result<serde_json::Value, TaskError> {
        Ok(serde_json::json!({}))
    }
}
