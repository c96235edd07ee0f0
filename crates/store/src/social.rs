//! [`lakecat_core::ports::SocialStore`] on sea-orm: upvotes, the comment feed and in-app notifications.

use std::collections::HashMap;

use async_trait::async_trait;
use chrono::Utc;
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::*;
use lakecat_core::ids::*;
use lakecat_core::names::TeamName;
use lakecat_core::page::{Page, PageRequest};
use lakecat_core::ports::*;
use lakecat_core::{Error, Result};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveValue::Set, Condition, PaginatorTrait, QuerySelect};

use crate::SeaStore;
use crate::convert::{self};
use crate::entities::*;
use crate::errors::db_err;
use crate::support::*;

use crate::catalog::*;

#[async_trait]
impl SocialStore for SeaStore {
    async fn set_upvote(
        &self,
        meta: &MutationMeta,
        target: &ResourceId,
        user: &str,
        up: bool,
    ) -> Result<VoteSummary> {
        let txn = self.begin().await?;
        let exists = vote::Entity::find_by_id((target.as_str().to_owned(), user.to_owned()))
            .one(&txn)
            .await
            .map_err(db_err)?
            .is_some();
        if up && !exists {
            vote::Entity::insert(vote::ActiveModel {
                target_id: Set(target.as_str().to_owned()),
                username: Set(user.to_owned()),
                created_at: Set(Utc::now()),
            })
            .exec_without_returning(&txn)
            .await
            .map_err(db_err)?;
        } else if !up && exists {
            vote::Entity::delete_by_id((target.as_str().to_owned(), user.to_owned()))
                .exec(&txn)
                .await
                .map_err(db_err)?;
        }
        if up != exists {
            audit(&txn, meta, target.as_str(), Some(&exists), Some(&up)).await?;
        }
        let upvotes = vote::Entity::find()
            .filter(vote::Column::TargetId.eq(target.as_str()))
            .count(&txn)
            .await
            .map_err(db_err)?;
        if let Some(ds) = dataset_of(&txn, target.as_str()).await? {
            index_dataset(&txn, &ds).await?;
        }
        txn.commit().await.map_err(db_err)?;
        Ok(VoteSummary {
            upvotes: upvotes as i64,
            has_upvoted: up,
        })
    }

    async fn vote_summaries(
        &self,
        user: &str,
        target_ids: &[String],
    ) -> Result<HashMap<String, VoteSummary>> {
        let rows: Vec<(String, i64)> = vote::Entity::find()
            .select_only()
            .column(vote::Column::TargetId)
            .column_as(Expr::col(vote::Column::Username).count(), "n")
            .filter(vote::Column::TargetId.is_in(ids_of(target_ids)))
            .group_by(vote::Column::TargetId)
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db_err)?;
        let mine: Vec<String> = vote::Entity::find()
            .select_only()
            .column(vote::Column::TargetId)
            .filter(vote::Column::TargetId.is_in(ids_of(target_ids)))
            .filter(vote::Column::Username.eq(user))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db_err)?;
        let mut out: HashMap<String, VoteSummary> = rows
            .into_iter()
            .map(|(id, n)| {
                (
                    id,
                    VoteSummary {
                        upvotes: n,
                        has_upvoted: false,
                    },
                )
            })
            .collect();
        for id in mine {
            out.entry(id).or_default().has_upvoted = true;
        }
        Ok(out)
    }

    async fn post_feed_message(
        &self,
        meta: &MutationMeta,
        m: &FeedMessage,
        notify_team: Option<NewNotification>,
    ) -> Result<()> {
        let txn = self.begin().await?;
        feed_message::Entity::insert(feed_message::ActiveModel {
            id: Set(m.id.as_str().to_owned()),
            target_id: Set(m.target_id.clone()),
            author: Set(m.author.clone()),
            body: Set(m.body.clone()),
            created_at: Set(m.created_at),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(db_err)?;
        if let Some(n) = &notify_team {
            notify(&txn, n).await?;
        }
        audit(&txn, meta, &m.target_id, None::<&()>, Some(m)).await?;
        txn.commit().await.map_err(db_err)
    }

    async fn list_feed(&self, target_id: &str, page: &PageRequest) -> Result<Page<FeedMessage>> {
        let q = feed_message::Entity::find().filter(feed_message::Column::TargetId.eq(target_id));
        let rows = keyset(&self.db, q, feed_message::Column::Id, page).await?;
        Ok(page_by(rows, page, |m| m.id.clone(), convert::feed_message))
    }

    async fn list_notifications(
        &self,
        teams: &[String],
        user: &str,
        unread_only: bool,
        page: &PageRequest,
    ) -> Result<Page<Notification>> {
        if teams.is_empty() {
            return Ok(Page {
                items: vec![],
                has_next: false,
            });
        }
        let rows = keyset(
            &self.db,
            notification_select(teams, user, unread_only),
            notification::Column::Id,
            page,
        )
        .await?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let read: Vec<String> = notification_read::Entity::find()
            .select_only()
            .column(notification_read::Column::NotificationId)
            .filter(notification_read::Column::NotificationId.is_in(ids))
            .filter(notification_read::Column::Username.eq(user))
            .into_tuple()
            .all(&self.db)
            .await
            .map_err(db_err)?;
        Ok(page_by(
            rows,
            page,
            |m| m.id.clone(),
            |m| Notification {
                read: read.contains(&m.id),
                id: NotificationId::from_trusted(m.id),
                recipient_team: TeamName::from_trusted(m.recipient_team),
                kind: m.kind,
                message: m.message,
                target_id: m.target_id,
                created_at: m.created_at,
            },
        ))
    }

    async fn mark_notification_read(
        &self,
        meta: &MutationMeta,
        teams: &[String],
        user: &str,
        id: &NotificationId,
    ) -> Result<()> {
        let txn = self.begin().await?;
        notification::Entity::find()
            .filter(
                Condition::all()
                    .add(notification::Column::Id.eq(id.as_str()))
                    .add(notification::Column::RecipientTeam.is_in(teams.to_vec())),
            )
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("notification", id))?;
        notification_read::Entity::insert(notification_read::ActiveModel {
            notification_id: Set(id.as_str().to_owned()),
            username: Set(user.to_owned()),
        })
        .on_conflict(
            sea_orm::sea_query::OnConflict::columns([
                notification_read::Column::NotificationId,
                notification_read::Column::Username,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&txn)
        .await
        .map_err(db_err)?;
        audit(
            &txn,
            meta,
            id.as_str(),
            None::<&()>,
            Some(&serde_json::json!({"readBy": user})),
        )
        .await?;
        txn.commit().await.map_err(db_err)
    }

    async fn mark_all_notifications_read(
        &self,
        meta: &MutationMeta,
        teams: &[String],
        user: &str,
    ) -> Result<i64> {
        if teams.is_empty() {
            return Ok(0);
        }
        let txn = self.begin().await?;
        let placeholders: Vec<String> = (0..teams.len()).map(|i| format!("${}", i + 2)).collect();
        let sql = format!(
            "INSERT INTO notification_read (notification_id, username) \
             SELECT n.id, $1 FROM notification n WHERE n.recipient_team IN ({}) \
             AND NOT EXISTS (SELECT 1 FROM notification_read r WHERE r.notification_id = n.id AND r.username = $1)",
            placeholders.join(", ")
        );
        let mut values = vec![sea_orm::Value::from(user)];
        values.extend(teams.iter().map(|t| sea_orm::Value::from(t.as_str())));
        let res = txn
            .execute_raw(self.raw(&sql, values))
            .await
            .map_err(db_err)?;
        let n = res.rows_affected() as i64;
        if n == 0 {
            // Nothing changed, so nothing to audit: the transaction ends without a write.
            return Ok(0);
        }
        audit(
            &txn,
            meta,
            &format!("team_{user}"),
            None::<&()>,
            Some(&serde_json::json!({"markedRead": n})),
        )
        .await?;
        txn.commit().await.map_err(db_err)?;
        Ok(n)
    }
}
