//! Real event JSON through the worker Lambda's dispatcher: an SQS batch, the EventBridge
//! schedule (sweep), and an event of neither shape.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::sync::Arc;

use lakecat_core::catalog::TaskStatus;
use lakecat_core::tasks::{NewTask, RetryPolicy, TaskStore};
use lakecat_testkit::{Backend, fresh_store};
use lakecat_worker::{InProcessQueue, NOOP_KIND, NoopHandler, Worker};

#[tokio::test]
async fn sqs_batches_run_tasks_and_the_schedule_sweeps() {
    let db = fresh_store(Backend::Postgres).await.unwrap();
    let (queue, mut rx) = InProcessQueue::new();
    let worker = Worker::new(
        Arc::new(db.store.clone()),
        Arc::new(queue),
        RetryPolicy::default(),
    )
    .with_handler(Arc::new(NoopHandler));
    let task = NewTask::new(NOOP_KIND, None, serde_json::json!({"v": 1}));
    db.store.enqueue(std::slice::from_ref(&task)).await.unwrap();

    let sqs = serde_json::json!({ "Records": [{
        "messageId": "059f36b4-87a3-44ab-83d2-661975830a7d",
        "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
        "body": task.envelope().to_json(),
        "attributes": { "ApproximateReceiveCount": "1", "SentTimestamp": "1545082649183",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": "1545082649185" },
        "messageAttributes": {}, "md5OfBody": "098f6bcd4621d373cade4e832627b4f6",
        "eventSource": "aws:sqs", "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:lakecat-tasks",
        "awsRegion": "eu-west-1"
    }]});
    let out = lakecat_lambda_worker::handle(&worker, sqs).await.unwrap();
    assert_eq!(out, serde_json::json!({ "batchItemFailures": [] }));
    let t = db
        .store
        .tasks_by_ids(&[task.id.to_string()])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(t.status, TaskStatus::Succeeded);

    // A task whose publish was lost, older than the sweep's grace: the schedule republishes it.
    let lost = NewTask::new(NOOP_KIND, None, serde_json::json!({"v": 1}));
    db.store.enqueue(std::slice::from_ref(&lost)).await.unwrap();
    let schedule = serde_json::json!({
        "version": "0", "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event", "source": "aws.events", "account": "123456789012",
        "time": "2026-11-23T00:00:00Z", "region": "eu-west-1",
        "resources": ["arn:aws:events:eu-west-1:123456789012:rule/lakecat-sweep"], "detail": {}
    });
    // Within the grace period nothing is republished (its publish may still be on its way).
    let out = lakecat_lambda_worker::handle(&worker, schedule.clone())
        .await
        .unwrap();
    assert_eq!(out, serde_json::json!({ "republished": 0 }));
    assert_eq!(
        worker.sweep(std::time::Duration::ZERO, 10).await.unwrap(),
        1
    );
    assert_eq!(rx.recv().await.unwrap(), lost.envelope());

    let err = lakecat_lambda_worker::handle(&worker, serde_json::json!({"hello": 1})).await;
    assert!(err.unwrap_err().contains("unknown event"));
}
