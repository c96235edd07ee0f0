//! GraphQL types and resolvers, one module per domain area.

mod audit;
mod datasets;
mod glossary;
mod organizations;
mod search;
mod shares;
mod social;
mod stacks;
mod tables;
mod tasks;
mod teams;
mod users;

pub(crate) use tables::dataset_of;

use async_graphql::{Enum, MergedObject, SimpleObject};
use lakecat_core::Error;
use lakecat_core::page::{Page, PageRequest};

use crate::context::services;
use crate::cursor;
use crate::errors::ApiResult;

#[derive(MergedObject, Default)]
pub struct QueryRoot(
    teams::TeamQuery,
    organizations::OrganizationQuery,
    datasets::DatasetQuery,
    tables::TableQuery,
    glossary::GlossaryQuery,
    social::SocialQuery,
    audit::AuditQuery,
    tasks::TaskQuery,
    stacks::StackQuery,
    shares::ShareQuery,
    search::SearchQueryRoot,
    users::UserQuery,
);

#[derive(MergedObject, Default)]
pub struct MutationRoot(
    teams::TeamMutation,
    organizations::OrganizationMutation,
    datasets::DatasetMutation,
    tables::TableMutation,
    glossary::GlossaryMutation,
    social::SocialMutation,
    tasks::TaskMutation,
    stacks::StackMutation,
    shares::ShareMutation,
    users::UserMutation,
);

#[derive(SimpleObject, Clone)]
pub struct PageInfo {
    pub has_next_page: bool,
    pub end_cursor: Option<String>,
}

/// The caller's role on a resource.
#[derive(Enum, Copy, Clone, Eq, PartialEq)]
pub enum UserRole {
    Admin,
    Owner,
    Member,
    NoPermission,
}

impl From<lakecat_core::permissions::UserRole> for UserRole {
    fn from(r: lakecat_core::permissions::UserRole) -> Self {
        use lakecat_core::permissions::UserRole as R;
        match r {
            R::Admin => UserRole::Admin,
            R::Owner => UserRole::Owner,
            R::Member => UserRole::Member,
            R::NoPermission => UserRole::NoPermission,
        }
    }
}

/// Decodes the page arguments of `list` (its name binds cursors to it).
pub(crate) fn page_args(
    ctx: &async_graphql::Context<'_>,
    list: &str,
    first: Option<i32>,
    after: Option<String>,
) -> ApiResult<PageRequest> {
    Ok(cursor::page_request(
        &services(ctx).cursor_key,
        list,
        first,
        after,
    )?)
}

/// Defines a Relay connection type over a node type: edges with signed cursors, nodes,
/// pageInfo, and a `totalCount` computed only when asked for.
macro_rules! connection {
    ($conn:ident, $edge:ident, $node:ty) => {
        #[derive(async_graphql::SimpleObject, Clone)]
        pub struct $edge {
            pub cursor: String,
            pub node: $node,
        }

        pub struct $conn {
            pub edges: Vec<$edge>,
            pub has_next: bool,
            /// What `totalCount` counts: every list names its count query, so a total is never
            /// the length of one page.
            pub count: lakecat_core::ports::CountQuery,
        }

        #[async_graphql::Object]
        impl $conn {
            async fn edges(&self) -> &[$edge] {
                &self.edges
            }
            async fn nodes(&self) -> Vec<&$node> {
                self.edges.iter().map(|e| &e.node).collect()
            }
            async fn page_info(&self) -> crate::types::PageInfo {
                crate::types::PageInfo {
                    has_next_page: self.has_next,
                    end_cursor: self.edges.last().map(|e| e.cursor.clone()),
                }
            }
            /// Total matching items (an extra query: ask only when you show it).
            async fn total_count(
                &self,
                ctx: &async_graphql::Context<'_>,
            ) -> crate::errors::ApiResult<i64> {
                Ok(crate::context::store(ctx).count(&self.count).await?)
            }
        }

        impl $conn {
            pub fn from_page<T>(
                ctx: &async_graphql::Context<'_>,
                list: &str,
                page: lakecat_core::page::Page<T>,
                count: lakecat_core::ports::CountQuery,
                f: impl Fn(T) -> $node,
            ) -> crate::errors::ApiResult<Self> {
                let (items, has_next) = crate::types::signed(ctx, list, page)?;
                Ok($conn {
                    edges: items
                        .into_iter()
                        .map(|(cursor, v)| $edge { cursor, node: f(v) })
                        .collect(),
                    has_next,
                    count,
                })
            }
        }
    };
}
pub(crate) use connection;

/// A GraphQL enum with the same variants as a core enum, converted both ways.
macro_rules! mirror_enum {
    ($name:ident, $core:ty, { $($v:ident),* $(,)? }) => {
        #[derive(async_graphql::Enum, Copy, Clone, Eq, PartialEq)]
        pub enum $name { $($v),* }
        impl From<$core> for $name {
            fn from(v: $core) -> Self { match v { $(<$core>::$v => $name::$v),* } }
        }
        impl From<$name> for $core {
            fn from(v: $name) -> Self { match v { $($name::$v => <$core>::$v),* } }
        }
    };
}
pub(crate) use mirror_enum;

/// Signs each item's key as a cursor of `list`.
pub(crate) fn signed<T>(
    ctx: &async_graphql::Context<'_>,
    list: &str,
    page: Page<T>,
) -> ApiResult<(Vec<(String, T)>, bool)> {
    let key = &services(ctx).cursor_key;
    let mut out = Vec::with_capacity(page.items.len());
    for (k, v) in page.items {
        out.push((cursor::encode(key, list, &k)?, v));
    }
    Ok((out, page.has_next))
}

/// Complexity of a connection field: its page size times what each node asks for, so a
/// nested page of pages costs what it would really fetch (`lib.rs` caps the total).
pub(crate) fn page_cost(first: Option<i32>, child_complexity: usize) -> usize {
    let page = first.map_or(lakecat_core::page::DEFAULT_PAGE_SIZE, |n| {
        n.clamp(1, lakecat_core::page::MAX_PAGE_SIZE as i32) as u32
    });
    (page as usize).saturating_mul(child_complexity.max(1))
}

pub(crate) fn not_found(what: &str, id: &str) -> crate::errors::ApiError {
    Error::not_found(what, id).into()
}
