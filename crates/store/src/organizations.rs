//! [`lakecat_core::ports::OrganizationStore`] on sea-orm: organizations and their environments (AWS account +
//! region).

use async_trait::async_trait;
use chrono::Utc;
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::*;
use lakecat_core::ids::*;
use lakecat_core::page::{Page, PageRequest};
use lakecat_core::permissions::Grant;
use lakecat_core::ports::*;
use lakecat_core::{Error, Reason, Result};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, IntoActiveModel, PaginatorTrait, QuerySelect};

use crate::SeaStore;
use crate::convert::{self, tags_json};
use crate::entities::*;
use crate::errors::{db_err, db_err_unique};
use crate::support::*;

use crate::catalog::*;

#[async_trait]
impl OrganizationStore for SeaStore {
    async fn create_organization(
        &self,
        meta: &MutationMeta,
        org: &Organization,
        grants: &[Grant],
    ) -> Result<()> {
        let txn = self.begin().await?;
        ensure_teams(&txn, &[org.admin_team.as_str()]).await?;
        organization::Entity::insert(organization::ActiveModel {
            id: Set(org.id.as_str().to_owned()),
            label: Set(org.label.as_str().to_owned()),
            description: Set(org.description.as_str().to_owned()),
            tags: Set(tags_json(&org.tags)),
            admin_team: Set(org.admin_team.as_str().to_owned()),
            archived: Set(org.archived),
            created_by: Set(org.created_by.clone()),
            created_at: Set(org.created_at),
            updated_at: Set(org.updated_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err)?;
        insert_grants(&txn, grants).await?;
        audit(&txn, meta, org.id.as_str(), None::<&()>, Some(org)).await?;
        txn.commit().await.map_err(db_err)
    }

    async fn update_organization(
        &self,
        meta: &MutationMeta,
        id: &OrganizationId,
        patch: &OrganizationPatch,
    ) -> Result<Organization> {
        let txn = self.begin().await?;
        let old = organization::Entity::find_by_id(id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("organization", id))?;
        let before = convert::organization(old.clone());
        let mut am = old.into_active_model();
        if let Some(v) = &patch.label {
            am.label = Set(v.as_str().to_owned());
        }
        if let Some(v) = &patch.description {
            am.description = Set(v.as_str().to_owned());
        }
        if let Some(v) = &patch.tags {
            am.tags = Set(tags_json(v));
        }
        am.updated_at = Set(Utc::now());
        let after = convert::organization(am.update(&txn).await.map_err(db_err)?);
        if after.label != before.label {
            // Its datasets' documents carry its label (the organization facet).
            Self::index_datasets_of(&txn, dataset::Column::OrganizationId, id.as_str()).await?;
        }
        audit(&txn, meta, id.as_str(), Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn archive_organization(
        &self,
        meta: &MutationMeta,
        id: &OrganizationId,
    ) -> Result<Organization> {
        let txn = self.begin().await?;
        let old = organization::Entity::find_by_id(id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("organization", id))?;
        if old.archived {
            return Err(
                Error::conflict(format!("organization {id} is already archived"))
                    .with_reason(Reason::OrganizationArchived),
            );
        }
        let envs = environment::Entity::find()
            .filter(environment::Column::OrganizationId.eq(id.as_str()))
            .count(&txn)
            .await
            .map_err(db_err)?;
        if envs > 0 {
            return Err(Error::conflict(format!(
                "organization {id} still has {envs} environment(s); delete them first"
            ))
            .with_reason(Reason::OrganizationNotEmpty));
        }
        let before = convert::organization(old.clone());
        let mut am = old.into_active_model();
        am.archived = Set(true);
        am.updated_at = Set(Utc::now());
        let after = convert::organization(am.update(&txn).await.map_err(db_err)?);
        audit(&txn, meta, id.as_str(), Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn organizations_by_ids(&self, ids: &[String]) -> Result<Vec<Organization>> {
        let rows = by_ids::<organization::Entity>(&self.db, organization::Column::Id, ids).await?;
        Ok(rows.into_iter().map(convert::organization).collect())
    }

    async fn list_organizations(
        &self,
        filter: &OrganizationFilter,
        page: &PageRequest,
    ) -> Result<Page<Organization>> {
        let rows = keyset(
            &self.db,
            Self::organization_select(filter),
            organization::Column::Id,
            page,
        )
        .await?;
        Ok(page_by(rows, page, |m| m.id.clone(), convert::organization))
    }

    async fn create_environment(
        &self,
        meta: &MutationMeta,
        env: &Environment,
        grants: &[Grant],
    ) -> Result<Vec<lakecat_core::tasks::TaskEnvelope>> {
        let txn = self.begin().await?;
        let org = organization::Entity::find_by_id(env.organization_id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("organization", &env.organization_id))?;
        if org.archived {
            return Err(
                Error::conflict(format!("organization {} is archived", org.id))
                    .with_reason(Reason::OrganizationArchived),
            );
        }
        ensure_teams(&txn, &[env.owner_team.as_str()]).await?;
        environment::Entity::insert(environment::ActiveModel {
            id: Set(env.id.as_str().to_owned()),
            organization_id: Set(env.organization_id.as_str().to_owned()),
            label: Set(env.label.as_str().to_owned()),
            description: Set(env.description.as_str().to_owned()),
            tags: Set(tags_json(&env.tags)),
            account_id: Set(env.account_id.as_str().to_owned()),
            region: Set(env.region.as_str().to_owned()),
            owner_team: Set(env.owner_team.as_str().to_owned()),
            env_type: Set(env.env_type.as_str().to_owned()),
            resource_prefix: Set(env.resource_prefix.as_str().to_owned()),
            pivot_role_name: Set(env.pivot_role_name.clone()),
            created_by: Set(env.created_by.clone()),
            created_at: Set(env.created_at),
            updated_at: Set(env.updated_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err_unique(
            "an environment for this AWS account and region is already linked",
            Reason::EnvironmentAlreadyLinked,
        ))?;
        insert_grants(&txn, grants).await?;
        crate::stacks::insert_stack_row(&txn, env.id.as_str(), env.created_at).await?;
        let check =
            crate::stacks::request_check(&txn, env.id.as_str(), env.owner_team.as_str()).await?;
        let deploy =
            crate::stacks::request_deploy(&txn, env.id.as_str(), env.owner_team.as_str()).await?;
        audit(&txn, meta, env.id.as_str(), None::<&()>, Some(env)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(std::iter::once(check).chain(deploy).collect())
    }

    async fn update_environment(
        &self,
        meta: &MutationMeta,
        id: &EnvironmentId,
        patch: &EnvironmentPatch,
    ) -> Result<Environment> {
        let txn = self.begin().await?;
        let old = environment::Entity::find_by_id(id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("environment", id))?;
        let before = convert::environment(old.clone())?;
        let mut am = old.into_active_model();
        if let Some(v) = &patch.label {
            am.label = Set(v.as_str().to_owned());
        }
        if let Some(v) = &patch.description {
            am.description = Set(v.as_str().to_owned());
        }
        if let Some(v) = &patch.tags {
            am.tags = Set(tags_json(v));
        }
        if let Some(v) = &patch.pivot_role_name {
            am.pivot_role_name = Set(v.clone());
        }
        am.updated_at = Set(Utc::now());
        let after = convert::environment(am.update(&txn).await.map_err(db_err)?)?;
        if after.label != before.label {
            // Its datasets' documents carry its label (the environment facet).
            Self::index_datasets_of(&txn, dataset::Column::EnvironmentId, id.as_str()).await?;
        }
        audit(&txn, meta, id.as_str(), Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn delete_environment(
        &self,
        meta: &MutationMeta,
        id: &EnvironmentId,
    ) -> Result<Vec<lakecat_core::tasks::TaskEnvelope>> {
        let txn = self.begin().await?;
        let old = environment::Entity::find_by_id(id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("environment", id))?;
        let datasets = dataset::Entity::find()
            .filter(dataset::Column::EnvironmentId.eq(id.as_str()))
            .count(&txn)
            .await
            .map_err(db_err)?;
        if datasets > 0 {
            return Err(Error::conflict(format!(
                "environment {id} still has {datasets} dataset(s); delete them first"
            ))
            .with_reason(Reason::EnvironmentNotEmpty));
        }
        let before = convert::environment(old)?;
        let mut teams: Vec<String> = resource_permission::Entity::find()
            .select_only()
            .column(resource_permission::Column::Team)
            .filter(resource_permission::Column::ResourceId.eq(id.as_str()))
            .into_tuple()
            .all(&txn)
            .await
            .map_err(db_err)?;
        teams.push(before.owner_team.as_str().to_owned());
        teams.sort();
        teams.dedup();
        let delete = crate::stacks::request_delete(
            &txn,
            &lakecat_core::stacks::StackSubject::Environment {
                environment: before.clone(),
                teams: teams
                    .into_iter()
                    .map(lakecat_core::names::TeamName::from_trusted)
                    .collect(),
            },
        )
        .await?;
        self.delete_attachments(&txn, vec![id.as_str().to_owned()])
            .await?;
        environment::Entity::delete_by_id(id.as_str().to_owned())
            .exec(&txn)
            .await
            .map_err(db_err)?;
        audit(&txn, meta, id.as_str(), Some(&before), None::<&()>).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(vec![delete])
    }

    async fn environments_by_ids(&self, ids: &[String]) -> Result<Vec<Environment>> {
        let rows = by_ids::<environment::Entity>(&self.db, environment::Column::Id, ids).await?;
        rows.into_iter().map(convert::environment).collect()
    }

    async fn list_environments(
        &self,
        filter: &EnvironmentFilter,
        page: &PageRequest,
    ) -> Result<Page<Environment>> {
        let rows = keyset(
            &self.db,
            Self::environment_select(filter),
            environment::Column::Id,
            page,
        )
        .await?;
        try_page_by(rows, page, |m| m.id.clone(), convert::environment)
    }
}
