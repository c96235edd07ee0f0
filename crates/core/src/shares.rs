//! The share workflow as data: the states of a share request (object) and of its items, and
//! transition tables saying which action moves which state where. Services apply an action by
//! looking it up; nothing else decides a transition, so the tables are the whole truth and
//! a property test checks every reachable state against them.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text_enum::text_enum;

text_enum!(ShareStatus {
    Draft => "Draft",
    Submitted => "Submitted",
    Approved => "Approved",
    Rejected => "Rejected",
    Revoked => "Revoked",
    ShareInProgress => "Share_In_Progress",
    RevokeInProgress => "Revoke_In_Progress",
    Processed => "Processed",
    SubmittedForExtension => "Submitted_For_Extension",
    ExtensionRejected => "Extension_Rejected",
    Deleted => "Deleted",
});

text_enum!(ItemStatus {
    PendingApproval => "PendingApproval",
    ShareApproved => "Share_Approved",
    ShareRejected => "Share_Rejected",
    ShareInProgress => "Share_In_Progress",
    ShareSucceeded => "Share_Succeeded",
    ShareFailed => "Share_Failed",
    RevokeApproved => "Revoke_Approved",
    RevokeInProgress => "Revoke_In_Progress",
    RevokeSucceeded => "Revoke_Succeeded",
    RevokeFailed => "Revoke_Failed",
    PendingExtension => "PendingExtension",
    Deleted => "Deleted",
});

/// What someone (or the worker) does to a share request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ShareAction {
    /// A table, folder or the bucket is added (as PendingApproval); the request goes back to
    /// Draft to be submitted again.
    AddItem,
    Submit,
    Approve,
    Reject,
    /// The worker starts granting what was approved.
    StartShare,
    /// Selected granted items are to be revoked.
    RevokeItems,
    /// The worker starts revoking.
    StartRevoke,
    /// The worker finished: every item reached a final state of its run.
    Finish,
    RequestExtension,
    ApproveExtension,
    RejectExtension,
    Delete,
}

use ItemStatus as I;
use ShareStatus as S;

/// Object transitions: (action, from) → to.
pub const SHARE_TRANSITIONS: &[(ShareAction, ShareStatus, ShareStatus)] = &[
    (ShareAction::AddItem, S::Draft, S::Draft),
    (ShareAction::AddItem, S::Rejected, S::Draft),
    (ShareAction::AddItem, S::Processed, S::Draft),
    (ShareAction::AddItem, S::ExtensionRejected, S::Draft),
    (ShareAction::Submit, S::Draft, S::Submitted),
    (ShareAction::Submit, S::Rejected, S::Submitted),
    (ShareAction::Submit, S::ExtensionRejected, S::Submitted),
    (ShareAction::Approve, S::Submitted, S::Approved),
    (ShareAction::Reject, S::Submitted, S::Rejected),
    (ShareAction::StartShare, S::Approved, S::ShareInProgress),
    (ShareAction::RevokeItems, S::Processed, S::Revoked),
    (ShareAction::RevokeItems, S::Draft, S::Revoked),
    (ShareAction::RevokeItems, S::Rejected, S::Revoked),
    (ShareAction::RevokeItems, S::ExtensionRejected, S::Revoked),
    (ShareAction::StartRevoke, S::Revoked, S::RevokeInProgress),
    (ShareAction::Finish, S::ShareInProgress, S::Processed),
    (ShareAction::Finish, S::RevokeInProgress, S::Processed),
    (
        ShareAction::RequestExtension,
        S::Processed,
        S::SubmittedForExtension,
    ),
    (
        ShareAction::ApproveExtension,
        S::SubmittedForExtension,
        S::Processed,
    ),
    (
        ShareAction::RejectExtension,
        S::SubmittedForExtension,
        S::ExtensionRejected,
    ),
    (ShareAction::Delete, S::Draft, S::Deleted),
    (ShareAction::Delete, S::Rejected, S::Deleted),
    (ShareAction::Delete, S::Processed, S::Deleted),
    (ShareAction::Delete, S::ExtensionRejected, S::Deleted),
];

/// Item transitions an object action carries: (action, item from) → item to. Items in other
/// states are left as they are.
pub const ITEM_TRANSITIONS: &[(ShareAction, ItemStatus, ItemStatus)] = &[
    (ShareAction::Approve, I::PendingApproval, I::ShareApproved),
    (ShareAction::Reject, I::PendingApproval, I::ShareRejected),
    (
        ShareAction::StartShare,
        I::ShareApproved,
        I::ShareInProgress,
    ),
    (
        ShareAction::RevokeItems,
        I::ShareSucceeded,
        I::RevokeApproved,
    ),
    (ShareAction::RevokeItems, I::ShareFailed, I::RevokeApproved),
    (ShareAction::RevokeItems, I::RevokeFailed, I::RevokeApproved),
    (
        ShareAction::StartRevoke,
        I::RevokeApproved,
        I::RevokeInProgress,
    ),
    (
        ShareAction::RequestExtension,
        I::ShareSucceeded,
        I::PendingExtension,
    ),
    (
        ShareAction::ApproveExtension,
        I::PendingExtension,
        I::ShareSucceeded,
    ),
    // A refused extension keeps the access until the current expiry.
    (
        ShareAction::RejectExtension,
        I::PendingExtension,
        I::ShareSucceeded,
    ),
    (ShareAction::Delete, I::PendingApproval, I::Deleted),
    (ShareAction::Delete, I::ShareRejected, I::Deleted),
    (ShareAction::Delete, I::RevokeSucceeded, I::Deleted),
];

/// What the worker reports per item: (from, outcome) → to.
pub const ITEM_OUTCOMES: &[(ItemStatus, bool, ItemStatus)] = &[
    (I::ShareInProgress, true, I::ShareSucceeded),
    (I::ShareInProgress, false, I::ShareFailed),
    (I::RevokeInProgress, true, I::RevokeSucceeded),
    (I::RevokeInProgress, false, I::RevokeFailed),
];

impl ItemStatus {
    /// The item's access exists (or may exist) on AWS: a request holding such items cannot be
    /// deleted, nor the item removed or asked for again, before it is revoked. A failed grant
    /// may have been partly applied (a bucket statement written, the key policy refused), so
    /// it counts too; revoking what is not there succeeds.
    pub fn holds_access(self) -> bool {
        matches!(
            self,
            I::ShareInProgress
                | I::ShareSucceeded
                | I::ShareFailed
                | I::RevokeApproved
                | I::RevokeInProgress
                | I::RevokeFailed
                | I::PendingExtension
        )
    }

    pub fn in_progress(self) -> bool {
        matches!(self, I::ShareInProgress | I::RevokeInProgress)
    }
}

/// A share request's state and its items' states, as the workflow sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShareState {
    pub status: ShareStatus,
    pub items: Vec<ItemStatus>,
}

impl ShareState {
    pub fn new() -> ShareState {
        ShareState {
            status: S::Draft,
            items: vec![],
        }
    }

    /// Applies an object action, or says why it is not allowed (CONFLICT), changing nothing.
    /// `selected` names the items a RevokeItems acts on (indexes; all when empty).
    pub fn apply(&self, action: ShareAction, selected: &[usize]) -> Result<ShareState> {
        let to = SHARE_TRANSITIONS
            .iter()
            .find(|(a, from, _)| *a == action && *from == self.status)
            .map(|(_, _, to)| *to)
            .ok_or_else(|| {
                Error::conflict(format!(
                    "a share request in state {} cannot {action:?}",
                    self.status.as_str()
                ))
                .with_reason(crate::Reason::ShareTransitionNotAllowed)
            })?;
        self.guard(action, selected)?;
        let mut next = self.clone();
        next.status = to;
        for (i, item) in next.items.iter_mut().enumerate() {
            if action == ShareAction::RevokeItems && !selected.is_empty() && !selected.contains(&i)
            {
                continue;
            }
            if let Some((_, _, to)) = ITEM_TRANSITIONS
                .iter()
                .find(|(a, from, _)| *a == action && from == item)
            {
                *item = *to;
            }
        }
        if action == ShareAction::AddItem {
            next.items.push(I::PendingApproval);
        }
        Ok(next)
    }

    /// Conditions beyond the object state.
    fn guard(&self, action: ShareAction, selected: &[usize]) -> Result<()> {
        let any = |f: fn(ItemStatus) -> bool| self.items.iter().any(|i| f(*i));
        match action {
            ShareAction::Submit if !any(|i| i == I::PendingApproval) => Err(Error::conflict(
                "add at least one item before submitting the share request",
            )
            .with_reason(crate::Reason::ShareRequestHasNoItems)),
            ShareAction::Finish if any(ItemStatus::in_progress) => {
                Err(Error::conflict("items are still being processed")
                    .with_reason(crate::Reason::ShareItemsInProgress))
            }
            ShareAction::Delete if any(ItemStatus::holds_access) => Err(Error::conflict(
                "revoke the shared items before deleting the share request",
            )
            .with_reason(crate::Reason::ShareItemsHoldAccess)),
            ShareAction::RequestExtension if !any(|i| i == I::ShareSucceeded) => {
                Err(Error::conflict("nothing is shared to extend")
                    .with_reason(crate::Reason::ShareNothingToExtend))
            }
            ShareAction::RevokeItems => {
                let revocable = |i: &ItemStatus| {
                    matches!(i, I::ShareSucceeded | I::ShareFailed | I::RevokeFailed)
                };
                if let Some(bad) = selected
                    .iter()
                    .find(|&&i| self.items.get(i).is_none_or(|s| !revocable(s)))
                {
                    return Err(Error::conflict(format!(
                        "item {bad} is not in a state that can be revoked"
                    ))
                    .with_reason(crate::Reason::ShareItemNotRevocable));
                }
                if !self.items.iter().any(revocable) {
                    return Err(Error::conflict("no item can be revoked")
                        .with_reason(crate::Reason::ShareNothingToRevoke));
                }
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// Records the worker's outcome for one item.
    pub fn item_outcome(&self, index: usize, ok: bool) -> Result<ShareState> {
        let from = *self
            .items
            .get(index)
            .ok_or_else(|| Error::not_found("share item", index))?;
        let to = ITEM_OUTCOMES
            .iter()
            .find(|(f, o, _)| *f == from && *o == ok)
            .map(|(_, _, to)| *to)
            .ok_or_else(|| {
                Error::conflict(format!(
                    "item {index} is {}, not being processed",
                    from.as_str()
                ))
                .with_reason(crate::Reason::ShareItemNotInProgress)
            })?;
        let mut next = self.clone();
        next.items[index] = to;
        Ok(next)
    }

    /// Whether object and item states agree (the invariant the property test checks).
    pub fn consistent(&self) -> std::result::Result<(), String> {
        let has = |s: ItemStatus| self.items.contains(&s);
        let only = |allowed: &[ItemStatus]| self.items.iter().all(|i| allowed.contains(i));
        let ok = match self.status {
            S::Submitted => has(I::PendingApproval),
            S::Approved => has(I::ShareApproved) && !has(I::PendingApproval),
            S::ShareInProgress => !has(I::ShareApproved) && !has(I::PendingApproval),
            S::Revoked => has(I::RevokeApproved),
            S::RevokeInProgress => !has(I::RevokeApproved),
            S::Processed => {
                !self.items.iter().any(|i| i.in_progress()) && !has(I::PendingExtension)
            }
            S::SubmittedForExtension => has(I::PendingExtension),
            S::Deleted => only(&[I::Deleted]),
            S::Draft | S::Rejected | S::ExtensionRejected => {
                !self.items.iter().any(|i| i.in_progress()) && !has(I::PendingExtension)
            }
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{:?} with items {:?}", self.status, self.items))
        }
    }
}

impl Default for ShareState {
    fn default() -> Self {
        ShareState::new()
    }
}

// --- processing: what is granted on the lake for one item ---------------------------------

text_enum!(ShareItemKind {
    Table => "Table",
    Folder => "Folder",
    Bucket => "Bucket",
});

text_enum!(ShareAccess {
    Read => "Read",
    Write => "Write",
});

/// The dataset's side of a share: where the data lives, and the role lakecat assumes there.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareSource {
    pub account_id: String,
    pub region: String,
    pub bucket: String,
    pub glue_database: String,
    /// The dataset's KMS key alias (`alias/...`); None when the bucket is not KMS-encrypted.
    pub kms_alias: Option<String>,
    /// The pivot role lakecat assumes in the dataset's account, and its external id.
    pub pivot_role_arn: String,
    pub external_id: String,
}

/// The consumer's side: the consumer environment's account and the role that receives access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareTarget {
    pub account_id: String,
    pub region: String,
    /// The consumer team's IAM role in the consumer environment.
    pub role_arn: String,
    pub pivot_role_arn: String,
    pub external_id: String,
}

/// What one item names in the dataset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind")]
pub enum ItemTarget {
    Table {
        glue_table: String,
    },
    /// An S3 prefix of the dataset's bucket, without leading slash, ending with `/`.
    Folder {
        prefix: String,
    },
    Bucket,
}

impl ItemTarget {
    pub fn kind(&self) -> ShareItemKind {
        match self {
            ItemTarget::Table { .. } => ShareItemKind::Table,
            ItemTarget::Folder { .. } => ShareItemKind::Folder,
            ItemTarget::Bucket => ShareItemKind::Bucket,
        }
    }
}

/// One item of one share to grant or revoke. `share_id` names everything a processor adds
/// (policy statement ids, access points), so a retry finds its own earlier work and revoking
/// one share never touches another's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareItemGrant {
    pub share_id: String,
    pub item_id: String,
    pub dataset_id: String,
    pub access: ShareAccess,
    pub source: ShareSource,
    pub target: ShareTarget,
    pub item: ItemTarget,
    /// On revoke: whether other S3 items (folders, the bucket) of the same share keep their
    /// access afterwards, so share-wide statements (KMS key policy, access point) must stay.
    pub share_keeps_access: bool,
}

impl ShareItemGrant {
    pub fn cross_account(&self) -> bool {
        self.source.account_id != self.target.account_id || self.source.region != self.target.region
    }
}

/// How the consumer reaches an item once it is granted (the consumption view).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consumption {
    /// The Glue database to query in the consumer account (`<db>_shared` cross-account, the
    /// dataset's own database in the same account).
    pub glue_database: Option<String>,
    /// The table name to query in that database (a resource link cross-account).
    pub glue_table: Option<String>,
    pub access_point_arn: Option<String>,
    pub access_point_alias: Option<String>,
    pub bucket: String,
    pub region: String,
    pub s3_prefix: Option<String>,
    /// The shared table's name in the dataset's Glue database (recorded by the worker, so a
    /// table deleted from the catalog can still be revoked).
    #[serde(default)]
    pub source_table: Option<String>,
}

/// Grants and revokes one item on the lake (Lake Formation, S3, KMS in AWS; lakecat's own
/// records in the embedded default). Both operations are idempotent: applying one twice has
/// the effect of applying it once, and revoking what is not there succeeds.
#[async_trait::async_trait]
pub trait ShareProcessor: Send + Sync + 'static {
    async fn grant(
        &self,
        item: &ShareItemGrant,
    ) -> std::result::Result<Consumption, crate::tasks::TaskError>;
    async fn revoke(
        &self,
        item: &ShareItemGrant,
    ) -> std::result::Result<(), crate::tasks::TaskError>;
}

/// Mutual exclusion over a named resource (a bucket policy, a key policy) across workers, so
/// concurrent read-modify-write of one policy cannot lose a statement. Waits are bounded: a
/// lock not obtained in time is a retryable task error, never a stuck worker.
#[async_trait::async_trait]
pub trait ResourceLock: Send + Sync + 'static {
    /// Takes the lock on `key` for at most `lease`, waiting up to `wait`; returns the holder
    /// token to release with.
    async fn acquire(
        &self,
        key: &str,
        lease: std::time::Duration,
        wait: std::time::Duration,
    ) -> std::result::Result<String, crate::tasks::TaskError>;
    /// Releases the lock if `token` still holds it.
    async fn release(&self, key: &str, token: &str);
}

mod requests;
pub use requests::*;
