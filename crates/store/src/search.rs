//! [`lakecat_core::ports::SearchReaders`] on sea-orm: what a caller may see, as the readers search documents are
//! indexed for.

use std::sync::Arc;

use async_trait::async_trait;
use lakecat_core::Result;
use lakecat_core::catalog::*;
use lakecat_core::permissions::Permission;
use lakecat_core::ports::*;
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, UnionType};
use sea_orm::{DbBackend, Statement};

use crate::SeaStore;
use crate::entities::*;
use crate::errors::db_err;

#[async_trait]
impl SearchReaders for SeaStore {
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
}

/// The statement of [`SearchReaders::search_readers`] for a number of teams, built once: every
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
    pub(crate) fn build(backend: DbBackend, n: usize) -> ReadersSql {
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

    pub(crate) fn with(&self, backend: DbBackend, teams: &[String]) -> Statement {
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
pub(crate) fn constant(text: &'static str) -> Expr {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        Expr::cust(format!("'{text}'"))
    } else {
        Expr::val(text)
    }
}
