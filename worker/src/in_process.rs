//! The embedded default's queue: a channel inside the process. Durability comes from the task
//! rows, not from the channel: whatever the channel loses on a restart, the sweep republishes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use lakecat_core::Result;
use lakecat_core::tasks::{TaskEnvelope, TaskQueue};
use tokio::sync::mpsc;

/// Messages a worker receives from an [`InProcessQueue`].
pub type QueueReceiver = mpsc::UnboundedReceiver<TaskEnvelope>;

#[derive(Clone)]
pub struct InProcessQueue {
    tx: mpsc::UnboundedSender<TaskEnvelope>,
    dead: Arc<Mutex<Vec<(TaskEnvelope, String)>>>,
}

impl InProcessQueue {
    pub fn new() -> (InProcessQueue, QueueReceiver) {
        let (tx, rx) = mpsc::unbounded_channel();
        (
            InProcessQueue {
                tx,
                dead: Arc::new(Mutex::new(Vec::new())),
            },
            rx,
        )
    }

    /// What was dead-lettered since start (the rows stay FAILED in the database as well).
    pub fn dead_letters(&self) -> Vec<(TaskEnvelope, String)> {
        self.dead.lock().map(|d| d.clone()).unwrap_or_default()
    }
}

#[async_trait]
impl TaskQueue for InProcessQueue {
    async fn publish(&self, envelopes: &[TaskEnvelope], delay: Duration) -> Result<()> {
        if delay.is_zero() {
            for e in envelopes {
                // A closed channel means the worker stopped; the sweep republishes at start.
                let _ = self.tx.send(e.clone());
            }
        } else {
            let (tx, envelopes) = (self.tx.clone(), envelopes.to_vec());
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                for e in envelopes {
                    let _ = tx.send(e);
                }
            });
        }
        Ok(())
    }

    async fn dead_letter(&self, envelope: &TaskEnvelope, reason: &str) -> Result<()> {
        tracing::warn!(task.id = %envelope.task_id, task.kind = %envelope.kind, reason, "dead letter");
        if let Ok(mut d) = self.dead.lock() {
            d.push((envelope.clone(), reason.to_owned()));
        }
        Ok(())
    }
}
