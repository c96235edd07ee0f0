//! [`lakecat_core::ports::DatasetStore`] on sea-orm: datasets, their tables, columns and folders, and their
//! stacks.

use std::collections::{HashMap, HashSet};

use async_trait::async_trait;
use chrono::Utc;
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::*;
use lakecat_core::ids::*;
use lakecat_core::page::{Page, PageRequest, int_key};
use lakecat_core::permissions::Grant;
use lakecat_core::ports::*;
use lakecat_core::shares::ShareStatus;
use lakecat_core::{Error, Reason, Result};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, IntoActiveModel, PaginatorTrait, QueryOrder, QuerySelect};

use crate::SeaStore;
use crate::convert::{self, tags_json, topics_json};
use crate::entities::*;
use crate::errors::{db_err, db_err_unique};
use crate::support::*;

use crate::catalog::*;

#[async_trait]
impl DatasetStore for SeaStore {
    async fn create_dataset(
        &self,
        meta: &MutationMeta,
        ds: &Dataset,
        grants: &[Grant],
    ) -> Result<Vec<lakecat_core::tasks::TaskEnvelope>> {
        let txn = self.begin().await?;
        let mut teams = vec![ds.owner_team.as_str()];
        if let Some(s) = &ds.stewards_team {
            teams.push(s.as_str());
        }
        ensure_teams(&txn, &teams).await?;
        dataset::Entity::insert(dataset::ActiveModel {
            id: Set(ds.id.as_str().to_owned()),
            organization_id: Set(ds.organization_id.as_str().to_owned()),
            environment_id: Set(ds.environment_id.as_str().to_owned()),
            label: Set(ds.label.as_str().to_owned()),
            slug: Set(ds.slug.as_str().to_owned()),
            description: Set(ds.description.as_str().to_owned()),
            owner_team: Set(ds.owner_team.as_str().to_owned()),
            stewards_team: Set(ds.stewards_team.as_ref().map(|s| s.as_str().to_owned())),
            confidentiality: Set(ds.confidentiality.as_str().to_owned()),
            topics: Set(topics_json(&ds.topics)),
            tags: Set(tags_json(&ds.tags)),
            auto_approval: Set(ds.auto_approval),
            secret_preview: Set(ds.secret_preview),
            visibility: Set(ds.visibility.as_str().to_owned()),
            imported: Set(ds.imported),
            account_id: Set(ds.aws.account_id.as_str().to_owned()),
            region: Set(ds.aws.region.as_str().to_owned()),
            bucket: Set(ds.aws.bucket.clone()),
            glue_database: Set(ds.aws.glue_database.clone()),
            kms_alias: Set(ds.aws.kms_alias.clone()),
            admin_role_arn: Set(ds.aws.admin_role_arn.clone()),
            stack_status: Set(ds.stack_status.as_str().to_owned()),
            version: Set(ds.version),
            created_by: Set(ds.created_by.clone()),
            created_at: Set(ds.created_at),
            updated_at: Set(ds.updated_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err_unique(
            "a dataset with this slug already exists in the environment",
            Reason::DatasetSlugTaken,
        ))?;
        let tags: Vec<&str> = ds.tags.iter().map(|t| t.as_str()).collect();
        set_index_values(&txn, ds.id.as_str(), TAG, &tags).await?;
        let topics: Vec<&str> = ds.topics.iter().map(|t| t.as_str()).collect();
        set_index_values(&txn, ds.id.as_str(), TOPIC, &topics).await?;
        crate::stacks::insert_stack_row(&txn, ds.id.as_str(), ds.created_at).await?;
        let deploy =
            crate::stacks::request_deploy(&txn, ds.id.as_str(), ds.owner_team.as_str()).await?;
        let mut envelopes: Vec<_> = deploy.into_iter().collect();
        // An imported dataset's bucket, key and database are verified as lakecat will use them.
        if ds.imported {
            let (_, verify) = crate::task_store::request_or_join(
                &txn,
                verify_task(ds.id.as_str(), ds.owner_team.as_str()),
            )
            .await?;
            envelopes.extend(verify);
        }
        insert_grants(&txn, grants).await?;
        index_dataset(&txn, ds.id.as_str()).await?;
        audit(&txn, meta, ds.id.as_str(), None::<&()>, Some(ds)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(envelopes)
    }

    async fn update_dataset(
        &self,
        meta: &MutationMeta,
        id: &DatasetId,
        expected_version: i64,
        patch: &DatasetPatch,
    ) -> Result<Dataset> {
        let txn = self.begin().await?;
        let old = Self::one_dataset(&txn, id.as_str()).await?;
        if old.version != expected_version {
            return Err(Error::conflict(format!(
                "dataset {id} was changed by someone else (version {} ≠ expected {expected_version}); reload and retry",
                old.version
            )).with_reason(Reason::StaleVersion));
        }
        let before = convert::dataset(old.clone())?;
        let mut am = old.into_active_model();
        if let Some(v) = &patch.label {
            am.label = Set(v.as_str().to_owned());
        }
        if let Some(v) = &patch.description {
            am.description = Set(v.as_str().to_owned());
        }
        if let Some(v) = &patch.stewards_team {
            if let Some(t) = v {
                ensure_teams(&txn, &[t.as_str()]).await?;
            }
            am.stewards_team = Set(v.as_ref().map(|t| t.as_str().to_owned()));
        }
        if let Some(v) = patch.confidentiality {
            am.confidentiality = Set(v.as_str().to_owned());
        }
        if let Some(v) = &patch.topics {
            am.topics = Set(topics_json(v));
            let values: Vec<&str> = v.iter().map(|t| t.as_str()).collect();
            set_index_values(&txn, id.as_str(), TOPIC, &values).await?;
        }
        if let Some(v) = &patch.tags {
            am.tags = Set(tags_json(v));
            let values: Vec<&str> = v.iter().map(|t| t.as_str()).collect();
            set_index_values(&txn, id.as_str(), TAG, &values).await?;
        }
        if let Some(v) = patch.secret_preview {
            am.secret_preview = Set(v);
        }
        if let Some(v) = patch.auto_approval {
            am.auto_approval = Set(v);
        }
        if let Some(v) = patch.visibility {
            am.visibility = Set(v.as_str().to_owned());
        }
        am.version = Set(expected_version + 1);
        am.updated_at = Set(Utc::now());
        // The version in the WHERE clause makes a concurrent writer lose cleanly.
        let res = dataset::Entity::update_many()
            .set(am)
            .filter(dataset::Column::Id.eq(id.as_str()))
            .filter(dataset::Column::Version.eq(expected_version))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        if res.rows_affected != 1 {
            return Err(Error::conflict(format!(
                "dataset {id} was changed by someone else; reload and retry"
            ))
            .with_reason(Reason::StaleVersion));
        }
        let after = convert::dataset(Self::one_dataset(&txn, id.as_str()).await?)?;
        if before.stewards_team != after.stewards_team {
            self.regrant_stewards(&txn, &before, &after).await?;
        }
        index_dataset(&txn, id.as_str()).await?;
        audit(&txn, meta, id.as_str(), Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn delete_dataset(
        &self,
        meta: &MutationMeta,
        id: &DatasetId,
    ) -> Result<Vec<lakecat_core::tasks::TaskEnvelope>> {
        let txn = self.begin().await?;
        let before = convert::dataset(Self::one_dataset(&txn, id.as_str()).await?)?;
        let open_shares = share_request::Entity::find()
            .filter(share_request::Column::DatasetId.eq(id.as_str()))
            .filter(share_request::Column::Status.ne(ShareStatus::Deleted.as_str()))
            .count(&txn)
            .await
            .map_err(db_err)?;
        if open_shares > 0 {
            return Err(Error::conflict(format!(
                "the dataset has {open_shares} open share request(s): revoke and delete them first"
            ))
            .with_reason(Reason::DatasetHasOpenShares));
        }
        let deleted_shares: Vec<String> = share_request::Entity::find()
            .select_only()
            .column(share_request::Column::Id)
            .filter(share_request::Column::DatasetId.eq(id.as_str()))
            .into_tuple()
            .all(&txn)
            .await
            .map_err(db_err)?;
        share_item::Entity::delete_many()
            .filter(share_item::Column::ShareId.is_in(deleted_shares.clone()))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        share_request::Entity::delete_many()
            .filter(share_request::Column::Id.is_in(deleted_shares))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        let table_ids: Vec<String> = dataset_table::Entity::find()
            .select_only()
            .column(dataset_table::Column::Id)
            .filter(dataset_table::Column::DatasetId.eq(id.as_str()))
            .into_tuple()
            .all(&txn)
            .await
            .map_err(db_err)?;
        let folder_ids: Vec<String> = folder::Entity::find()
            .select_only()
            .column(folder::Column::Id)
            .filter(folder::Column::DatasetId.eq(id.as_str()))
            .into_tuple()
            .all(&txn)
            .await
            .map_err(db_err)?;
        // Column-level links and tags go with their columns.
        let v = vec![sea_orm::Value::from(id.as_str())];
        for sql in [
            "DELETE FROM term_link WHERE target_id IN (SELECT c.id FROM dataset_column c JOIN dataset_table t ON c.table_id = t.id WHERE t.dataset_id = $1)",
            "DELETE FROM resource_tag WHERE resource_id IN (SELECT c.id FROM dataset_column c JOIN dataset_table t ON c.table_id = t.id WHERE t.dataset_id = $1)",
            "DELETE FROM dataset_column WHERE table_id IN (SELECT id FROM dataset_table WHERE dataset_id = $1)",
        ] {
            txn.execute_raw(self.raw(sql, v.clone()))
                .await
                .map_err(db_err)?;
        }
        let mut attached = table_ids;
        attached.extend(folder_ids);
        attached.push(id.as_str().to_owned());
        self.delete_attachments(&txn, attached).await?;
        dataset_table::Entity::delete_many()
            .filter(dataset_table::Column::DatasetId.eq(id.as_str()))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        folder::Entity::delete_many()
            .filter(folder::Column::DatasetId.eq(id.as_str()))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        let environment = environment::Entity::find_by_id(before.environment_id.as_str())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("environment", &before.environment_id))?;
        let delete = crate::stacks::request_delete(
            &txn,
            &lakecat_core::stacks::StackSubject::Dataset {
                environment: convert::environment(environment)?,
                dataset: before.clone(),
            },
        )
        .await?;
        dataset::Entity::delete_by_id(id.as_str().to_owned())
            .exec(&txn)
            .await
            .map_err(db_err)?;
        index_dataset(&txn, id.as_str()).await?;
        audit(&txn, meta, id.as_str(), Some(&before), None::<&()>).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(vec![delete])
    }

    async fn datasets_by_ids(&self, ids: &[String]) -> Result<Vec<Dataset>> {
        let rows = by_ids::<dataset::Entity>(&self.db, dataset::Column::Id, ids).await?;
        rows.into_iter().map(convert::dataset).collect()
    }

    async fn list_datasets(
        &self,
        filter: &DatasetFilter,
        page: &PageRequest,
    ) -> Result<Page<Dataset>> {
        let rows = keyset(
            &self.db,
            Self::dataset_select(filter),
            dataset::Column::Id,
            page,
        )
        .await?;
        try_page_by(rows, page, |m| m.id.clone(), convert::dataset)
    }

    async fn table_counts(&self, dataset_ids: &[String]) -> Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = dataset_table::Entity::find()
            .select_only()
            .column(dataset_table::Column::DatasetId)
            .column_as(Expr::col(dataset_table::Column::Id).count(), "n")
            .filter(dataset_table::Column::DatasetId.is_in(ids_of(dataset_ids)))
            .filter(dataset_table::Column::DeletedAt.is_null())
            .group_by(dataset_table::Column::DatasetId)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().collect())
    }

    async fn record_discovered_tables(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
        tables: &[DiscoveredTable],
    ) -> Result<SyncSummary> {
        self.record_tables(meta, dataset_id, tables, None, &[])
            .await
    }

    async fn record_table_changes(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
        tables: &[DiscoveredTable],
        gone: &[String],
    ) -> Result<SyncSummary> {
        self.record_tables(meta, dataset_id, tables, None, gone)
            .await
    }

    async fn record_table_listing(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
        tables: &[DiscoveredTable],
        kept: &[String],
    ) -> Result<SyncSummary> {
        self.record_tables(meta, dataset_id, tables, Some(kept), &[])
            .await
    }

    async fn request_table_crawl(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
        prefix: Option<&str>,
    ) -> Result<(Task, Vec<lakecat_core::tasks::TaskEnvelope>)> {
        let txn = self.begin().await?;
        let ds = Self::one_dataset(&txn, dataset_id.as_str()).await?;
        let new = owned_task(
            lakecat_core::lake::TABLES_CRAWL_KIND,
            dataset_id.as_str(),
            serde_json::json!({ "dataset_id": dataset_id.as_str(), "prefix": prefix }),
            &ds.owner_team,
        );
        request_audited(txn, meta, new, |joined, task| {
            serde_json::json!({ "crawl": if joined { "joined" } else { "requested" }, "prefix": prefix, "task": task })
        })
        .await
    }

    async fn table_crawl(&self, dataset_id: &str) -> Result<Option<Task>> {
        Ok(self
            .latest_tasks(
                &[dataset_id.to_owned()],
                lakecat_core::lake::TABLES_CRAWL_KIND,
                None,
            )
            .await?
            .remove(dataset_id))
    }

    async fn request_dataset_verify(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
    ) -> Result<(Task, Vec<lakecat_core::tasks::TaskEnvelope>)> {
        let txn = self.begin().await?;
        let ds = Self::one_dataset(&txn, dataset_id.as_str()).await?;
        if !ds.imported {
            return Err(Error::bad_input(
                "input.datasetId",
                "only an imported dataset's resources are verified (lakecat made this one's)",
            ));
        }
        let new = verify_task(dataset_id.as_str(), &ds.owner_team);
        request_audited(txn, meta, new, |joined, task| {
            serde_json::json!({ "verify": if joined { "joined" } else { "requested" }, "task": task })
        })
        .await
    }

    async fn dataset_verifications(&self, dataset_ids: &[String]) -> Result<HashMap<String, Task>> {
        self.latest_tasks(dataset_ids, lakecat_core::lake::DATASET_VERIFY_KIND, None)
            .await
    }

    async fn request_table_profile(
        &self,
        meta: &MutationMeta,
        table_id: &TableId,
    ) -> Result<(Task, Vec<lakecat_core::tasks::TaskEnvelope>)> {
        let txn = self.begin().await?;
        let table = dataset_table::Entity::find_by_id(table_id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("table", table_id))?;
        let ds = Self::one_dataset(&txn, &table.dataset_id).await?;
        let new = owned_task(
            lakecat_core::lake::TABLES_PROFILE_KIND,
            table_id.as_str(),
            serde_json::json!({ "table_id": table_id.as_str() }),
            &ds.owner_team,
        );
        request_audited(txn, meta, new, |joined, task| {
            let what = if joined {
                "joined the waiting profile"
            } else {
                "requested"
            };
            serde_json::json!({ "profile": what, "task": task })
        })
        .await
    }

    async fn table_profile_runs(&self, table_ids: &[String]) -> Result<HashMap<String, Task>> {
        self.latest_tasks(table_ids, lakecat_core::lake::TABLES_PROFILE_KIND, None)
            .await
    }

    async fn table_profiles(&self, table_ids: &[String]) -> Result<HashMap<String, Task>> {
        self.latest_tasks(
            table_ids,
            lakecat_core::lake::TABLES_PROFILE_KIND,
            Some(TaskStatus::Succeeded),
        )
        .await
    }

    async fn datasets_due_for_table_sync(
        &self,
        since: chrono::DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<DatasetId>> {
        let recent = sea_orm::sea_query::Query::select()
            .column(task::Column::TargetId)
            .from(task::Entity)
            .and_where(task::Column::Kind.eq(lakecat_core::lake::TABLES_SYNC_KIND))
            .and_where(task::Column::CreatedAt.gte(since))
            .and_where(task::Column::TargetId.is_not_null())
            .to_owned();
        let ids: Vec<String> = dataset::Entity::find()
            .select_only()
            .column(dataset::Column::Id)
            .filter(dataset::Column::StackStatus.is_in([
                StackStatus::CreateComplete.as_str(),
                StackStatus::UpdateComplete.as_str(),
                StackStatus::ImportComplete.as_str(),
                StackStatus::UpdateRollbackComplete.as_str(),
            ]))
            .filter(dataset::Column::Id.not_in_subquery(recent))
            // A dataset gets its first scheduled sync an interval after its creation: a fresh
            // catalog (the demo, a restore) is not synced all at once on its first start.
            .filter(dataset::Column::CreatedAt.lt(since))
            .order_by_asc(dataset::Column::Id)
            .limit(u64::from(limit))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(ids.into_iter().map(DatasetId::from_trusted).collect())
    }

    async fn table_sync(&self, dataset_id: &str) -> Result<Option<Task>> {
        crate::task_store::latest_task(
            &self.db,
            dataset_id,
            lakecat_core::lake::TABLES_SYNC_KIND,
            None,
        )
        .await?
        .map(convert::task)
        .transpose()
    }

    async fn request_table_sync(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
        tables: Option<&[String]>,
    ) -> Result<(Task, Vec<lakecat_core::tasks::TaskEnvelope>)> {
        use lakecat_core::lake::{SYNC_TABLES_MAX, TABLES_SYNC_KIND, sync_scope};
        let id = dataset_id.as_str();
        // Sorted, once each; too many names are a sync of the whole dataset.
        let scope = |mut names: Vec<String>| {
            names.sort();
            names.dedup();
            (names.len() <= SYNC_TABLES_MAX).then_some(names)
        };
        let payload = |tables: &Option<Vec<String>>| match tables {
            Some(t) => serde_json::json!({ "dataset_id": id, "tables": t }),
            None => serde_json::json!({ "dataset_id": id }),
        };
        let wanted = tables.and_then(|t| scope(t.to_vec()));
        let txn = self.begin().await?;
        let ds = Self::one_dataset(&txn, id).await?;
        // A waiting sync is joined, widened first to cover this request too (the union of
        // both's tables, or all of them). Widened only while still PENDING: one claimed
        // meanwhile is left to run, and this request writes its own.
        if let Some(row) =
            crate::task_store::latest_task(&txn, id, TABLES_SYNC_KIND, Some(TaskStatus::Pending))
                .await?
        {
            let waiting = sync_scope(&row.payload);
            let widened = match (waiting.clone(), wanted.clone()) {
                (Some(mut a), Some(b)) => {
                    a.extend(b);
                    scope(a)
                }
                _ => None,
            };
            if widened != waiting {
                task::Entity::update_many()
                    .col_expr(task::Column::Payload, Expr::value(payload(&widened)))
                    .col_expr(task::Column::UpdatedAt, Expr::value(Utc::now()))
                    .filter(task::Column::Id.eq(row.id.clone()))
                    .filter(task::Column::Status.eq(TaskStatus::Pending.as_str()))
                    .exec(&txn)
                    .await
                    .map_err(db_err)?;
            }
        }
        let new = owned_task(TABLES_SYNC_KIND, id, payload(&wanted), &ds.owner_team);
        request_audited(txn, meta, new, |joined, task| {
            let what = if joined {
                "joined the waiting sync"
            } else {
                "requested"
            };
            serde_json::json!({ "table_sync": what, "tables": wanted, "task": task })
        })
        .await
    }

    async fn tables_by_ids(&self, ids: &[String]) -> Result<Vec<Table>> {
        let rows =
            by_ids::<dataset_table::Entity>(&self.db, dataset_table::Column::Id, ids).await?;
        Ok(rows.into_iter().map(convert::table).collect())
    }

    async fn list_tables(&self, dataset_id: &DatasetId, page: &PageRequest) -> Result<Page<Table>> {
        let q = dataset_table::Entity::find()
            .filter(dataset_table::Column::DatasetId.eq(dataset_id.as_str()))
            .filter(dataset_table::Column::DeletedAt.is_null());
        let rows = keyset(&self.db, q, dataset_table::Column::Id, page).await?;
        Ok(page_by(rows, page, |m| m.id.clone(), convert::table))
    }

    async fn update_table(
        &self,
        meta: &MutationMeta,
        id: &TableId,
        expected_version: i64,
        patch: &DocumentPatch,
    ) -> Result<Table> {
        let txn = self.begin().await?;
        let old = dataset_table::Entity::find_by_id(id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("table", id))?;
        if old.version != expected_version {
            return Err(Error::conflict(format!(
                "table {id} was changed by someone else; reload and retry"
            ))
            .with_reason(Reason::StaleVersion));
        }
        let before = convert::table(old.clone());
        let mut am = old.into_active_model();
        if let Some(v) = &patch.description {
            am.description = Set(v.as_str().to_owned());
        }
        if let Some(v) = &patch.tags {
            am.tags = Set(tags_json(v));
            let values: Vec<&str> = v.iter().map(|t| t.as_str()).collect();
            set_index_values(&txn, id.as_str(), TAG, &values).await?;
        }
        am.version = Set(expected_version + 1);
        am.updated_at = Set(Utc::now());
        let res = dataset_table::Entity::update_many()
            .set(am)
            .filter(dataset_table::Column::Id.eq(id.as_str()))
            .filter(dataset_table::Column::Version.eq(expected_version))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        if res.rows_affected != 1 {
            return Err(Error::conflict(format!(
                "table {id} was changed by someone else; reload and retry"
            ))
            .with_reason(Reason::StaleVersion));
        }
        let after = dataset_table::Entity::find_by_id(id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .map(convert::table)
            .ok_or_else(|| Error::not_found("table", id))?;
        if let Some(ds) = dataset_of(&txn, id.as_str()).await? {
            index_dataset(&txn, &ds).await?;
        }
        audit(&txn, meta, id.as_str(), Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn column_counts(&self, table_ids: &[String]) -> Result<HashMap<String, i64>> {
        let rows: Vec<(String, i64)> = dataset_column::Entity::find()
            .select_only()
            .column(dataset_column::Column::TableId)
            .column_as(Expr::col(dataset_column::Column::Id).count(), "n")
            .filter(dataset_column::Column::TableId.is_in(ids_of(table_ids)))
            .group_by(dataset_column::Column::TableId)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().collect())
    }

    async fn columns_by_ids(&self, ids: &[String]) -> Result<Vec<Column>> {
        let rows =
            by_ids::<dataset_column::Entity>(&self.db, dataset_column::Column::Id, ids).await?;
        Ok(rows.into_iter().map(convert::column).collect())
    }

    async fn list_columns(&self, table_id: &TableId, page: &PageRequest) -> Result<Page<Column>> {
        let mut q = dataset_column::Entity::find()
            .filter(dataset_column::Column::TableId.eq(table_id.as_str()));
        if let Some(after) = &page.after {
            let pos: i64 = after
                .parse()
                .map_err(|_| Error::bad_input("after", "cursor does not belong to this list"))?;
            q = q.filter(dataset_column::Column::Position.gt(pos));
        }
        let rows = q
            .order_by_asc(dataset_column::Column::Position)
            .limit(u64::from(page.first) + 1)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(page_by(
            rows,
            page,
            |m| int_key(m.position),
            convert::column,
        ))
    }

    async fn update_column(
        &self,
        meta: &MutationMeta,
        id: &ColumnId,
        expected_version: i64,
        patch: &DocumentPatch,
        classification: Option<Option<String>>,
    ) -> Result<Column> {
        let txn = self.begin().await?;
        let old = dataset_column::Entity::find_by_id(id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("column", id))?;
        if old.version != expected_version {
            return Err(Error::conflict(format!(
                "column {id} was changed by someone else; reload and retry"
            ))
            .with_reason(Reason::StaleVersion));
        }
        let before = convert::column(old.clone());
        let mut am = old.into_active_model();
        if let Some(v) = &patch.description {
            am.description = Set(v.as_str().to_owned());
        }
        if let Some(v) = &patch.tags {
            am.tags = Set(tags_json(v));
        }
        if let Some(v) = classification {
            am.classification = Set(v);
        }
        am.version = Set(expected_version + 1);
        let res = dataset_column::Entity::update_many()
            .set(am)
            .filter(dataset_column::Column::Id.eq(id.as_str()))
            .filter(dataset_column::Column::Version.eq(expected_version))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        if res.rows_affected != 1 {
            return Err(Error::conflict(format!(
                "column {id} was changed by someone else; reload and retry"
            ))
            .with_reason(Reason::StaleVersion));
        }
        let after = dataset_column::Entity::find_by_id(id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .map(convert::column)
            .ok_or_else(|| Error::not_found("column", id))?;
        if let Some(ds) = dataset_of(&txn, id.as_str()).await? {
            index_dataset(&txn, &ds).await?;
        }
        audit(&txn, meta, id.as_str(), Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn create_folder(&self, meta: &MutationMeta, f: &Folder) -> Result<()> {
        let txn = self.begin().await?;
        Self::one_dataset(&txn, f.dataset_id.as_str()).await?;
        folder::Entity::insert(folder::ActiveModel {
            id: Set(f.id.as_str().to_owned()),
            dataset_id: Set(f.dataset_id.as_str().to_owned()),
            label: Set(f.label.as_str().to_owned()),
            prefix: Set(f.prefix.as_str().to_owned()),
            description: Set(f.description.as_str().to_owned()),
            tags: Set(tags_json(&f.tags)),
            created_by: Set(f.created_by.clone()),
            created_at: Set(f.created_at),
            updated_at: Set(f.updated_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err_unique(
            "a folder with this prefix already exists in the dataset",
            Reason::FolderPrefixTaken,
        ))?;
        index_dataset(&txn, f.dataset_id.as_str()).await?;
        audit(&txn, meta, f.id.as_str(), None::<&()>, Some(f)).await?;
        txn.commit().await.map_err(db_err)
    }

    async fn update_folder(
        &self,
        meta: &MutationMeta,
        id: &FolderId,
        patch: &FolderPatch,
    ) -> Result<Folder> {
        let txn = self.begin().await?;
        let old = folder::Entity::find_by_id(id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("folder", id))?;
        let before = convert::folder(old.clone());
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
        let after = convert::folder(am.update(&txn).await.map_err(db_err)?);
        index_dataset(&txn, before.dataset_id.as_str()).await?;
        audit(&txn, meta, id.as_str(), Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn delete_folder(&self, meta: &MutationMeta, id: &FolderId) -> Result<()> {
        let txn = self.begin().await?;
        let old = folder::Entity::find_by_id(id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("folder", id))?;
        index_dataset(&txn, &old.dataset_id).await?;
        self.delete_attachments(&txn, vec![id.as_str().to_owned()])
            .await?;
        folder::Entity::delete_by_id(id.as_str().to_owned())
            .exec(&txn)
            .await
            .map_err(db_err)?;
        audit(
            &txn,
            meta,
            id.as_str(),
            Some(&convert::folder(old)),
            None::<&()>,
        )
        .await?;
        txn.commit().await.map_err(db_err)
    }

    async fn folders_by_ids(&self, ids: &[String]) -> Result<Vec<Folder>> {
        let rows = by_ids::<folder::Entity>(&self.db, folder::Column::Id, ids).await?;
        Ok(rows.into_iter().map(convert::folder).collect())
    }

    async fn list_folders(
        &self,
        dataset_id: &DatasetId,
        page: &PageRequest,
    ) -> Result<Page<Folder>> {
        let q = folder::Entity::find().filter(folder::Column::DatasetId.eq(dataset_id.as_str()));
        let rows = keyset(&self.db, q, folder::Column::Id, page).await?;
        Ok(page_by(rows, page, |m| m.id.clone(), convert::folder))
    }

    async fn tables_of_datasets(&self, dataset_ids: &[String]) -> Result<Vec<Table>> {
        let rows = dataset_table::Entity::find()
            .filter(dataset_table::Column::DatasetId.is_in(ids_of(dataset_ids)))
            .filter(dataset_table::Column::DeletedAt.is_null())
            .order_by_asc(dataset_table::Column::Id)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(convert::table).collect())
    }

    async fn columns_of_tables(&self, table_ids: &[String]) -> Result<Vec<Column>> {
        let rows = dataset_column::Entity::find()
            .filter(dataset_column::Column::TableId.is_in(ids_of(table_ids)))
            .order_by_asc(dataset_column::Column::TableId)
            .order_by_asc(dataset_column::Column::Position)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(convert::column).collect())
    }

    async fn folders_of_datasets(&self, dataset_ids: &[String]) -> Result<Vec<Folder>> {
        let rows = folder::Entity::find()
            .filter(folder::Column::DatasetId.is_in(ids_of(dataset_ids)))
            .order_by_asc(folder::Column::Id)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(convert::folder).collect())
    }
}

impl SeaStore {
    /// Records `tables`; with `listing` (a complete listing, and the names to keep though
    /// unread), marks the dataset's other tables deleted; without, marks those named in
    /// `gone` deleted.
    async fn record_tables(
        &self,
        meta: &MutationMeta,
        dataset_id: &DatasetId,
        tables: &[DiscoveredTable],
        listing: Option<&[String]>,
        gone: &[String],
    ) -> Result<SyncSummary> {
        let txn = self.begin().await?;
        Self::one_dataset(&txn, dataset_id.as_str()).await?;
        let names: Vec<String> = tables
            .iter()
            .map(|t| t.glue_name.as_str().to_owned())
            .collect();
        let looked_up: Vec<String> = names.iter().chain(gone).cloned().collect();
        // A few tables (one changed in the lake) are looked up by name; a listing of many
        // reads the dataset's tables in one pass: name lists of hundreds, one per chunk, cost
        // a scan each once the planner knows every row has the same dataset (100,000 tables:
        // minutes instead of a second).
        let mut existing: HashMap<String, dataset_table::Model> = HashMap::new();
        let q = dataset_table::Entity::find()
            .filter(dataset_table::Column::DatasetId.eq(dataset_id.as_str()));
        // A complete listing needs every table of the dataset, to find those gone.
        let rows = if looked_up.len() <= 500 && listing.is_none() {
            q.filter(dataset_table::Column::GlueName.is_in(looked_up))
                .all(&txn)
                .await
        } else {
            q.all(&txn).await
        }
        .map_err(db_err)?;
        existing.extend(rows.into_iter().map(|m| (m.glue_name.clone(), m)));
        let mut summary = SyncSummary::default();
        let mut work = Vec::new();
        for t in tables {
            let shape = serde_json::json!({
                "location": t.location, "format": t.format, "properties": t.properties,
                "description": t.description.as_ref().map(|d| d.as_str()),
                "columns": t.columns.iter().map(|c| (&c.name, &c.data_type, c.is_partition, c.description.as_ref().map(|d| d.as_str()))).collect::<Vec<_>>(),
            });
            let fp = fingerprint(shape.to_string().as_bytes());
            match existing.get(t.glue_name.as_str()) {
                Some(old) if old.fingerprint == fp && old.deleted_at.is_none() => {
                    summary.tables_unchanged += 1
                }
                Some(old) if old.deleted_at.is_some() => {
                    work.push((Some(old), t, fp));
                    summary.tables_restored += 1;
                }
                Some(old) => {
                    work.push((Some(old), t, fp));
                    summary.tables_updated += 1;
                }
                None => {
                    work.push((None, t, fp));
                    summary.tables_created += 1;
                }
            }
        }
        summary.columns_written = Self::write_tables(&txn, dataset_id, &work).await?;
        let gone: Vec<String> = match listing {
            Some(kept) => {
                let listed: HashSet<&str> = names
                    .iter()
                    .map(String::as_str)
                    .chain(kept.iter().map(String::as_str))
                    .collect();
                existing
                    .values()
                    .filter(|m| m.deleted_at.is_none() && !listed.contains(m.glue_name.as_str()))
                    .map(|m| m.id.clone())
                    .collect()
            }
            None => gone
                .iter()
                .filter_map(|name| existing.get(name))
                .filter(|m| m.deleted_at.is_none())
                .map(|m| m.id.clone())
                .collect(),
        };
        summary.tables_deleted = gone.len() as u64;
        let now = Utc::now();
        for chunk in gone.chunks(500) {
            dataset_table::Entity::update_many()
                .col_expr(dataset_table::Column::DeletedAt, Expr::value(now))
                .col_expr(dataset_table::Column::UpdatedAt, Expr::value(now))
                .col_expr(
                    dataset_table::Column::Version,
                    Expr::col(dataset_table::Column::Version).add(1),
                )
                .filter(dataset_table::Column::Id.is_in(chunk.to_vec()))
                .exec(&txn)
                .await
                .map_err(db_err)?;
        }
        let after = serde_json::json!({
            "tablesCreated": summary.tables_created, "tablesUpdated": summary.tables_updated,
            "tablesUnchanged": summary.tables_unchanged, "tablesDeleted": summary.tables_deleted,
            "tablesRestored": summary.tables_restored, "columnsWritten": summary.columns_written,
        });
        index_dataset(&txn, dataset_id.as_str()).await?;
        audit(&txn, meta, dataset_id.as_str(), None::<&()>, Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(summary)
    }

    /// The latest task of `kind` (of `status`, if given) on each target.
    async fn latest_tasks(
        &self,
        targets: &[String],
        kind: &str,
        status: Option<TaskStatus>,
    ) -> Result<HashMap<String, Task>> {
        let mut out: HashMap<String, Task> = HashMap::new();
        for chunk in targets.chunks(500) {
            let mut q = task::Entity::find()
                .filter(task::Column::Kind.eq(kind))
                .filter(task::Column::TargetId.is_in(chunk.to_vec()));
            if let Some(s) = status {
                q = q.filter(task::Column::Status.eq(s.as_str()));
            }
            let rows = q
                .order_by_desc(task::Column::CreatedAt)
                .order_by_desc(task::Column::Id)
                .all(&self.db)
                .await
                .map_err(db_err)?;
            for row in rows {
                let Some(target) = row.target_id.clone() else {
                    continue;
                };
                if let std::collections::hash_map::Entry::Vacant(e) = out.entry(target) {
                    e.insert(convert::task(row)?);
                }
            }
        }
        Ok(out)
    }
}

/// A task on `target` whose failure its dataset's owner team (`owner`) hears of.
fn owned_task(
    kind: &str,
    target: &str,
    payload: serde_json::Value,
    owner: &str,
) -> lakecat_core::tasks::NewTask {
    lakecat_core::tasks::NewTask::new(kind, Some(target), payload).notify(
        lakecat_core::names::TeamName::from_trusted(owner.to_owned()),
    )
}

/// The `dataset.verify` task of an imported dataset; its owners hear of a failure.
fn verify_task(dataset_id: &str, owner: &str) -> lakecat_core::tasks::NewTask {
    owned_task(
        lakecat_core::lake::DATASET_VERIFY_KIND,
        dataset_id,
        serde_json::json!({ "dataset_id": dataset_id }),
        owner,
    )
}

/// Writes `new` on its target — or joins the task of its kind already waiting there —,
/// audits the request on the target with `note(joined, task id)`, and commits `txn`.
async fn request_audited(
    txn: crate::WriteTxn,
    meta: &MutationMeta,
    new: lakecat_core::tasks::NewTask,
    note: impl FnOnce(bool, &str) -> serde_json::Value,
) -> Result<(Task, Vec<lakecat_core::tasks::TaskEnvelope>)> {
    let target = new.target_id.clone().unwrap_or_default();
    let (row, envelopes) = crate::task_store::request_or_join(&txn, new).await?;
    let after = note(envelopes.is_empty(), &row.id);
    audit(&txn, meta, &target, None::<&()>, Some(&after)).await?;
    txn.commit().await.map_err(db_err)?;
    Ok((convert::task(row)?, envelopes))
}
