//! Upvotes, the comment feed and in-app notifications.

use super::*;
use crate::caller::MutationMeta;
use crate::error::Result;
use crate::page::{Page, PageRequest};
use async_trait::async_trait;
use std::collections::HashMap;

#[async_trait]
pub trait SocialStore: Send + Sync {
    async fn set_upvote(
        &self,
        meta: &MutationMeta,
        target: &ResourceId,
        user: &str,
        up: bool,
    ) -> Result<VoteSummary>;

    async fn vote_summaries(
        &self,
        user: &str,
        target_ids: &[String],
    ) -> Result<HashMap<String, VoteSummary>>;

    async fn post_feed_message(
        &self,
        meta: &MutationMeta,
        message: &FeedMessage,
        notify: Option<NewNotification>,
    ) -> Result<()>;

    async fn list_feed(&self, target_id: &str, page: &PageRequest) -> Result<Page<FeedMessage>>;

    async fn list_notifications(
        &self,
        teams: &[String],
        user: &str,
        unread_only: bool,
        page: &PageRequest,
    ) -> Result<Page<Notification>>;

    async fn mark_notification_read(
        &self,
        meta: &MutationMeta,
        teams: &[String],
        user: &str,
        id: &NotificationId,
    ) -> Result<()>;

    async fn mark_all_notifications_read(
        &self,
        meta: &MutationMeta,
        teams: &[String],
        user: &str,
    ) -> Result<i64>;
}
