//! [`lakecat_core::ports::AuditStore`] on sea-orm: the audit trail of a resource.

use async_trait::async_trait;
use lakecat_core::Result;
use lakecat_core::audit::AuditEvent;
use lakecat_core::page::{Page, PageRequest};
use lakecat_core::ports::*;
use sea_orm::entity::prelude::*;

use crate::SeaStore;
use crate::convert::{self};
use crate::entities::*;
use crate::support::*;

#[async_trait]
impl AuditStore for SeaStore {
    async fn list_audit_events(
        &self,
        target_id: &str,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>> {
        let q = audit_event::Entity::find().filter(audit_event::Column::TargetId.eq(target_id));
        let rows = keyset(&self.db, q, audit_event::Column::Id, page).await?;
        Ok(page_by(rows, page, |m| m.id.clone(), convert::audit_event))
    }

    async fn record_read(
        &self,
        meta: &lakecat_core::caller::MutationMeta,
        target_id: &str,
        detail: &serde_json::Value,
    ) -> Result<()> {
        audit(&self.db, meta, target_id, None::<&()>, Some(detail)).await
    }
}
