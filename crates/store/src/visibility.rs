//! Dataset visibility as SQL: the same rule as [`lakecat_core::catalog::Readers::may_see`]
//! (a dataset is seen by the holders of its one reader), for lists and counts that must leave
//! out what the caller may not see instead of trimming a page after the fact.

use lakecat_core::catalog::Visibility;
use lakecat_core::search::EVERYONE;
use sea_orm::Condition;
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};

use crate::entities::*;

/// Datasets (the `dataset` table, qualified, so it joins) visible to `readers`.
pub(crate) fn visible_datasets(readers: &[String]) -> Condition {
    let col = |c: dataset::Column| Expr::col((dataset::Entity, c));
    let mut any = Condition::any();
    if readers.iter().any(|r| r == EVERYONE) {
        any = any.add(col(dataset::Column::Visibility).eq(Visibility::Everyone.as_str()));
    }
    let with = |prefix: &str| -> Vec<String> {
        readers
            .iter()
            .filter_map(|r| r.strip_prefix(prefix).map(str::to_owned))
            .collect()
    };
    let orgs = with("org:");
    if !orgs.is_empty() {
        any = any.add(
            Condition::all()
                .add(col(dataset::Column::Visibility).eq(Visibility::Organization.as_str()))
                .add(col(dataset::Column::OrganizationId).is_in(orgs)),
        );
    }
    let held = with("ds:");
    if !held.is_empty() {
        any = any.add(
            Condition::all()
                .add(col(dataset::Column::Visibility).eq(Visibility::Restricted.as_str()))
                .add(col(dataset::Column::Id).is_in(held)),
        );
    }
    if any.is_empty() {
        // No reader at all sees nothing (an empty OR would match everything).
        any = any.add(Expr::cust("1 = 0"));
    }
    any
}

/// Term links whose target (a dataset, or a table, column or folder in one) is visible to
/// `readers`: one primary-key lookup per link and kind, not a scan of the catalog.
pub(crate) fn visible_link_targets(readers: &[String]) -> Condition {
    let target = || Expr::col((term_link::Entity, term_link::Column::TargetId));
    let visible = visible_datasets(readers);
    let datasets = Query::select()
        .expr(Expr::val(1))
        .from(dataset::Entity)
        .and_where(Expr::col((dataset::Entity, dataset::Column::Id)).eq(target()))
        .cond_where(visible.clone())
        .to_owned();
    let tables = in_dataset(
        Query::select()
            .expr(Expr::val(1))
            .from(dataset_table::Entity)
            .and_where(Expr::col((dataset_table::Entity, dataset_table::Column::Id)).eq(target()))
            .to_owned(),
        Expr::col((dataset_table::Entity, dataset_table::Column::DatasetId)),
        visible.clone(),
    );
    let columns = in_dataset(
        Query::select()
            .expr(Expr::val(1))
            .from(dataset_column::Entity)
            .inner_join(
                dataset_table::Entity,
                Expr::col((dataset_table::Entity, dataset_table::Column::Id))
                    .equals((dataset_column::Entity, dataset_column::Column::TableId)),
            )
            .and_where(Expr::col((dataset_column::Entity, dataset_column::Column::Id)).eq(target()))
            .to_owned(),
        Expr::col((dataset_table::Entity, dataset_table::Column::DatasetId)),
        visible.clone(),
    );
    let folders = in_dataset(
        Query::select()
            .expr(Expr::val(1))
            .from(folder::Entity)
            .and_where(Expr::col((folder::Entity, folder::Column::Id)).eq(target()))
            .to_owned(),
        Expr::col((folder::Entity, folder::Column::DatasetId)),
        visible,
    );
    Condition::any()
        .add(Expr::exists(datasets))
        .add(Expr::exists(tables))
        .add(Expr::exists(columns))
        .add(Expr::exists(folders))
}

/// `select` joined to the dataset `dataset_id` names, kept only where it is visible.
fn in_dataset(
    mut select: SelectStatement,
    dataset_id: Expr,
    visible: Condition,
) -> SelectStatement {
    select
        .inner_join(
            dataset::Entity,
            Expr::col((dataset::Entity, dataset::Column::Id)).eq(dataset_id),
        )
        .cond_where(visible)
        .to_owned()
}
