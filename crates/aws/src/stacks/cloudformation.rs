//! The CloudFormation calls of one stack: describe, change sets, execute, delete, wait,
//! events. SDK errors become task errors here.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Instant;

use aws_sdk_cloudformation::Client;
use aws_sdk_cloudformation::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_cloudformation::types::{Capability, ChangeSetStatus, ChangeSetType, Tag};
use lakecat_core::catalog::StackStatus;
use lakecat_core::stacks::{StackEvent, StackProgress};
use lakecat_core::tasks::TaskError;

use super::Polling;
use super::events::OperationEvents;
use crate::sdk_error::sdk_error;

/// At most this many pages of events are read for one operation (100 events a page).
const MAX_EVENT_PAGES: usize = 20;

/// What DescribeStacks says of a stack.
#[derive(Debug, Clone)]
pub(super) struct Described {
    /// The stack's ARN: a deleted stack is found by it, not by its name.
    pub id: String,
    pub status: StackStatus,
    pub reason: Option<String>,
    pub outputs: BTreeMap<String, String>,
}

/// How a change set turned out.
pub(super) enum ChangeSetOutcome {
    Ready { changes: usize },
    NoChanges,
    Failed(String),
}

/// One stack, reached with the pivot role's credentials.
pub(super) struct Stack {
    pub cf: Client,
    pub name: String,
    pub polling: Polling,
    /// The execution role's ARN, passed to every create, update and delete.
    pub role_arn: Option<String>,
}

/// A name for one operation, used as its change set name and client request token (both
/// `[a-zA-Z][-a-zA-Z0-9]*`): unique across processes and calls.
pub(super) fn operation_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let millis = chrono::Utc::now().timestamp_millis();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("lakecat-{millis}-{}-{n}", std::process::id())
}

fn cf_error<E>(call: &str, resource: &str, e: SdkError<E>) -> TaskError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    // Another operation started on the stack meanwhile: it ends, and a retry finds it done.
    let busy = e.code() == Some("ValidationError")
        && e.message()
            .is_some_and(|m| m.contains("_IN_PROGRESS state"));
    let err = sdk_error(&format!("cloudformation {call}"), resource, e);
    if busy {
        TaskError::retryable(err.message)
    } else {
        err
    }
}

impl Stack {
    /// The stack, by name or ARN; None when there is none (by name: none alive).
    pub async fn describe(&self, name_or_id: &str) -> Result<Option<Described>, TaskError> {
        let out = match self
            .cf
            .describe_stacks()
            .stack_name(name_or_id)
            .send()
            .await
        {
            Ok(out) => out,
            Err(e) if is_missing(&e) => return Ok(None),
            Err(e) => return Err(cf_error("DescribeStacks", name_or_id, e)),
        };
        let Some(s) = out.stacks().first() else {
            return Ok(None);
        };
        let raw = s.stack_status().map(|s| s.as_str()).unwrap_or_default();
        let status = StackStatus::from_cloudformation(raw).map_err(|_| {
            TaskError::retryable(format!(
                "cloudformation DescribeStacks {name_or_id}: unknown status {raw}"
            ))
        })?;
        Ok(Some(Described {
            id: s.stack_id().unwrap_or(name_or_id).to_owned(),
            status,
            reason: s.stack_status_reason().map(str::to_owned),
            outputs: s
                .outputs()
                .iter()
                .filter_map(|o| Some((o.output_key()?.to_owned(), o.output_value()?.to_owned())))
                .collect(),
        }))
    }

    /// Creates the change set `token` (CREATE or UPDATE) and returns its ARN.
    pub async fn create_change_set(
        &self,
        kind: ChangeSetType,
        body: &str,
        tags: &[(String, String)],
        token: &str,
    ) -> Result<String, TaskError> {
        let tags = tags
            .iter()
            .map(|(k, v)| Tag::builder().key(k).value(v).build())
            .collect();
        let out = self
            .cf
            .create_change_set()
            .stack_name(&self.name)
            .change_set_name(token)
            .change_set_type(kind)
            .template_body(body)
            .capabilities(Capability::CapabilityNamedIam)
            .set_role_arn(self.role_arn.clone())
            .set_tags(Some(tags))
            .description("lakecat stack deploy")
            .send()
            .await
            .map_err(|e| cf_error("CreateChangeSet", &self.name, e))?;
        out.id().map(str::to_owned).ok_or_else(|| {
            TaskError::retryable(format!(
                "cloudformation CreateChangeSet {}: no change set id returned",
                self.name
            ))
        })
    }

    /// Waits until CloudFormation has computed the change set, and counts its changes
    /// (every page).
    pub async fn change_set_outcome(&self, id: &str) -> Result<ChangeSetOutcome, TaskError> {
        let started = Instant::now();
        let mut delay = self.polling.first;
        loop {
            let mut changes = 0;
            let mut next: Option<String> = None;
            let (status, reason) = loop {
                let out = self
                    .cf
                    .describe_change_set()
                    .change_set_name(id)
                    .set_next_token(next.take())
                    .send()
                    .await
                    .map_err(|e| cf_error("DescribeChangeSet", id, e))?;
                changes += out.changes().len();
                next = out.next_token().map(str::to_owned);
                if next.is_none() {
                    break (
                        out.status().cloned(),
                        out.status_reason().unwrap_or_default().to_owned(),
                    );
                }
            };
            match status {
                Some(ChangeSetStatus::CreateComplete) => {
                    return Ok(ChangeSetOutcome::Ready { changes });
                }
                Some(ChangeSetStatus::Failed) if is_no_changes(&reason) => {
                    return Ok(ChangeSetOutcome::NoChanges);
                }
                Some(ChangeSetStatus::CreatePending | ChangeSetStatus::CreateInProgress) => {}
                Some(other) => {
                    let reason = if reason.is_empty() {
                        format!("change set {}", other.as_str())
                    } else {
                        reason
                    };
                    return Ok(ChangeSetOutcome::Failed(reason));
                }
                None => {}
            }
            if started.elapsed() > self.polling.timeout {
                return Err(TaskError::retryable(format!(
                    "cloudformation change set {id}: not computed after {:?}",
                    self.polling.timeout
                )));
            }
            tokio::time::sleep(delay).await;
            delay = self.polling.next(delay);
        }
    }

    pub async fn delete_change_set(&self, id: &str) -> Result<(), TaskError> {
        match self.cf.delete_change_set().change_set_name(id).send().await {
            Ok(_) => Ok(()),
            Err(e) if is_missing(&e) => Ok(()),
            Err(e) => Err(cf_error("DeleteChangeSet", id, e)),
        }
    }

    pub async fn execute(&self, change_set: &str, token: &str) -> Result<(), TaskError> {
        self.cf
            .execute_change_set()
            .change_set_name(change_set)
            .client_request_token(token)
            .send()
            .await
            .map_err(|e| cf_error("ExecuteChangeSet", &self.name, e))?;
        Ok(())
    }

    pub async fn delete(&self, id: &str, token: &str) -> Result<(), TaskError> {
        self.cf
            .delete_stack()
            .stack_name(id)
            .set_role_arn(self.role_arn.clone())
            .client_request_token(token)
            .send()
            .await
            .map_err(|e| cf_error("DeleteStack", &self.name, e))?;
        Ok(())
    }

    /// Polls the stack `id` until CloudFormation is done with it, telling `progress` the
    /// status and the operation's events at every poll (a progress error stops the wait: the
    /// task was taken over). Backs off from `polling.first` to `polling.max`.
    pub async fn wait(
        &self,
        id: &str,
        token: Option<&str>,
        progress: &dyn StackProgress,
    ) -> Result<(Described, Vec<StackEvent>), TaskError> {
        let started = Instant::now();
        let mut delay = self.polling.first;
        loop {
            let Some(d) = self.describe(id).await? else {
                return Err(TaskError::retryable(format!(
                    "cloudformation stack {id} vanished while waiting"
                )));
            };
            let events = self.events(id, token).await?;
            progress.report(d.status, &events).await.map_err(|e| {
                TaskError::retryable(format!(
                    "stack {}: progress not recorded, stopped waiting: {}",
                    self.name, e.message
                ))
            })?;
            if !waits_on(d.status) {
                return Ok((d, events));
            }
            if started.elapsed() > self.polling.timeout {
                return Err(TaskError::retryable(format!(
                    "stack {} still {} after {:?}",
                    self.name,
                    d.status.as_str(),
                    self.polling.timeout
                )));
            }
            tracing::debug!(status = d.status.as_str(), "waiting for the stack");
            tokio::time::sleep(delay).await;
            delay = self.polling.next(delay);
        }
    }

    /// The events of the operation `token` (or, without one, of the latest operation),
    /// oldest first.
    pub async fn events(
        &self,
        id: &str,
        token: Option<&str>,
    ) -> Result<Vec<StackEvent>, TaskError> {
        let mut ops = OperationEvents::new(&self.name, token);
        let mut next: Option<String> = None;
        for _ in 0..MAX_EVENT_PAGES {
            let out = self
                .cf
                .describe_stack_events()
                .stack_name(id)
                .set_next_token(next.take())
                .send()
                .await
                .map_err(|e| cf_error("DescribeStackEvents", &self.name, e))?;
            let more = ops.page(out.stack_events());
            next = out.next_token().map(str::to_owned);
            if !more || next.is_none() {
                break;
            }
        }
        Ok(ops.into_events())
    }
}

/// Statuses CloudFormation is still working through. REVIEW_IN_PROGRESS is not one: it is a
/// stack whose first change set was never executed, and it stays so until someone does.
pub(super) fn waits_on(status: StackStatus) -> bool {
    status.in_progress() && status != StackStatus::ReviewInProgress
}

/// DescribeStacks' and DescribeChangeSet's "does not exist" (a ValidationError, 400), and
/// DeleteChangeSet's ChangeSetNotFound.
fn is_missing<E: ProvideErrorMetadata>(e: &SdkError<E>) -> bool {
    match e.code() {
        Some("ValidationError") => e.message().is_some_and(|m| m.contains("does not exist")),
        Some("ChangeSetNotFound" | "ChangeSetNotFoundException") => true,
        _ => false,
    }
}

/// The reasons CloudFormation gives a change set with nothing to change.
fn is_no_changes(reason: &str) -> bool {
    reason.contains("didn't contain changes") || reason.contains("No updates are to be performed")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn review_in_progress_is_not_waited_for() {
        assert!(waits_on(StackStatus::CreateInProgress));
        assert!(waits_on(StackStatus::UpdateRollbackInProgress));
        assert!(!waits_on(StackStatus::ReviewInProgress));
        assert!(!waits_on(StackStatus::RollbackComplete));
    }

    #[test]
    fn tokens_are_valid_change_set_names_and_unique() {
        let (a, b) = (operation_token(), operation_token());
        assert_ne!(a, b);
        assert!(a.len() <= 128 && a.starts_with("lakecat-"));
        assert!(a.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }

    #[test]
    fn both_no_change_reasons_are_known() {
        assert!(is_no_changes(
            "The submitted information didn't contain changes. Submit different information to create a change set."
        ));
        assert!(is_no_changes("No updates are to be performed."));
        assert!(!is_no_changes("Template format error"));
    }
}
