//! Environment and dataset stacks on CloudFormation: the AWS adapter of [`StackDeployer`].
//! Every call acts in the environment's account, through its pivot role, in its region.
//!
//! A deploy goes through a change set, so an update with nothing to change executes nothing
//! and a refused template leaves the stack as it was. A stack an earlier attempt left behind
//! is dealt with first: one still in progress is waited for (never created twice); one that
//! never got usable (a rolled-back create, a change set never executed) is deleted and
//! created again.

mod cloudformation;
mod events;

use std::time::Duration;

use async_trait::async_trait;
use aws_config::SdkConfig;
use aws_sdk_cloudformation::types::ChangeSetType;
use lakecat_cfn::tags;
use lakecat_core::catalog::{Environment, StackStatus};
use lakecat_core::stacks::{StackDeployer, StackProgress, StackReport, StackSubject};
use lakecat_core::tasks::TaskError;

use crate::AwsConfig;
use crate::session;
pub use crate::session::check_pivot_role;
use cloudformation::{ChangeSetOutcome, Described, Stack, operation_token, waits_on};
use events::report;

/// CloudFormation's limit on a template passed in the request (larger ones go through S3).
const MAX_TEMPLATE_BODY: usize = 51_200;

/// How the stack service reaches CloudFormation.
#[derive(Debug, Clone, Default)]
pub struct StackSettings {
    pub aws: AwsConfig,
    /// The ExternalId presented when assuming an environment's pivot role; without one, the
    /// environment's id (what the share processor presents).
    pub external_id: Option<String>,
    pub execution_role: ExecutionRole,
    pub polling: Polling,
}

/// The role CloudFormation runs a stack's changes with (its `RoleARN`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ExecutionRole {
    /// The environment bootstrap's `<prefix>-cfn-execution` role.
    #[default]
    Bootstrap,
    /// A role of this name in the environment's account.
    Named(String),
    /// None: CloudFormation acts with the pivot role's own permissions.
    PivotRole,
}

/// How often the stack and change sets are polled, and for how long at most.
#[derive(Debug, Clone, Copy)]
pub struct Polling {
    pub first: Duration,
    pub max: Duration,
    /// A wait longer than this is a retryable error (the next attempt waits again).
    pub timeout: Duration,
}

impl Default for Polling {
    fn default() -> Self {
        Polling {
            first: Duration::from_secs(2),
            max: Duration::from_secs(20),
            timeout: Duration::from_secs(2 * 60 * 60),
        }
    }
}

impl Polling {
    fn next(&self, delay: Duration) -> Duration {
        (delay * 2).min(self.max)
    }
}

/// The AWS adapter of [`StackDeployer`].
pub struct CloudFormationDeployer {
    base: SdkConfig,
    settings: StackSettings,
}

impl CloudFormationDeployer {
    pub async fn new(settings: StackSettings) -> Self {
        CloudFormationDeployer {
            base: settings.aws.load().await,
            settings,
        }
    }

    /// Whether the deployer can act in `environment` (its registration check).
    pub async fn check_pivot_role(&self, environment: &Environment) -> Result<(), TaskError> {
        check_pivot_role(&self.base, environment, &self.external_id(environment)).await
    }

    fn external_id(&self, environment: &Environment) -> String {
        self.settings
            .external_id
            .clone()
            .unwrap_or_else(|| environment.id.as_str().to_owned())
    }

    fn role_arn(&self, environment: &Environment) -> Result<Option<String>, TaskError> {
        let name = match &self.settings.execution_role {
            ExecutionRole::PivotRole => return Ok(None),
            ExecutionRole::Named(name) => name.clone(),
            ExecutionRole::Bootstrap => lakecat_cfn::execution_role_name(environment)
                .map_err(|e| TaskError::permanent(format!("execution role: {e}")))?
                .as_str()
                .to_owned(),
        };
        Ok(Some(format!(
            "arn:aws:iam::{}:role/{name}",
            environment.account_id
        )))
    }

    async fn stack(&self, subject: &StackSubject) -> Result<Stack, TaskError> {
        let environment = subject.environment();
        let config = session::assume(
            &self.base,
            environment,
            &self.external_id(environment),
            "lakecat-stacks",
        )
        .await?;
        Ok(Stack {
            cf: aws_sdk_cloudformation::Client::new(&config),
            name: subject.stack_name(),
            polling: self.settings.polling,
            role_arn: self.role_arn(environment)?,
        })
    }
}

/// The stack's own tags (CloudFormation passes them on to every resource that takes tags).
fn stack_tags(subject: &StackSubject) -> Vec<(String, String)> {
    let env = subject.environment();
    let mut out = vec![
        (
            tags::ORGANIZATION.to_owned(),
            env.organization_id.as_str().to_owned(),
        ),
        (tags::ENVIRONMENT.to_owned(), env.id.as_str().to_owned()),
    ];
    if let StackSubject::Dataset { dataset, .. } = subject {
        out.push((tags::DATASET.to_owned(), dataset.id.as_str().to_owned()));
    }
    out
}

/// What to do with the stack found before a deploy.
#[derive(Debug, PartialEq, Eq)]
enum Before {
    Create,
    Update,
    /// Never usable: delete it, then create.
    Replace,
    Refuse(String),
}

fn before_deploy(found: Option<StackStatus>) -> Before {
    use StackStatus::*;
    match found {
        None | Some(DeleteComplete) => Before::Create,
        Some(
            RollbackComplete | RollbackFailed | CreateFailed | ReviewInProgress | DeleteFailed,
        ) => Before::Replace,
        Some(UpdateRollbackFailed) => Before::Refuse(
            "the stack is UPDATE_ROLLBACK_FAILED: an operator must continue the rollback \
             (ContinueUpdateRollback) before it can be deployed again"
                .to_owned(),
        ),
        Some(_) => Before::Update,
    }
}

#[async_trait]
impl StackDeployer for CloudFormationDeployer {
    #[tracing::instrument(skip_all, fields(stack.target = subject.target_id()))]
    async fn deploy(
        &self,
        subject: &StackSubject,
        progress: &dyn StackProgress,
    ) -> Result<StackReport, TaskError> {
        let body = lakecat_cfn::subject_template(subject)
            .map_err(|e| {
                TaskError::permanent(format!("template of {}: {e}", subject.stack_name()))
            })?
            .to_json();
        if body.len() > MAX_TEMPLATE_BODY {
            return Err(TaskError::permanent(format!(
                "template of {} is {} bytes, over CloudFormation's {MAX_TEMPLATE_BODY}",
                subject.stack_name(),
                body.len()
            )));
        }
        let stack = self.stack(subject).await?;
        let mut found = stack.describe(&stack.name).await?;
        if let Some(d) = found.as_ref().filter(|d| waits_on(d.status)) {
            tracing::info!(
                status = d.status.as_str(),
                "an earlier operation runs: waiting"
            );
            found = Some(stack.wait(&d.id, None, progress).await?.0);
        }
        let kind = match before_deploy(found.as_ref().map(|d| d.status)) {
            Before::Create => ChangeSetType::Create,
            Before::Update => ChangeSetType::Update,
            Before::Refuse(why) => return Err(TaskError::permanent(why)),
            Before::Replace => {
                if let Some(d) = &found {
                    tracing::info!(status = d.status.as_str(), "replacing an unusable stack");
                    let (gone, events) = delete_and_wait(&stack, d, progress).await?;
                    if gone.status != StackStatus::DeleteComplete {
                        let failed = report(
                            gone.status,
                            gone.reason.as_deref(),
                            Default::default(),
                            events,
                            true,
                        );
                        return Err(TaskError::permanent(format!(
                            "stack {} was {} and could not be deleted: {}",
                            stack.name,
                            d.status.as_str(),
                            failed.error.unwrap_or_default()
                        )));
                    }
                }
                found = None;
                ChangeSetType::Create
            }
        };
        let token = operation_token();
        let change_set = stack
            .create_change_set(kind.clone(), &body, &stack_tags(subject), &token)
            .await?;
        match stack.change_set_outcome(&change_set).await? {
            ChangeSetOutcome::Ready { changes } => {
                tracing::info!(changes, kind = kind.as_str(), "executing the change set");
            }
            ChangeSetOutcome::NoChanges => {
                stack.delete_change_set(&change_set).await?;
                let d = found.ok_or_else(|| {
                    TaskError::retryable(format!("stack {}: no changes to no stack", stack.name))
                })?;
                return Ok(report(d.status, None, d.outputs, vec![], false));
            }
            ChangeSetOutcome::Failed(reason) => {
                stack.delete_change_set(&change_set).await?;
                if kind == ChangeSetType::Create {
                    // The empty REVIEW_IN_PROGRESS stack the change set made: the next deploy
                    // would replace it anyway.
                    if let Some(d) = stack.describe(&stack.name).await? {
                        stack.delete(&d.id, &operation_token()).await?;
                    }
                }
                return Err(TaskError::permanent(format!(
                    "CloudFormation refused the change set of {}: {reason}",
                    stack.name
                )));
            }
        }
        stack.execute(&change_set, &token).await?;
        let id = match found {
            Some(d) => d.id,
            None => stack
                .describe(&stack.name)
                .await?
                .map(|d| d.id)
                .unwrap_or_else(|| stack.name.clone()),
        };
        let (done, events) = stack.wait(&id, Some(&token), progress).await?;
        Ok(report(
            done.status,
            done.reason.as_deref(),
            done.outputs,
            events,
            true,
        ))
    }

    #[tracing::instrument(skip_all, fields(stack.target = subject.target_id()))]
    async fn delete(
        &self,
        subject: &StackSubject,
        progress: &dyn StackProgress,
    ) -> Result<StackReport, TaskError> {
        let stack = self.stack(subject).await?;
        let Some(mut found) = stack.describe(&stack.name).await? else {
            return Ok(report(
                StackStatus::DeleteComplete,
                None,
                Default::default(),
                vec![],
                false,
            ));
        };
        if waits_on(found.status) {
            found = stack.wait(&found.id, None, progress).await?.0;
            if found.status == StackStatus::DeleteComplete {
                return Ok(report(found.status, None, found.outputs, vec![], false));
            }
        }
        let (done, events) = delete_and_wait(&stack, &found, progress).await?;
        Ok(report(
            done.status,
            done.reason.as_deref(),
            Default::default(),
            events,
            true,
        ))
    }

    /// The pivot role can be assumed with the platform's external id (STS AssumeRole, as the
    /// deploys do).
    async fn check_access(&self, environment: &Environment) -> Result<String, TaskError> {
        CloudFormationDeployer::check_pivot_role(self, environment).await?;
        Ok(environment.pivot_role_arn())
    }
}

async fn delete_and_wait(
    stack: &Stack,
    found: &Described,
    progress: &dyn StackProgress,
) -> Result<(Described, Vec<lakecat_core::stacks::StackEvent>), TaskError> {
    let token = operation_token();
    stack.delete(&found.id, &token).await?;
    let (done, events) = stack.wait(&found.id, Some(&token), progress).await?;
    if done.status != StackStatus::DeleteComplete && !done.status.is_failed() {
        return Err(TaskError::retryable(format!(
            "stack {}: delete ended {}",
            stack.name,
            done.status.as_str()
        )));
    }
    Ok((done, events))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_a_deploy_does_with_the_stack_it_finds() {
        use StackStatus::*;
        assert_eq!(before_deploy(None), Before::Create);
        for s in [
            CreateComplete,
            UpdateComplete,
            UpdateRollbackComplete,
            ImportComplete,
        ] {
            assert_eq!(before_deploy(Some(s)), Before::Update, "{}", s.as_str());
        }
        for s in [
            RollbackComplete,
            RollbackFailed,
            CreateFailed,
            ReviewInProgress,
            DeleteFailed,
        ] {
            assert_eq!(before_deploy(Some(s)), Before::Replace, "{}", s.as_str());
        }
        assert!(matches!(
            before_deploy(Some(UpdateRollbackFailed)),
            Before::Refuse(why) if why.contains("ContinueUpdateRollback")
        ));
    }

    #[test]
    fn polling_backs_off_to_its_bound() {
        let p = Polling {
            first: Duration::from_millis(10),
            max: Duration::from_millis(25),
            timeout: Duration::from_secs(1),
        };
        assert_eq!(p.next(p.first), Duration::from_millis(20));
        assert_eq!(p.next(Duration::from_millis(20)), Duration::from_millis(25));
    }
}
