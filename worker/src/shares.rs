//! Share processing: the `share.process` task grants (or revokes) a request's items one by
//! one through the lake's [`ShareProcessor`], recording each item's outcome as it goes, then
//! finishes the request. A crash or a retryable error leaves the remaining items in progress:
//! the retry starts where the last run stopped, and since processors are idempotent an item
//! granted just before a crash (but not yet recorded) is granted again with no extra effect.
//! Also the expiry sweep (reminders, then automatic revocation) and the embedded default's
//! lake adapter, which records grants for lakecat to enforce.

use crate::{store_err, worker_meta};
use std::sync::Arc;

use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use lakecat_core::catalog::{Environment, Task};
use lakecat_core::ports::CatalogStore;
use lakecat_core::shares::{
    Consumption, ExpiryDue, ItemStatus, ItemTarget, LakeGrant, SHARE_TASK_KIND, ShareCase,
    ShareItem, ShareItemGrant, ShareItemKind, ShareProcessor, ShareSource, ShareStatus,
    ShareTarget, expiry_due,
};
use lakecat_core::tasks::{TaskError, TaskHandler, TaskQueue};
use lakecat_core::{Error, ErrorCode, Result};

/// Runs `share.process` tasks.
pub struct ShareHandler {
    store: Arc<dyn CatalogStore>,
    processor: Arc<dyn ShareProcessor>,
    /// The worker's attempt budget: on the last attempt, items still in progress are failed
    /// rather than left in progress for good.
    max_attempts: i32,
}

impl ShareHandler {
    pub fn new(store: Arc<dyn CatalogStore>, processor: Arc<dyn ShareProcessor>) -> Self {
        ShareHandler {
            store,
            processor,
            max_attempts: lakecat_core::tasks::RetryPolicy::default().max_attempts,
        }
    }

    /// Matches the worker's retry policy when it is not the default.
    pub fn with_max_attempts(mut self, max_attempts: i32) -> Self {
        self.max_attempts = max_attempts;
        self
    }

    /// The task will not run again: every item still in progress fails with `reason` and the
    /// request is finished, so it can be revoked, retried or deleted, and both sides hear.
    pub async fn give_up(&self, task_id: &str, share_id: &str, reason: &str) -> Result<()> {
        let store = self.store.as_ref();
        let meta = worker_meta(task_id, SHARE_TASK_KIND);
        let mut case = load_case(store, share_id).await?;
        let stuck: Vec<_> = case
            .items
            .iter()
            .filter(|i| i.status.in_progress())
            .map(|i| i.id.clone())
            .collect();
        if !matches!(
            case.share.status,
            ShareStatus::ShareInProgress | ShareStatus::RevokeInProgress
        ) {
            return Ok(());
        }
        for id in &stuck {
            let w = case.item_done(id, Err(reason.to_owned()), Utc::now())?;
            store.write_share(&meta, &w).await?;
            case = load_case(store, share_id).await?;
        }
        let w = case.finish(&stuck, Utc::now())?;
        store.write_share(&meta, &w).await?;
        Ok(())
    }
}

/// Reads a request with its items and dataset.
pub async fn load_case(store: &dyn CatalogStore, share_id: &str) -> Result<ShareCase> {
    let share = store
        .share_requests_by_ids(&[share_id.to_owned()])
        .await?
        .pop()
        .ok_or_else(|| Error::not_found("share request", share_id))?;
    let items = store.share_items(&[share_id.to_owned()]).await?;
    let dataset = store
        .datasets_by_ids(&[share.dataset_id.to_string()])
        .await?
        .pop()
        .ok_or_else(|| Error::not_found("dataset", share.dataset_id.as_str()))?;
    Ok(ShareCase {
        share,
        items,
        dataset,
    })
}

fn pivot_role(env: &Environment) -> String {
    format!(
        "arn:aws:iam::{}:role/{}",
        env.account_id.as_str(),
        env.pivot_role_name
    )
}

impl ShareHandler {
    async fn environment(&self, id: &str) -> std::result::Result<Environment, TaskError> {
        self.store
            .environments_by_ids(&[id.to_owned()])
            .await
            .map_err(store_err)?
            .pop()
            .ok_or_else(|| TaskError::permanent(format!("environment {id} no longer exists")))
    }

    /// What the item names on the lake: the table's Glue name, the folder's prefix, the
    /// bucket. A table or folder deleted since it was granted is revoked by what its
    /// consumption recorded.
    async fn item_target(&self, item: &ShareItem) -> std::result::Result<ItemTarget, TaskError> {
        let recorded = item.consumption.as_ref();
        match item.kind {
            ShareItemKind::Bucket => Ok(ItemTarget::Bucket),
            ShareItemKind::Table => {
                let t = self
                    .store
                    .tables_by_ids(std::slice::from_ref(&item.target_id))
                    .await
                    .map_err(store_err)?
                    .pop();
                match (t, recorded.and_then(|c| c.source_table.clone())) {
                    (Some(t), _) => Ok(ItemTarget::Table {
                        glue_table: t.glue_name,
                    }),
                    (None, Some(name)) => Ok(ItemTarget::Table { glue_table: name }),
                    (None, None) => Err(TaskError::permanent(format!(
                        "table {} no longer exists",
                        item.target_id
                    ))),
                }
            }
            ShareItemKind::Folder => {
                let f = self
                    .store
                    .folders_by_ids(std::slice::from_ref(&item.target_id))
                    .await
                    .map_err(store_err)?
                    .pop();
                match (f, recorded.and_then(|c| c.s3_prefix.clone())) {
                    (Some(f), _) => Ok(ItemTarget::Folder {
                        prefix: f.prefix.as_str().to_owned(),
                    }),
                    (None, Some(prefix)) => Ok(ItemTarget::Folder { prefix }),
                    (None, None) => Err(TaskError::permanent(format!(
                        "folder {} no longer exists",
                        item.target_id
                    ))),
                }
            }
        }
    }

    /// Grants or revokes every item in progress, recording each outcome, then finishes.
    pub async fn process(
        &self,
        task_id: &str,
        share_id: &str,
    ) -> std::result::Result<serde_json::Value, TaskError> {
        let store = self.store.as_ref();
        let meta = worker_meta(task_id, SHARE_TASK_KIND);
        let mut case = load_case(store, share_id).await.map_err(store_err)?;
        if let Some(w) = case.start(Utc::now()).map_err(store_err)? {
            store.write_share(&meta, &w).await.map_err(store_err)?;
            case = load_case(store, share_id).await.map_err(store_err)?;
        }
        let sharing = match case.share.status {
            ShareStatus::ShareInProgress => true,
            ShareStatus::RevokeInProgress => false,
            other => {
                // A duplicate or stale task: the request was processed already.
                return Ok(serde_json::json!({ "status": other.as_str(), "processed": 0 }));
            }
        };
        let source_env = self
            .environment(case.dataset.environment_id.as_str())
            .await?;
        let target_env = self.environment(case.share.environment_id.as_str()).await?;
        let ds = case.dataset.clone();
        let source = ShareSource {
            account_id: ds.aws.account_id.as_str().to_owned(),
            region: ds.aws.region.as_str().to_owned(),
            bucket: ds.aws.bucket.clone(),
            glue_database: ds.aws.glue_database.clone(),
            kms_alias: ds.aws.kms_alias.clone(),
            pivot_role_arn: pivot_role(&source_env),
            external_id: source_env.id.to_string(),
        };
        let target = ShareTarget {
            account_id: target_env.account_id.as_str().to_owned(),
            region: target_env.region.as_str().to_owned(),
            role_arn: case.share.principal_role_arn.clone(),
            pivot_role_arn: pivot_role(&target_env),
            external_id: target_env.id.to_string(),
        };
        let pending: Vec<ShareItem> = case
            .items
            .iter()
            .filter(|i| i.status.in_progress())
            .cloned()
            .collect();
        let mut processed = 0;
        let ran: Vec<_> = pending.iter().map(|i| i.id.clone()).collect();
        for item in pending {
            let outcome = match self.item_target(&item).await {
                Err(e) if !e.retryable => Err(e),
                Err(e) => return Err(e),
                Ok(item_target) => {
                    // Share-wide statements (key policy, access point) serve the share's
                    // S3 items; they stay while another of those keeps its access.
                    let keeps = case.items.iter().any(|o| {
                        o.id != item.id
                            && o.kind != ShareItemKind::Table
                            && matches!(
                                o.status,
                                ItemStatus::ShareSucceeded
                                    | ItemStatus::PendingExtension
                                    | ItemStatus::RevokeFailed
                                    | ItemStatus::ShareFailed
                                    | ItemStatus::ShareInProgress
                            )
                    });
                    let grant = ShareItemGrant {
                        share_id: case.share.id.to_string(),
                        item_id: item.id.to_string(),
                        dataset_id: ds.id.to_string(),
                        access: case.share.access,
                        source: source.clone(),
                        target: target.clone(),
                        item: item_target.clone(),
                        share_keeps_access: keeps,
                    };
                    if sharing {
                        self.processor.grant(&grant).await.map(|mut c| {
                            c.source_table = match &item_target {
                                ItemTarget::Table { glue_table } => Some(glue_table.clone()),
                                _ => None,
                            };
                            Some(c)
                        })
                    } else {
                        self.processor.revoke(&grant).await.map(|()| None)
                    }
                }
            };
            let outcome = match outcome {
                Ok(c) => Ok(c),
                // Left in progress: the task is retried and takes up from here.
                Err(e) if e.retryable => return Err(e),
                Err(e) => Err(e.message),
            };
            let w = case
                .item_done(&item.id, outcome, Utc::now())
                .map_err(store_err)?;
            store.write_share(&meta, &w).await.map_err(store_err)?;
            case = load_case(store, share_id).await.map_err(store_err)?;
            processed += 1;
        }
        let w = case.finish(&ran, Utc::now()).map_err(store_err)?;
        store.write_share(&meta, &w).await.map_err(store_err)?;
        let failed = case
            .items
            .iter()
            .filter(|i| ran.contains(&i.id))
            .filter(|i| matches!(i.status, ItemStatus::ShareFailed | ItemStatus::RevokeFailed))
            .count();
        Ok(serde_json::json!({
            "status": ShareStatus::Processed.as_str(),
            "processed": processed,
            "failed": failed,
        }))
    }
}

#[async_trait]
impl TaskHandler for ShareHandler {
    fn kind(&self) -> &'static str {
        SHARE_TASK_KIND
    }

    async fn run(&self, task: &Task) -> std::result::Result<serde_json::Value, TaskError> {
        let share_id = task
            .payload
            .get("share_id")
            .and_then(|v| v.as_str())
            .ok_or_else(|| TaskError::permanent("payload has no share_id"))?;
        match self.process(task.id.as_str(), share_id).await {
            Err(e) if !e.retryable || task.attempts >= self.max_attempts => {
                if let Err(g) = self.give_up(task.id.as_str(), share_id, &e.message).await {
                    tracing::error!(share.id = share_id, error = %g.message, "cannot fail the share's items; they stay in progress until the task is retried");
                }
                Err(e)
            }
            other => other,
        }
    }
}

/// The expiry sweep: reminds both sides `remind_before` an expiry, and revokes what expired.
pub struct ShareExpiry {
    store: Arc<dyn CatalogStore>,
    queue: Arc<dyn TaskQueue>,
    pub remind_before: Duration,
}

/// What one expiry sweep did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExpirySummary {
    pub reminded: usize,
    pub expired: usize,
}

impl ShareExpiry {
    pub fn new(store: Arc<dyn CatalogStore>, queue: Arc<dyn TaskQueue>) -> Self {
        ShareExpiry {
            store,
            queue,
            remind_before: Duration::days(7),
        }
    }

    pub async fn run(&self, now: DateTime<Utc>) -> Result<ExpirySummary> {
        let meta = worker_meta(&format!("sweep-{}", now.timestamp()), "share.expiry");
        let mut summary = ExpirySummary::default();
        for share in self
            .store
            .expiring_shares(now + self.remind_before, 500)
            .await?
        {
            let Some(due) = expiry_due(&share, now, self.remind_before) else {
                continue;
            };
            // One request that cannot be handled does not hold back the others.
            let w = match load_case(self.store.as_ref(), share.id.as_str())
                .await
                .and_then(|case| match due {
                    ExpiryDue::Remind => case.remind(now),
                    ExpiryDue::Expired => case.expire(now),
                }) {
                Ok(w) => w,
                Err(e) => {
                    tracing::warn!(share.id = %share.id, error = %e.message, "share expiry skipped");
                    continue;
                }
            };
            match self.store.write_share(&meta, &w).await {
                Ok(_) => {}
                // Changed meanwhile by someone else: the next sweep looks again.
                Err(e) if e.code == ErrorCode::Conflict => continue,
                Err(e) => return Err(e),
            }
            match due {
                ExpiryDue::Remind => summary.reminded += 1,
                ExpiryDue::Expired => summary.expired += 1,
            }
            let envelopes: Vec<_> = w.tasks.iter().map(|t| t.envelope()).collect();
            if !envelopes.is_empty()
                && let Err(e) = self
                    .queue
                    .publish(&envelopes, std::time::Duration::ZERO)
                    .await
            {
                tracing::warn!(error = %e.message, "cannot publish the revoke task; the task sweep will");
            }
        }
        Ok(summary)
    }
}

/// The embedded default's lake: lakecat records each grant as the consumer's effective
/// access (shown by `lakeGrants`, enforced wherever lakecat serves data) instead of calling
/// AWS. The dataset's bucket is its directory in the local lake.
pub struct LocalLakeProcessor {
    store: Arc<dyn CatalogStore>,
}

impl LocalLakeProcessor {
    pub fn new(store: Arc<dyn CatalogStore>) -> Self {
        LocalLakeProcessor { store }
    }
}

#[async_trait]
impl ShareProcessor for LocalLakeProcessor {
    async fn grant(&self, g: &ShareItemGrant) -> std::result::Result<Consumption, TaskError> {
        let grant = LakeGrant {
            item_id: lakecat_core::ids::ShareItemId::parse("item_id", &g.item_id)
                .map_err(|e| TaskError::permanent(e.message))?,
            share_id: lakecat_core::ids::ShareId::parse("share_id", &g.share_id)
                .map_err(|e| TaskError::permanent(e.message))?,
            dataset_id: lakecat_core::ids::DatasetId::parse("dataset_id", &g.dataset_id)
                .map_err(|e| TaskError::permanent(e.message))?,
            principal: g.target.role_arn.clone(),
            target: g.item.clone(),
            access: g.access,
            granted_at: Utc::now(),
        };
        self.store.put_lake_grant(&grant).await.map_err(store_err)?;
        let mut c = Consumption {
            bucket: g.source.bucket.clone(),
            region: g.source.region.clone(),
            ..Consumption::default()
        };
        match &g.item {
            ItemTarget::Table { glue_table } => {
                c.glue_database = Some(g.source.glue_database.clone());
                c.glue_table = Some(glue_table.clone());
            }
            ItemTarget::Folder { prefix } => c.s3_prefix = Some(prefix.clone()),
            ItemTarget::Bucket => {}
        }
        Ok(c)
    }

    async fn revoke(&self, g: &ShareItemGrant) -> std::result::Result<(), TaskError> {
        let id = lakecat_core::ids::ShareItemId::parse("item_id", &g.item_id)
            .map_err(|e| TaskError::permanent(e.message))?;
        self.store.delete_lake_grant(&id).await.map_err(store_err)
    }
}
