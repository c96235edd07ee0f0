//! The SQS face of the worker (the Lambda's event source): every message of a batch is one
//! task delivery. Only messages whose outcome could not be recorded are reported back as
//! `batchItemFailures`, so SQS redelivers those alone and deletes the rest; a body that is not
//! a task envelope is reported too, and the queue's redrive policy moves it to the DLQ.

use aws_lambda_events::event::sqs::{BatchItemFailure, SqsBatchResponse, SqsEvent};
use lakecat_core::tasks::TaskEnvelope;

use crate::Worker;

/// Processes one SQS batch (up to 10 messages, concurrently).
pub async fn handle_sqs_event(worker: &Worker, event: SqsEvent) -> SqsBatchResponse {
    let runs = event.records.into_iter().map(|m| async move {
        let id = m.message_id.unwrap_or_default();
        let body = m.body.unwrap_or_default();
        let delivered = match TaskEnvelope::parse(&body) {
            Ok(envelope) => match worker.process(&envelope).await {
                Ok(_) => true,
                Err(e) => {
                    tracing::error!(message.id = %id, error = %e.message, "cannot record the task outcome; SQS redelivers");
                    false
                }
            },
            Err(reason) => {
                tracing::error!(message.id = %id, error = %reason, "poison message; left to the redrive policy");
                false
            }
        };
        (!delivered).then_some(id)
    });
    let mut response = SqsBatchResponse::default();
    response.batch_item_failures = futures::future::join_all(runs)
        .await
        .into_iter()
        .flatten()
        .map(|id| {
            let mut f = BatchItemFailure::default();
            f.item_identifier = id;
            f
        })
        .collect();
    response
}
