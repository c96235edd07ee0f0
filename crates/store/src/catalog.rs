//! `CatalogStore` on sea-orm: readiness, counts, and what the aggregates' stores share (one
//! module per aggregate beside this one: teams, organizations, datasets, glossary, social,
//! search, audit). Each mutation: begin → read `before` → write → grants / notifications →
//! audit → commit. Reads are single statements or one statement per batch.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Utc;
use lakecat_core::catalog::*;
use lakecat_core::ids::*;
use lakecat_core::permissions::Permission;
use lakecat_core::ports::*;
use lakecat_core::shares::ShareStore;
use lakecat_core::{Error, Result};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Query;
use sea_orm::{ActiveValue::Set, IntoActiveModel, PaginatorTrait, QuerySelect, Select, Statement};

use crate::SeaStore;
use crate::convert::{self};
use crate::entities::*;
use crate::errors::db_err;
use crate::support::*;

pub(crate) const TAG: &str = "tag";
pub(crate) const TOPIC: &str = "topic";

pub(crate) fn ids_of<T: AsRef<str>>(ids: &[T]) -> Vec<String> {
    ids.iter().map(|s| s.as_ref().to_owned()).collect()
}

/// The rows of `E` whose key column `id` is one of `ids` (in no particular order: callers
/// key them), in one statement: what every `*_by_ids` of the ports reads.
pub(crate) async fn by_ids<E: EntityTrait>(
    db: &impl ConnectionTrait,
    id: E::Column,
    ids: &[String],
) -> Result<Vec<E::Model>> {
    E::find()
        .filter(id.is_in(ids_of(ids)))
        .all(db)
        .await
        .map_err(db_err)
}

impl SeaStore {
    pub(crate) fn raw(&self, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
        Statement::from_sql_and_values(self.backend(), sql, values)
    }

    pub(crate) async fn begin(&self) -> Result<crate::WriteTxn> {
        self.write_txn().await
    }

    pub(crate) fn organization_select(filter: &OrganizationFilter) -> Select<organization::Entity> {
        let mut q = organization::Entity::find();
        if !filter.include_archived {
            q = q.filter(organization::Column::Archived.eq(false));
        }
        if let Some(teams) = &filter.visible_to {
            q = q.filter(
                organization::Column::Id
                    .in_subquery(visible_subquery(teams, Permission::GetOrganization)),
            );
        }
        q
    }

    pub(crate) fn environment_select(filter: &EnvironmentFilter) -> Select<environment::Entity> {
        let mut q = environment::Entity::find();
        if let Some(org) = &filter.organization_id {
            q = q.filter(environment::Column::OrganizationId.eq(org.as_str()));
        }
        if let Some(teams) = &filter.visible_to {
            q = q.filter(
                environment::Column::Id
                    .in_subquery(visible_subquery(teams, Permission::GetEnvironment)),
            );
        }
        q
    }

    pub(crate) fn dataset_select(filter: &DatasetFilter) -> Select<dataset::Entity> {
        let mut q = dataset::Entity::find();
        if let Some(v) = &filter.organization_id {
            q = q.filter(dataset::Column::OrganizationId.eq(v.as_str()));
        }
        if let Some(v) = &filter.environment_id {
            q = q.filter(dataset::Column::EnvironmentId.eq(v.as_str()));
        }
        if let Some(v) = &filter.owner_team {
            q = q.filter(dataset::Column::OwnerTeam.eq(v.as_str()));
        }
        if let Some(v) = &filter.tag {
            q = q.filter(dataset::Column::Id.in_subquery(index_subquery(TAG, v.as_str())));
        }
        if let Some(v) = &filter.topic {
            q = q.filter(dataset::Column::Id.in_subquery(index_subquery(TOPIC, v.as_str())));
        }
        if let Some(g) = &filter.glue_database {
            q = q
                .filter(dataset::Column::AccountId.eq(g.account_id.as_str()))
                .filter(dataset::Column::Region.eq(g.region.as_str()))
                .filter(dataset::Column::GlueDatabase.eq(g.database.as_str()));
        }
        if let Some(b) = &filter.bucket {
            q = q.filter(dataset::Column::Bucket.eq(b.as_str()));
        }
        if let Some(readers) = &filter.readers {
            q = q.filter(crate::visibility::visible_datasets(readers));
        }
        q
    }

    pub(crate) fn term_link_select(
        term: &GlossaryNodeId,
        readers: Option<&[String]>,
    ) -> Select<term_link::Entity> {
        let q = term_link::Entity::find().filter(term_link::Column::TermId.eq(term.as_str()));
        match readers {
            Some(r) => q.filter(crate::visibility::visible_link_targets(r)),
            None => q,
        }
    }

    pub(crate) async fn one_dataset<C: ConnectionTrait>(
        conn: &C,
        id: &str,
    ) -> Result<dataset::Model> {
        dataset::Entity::find_by_id(id.to_owned())
            .one(conn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("dataset", id))
    }

    /// Moves the stewards' grants from the old stewards team to the new one: revokes what
    /// only the old stewardship gave (not what the team holds as owner) and grants the new.
    pub(crate) async fn regrant_stewards<C: ConnectionTrait>(
        &self,
        conn: &C,
        before: &Dataset,
        after: &Dataset,
    ) -> Result<()> {
        let env = environment::Entity::find_by_id(after.environment_id.as_str())
            .one(conn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::internal(format!("dataset {} has no environment", after.id)))?;
        let env = convert::environment(env)?;
        let role =
            |d: &Dataset| dataset_role_grants(&d.id, &d.owner_team, d.stewards_team.as_ref(), &env);
        let keep = role(after);
        for g in role(before).iter().filter(|g| !keep.contains(g)) {
            resource_permission::Entity::delete_many()
                .filter(resource_permission::Column::ResourceId.eq(g.resource_id.as_str()))
                .filter(resource_permission::Column::Team.eq(g.team.as_str()))
                .filter(resource_permission::Column::Permission.eq(g.permission.as_str()))
                .exec(conn)
                .await
                .map_err(db_err)?;
        }
        insert_grants(conn, &keep).await
    }

    /// Writes the `search.index` tasks of the datasets whose `column` is `value`.
    pub(crate) async fn index_datasets_of<C: ConnectionTrait>(
        conn: &C,
        column: dataset::Column,
        value: &str,
    ) -> Result<()> {
        let ids: Vec<String> = dataset::Entity::find()
            .select_only()
            .column(dataset::Column::Id)
            .filter(column.eq(value))
            .into_tuple()
            .all(conn)
            .await
            .map_err(db_err)?;
        index_datasets(conn, &ids).await
    }

    /// A glossary node and every node under it (categories nest: breadth-first until no new
    /// children).
    pub(crate) async fn subtree<C: ConnectionTrait>(conn: &C, root: &str) -> Result<Vec<String>> {
        let mut all = vec![root.to_owned()];
        let mut frontier = vec![root.to_owned()];
        while !frontier.is_empty() {
            let children: Vec<String> = glossary_node::Entity::find()
                .select_only()
                .column(glossary_node::Column::Id)
                .filter(glossary_node::Column::ParentId.is_in(frontier.clone()))
                .into_tuple()
                .all(conn)
                .await
                .map_err(db_err)?;
            all.extend(children.iter().cloned());
            frontier = children;
        }
        Ok(all)
    }

    /// Writes the `search.index` tasks of the datasets whose entries are linked (approved) to
    /// a term among `nodes`: their documents carry the term's path, which a rename or delete
    /// changes.
    pub(crate) async fn index_linked_datasets<C: ConnectionTrait>(
        conn: &C,
        nodes: &[String],
    ) -> Result<()> {
        index_datasets(conn, &Self::linked_datasets(conn, nodes).await?).await
    }

    /// The datasets whose entries are linked (approved) to a term among `nodes`.
    pub(crate) async fn linked_datasets<C: ConnectionTrait>(
        conn: &C,
        nodes: &[String],
    ) -> Result<Vec<String>> {
        let mut datasets = std::collections::BTreeSet::new();
        for chunk in nodes.chunks(500) {
            let targets: Vec<String> = term_link::Entity::find()
                .select_only()
                .column(term_link::Column::TargetId)
                .filter(term_link::Column::TermId.is_in(chunk.to_vec()))
                .filter(term_link::Column::Approved.eq(true))
                .into_tuple()
                .all(conn)
                .await
                .map_err(db_err)?;
            for t in targets {
                if let Some(ds) = dataset_of(conn, &t).await? {
                    datasets.insert(ds);
                }
            }
        }
        Ok(datasets.into_iter().collect())
    }

    pub(crate) async fn one_node<C: ConnectionTrait>(
        conn: &C,
        id: &str,
    ) -> Result<glossary_node::Model> {
        glossary_node::Entity::find_by_id(id.to_owned())
            .one(conn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("glossary node", id))
    }

    pub(crate) async fn one_link<C: ConnectionTrait>(
        conn: &C,
        id: &str,
    ) -> Result<term_link::Model> {
        term_link::Entity::find_by_id(id.to_owned())
            .one(conn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("term link", id))
    }

    /// Deletes everything that hangs off the given resource ids: grants, tag rows, votes,
    /// comments and term links.
    pub(crate) async fn delete_attachments<C: ConnectionTrait>(
        &self,
        conn: &C,
        ids: Vec<String>,
    ) -> Result<()> {
        if ids.is_empty() {
            return Ok(());
        }
        for chunk in ids.chunks(500) {
            let chunk = chunk.to_vec();
            resource_permission::Entity::delete_many()
                .filter(resource_permission::Column::ResourceId.is_in(chunk.clone()))
                .exec(conn)
                .await
                .map_err(db_err)?;
            resource_tag::Entity::delete_many()
                .filter(resource_tag::Column::ResourceId.is_in(chunk.clone()))
                .exec(conn)
                .await
                .map_err(db_err)?;
            vote::Entity::delete_many()
                .filter(vote::Column::TargetId.is_in(chunk.clone()))
                .exec(conn)
                .await
                .map_err(db_err)?;
            feed_message::Entity::delete_many()
                .filter(feed_message::Column::TargetId.is_in(chunk.clone()))
                .exec(conn)
                .await
                .map_err(db_err)?;
            term_link::Entity::delete_many()
                .filter(term_link::Column::TargetId.is_in(chunk))
                .exec(conn)
                .await
                .map_err(db_err)?;
        }
        Ok(())
    }

    /// Writes the tables of one sync: new ones inserted, changed ones updated in place (their
    /// ids kept), and the columns of both rewritten with the catalog's edits kept by name.
    /// Statements are batched (500 rows or table ids each), so the cost of a sync grows with
    /// the tables it writes, not with the columns already in the catalog.
    pub(crate) async fn write_tables<C: ConnectionTrait>(
        conn: &C,
        dataset_id: &DatasetId,
        work: &[(Option<&dataset_table::Model>, &DiscoveredTable, String)],
    ) -> Result<u64> {
        let now = Utc::now();
        let mut table_ids = Vec::with_capacity(work.len());
        let mut changed: Vec<String> = vec![];
        let mut inserts: Vec<dataset_table::ActiveModel> = vec![];
        for (existing, t, fp) in work {
            match existing {
                Some(old) => {
                    let mut am = (*old).clone().into_active_model();
                    am.location = Set(t.location.clone());
                    am.format = Set(t.format.clone());
                    am.properties = Set(t.properties.clone());
                    am.fingerprint = Set(fp.clone());
                    if old.description.is_empty()
                        && let Some(d) = &t.description
                    {
                        am.description = Set(d.as_str().to_owned());
                    }
                    am.version = Set(old.version + 1);
                    am.updated_at = Set(now);
                    am.deleted_at = Set(None);
                    am.update(conn).await.map_err(db_err)?;
                    table_ids.push(old.id.clone());
                    changed.push(old.id.clone());
                }
                None => {
                    let id = TableId::generate().as_str().to_owned();
                    inserts.push(dataset_table::ActiveModel {
                        id: Set(id.clone()),
                        dataset_id: Set(dataset_id.as_str().to_owned()),
                        glue_name: Set(t.glue_name.as_str().to_owned()),
                        label: Set(t.glue_name.as_str().to_owned()),
                        location: Set(t.location.clone()),
                        format: Set(t.format.clone()),
                        properties: Set(t.properties.clone()),
                        description: Set(t
                            .description
                            .as_ref()
                            .map(|d| d.as_str().to_owned())
                            .unwrap_or_default()),
                        tags: Set(Json::Array(vec![])),
                        fingerprint: Set(fp.clone()),
                        version: Set(1),
                        created_at: Set(now),
                        updated_at: Set(now),
                        deleted_at: Set(None),
                    });
                    table_ids.push(id);
                }
            }
        }
        let mut inserts = inserts.into_iter().peekable();
        while inserts.peek().is_some() {
            let chunk: Vec<_> = inserts.by_ref().take(500).collect();
            dataset_table::Entity::insert_many(chunk)
                .exec_without_returning(conn)
                .await
                .map_err(db_err)?;
        }
        // The columns of changed tables: read (their edits are kept by name), then removed.
        let mut kept: HashMap<(String, String), dataset_column::Model> = HashMap::new();
        for chunk in changed.chunks(500) {
            let old = dataset_column::Entity::find()
                .filter(dataset_column::Column::TableId.is_in(chunk.to_vec()))
                .all(conn)
                .await
                .map_err(db_err)?;
            kept.extend(
                old.into_iter()
                    .map(|c| ((c.table_id.clone(), c.name.clone()), c)),
            );
            dataset_column::Entity::delete_many()
                .filter(dataset_column::Column::TableId.is_in(chunk.to_vec()))
                .exec(conn)
                .await
                .map_err(db_err)?;
        }
        let mut rows: Vec<dataset_column::ActiveModel> = vec![];
        for ((_, t, _), table_id) in work.iter().zip(&table_ids) {
            for (i, c) in t.columns.iter().enumerate() {
                let old = kept.get(&(table_id.clone(), c.name.clone()));
                let description = match (old, &c.description) {
                    (Some(o), _) if !o.description.is_empty() => o.description.clone(),
                    (_, Some(d)) => d.as_str().to_owned(),
                    _ => String::new(),
                };
                rows.push(dataset_column::ActiveModel {
                    id: Set(old
                        .map(|o| o.id.clone())
                        .unwrap_or_else(|| ColumnId::generate().as_str().to_owned())),
                    table_id: Set(table_id.clone()),
                    name: Set(c.name.clone()),
                    data_type: Set(c.data_type.clone()),
                    is_partition: Set(c.is_partition),
                    position: Set(i as i64),
                    description: Set(description),
                    tags: Set(old.map(|o| o.tags.clone()).unwrap_or(Json::Array(vec![]))),
                    classification: Set(old.and_then(|o| o.classification.clone())),
                    version: Set(old.map(|o| o.version + 1).unwrap_or(1)),
                });
            }
        }
        let written = rows.len() as u64;
        let mut rows = rows.into_iter().peekable();
        while rows.peek().is_some() {
            let chunk: Vec<_> = rows.by_ref().take(500).collect();
            dataset_column::Entity::insert_many(chunk)
                .exec_without_returning(conn)
                .await
                .map_err(db_err)?;
        }
        Ok(written)
    }
}

pub(crate) fn visible_subquery(
    teams: &[String],
    permission: Permission,
) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(resource_permission::Column::ResourceId)
        .from(resource_permission::Entity)
        .and_where(resource_permission::Column::Team.is_in(teams.to_vec()))
        .and_where(resource_permission::Column::Permission.eq(permission.as_str()))
        .to_owned()
}

pub(crate) fn index_subquery(kind: &str, value: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(resource_tag::Column::ResourceId)
        .from(resource_tag::Entity)
        .and_where(resource_tag::Column::Kind.eq(kind))
        .and_where(resource_tag::Column::Value.eq(value))
        .to_owned()
}

pub(crate) fn notification_select(
    teams: &[String],
    user: &str,
    unread_only: bool,
) -> Select<notification::Entity> {
    let mut q = notification::Entity::find()
        .filter(notification::Column::RecipientTeam.is_in(teams.to_vec()));
    if unread_only {
        q = q.filter(
            notification::Column::Id.not_in_subquery(
                Query::select()
                    .column(notification_read::Column::NotificationId)
                    .from(notification_read::Entity)
                    .and_where(notification_read::Column::Username.eq(user))
                    .to_owned(),
            ),
        );
    }
    q
}

#[async_trait]
impl CatalogStore for SeaStore {
    async fn ping(&self) -> Result<()> {
        self.db
            .ping()
            .await
            .map_err(|e| Error::unavailable(format!("database unavailable: {e}")))
    }

    async fn count(&self, query: &CountQuery) -> Result<i64> {
        let db = &self.db;
        let n = match query {
            CountQuery::Shares(f) => return self.count_share_requests(f).await,
            CountQuery::Teams => team::Entity::find().count(db).await,
            CountQuery::Organizations(f) => Self::organization_select(f).count(db).await,
            CountQuery::Environments(f) => Self::environment_select(f).count(db).await,
            CountQuery::Datasets(f) => Self::dataset_select(f).count(db).await,
            CountQuery::Tables(id) => {
                dataset_table::Entity::find()
                    .filter(dataset_table::Column::DatasetId.eq(id.as_str()))
                    .filter(dataset_table::Column::DeletedAt.is_null())
                    .count(db)
                    .await
            }
            CountQuery::Columns(id) => {
                dataset_column::Entity::find()
                    .filter(dataset_column::Column::TableId.eq(id.as_str()))
                    .count(db)
                    .await
            }
            CountQuery::Folders(id) => {
                folder::Entity::find()
                    .filter(folder::Column::DatasetId.eq(id.as_str()))
                    .count(db)
                    .await
            }
            CountQuery::Glossaries => {
                glossary_node::Entity::find()
                    .filter(glossary_node::Column::ParentId.is_null())
                    .count(db)
                    .await
            }
            CountQuery::GlossaryChildren(id) => {
                glossary_node::Entity::find()
                    .filter(glossary_node::Column::ParentId.eq(id.as_str()))
                    .count(db)
                    .await
            }
            CountQuery::TermLinks { term, readers } => {
                Self::term_link_select(term, readers.as_deref())
                    .count(db)
                    .await
            }
            CountQuery::Feed(t) => {
                feed_message::Entity::find()
                    .filter(feed_message::Column::TargetId.eq(t.as_str()))
                    .count(db)
                    .await
            }
            CountQuery::Notifications {
                teams,
                user,
                unread_only,
            } => {
                notification_select(teams, user, *unread_only)
                    .count(db)
                    .await
            }
            CountQuery::Audit(t) => {
                audit_event::Entity::find()
                    .filter(audit_event::Column::TargetId.eq(t.as_str()))
                    .count(db)
                    .await
            }
            CountQuery::Tasks(t) => {
                task::Entity::find()
                    .filter(task::Column::TargetId.eq(t.as_str()))
                    .count(db)
                    .await
            }
        };
        n.map(|n| n as i64).map_err(db_err)
    }
}
