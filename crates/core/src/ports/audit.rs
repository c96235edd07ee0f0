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
}
