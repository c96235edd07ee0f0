//! The CloudFormation stacks behind environments and datasets: read one (status, events,
//! outputs, error), ask for a redeploy, get an environment's bootstrap template with its
//! parameters filled in, and check that lakecat can act in an environment (its pivot role
//! is assumable). Deploys and checks run as tasks; resolvers never call AWS.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use lakecat_core::Error;
use lakecat_core::catalog as core;
use lakecat_core::ids::{EnvironmentId, ResourceId, ResourceKind};
use lakecat_core::permissions::Permission;
use lakecat_core::stacks::stack_name;

use super::mirror_enum;
use super::not_found;
use super::tables::guard_of;
use crate::authz::authorize_with;
use crate::context::{meta, publish_now, services, store};
use crate::errors::ApiResult;

mirror_enum!(StackStatus, core::StackStatus, {
    Pending, CreateInProgress, CreateComplete, CreateFailed, UpdateInProgress, UpdateComplete,
    UpdateFailed, DeleteInProgress, DeleteComplete, DeleteFailed, RollbackInProgress,
    RollbackComplete, RollbackFailed, UpdateCompleteCleanupInProgress, UpdateRollbackInProgress,
    UpdateRollbackComplete, UpdateRollbackFailed, UpdateRollbackCompleteCleanupInProgress,
    ReviewInProgress, ImportInProgress, ImportComplete, ImportRollbackInProgress,
    ImportRollbackComplete, ImportRollbackFailed,
});

/// The CloudFormation stack behind an environment or a dataset.
#[derive(SimpleObject, Clone)]
pub struct Stack {
    pub id: String,
    /// The environment or dataset it is deployed for.
    pub target_id: String,
    /// The CloudFormation stack name.
    pub name: String,
    /// CloudFormation's status of the last deploy (PENDING until the first runs).
    pub status: StackStatus,
    /// The stack's outputs by name (bucket, key ARN, role ARNs, Glue database, …).
    pub outputs: async_graphql::Json<serde_json::Value>,
    /// The last deploy's events, oldest first: `{timestamp, logical_id, resource_type,
    /// status, reason}`.
    pub events: async_graphql::Json<serde_json::Value>,
    /// Why the last deploy failed, for a person to read (the first failing event's reason).
    pub error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<core::Stack> for Stack {
    fn from(s: core::Stack) -> Self {
        Stack {
            id: s.id.to_string(),
            name: stack_name(&s.target_id),
            target_id: s.target_id,
            status: s.status.into(),
            outputs: async_graphql::Json(s.outputs),
            events: async_graphql::Json(s.events),
            error: s.error,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// A parameter of a template, with the value to deploy it with.
#[derive(SimpleObject, Clone)]
pub struct TemplateParameter {
    pub key: String,
    /// None: the template's default applies, or the platform has not configured it (see
    /// `missing`).
    pub value: Option<String>,
    pub description: String,
}

/// What an account admin deploys once in the environment's account: the pivot role lakecat
/// assumes, and the role CloudFormation runs lakecat's stacks with.
#[derive(SimpleObject, Clone)]
pub struct BootstrapTemplate {
    /// The stack name to deploy it under.
    pub stack_name: String,
    /// The template body (CloudFormation JSON).
    pub template: String,
    pub parameters: Vec<TemplateParameter>,
    /// Required parameters the platform has not configured (`LAKECAT_PLATFORM_*`): fill
    /// them in before deploying. The external id is `LAKECAT_PIVOT_EXTERNAL_ID`, or else the
    /// environment's id, as the stack service presents it.
    pub missing: Vec<String>,
    /// The AWS CLI command that deploys it (the template saved as `bootstrap.json`).
    pub deploy_command: String,
}

fn target_kind(field: &str, raw: &str) -> ApiResult<ResourceId> {
    let target = ResourceId::parse(field, raw)?;
    match target.kind() {
        ResourceKind::Environment | ResourceKind::Dataset => Ok(target),
        _ => Err(Error::bad_input(field, "stacks belong to environments and datasets").into()),
    }
}

#[derive(Default)]
pub struct StackQuery;

#[Object]
impl StackQuery {
    /// The stack of an environment or a dataset.
    async fn stack(&self, ctx: &Context<'_>, target_id: String) -> ApiResult<Stack> {
        let target = target_kind("targetId", &target_id)?;
        let (resource, permission) = guard_of(ctx, &target, |kind| match kind {
            ResourceKind::Environment => Some(Permission::GetEnvironment),
            _ => Some(Permission::GetDataset),
        })
        .await?;
        authorize_with(ctx, "stack", Some(&resource), permission).await?;
        store(ctx)
            .stack_for_target(target.as_str())
            .await?
            .map(Stack::from)
            .ok_or_else(|| not_found(&crate::authz::kind_words(target.kind()), target.as_str()))
    }

    /// The environment's bootstrap template and the parameters to deploy it with.
    async fn environment_bootstrap_template(
        &self,
        ctx: &Context<'_>,
        environment_id: String,
    ) -> ApiResult<BootstrapTemplate> {
        let id = EnvironmentId::parse("environmentId", &environment_id)?;
        authorize_with(ctx, "environmentBootstrapTemplate", Some(id.as_str()), None).await?;
        let env = store(ctx)
            .environments_by_ids(&[id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| not_found("environment", id.as_str()))?;
        bootstrap(&env, &services(ctx).platform)
    }
}

/// Renders `env`'s bootstrap with the platform's values.
fn bootstrap(
    env: &core::Environment,
    platform: &lakecat_core::stacks::PlatformRoles,
) -> ApiResult<BootstrapTemplate> {
    let cfn_err = |e: lakecat_cfn::CfnError| Error::internal(format!("cannot render: {e}"));
    let env_ref = lakecat_cfn::EnvironmentRef::from_environment(env).map_err(cfn_err)?;
    let tags = lakecat_cfn::UserTags::from_catalog(&env.tags, &[]);
    let template = lakecat_cfn::environment_bootstrap(&lakecat_cfn::EnvironmentBootstrap {
        env: env_ref,
        tags,
    })
    .map_err(cfn_err)?;
    let body = template.to_value();
    // Without a platform-wide external id, lakecat presents the environment's id.
    let external_id = Some(
        platform
            .external_id
            .clone()
            .unwrap_or_else(|| env.id.to_string()),
    );
    let known = [
        ("PlatformWorkerRoleArn", &platform.worker_role_arn),
        (
            "PlatformStackServiceRoleArn",
            &platform.stack_service_role_arn,
        ),
        ("ExternalId", &external_id),
    ];
    let mut parameters = Vec::new();
    let mut missing = Vec::new();
    for id in template.parameters() {
        let key = id.as_str().to_owned();
        let declared = &body["Parameters"][&key];
        let value = known
            .iter()
            .find(|(k, _)| *k == key)
            .and_then(|(_, v)| (*v).clone());
        if value.is_none() && declared.get("Default").is_none() {
            missing.push(key.clone());
        }
        parameters.push(TemplateParameter {
            description: declared["Description"]
                .as_str()
                .unwrap_or_default()
                .to_owned(),
            key,
            value,
        });
    }
    let name = format!("{}-bootstrap", env.resource_prefix.as_str());
    let overrides: Vec<String> = parameters
        .iter()
        .map(|p| match &p.value {
            Some(v) => format!("{}={v}", p.key),
            None if missing.contains(&p.key) => format!("{}=<{}>", p.key, p.key),
            None => String::new(),
        })
        .filter(|s| !s.is_empty())
        .collect();
    let deploy_command = format!(
        "aws cloudformation deploy --region {} --stack-name {name} --template-file bootstrap.json --capabilities CAPABILITY_NAMED_IAM --parameter-overrides {}",
        env.region.as_str(),
        overrides.join(" ")
    );
    Ok(BootstrapTemplate {
        stack_name: name,
        template: template.to_json_pretty(),
        parameters,
        missing,
        deploy_command,
    })
}

/// Whether lakecat can act in an environment: the answer of its latest access check (the
/// pivot role assumed with the platform's external id; the lake folder written to in the
/// embedded default). Checked when the environment is registered and when its owners ask.
#[derive(SimpleObject, Clone)]
pub struct AccessCheck {
    /// The check's task (its attempts and history are in `tasks(targetId)`).
    pub task_id: String,
    /// PENDING or RUNNING while it runs, SUCCEEDED, or FAILED with `error`.
    pub status: super::tasks::TaskStatus,
    /// What was checked: the pivot role's ARN, or the local lake's folder.
    pub checked: Option<String>,
    /// Why it failed, for a person to act on (e.g. "cannot assume arn:…: AccessDenied: …").
    pub error: Option<String>,
    pub requested_at: DateTime<Utc>,
    /// When the answer came (None while it runs).
    pub checked_at: Option<DateTime<Utc>>,
}

impl From<core::Task> for AccessCheck {
    fn from(t: core::Task) -> Self {
        let finished = t.status.is_finished();
        AccessCheck {
            task_id: t.id.to_string(),
            status: t.status.into(),
            checked: t
                .result
                .as_ref()
                .and_then(|r| r.get("checked"))
                .and_then(|v| v.as_str())
                .map(str::to_owned),
            // A retry in waiting keeps the last attempt's error: say it while it runs too.
            error: t.error,
            requested_at: t.created_at,
            checked_at: finished.then_some(t.updated_at),
        }
    }
}

/// An environment's access check, for [`super::organizations::Environment`].
pub(crate) async fn access_check(
    ctx: &Context<'_>,
    environment_id: &str,
) -> ApiResult<Option<AccessCheck>> {
    Ok(store(ctx)
        .access_check(environment_id)
        .await?
        .map(AccessCheck::from))
}

#[derive(InputObject)]
pub struct CheckEnvironmentAccessInput {
    pub environment_id: String,
}

#[derive(InputObject)]
pub struct UpdateStackInput {
    /// The environment or dataset whose stack to deploy again.
    pub target_id: String,
}

#[derive(Default)]
pub struct StackMutation;

#[Object]
impl StackMutation {
    /// Deploys the stack again (after a failure, or to apply a template change). A request
    /// while one deploy waits joins it; while one runs, one more deploy follows it.
    async fn update_stack(&self, ctx: &Context<'_>, input: UpdateStackInput) -> ApiResult<Stack> {
        let target = target_kind("input.targetId", &input.target_id)?;
        let (resource, _) = guard_of(ctx, &target, |_| None).await?;
        let permission = match target.kind() {
            ResourceKind::Environment => Permission::UpdateEnvironment,
            _ => Permission::UpdateDataset,
        };
        authorize_with(ctx, "updateStack", Some(&resource), Some(permission)).await?;
        let (stack, tasks) = store(ctx)
            .request_stack_deploy(&meta(ctx)?, target.as_str())
            .await?;
        publish_now(ctx, &tasks).await;
        Ok(stack.into())
    }

    /// Checks again that lakecat can act in the environment (after its bootstrap stack was
    /// deployed or changed). A request while a check waits joins it.
    async fn check_environment_access(
        &self,
        ctx: &Context<'_>,
        input: CheckEnvironmentAccessInput,
    ) -> ApiResult<AccessCheck> {
        let id = EnvironmentId::parse("input.environmentId", &input.environment_id)?;
        authorize_with(ctx, "checkEnvironmentAccess", Some(id.as_str()), None).await?;
        let (task, tasks) = store(ctx)
            .request_access_check(&meta(ctx)?, id.as_str())
            .await?;
        publish_now(ctx, &tasks).await;
        Ok(task.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use lakecat_core::names::{AwsAccountId, AwsRegion, Description, Label, Slug, TeamName};

    fn env() -> core::Environment {
        core::NewEnvironment {
            organization_id: lakecat_core::ids::OrganizationId::generate(),
            label: Label::from_trusted("Prod".into()),
            description: Description::from_trusted(String::new()),
            tags: vec![],
            account_id: AwsAccountId::from_trusted("111122223333".into()),
            region: AwsRegion::from_trusted("eu-west-1".into()),
            owner_team: TeamName::from_trusted("admins".into()),
            env_type: core::EnvironmentType::Data,
            resource_prefix: Slug::from_trusted("lake".into()),
            pivot_role_name: "lakecat-pivot-role".into(),
        }
        .build("me", Utc::now())
        .0
    }

    #[test]
    fn the_bootstrap_says_what_the_platform_has_not_configured() {
        let unset = bootstrap(&env(), &Default::default()).unwrap();
        assert_eq!(
            unset.missing,
            ["PlatformStackServiceRoleArn", "PlatformWorkerRoleArn"]
        );
        let env_id = unset
            .parameters
            .iter()
            .find(|p| p.key == "ExternalId")
            .and_then(|p| p.value.clone())
            .unwrap_or_default();
        assert!(env_id.starts_with("env_"), "the environment's id: {env_id}");
        assert!(
            unset
                .deploy_command
                .contains(&format!("ExternalId={env_id}"))
        );
        assert!(
            unset
                .deploy_command
                .contains("PlatformWorkerRoleArn=<PlatformWorkerRoleArn>")
        );
        let platform = lakecat_core::stacks::PlatformRoles {
            worker_role_arn: Some("arn:aws:iam::999988887777:role/lakecat-worker".into()),
            stack_service_role_arn: Some("arn:aws:iam::999988887777:role/lakecat-stacks".into()),
            external_id: Some("0123456789abcdef0123".into()),
        };
        let set = bootstrap(&env(), &platform).unwrap();
        assert!(set.missing.is_empty());
        assert_eq!(set.stack_name, "lake-bootstrap");
        let body: serde_json::Value = serde_json::from_str(&set.template).unwrap();
        assert!(body["Resources"].as_object().is_some_and(|r| !r.is_empty()));
        assert!(set.deploy_command.contains("--region eu-west-1"));
        assert!(
            set.deploy_command
                .contains("PlatformWorkerRoleArn=arn:aws:iam::999988887777:role/lakecat-worker")
        );
    }
}
