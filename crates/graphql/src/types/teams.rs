//! The caller, teams (identity-provider groups) and tenant permissions.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use lakecat_core::names::TeamName;
use lakecat_core::permissions::TenantPermission;
use lakecat_core::ports::CountQuery;

use super::{connection, page_args};
use crate::authz::authorize;
use crate::context::{meta, request, store};
use crate::errors::ApiResult;

/// A team. Links to a team (a dataset's owners, say) carry only its name; the row is read,
/// batched, only when a query asks for more than the name.
#[derive(Clone)]
pub struct Team {
    pub name: String,
    pub created_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl Team {
    pub fn named(name: String) -> Team {
        Team {
            name,
            created_at: None,
        }
    }
}

#[Object]
impl Team {
    async fn name(&self) -> &str {
        &self.name
    }
    /// When lakecat first saw the team (null for a name no grant or login registered yet).
    async fn created_at(
        &self,
        ctx: &Context<'_>,
    ) -> ApiResult<Option<chrono::DateTime<chrono::Utc>>> {
        if self.created_at.is_some() {
            return Ok(self.created_at);
        }
        let team = request(ctx)?
            .loaders
            .teams
            .load_one(self.name.clone())
            .await?;
        Ok(team.map(|t| t.created_at))
    }
}

impl From<lakecat_core::catalog::Team> for Team {
    fn from(t: lakecat_core::catalog::Team) -> Self {
        Team {
            name: t.name.to_string(),
            created_at: Some(t.created_at),
        }
    }
}

connection!(TeamConnection, TeamEdge, Team);

/// A team's permissions on one resource.
#[derive(SimpleObject, Clone)]
pub struct TeamMembership {
    pub team: String,
    pub permissions: Vec<String>,
}

impl From<lakecat_core::catalog::TeamMembership> for TeamMembership {
    fn from(m: lakecat_core::catalog::TeamMembership) -> Self {
        TeamMembership {
            team: m.team.to_string(),
            permissions: m
                .permissions
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect(),
        }
    }
}

/// The signed-in user.
#[derive(SimpleObject)]
pub struct Me {
    pub subject: String,
    pub username: String,
    pub email: Option<String>,
    /// The caller's teams (identity-provider groups).
    pub teams: Vec<String>,
    pub is_admin: bool,
    /// Tenant permissions held through any of the caller's teams.
    pub tenant_permissions: Vec<String>,
}

#[derive(Default)]
pub struct TeamQuery;

#[Object]
impl TeamQuery {
    async fn me(&self, ctx: &Context<'_>) -> ApiResult<Me> {
        let c = authorize(ctx, "me", None).await?;
        let perms: Vec<String> = if c.is_admin {
            TenantPermission::ALL
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect()
        } else {
            request(ctx)?
                .tenant_permissions(crate::context::services(ctx))
                .await?
                .iter()
                .map(|p| p.as_str().to_owned())
                .collect()
        };
        Ok(Me {
            subject: c.subject.clone(),
            username: c.username.clone(),
            email: c.email.clone(),
            teams: c.group_names(),
            is_admin: c.is_admin,
            tenant_permissions: perms,
        })
    }

    /// Teams lakecat knows (referenced by a resource or a tenant permission).
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn teams(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<TeamConnection> {
        authorize(ctx, "teams", None).await?;
        let page = page_args(ctx, "teams", first, after)?;
        let rows = store(ctx).list_teams(&page).await?;
        TeamConnection::from_page(ctx, "teams", rows, CountQuery::Teams, Team::from)
    }

    /// Tenant permissions of one team (admin only).
    async fn team_tenant_permissions(
        &self,
        ctx: &Context<'_>,
        team: String,
    ) -> ApiResult<Vec<String>> {
        authorize(ctx, "teamTenantPermissions", None).await?;
        let team = TeamName::parse("team", &team)?;
        let perms = store(ctx).tenant_permissions(&[team.to_string()]).await?;
        Ok(perms.iter().map(|p| p.as_str().to_owned()).collect())
    }
}

#[derive(InputObject)]
pub struct SetTeamTenantPermissionsInput {
    pub team: String,
    /// The complete new set, e.g. `["MANAGE_DATASETS"]`; an empty list removes all.
    pub permissions: Vec<String>,
}

#[derive(Default)]
pub struct TeamMutation;

#[Object]
impl TeamMutation {
    /// Replaces a team's tenant permissions (admin only).
    async fn set_team_tenant_permissions(
        &self,
        ctx: &Context<'_>,
        input: SetTeamTenantPermissionsInput,
    ) -> ApiResult<Vec<String>> {
        authorize(ctx, "setTeamTenantPermissions", None).await?;
        let team = TeamName::parse("input.team", &input.team)?;
        if input.permissions.len() > TenantPermission::ALL.len() {
            return Err(lakecat_core::Error::bad_input(
                "input.permissions",
                "too many permissions",
            )
            .into());
        }
        let perms = input
            .permissions
            .iter()
            .enumerate()
            .map(|(i, p)| TenantPermission::parse(&format!("input.permissions[{i}]"), p))
            .collect::<Result<Vec<_>, _>>()?;
        let saved = store(ctx)
            .set_tenant_permissions(&meta(ctx)?, &team, &perms)
            .await?;
        Ok(saved.iter().map(|p| p.as_str().to_owned()).collect())
    }
}
