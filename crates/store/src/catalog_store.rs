//! `CatalogStore` on sea-orm. Each mutation: begin → read `before` → write → grants /
//! notifications → audit → commit. Reads are single statements or one statement per batch.

use std::collections::HashMap;
use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use lakecat_core::audit::AuditEvent;
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::*;
use lakecat_core::glossary::{GlossaryNode, TermLink};
use lakecat_core::ids::*;
use lakecat_core::names::{Description, Label, TeamName};
use lakecat_core::page::{Page, PageRequest, int_key};
use lakecat_core::permissions::{Grant, Permission, TenantPermission};
use lakecat_core::ports::*;
use lakecat_core::shares::{ShareStatus, ShareStore};
use lakecat_core::{Error, Result};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, UnionType};
use sea_orm::{
    ActiveValue::Set, Condition, DbBackend, IntoActiveModel, PaginatorTrait, QueryOrder,
    QuerySelect, Select, Statement,
};

use crate::SeaStore;
use crate::convert::{self, tags_json, topics_json};
use crate::entities::*;
use crate::errors::{db_err, db_err_unique};
use crate::support::*;

const TAG: &str = "tag";
const TOPIC: &str = "topic";

fn ids_of<T: AsRef<str>>(ids: &[T]) -> Vec<String> {
    ids.iter().map(|s| s.as_ref().to_owned()).collect()
}

impl SeaStore {
    fn raw(&self, sql: &str, values: Vec<sea_orm::Value>) -> Statement {
        Statement::from_sql_and_values(self.backend(), sql, values)
    }

    async fn begin(&self) -> Result<crate::WriteTxn> {
        self.write_txn().await
    }

    fn organization_select(filter: &OrganizationFilter) -> Select<organization::Entity> {
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

    fn environment_select(filter: &EnvironmentFilter) -> Select<environment::Entity> {
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

    fn dataset_select(filter: &DatasetFilter) -> Select<dataset::Entity> {
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
        if let Some(readers) = &filter.readers {
            q = q.filter(crate::visibility::visible_datasets(readers));
        }
        q
    }

    fn term_link_select(
        term: &GlossaryNodeId,
        readers: Option<&[String]>,
    ) -> Select<term_link::Entity> {
        let q = term_link::Entity::find().filter(term_link::Column::TermId.eq(term.as_str()));
        match readers {
            Some(r) => q.filter(crate::visibility::visible_link_targets(r)),
            None => q,
        }
    }

    async fn one_dataset<C: ConnectionTrait>(conn: &C, id: &str) -> Result<dataset::Model> {
        dataset::Entity::find_by_id(id.to_owned())
            .one(conn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("dataset", id))
    }

    /// Moves the stewards' grants from the old stewards team to the new one: revokes what
    /// only the old stewardship gave (not what the team holds as owner) and grants the new.
    async fn regrant_stewards<C: ConnectionTrait>(
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
    async fn index_datasets_of<C: ConnectionTrait>(
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
    async fn subtree<C: ConnectionTrait>(conn: &C, root: &str) -> Result<Vec<String>> {
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
    async fn index_linked_datasets<C: ConnectionTrait>(conn: &C, nodes: &[String]) -> Result<()> {
        index_datasets(conn, &Self::linked_datasets(conn, nodes).await?).await
    }

    /// The datasets whose entries are linked (approved) to a term among `nodes`.
    async fn linked_datasets<C: ConnectionTrait>(
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

    async fn one_node<C: ConnectionTrait>(conn: &C, id: &str) -> Result<glossary_node::Model> {
        glossary_node::Entity::find_by_id(id.to_owned())
            .one(conn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("glossary node", id))
    }

    async fn one_link<C: ConnectionTrait>(conn: &C, id: &str) -> Result<term_link::Model> {
        term_link::Entity::find_by_id(id.to_owned())
            .one(conn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("term link", id))
    }

    /// Deletes everything that hangs off the given resource ids: grants, tag rows, votes,
    /// comments and term links.
    async fn delete_attachments<C: ConnectionTrait>(
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

    async fn write_table<C: ConnectionTrait>(
        conn: &C,
        dataset_id: &DatasetId,
        existing: Option<&dataset_table::Model>,
        t: &DiscoveredTable,
        fp: String,
    ) -> Result<u64> {
        let now = Utc::now();
        let table_id = match existing {
            Some(old) => {
                let mut am = old.clone().into_active_model();
                am.location = Set(t.location.clone());
                am.format = Set(t.format.clone());
                am.properties = Set(t.properties.clone());
                am.fingerprint = Set(fp);
                if old.description.is_empty()
                    && let Some(d) = &t.description
                {
                    am.description = Set(d.as_str().to_owned());
                }
                am.version = Set(old.version + 1);
                am.updated_at = Set(now);
                am.update(conn).await.map_err(db_err)?;
                old.id.clone()
            }
            None => {
                let id = TableId::generate().as_str().to_owned();
                dataset_table::Entity::insert(dataset_table::ActiveModel {
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
                    fingerprint: Set(fp),
                    version: Set(1),
                    created_at: Set(now),
                    updated_at: Set(now),
                })
                .exec_without_returning(conn)
                .await
                .map_err(db_err)?;
                id
            }
        };
        // Columns of a changed table are rewritten with their catalog edits and ids kept.
        let mut kept: HashMap<String, dataset_column::Model> = HashMap::new();
        if existing.is_some() {
            let old = dataset_column::Entity::find()
                .filter(dataset_column::Column::TableId.eq(table_id.clone()))
                .all(conn)
                .await
                .map_err(db_err)?;
            kept = old.into_iter().map(|c| (c.name.clone(), c)).collect();
            dataset_column::Entity::delete_many()
                .filter(dataset_column::Column::TableId.eq(table_id.clone()))
                .exec(conn)
                .await
                .map_err(db_err)?;
        }
        let rows: Vec<dataset_column::ActiveModel> = t
            .columns
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let old = kept.get(&c.name);
                let description = match (old, &c.description) {
                    (Some(o), _) if !o.description.is_empty() => o.description.clone(),
                    (_, Some(d)) => d.as_str().to_owned(),
                    _ => String::new(),
                };
                dataset_column::ActiveModel {
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
                }
            })
            .collect();
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

fn visible_subquery(
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

fn index_subquery(kind: &str, value: &str) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(resource_tag::Column::ResourceId)
        .from(resource_tag::Entity)
        .and_where(resource_tag::Column::Kind.eq(kind))
        .and_where(resource_tag::Column::Value.eq(value))
        .to_owned()
}

fn notification_select(
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

    // --- teams and permissions -------------------------------------------------------

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

    // --- organizations and environments ---------------------------------------------

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
            return Err(Error::conflict(format!(
                "organization {id} is already archived"
            )));
        }
        let envs = environment::Entity::find()
            .filter(environment::Column::OrganizationId.eq(id.as_str()))
            .count(&txn)
            .await
            .map_err(db_err)?;
        if envs > 0 {
            return Err(Error::conflict(format!(
                "organization {id} still has {envs} environment(s); delete them first"
            )));
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
        let rows = organization::Entity::find()
            .filter(organization::Column::Id.is_in(ids_of(ids)))
            .all(&self.db)
            .await
            .map_err(db_err)?;
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
    ) -> Result<()> {
        let txn = self.begin().await?;
        let org = organization::Entity::find_by_id(env.organization_id.as_str().to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("organization", &env.organization_id))?;
        if org.archived {
            return Err(Error::conflict(format!(
                "organization {} is archived",
                org.id
            )));
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
        ))?;
        insert_grants(&txn, grants).await?;
        audit(&txn, meta, env.id.as_str(), None::<&()>, Some(env)).await?;
        txn.commit().await.map_err(db_err)
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

    async fn delete_environment(&self, meta: &MutationMeta, id: &EnvironmentId) -> Result<()> {
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
            )));
        }
        let before = convert::environment(old)?;
        self.delete_attachments(&txn, vec![id.as_str().to_owned()])
            .await?;
        environment::Entity::delete_by_id(id.as_str().to_owned())
            .exec(&txn)
            .await
            .map_err(db_err)?;
        audit(&txn, meta, id.as_str(), Some(&before), None::<&()>).await?;
        txn.commit().await.map_err(db_err)
    }

    async fn environments_by_ids(&self, ids: &[String]) -> Result<Vec<Environment>> {
        let rows = environment::Entity::find()
            .filter(environment::Column::Id.is_in(ids_of(ids)))
            .all(&self.db)
            .await
            .map_err(db_err)?;
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

    // --- datasets, tables, columns, folders -----------------------------------------

    async fn create_dataset(
        &self,
        meta: &MutationMeta,
        ds: &Dataset,
        grants: &[Grant],
    ) -> Result<()> {
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
        ))?;
        let tags: Vec<&str> = ds.tags.iter().map(|t| t.as_str()).collect();
        set_index_values(&txn, ds.id.as_str(), TAG, &tags).await?;
        let topics: Vec<&str> = ds.topics.iter().map(|t| t.as_str()).collect();
        set_index_values(&txn, ds.id.as_str(), TOPIC, &topics).await?;
        stack::Entity::insert(stack::ActiveModel {
            id: Set(StackId::generate().as_str().to_owned()),
            target_id: Set(ds.id.as_str().to_owned()),
            status: Set(StackStatus::Pending.as_str().to_owned()),
            outputs: Set(serde_json::json!({})),
            events: Set(serde_json::json!([])),
            error: Set(None),
            created_at: Set(ds.created_at),
            updated_at: Set(ds.created_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err)?;
        insert_grants(&txn, grants).await?;
        index_dataset(&txn, ds.id.as_str()).await?;
        audit(&txn, meta, ds.id.as_str(), None::<&()>, Some(ds)).await?;
        txn.commit().await.map_err(db_err)
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
            )));
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
            )));
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

    async fn delete_dataset(&self, meta: &MutationMeta, id: &DatasetId) -> Result<()> {
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
            )));
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
        stack::Entity::delete_many()
            .filter(stack::Column::TargetId.eq(id.as_str()))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        dataset::Entity::delete_by_id(id.as_str().to_owned())
            .exec(&txn)
            .await
            .map_err(db_err)?;
        index_dataset(&txn, id.as_str()).await?;
        audit(&txn, meta, id.as_str(), Some(&before), None::<&()>).await?;
        txn.commit().await.map_err(db_err)
    }

    async fn datasets_by_ids(&self, ids: &[String]) -> Result<Vec<Dataset>> {
        let rows = dataset::Entity::find()
            .filter(dataset::Column::Id.is_in(ids_of(ids)))
            .all(&self.db)
            .await
            .map_err(db_err)?;
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
        let txn = self.begin().await?;
        Self::one_dataset(&txn, dataset_id.as_str()).await?;
        let names: Vec<String> = tables
            .iter()
            .map(|t| t.glue_name.as_str().to_owned())
            .collect();
        let mut existing: HashMap<String, dataset_table::Model> = HashMap::new();
        for chunk in names.chunks(500) {
            let rows = dataset_table::Entity::find()
                .filter(dataset_table::Column::DatasetId.eq(dataset_id.as_str()))
                .filter(dataset_table::Column::GlueName.is_in(chunk.to_vec()))
                .all(&txn)
                .await
                .map_err(db_err)?;
            existing.extend(rows.into_iter().map(|m| (m.glue_name.clone(), m)));
        }
        let mut summary = SyncSummary::default();
        for t in tables {
            let shape = serde_json::json!({
                "location": t.location, "format": t.format, "properties": t.properties,
                "description": t.description.as_ref().map(|d| d.as_str()),
                "columns": t.columns.iter().map(|c| (&c.name, &c.data_type, c.is_partition, c.description.as_ref().map(|d| d.as_str()))).collect::<Vec<_>>(),
            });
            let fp = fingerprint(shape.to_string().as_bytes());
            match existing.get(t.glue_name.as_str()) {
                Some(old) if old.fingerprint == fp => summary.tables_unchanged += 1,
                Some(old) => {
                    summary.columns_written +=
                        Self::write_table(&txn, dataset_id, Some(old), t, fp).await?;
                    summary.tables_updated += 1;
                }
                None => {
                    summary.columns_written +=
                        Self::write_table(&txn, dataset_id, None, t, fp).await?;
                    summary.tables_created += 1;
                }
            }
        }
        let after = serde_json::json!({
            "tablesCreated": summary.tables_created, "tablesUpdated": summary.tables_updated,
            "tablesUnchanged": summary.tables_unchanged, "columnsWritten": summary.columns_written,
        });
        index_dataset(&txn, dataset_id.as_str()).await?;
        audit(&txn, meta, dataset_id.as_str(), None::<&()>, Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(summary)
    }

    async fn tables_by_ids(&self, ids: &[String]) -> Result<Vec<Table>> {
        let rows = dataset_table::Entity::find()
            .filter(dataset_table::Column::Id.is_in(ids_of(ids)))
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(convert::table).collect())
    }

    async fn list_tables(&self, dataset_id: &DatasetId, page: &PageRequest) -> Result<Page<Table>> {
        let q = dataset_table::Entity::find()
            .filter(dataset_table::Column::DatasetId.eq(dataset_id.as_str()));
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
            )));
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
            )));
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
        let rows = dataset_column::Entity::find()
            .filter(dataset_column::Column::Id.is_in(ids_of(ids)))
            .all(&self.db)
            .await
            .map_err(db_err)?;
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
            )));
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
            )));
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
        let rows = folder::Entity::find()
            .filter(folder::Column::Id.is_in(ids_of(ids)))
            .all(&self.db)
            .await
            .map_err(db_err)?;
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

    async fn stack_for_target(&self, target_id: &str) -> Result<Option<Stack>> {
        let row = stack::Entity::find()
            .filter(stack::Column::TargetId.eq(target_id))
            .one(&self.db)
            .await
            .map_err(db_err)?;
        row.map(convert::stack).transpose()
    }

    // --- glossary --------------------------------------------------------------------

    async fn create_glossary_node(
        &self,
        meta: &MutationMeta,
        node: &GlossaryNode,
        grants: &[Grant],
    ) -> Result<()> {
        let txn = self.begin().await?;
        if let Some(parent) = &node.parent_id {
            Self::one_node(&txn, parent.as_str()).await?;
        }
        ensure_teams(&txn, &[node.admin_team.as_str()]).await?;
        glossary_node::Entity::insert(glossary_node::ActiveModel {
            id: Set(node.id.as_str().to_owned()),
            glossary_id: Set(node.glossary_id.as_str().to_owned()),
            parent_id: Set(node.parent_id.as_ref().map(|p| p.as_str().to_owned())),
            label: Set(node.label.as_str().to_owned()),
            description: Set(node.description.as_str().to_owned()),
            admin_team: Set(node.admin_team.as_str().to_owned()),
            version: Set(node.version),
            created_by: Set(node.created_by.clone()),
            created_at: Set(node.created_at),
            updated_at: Set(node.updated_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err)?;
        insert_grants(&txn, grants).await?;
        // A glossary is a unit of the search index, as a dataset is: its terms are documents.
        index_dataset(&txn, node.glossary_id.as_str()).await?;
        audit(&txn, meta, node.id.as_str(), None::<&()>, Some(node)).await?;
        txn.commit().await.map_err(db_err)
    }

    async fn update_glossary_node(
        &self,
        meta: &MutationMeta,
        id: &GlossaryNodeId,
        expected_version: Option<i64>,
        label: Option<&Label>,
        description: Option<&Description>,
    ) -> Result<GlossaryNode> {
        let txn = self.begin().await?;
        let old = Self::one_node(&txn, id.as_str()).await?;
        let version = old.version;
        if let Some(expected) = expected_version
            && expected != version
        {
            return Err(Error::conflict(format!(
                "{id} was changed by someone else; reload and retry"
            )));
        }
        let before = convert::glossary_node(old.clone());
        let mut am = old.into_active_model();
        if let Some(v) = label {
            am.label = Set(v.as_str().to_owned());
        }
        if let Some(v) = description {
            am.description = Set(v.as_str().to_owned());
        }
        am.version = Set(version + 1);
        am.updated_at = Set(Utc::now());
        let res = glossary_node::Entity::update_many()
            .set(am)
            .filter(glossary_node::Column::Id.eq(id.as_str()))
            .filter(glossary_node::Column::Version.eq(version))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        if res.rows_affected != 1 {
            return Err(Error::conflict(format!(
                "{id} was changed by someone else; reload and retry"
            )));
        }
        let after = convert::glossary_node(Self::one_node(&txn, id.as_str()).await?);
        index_dataset(&txn, after.glossary_id.as_str()).await?;
        if after.label != before.label {
            let nodes = Self::subtree(&txn, id.as_str()).await?;
            Self::index_linked_datasets(&txn, &nodes).await?;
        }
        audit(&txn, meta, id.as_str(), Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn delete_glossary_node(&self, meta: &MutationMeta, id: &GlossaryNodeId) -> Result<()> {
        let txn = self.begin().await?;
        let root = Self::one_node(&txn, id.as_str()).await?;
        let all = Self::subtree(&txn, &root.id).await?;
        // Before the links go: the datasets they reach lose the terms' paths.
        Self::index_linked_datasets(&txn, &all).await?;
        index_dataset(&txn, &root.glossary_id).await?;
        for chunk in all.chunks(500) {
            term_link::Entity::delete_many()
                .filter(term_link::Column::TermId.is_in(chunk.to_vec()))
                .exec(&txn)
                .await
                .map_err(db_err)?;
        }
        self.delete_attachments(&txn, all.clone()).await?;
        // Children first, so the parent reference never dangles.
        for node in all.iter().rev() {
            glossary_node::Entity::delete_by_id(node.clone())
                .exec(&txn)
                .await
                .map_err(db_err)?;
        }
        audit(
            &txn,
            meta,
            id.as_str(),
            Some(&convert::glossary_node(root)),
            None::<&()>,
        )
        .await?;
        txn.commit().await.map_err(db_err)
    }

    async fn datasets_linked_under(&self, node: &GlossaryNodeId) -> Result<Vec<String>> {
        let nodes = Self::subtree(&self.db, node.as_str()).await?;
        Self::linked_datasets(&self.db, &nodes).await
    }

    async fn glossary_nodes_of(&self, glossary_ids: &[String]) -> Result<Vec<GlossaryNode>> {
        let rows = glossary_node::Entity::find()
            .filter(glossary_node::Column::GlossaryId.is_in(ids_of(glossary_ids)))
            .order_by_asc(glossary_node::Column::Id)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(convert::glossary_node).collect())
    }

    async fn glossary_nodes_by_ids(&self, ids: &[String]) -> Result<Vec<GlossaryNode>> {
        let rows = glossary_node::Entity::find()
            .filter(glossary_node::Column::Id.is_in(ids_of(ids)))
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(convert::glossary_node).collect())
    }

    async fn list_glossaries(&self, page: &PageRequest) -> Result<Page<GlossaryNode>> {
        let q = glossary_node::Entity::find().filter(glossary_node::Column::ParentId.is_null());
        let rows = keyset(&self.db, q, glossary_node::Column::Id, page).await?;
        Ok(page_by(
            rows,
            page,
            |m| m.id.clone(),
            convert::glossary_node,
        ))
    }

    async fn list_glossary_children(
        &self,
        parent: &GlossaryNodeId,
        page: &PageRequest,
    ) -> Result<Page<GlossaryNode>> {
        let q = glossary_node::Entity::find()
            .filter(glossary_node::Column::ParentId.eq(parent.as_str()));
        let rows = keyset(&self.db, q, glossary_node::Column::Id, page).await?;
        Ok(page_by(
            rows,
            page,
            |m| m.id.clone(),
            convert::glossary_node,
        ))
    }

    async fn link_term(&self, meta: &MutationMeta, link: &TermLink) -> Result<()> {
        let txn = self.begin().await?;
        Self::one_node(&txn, link.term_id.as_str()).await?;
        term_link::Entity::insert(term_link::ActiveModel {
            id: Set(link.id.as_str().to_owned()),
            term_id: Set(link.term_id.as_str().to_owned()),
            target_id: Set(link.target_id.clone()),
            target_kind: Set(link.target_kind.as_str().to_owned()),
            approved: Set(link.approved),
            created_by: Set(link.created_by.clone()),
            created_at: Set(link.created_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err_unique("this term is already linked to the target"))?;
        if let Some(ds) = dataset_of(&txn, &link.target_id).await? {
            index_dataset(&txn, &ds).await?;
        }
        audit(&txn, meta, link.id.as_str(), None::<&()>, Some(link)).await?;
        txn.commit().await.map_err(db_err)
    }

    async fn approve_term_link(&self, meta: &MutationMeta, id: &TermLinkId) -> Result<TermLink> {
        let txn = self.begin().await?;
        let old = Self::one_link(&txn, id.as_str()).await?;
        if old.approved {
            return Err(Error::conflict(format!(
                "term link {id} is already approved"
            )));
        }
        let before = convert::term_link(old.clone());
        let mut am = old.into_active_model();
        am.approved = Set(true);
        let after = convert::term_link(am.update(&txn).await.map_err(db_err)?);
        if let Some(ds) = dataset_of(&txn, &after.target_id).await? {
            index_dataset(&txn, &ds).await?;
        }
        audit(&txn, meta, id.as_str(), Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(after)
    }

    async fn delete_term_link(&self, meta: &MutationMeta, id: &TermLinkId) -> Result<()> {
        let txn = self.begin().await?;
        let old = Self::one_link(&txn, id.as_str()).await?;
        if let Some(ds) = dataset_of(&txn, &old.target_id).await? {
            index_dataset(&txn, &ds).await?;
        }
        term_link::Entity::delete_by_id(id.as_str().to_owned())
            .exec(&txn)
            .await
            .map_err(db_err)?;
        audit(
            &txn,
            meta,
            id.as_str(),
            Some(&convert::term_link(old)),
            None::<&()>,
        )
        .await?;
        txn.commit().await.map_err(db_err)
    }

    async fn term_links_by_ids(&self, ids: &[String]) -> Result<Vec<TermLink>> {
        let rows = term_link::Entity::find()
            .filter(term_link::Column::Id.is_in(ids_of(ids)))
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(convert::term_link).collect())
    }

    async fn term_links_for_targets(&self, target_ids: &[String]) -> Result<Vec<TermLink>> {
        let rows = term_link::Entity::find()
            .filter(term_link::Column::TargetId.is_in(ids_of(target_ids)))
            .order_by_asc(term_link::Column::Id)
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(rows.into_iter().map(convert::term_link).collect())
    }

    async fn list_term_links(
        &self,
        term_id: &GlossaryNodeId,
        readers: Option<&[String]>,
        page: &PageRequest,
    ) -> Result<Page<TermLink>> {
        let q = Self::term_link_select(term_id, readers);
        let rows = keyset(&self.db, q, term_link::Column::Id, page).await?;
        Ok(page_by(rows, page, |m| m.id.clone(), convert::term_link))
    }

    // --- collaboration ---------------------------------------------------------------

    async fn set_upvote(
        &self,
        meta: &MutationMeta,
        target: &ResourceId,
        user: &str,
        up: bool,
    ) -> Result<VoteSummary> {
        let txn = self.begin().await?;
        let exists = vote::Entity::find_by_id((target.as_str().to_owned(), user.to_owned()))
            .one(&txn)
            .await
            .map_err(db_err)?
            .is_some();
        if up && !exists {
            vote::Entity::insert(vote::ActiveModel {
                target_id: Set(target.as_str().to_owned()),
                username: Set(user.to_owned()),
                created_at: Set(Utc::now()),
            })
            .exec_without_returning(&txn)
            .await
            .map_err(db_err)?;
        } else if !up && exists {
            vote::Entity::delete_by_id((target.as_str().to_owned(), user.to_owned()))
                .exec(&txn)
                .await
                .map_err(db_err)?;
        }
        if up != exists {
            audit(&txn, meta, target.as_str(), Some(&exists), Some(&up)).await?;
        }
        let upvotes = vote::Entity::find()
            .filter(vote::Column::TargetId.eq(target.as_str()))
            .count(&txn)
            .await
            .map_err(db_err)?;
        if let Some(ds) = dataset_of(&txn, target.as_str()).await? {
            index_dataset(&txn, &ds).await?;
        }
        txn.commit().await.map_err(db_err)?;
        Ok(VoteSummary {
            upvotes: upvotes as i64,
            has_upvoted: up,
        })
    }

    async fn vote_summaries(
        &self,
        user: &str,
        target_ids: &[String],
    ) -> Result<HashMap<String, VoteSummary>> {
        let rows: Vec<(String, i64)> = vote::Entity::find()
            .select_only()
            .column(vote::Column::TargetId)
            .column_as(Expr::col(vote::Column::Username).count(), "n")
            .filter(vote::Column::TargetId.is_in(ids_of(target_ids)))
            .group_by(vote::Column::TargetId)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db_err)?;
        let mine: Vec<String> = vote::Entity::find()
            .select_only()
            .column(vote::Column::TargetId)
            .filter(vote::Column::TargetId.is_in(ids_of(target_ids)))
            .filter(vote::Column::Username.eq(user))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db_err)?;
        let mut out: HashMap<String, VoteSummary> = rows
            .into_iter()
            .map(|(id, n)| {
                (
                    id,
                    VoteSummary {
                        upvotes: n,
                        has_upvoted: false,
                    },
                )
            })
            .collect();
        for id in mine {
            out.entry(id).or_default().has_upvoted = true;
        }
        Ok(out)
    }

    async fn post_feed_message(
        &self,
        meta: &MutationMeta,
        m: &FeedMessage,
        notify_team: Option<NewNotification>,
    ) -> Result<()> {
        let txn = self.begin().await?;
        feed_message::Entity::insert(feed_message::ActiveModel {
            id: Set(m.id.as_str().to_owned()),
            target_id: Set(m.target_id.clone()),
            author: Set(m.author.clone()),
            body: Set(m.body.clone()),
            created_at: Set(m.created_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err)?;
        if let Some(n) = &notify_team {
            notify(&txn, n).await?;
        }
        audit(&txn, meta, &m.target_id, None::<&()>, Some(m)).await?;
        txn.commit().await.map_err(db_err)
    }

    async fn list_feed(&self, target_id: &str, page: &PageRequest) -> Result<Page<FeedMessage>> {
        let q = feed_message::Entity::find().filter(feed_message::Column::TargetId.eq(target_id));
        let rows = keyset(&self.db, q, feed_message::Column::Id, page).await?;
        Ok(page_by(rows, page, |m| m.id.clone(), convert::feed_message))
    }

    async fn list_notifications(
        &self,
        teams: &[String],
        user: &str,
        unread_only: bool,
        page: &PageRequest,
    ) -> Result<Page<Notification>> {
        if teams.is_empty() {
            return Ok(Page {
                items: vec![],
                has_next: false,
            });
        }
        let rows = keyset(
            &self.db,
            notification_select(teams, user, unread_only),
            notification::Column::Id,
            page,
        )
        .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let read: Vec<String> = notification_read::Entity::find()
            .select_only()
            .column(notification_read::Column::NotificationId)
            .filter(notification_read::Column::NotificationId.is_in(ids))
            .filter(notification_read::Column::Username.eq(user))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(page_by(
            rows,
            page,
            |m| m.id.clone(),
            |m| Notification {
                read: read.contains(&m.id),
                id: NotificationId::from_trusted(m.id),
                recipient_team: TeamName::from_trusted(m.recipient_team),
                kind: m.kind,
                message: m.message,
                target_id: m.target_id,
                created_at: m.created_at,
            },
        ))
    }

    async fn mark_notification_read(
        &self,
        meta: &MutationMeta,
        teams: &[String],
        user: &str,
        id: &NotificationId,
    ) -> Result<()> {
        let txn = self.begin().await?;
        notification::Entity::find()
            .filter(
                Condition::all()
                    .add(notification::Column::Id.eq(id.as_str()))
                    .add(notification::Column::RecipientTeam.is_in(teams.to_vec())),
            )
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("notification", id))?;
        notification_read::Entity::insert(notification_read::ActiveModel {
            notification_id: Set(id.as_str().to_owned()),
            username: Set(user.to_owned()),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                notification_read::Column::NotificationId,
                notification_read::Column::Username,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db_err)?;
        audit(
            &txn,
            meta,
            id.as_str(),
            None::<&()>,
            Some(&serde_json::json!({"readBy": user})),
        )
        .await?;
        txn.commit().await.map_err(db_err)
    }

    async fn mark_all_notifications_read(
        &self,
        meta: &MutationMeta,
        teams: &[String],
        user: &str,
    ) -> Result<i64> {
        if teams.is_empty() {
            return Ok(0);
        }
        let txn = self.begin().await?;
        let placeholders: Vec<String> = (0..teams.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "INSERT INTO notification_read (notification_id, username) \
             SELECT n.id, $1 FROM notification n WHERE n.recipient_team IN ({}) \
             AND NOT EXISTS (SELECT 1 FROM notification_read r WHERE r.notification_id = n.id AND r.username = $1)",
            placeholders.join(", ")
        );
        let mut values = vec![sea_orm::Value::from(user)];
        values.extend(teams.iter().map(|t| sea_orm::Value::from(t.as_str())));
        let res = txn
            .execute_raw(self.raw(&sql, values))
            .await
            .map_err(db_err)?;
        let n = res.rows_affected() as i64;
        if n == 0 {
            // Nothing changed, so nothing to audit: the transaction ends without a write.
            return Ok(0);
        }
        audit(
            &txn,
            meta,
            &format!("team_{user}"),
            None::<&()>,
            Some(&serde_json::json!({"markedRead": n})),
        )
        .await?;
        txn.commit().await.map_err(db_err)?;
        Ok(n)
    }

    // --- audit -----------------------------------------------------------------------

    async fn search_readers(&self, teams: &[String]) -> Result<Vec<String>> {
        if teams.is_empty() {
            return Ok(vec![]);
        }
        if let Some(kept) = self.readers_cache.get(teams) {
            return Ok(kept);
        }
        // Taken before the statement runs: a commit it does not see invalidates after this.
        let ticket = self.readers_cache.ticket();
        let statement = {
            let mut kept = self
                .readers_sql
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            match kept.get(&teams.len()) {
                Some(t) => t.clone(),
                None => {
                    let t = Arc::new(ReadersSql::build(self.backend(), teams.len()));
                    kept.insert(teams.len(), t.clone());
                    t
                }
            }
        };
        let rows = self
            .db
            .query_all_raw(statement.with(self.backend(), teams))
            .await
            .map_err(db_err)?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let prefix: String = row.try_get("", "prefix").map_err(db_err)?;
            let id: String = row.try_get("", "id").map_err(db_err)?;
            out.push(format!("{prefix}{id}"));
        }
        out.sort();
        out.dedup();
        if let Some(ticket) = ticket {
            self.readers_cache.keep(teams, ticket, &out);
        }
        Ok(out)
    }

    async fn list_audit_events(
        &self,
        target_id: &str,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        let q = audit_event::Entity::find().filter(audit_event::Column::TargetId.eq(target_id));
        let rows = keyset(&self.db, q, audit_event::Column::Id, page).await?;
        Ok(page_by(rows, page, |m| m.id.clone(), convert::audit_event))
    }
}

/// The statement of [`CatalogStore::search_readers`] for a number of teams, built once: every
/// search asks for its caller's readers, and building the statement with sea-query (a union
/// of three selects, cloned into each other) cost more than a tenth of a cached suggestion.
pub(crate) struct ReadersSql {
    sql: String,
    /// Where each of the statement's values comes from: a constant, or the n-th team.
    values: Vec<ReadersValue>,
}

enum ReadersValue {
    Constant(sea_orm::Value),
    Team(usize),
}

impl ReadersSql {
    fn build(backend: DbBackend, n: usize) -> ReadersSql {
        // Stand-ins for the teams, told apart from the constants after the build.
        let marker = |i: usize| format!("\u{0}team {i}");
        let teams: Vec<String> = (0..n).map(marker).collect();
        // One statement (a union of three), since every search asks: the organizations the
        // teams see, the restricted datasets they hold GET_DATASET on, and the restricted
        // datasets shared with them. Only restricted datasets are indexed with `ds:`
        // readers: a team holding GET_DATASET on 10,000 open datasets must not turn every
        // search into a 10,000-term filter.
        // The constants are literals, not parameters: PostgreSQL can then keep one generic
        // plan that uses the partial index on restricted datasets, instead of planning the
        // statement again at every search (most of its cost).
        let (prefix, id) = (Alias::new("prefix"), Alias::new("id"));
        let restricted_only =
            || Expr::col(dataset::Column::Visibility).eq(constant(Visibility::Restricted.as_str()));
        let restricted = Query::select()
            .column(dataset::Column::Id)
            .from(dataset::Entity)
            .and_where(restricted_only())
            .to_owned();
        let held = |permission: Permission| {
            Query::select()
                .column(resource_permission::Column::ResourceId)
                .from(resource_permission::Entity)
                .and_where(resource_permission::Column::Team.is_in(teams.clone()))
                .and_where(
                    Expr::col(resource_permission::Column::Permission)
                        .eq(constant(permission.as_str())),
                )
                .to_owned()
        };
        let mut orgs = Query::select()
            .expr_as(Expr::val("org:"), prefix.clone())
            .expr_as(
                Expr::col(resource_permission::Column::ResourceId),
                id.clone(),
            )
            .from(resource_permission::Entity)
            .and_where(resource_permission::Column::Team.is_in(teams.clone()))
            .and_where(
                Expr::col(resource_permission::Column::Permission)
                    .eq(constant(Permission::GetOrganization.as_str())),
            )
            .to_owned();
        // From the restricted datasets (a partial index) to the caller's grants on them: the
        // other way round reads every dataset the caller's teams hold.
        let granted = Query::select()
            .expr_as(Expr::val("ds:"), prefix.clone())
            .expr_as(Expr::col(dataset::Column::Id), id.clone())
            .from(dataset::Entity)
            .and_where(restricted_only())
            .and_where(dataset::Column::Id.in_subquery(held(Permission::GetDataset)))
            .to_owned();
        let shared = Query::select()
            .expr_as(Expr::val("ds:"), prefix)
            .expr_as(Expr::col(share_request::Column::DatasetId), id)
            .from(share_request::Entity)
            .and_where(share_request::Column::Team.is_in(teams.clone()))
            .and_where(share_request::Column::DatasetId.in_subquery(restricted))
            .and_where(
                share_request::Column::Id.in_subquery(
                    Query::select()
                        .column(share_item::Column::ShareId)
                        .from(share_item::Entity)
                        .and_where(Expr::col(share_item::Column::Status).is_in([
                            constant(lakecat_core::shares::ItemStatus::ShareSucceeded.as_str()),
                            constant(lakecat_core::shares::ItemStatus::PendingExtension.as_str()),
                        ]))
                        .to_owned(),
                ),
            )
            .to_owned();
        let query = orgs
            .union(UnionType::All, granted)
            .union(UnionType::All, shared);
        let built = backend.build(&*query);
        let values = built
            .values
            .map(|v| v.0)
            .unwrap_or_default()
            .into_iter()
            .map(|v| match &v {
                sea_orm::Value::String(Some(s)) => match (0..n).find(|i| **s == marker(*i)) {
                    Some(i) => ReadersValue::Team(i),
                    None => ReadersValue::Constant(v),
                },
                _ => ReadersValue::Constant(v),
            })
            .collect();
        ReadersSql {
            sql: built.sql,
            values,
        }
    }

    fn with(&self, backend: DbBackend, teams: &[String]) -> Statement {
        let values = self
            .values
            .iter()
            .map(|v| match v {
                ReadersValue::Constant(c) => c.clone(),
                ReadersValue::Team(i) => sea_orm::Value::from(teams[*i].as_str()),
            })
            .collect::<Vec<_>>();
        Statement::from_sql_and_values(backend, &self.sql, values)
    }
}

/// One of lakecat's own constants (an enum's text) as an SQL literal, where a parameter would
/// keep PostgreSQL from using a partial index in a cached plan; anything else stays a
/// parameter.
fn constant(text: &'static str) -> Expr {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Expr::cust(format!("'{text}'"))
    } else {
        Expr::val(text)
    }
}
