//! The audit trail of a resource.

use async_graphql::{Context, Object, SimpleObject};
use chrono::{DateTime, Utc};
use lakecat_core::ids::{ResourceId, ResourceKind};
use lakecat_core::permissions::Permission;
use lakecat_core::ports::CountQuery;

use super::tables::guard_of;
use super::{connection, page_args};
use crate::authz::{authorize_with, require_admin};
use crate::context::{caller, store};
use crate::errors::ApiResult;

#[derive(SimpleObject, Clone)]
pub struct AuditEvent {
    pub id: String,
    pub actor: String,
    pub action: String,
    pub target_kind: String,
    pub target_id: String,
    pub before: Option<async_graphql::Json<serde_json::Value>>,
    pub after: Option<async_graphql::Json<serde_json::Value>>,
    pub request_id: String,
    pub at: DateTime<Utc>,
}

impl From<lakecat_core::audit::AuditEvent> for AuditEvent {
    fn from(e: lakecat_core::audit::AuditEvent) -> Self {
        AuditEvent {
            id: e.id,
            actor: e.actor,
            action: e.action,
            target_kind: e.target_kind,
            target_id: e.target_id,
            before: e.before.map(async_graphql::Json),
            after: e.after.map(async_graphql::Json),
            request_id: e.request_id,
            at: e.at,
        }
    }
}

connection!(AuditEventConnection, AuditEventEdge, AuditEvent);

#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// Every mutation of a resource: who, what, before/after, request id. Needs the AUDIT_*
    /// permission of the resource (of its dataset for tables, columns and folders).
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn audit_events(
        &self,
        ctx: &Context<'_>,
        target_id: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<AuditEventConnection> {
        let target = ResourceId::parse("targetId", &target_id)?;
        caller(ctx)?;
        let (resource, permission) = guard_of(ctx, &target, |kind| match kind {
            ResourceKind::Organization => Some(Permission::AuditOrganization),
            ResourceKind::Environment => Some(Permission::AuditEnvironment),
            ResourceKind::Glossary
            | ResourceKind::GlossaryCategory
            | ResourceKind::GlossaryTerm => Some(Permission::AuditGlossary),
            ResourceKind::Dataset
            | ResourceKind::Table
            | ResourceKind::Column
            | ResourceKind::Folder => Some(Permission::AuditDataset),
            _ => None,
        })
        .await?;
        match permission {
            Some(p) => authorize_with(ctx, "auditEvents", Some(&resource), Some(p)).await?,
            None => require_admin(
                ctx,
                &format!(
                    "the audit events of a {}",
                    crate::authz::kind_words(target.kind())
                ),
            )?,
        };
        let list = format!("audit:{target}");
        let page = page_args(ctx, &list, first, after)?;
        let rows = store(ctx).list_audit_events(target.as_str(), &page).await?;
        AuditEventConnection::from_page(
            ctx,
            &list,
            rows,
            CountQuery::Audit(target.to_string()),
            AuditEvent::from,
        )
    }
}
