//! The worker Lambda: one function for two event sources — SQS batches of task envelopes
//! (answered with partial batch failures) and the EventBridge schedule that runs the sweep.
//! The handlers (no-op, `share.process` on AWS), the retry policy and the queue are
//! `lakecat-worker`'s and `lakecat-aws`'s; the scheduled sweep also runs the share expiry.

use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use lakecat_core::ports::CatalogStore;
use lakecat_core::tasks::{RetryPolicy, TaskQueue};
use lakecat_worker::{NoopHandler, ShareExpiry, ShareHandler, Worker, handle_sqs_event};
use serde_json::Value;

/// How long a PENDING task may wait for its publish before the scheduled sweep republishes it.
pub const SWEEP_GRACE: Duration = Duration::from_secs(60);

/// Dispatches one invocation by the shape of its event.
pub async fn handle(worker: &Worker, event: Value) -> Result<Value, String> {
    if event.get("Records").is_some() {
        let sqs: SqsEvent =
            serde_json::from_value(event).map_err(|e| format!("not an SQS event: {e}"))?;
        let response = handle_sqs_event(worker, sqs).await;
        return serde_json::to_value(response).map_err(|e| e.to_string());
    }
    if event.get("source").and_then(Value::as_str) == Some("aws.events") {
        let count = worker
            .sweep(SWEEP_GRACE, 5_000)
            .await
            .map_err(|e| format!("sweep failed: {}", e.message))?;
        return Ok(serde_json::json!({ "republished": count }));
    }
    Err("unknown event: expected SQS records or an EventBridge scheduled event".into())
}

/// The worker from `LAKECAT_*` variables: the database, the task queue and its DLQ.
pub async fn worker_from_env() -> Result<Worker, String> {
    let var = |n: &str| std::env::var(n).ok().filter(|v| !v.trim().is_empty());
    let url = var("LAKECAT_DATABASE_URL").ok_or("LAKECAT_DATABASE_URL is required")?;
    let queue_url = var("LAKECAT_TASK_QUEUE_URL").ok_or("LAKECAT_TASK_QUEUE_URL is required")?;
    let dlq_url = var("LAKECAT_TASK_DLQ_URL").ok_or("LAKECAT_TASK_DLQ_URL is required")?;
    let mut config = lakecat_store::StoreConfig::new(url);
    config.max_connections = 4;
    let store = lakecat_store::SeaStore::connect(&config)
        .await
        .map_err(|e| e.message)?;
    let sdk = lakecat_aws::AwsConfig {
        region: None,
        endpoint: var("LAKECAT_AWS_ENDPOINT"),
    }
    .load()
    .await;
    let queue: Arc<dyn TaskQueue> = Arc::new(lakecat_aws::SqsQueue::new(&sdk, queue_url, dlq_url));
    let catalog: Arc<dyn CatalogStore> = Arc::new(store.clone());
    // Policy edits are serialized across Lambda instances by lease locks in the database.
    let processor = Arc::new(lakecat_aws::AwsShareProcessor::new(
        &sdk,
        Arc::new(store.clone()),
    ));
    let worker = Worker::new(Arc::new(store), queue.clone(), RetryPolicy::default())
        .with_handler(Arc::new(NoopHandler))
        .with_handler(Arc::new(ShareHandler::new(catalog.clone(), processor)))
        .with_share_expiry(Arc::new(ShareExpiry::new(catalog.clone(), queue)));
    // The search index tasks, when the deployment has an OpenSearch domain.
    let search = lakecat_search::OpenSearchConfig::from_env()?;
    Ok(match search {
        Some(os) => {
            let index = lakecat_search::OpenSearchIndex::connect(&os)
                .await
                .map_err(|e| e.message)?;
            worker.with_handler(Arc::new(lakecat_worker::SearchHandler::new(
                catalog,
                Arc::new(index),
            )))
        }
        None => worker,
    })
}
