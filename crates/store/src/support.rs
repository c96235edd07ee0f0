//! Pieces every mutation shares: the audit row, team registration, grants, tag index rows,
//! notifications, keyset paging.

use chrono::Utc;
use lakecat_core::Result;
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::NewNotification;
use lakecat_core::ids::{NotificationId, ResourceId};
use lakecat_core::page::{Page, PageRequest};
use lakecat_core::permissions::Grant;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, QueryOrder, QuerySelect, Select};
use serde::Serialize;

use crate::entities::*;
use crate::errors::db_err;

/// Writes the audit event of a mutation, in the mutation's transaction.
pub async fn audit<C: ConnectionTrait, B: Serialize, A: Serialize>(
    conn: &C,
    meta: &MutationMeta,
    target: &str,
    before: Option<&B>,
    after: Option<&A>,
) -> Result<()> {
    let to_json = |v: Option<Json>| v;
    let before = before
        .map(serde_json::to_value)
        .transpose()
        .map_err(json_err)?;
    let after = after
        .map(serde_json::to_value)
        .transpose()
        .map_err(json_err)?;
    let kind = ResourceId::from_trusted(target.to_owned()).kind();
    audit_event::Entity::insert(audit_event::ActiveModel {
        id: Set(format!("aud_{}", ulid_string())),
        actor: Set(meta.actor.clone()),
        action: Set(meta.action.clone()),
        target_kind: Set(kind.as_str().to_owned()),
        target_id: Set(target.to_owned()),
        before: Set(to_json(before)),
        after: Set(to_json(after)),
        request_id: Set(meta.request_id.clone()),
        at: Set(Utc::now()),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

fn json_err(e: serde_json::Error) -> lakecat_core::Error {
    lakecat_core::Error::internal(format!("cannot serialize audit value: {e}"))
}

pub fn ulid_string() -> String {
    ulid::Ulid::new().to_string()
}

/// Registers teams the first time they are referenced.
pub async fn ensure_teams<C: ConnectionTrait>(conn: &C, names: &[&str]) -> Result<()> {
    if names.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let rows = names.iter().map(|n| team::ActiveModel {
        name: Set((*n).to_owned()),
        created_at: Set(now),
    });
    team::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::column(team::Column::Name)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Writes grants (idempotent: a grant held already stays as it is).
pub async fn insert_grants<C: ConnectionTrait>(conn: &C, grants: &[Grant]) -> Result<()> {
    if grants.is_empty() {
        return Ok(());
    }
    let teams: Vec<&str> = grants.iter().map(|g| g.team.as_str()).collect();
    ensure_teams(conn, &teams).await?;
    let rows = grants.iter().map(|g| resource_permission::ActiveModel {
        resource_id: Set(g.resource_id.clone()),
        team: Set(g.team.as_str().to_owned()),
        permission: Set(g.permission.as_str().to_owned()),
    });
    resource_permission::Entity::insert_many(rows)
        .on_conflict(
            OnConflict::columns([
                resource_permission::Column::ResourceId,
                resource_permission::Column::Team,
                resource_permission::Column::Permission,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

/// Replaces the index rows (`kind` = tag | topic) that make tag and topic filters indexed.
pub async fn set_index_values<C: ConnectionTrait>(
    conn: &C,
    resource_id: &str,
    kind: &str,
    values: &[&str],
) -> Result<()> {
    resource_tag::Entity::delete_many()
        .filter(resource_tag::Column::ResourceId.eq(resource_id))
        .filter(resource_tag::Column::Kind.eq(kind))
        .exec(conn)
        .await
        .map_err(db_err)?;
    if values.is_empty() {
        return Ok(());
    }
    let rows = values.iter().map(|v| resource_tag::ActiveModel {
        kind: Set(kind.to_owned()),
        value: Set((*v).to_owned()),
        resource_id: Set(resource_id.to_owned()),
    });
    resource_tag::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

pub async fn notify<C: ConnectionTrait>(conn: &C, n: &NewNotification) -> Result<()> {
    notification::Entity::insert(notification::ActiveModel {
        id: Set(NotificationId::generate().as_str().to_owned()),
        recipient_team: Set(n.recipient_team.as_str().to_owned()),
        kind: Set(n.kind.to_owned()),
        message: Set(n.message.clone()),
        target_id: Set(n.target_id.clone()),
        created_at: Set(Utc::now()),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Fetches one keyset page: rows with `key_col > after`, in key order, `first + 1` at most.
pub async fn keyset<E, C>(
    conn: &C,
    select: Select<E>,
    key_col: E::Column,
    page: &PageRequest,
) -> Result<Vec<E::Model>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let mut select = select;
    if let Some(after) = &page.after {
        select = select.filter(key_col.gt(after.clone()));
    }
    select
        .order_by_asc(key_col)
        .limit(u64::from(page.first) + 1)
        .all(conn)
        .await
        .map_err(db_err)
}

/// Builds a page keyed by each row's id.
pub fn page_by<M, T>(
    rows: Vec<M>,
    page: &PageRequest,
    key: impl Fn(&M) -> String,
    f: impl Fn(M) -> T,
) -> Page<T> {
    let items = rows.into_iter().map(|m| (key(&m), f(m))).collect();
    Page::from_rows(items, page.first)
}

/// Like [`page_by`] for conversions that can fail.
pub fn try_page_by<M, T>(
    rows: Vec<M>,
    page: &PageRequest,
    key: impl Fn(&M) -> String,
    f: impl Fn(M) -> Result<T>,
) -> Result<Page<T>> {
    let mut items = Vec::with_capacity(rows.len());
    for m in rows {
        let k = key(&m);
        items.push((k, f(m)?));
    }
    Ok(Page::from_rows(items, page.first))
}

/// FNV-1a: a stable fingerprint of a discovered table, so an unchanged table is not rewritten.
pub fn fingerprint(bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= u64::from(*b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The dataset a catalog entry belongs to (itself for a dataset); None for other kinds or an
/// entry that does not exist.
pub async fn dataset_of<C: ConnectionTrait>(conn: &C, target_id: &str) -> Result<Option<String>> {
    use crate::entities::{dataset_column, dataset_table, folder};
    use sea_orm::{EntityTrait, QuerySelect};
    let prefix = target_id.split('_').next().unwrap_or_default();
    let table_dataset = |table_id: String| async move {
        dataset_table::Entity::find_by_id(table_id)
            .one(conn)
            .await
            .map_err(db_err)
            .map(|t| t.map(|t| t.dataset_id))
    };
    match prefix {
        "ds" => Ok(Some(target_id.to_owned())),
        "tbl" => table_dataset(target_id.to_owned()).await,
        "col" => {
            let table: Option<String> = dataset_column::Entity::find_by_id(target_id.to_owned())
                .select_only()
                .column(dataset_column::Column::TableId)
                .into_tuple()
                .one(conn)
                .await
                .map_err(db_err)?;
            match table {
                Some(t) => table_dataset(t).await,
                None => Ok(None),
            }
        }
        "fld" => Ok(folder::Entity::find_by_id(target_id.to_owned())
            .one(conn)
            .await
            .map_err(db_err)?
            .map(|f| f.dataset_id)),
        _ => Ok(None),
    }
}

/// Writes the `search.index` task of a dataset (or a glossary: the index's other unit) in the
/// mutation's transaction — or joins the one already pending: the pending row is updated, not
/// duplicated (coalesced), and the update holds its row lock until this transaction commits,
/// so a worker cannot claim it and read the catalog before this change is visible.
pub async fn index_dataset<C: ConnectionTrait>(conn: &C, dataset_id: &str) -> Result<()> {
    index_datasets(conn, &[dataset_id.to_owned()]).await
}

/// [`index_dataset`] for many units, a few hundred rows per statement (renaming an
/// organization or environment touches every dataset in it). Ids must be distinct.
pub async fn index_datasets<C: ConnectionTrait>(conn: &C, ids: &[String]) -> Result<()> {
    use lakecat_core::search::SEARCH_TASK_KIND;
    use lakecat_core::tasks::NewTask;
    let backend = conn.get_database_backend();
    let now = Utc::now();
    for chunk in ids.chunks(500) {
        let mut rows = Vec::with_capacity(chunk.len());
        let mut values: Vec<sea_orm::Value> = Vec::with_capacity(chunk.len() * 7);
        for dataset_id in chunk {
            let task = NewTask::new(
                SEARCH_TASK_KIND,
                Some(dataset_id),
                serde_json::json!({ "dataset_id": dataset_id }),
            );
            let payload: sea_orm::Value = match backend {
                sea_orm::DbBackend::Postgres => task.payload.clone().into(),
                _ => task.payload.to_string().into(),
            };
            let n = values.len();
            let p = |k: usize| match backend {
                sea_orm::DbBackend::Postgres => format!("${}", n + k),
                _ => "?".to_owned(),
            };
            rows.push(format!(
                "({}, {}, {}, {}, 'PENDING', 0, {}, {}, {})",
                p(1),
                p(2),
                p(3),
                p(4),
                p(5),
                p(6),
                p(7)
            ));
            values.extend([
                task.id.to_string().into(),
                task.kind.clone().into(),
                dataset_id.clone().into(),
                payload,
                now.into(),
                now.into(),
                now.into(),
            ]);
        }
        let sql = format!(
            "INSERT INTO task (id, kind, target_id, payload, status, attempts, run_after, created_at, updated_at) \
             VALUES {} \
             ON CONFLICT (target_id) WHERE kind = '{SEARCH_TASK_KIND}' AND status = 'PENDING' \
             DO UPDATE SET updated_at = excluded.updated_at",
            rows.join(", ")
        );
        conn.execute_raw(sea_orm::Statement::from_sql_and_values(
            backend, sql, values,
        ))
        .await
        .map_err(db_err)?;
    }
    Ok(())
}
