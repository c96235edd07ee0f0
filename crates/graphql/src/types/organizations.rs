//! Organizations and environments (AWS account + region linked to lakecat).

use async_graphql::{Context, Enum, InputObject, Object};
use chrono::{DateTime, Utc};
use lakecat_core::Error;
use lakecat_core::caller::Caller;
use lakecat_core::catalog::{self as core, DatasetFilter, NewNotification};
use lakecat_core::ids::{EnvironmentId, OrganizationId, ResourceKind};
use lakecat_core::names::*;
use lakecat_core::permissions::{Bundle, Permission};
use lakecat_core::ports::{CountQuery, EnvironmentFilter, OrganizationFilter};

use super::teams::TeamMembership;
use super::{UserRole, connection, not_found, page_args};
use crate::authz::{authorize, may_follow};
use crate::context::{caller, meta, request, store};
use crate::errors::ApiResult;

#[derive(Clone)]
pub struct Organization(pub core::Organization);

#[derive(Clone)]
pub struct Environment(pub core::Environment);

connection!(OrganizationConnection, OrganizationEdge, Organization);
connection!(EnvironmentConnection, EnvironmentEdge, Environment);

pub(crate) async fn user_role(ctx: &Context<'_>, id: &str, full: Bundle) -> ApiResult<UserRole> {
    let c = caller(ctx)?;
    let held = request(ctx)?.loaders.permissions_on(id).await?;
    Ok(lakecat_core::permissions::UserRole::from_permissions(c.is_admin, full, &held).into())
}

/// The caller must belong to `team` to name it as owner (admins may name any team).
pub(crate) fn require_member(c: &Caller, field: &str, team: &TeamName) -> ApiResult<()> {
    if c.is_admin || c.is_member(team) {
        Ok(())
    } else {
        Err(Error::forbidden(format!(
            "{field}: you can only name one of your own teams ({team} is not)"
        ))
        .with_reason(lakecat_core::Reason::NotATeamMember)
        .into())
    }
}

#[Object]
impl Organization {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn label(&self) -> &str {
        self.0.label.as_str()
    }
    async fn description(&self) -> &str {
        self.0.description.as_str()
    }
    async fn tags(&self) -> Vec<&str> {
        self.0.tags.iter().map(|t| t.as_str()).collect()
    }
    async fn admin_team(&self) -> &str {
        self.0.admin_team.as_str()
    }
    async fn archived(&self) -> bool {
        self.0.archived
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn user_role(&self, ctx: &Context<'_>) -> ApiResult<UserRole> {
        user_role(ctx, self.0.id.as_str(), Bundle::OrganizationAll).await
    }
    /// Teams invited to the organization and their permissions.
    async fn teams(&self, ctx: &Context<'_>) -> ApiResult<Vec<TeamMembership>> {
        authorize(ctx, "Organization.teams", Some(self.0.id.as_str())).await?;
        Ok(store(ctx)
            .resource_teams(self.0.id.as_str())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}

#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum EnvironmentType {
    Data,
    Compute,
}

impl From<core::EnvironmentType> for EnvironmentType {
    fn from(t: core::EnvironmentType) -> Self {
        match t {
            core::EnvironmentType::Data => EnvironmentType::Data,
            core::EnvironmentType::Compute => EnvironmentType::Compute,
        }
    }
}

impl From<EnvironmentType> for core::EnvironmentType {
    fn from(t: EnvironmentType) -> Self {
        match t {
            EnvironmentType::Data => core::EnvironmentType::Data,
            EnvironmentType::Compute => core::EnvironmentType::Compute,
        }
    }
}

#[Object]
impl Environment {
    async fn id(&self) -> &str {
        self.0.id.as_str()
    }
    async fn organization_id(&self) -> &str {
        self.0.organization_id.as_str()
    }
    /// Null when none of your teams may see the organization.
    async fn organization(&self, ctx: &Context<'_>) -> ApiResult<Option<Organization>> {
        let id = self.0.organization_id.to_string();
        if !may_follow(ctx, "Environment.organization", &id).await? {
            return Ok(None);
        }
        Ok(request(ctx)?
            .loaders
            .organizations
            .load_one(id)
            .await?
            .map(Organization))
    }
    async fn label(&self) -> &str {
        self.0.label.as_str()
    }
    async fn description(&self) -> &str {
        self.0.description.as_str()
    }
    async fn tags(&self) -> Vec<&str> {
        self.0.tags.iter().map(|t| t.as_str()).collect()
    }
    async fn account_id(&self) -> &str {
        self.0.account_id.as_str()
    }
    async fn region(&self) -> &str {
        self.0.region.as_str()
    }
    async fn owner_team(&self) -> &str {
        self.0.owner_team.as_str()
    }
    #[graphql(name = "type")]
    async fn env_type(&self) -> EnvironmentType {
        self.0.env_type.into()
    }
    async fn resource_prefix(&self) -> &str {
        self.0.resource_prefix.as_str()
    }
    async fn pivot_role_name(&self) -> &str {
        &self.0.pivot_role_name
    }
    async fn pivot_role_arn(&self) -> String {
        self.0.pivot_role_arn()
    }
    async fn created_by(&self) -> &str {
        &self.0.created_by
    }
    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
    async fn user_role(&self, ctx: &Context<'_>) -> ApiResult<UserRole> {
        user_role(ctx, self.0.id.as_str(), Bundle::EnvironmentAll).await
    }
    /// Teams invited to the environment and their permissions.
    async fn teams(&self, ctx: &Context<'_>) -> ApiResult<Vec<TeamMembership>> {
        authorize(ctx, "Environment.teams", Some(self.0.id.as_str())).await?;
        Ok(store(ctx)
            .resource_teams(self.0.id.as_str())
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
    /// The environment's stack: one role per invited team, the Athena workgroup, the Lake
    /// Formation settings.
    async fn stack(&self, ctx: &Context<'_>) -> ApiResult<Option<super::stacks::Stack>> {
        authorize(ctx, "Environment.stack", Some(self.0.id.as_str())).await?;
        Ok(store(ctx)
            .stack_for_target(self.0.id.as_str())
            .await?
            .map(Into::into))
    }
    /// Whether lakecat can act in the environment: its latest access check (None before
    /// the first).
    async fn access_check(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<super::stacks::AccessCheck>> {
        authorize(ctx, "Environment.accessCheck", Some(self.0.id.as_str())).await?;
        super::stacks::access_check(ctx, self.0.id.as_str()).await
    }
}

#[derive(Default)]
pub struct OrganizationQuery;

fn visible_to(c: &Caller) -> Option<Vec<String>> {
    if c.is_admin {
        None
    } else {
        Some(c.group_names())
    }
}

#[Object]
impl OrganizationQuery {
    async fn organization(&self, ctx: &Context<'_>, id: String) -> ApiResult<Option<Organization>> {
        let id = OrganizationId::parse("id", &id)?;
        authorize(ctx, "organization", Some(id.as_str())).await?;
        Ok(store(ctx)
            .organizations_by_ids(&[id.to_string()])
            .await?
            .pop()
            .map(Organization))
    }

    /// Organizations your teams belong to (all of them for admins).
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn organizations(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        include_archived: Option<bool>,
    ) -> ApiResult<OrganizationConnection> {
        let c = authorize(ctx, "organizations", None).await?;
        let filter = OrganizationFilter {
            visible_to: visible_to(c),
            include_archived: include_archived.unwrap_or(false),
        };
        let list = format!("organizations:{}", filter.include_archived);
        let page = page_args(ctx, &list, first, after)?;
        let rows = store(ctx).list_organizations(&filter, &page).await?;
        OrganizationConnection::from_page(
            ctx,
            &list,
            rows,
            CountQuery::Organizations(filter),
            Organization,
        )
    }

    async fn environment(&self, ctx: &Context<'_>, id: String) -> ApiResult<Option<Environment>> {
        let id = EnvironmentId::parse("id", &id)?;
        authorize(ctx, "environment", Some(id.as_str())).await?;
        Ok(store(ctx)
            .environments_by_ids(&[id.to_string()])
            .await?
            .pop()
            .map(Environment))
    }

    /// Environments your teams belong to, optionally of one organization.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn environments(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        organization_id: Option<String>,
    ) -> ApiResult<EnvironmentConnection> {
        let c = authorize(ctx, "environments", None).await?;
        let org = organization_id
            .as_deref()
            .map(|o| OrganizationId::parse("organizationId", o))
            .transpose()?;
        let list = format!(
            "environments:{}",
            org.as_ref().map(|o| o.as_str()).unwrap_or("")
        );
        let filter = EnvironmentFilter {
            organization_id: org,
            visible_to: visible_to(c),
        };
        let page = page_args(ctx, &list, first, after)?;
        let rows = store(ctx).list_environments(&filter, &page).await?;
        EnvironmentConnection::from_page(
            ctx,
            &list,
            rows,
            CountQuery::Environments(filter),
            Environment,
        )
    }
}

#[derive(InputObject)]
pub struct CreateOrganizationInput {
    pub label: String,
    pub description: Option<String>,
    pub tags: Option<Vec<String>>,
    /// One of your teams; it gets ORGANIZATION_ALL.
    pub admin_team: String,
}

#[derive(InputObject)]
pub struct UpdateOrganizationInput {
    pub id: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub tags: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct ResourceInput {
    pub id: String,
}

#[derive(InputObject)]
pub struct InviteTeamToOrganizationInput {
    pub organization_id: String,
    pub team: String,
    /// Extra organization permissions; GET_ORGANIZATION is always granted.
    pub permissions: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct RemoveTeamFromOrganizationInput {
    pub organization_id: String,
    pub team: String,
}

#[derive(InputObject)]
pub struct CreateEnvironmentInput {
    pub organization_id: String,
    pub label: String,
    pub description: Option<String>,
    pub tags: Option<Vec<String>>,
    /// 12-digit AWS account id.
    pub account_id: String,
    pub region: String,
    /// One of your teams; it gets ENVIRONMENT_ALL.
    pub owner_team: String,
    #[graphql(name = "type", default_with = "EnvironmentType::Data")]
    pub env_type: EnvironmentType,
    /// Prefix of the AWS resources lakecat creates there (default `lakecat`).
    pub resource_prefix: Option<String>,
    /// Name of the pivot role lakecat assumes in the account (default `lakecat-pivot-role`).
    pub pivot_role_name: Option<String>,
}

#[derive(InputObject)]
pub struct UpdateEnvironmentInput {
    pub id: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub tags: Option<Vec<String>>,
    pub pivot_role_name: Option<String>,
}

#[derive(InputObject)]
pub struct InviteTeamToEnvironmentInput {
    pub environment_id: String,
    pub team: String,
    /// Extra environment permissions (e.g. CREATE_DATASET); GET_ENVIRONMENT is always granted.
    pub permissions: Option<Vec<String>>,
}

#[derive(InputObject)]
pub struct RemoveTeamFromEnvironmentInput {
    pub environment_id: String,
    pub team: String,
}

fn desc(field: &str, v: Option<&str>) -> ApiResult<Description> {
    Ok(Description::parse(field, v.unwrap_or(""))?)
}

fn tags(field: &str, v: Option<&[String]>) -> ApiResult<Vec<Tag>> {
    Ok(Tag::parse_list(field, v.unwrap_or(&[]))?)
}

/// Invitation permissions: the base bundle plus validated extras of the resource's kind.
fn invitation(
    field: &str,
    extra: Option<&[String]>,
    base: Bundle,
    kind: ResourceKind,
) -> ApiResult<Vec<Permission>> {
    let mut perms = base.permissions().to_vec();
    for p in Permission::parse_list_for(field, extra.unwrap_or(&[]), kind)? {
        if !perms.contains(&p) {
            perms.push(p);
        }
    }
    Ok(perms)
}

#[derive(Default)]
pub struct OrganizationMutation;

#[Object]
impl OrganizationMutation {
    async fn create_organization(
        &self,
        ctx: &Context<'_>,
        input: CreateOrganizationInput,
    ) -> ApiResult<Organization> {
        let label = Label::parse("input.label", &input.label)?;
        let description = desc("input.description", input.description.as_deref())?;
        let tags = tags("input.tags", input.tags.as_deref())?;
        let admin_team = TeamName::parse("input.adminTeam", &input.admin_team)?;
        let c = authorize(ctx, "createOrganization", None).await?;
        require_member(c, "input.adminTeam", &admin_team)?;
        let (org, grants) = core::NewOrganization {
            label,
            description,
            tags,
            admin_team,
        }
        .build(&c.subject, Utc::now());
        store(ctx)
            .create_organization(&meta(ctx)?, &org, &grants)
            .await?;
        Ok(Organization(org))
    }

    async fn update_organization(
        &self,
        ctx: &Context<'_>,
        input: UpdateOrganizationInput,
    ) -> ApiResult<Organization> {
        let id = OrganizationId::parse("input.id", &input.id)?;
        let patch = core::OrganizationPatch {
            label: input
                .label
                .as_deref()
                .map(|l| Label::parse("input.label", l))
                .transpose()?,
            description: input
                .description
                .as_deref()
                .map(|d| Description::parse("input.description", d))
                .transpose()?,
            tags: input
                .tags
                .as_deref()
                .map(|t| Tag::parse_list("input.tags", t))
                .transpose()?,
        };
        authorize(ctx, "updateOrganization", Some(id.as_str())).await?;
        let updated = store(ctx)
            .update_organization(&meta(ctx)?, &id, &patch)
            .await?;
        if patch.label.is_some() {
            let filter = DatasetFilter {
                organization_id: Some(id),
                ..DatasetFilter::default()
            };
            crate::context::refresh_search_datasets(ctx, filter).await;
        }
        Ok(Organization(updated))
    }

    /// Archives an organization without environments; it disappears from lists.
    async fn archive_organization(
        &self,
        ctx: &Context<'_>,
        input: ResourceInput,
    ) -> ApiResult<Organization> {
        let id = OrganizationId::parse("input.id", &input.id)?;
        authorize(ctx, "archiveOrganization", Some(id.as_str())).await?;
        Ok(Organization(
            store(ctx).archive_organization(&meta(ctx)?, &id).await?,
        ))
    }

    async fn invite_team_to_organization(
        &self,
        ctx: &Context<'_>,
        input: InviteTeamToOrganizationInput,
    ) -> ApiResult<TeamMembership> {
        let id = OrganizationId::parse("input.organizationId", &input.organization_id)?;
        let team = TeamName::parse("input.team", &input.team)?;
        let perms = invitation(
            "input.permissions",
            input.permissions.as_deref(),
            Bundle::OrganizationInvited,
            ResourceKind::Organization,
        )?;
        authorize(ctx, "inviteTeamToOrganization", Some(id.as_str())).await?;
        let org = store(ctx)
            .organizations_by_ids(&[id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| not_found("organization", id.as_str()))?;
        let note = NewNotification {
            recipient_team: team.clone(),
            kind: "TEAM_INVITED",
            message: format!(
                "Your team {team} was invited to the organization {}",
                org.label
            ),
            target_id: Some(id.to_string()),
        };
        Ok(store(ctx)
            .invite_team(&meta(ctx)?, id.as_str(), &team, &perms, Some(note))
            .await?
            .into())
    }

    async fn remove_team_from_organization(
        &self,
        ctx: &Context<'_>,
        input: RemoveTeamFromOrganizationInput,
    ) -> ApiResult<bool> {
        let id = OrganizationId::parse("input.organizationId", &input.organization_id)?;
        let team = TeamName::parse("input.team", &input.team)?;
        authorize(ctx, "removeTeamFromOrganization", Some(id.as_str())).await?;
        let org = store(ctx)
            .organizations_by_ids(&[id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| not_found("organization", id.as_str()))?;
        if org.admin_team == team {
            return Err(
                Error::conflict("the organization's admin team cannot be removed")
                    .with_reason(lakecat_core::Reason::OwnerTeamRequired)
                    .into(),
            );
        }
        store(ctx)
            .remove_team(&meta(ctx)?, id.as_str(), &team)
            .await?;
        Ok(true)
    }

    /// Links an AWS account and region as an environment (registration only: the environment
    /// stack is deployed by a later version).
    async fn create_environment(
        &self,
        ctx: &Context<'_>,
        input: CreateEnvironmentInput,
    ) -> ApiResult<Environment> {
        let org_id = OrganizationId::parse("input.organizationId", &input.organization_id)?;
        let label = Label::parse("input.label", &input.label)?;
        let description = desc("input.description", input.description.as_deref())?;
        let tags = tags("input.tags", input.tags.as_deref())?;
        let account_id = AwsAccountId::parse("input.accountId", &input.account_id)?;
        let region = AwsRegion::parse("input.region", &input.region)?;
        let owner_team = TeamName::parse("input.ownerTeam", &input.owner_team)?;
        let resource_prefix = Slug::parse(
            "input.resourcePrefix",
            input.resource_prefix.as_deref().unwrap_or("lakecat"),
        )?;
        if resource_prefix.as_str().len() > 20 {
            return Err(
                Error::bad_input("input.resourcePrefix", "must be at most 20 characters").into(),
            );
        }
        let pivot_role_name = core::parse_role_name(
            "input.pivotRoleName",
            input
                .pivot_role_name
                .as_deref()
                .unwrap_or(core::DEFAULT_PIVOT_ROLE),
        )?;
        let c = authorize(ctx, "createEnvironment", Some(org_id.as_str())).await?;
        require_member(c, "input.ownerTeam", &owner_team)?;
        let (env, grants) = core::NewEnvironment {
            organization_id: org_id,
            label,
            description,
            tags,
            account_id,
            region,
            owner_team,
            env_type: input.env_type.into(),
            resource_prefix,
            pivot_role_name,
        }
        .build(&c.subject, Utc::now());
        let tasks = store(ctx)
            .create_environment(&meta(ctx)?, &env, &grants)
            .await?;
        crate::context::publish_now(ctx, &tasks).await;
        Ok(Environment(env))
    }

    async fn update_environment(
        &self,
        ctx: &Context<'_>,
        input: UpdateEnvironmentInput,
    ) -> ApiResult<Environment> {
        let id = EnvironmentId::parse("input.id", &input.id)?;
        let patch = core::EnvironmentPatch {
            label: input
                .label
                .as_deref()
                .map(|l| Label::parse("input.label", l))
                .transpose()?,
            description: input
                .description
                .as_deref()
                .map(|d| Description::parse("input.description", d))
                .transpose()?,
            tags: input
                .tags
                .as_deref()
                .map(|t| Tag::parse_list("input.tags", t))
                .transpose()?,
            pivot_role_name: input
                .pivot_role_name
                .as_deref()
                .map(|r| core::parse_role_name("input.pivotRoleName", r))
                .transpose()?,
        };
        authorize(ctx, "updateEnvironment", Some(id.as_str())).await?;
        let updated = store(ctx)
            .update_environment(&meta(ctx)?, &id, &patch)
            .await?;
        if patch.label.is_some() {
            let filter = DatasetFilter {
                environment_id: Some(id),
                ..DatasetFilter::default()
            };
            crate::context::refresh_search_datasets(ctx, filter).await;
        }
        Ok(Environment(updated))
    }

    /// Unlinks an environment without datasets and deletes its stack (the team roles and
    /// the Athena workgroup go; the results bucket and its key are retained).
    async fn delete_environment(&self, ctx: &Context<'_>, input: ResourceInput) -> ApiResult<bool> {
        let id = EnvironmentId::parse("input.id", &input.id)?;
        authorize(ctx, "deleteEnvironment", Some(id.as_str())).await?;
        let tasks = store(ctx).delete_environment(&meta(ctx)?, &id).await?;
        crate::context::publish_now(ctx, &tasks).await;
        Ok(true)
    }

    async fn invite_team_to_environment(
        &self,
        ctx: &Context<'_>,
        input: InviteTeamToEnvironmentInput,
    ) -> ApiResult<TeamMembership> {
        let id = EnvironmentId::parse("input.environmentId", &input.environment_id)?;
        let team = TeamName::parse("input.team", &input.team)?;
        let perms = invitation(
            "input.permissions",
            input.permissions.as_deref(),
            Bundle::EnvironmentInvited,
            ResourceKind::Environment,
        )?;
        authorize(ctx, "inviteTeamToEnvironment", Some(id.as_str())).await?;
        let env = store(ctx)
            .environments_by_ids(&[id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| not_found("environment", id.as_str()))?;
        let note = NewNotification {
            recipient_team: team.clone(),
            kind: "TEAM_INVITED",
            message: format!(
                "Your team {team} was invited to the environment {}",
                env.label
            ),
            target_id: Some(id.to_string()),
        };
        Ok(store(ctx)
            .invite_team(&meta(ctx)?, id.as_str(), &team, &perms, Some(note))
            .await?
            .into())
    }

    async fn remove_team_from_environment(
        &self,
        ctx: &Context<'_>,
        input: RemoveTeamFromEnvironmentInput,
    ) -> ApiResult<bool> {
        let id = EnvironmentId::parse("input.environmentId", &input.environment_id)?;
        let team = TeamName::parse("input.team", &input.team)?;
        authorize(ctx, "removeTeamFromEnvironment", Some(id.as_str())).await?;
        let env = store(ctx)
            .environments_by_ids(&[id.to_string()])
            .await?
            .pop()
            .ok_or_else(|| not_found("environment", id.as_str()))?;
        if env.owner_team == team {
            return Err(
                Error::conflict("the environment's owner team cannot be removed")
                    .with_reason(lakecat_core::Reason::OwnerTeamRequired)
                    .into(),
            );
        }
        store(ctx)
            .remove_team(&meta(ctx)?, id.as_str(), &team)
            .await?;
        Ok(true)
    }
}
