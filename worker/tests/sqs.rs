//! Real SQS event JSON (the shape Lambda delivers) through the worker's handler: only the
//! messages that were not processed come back as `batchItemFailures`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::sync::Arc;

use lakecat_core::catalog::TaskStatus;
use lakecat_core::tasks::{NewTask, RetryPolicy, TaskStore};
use lakecat_testkit::{Backend, fresh_store};
use lakecat_worker::{InProcessQueue, NOOP_KIND, NoopHandler, Worker, handle_sqs_event};

fn record(message_id: &str, body: &str) -> serde_json::Value {
    serde_json::json!({
        "messageId": message_id,
        "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a...",
        "body": body,
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1545082649183",
            "SenderId": "AIDAIENQZJOLO23YVJ4VO",
            "ApproximateFirstReceiveTimestamp": "1545082649185"
        },
        "messageAttributes": {},
        "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3",
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:lakecat-tasks",
        "awsRegion": "eu-west-1"
    })
}

#[tokio::test]
async fn only_unprocessed_messages_are_reported_as_batch_item_failures() {
    let db = fresh_store(Backend::Sqlite).await.unwrap();
    let (queue, _rx) = InProcessQueue::new();
    let worker = Worker::new(
        Arc::new(db.store.clone()),
        Arc::new(queue),
        RetryPolicy::default(),
    )
    .with_handler(Arc::new(NoopHandler));
    let tasks: Vec<NewTask> = (0..2)
        .map(|_| NewTask::new(NOOP_KIND, None, serde_json::json!({"v": 1})))
        .collect();
    db.store.enqueue(&tasks).await.unwrap();
    let event = serde_json::json!({ "Records": [
        record("m-1", &tasks[0].envelope().to_json()),
        record("m-2", "{\"not\": \"an envelope\"}"),
        record("m-3", &tasks[1].envelope().to_json()),
        // A duplicate delivery of a finished task is acknowledged, not retried.
        record("m-4", &tasks[0].envelope().to_json()),
        record("m-5", "{\"v\": 2, \"task_id\": \"task_01J00000000000000000000000\", \"kind\": \"noop\"}"),
    ]});
    let event: aws_lambda_events::event::sqs::SqsEvent = serde_json::from_value(event).unwrap();
    let response = handle_sqs_event(&worker, event).await;
    let body = serde_json::to_value(&response).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "batchItemFailures": [
            { "itemIdentifier": "m-2" },
            { "itemIdentifier": "m-5" },
        ]})
    );
    let ids: Vec<String> = tasks.iter().map(|t| t.id.to_string()).collect();
    for t in db.store.tasks_by_ids(&ids).await.unwrap() {
        assert_eq!((t.status, t.attempts), (TaskStatus::Succeeded, 1));
    }
}
