//! The stacks behind environments and datasets: their rows, what a deploy needs, and the
//! deploy requests.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::caller::MutationMeta;
use crate::catalog::{Stack, StackStatus, Task};
use crate::error::Result;
use crate::stacks::{StackEvent, StackSubject};
use crate::tasks::TaskEnvelope;

/// What a deploy recorded: its status, the events so far, and — when it ended — its outputs
/// and error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackUpdate {
    pub status: StackStatus,
    pub events: Vec<StackEvent>,
    /// None keeps the outputs recorded before (a deploy in progress).
    pub outputs: Option<BTreeMap<String, String>>,
    pub error: Option<String>,
}

#[async_trait]
pub trait StackStore: Send + Sync {
    async fn stack_for_target(&self, target_id: &str) -> Result<Option<Stack>>;

    /// What a deploy of the target's stack needs (the environment and its invited teams, or
    /// the dataset and its environment); None when the target is gone.
    async fn stack_subject(&self, target_id: &str) -> Result<Option<StackSubject>>;

    /// Records a deploy's progress or outcome on the target's stack row, mirrors the status
    /// on a dataset, and writes a dataset stack's outputs back to the dataset's AWS details
    /// (bucket, Glue database, key alias, admin role) when they differ. NOT_FOUND when the
    /// target has no stack (deleted meanwhile).
    async fn record_stack(&self, target_id: &str, update: &StackUpdate) -> Result<Stack>;

    /// Asks for a deploy of the target's stack (`updateStack`), audited: a `stack.deploy`
    /// task, or the one already waiting. Returns the row and what to publish after commit.
    async fn request_stack_deploy(
        &self,
        meta: &MutationMeta,
        target_id: &str,
    ) -> Result<(Stack, Vec<TaskEnvelope>)>;

    /// The environment's latest access check (its newest `stack.check` task); None when it
    /// was never checked.
    async fn access_check(&self, environment_id: &str) -> Result<Option<Task>>;

    /// Asks for an access check of the environment, audited: a `stack.check` task (its
    /// owner team is told when it fails), or the one already waiting. Returns the task and
    /// what to publish after commit.
    async fn request_access_check(
        &self,
        meta: &MutationMeta,
        environment_id: &str,
    ) -> Result<(Task, Vec<TaskEnvelope>)>;
}
