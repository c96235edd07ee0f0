//! Organizations and the environments (AWS account + region) linked to them.

use super::*;
use crate::caller::MutationMeta;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use crate::permissions::Grant;
use crate::tasks::TaskEnvelope;
use async_trait::async_trait;

#[async_trait]
pub trait OrganizationStore: Send + Sync {
    async fn create_organization(
        &self,
        meta: &MutationMeta,
        org: &Organization,
        grants: &[Grant],
    ) -> Result<()>;

    async fn update_organization(
        &self,
        meta: &MutationMeta,
        id: &OrganizationId,
        patch: &OrganizationPatch,
    ) -> Result<Organization>;

    async fn archive_organization(
        &self,
        meta: &MutationMeta,
        id: &OrganizationId,
    ) -> Result<Organization>;

    async fn organizations_by_ids(&self, ids: &[String]) -> Result<Vec<Organization>>;

    async fn list_organizations(
        &self,
        filter: &OrganizationFilter,
        page: &PageRequest,
    ) -> Result<Page<Organization>>;

    /// Inserts the environment, its stack row (PENDING), its grants and the `stack.deploy`
    /// task; returns the tasks to publish after commit.
    async fn create_environment(
        &self,
        meta: &MutationMeta,
        env: &Environment,
        grants: &[Grant],
    ) -> Result<Vec<TaskEnvelope>>;

    async fn update_environment(
        &self,
        meta: &MutationMeta,
        id: &EnvironmentId,
        patch: &EnvironmentPatch,
    ) -> Result<Environment>;

    /// Deletes an environment with its stack row and writes the `stack.delete` task;
    /// CONFLICT while datasets remain in it. Returns the tasks to publish after commit.
    async fn delete_environment(
        &self,
        meta: &MutationMeta,
        id: &EnvironmentId,
    ) -> Result<Vec<TaskEnvelope>>;

    async fn environments_by_ids(&self, ids: &[String]) -> Result<Vec<Environment>>;

    async fn list_environments(
        &self,
        filter: &EnvironmentFilter,
        page: &PageRequest,
    ) -> Result<Page<Environment>>;
}
