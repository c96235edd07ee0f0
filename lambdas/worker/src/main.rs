//! `lakecat-worker`: the task worker Lambda (thin: config, tracing, run).

use lambda_runtime::{LambdaEvent, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LAKECAT_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(lakecat_config::DEFAULT_LOG_FILTER));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .json()
        .flatten_event(true)
        .init();
    let worker = lakecat_lambda_worker::worker_from_env()
        .await
        .map_err(|e| format!("configuration: {e}"))?;
    let worker = &worker;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        lakecat_lambda_worker::handle(worker, event.payload).await
    }))
    .await
}
