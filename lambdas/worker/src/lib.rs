//! The worker Lambda: one function for three event sources — SQS batches of task envelopes
//! (answered with partial batch failures), the EventBridge schedule that runs the sweep (share
//! expiry and the scheduled full table sync with it), and Glue's events — Data Catalog table
//! and database state changes, which sync the datasets of that Glue database, and a dataset
//! crawler's successful end, which syncs its dataset — and the API Lambda's previews
//! (`{"lakecatPreview": {"tableId", "limit"}}`, invoked synchronously), read with Athena
//! through the environment's pivot role, which trusts the worker and not the API.
//! The handlers (no-op, `share.process` on AWS, `search.index` on OpenSearch), the retry
//! policy and the queue are `lakecat-worker`'s, `lakecat-aws`'s and `lakecat-search`'s; the
//! scheduled sweep also runs the share expiry. Without OpenSearch configured the worker does
//! not start: the API writes a `search.index` task with every catalog change.

use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sqs::SqsEvent;
use lakecat_core::ports::CatalogStore;
use lakecat_core::tasks::{RetryPolicy, TaskQueue};
use lakecat_worker::{
    NoopHandler, ShareExpiry, ShareHandler, TableSyncSchedule, Worker, handle_sqs_event,
};
use serde_json::Value;

/// How long the Athena query of a preview asked by the API Lambda may run: the API answers
/// inside API Gateway's 29 s integration timeout, invocation and a cold start included, with
/// a clear `query_timeout` rather than the gateway's 504.
pub const PREVIEW_QUERY_TIMEOUT: Duration = Duration::from_secs(20);

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
    if let Some(glue) = lakecat_worker::GlueEvent::parse(&event) {
        let glue = glue?;
        let schedule = worker
            .table_schedule()
            .ok_or("a Glue event, but this worker does not sync tables")?;
        let asked = schedule
            .on_glue_event(&glue)
            .await
            .map_err(|e| format!("table sync request failed: {}", e.message))?;
        let ids: Vec<&str> = asked.datasets.iter().map(|d| d.as_str()).collect();
        return Ok(serde_json::json!({ "tablesSyncRequested": ids }));
    }
    if let Some(request) = event.get(lakecat_core::lake::PREVIEW_EVENT) {
        let request: lakecat_core::lake::PreviewRequest =
            serde_json::from_value(request.clone())
                .map_err(|e| format!("not a preview request: {e}"))?;
        let previews = worker
            .previews()
            .ok_or("a preview request, but this worker reads no lake")?;
        let answer = previews.answer(&request).await;
        match &answer {
            lakecat_core::lake::PreviewAnswer::Preview(p) => tracing::info!(
                table = %request.table_id,
                rows = p.rows.len(),
                query = p.query_id.as_deref().unwrap_or(""),
                "preview answered"
            ),
            lakecat_core::lake::PreviewAnswer::Error {
                reason, message, ..
            } => tracing::warn!(
                table = %request.table_id,
                %reason,
                %message,
                "preview refused"
            ),
        }
        return serde_json::to_value(answer).map_err(|e| e.to_string());
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

// Read and checked with every other variable in lakecat-config.
pub use lakecat_config::worker::{SEARCH_REQUIRED, WorkerSettings};

/// The worker from the process environment (see [`WorkerSettings::from_lookup`]).
pub async fn worker_from_env() -> Result<Worker, String> {
    worker_from(WorkerSettings::from_lookup(lakecat_config::process_env)?).await
}

/// The worker: the database, the task queue and its DLQ, share processing on AWS and the
/// search index on OpenSearch.
pub async fn worker_from(settings: WorkerSettings) -> Result<Worker, String> {
    let mut config = lakecat_store::StoreConfig::new(settings.database_url);
    config.max_connections = 4;
    let store = lakecat_store::SeaStore::connect(&config)
        .await
        .map_err(|e| e.message)?;
    let sdk = lakecat_aws::AwsConfig {
        region: None,
        endpoint: settings.aws_endpoint,
    }
    .load()
    .await;
    // Stack tasks (their retries, the sweep's republishing) go to the stack service.
    let queue: Arc<dyn TaskQueue> = Arc::new(
        lakecat_aws::SqsQueue::new(&sdk, settings.queue_url, settings.dlq_url)
            .with_stack_queue(settings.stack_queue_url),
    );
    let catalog: Arc<dyn CatalogStore> = Arc::new(store.clone());
    // Policy edits are serialized across Lambda instances by lease locks in the database.
    let processor = Arc::new(lakecat_aws::AwsShareProcessor::new(
        &sdk,
        Arc::new(store.clone()),
    ));
    // Tables are read from each dataset's Glue database through its environment's pivot role.
    let glue = Arc::new(lakecat_aws::GlueLake::new(
        &sdk,
        settings.external_id.clone(),
    ));
    let index = lakecat_search::OpenSearchIndex::connect(&settings.search)
        .await
        .map_err(|e| e.message)?;
    Ok(
        Worker::new(Arc::new(store), queue.clone(), RetryPolicy::default())
            .with_handler(Arc::new(NoopHandler))
            .with_handler(Arc::new(ShareHandler::new(catalog.clone(), processor)))
            .with_handler(Arc::new(lakecat_worker::TablesSyncHandler::new(
                catalog.clone(),
                glue.clone(),
            )))
            .with_handler(Arc::new(lakecat_worker::DatasetVerifyHandler::new(
                catalog.clone(),
                glue.clone(),
            )))
            .with_handler(Arc::new(lakecat_worker::TablesProfileHandler::new(
                catalog.clone(),
                glue.clone(),
            )))
            .with_handler(Arc::new(lakecat_worker::TablesCrawlHandler::new(
                catalog.clone(),
                glue,
                queue.clone(),
            )))
            // The API Lambda's previews, read with Athena as the pivot role (only the worker
            // is trusted by pivot roles).
            .with_previews(Arc::new(lakecat_worker::TablePreviews::new(
                catalog.clone(),
                Arc::new(
                    lakecat_aws::GlueLake::new(&sdk, settings.external_id.clone())
                        .with_query_timeout(PREVIEW_QUERY_TIMEOUT),
                ),
            )))
            .with_handler(Arc::new(lakecat_worker::SearchHandler::new(
                catalog.clone(),
                Arc::new(index),
            )))
            .with_share_expiry(Arc::new(ShareExpiry::new(catalog.clone(), queue.clone())))
            .with_table_schedule(Arc::new(TableSyncSchedule::new(
                catalog,
                queue,
                settings.table_sync_every,
            ))),
    )
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn settings(vars: &[(&str, &str)]) -> Result<WorkerSettings, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        WorkerSettings::from_lookup(|n| vars.get(n).cloned())
    }

    const BASE: [(&str, &str); 3] = [
        ("LAKECAT_DATABASE_URL", "postgres://lakecat@db/lakecat"),
        (
            "LAKECAT_TASK_QUEUE_URL",
            "https://sqs.eu-west-1.amazonaws.com/1/t",
        ),
        (
            "LAKECAT_TASK_DLQ_URL",
            "https://sqs.eu-west-1.amazonaws.com/1/d",
        ),
    ];

    #[test]
    fn without_opensearch_the_worker_refuses_to_start() {
        for empty in [
            &BASE[..],
            &[BASE[0], BASE[1], BASE[2], ("OPENSEARCH_URL", " ")],
        ] {
            match settings(empty) {
                Err(e) => assert_eq!(e, SEARCH_REQUIRED),
                Ok(_) => panic!("a worker without OpenSearch would dead-letter search tasks"),
            }
        }
        assert!(SEARCH_REQUIRED.starts_with(
            "OPENSEARCH_URL is required: the API writes search.index tasks that this worker \
             must run"
        ));
    }

    #[test]
    fn with_opensearch_every_part_is_read() {
        let mut vars = BASE.to_vec();
        vars.push(("OPENSEARCH_URL", "https://search.example.com"));
        vars.push(("LAKECAT_AWS_ENDPOINT", "http://127.0.0.1:5000"));
        let s = settings(&vars).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.search.url, "https://search.example.com");
        assert_eq!(s.database_url, BASE[0].1);
        assert_eq!(s.queue_url, BASE[1].1);
        assert_eq!(s.dlq_url, BASE[2].1);
        assert_eq!(s.aws_endpoint.as_deref(), Some("http://127.0.0.1:5000"));
    }

    #[test]
    fn a_bad_opensearch_setting_names_its_variable() {
        let mut vars = BASE.to_vec();
        vars.push(("OPENSEARCH_URL", "https://search.example.com"));
        vars.push(("OPENSEARCH_AUTH", "kerberos"));
        match settings(&vars) {
            Err(e) => assert!(e.starts_with("OPENSEARCH_AUTH: "), "{e}"),
            Ok(_) => panic!("accepted OPENSEARCH_AUTH=kerberos"),
        }
        match settings(&BASE[1..]) {
            Err(e) => assert_eq!(e, "LAKECAT_DATABASE_URL is required"),
            Ok(_) => panic!("accepted no database"),
        }
    }
}
