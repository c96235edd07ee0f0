//! Teams, tenant permissions and resource permissions (who holds what on which resource).

use super::*;
use crate::caller::MutationMeta;
use crate::error::Result;
use crate::names::TeamName;
use crate::page::{Page, PageRequest};
use crate::permissions::{Permission, TenantPermission};
use async_trait::async_trait;
use std::collections::HashMap;

#[async_trait]
pub trait TeamStore: Send + Sync {
    async fn list_teams(&self, page: &PageRequest) -> Result<Page<Team>>;

    async fn teams_by_names(&self, names: &[String]) -> Result<Vec<Team>>;

    /// Tenant permissions held by any of `teams`.
    async fn tenant_permissions(&self, teams: &[String]) -> Result<Vec<TenantPermission>>;

    /// Replaces a team's tenant permissions (registering the team if new).
    async fn set_tenant_permissions(
        &self,
        meta: &MutationMeta,
        team: &TeamName,
        permissions: &[TenantPermission],
    ) -> Result<Vec<TenantPermission>>;

    /// The permissions any of `teams` holds on each of `resource_ids`: one indexed query.
    async fn resource_permissions(
        &self,
        teams: &[String],
        resource_ids: &[String],
    ) -> Result<HashMap<String, Vec<Permission>>>;

    async fn resource_teams(&self, resource_id: &str) -> Result<Vec<TeamMembership>>;

    /// Grants `permissions` to `team` on a resource (adding to what it holds).
    async fn invite_team(
        &self,
        meta: &MutationMeta,
        resource_id: &str,
        team: &TeamName,
        permissions: &[Permission],
        notify: Option<NewNotification>,
    ) -> Result<TeamMembership>;

    /// Removes every permission `team` holds on a resource; NOT_FOUND if it held none.
    async fn remove_team(
        &self,
        meta: &MutationMeta,
        resource_id: &str,
        team: &TeamName,
    ) -> Result<()>;
}
