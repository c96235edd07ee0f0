//! Share requests as stored, and the use cases that change them. Each use case reads the
//! request and its items, applies one workflow action through [`ShareState::apply`] (the
//! transition tables decide), and returns a [`ShareWrite`]: the new state, its tasks and its
//! notifications, which the store commits in one transaction if the request's version is still
//! the one read (a concurrent change is a CONFLICT, never a lost update).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use super::*;
use crate::catalog::{Dataset, Environment, NewNotification};
use crate::error::{Error, Result};
use crate::ids::{DatasetId, EnvironmentId, ShareId, ShareItemId};
use crate::names::{Description, TeamName};
use crate::permissions::{Bundle, Grant};
use crate::tasks::NewTask;

/// The task that grants or revokes a share's items on the lake.
pub const SHARE_TASK_KIND: &str = "share.process";
/// Most items one request may hold (each is a grant on the lake).
pub const MAX_ITEMS: usize = 500;
/// Longest reason for a rejection.
pub const MAX_REASON: usize = 2000;

/// One request per (dataset, consumer environment, consumer team) that is not deleted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareRequest {
    pub id: ShareId,
    pub dataset_id: DatasetId,
    /// The consumer environment (its account receives the access).
    pub environment_id: EnvironmentId,
    /// The consumer team.
    pub team: TeamName,
    /// The consumer team's IAM role in the consumer environment.
    pub principal_role_arn: String,
    pub status: ShareStatus,
    pub access: ShareAccess,
    pub purpose: Description,
    pub reject_reason: Option<String>,
    /// Access is revoked automatically when this passes.
    pub expires_at: Option<DateTime<Utc>>,
    /// The expiry asked for by a pending extension request.
    pub requested_expiry: Option<DateTime<Utc>>,
    /// When the expiry reminder went out (once per expiry).
    pub reminded_at: Option<DateTime<Utc>>,
    /// When the sweep acted on the expiry (once per expiry; a failed revoke is retried by
    /// its task and revoked again by hand, not by every sweep).
    pub expired_at: Option<DateTime<Utc>>,
    pub version: i64,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShareItem {
    pub id: ShareItemId,
    pub share_id: ShareId,
    pub kind: ShareItemKind,
    /// The shared table's or folder's id; the dataset's id for the whole bucket.
    pub target_id: String,
    pub status: ItemStatus,
    /// The last processing error, cleared by a success.
    pub error: Option<String>,
    /// How to reach the item, once granted.
    pub consumption: Option<Consumption>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Everything one use case changes, committed together by the store.
#[derive(Debug, Clone, PartialEq)]
pub struct ShareWrite {
    /// The request as it is to be stored (its `version` is the stored one plus one).
    pub share: ShareRequest,
    /// The version read; the write is refused (CONFLICT) if the stored one differs.
    pub expected_version: i64,
    /// Items inserted or updated (by id).
    pub items: Vec<ShareItem>,
    pub removed_items: Vec<ShareItemId>,
    pub tasks: Vec<NewTask>,
    pub notifications: Vec<NewNotification>,
}

/// Filters of the share lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShareFilter {
    /// Requests whose consumer team is one of these (sent); None = any.
    pub consumer_teams: Option<Vec<String>>,
    /// Requests on datasets where one of these teams holds APPROVE_SHARE (received).
    pub approver_teams: Option<Vec<String>>,
    pub status: Option<ShareStatus>,
    pub dataset_id: Option<DatasetId>,
    /// The consumer team (received list) or the dataset's owner team (sent list).
    pub team: Option<TeamName>,
    /// Deleted requests are left out unless asked for by status.
    pub include_deleted: bool,
}

/// The IAM role a consumer team uses in an environment: `<resource prefix>-<team>`, with the
/// characters IAM refuses replaced, at most 64 characters.
pub fn consumer_role_arn(env: &Environment, team: &TeamName) -> String {
    let raw = format!("{}-{}", env.resource_prefix.as_str(), team.as_str());
    let name: String = raw
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "+=,.@_-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    format!("arn:aws:iam::{}:role/{name}", env.account_id.as_str())
}

/// What a new request needs, validated by the caller (ids, team, purpose).
#[derive(Debug, Clone)]
pub struct NewShareRequest {
    pub dataset: Dataset,
    pub environment: Environment,
    pub team: TeamName,
    pub access: ShareAccess,
    pub purpose: Description,
    pub expires_at: Option<DateTime<Utc>>,
}

impl NewShareRequest {
    /// Builds the request and the grants of its requester team, or says which input is wrong.
    pub fn build(
        self,
        actor: &str,
        now: DateTime<Utc>,
    ) -> Result<(ShareRequest, Vec<Grant>, NewNotification)> {
        if self.team == self.dataset.owner_team {
            return Err(Error::bad_input(
                "input.teamName",
                "the team owns the dataset: it needs no share request",
            ));
        }
        check_expiry("input.expiresAt", self.expires_at, now)?;
        let share = ShareRequest {
            id: ShareId::generate(),
            dataset_id: self.dataset.id.clone(),
            environment_id: self.environment.id.clone(),
            principal_role_arn: consumer_role_arn(&self.environment, &self.team),
            team: self.team,
            status: ShareStatus::Draft,
            access: self.access,
            purpose: self.purpose,
            reject_reason: None,
            expires_at: self.expires_at,
            requested_expiry: None,
            reminded_at: None,
            expired_at: None,
            version: 1,
            created_by: actor.to_owned(),
            created_at: now,
            updated_at: now,
        };
        let grants = Grant::bundle(&share.team, share.id.as_str(), Bundle::ShareRequester);
        let note = NewNotification {
            recipient_team: share.team.clone(),
            kind: "SHARE_CREATED",
            message: format!(
                "A share request for {} was opened for your team",
                self.dataset.label
            ),
            target_id: Some(share.id.to_string()),
        };
        Ok((share, grants, note))
    }
}

fn check_expiry(field: &str, at: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Result<()> {
    match at {
        Some(t) if t <= now => Err(Error::bad_input(field, "the expiry date is in the past")
            .with_reason(crate::Reason::ExpiryInThePast)),
        _ => Ok(()),
    }
}

/// A request with its items and dataset, as read for one use case.
#[derive(Debug, Clone)]
pub struct ShareCase {
    pub share: ShareRequest,
    pub items: Vec<ShareItem>,
    pub dataset: Dataset,
}

/// Which item a request adds: a table or folder of the request's dataset, or its bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemToAdd {
    pub kind: ShareItemKind,
    /// The table's or folder's id (checked to belong to the dataset by the caller); the
    /// dataset's id for the bucket.
    pub target_id: String,
}

impl ShareCase {
    fn state(&self) -> ShareState {
        ShareState {
            status: self.share.status,
            items: self.items.iter().map(|i| i.status).collect(),
        }
    }

    /// Applies `action` (to `selected` items for a revoke) and carries the item changes.
    fn act(
        &self,
        action: ShareAction,
        selected: &[usize],
        now: DateTime<Utc>,
    ) -> Result<ShareWrite> {
        if self.share.status == ShareStatus::Deleted {
            return Err(Error::conflict("the share request is deleted")
                .with_reason(crate::Reason::ShareRequestDeleted));
        }
        let next = self.state().apply(action, selected)?;
        let mut share = self.share.clone();
        share.status = next.status;
        share.version += 1;
        share.updated_at = now;
        let items = self
            .items
            .iter()
            .zip(&next.items)
            .filter(|(i, s)| i.status != **s)
            .map(|(i, s)| ShareItem {
                status: *s,
                updated_at: now,
                ..i.clone()
            })
            .collect();
        Ok(ShareWrite {
            share,
            expected_version: self.share.version,
            items,
            removed_items: vec![],
            tasks: vec![],
            notifications: vec![],
        })
    }

    /// The case as it is once `w` is applied (to chain two actions in one write).
    fn after(&self, w: &ShareWrite) -> ShareCase {
        let mut items: Vec<ShareItem> = self
            .items
            .iter()
            .filter(|i| !w.removed_items.contains(&i.id))
            .map(|i| w.items.iter().find(|c| c.id == i.id).unwrap_or(i).clone())
            .collect();
        items.extend(
            w.items
                .iter()
                .filter(|c| !self.items.iter().any(|i| i.id == c.id))
                .cloned(),
        );
        ShareCase {
            share: w.share.clone(),
            items,
            dataset: self.dataset.clone(),
        }
    }

    /// Notifications to both sides: the consumer team, the dataset's owners and stewards.
    fn notify_both(&self, kind: &'static str, message: String) -> Vec<NewNotification> {
        let mut teams = vec![self.share.team.clone(), self.dataset.owner_team.clone()];
        if let Some(s) = &self.dataset.stewards_team
            && !teams.contains(s)
        {
            teams.push(s.clone());
        }
        teams
            .into_iter()
            .map(|t| NewNotification {
                recipient_team: t,
                kind,
                message: message.clone(),
                target_id: Some(self.share.id.to_string()),
            })
            .collect()
    }

    fn process_task(&self) -> NewTask {
        NewTask::new(
            SHARE_TASK_KIND,
            Some(self.share.id.as_str()),
            serde_json::json!({ "share_id": self.share.id.as_str() }),
        )
        .notify(self.dataset.owner_team.clone())
    }

    fn label(&self) -> String {
        format!("{}'s request for {}", self.share.team, self.dataset.label)
    }

    pub fn add_item(&self, item: ItemToAdd, now: DateTime<Utc>) -> Result<ShareWrite> {
        let mut removed = vec![];
        if let Some(old) = self.items.iter().find(|i| i.target_id == item.target_id) {
            // An item that was refused, failed or revoked may be asked for again.
            if matches!(
                old.status,
                ItemStatus::ShareRejected | ItemStatus::RevokeSucceeded
            ) {
                removed.push(old.id.clone());
            } else {
                return Err(Error::conflict(format!(
                    "the item is already in the request ({})",
                    old.status.as_str()
                ))
                .with_reason(crate::Reason::ShareItemAlreadyAdded));
            }
        }
        let mut case = self.clone();
        case.items.retain(|i| !removed.contains(&i.id));
        if case.items.len() >= MAX_ITEMS {
            return Err(Error::bad_input(
                "input.itemId",
                format!("a request holds at most {MAX_ITEMS} items"),
            ));
        }
        let mut w = case.act(ShareAction::AddItem, &[], now)?;
        w.items.push(ShareItem {
            id: ShareItemId::generate(),
            share_id: self.share.id.clone(),
            kind: item.kind,
            target_id: item.target_id,
            status: ItemStatus::PendingApproval,
            error: None,
            consumption: None,
            created_at: now,
            updated_at: now,
        });
        w.removed_items = removed;
        if w.share.status != self.share.status {
            w.notifications = self.notify_both(
                "SHARE_ITEM_ADDED",
                format!("An item was added to {}; it is a draft again", self.label()),
            );
        }
        Ok(w)
    }

    /// Removes an item that holds no access and awaits nothing from the worker.
    pub fn remove_item(&self, id: &ShareItemId, now: DateTime<Utc>) -> Result<ShareWrite> {
        let item = self
            .items
            .iter()
            .find(|i| &i.id == id)
            .ok_or_else(|| Error::not_found("share item", id))?;
        if !matches!(
            self.share.status,
            ShareStatus::Draft
                | ShareStatus::Rejected
                | ShareStatus::Processed
                | ShareStatus::ExtensionRejected
        ) {
            return Err(Error::conflict(format!(
                "items cannot be removed while the request is {}",
                self.share.status.as_str()
            ))
            .with_reason(crate::Reason::ShareItemsLocked));
        }
        if !matches!(
            item.status,
            ItemStatus::PendingApproval | ItemStatus::ShareRejected | ItemStatus::RevokeSucceeded
        ) {
            return Err(Error::conflict(format!(
                "the item is {}: revoke it first",
                item.status.as_str()
            ))
            .with_reason(crate::Reason::ShareItemsHoldAccess));
        }
        let mut share = self.share.clone();
        share.version += 1;
        share.updated_at = now;
        Ok(ShareWrite {
            share,
            expected_version: self.share.version,
            items: vec![],
            removed_items: vec![id.clone()],
            tasks: vec![],
            notifications: vec![],
        })
    }

    /// Submits; with auto-approval on the dataset the request is approved at once.
    pub fn submit(&self, now: DateTime<Utc>) -> Result<ShareWrite> {
        check_expiry("expiresAt", self.share.expires_at, now)?;
        let w = self.act(ShareAction::Submit, &[], now)?;
        if self.dataset.auto_approval {
            let mut a = self.after(&w).approve(now)?;
            a.expected_version = self.share.version;
            a.items = merge_changes(&w.items, &a.items);
            return Ok(a);
        }
        let mut w = w;
        w.notifications = self.notify_both(
            "SHARE_SUBMITTED",
            format!("{} was submitted for approval", self.label()),
        );
        Ok(w)
    }

    pub fn approve(&self, now: DateTime<Utc>) -> Result<ShareWrite> {
        if let Some(at) = self.share.expires_at
            && at <= now
        {
            return Err(Error::conflict(format!(
                "the request expired on {}: reject it; the requester opens a new one",
                at.format("%Y-%m-%d %H:%M UTC")
            ))
            .with_reason(crate::Reason::ShareRequestExpired));
        }
        let mut w = self.act(ShareAction::Approve, &[], now)?;
        w.share.reject_reason = None;
        w.tasks.push(self.process_task());
        w.notifications = self.notify_both(
            "SHARE_APPROVED",
            format!("{} was approved; access is being granted", self.label()),
        );
        Ok(w)
    }

    pub fn reject(&self, reason: &str, now: DateTime<Utc>) -> Result<ShareWrite> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON {
            return Err(Error::bad_input(
                "input.reason",
                format!("give a reason of 1–{MAX_REASON} characters"),
            ));
        }
        let mut w = self.act(ShareAction::Reject, &[], now)?;
        w.share.reject_reason = Some(reason.to_owned());
        w.notifications = self.notify_both(
            "SHARE_REJECTED",
            format!("{} was rejected: {reason}", self.label()),
        );
        Ok(w)
    }

    /// Revokes the given items (every revocable one when empty).
    pub fn revoke(&self, ids: &[ShareItemId], now: DateTime<Utc>) -> Result<ShareWrite> {
        let mut selected = Vec::with_capacity(ids.len());
        for (n, id) in ids.iter().enumerate() {
            let i = self.items.iter().position(|i| &i.id == id).ok_or_else(|| {
                Error::bad_input(
                    format!("input.itemIds[{n}]"),
                    "not an item of this share request",
                )
            })?;
            selected.push(i);
        }
        let mut w = self.act(ShareAction::RevokeItems, &selected, now)?;
        w.tasks.push(self.process_task());
        w.notifications = self.notify_both(
            "SHARE_REVOKED",
            format!("Access of {} is being revoked", self.label()),
        );
        Ok(w)
    }

    /// Revokes everything because the expiry passed (the sweep's use case). A pending
    /// extension is refused first; a request with nothing granted just loses its expiry.
    pub fn expire(&self, now: DateTime<Utc>) -> Result<ShareWrite> {
        if self.share.status == ShareStatus::SubmittedForExtension {
            let first = self.act(ShareAction::RejectExtension, &[], now)?;
            let mut w = self.after(&first).expire(now)?;
            w.expected_version = self.share.version;
            w.items = merge_changes(&first.items, &w.items);
            return Ok(w);
        }
        let revocable = self.items.iter().any(|i| {
            matches!(
                i.status,
                ItemStatus::ShareSucceeded | ItemStatus::ShareFailed | ItemStatus::RevokeFailed
            )
        });
        if !revocable {
            let mut share = self.share.clone();
            share.expired_at = Some(now);
            share.requested_expiry = None;
            share.version += 1;
            share.updated_at = now;
            return Ok(ShareWrite {
                share,
                expected_version: self.share.version,
                items: vec![],
                removed_items: vec![],
                tasks: vec![],
                notifications: vec![],
            });
        }
        let mut w = self.act(ShareAction::RevokeItems, &[], now)?;
        w.share.requested_expiry = None;
        w.share.expired_at = Some(now);
        w.tasks.push(self.process_task());
        w.notifications = self.notify_both(
            "SHARE_EXPIRED",
            format!("{} expired; its access is being revoked", self.label()),
        );
        Ok(w)
    }

    /// Tells both sides the expiry is near, once per expiry date.
    pub fn remind(&self, now: DateTime<Utc>) -> Result<ShareWrite> {
        let at = self.share.expires_at.ok_or_else(|| {
            Error::conflict("the request has no expiry")
                .with_reason(crate::Reason::ShareRequestHasNoExpiry)
        })?;
        let mut share = self.share.clone();
        share.reminded_at = Some(now);
        share.version += 1;
        share.updated_at = now;
        Ok(ShareWrite {
            share,
            expected_version: self.share.version,
            items: vec![],
            removed_items: vec![],
            tasks: vec![],
            notifications: self.notify_both(
                "SHARE_EXPIRING",
                format!(
                    "{} expires on {}; request an extension to keep access",
                    self.label(),
                    at.format("%Y-%m-%d %H:%M UTC")
                ),
            ),
        })
    }

    pub fn delete(&self, now: DateTime<Utc>) -> Result<ShareWrite> {
        let mut w = self.act(ShareAction::Delete, &[], now)?;
        w.notifications =
            self.notify_both("SHARE_DELETED", format!("{} was deleted", self.label()));
        Ok(w)
    }

    pub fn request_extension(
        &self,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<ShareWrite> {
        check_expiry("input.expiresAt", Some(until), now)?;
        if self.share.expires_at.is_some_and(|e| until <= e) {
            return Err(Error::bad_input(
                "input.expiresAt",
                "an extension must end after the current expiry",
            ));
        }
        let mut w = self.act(ShareAction::RequestExtension, &[], now)?;
        w.share.requested_expiry = Some(until);
        w.notifications = self.notify_both(
            "SHARE_EXTENSION_REQUESTED",
            format!(
                "{} asks for an extension until {}",
                self.label(),
                until.format("%Y-%m-%d")
            ),
        );
        Ok(w)
    }

    pub fn approve_extension(&self, now: DateTime<Utc>) -> Result<ShareWrite> {
        let mut w = self.act(ShareAction::ApproveExtension, &[], now)?;
        w.share.expires_at = self.share.requested_expiry;
        w.share.requested_expiry = None;
        w.share.reminded_at = None;
        w.share.expired_at = None;
        w.notifications = self.notify_both(
            "SHARE_EXTENSION_APPROVED",
            format!("The extension of {} was approved", self.label()),
        );
        Ok(w)
    }

    pub fn reject_extension(&self, now: DateTime<Utc>) -> Result<ShareWrite> {
        let mut w = self.act(ShareAction::RejectExtension, &[], now)?;
        w.share.requested_expiry = None;
        w.notifications = self.notify_both(
            "SHARE_EXTENSION_REJECTED",
            format!(
                "The extension of {} was rejected; access ends at the current expiry",
                self.label()
            ),
        );
        Ok(w)
    }

    // --- the worker's use cases -----------------------------------------------------

    /// Moves an approved (or revoked) request into processing; None when there is nothing
    /// to start (already in progress after a retry, or already finished).
    pub fn start(&self, now: DateTime<Utc>) -> Result<Option<ShareWrite>> {
        let action = match self.share.status {
            ShareStatus::Approved => ShareAction::StartShare,
            ShareStatus::Revoked => ShareAction::StartRevoke,
            _ => return Ok(None),
        };
        self.act(action, &[], now).map(Some)
    }

    /// Records the worker's outcome for one item.
    pub fn item_done(
        &self,
        id: &ShareItemId,
        outcome: std::result::Result<Option<Consumption>, String>,
        now: DateTime<Utc>,
    ) -> Result<ShareWrite> {
        let index = self
            .items
            .iter()
            .position(|i| &i.id == id)
            .ok_or_else(|| Error::not_found("share item", id))?;
        let next = self.state().item_outcome(index, outcome.is_ok())?;
        let old = &self.items[index];
        let mut item = ShareItem {
            status: next.items[index],
            updated_at: now,
            ..old.clone()
        };
        match outcome {
            Ok(consumption) => {
                item.error = None;
                item.consumption = consumption;
            }
            Err(e) => item.error = Some(e),
        }
        let mut share = self.share.clone();
        share.version += 1;
        share.updated_at = now;
        Ok(ShareWrite {
            share,
            expected_version: self.share.version,
            items: vec![item],
            removed_items: vec![],
            tasks: vec![],
            notifications: vec![],
        })
    }

    /// Ends processing once no item is in progress, telling both sides how the items of this
    /// run (`ran`) went.
    pub fn finish(&self, ran: &[ShareItemId], now: DateTime<Utc>) -> Result<ShareWrite> {
        let revoking = self.share.status == ShareStatus::RevokeInProgress;
        let mut w = self.act(ShareAction::Finish, &[], now)?;
        let failed = self
            .items
            .iter()
            .filter(|i| ran.contains(&i.id))
            .filter(|i| matches!(i.status, ItemStatus::ShareFailed | ItemStatus::RevokeFailed))
            .count();
        let (kind, what) = match (revoking, failed) {
            (false, 0) => ("SHARE_SUCCEEDED", "access was granted".to_owned()),
            (true, 0) => ("SHARE_REVOKE_SUCCEEDED", "access was revoked".to_owned()),
            (false, n) => ("SHARE_FAILED", format!("{n} item(s) could not be granted")),
            (true, n) => (
                "SHARE_REVOKE_FAILED",
                format!("{n} item(s) could not be revoked"),
            ),
        };
        w.notifications = self.notify_both(kind, format!("{}: {what}", self.label()));
        Ok(w)
    }
}

/// The union of two change lists, the later winning per id.
fn merge_changes(first: &[ShareItem], later: &[ShareItem]) -> Vec<ShareItem> {
    let mut out: Vec<ShareItem> = first
        .iter()
        .filter(|i| !later.iter().any(|l| l.id == i.id))
        .cloned()
        .collect();
    out.extend(later.iter().cloned());
    out
}

/// Whether a processed request's expiry has passed, or is within `remind_before` and no
/// reminder went out yet.
pub fn expiry_due(
    share: &ShareRequest,
    now: DateTime<Utc>,
    remind_before: Duration,
) -> Option<ExpiryDue> {
    let at = share.expires_at?;
    if !EXPIRING_STATUSES.contains(&share.status) {
        return None;
    }
    if at <= now {
        share.expired_at.is_none().then_some(ExpiryDue::Expired)
    } else if at - remind_before <= now && share.reminded_at.is_none() {
        Some(ExpiryDue::Remind)
    } else {
        None
    }
}

/// The states in which an expiry is acted on (those a revoke may start from, and a pending
/// extension); the store selects candidates by them.
pub const EXPIRING_STATUSES: &[ShareStatus] = &[
    ShareStatus::Processed,
    ShareStatus::SubmittedForExtension,
    ShareStatus::ExtensionRejected,
    ShareStatus::Draft,
    ShareStatus::Rejected,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryDue {
    Remind,
    Expired,
}

/// Effective access recorded by lakecat itself (the embedded default's lake adapter): what
/// the consumer's principal may read or write, per granted item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LakeGrant {
    pub item_id: ShareItemId,
    pub share_id: ShareId,
    pub dataset_id: DatasetId,
    pub principal: String,
    pub target: ItemTarget,
    pub access: ShareAccess,
    pub granted_at: DateTime<Utc>,
}

/// Persistence of share requests (implemented by `lakecat-store`; a supertrait of the
/// catalog store, so a share's change, its tasks and its notifications commit together).
#[async_trait::async_trait]
pub trait ShareStore: Send + Sync + 'static {
    /// Inserts the request with its requester grants and notification — or, when a request
    /// for the same dataset, consumer environment and team is open (not deleted), returns that
    /// one unchanged. The flag says whether a new request was created.
    async fn create_share_request(
        &self,
        meta: &crate::caller::MutationMeta,
        share: &ShareRequest,
        grants: &[Grant],
        notify: &NewNotification,
    ) -> Result<(ShareRequest, bool)>;
    async fn share_requests_by_ids(&self, ids: &[String]) -> Result<Vec<ShareRequest>>;
    /// The items of the given requests, oldest first.
    async fn share_items(&self, share_ids: &[String]) -> Result<Vec<ShareItem>>;
    async fn list_share_requests(
        &self,
        filter: &ShareFilter,
        page: &crate::page::PageRequest,
    ) -> Result<crate::page::Page<ShareRequest>>;
    async fn count_share_requests(&self, filter: &ShareFilter) -> Result<i64>;
    /// Commits a use case's write (request, items, tasks, notifications, audit) if the stored
    /// version is still `expected_version`; CONFLICT otherwise, changing nothing.
    async fn write_share(
        &self,
        meta: &crate::caller::MutationMeta,
        write: &ShareWrite,
    ) -> Result<ShareRequest>;
    /// Requests in an expiring state whose expiry is before `horizon`, soonest first.
    async fn expiring_shares(
        &self,
        horizon: DateTime<Utc>,
        limit: u32,
    ) -> Result<Vec<ShareRequest>>;
    /// Records (or refreshes) a grant of the local lake adapter.
    async fn put_lake_grant(&self, grant: &LakeGrant) -> Result<()>;
    /// Removes a grant of the local lake adapter; absent is fine.
    async fn delete_lake_grant(&self, item_id: &ShareItemId) -> Result<()>;
    /// The local lake adapter's grants on a dataset.
    async fn lake_grants(&self, dataset_id: &DatasetId) -> Result<Vec<LakeGrant>>;
}
