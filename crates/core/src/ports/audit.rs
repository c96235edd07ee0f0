//! The audit trail of a resource.

use crate::audit::AuditEvent;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use async_trait::async_trait;

#[async_trait]
pub trait AuditStore: Send + Sync {
    async fn list_audit_events(
        &self,
        target_id: &str,
        page: &PageRequest,
    ) -> Result<Page<AuditEvent>>;

    /// Records what a caller read where the reading itself is audited (a table preview):
    /// an event on `target_id` with `detail` as its after-state.
    async fn record_read(
        &self,
        meta: &crate::caller::MutationMeta,
        target_id: &str,
        detail: &serde_json::Value,
    ) -> Result<()>;
}
