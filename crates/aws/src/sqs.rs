//! The task queue on Amazon SQS: a standard queue whose redrive policy moves a message that
//! keeps failing to the dead-letter queue, plus explicit dead-lettering for tasks the worker
//! gave up on. Messages carry only the versioned envelope (task id and kind).
//!
//! Stack tasks (`stack.*`) go to the stack service's own queue when one is configured: a
//! deploy runs for minutes to hours, which the worker Lambda cannot do.

use std::time::Duration;

use async_trait::async_trait;
use aws_sdk_sqs::Client;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use lakecat_core::tasks::{TaskEnvelope, TaskQueue};
use lakecat_core::{Error, Result};

/// SQS's longest message delay; longer backoffs are delivered early and the worker, finding
/// the task not due, leaves it to the sweep, which publishes it when it is.
const MAX_DELAY: Duration = Duration::from_secs(900);

/// The kinds of task the stack service runs.
const STACK_KIND_PREFIX: &str = "stack.";

#[derive(Clone)]
pub struct SqsQueue {
    client: Client,
    queue_url: String,
    dead_letter_url: String,
    stack_queue_url: Option<String>,
}

impl SqsQueue {
    pub fn new(config: &aws_config::SdkConfig, queue_url: String, dead_letter_url: String) -> Self {
        SqsQueue {
            client: Client::new(config),
            queue_url,
            dead_letter_url,
            stack_queue_url: None,
        }
    }

    /// Sends `stack.*` tasks to the stack service's queue (`LAKECAT_STACK_QUEUE_URL`).
    pub fn with_stack_queue(mut self, url: Option<String>) -> Self {
        self.stack_queue_url = url;
        self
    }

    /// The queue an envelope of `kind` goes to.
    pub fn queue_for(&self, kind: &str) -> &str {
        match &self.stack_queue_url {
            Some(url) if kind.starts_with(STACK_KIND_PREFIX) => url,
            _ => &self.queue_url,
        }
    }

    async fn send_batches(&self, url: &str, envelopes: &[&TaskEnvelope], delay: i32) -> Result<()> {
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
                .queue_url(url)
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
}

fn sqs_err(what: &str, e: impl std::fmt::Display) -> Error {
    // Throttling and outages are retryable for the caller; the message says which call failed.
    Error::unavailable(format!("sqs {what}: {e}"))
}

#[async_trait]
impl TaskQueue for SqsQueue {
    async fn publish(&self, envelopes: &[TaskEnvelope], delay: Duration) -> Result<()> {
        let delay = delay.min(MAX_DELAY).as_secs() as i32;
        let (stacks, others): (Vec<&TaskEnvelope>, Vec<&TaskEnvelope>) = envelopes
            .iter()
            .partition(|e| self.queue_for(&e.kind) != self.queue_url);
        for (url, batch) in [
            (self.queue_url.as_str(), others),
            (self.queue_for(STACK_KIND_PREFIX), stacks),
        ] {
            if !batch.is_empty() {
                self.send_batches(url, &batch, delay).await?;
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

/// One message taken from a queue: its body, and the handle that deletes or hides it.
#[derive(Debug, Clone)]
pub struct Delivery {
    pub message_id: String,
    pub receipt: String,
    pub body: String,
}

/// The receiving side of a queue, for a long-running consumer (the stack service): long
/// polls, deletes what was handled, and keeps a message hidden while its task runs.
#[derive(Clone)]
pub struct SqsInbox {
    client: Client,
    queue_url: String,
}

impl SqsInbox {
    pub fn new(config: &aws_config::SdkConfig, queue_url: String) -> Self {
        SqsInbox {
            client: Client::new(config),
            queue_url,
        }
    }

    /// Up to `max` (1–10) messages, waiting up to `wait` (at most 20 s) for the first, each
    /// hidden from other consumers for `hide`.
    pub async fn receive(&self, max: i32, wait: Duration, hide: Duration) -> Result<Vec<Delivery>> {
        let out = self
            .client
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(max.clamp(1, 10))
            .wait_time_seconds(wait.as_secs().min(20) as i32)
            .visibility_timeout(hide.as_secs().min(43_200) as i32)
            .send()
            .await
            .map_err(|e| sqs_err("ReceiveMessage", aws_sdk_sqs::error::DisplayErrorContext(e)))?;
        Ok(out
            .messages()
            .iter()
            .filter_map(|m| {
                Some(Delivery {
                    message_id: m.message_id().unwrap_or_default().to_owned(),
                    receipt: m.receipt_handle()?.to_owned(),
                    body: m.body().unwrap_or_default().to_owned(),
                })
            })
            .collect())
    }

    pub async fn delete(&self, delivery: &Delivery) -> Result<()> {
        self.client
            .delete_message()
            .queue_url(&self.queue_url)
            .receipt_handle(&delivery.receipt)
            .send()
            .await
            .map_err(|e| sqs_err("DeleteMessage", aws_sdk_sqs::error::DisplayErrorContext(e)))?;
        Ok(())
    }

    /// Keeps the message hidden for `hide` from now (its task still runs).
    pub async fn hide(&self, delivery: &Delivery, hide: Duration) -> Result<()> {
        self.client
            .change_message_visibility()
            .queue_url(&self.queue_url)
            .receipt_handle(&delivery.receipt)
            .visibility_timeout(hide.as_secs().min(43_200) as i32)
            .send()
            .await
            .map_err(|e| {
                sqs_err(
                    "ChangeMessageVisibility",
                    aws_sdk_sqs::error::DisplayErrorContext(e),
                )
            })?;
        Ok(())
    }
}
