//! Share requests on PostgreSQL and SQLite. A use case's write commits in one transaction
//! guarded by the request's version (a conditional UPDATE), so two concurrent changes of one
//! request cannot both win; the open-request index makes "one open request per dataset,
//! consumer environment and team" hold under concurrent creates too. Also the local lake
//! adapter's grants, and the lease-based locks that serialize edits of one AWS policy across
//! workers.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::NewNotification;
use lakecat_core::ids::{DatasetId, ShareItemId};
use lakecat_core::page::{Page, PageRequest};
use lakecat_core::permissions::{Grant, Permission};
use lakecat_core::shares::{
    EXPIRING_STATUSES, LakeGrant, ResourceLock, ShareFilter, ShareItem, ShareRequest, ShareStatus,
    ShareStore, ShareWrite,
};
use lakecat_core::tasks::TaskError;
use lakecat_core::{Error, Reason, Result};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict, Query};
use sea_orm::{Condition, QueryOrder, QuerySelect, Set};

use crate::SeaStore;
use crate::convert;
use crate::entities::share_request as sr;
use crate::entities::{dataset, lake_grant, resource_lock, resource_permission, share_item};
use crate::errors::{db_err, db_err_unique};
use crate::support::{audit, ensure_teams, insert_grants, keyset, notify, try_page_by};
use crate::task_store::write_tasks;

fn request_row(s: &ShareRequest) -> sr::ActiveModel {
    sr::ActiveModel {
        id: Set(s.id.as_str().to_owned()),
        dataset_id: Set(s.dataset_id.as_str().to_owned()),
        environment_id: Set(s.environment_id.as_str().to_owned()),
        team: Set(s.team.as_str().to_owned()),
        principal_role_arn: Set(s.principal_role_arn.clone()),
        status: Set(s.status.as_str().to_owned()),
        access: Set(s.access.as_str().to_owned()),
        purpose: Set(s.purpose.as_str().to_owned()),
        reject_reason: Set(s.reject_reason.clone()),
        expires_at: Set(s.expires_at),
        requested_expiry: Set(s.requested_expiry),
        reminded_at: Set(s.reminded_at),
        expired_at: Set(s.expired_at),
        version: Set(s.version),
        created_by: Set(s.created_by.clone()),
        created_at: Set(s.created_at),
        updated_at: Set(s.updated_at),
    }
}

fn item_row(i: &ShareItem) -> Result<share_item::ActiveModel> {
    Ok(share_item::ActiveModel {
        id: Set(i.id.as_str().to_owned()),
        share_id: Set(i.share_id.as_str().to_owned()),
        kind: Set(i.kind.as_str().to_owned()),
        target_id: Set(i.target_id.clone()),
        status: Set(i.status.as_str().to_owned()),
        error: Set(i.error.clone()),
        consumption: Set(i
            .consumption
            .as_ref()
            .map(serde_json::to_value)
            .transpose()
            .map_err(|e| Error::internal(format!("consumption: {e}")))?),
        created_at: Set(i.created_at),
        updated_at: Set(i.updated_at),
    })
}

fn open_request(s: &ShareRequest) -> Select<sr::Entity> {
    sr::Entity::find()
        .filter(sr::Column::DatasetId.eq(s.dataset_id.as_str()))
        .filter(sr::Column::EnvironmentId.eq(s.environment_id.as_str()))
        .filter(sr::Column::Team.eq(s.team.as_str()))
        .filter(sr::Column::Status.ne(ShareStatus::Deleted.as_str()))
}

fn filtered(filter: &ShareFilter) -> Select<sr::Entity> {
    let mut q = sr::Entity::find();
    if let Some(teams) = &filter.consumer_teams {
        q = q.filter(sr::Column::Team.is_in(teams.clone()));
    }
    if let Some(teams) = &filter.approver_teams {
        q = q.filter(
            sr::Column::DatasetId.in_subquery(
                Query::select()
                    .column(resource_permission::Column::ResourceId)
                    .from(resource_permission::Entity)
                    .and_where(resource_permission::Column::Team.is_in(teams.clone()))
                    .and_where(
                        resource_permission::Column::Permission
                            .eq(Permission::ApproveShare.as_str()),
                    )
                    .to_owned(),
            ),
        );
    }
    match filter.status {
        Some(s) => q = q.filter(sr::Column::Status.eq(s.as_str())),
        None if !filter.include_deleted => {
            q = q.filter(sr::Column::Status.ne(ShareStatus::Deleted.as_str()))
        }
        None => {}
    }
    if let Some(d) = &filter.dataset_id {
        q = q.filter(sr::Column::DatasetId.eq(d.as_str()));
    }
    if let Some(team) = &filter.team {
        // Received lists filter by the consumer team; sent lists by the dataset's owners.
        q = if filter.approver_teams.is_some() {
            q.filter(sr::Column::Team.eq(team.as_str()))
        } else {
            q.filter(
                sr::Column::DatasetId.in_subquery(
                    Query::select()
                        .column(dataset::Column::Id)
                        .from(dataset::Entity)
                        .and_where(dataset::Column::OwnerTeam.eq(team.as_str()))
                        .to_owned(),
                ),
            )
        };
    }
    q
}

#[async_trait]
impl ShareStore for SeaStore {
    async fn create_share_request(
        &self,
        meta: &MutationMeta,
        share: &ShareRequest,
        grants: &[Grant],
        note: &NewNotification,
    ) -> Result<(ShareRequest, bool)> {
        let txn = self.write_txn().await?;
        if let Some(open) = open_request(share).one(&txn).await.map_err(db_err)? {
            return Ok((convert::share_request(open)?, false));
        }
        ensure_teams(&txn, &[share.team.as_str()]).await?;
        let inserted = sr::Entity::insert(request_row(share))
            .exec_without_returning(&txn)
            .await;
        if let Err(e) = inserted {
            // A concurrent create won the open-request index: return its request.
            let conflict = db_err(e);
            drop(txn);
            if let Some(open) = open_request(share).one(&self.db).await.map_err(db_err)? {
                return Ok((convert::share_request(open)?, false));
            }
            return Err(conflict);
        }
        insert_grants(&txn, grants).await?;
        notify(&txn, note).await?;
        audit(&txn, meta, share.id.as_str(), None::<&()>, Some(share)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok((share.clone(), true))
    }

    async fn share_requests_by_ids(&self, ids: &[String]) -> Result<Vec<ShareRequest>> {
        sr::Entity::find()
            .filter(sr::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(convert::share_request)
            .collect()
    }

    async fn share_items(&self, share_ids: &[String]) -> Result<Vec<ShareItem>> {
        share_item::Entity::find()
            .filter(share_item::Column::ShareId.is_in(share_ids.to_vec()))
            .order_by_asc(share_item::Column::Id)
            .all(&self.db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(convert::share_item)
            .collect()
    }

    async fn list_share_requests(
        &self,
        filter: &ShareFilter,
        page: &PageRequest,
    ) -> Result<Page<ShareRequest>> {
        let rows = keyset(&self.db, filtered(filter), sr::Column::Id, page).await?;
        try_page_by(rows, page, |m| m.id.clone(), convert::share_request)
    }

    async fn count_share_requests(&self, filter: &ShareFilter) -> Result<i64> {
        let n = filtered(filter).count(&self.db).await.map_err(db_err)?;
        Ok(n as i64)
    }

    async fn write_share(&self, meta: &MutationMeta, w: &ShareWrite) -> Result<ShareRequest> {
        let txn = self.write_txn().await?;
        let before = sr::Entity::find_by_id(w.share.id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("share request", w.share.id.as_str()))?;
        let before = convert::share_request(before)?;
        // The version guard: the row is updated only if nobody changed it since it was read.
        let updated = sr::Entity::update_many()
            .set(request_row(&w.share))
            .filter(sr::Column::Id.eq(w.share.id.as_str()))
            .filter(sr::Column::Version.eq(w.expected_version))
            .exec(&txn)
            .await
            .map_err(db_err_unique(
                "another open share request exists for this dataset, environment and team",
                Reason::ShareRequestAlreadyOpen,
            ))?;
        if updated.rows_affected != 1 {
            return Err(Error::conflict(format!(
                "the share request changed since it was read (version {} is now {}); reload and retry",
                w.expected_version, before.version
            ))
            .with_reason(Reason::StaleVersion));
        }
        if !w.removed_items.is_empty() {
            share_item::Entity::delete_many()
                .filter(share_item::Column::ShareId.eq(w.share.id.as_str()))
                .filter(
                    share_item::Column::Id
                        .is_in(w.removed_items.iter().map(|i| i.as_str().to_owned())),
                )
                .exec(&txn)
                .await
                .map_err(db_err)?;
        }
        for item in &w.items {
            share_item::Entity::insert(item_row(item)?)
                .on_conflict(
                    OnConflict::column(share_item::Column::Id)
                        .update_columns([
                            share_item::Column::Status,
                            share_item::Column::Error,
                            share_item::Column::Consumption,
                            share_item::Column::UpdatedAt,
                        ])
                        .to_owned(),
                )
                .exec_without_returning(&txn)
                .await
                .map_err(db_err_unique(
                    "the item is already in the share request",
                    Reason::ShareItemAlreadyAdded,
                ))?;
        }
        write_tasks(&txn, &w.tasks).await?;
        for n in &w.notifications {
            notify(&txn, n).await?;
        }
        audit(
            &txn,
            meta,
            w.share.id.as_str(),
            Some(&before),
            Some(&w.share),
        )
        .await?;
        txn.commit().await.map_err(db_err)?;
        Ok(w.share.clone())
    }

    async fn expiring_shares(
        &self,
        horizon: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ShareRequest>> {
        sr::Entity::find()
            .filter(sr::Column::ExpiresAt.is_not_null())
            .filter(sr::Column::ExpiresAt.lte(horizon))
            .filter(sr::Column::Status.is_in(EXPIRING_STATUSES.iter().map(|s| s.as_str())))
            .order_by_asc(sr::Column::ExpiresAt)
            .limit(u64::from(limit))
            .all(&self.db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(convert::share_request)
            .collect()
    }

    async fn put_lake_grant(&self, g: &LakeGrant) -> Result<()> {
        lake_grant::Entity::insert(lake_grant::ActiveModel {
            item_id: Set(g.item_id.as_str().to_owned()),
            share_id: Set(g.share_id.as_str().to_owned()),
            dataset_id: Set(g.dataset_id.as_str().to_owned()),
            principal: Set(g.principal.clone()),
            target: Set(serde_json::to_value(&g.target)
                .map_err(|e| Error::internal(format!("grant target: {e}")))?),
            access: Set(g.access.as_str().to_owned()),
            granted_at: Set(g.granted_at),
        })
        .on_conflict(
            OnConflict::column(lake_grant::Column::ItemId)
                .update_columns([
                    lake_grant::Column::Principal,
                    lake_grant::Column::Target,
                    lake_grant::Column::Access,
                ])
                .to_owned(),
        )
        .exec_without_returning(&self.db)
        .await
        .map_err(db_err)?;
        Ok(())
    }

    async fn delete_lake_grant(&self, item_id: &ShareItemId) -> Result<()> {
        lake_grant::Entity::delete_by_id(item_id.as_str().to_owned())
            .exec(&self.db)
            .await
            .map_err(db_err)?;
        Ok(())
    }

    async fn lake_grants(&self, dataset_id: &DatasetId) -> Result<Vec<LakeGrant>> {
        lake_grant::Entity::find()
            .filter(lake_grant::Column::DatasetId.eq(dataset_id.as_str()))
            .order_by_asc(lake_grant::Column::ItemId)
            .all(&self.db)
            .await
            .map_err(db_err)?
            .into_iter()
            .map(convert::lake_grant)
            .collect()
    }
}

/// Locks as rows with a lease: taking one is a single insert-or-take-over-if-expired
/// statement, so a crashed holder blocks others for at most its lease.
#[async_trait]
impl ResourceLock for SeaStore {
    async fn acquire(
        &self,
        key: &str,
        lease: Duration,
        wait: Duration,
    ) -> std::result::Result<String, TaskError> {
        let token = crate::support::ulid_string();
        let lease = chrono::Duration::from_std(lease)
            .map_err(|_| TaskError::permanent("lock lease out of range"))?;
        let deadline = tokio::time::Instant::now() + wait;
        let mut pause = Duration::from_millis(5);
        loop {
            let now = Utc::now();
            let taken = resource_lock::Entity::insert(resource_lock::ActiveModel {
                key: Set(key.to_owned()),
                token: Set(token.clone()),
                expires_at: Set(now + lease),
            })
            .on_conflict(
                OnConflict::column(resource_lock::Column::Key)
                    .update_columns([
                        resource_lock::Column::Token,
                        resource_lock::Column::ExpiresAt,
                    ])
                    .action_and_where(
                        Expr::col((resource_lock::Entity, resource_lock::Column::ExpiresAt))
                            .lt(now),
                    )
                    .to_owned(),
            )
            .exec_without_returning(&self.db)
            .await
            .map_err(|e| TaskError::retryable(format!("lock {key}: {}", db_err(e).message)))?;
            if taken == 1 {
                return Ok(token);
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(TaskError::retryable(format!(
                    "lock on {key} is held by another worker; not obtained within {wait:?}"
                )));
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_millis(200));
        }
    }

    async fn release(&self, key: &str, token: &str) {
        let done = resource_lock::Entity::delete_many()
            .filter(
                Condition::all()
                    .add(resource_lock::Column::Key.eq(key))
                    .add(resource_lock::Column::Token.eq(token)),
            )
            .exec(&self.db)
            .await;
        if let Err(e) = done {
            // The lease ends the lock anyway; say why it lingers.
            tracing::warn!(lock = key, error = %e, "cannot release lock; it expires with its lease");
        }
    }
}
