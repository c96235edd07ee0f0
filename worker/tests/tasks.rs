//! The task machinery on real databases (PostgreSQL and SQLite): claims, leases, retries with
//! backoff, dead letters with notifications, the sweep, and fencing of late workers.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use lakecat_core::ports::AuditStore;
use lakecat_core::ports::SocialStore;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use async_trait::async_trait;
use lakecat_core::ErrorCode;
use lakecat_core::catalog::{Task, TaskStatus};
use lakecat_core::names::TeamName;
use lakecat_core::page::PageRequest;
use lakecat_core::tasks::{
    NewTask, RetryPolicy, TaskEnvelope, TaskError, TaskHandler, TaskOutcome, TaskStore,
};
use lakecat_store::SeaStore;
use lakecat_testkit::{Backend, TestStore, fresh_store};
use lakecat_worker::{InProcessQueue, NoopHandler, Processed, QueueReceiver, Worker};

/// Fails its first `failures` runs (retryably unless `permanent`), then succeeds.
struct Flaky {
    failures: u32,
    permanent: bool,
    runs: AtomicU32,
}

#[async_trait]
impl TaskHandler for Flaky {
    fn kind(&self) -> &'static str {
        "flaky"
    }
    async fn run(&self, _task: &Task) -> Result<serde_json::Value, TaskError> {
        let n = self.runs.fetch_add(1, Ordering::SeqCst) + 1;
        if n <= self.failures {
            return Err(if self.permanent {
                TaskError::permanent(format!("run {n}: access denied"))
            } else {
                TaskError::retryable(format!("run {n}: throttled"))
            });
        }
        Ok(serde_json::json!({ "runs": n }))
    }
}

struct Panics;

#[async_trait]
impl TaskHandler for Panics {
    fn kind(&self) -> &'static str {
        "panics"
    }
    async fn run(&self, _task: &Task) -> Result<serde_json::Value, TaskError> {
        panic!("handler bug")
    }
}

fn policy() -> RetryPolicy {
    RetryPolicy {
        max_attempts: 3,
        base_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
        lease: Duration::from_secs(60),
    }
}

struct Setup {
    db: TestStore,
    queue: InProcessQueue,
    rx: QueueReceiver,
    worker: Worker,
    flaky: Arc<Flaky>,
}

async fn setup(b: Backend, flaky: Flaky) -> Setup {
    let db = fresh_store(b).await.unwrap();
    let (queue, rx) = InProcessQueue::new();
    let flaky = Arc::new(flaky);
    let worker = Worker::new(
        Arc::new(db.store.clone()),
        Arc::new(queue.clone()),
        policy(),
    )
    .with_handler(Arc::new(NoopHandler))
    .with_handler(flaky.clone())
    .with_handler(Arc::new(Panics));
    Setup {
        db,
        queue,
        rx,
        worker,
        flaky,
    }
}

fn flaky(failures: u32, permanent: bool) -> Flaky {
    Flaky {
        failures,
        permanent,
        runs: AtomicU32::new(0),
    }
}

impl Setup {
    fn store(&self) -> &SeaStore {
        &self.db.store
    }
    async fn enqueue(&self, kind: &str) -> TaskEnvelope {
        let t = NewTask::new(
            kind,
            Some("ds_01JTESTTARGET0000000000000"),
            serde_json::json!({"v": 1}),
        )
        .notify(TeamName::parse("t", "owners").unwrap());
        self.store()
            .enqueue(std::slice::from_ref(&t))
            .await
            .unwrap();
        t.envelope()
    }
    async fn task(&self, e: &TaskEnvelope) -> Task {
        self.store()
            .tasks_by_ids(std::slice::from_ref(&e.task_id))
            .await
            .unwrap()
            .remove(0)
    }
    async fn next(&mut self) -> TaskEnvelope {
        tokio::time::timeout(Duration::from_secs(5), self.rx.recv())
            .await
            .expect("a message within 5 s")
            .expect("queue open")
    }
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod postgres { $(#[tokio::test] async fn $name() { super::$name(super::Backend::Postgres).await })* }
        mod sqlite { $(#[tokio::test] async fn $name() { super::$name(super::Backend::Sqlite).await })* }
    };
}

contract!(
    a_task_runs_once_however_often_it_is_delivered,
    retryable_failures_back_off_then_succeed,
    a_task_that_keeps_failing_ends_failed_dead_lettered_and_notified,
    permanent_failures_and_unknown_kinds_fail_at_once,
    a_panicking_handler_is_retried_not_lost,
    the_sweep_republishes_lost_publishes_and_dead_workers,
    concurrent_claims_give_the_task_to_one_worker,
    admins_retry_failed_tasks,
    a_rebuild_finishes_the_tasks_written_before_it,
    a_caller_claims_the_pending_task_of_a_target,
    a_long_task_reports_progress_and_keeps_its_lease,
);

async fn a_task_runs_once_however_often_it_is_delivered(b: Backend) {
    let s = setup(b, flaky(0, false)).await;
    let e = s.enqueue("flaky").await;
    assert_eq!(s.worker.process(&e).await.unwrap(), Processed::Succeeded);
    // Duplicate deliveries (SQS is at-least-once) find the task finished.
    assert_eq!(s.worker.process(&e).await.unwrap(), Processed::Skipped);
    assert_eq!(s.worker.process(&e).await.unwrap(), Processed::Skipped);
    assert_eq!(s.flaky.runs.load(Ordering::SeqCst), 1);
    let t = s.task(&e).await;
    assert_eq!((t.status, t.attempts), (TaskStatus::Succeeded, 1));
    assert_eq!(t.result, Some(serde_json::json!({"runs": 1})));
    assert_eq!(t.lease_until, None);
}

async fn retryable_failures_back_off_then_succeed(b: Backend) {
    let mut s = setup(b, flaky(2, false)).await;
    let e = s.enqueue("flaky").await;
    let Processed::Retrying(d1) = s.worker.process(&e).await.unwrap() else {
        panic!("first run retries")
    };
    let t = s.task(&e).await;
    assert_eq!(t.status, TaskStatus::Pending);
    assert_eq!(t.error.as_deref(), Some("run 1: throttled"));
    assert!(t.run_after > t.updated_at - chrono::Duration::milliseconds(1));
    // Not due yet: an early delivery does nothing.
    assert_eq!(s.worker.process(&e).await.unwrap(), Processed::Skipped);
    // The retry is published with its delay; it arrives and runs.
    let again = s.next().await;
    let Processed::Retrying(d2) = s.worker.process(&again).await.unwrap() else {
        panic!("second run retries")
    };
    assert!(
        d1 >= Duration::from_millis(10) && d1 <= Duration::from_millis(20),
        "{d1:?}"
    );
    assert!(
        d2 >= Duration::from_millis(20) && d2 <= Duration::from_millis(40),
        "{d2:?}: backoff doubles"
    );
    let again = s.next().await;
    assert_eq!(
        s.worker.process(&again).await.unwrap(),
        Processed::Succeeded
    );
    let t = s.task(&e).await;
    assert_eq!(
        (t.status, t.attempts, t.error),
        (TaskStatus::Succeeded, 3, None)
    );
}

async fn a_task_that_keeps_failing_ends_failed_dead_lettered_and_notified(b: Backend) {
    let mut s = setup(b, flaky(100, false)).await;
    let e = s.enqueue("flaky").await;
    let mut outcome = s.worker.process(&e).await.unwrap();
    while let Processed::Retrying(_) = outcome {
        let m = s.next().await;
        outcome = s.worker.process(&m).await.unwrap();
    }
    let Processed::Failed(reason) = outcome else {
        panic!("ends failed")
    };
    assert!(reason.contains("gave up after 3 attempts"), "{reason}");
    let t = s.task(&e).await;
    assert_eq!((t.status, t.attempts), (TaskStatus::Failed, 3));
    assert_eq!(s.flaky.runs.load(Ordering::SeqCst), 3);
    let dead = s.queue.dead_letters();
    assert_eq!(dead.len(), 1);
    assert_eq!(dead[0].0, e);
    let notes = s
        .store()
        .list_notifications(
            &["owners".into()],
            "someone",
            false,
            &PageRequest::first(10),
        )
        .await
        .unwrap();
    assert_eq!(notes.items.len(), 1);
    let n = &notes.items[0].1;
    assert_eq!(n.kind, "TASK_FAILED");
    assert!(
        n.message.contains("flaky failed after 3 attempt"),
        "{}",
        n.message
    );
    // A failed task stays failed: more deliveries change nothing.
    assert_eq!(s.worker.process(&e).await.unwrap(), Processed::Skipped);
}

async fn permanent_failures_and_unknown_kinds_fail_at_once(b: Backend) {
    let s = setup(b, flaky(1, true)).await;
    let e = s.enqueue("flaky").await;
    assert_eq!(
        s.worker.process(&e).await.unwrap(),
        Processed::Failed("run 1: access denied".into())
    );
    assert_eq!(s.task(&e).await.attempts, 1);
    let u = s.enqueue("no-such-kind").await;
    let Processed::Failed(reason) = s.worker.process(&u).await.unwrap() else {
        panic!("unknown kinds fail")
    };
    assert!(reason.contains("no handler"), "{reason}");
    assert_eq!(s.queue.dead_letters().len(), 2);
}

async fn a_panicking_handler_is_retried_not_lost(b: Backend) {
    let s = setup(b, flaky(0, false)).await;
    let e = s.enqueue("panics").await;
    assert!(matches!(
        s.worker.process(&e).await.unwrap(),
        Processed::Retrying(_)
    ));
    let t = s.task(&e).await;
    assert_eq!(t.status, TaskStatus::Pending);
    assert!(t.error.unwrap().contains("panicked"));
}

async fn the_sweep_republishes_lost_publishes_and_dead_workers(b: Backend) {
    let mut s = setup(b, flaky(0, false)).await;
    // Committed, but the publish after commit was lost.
    let lost = s.enqueue("noop").await;
    // Claimed by a worker that died mid-run (a short lease that runs out).
    let crashed = s.enqueue("flaky").await;
    let held = s
        .store()
        .claim(
            &lakecat_core::ids::TaskId::parse("t", &crashed.task_id).unwrap(),
            Duration::from_millis(50),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(held.attempt, 1);
    // While the lease holds, nobody else may take the task.
    assert_eq!(
        s.worker.process(&crashed).await.unwrap(),
        Processed::Skipped
    );
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(s.worker.sweep(Duration::ZERO, 100).await.unwrap(), 2);
    let mut got = vec![s.next().await, s.next().await];
    got.sort_by(|a, b| a.task_id.cmp(&b.task_id));
    let mut want = vec![lost.clone(), crashed.clone()];
    want.sort_by(|a, b| a.task_id.cmp(&b.task_id));
    assert_eq!(got, want);
    for m in &got {
        assert_eq!(s.worker.process(m).await.unwrap(), Processed::Succeeded);
    }
    let t = s.task(&crashed).await;
    assert_eq!((t.status, t.attempts), (TaskStatus::Succeeded, 2));
    // The dead worker wakes up late: its outcome is refused, the recorded one stands.
    let late = s
        .store()
        .finish(&held.task.id, 1, &TaskOutcome::Failed("late".into()))
        .await
        .unwrap_err();
    assert_eq!(late.code, ErrorCode::Conflict);
    assert_eq!(s.task(&crashed).await.status, TaskStatus::Succeeded);
    // Nothing left to sweep.
    assert_eq!(s.worker.sweep(Duration::ZERO, 100).await.unwrap(), 0);
}

async fn concurrent_claims_give_the_task_to_one_worker(b: Backend) {
    let s = setup(b, flaky(0, false)).await;
    let mut ids = vec![];
    for _ in 0..20 {
        ids.push(s.enqueue("noop").await);
    }
    let store = Arc::new(s.store().clone());
    let mut handles = vec![];
    for _ in 0..4 {
        let (store, ids) = (store.clone(), ids.clone());
        handles.push(tokio::spawn(async move {
            let mut won = 0;
            for e in &ids {
                let id = lakecat_core::ids::TaskId::parse("t", &e.task_id).unwrap();
                if store
                    .claim(&id, Duration::from_secs(60))
                    .await
                    .unwrap()
                    .is_some()
                {
                    won += 1;
                }
            }
            won
        }));
    }
    let mut total = 0;
    for h in handles {
        total += h.await.unwrap();
    }
    assert_eq!(total, 20, "every task claimed exactly once");
}

async fn admins_retry_failed_tasks(b: Backend) {
    let s = setup(b, flaky(1, true)).await;
    let e = s.enqueue("flaky").await;
    assert!(matches!(
        s.worker.process(&e).await.unwrap(),
        Processed::Failed(_)
    ));
    let meta = lakecat_core::caller::MutationMeta {
        actor: "local:admin".into(),
        action: "retryTask".into(),
        request_id: "req-1".into(),
    };
    let id = lakecat_core::ids::TaskId::parse("t", &e.task_id).unwrap();
    let t = s.store().retry_task(&meta, &id).await.unwrap();
    assert_eq!((t.status, t.attempts), (TaskStatus::Pending, 0));
    assert_eq!(s.worker.process(&e).await.unwrap(), Processed::Succeeded);
    // Only failed tasks are retried.
    let err = s.store().retry_task(&meta, &id).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let audit = s
        .store()
        .list_audit_events(&e.task_id, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(audit.items.len(), 1);
}

async fn a_rebuild_finishes_the_tasks_written_before_it(b: Backend) {
    let s = setup(b, flaky(0, false)).await;
    let old = s.enqueue("noop").await;
    let running = s.enqueue("noop").await;
    let other_kind = s.enqueue("flaky").await;
    let id = |e: &TaskEnvelope| lakecat_core::ids::TaskId::parse("t", &e.task_id).unwrap();
    s.store()
        .claim(&id(&running), Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let began = chrono::Utc::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let new = s.enqueue("noop").await;
    let result = serde_json::json!({"superseded_by": "test"});
    let n = s.store().supersede("noop", began, &result).await.unwrap();
    assert_eq!(n, 1, "only the pending task of that kind written before");
    let t = s.task(&old).await;
    assert_eq!((t.status, t.result), (TaskStatus::Succeeded, Some(result)));
    // Delivered anyway (it was published before): not run again.
    assert_eq!(s.worker.process(&old).await.unwrap(), Processed::Skipped);
    assert_eq!(s.task(&running).await.status, TaskStatus::Running);
    assert_eq!(s.task(&other_kind).await.status, TaskStatus::Pending);
    assert_eq!(s.worker.process(&new).await.unwrap(), Processed::Succeeded);
}

/// A mutation doing its search task's work at once claims the task by kind and target: the
/// worker skips it while it is held, a failure gives it back without using an attempt, and a
/// late finish after the lease ran out is fenced off.
async fn a_caller_claims_the_pending_task_of_a_target(b: Backend) {
    let s = setup(b, flaky(0, false)).await;
    let target = "ds_01JTESTTARGET0000000000000";
    let e = s.enqueue("noop").await;
    let id = lakecat_core::ids::TaskId::parse("t", &e.task_id).unwrap();
    let lease = Duration::from_secs(60);
    assert!(
        s.store()
            .claim_pending("noop", "ds_01JOTHERTARGET000000000000", lease)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        s.store()
            .claim_pending("flaky", target, lease)
            .await
            .unwrap()
            .is_none()
    );
    let c = s
        .store()
        .claim_pending("noop", target, lease)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((c.task.id.clone(), c.attempt), (id.clone(), 0));
    assert_eq!(s.task(&e).await.status, TaskStatus::Running);
    // Held: neither a second caller nor a delivery takes it.
    assert!(
        s.store()
            .claim_pending("noop", target, lease)
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(s.worker.process(&e).await.unwrap(), Processed::Skipped);
    // A failure gives it back with its error, its attempts unused.
    let retry = TaskOutcome::Retry {
        error: "index down".into(),
        run_after: chrono::Utc::now(),
    };
    s.store().finish(&id, c.attempt, &retry).await.unwrap();
    let t = s.task(&e).await;
    assert_eq!((t.status, t.attempts), (TaskStatus::Pending, 0));
    assert_eq!(t.error.as_deref(), Some("index down"));
    // Claimed again, its lease runs out: a worker takes it over, and the caller's late
    // finish is refused.
    let late = s
        .store()
        .claim_pending("noop", target, Duration::ZERO)
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(s.worker.process(&e).await.unwrap(), Processed::Succeeded);
    let done = TaskOutcome::Succeeded(serde_json::json!({"by": "caller"}));
    let err = s
        .store()
        .finish(&id, late.attempt, &done)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(
        s.store()
            .claim_pending("noop", target, lease)
            .await
            .unwrap()
            .is_none(),
        "a finished task is not claimed"
    );
    // Two pending tasks of a kind that is not coalesced: refused, and neither is taken.
    let (one, two) = (s.enqueue("flaky").await, s.enqueue("flaky").await);
    let err = s
        .store()
        .claim_pending("flaky", target, lease)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Internal);
    assert_eq!(s.task(&one).await.status, TaskStatus::Pending);
    assert_eq!(s.task(&two).await.status, TaskStatus::Pending);
}

/// A long task (a search rebuild) reports how far it has got: the report is its result while
/// it runs and extends its lease, so no sweep hands it to a second worker; a holder that has
/// lost the task is told.
async fn a_long_task_reports_progress_and_keeps_its_lease(b: Backend) {
    let s = setup(b, flaky(0, false)).await;
    let e = s.enqueue("noop").await;
    let id = lakecat_core::ids::TaskId::parse("t", &e.task_id).unwrap();
    let c = s
        .store()
        .claim(&id, Duration::from_millis(1))
        .await
        .unwrap()
        .unwrap();
    let report = serde_json::json!({"datasets": 10, "documents": 120});
    s.store()
        .progress(&id, c.attempt, &report, Duration::from_secs(60))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(10)).await;
    let t = s.task(&e).await;
    assert_eq!((t.status, t.result), (TaskStatus::Running, Some(report)));
    // The first lease has run out, the extended one has not: the sweep leaves it alone.
    assert!(
        s.store()
            .stranded(Duration::ZERO, 100)
            .await
            .unwrap()
            .iter()
            .all(|t| t.id != id)
    );
    s.store()
        .finish(
            &id,
            c.attempt,
            &TaskOutcome::Succeeded(serde_json::json!({})),
        )
        .await
        .unwrap();
    let err = s
        .store()
        .progress(
            &id,
            c.attempt,
            &serde_json::json!({}),
            Duration::from_secs(60),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
}
