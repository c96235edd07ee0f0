//! [`lakecat_core::ports::TeamStore`] on sea-orm: teams, tenant permissions and resource permissions.

use std::collections::HashMap;

use async_trait::async_trait;
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::*;
use lakecat_core::names::TeamName;
use lakecat_core::page::{Page, PageRequest};
use lakecat_core::permissions::{Grant, Permission, TenantPermission};
use lakecat_core::ports::*;
use lakecat_core::{Error, Result};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect};

use crate::SeaStore;
use crate::convert::{self};
use crate::entities::*;
use crate::errors::db_err;
use crate::support::*;

use crate::catalog::*;

#[async_trait]
impl TeamStore for SeaStore {
    async fn list_teams(&self, page: &PageRequest) -> Result<Page<Team>> {
        let rows = keyset(&self.db, team::Entity::find(), team::Column::Name, page).await?;
        Ok(page_by(rows, page, |m| m.name.clone(), convert::team))
    }

    async fn teams_by_names(&self, names: &[String]) -> Result<Vec<Team>> {
        let rows = team::Entity::find()
            .filter(team::Column::Name.is_in(ids_of(names)))
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(convert::team).collect())
    }

    async fn tenant_permissions(&self, teams: &[String]) -> Result<Vec<TenantPermission>> {
        if teams.is_empty() {
            return Ok(vec![]);
        }
        let rows = tenant_permission::Entity::find()
            .filter(tenant_permission::Column::Team.is_in(ids_of(teams)))
            .all(&self.db)
            .await
            .map_err(db_err)?;
        let mut out: Vec<TenantPermission> = rows
            .iter()
            .filter_map(|r| TenantPermission::parse("", &r.permission).ok())
            .collect();
        out.sort();
        out.dedup();
        Ok(out)
    }

    async fn set_tenant_permissions(
        &self,
        meta: &MutationMeta,
        team: &TeamName,
        permissions: &[TenantPermission],
    ) -> Result<Vec<TenantPermission>> {
        let txn = self.begin().await?;
        ensure_teams(&txn, &[team.as_str()]).await?;
        let before: Vec<String> = tenant_permission::Entity::find()
            .filter(tenant_permission::Column::Team.eq(team.as_str()))
            .all(&txn)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(|r| r.permission)
            .collect();
        tenant_permission::Entity::delete_many()
            .filter(tenant_permission::Column::Team.eq(team.as_str()))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        let mut perms = permissions.to_vec();
        perms.sort();
        perms.dedup();
        if !perms.is_empty() {
            let rows = perms.iter().map(|p| tenant_permission::ActiveModel {
                team: Set(team.as_str().to_owned()),
                permission: Set(p.as_str().to_owned()),
            });
            tenant_permission::Entity::insert_many(rows)
                .exec_without_returning(&txn)
                .await
                .map_err(db_err)?;
        }
        let after: Vec<&str> = perms.iter().map(|p| p.as_str()).collect();
        let target = format!("team_{}", team.as_str());
        audit(&txn, meta, &target, Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(perms)
    }

    async fn resource_permissions(
        &self,
        teams: &[String],
        resource_ids: &[String],
    ) -> Result<HashMap<String, Vec<Permission>>> {
        let mut out: HashMap<String, Vec<Permission>> = HashMap::new();
        if teams.is_empty() || resource_ids.is_empty() {
            return Ok(out);
        }
        let rows = resource_permission::Entity::find()
            .filter(resource_permission::Column::ResourceId.is_in(ids_of(resource_ids)))
            .filter(resource_permission::Column::Team.is_in(ids_of(teams)))
            .all(&self.db)
            .await
            .map_err(db_err)?;
        for r in rows {
            if let Ok(p) = Permission::parse("", &r.permission) {
                let held = out.entry(r.resource_id).or_default();
                if !held.contains(&p) {
                    held.push(p);
                }
            }
        }
        Ok(out)
    }

    async fn resource_teams(&self, resource_id: &str) -> Result<Vec<TeamMembership>> {
        let rows = resource_permission::Entity::find()
            .filter(resource_permission::Column::ResourceId.eq(resource_id))
            .order_by_asc(resource_permission::Column::Team)
            .order_by_asc(resource_permission::Column::Permission)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        let mut out: Vec<TeamMembership> = Vec::new();
        for r in rows {
            let Ok(p) = Permission::parse("", &r.permission) else {
                continue;
            };
            match out.last_mut() {
                Some(m) if m.team.as_str() == r.team => m.permissions.push(p),
                _ => out.push(TeamMembership {
                    team: TeamName::from_trusted(r.team),
                    permissions: vec![p],
                }),
            }
        }
        Ok(out)
    }

    async fn invite_team(
        &self,
        meta: &MutationMeta,
        resource_id: &str,
        team: &TeamName,
        permissions: &[Permission],
        notify_team: Option<NewNotification>,
    ) -> Result<TeamMembership> {
        let txn = self.begin().await?;
        let grants = Grant::each(team, resource_id, permissions);
        insert_grants(&txn, &grants).await?;
        redeploy_environment(&txn, resource_id).await?;
        if let Some(n) = &notify_team {
            notify(&txn, n).await?;
        }
        let after: Vec<&str> = permissions.iter().map(|p| p.as_str()).collect();
        audit(
            &txn,
            meta,
            resource_id,
            None::<&()>,
            Some(&serde_json::json!({"team": team.as_str(), "permissions": after})),
        )
        .await?;
        let held = resource_permission::Entity::find()
            .filter(resource_permission::Column::ResourceId.eq(resource_id))
            .filter(resource_permission::Column::Team.eq(team.as_str()))
            .all(&txn)
            .await
            .map_err(db_err)?;
        txn.commit().await.map_err(db_err)?;
        let mut perms: Vec<Permission> = held
            .iter()
            .filter_map(|r| Permission::parse("", &r.permission).ok())
            .collect();
        perms.sort();
        Ok(TeamMembership {
            team: team.clone(),
            permissions: perms,
        })
    }

    async fn remove_team(
        &self,
        meta: &MutationMeta,
        resource_id: &str,
        team: &TeamName,
    ) -> Result<()> {
        let txn = self.begin().await?;
        let res = resource_permission::Entity::delete_many()
            .filter(resource_permission::Column::ResourceId.eq(resource_id))
            .filter(resource_permission::Column::Team.eq(team.as_str()))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        if res.rows_affected == 0 {
            return Err(Error::not_found(
                "team membership",
                format!("{team} on {resource_id}"),
            ));
        }
        redeploy_environment(&txn, resource_id).await?;
        audit(
            &txn,
            meta,
            resource_id,
            Some(&serde_json::json!({"team": team.as_str()})),
            None::<&()>,
        )
        .await?;
        txn.commit().await.map_err(db_err)
    }
}

/// An environment's stack has one role per invited team: a change of its teams asks for a
/// deploy (joined to one already waiting; the sweep publishes it).
async fn redeploy_environment<C: ConnectionTrait>(conn: &C, resource_id: &str) -> Result<()> {
    use lakecat_core::ids::{ResourceId, ResourceKind};
    if ResourceId::from_trusted(resource_id.to_owned()).kind() != ResourceKind::Environment {
        return Ok(());
    }
    let Some(owner) = environment::Entity::find_by_id(resource_id.to_owned())
        .select_only()
        .column(environment::Column::OwnerTeam)
        .into_tuple::<String>()
        .one(conn)
        .await
        .map_err(db_err)?
    else {
        return Ok(());
    };
    crate::stacks::request_deploy(conn, resource_id, &owner).await?;
    Ok(())
}
