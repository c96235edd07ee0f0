//! Stacks: the CloudFormation stacks behind environments and datasets, and the port that
//! deploys them. A deploy or delete is a durable task (`stack.deploy`, `stack.delete`) run
//! by the stack service on AWS — or by the in-process worker with a local deployer in the
//! embedded default — and its outcome is recorded on the target's stack row. Registering an
//! environment also checks that lakecat can act in it (`stack.check`: the pivot role is
//! assumable); the check's task is its record.
//!
//! Deploys of one stack never overlap: a store claims a stack task only while no other stack
//! task of the same target runs, and at most one `stack.deploy` per target waits (a second
//! request while one waits joins it; while one runs, it becomes the one more deploy).

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::catalog::{Dataset, Environment, StackStatus};
use crate::error::Result;
use crate::names::TeamName;
use crate::tasks::TaskError;

pub const STACK_DEPLOY_KIND: &str = "stack.deploy";
pub const STACK_DELETE_KIND: &str = "stack.delete";
/// Checks that lakecat can act in an environment (its pivot role is assumable). Written when
/// an environment is registered and when its owners ask again; the latest one is the
/// environment's access check.
pub const STACK_CHECK_KIND: &str = "stack.check";

/// The platform account's side of every environment's bootstrap: the roles its pivot role
/// trusts and the external id they present (one per platform, kept secret from all but
/// environment owners). Unset in the embedded default, which assumes no role.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PlatformRoles {
    pub worker_role_arn: Option<String>,
    pub stack_service_role_arn: Option<String>,
    pub external_id: Option<String>,
}

/// What a stack is deployed for, with everything its template needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[allow(
    clippy::large_enum_variant,
    reason = "one subject per task, built once and passed by reference"
)]
pub enum StackSubject {
    Environment {
        environment: Environment,
        /// The teams invited to the environment (each gets its role).
        teams: Vec<TeamName>,
    },
    Dataset {
        environment: Environment,
        dataset: Dataset,
    },
}

impl StackSubject {
    /// The environment or dataset id the stack row is keyed by.
    pub fn target_id(&self) -> &str {
        match self {
            StackSubject::Environment { environment, .. } => environment.id.as_str(),
            StackSubject::Dataset { dataset, .. } => dataset.id.as_str(),
        }
    }

    pub fn environment(&self) -> &Environment {
        match self {
            StackSubject::Environment { environment, .. }
            | StackSubject::Dataset { environment, .. } => environment,
        }
    }

    /// Told when a deploy fails.
    pub fn owner_team(&self) -> &TeamName {
        match self {
            StackSubject::Environment { environment, .. } => &environment.owner_team,
            StackSubject::Dataset { dataset, .. } => &dataset.owner_team,
        }
    }

    /// The CloudFormation stack name: stable for the target, and within CloudFormation's
    /// rules (a letter first, then letters, digits and `-`).
    pub fn stack_name(&self) -> String {
        stack_name(self.target_id())
    }
}

/// `lakecat-<target id>` with `_` as `-` (`ds_01…` → `lakecat-ds-01…`).
pub fn stack_name(target_id: &str) -> String {
    let id: String = target_id
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    format!("lakecat-{id}")
}

/// One event of a deploy, as CloudFormation reports it (oldest first in a report).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StackEvent {
    pub timestamp: DateTime<Utc>,
    pub logical_id: String,
    pub resource_type: String,
    pub status: String,
    pub reason: Option<String>,
}

impl StackEvent {
    /// Whether the event is a resource failing (`CREATE_FAILED`, `UPDATE_FAILED`, …).
    pub fn is_failure(&self) -> bool {
        self.status.ends_with("_FAILED")
    }
}

/// What a deploy or delete came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackReport {
    pub status: StackStatus,
    pub outputs: BTreeMap<String, String>,
    pub events: Vec<StackEvent>,
    /// The first failing event's reason (or the deployer's own), for a person to read.
    pub error: Option<String>,
    /// Whether anything was executed (false: the change set had no changes).
    pub executed: bool,
}

impl StackReport {
    /// The reason of the first failing event that has one, oldest first: the cause, not the
    /// cascade of "Resource creation cancelled" after it.
    pub fn first_failure(events: &[StackEvent]) -> Option<String> {
        events.iter().filter(|e| e.is_failure()).find_map(|e| {
            e.reason
                .as_ref()
                .filter(|r| !r.is_empty())
                .map(|r| format!("{} ({}): {r}", e.logical_id, e.resource_type))
        })
    }
}

/// Told while a deploy runs: records the status and events so far on the stack row and
/// renews the task's lease. An error means the task was taken over (or the store is down):
/// the deployer stops waiting and returns it.
#[async_trait]
pub trait StackProgress: Send + Sync {
    async fn report(&self, status: StackStatus, events: &[StackEvent]) -> Result<()>;
}

/// Deploys and deletes stacks (CloudFormation through the environment's pivot role, or the
/// local deployer of the embedded default). Both are idempotent: a stack already in
/// progress — an earlier attempt that died — is waited for, never created a second time.
#[async_trait]
pub trait StackDeployer: Send + Sync + 'static {
    /// Creates or updates the stack; a change set with no changes executes nothing.
    async fn deploy(
        &self,
        subject: &StackSubject,
        progress: &dyn StackProgress,
    ) -> std::result::Result<StackReport, TaskError>;
    /// Deletes the stack (retained resources stay); a stack that does not exist is done.
    async fn delete(
        &self,
        subject: &StackSubject,
        progress: &dyn StackProgress,
    ) -> std::result::Result<StackReport, TaskError>;
    /// Checks that deploys into `environment` can run: on AWS, that its pivot role can be
    /// assumed with the platform's external id. The error says what was refused, by whom,
    /// for a person to act on (e.g. "cannot assume arn:…:role/… : AccessDenied: …"). Returns
    /// what was checked (the role or the folder).
    async fn check_access(
        &self,
        environment: &Environment,
    ) -> std::result::Result<String, TaskError>;
}

impl StackStatus {
    /// CloudFormation is still working on the stack.
    pub fn in_progress(self) -> bool {
        self.as_str().ends_with("_IN_PROGRESS")
    }

    /// The stack is usable and as asked for.
    pub fn is_complete(self) -> bool {
        matches!(
            self,
            StackStatus::CreateComplete | StackStatus::UpdateComplete | StackStatus::ImportComplete
        )
    }

    /// The last operation failed (the stack may still be usable at its previous version:
    /// `UPDATE_ROLLBACK_COMPLETE`).
    pub fn is_failed(self) -> bool {
        let s = self.as_str();
        !self.in_progress() && (s.ends_with("_FAILED") || s.ends_with("ROLLBACK_COMPLETE"))
    }

    /// A status CloudFormation reports, or a field error naming it.
    pub fn from_cloudformation(raw: &str) -> Result<StackStatus> {
        StackStatus::parse("stack.status", raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(status: &str, reason: Option<&str>) -> StackEvent {
        StackEvent {
            timestamp: Utc::now(),
            logical_id: "DatasetBucket".into(),
            resource_type: "AWS::S3::Bucket".into(),
            status: status.into(),
            reason: reason.map(str::to_owned),
        }
    }

    #[test]
    fn stack_names_follow_cloudformation_rules() {
        let name = stack_name("ds_01HZX3");
        assert_eq!(name, "lakecat-ds-01HZX3");
        assert!(name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'));
    }

    #[test]
    fn the_first_failure_with_a_reason_is_the_cause() {
        let events = vec![
            event("CREATE_IN_PROGRESS", None),
            event("CREATE_FAILED", Some("")),
            event("CREATE_FAILED", Some("Bucket already exists")),
            event("CREATE_FAILED", Some("Resource creation cancelled")),
        ];
        assert_eq!(
            StackReport::first_failure(&events).as_deref(),
            Some("DatasetBucket (AWS::S3::Bucket): Bucket already exists")
        );
        assert_eq!(StackReport::first_failure(&events[..1]), None);
    }

    #[test]
    fn statuses_are_classified() {
        use StackStatus::*;
        assert!(CreateInProgress.in_progress() && UpdateRollbackInProgress.in_progress());
        assert!(CreateComplete.is_complete() && !RollbackComplete.is_complete());
        assert!(RollbackComplete.is_failed() && UpdateRollbackComplete.is_failed());
        assert!(CreateFailed.is_failed() && !UpdateComplete.is_failed());
        assert!(!Pending.in_progress() && !Pending.is_failed());
        assert!(RollbackInProgress.in_progress() && !RollbackInProgress.is_failed());
        assert!(ImportRollbackComplete.is_failed());
        assert_eq!(
            StackStatus::from_cloudformation("ROLLBACK_COMPLETE").ok(),
            Some(RollbackComplete)
        );
        assert!(StackStatus::from_cloudformation("SOMETHING_ELSE").is_err());
    }
}
