//! Upvotes, the comment feed per dataset/table/folder, and in-app notifications.

use async_graphql::{Context, InputObject, Object, SimpleObject};
use chrono::{DateTime, Utc};
use lakecat_core::catalog::{self as core, NewNotification, SOCIAL_KINDS};
use lakecat_core::ids::{FeedMessageId, NotificationId, ResourceId};
use lakecat_core::ports::CountQuery;

use super::{connection, page_args};
use crate::authz::authorize;
use crate::context::{caller, meta, request, store};
use crate::errors::ApiResult;
use crate::visibility::visible_target;

#[derive(SimpleObject, Clone)]
pub struct VoteSummary {
    pub target_id: String,
    pub upvotes: i64,
    pub has_upvoted: bool,
}

#[derive(SimpleObject, Clone)]
pub struct FeedMessage {
    pub id: String,
    pub target_id: String,
    pub author: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
}

impl From<core::FeedMessage> for FeedMessage {
    fn from(m: core::FeedMessage) -> Self {
        FeedMessage {
            id: m.id.to_string(),
            target_id: m.target_id,
            author: m.author,
            body: m.body,
            created_at: m.created_at,
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct Notification {
    pub id: String,
    pub team: String,
    pub kind: String,
    pub message: String,
    pub target_id: Option<String>,
    pub read: bool,
    pub created_at: DateTime<Utc>,
}

impl From<core::Notification> for Notification {
    fn from(n: core::Notification) -> Self {
        Notification {
            id: n.id.to_string(),
            team: n.recipient_team.to_string(),
            kind: n.kind,
            message: n.message,
            target_id: n.target_id,
            read: n.read,
            created_at: n.created_at,
        }
    }
}

connection!(FeedMessageConnection, FeedMessageEdge, FeedMessage);
connection!(NotificationConnection, NotificationEdge, Notification);

#[derive(Default)]
pub struct SocialQuery;

#[Object]
impl SocialQuery {
    /// Upvotes of a dataset, table or folder.
    async fn upvotes(&self, ctx: &Context<'_>, target_id: String) -> ApiResult<VoteSummary> {
        let target = ResourceId::parse_kind("targetId", &target_id, SOCIAL_KINDS)?;
        authorize(ctx, "upvotes", None).await?;
        visible_target(ctx, &target).await?;
        let v = request(ctx)?
            .loaders
            .votes
            .load_one(target.to_string())
            .await?
            .unwrap_or_default();
        Ok(VoteSummary {
            target_id: target.to_string(),
            upvotes: v.upvotes,
            has_upvoted: v.has_upvoted,
        })
    }

    /// Comments on a dataset, table or folder, oldest first.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn feed(
        &self,
        ctx: &Context<'_>,
        target_id: String,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<FeedMessageConnection> {
        let target = ResourceId::parse_kind("targetId", &target_id, SOCIAL_KINDS)?;
        authorize(ctx, "feed", None).await?;
        visible_target(ctx, &target).await?;
        let list = format!("feed:{target}");
        let page = page_args(ctx, &list, first, after)?;
        let rows = store(ctx).list_feed(target.as_str(), &page).await?;
        FeedMessageConnection::from_page(
            ctx,
            &list,
            rows,
            CountQuery::Feed(target.to_string()),
            FeedMessage::from,
        )
    }

    /// Notifications to any of your teams, oldest first.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn notifications(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
        unread_only: Option<bool>,
    ) -> ApiResult<NotificationConnection> {
        let c = authorize(ctx, "notifications", None).await?;
        let unread = unread_only.unwrap_or(false);
        let list = format!("notifications:{unread}");
        let page = page_args(ctx, &list, first, after)?;
        let teams = c.group_names();
        let rows = store(ctx)
            .list_notifications(&teams, &c.subject, unread, &page)
            .await?;
        let count = CountQuery::Notifications {
            teams,
            user: c.subject.clone(),
            unread_only: unread,
        };
        NotificationConnection::from_page(ctx, &list, rows, count, Notification::from)
    }

    async fn unread_notification_count(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let c = authorize(ctx, "unreadNotificationCount", None).await?;
        if c.groups.is_empty() {
            return Ok(0);
        }
        let q = CountQuery::Notifications {
            teams: c.group_names(),
            user: c.subject.clone(),
            unread_only: true,
        };
        Ok(store(ctx).count(&q).await?)
    }
}

#[derive(InputObject)]
pub struct UpvoteInput {
    pub target_id: String,
    /// true to upvote, false to take the upvote back.
    pub upvote: bool,
}

#[derive(InputObject)]
pub struct PostFeedMessageInput {
    pub target_id: String,
    pub body: String,
}

#[derive(InputObject)]
pub struct NotificationInput {
    pub id: String,
}

#[derive(Default)]
pub struct SocialMutation;

#[Object]
impl SocialMutation {
    async fn upvote(&self, ctx: &Context<'_>, input: UpvoteInput) -> ApiResult<VoteSummary> {
        let target = ResourceId::parse_kind("input.targetId", &input.target_id, SOCIAL_KINDS)?;
        let c = authorize(ctx, "upvote", None).await?;
        let dataset = visible_target(ctx, &target).await?;
        let v = store(ctx)
            .set_upvote(&meta(ctx)?, &target, &c.subject, input.upvote)
            .await?;
        crate::context::refresh_search(ctx, dataset.as_str()).await;
        Ok(VoteSummary {
            target_id: target.to_string(),
            upvotes: v.upvotes,
            has_upvoted: v.has_upvoted,
        })
    }

    /// Comments on a dataset, table or folder; the dataset's owner team is notified.
    async fn post_feed_message(
        &self,
        ctx: &Context<'_>,
        input: PostFeedMessageInput,
    ) -> ApiResult<FeedMessage> {
        let target = ResourceId::parse_kind("input.targetId", &input.target_id, SOCIAL_KINDS)?;
        let body = core::parse_feed_body("input.body", &input.body)?;
        let c = authorize(ctx, "postFeedMessage", None).await?;
        let dataset_id = visible_target(ctx, &target).await?;
        let ds = request(ctx)?
            .loaders
            .datasets
            .load_one(dataset_id.to_string())
            .await?;
        let msg = core::FeedMessage {
            id: FeedMessageId::generate(),
            target_id: target.to_string(),
            author: c.username.clone(),
            body,
            created_at: Utc::now(),
        };
        let note = ds
            .filter(|d| !c.is_member(&d.owner_team))
            .map(|d| NewNotification {
                recipient_team: d.owner_team.clone(),
                kind: "COMMENT",
                message: format!("{} commented on {}", c.username, d.label),
                target_id: Some(target.to_string()),
            });
        store(ctx)
            .post_feed_message(&meta(ctx)?, &msg, note)
            .await?;
        Ok(msg.into())
    }

    async fn mark_notification_read(
        &self,
        ctx: &Context<'_>,
        input: NotificationInput,
    ) -> ApiResult<bool> {
        let id = NotificationId::parse("input.id", &input.id)?;
        let c = authorize(ctx, "markNotificationRead", None).await?;
        store(ctx)
            .mark_notification_read(&meta(ctx)?, &c.group_names(), &c.subject, &id)
            .await?;
        Ok(true)
    }

    /// Marks every notification of your teams read; returns how many were unread.
    async fn mark_all_notifications_read(&self, ctx: &Context<'_>) -> ApiResult<i64> {
        let c = authorize(ctx, "markAllNotificationsRead", None).await?;
        caller(ctx)?;
        Ok(store(ctx)
            .mark_all_notifications_read(&meta(ctx)?, &c.group_names(), &c.subject)
            .await?)
    }
}
