//! Background tasks of a resource (status, attempts, last error), and the admin's retry of a
//! failed one. Resolvers never run AWS work themselves: they read task rows and, for a retry,
//! put the row back to PENDING and publish its id after commit.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use lakecat_core::ids::{ResourceId, ResourceKind, TaskId};
use lakecat_core::permissions::Permission;
use lakecat_core::ports::CountQuery;
use lakecat_core::tasks::TaskEnvelope;

use super::tables::guard_of;
use super::{connection, mirror_enum, page_args};
use crate::authz::{authorize, authorize_with, require_admin};
use crate::context::{caller, meta, store};
use crate::errors::ApiResult;

mirror_enum!(TaskStatus, lakecat_core::catalog::TaskStatus, {
    Pending, Running, Succeeded, Failed,
});

#[derive(SimpleObject, Clone)]
pub struct Task {
    pub id: String,
    pub kind: String,
    pub target_id: Option<String>,
    pub status: TaskStatus,
    pub attempts: i32,
    /// Not run before this time (a retry waiting out its backoff).
    pub run_after: DateTime<Utc>,
    pub lease_until: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub result: Option<async_graphql::Json<serde_json::Value>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<lakecat_core::catalog::Task> for Task {
    fn from(t: lakecat_core::catalog::Task) -> Self {
        Task {
            id: t.id.to_string(),
            kind: t.kind,
            target_id: t.target_id,
            status: t.status.into(),
            attempts: t.attempts,
            run_after: t.run_after,
            lease_until: t.lease_until,
            last_error: t.error,
            result: t.result.map(async_graphql::Json),
            created_at: t.created_at,
            updated_at: t.updated_at,
        }
    }
}

connection!(TaskConnection, TaskEdge, Task);

#[derive(Default)]
pub struct TaskQuery;

#[Object]
impl TaskQuery {
    /// Background tasks working on a resource, oldest first. Needs the GET_* permission of
    /// the resource (of its dataset for tables, columns and folders).
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn tasks(
        &self,
        ctx: &Context<'_>,
        target_id: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<TaskConnection> {
        let target = ResourceId::parse("targetId", &target_id)?;
        caller(ctx)?;
        if target.kind() == ResourceKind::Share {
            // Requesters and approvers of the request see its processing.
            authorize(ctx, "shareRequest", None).await?;
            super::shares::may_see_share(ctx, target.as_str()).await?;
            let list = format!("tasks:{target}");
            let page = page_args(ctx, &list, first, after)?;
            let rows = store(ctx).list_tasks(target.as_str(), &page).await?;
            return TaskConnection::from_page(
                ctx,
                &list,
                rows,
                CountQuery::Tasks(target.to_string()),
                Task::from,
            );
        }
        let (resource, permission) = guard_of(ctx, &target, |kind| match kind {
            ResourceKind::Organization => Some(Permission::GetOrganization),
            ResourceKind::Environment => Some(Permission::GetEnvironment),
            ResourceKind::Dataset
            | ResourceKind::Table
            | ResourceKind::Column
            | ResourceKind::Folder => Some(Permission::GetDataset),
            // Those who maintain a glossary (its stewards) see the work done on it.
            ResourceKind::Glossary
            | ResourceKind::GlossaryCategory
            | ResourceKind::GlossaryTerm => Some(Permission::UpdateGlossary),
            _ => None,
        })
        .await?;
        match permission {
            Some(p) => authorize_with(ctx, "tasks", Some(&resource), Some(p)).await?,
            None => require_admin(
                ctx,
                &format!("the tasks of a {}", crate::authz::kind_words(target.kind())),
            )?,
        };
        let list = format!("tasks:{target}");
        let page = page_args(ctx, &list, first, after)?;
        let rows = store(ctx).list_tasks(target.as_str(), &page).await?;
        TaskConnection::from_page(
            ctx,
            &list,
            rows,
            CountQuery::Tasks(target.to_string()),
            Task::from,
        )
    }
}

#[derive(InputObject)]
pub struct RetryTaskInput {
    pub id: String,
}

#[derive(Default)]
pub struct TaskMutation;

#[Object]
impl TaskMutation {
    /// Puts a FAILED task back to PENDING with a fresh attempt budget and publishes it
    /// (admins). CONFLICT unless the task is FAILED.
    async fn retry_task(&self, ctx: &Context<'_>, input: RetryTaskInput) -> ApiResult<Task> {
        let id = TaskId::parse("input.id", &input.id)?;
        authorize(ctx, "retryTask", None).await?;
        let task = store(ctx).retry_task(&meta(ctx)?, &id).await?;
        // After commit; a lost publish is recovered by the sweep (the row is PENDING).
        crate::context::publish_now(ctx, &[TaskEnvelope::new(&task.id, &task.kind)]).await;
        Ok(Task::from(task))
    }
}
