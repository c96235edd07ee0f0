//! The task queue on Amazon SQS: a standard queue whose redrive policy moves a message that
//! keeps failing to the dead-letter queue, plus explicit dead-lettering for tasks the worker
//! gave up on. Messages carry only the versioned envelope (task id and kind).

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use lakecat_core::tasks::{TaskEnvelope, TaskQueue};
use lakecat_core::{Error, Result};

/// SQS's longest message delay; longer backoffs are delivered early and the worker, finding
/// the task not due, leaves it to the sweep, which publishes it when it is.
const MAX_DELAY: Duration = Duration::from_secs(900);

#[derive(Clone)]
pub struct SqsQueue {
    client: Client,
    queue_url: String,
    dead_letter_url: String,
}

impl SqsQueue {
    pub fn new(config: &aws_config::SdkConfig, queue_url: String, dead_letter_url: String) -> Self {
        SqsQueue {
            client: Client::new(config),
            queue_url,
            dead_letter_url,
        }
    }
}

fn sqs_err(what: &str, e: impl std::fmt::Display) -> Error {
    // Throttling and outages are retryable for the caller; the message says which call failed.
    Error::unavailable(format!("sqs {what}: {e}"))
}

#[async_trait]
impl TaskQueue for SqsQueue {
    async fn publish(&self, envelopes: &[TaskEnvelope], delay: Duration) -> Result<()> {
        let delay = delay.min(MAX_DELAY).as_secs() as i32;
        for chunk in envelopes.chunks(10) {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    SendMessageBatchRequestEntry::builder()
                        .id(format!("m{i}"))
                        .message_body(e.to_json())
                        .delay_seconds(delay)
                        .build()
                        .map_err(|err| Error::internal(format!("sqs batch entry: {err}")))
                })
                .collect::<Result<Vec<_>>>()?;
            let out = self
                .client
                .send_message_batch()
                .queue_url(&self.queue_url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| {
                    sqs_err(
                        "SendMessageBatch",
                        aws_sdk_sqs::error::DisplayErrorContext(e),
                    )
                })?;
            if let Some(f) = out.failed().first() {
                return Err(Error::unavailable(format!(
                    "sqs SendMessageBatch: {} of {} messages refused ({}: {})",
                    out.failed().len(),
                    chunk.len(),
                    f.code(),
                    f.message().unwrap_or("")
                )));
            }
        }
        Ok(())
    }

    async fn dead_letter(&self, envelope: &TaskEnvelope, reason: &str) -> Result<()> {
        let body = serde_json::json!({ "envelope": envelope, "reason": reason }).to_string();
        self.client
            .send_message()
            .queue_url(&self.dead_letter_url)
            .message_body(body)
            .send()
            .await
            .map_err(|e| {
                sqs_err(
                    "SendMessage (dead letter)",
                    aws_sdk_sqs::error::DisplayErrorContext(e),
                )
            })?;
        Ok(())
    }
}
