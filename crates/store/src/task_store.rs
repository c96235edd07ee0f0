//! The task outbox on PostgreSQL and SQLite: tasks are rows; a claim is one conditional
//! UPDATE (due and PENDING, or RUNNING with an expired lease), so two workers can never both
//! hold a task; the attempt number fences late writers (a worker whose lease was taken over
//! cannot record an outcome).

use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::{NewNotification, Task, TaskStatus};
use lakecat_core::ids::TaskId;
use lakecat_core::page::{Page, PageRequest};
use lakecat_core::tasks::{ClaimedTask, NewTask, TaskOutcome, TaskStore};
use lakecat_core::{Error, Reason, Result};
use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{Condition, QueryOrder, QuerySelect, Set};

use crate::SeaStore;
use crate::convert;
use crate::entities::task;
use crate::errors::db_err;
use crate::support::{audit, keyset, notify, try_page_by};

/// The newest task of `kind` on `target_id`, in `status` or any.
pub(crate) async fn latest_task<C: ConnectionTrait>(
    conn: &C,
    target_id: &str,
    kind: &str,
    status: Option<TaskStatus>,
) -> Result<Option<task::Model>> {
    let mut q = task::Entity::find()
        .filter(task::Column::TargetId.eq(target_id))
        .filter(task::Column::Kind.eq(kind));
    if let Some(status) = status {
        q = q.filter(task::Column::Status.eq(status.as_str()));
    }
    q.order_by_desc(task::Column::CreatedAt)
        .order_by_desc(task::Column::Id)
        .one(conn)
        .await
        .map_err(db_err)
}

/// Writes `new` unless a task of its kind already waits (PENDING) on its target, which is
/// then joined: returns the task, and what to publish after commit (nothing when joined).
pub(crate) async fn request_or_join<C: ConnectionTrait>(
    conn: &C,
    new: NewTask,
) -> Result<(task::Model, Vec<lakecat_core::tasks::TaskEnvelope>)> {
    let target = new.target_id.clone().unwrap_or_default();
    if let Some(row) = latest_task(conn, &target, &new.kind, Some(TaskStatus::Pending)).await? {
        return Ok((row, vec![]));
    }
    write_tasks(conn, std::slice::from_ref(&new)).await?;
    let row = task::Entity::find_by_id(new.id.as_str().to_owned())
        .one(conn)
        .await
        .map_err(db_err)?
        .ok_or_else(|| Error::internal("the task just written is missing"))?;
    Ok((row, vec![new.envelope()]))
}

/// Writes task rows on `conn` — inside a mutation's transaction, that is the outbox.
pub async fn write_tasks<C: ConnectionTrait>(conn: &C, tasks: &[NewTask]) -> Result<()> {
    if tasks.is_empty() {
        return Ok(());
    }
    let now = Utc::now();
    let backdate = chrono::Duration::from_std(lakecat_core::tasks::UNPUBLISHED_BACKDATE)
        .map_err(|_| Error::internal("task backdate out of range"))?;
    let rows = tasks.iter().map(|t| task::ActiveModel {
        id: Set(t.id.to_string()),
        kind: Set(t.kind.clone()),
        target_id: Set(t.target_id.clone()),
        payload: Set(t.payload.clone()),
        status: Set(TaskStatus::Pending.as_str().to_owned()),
        attempts: Set(0),
        lease_until: Set(None),
        run_after: Set(if t.unpublished { now - backdate } else { now }),
        notify_team: Set(t.notify_team.as_ref().map(|n| n.to_string())),
        result: Set(None),
        error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    });
    task::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await
        .map_err(db_err)?;
    Ok(())
}

fn lease_end(lease: Duration) -> Result<chrono::DateTime<Utc>> {
    chrono::Duration::from_std(lease)
        .map(|d| Utc::now() + d)
        .map_err(|_| Error::internal("task lease out of range"))
}

/// Runs `update` on the task only if `attempt` still holds it (RUNNING at that attempt);
/// CONFLICT if it was taken over or finished since.
async fn as_holder(
    update: sea_orm::UpdateMany<task::Entity>,
    id: &TaskId,
    attempt: i32,
    conn: &impl ConnectionTrait,
) -> Result<()> {
    let res = update
        .filter(task::Column::Id.eq(id.as_str()))
        .filter(task::Column::Status.eq(TaskStatus::Running.as_str()))
        .filter(task::Column::Attempts.eq(attempt))
        .exec(conn)
        .await
        .map_err(db_err)?;
    if res.rows_affected != 1 {
        return Err(Error::conflict(format!(
            "task {id} attempt {attempt} no longer holds the task (taken over or finished)"
        ))
        .with_reason(Reason::TaskNotHeld));
    }
    Ok(())
}

/// The update that makes a task RUNNING under a lease of `lease` from now.
fn held(lease: Duration) -> Result<sea_orm::UpdateMany<task::Entity>> {
    Ok(task::Entity::update_many()
        .col_expr(
            task::Column::Status,
            Expr::value(TaskStatus::Running.as_str()),
        )
        .col_expr(
            task::Column::LeaseUntil,
            Expr::value(Some(lease_end(lease)?)),
        )
        .col_expr(task::Column::UpdatedAt, Expr::value(Utc::now())))
}

#[async_trait]
impl TaskStore for SeaStore {
    async fn enqueue(&self, tasks: &[NewTask]) -> Result<()> {
        write_tasks(&self.db, tasks).await
    }

    async fn claim(&self, id: &TaskId, lease: Duration) -> Result<Option<ClaimedTask>> {
        let now = Utc::now();
        let txn = self.write_txn().await?;
        let due = Condition::any()
            .add(
                Condition::all()
                    .add(task::Column::Status.eq(TaskStatus::Pending.as_str()))
                    .add(task::Column::RunAfter.lte(now)),
            )
            .add(
                Condition::all()
                    .add(task::Column::Status.eq(TaskStatus::Running.as_str()))
                    .add(task::Column::LeaseUntil.lt(now)),
            );
        let res = held(lease)?
            .col_expr(
                task::Column::Attempts,
                Expr::col(task::Column::Attempts).add(1),
            )
            .filter(task::Column::Id.eq(id.as_str()))
            .filter(due)
            .exec(&txn)
            .await
            .map_err(db_err)?;
        if res.rows_affected != 1 {
            return Ok(None);
        }
        let row = task::Entity::find_by_id(id.as_str())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::internal(format!("claimed task {id} vanished")))?;
        if crate::stacks::stack_task_runs_elsewhere(&txn, id, &row.kind, row.target_id.as_deref())
            .await?
        {
            // Dropped, not committed: the task stays as it was until the other one ends.
            tracing::debug!(task.id = %id, "another stack task of this target runs");
            return Ok(None);
        }
        txn.commit().await.map_err(db_err)?;
        let task = convert::task(row)?;
        Ok(Some(ClaimedTask {
            attempt: task.attempts,
            task,
        }))
    }

    async fn claim_pending(
        &self,
        kind: &str,
        target_id: &str,
        lease: Duration,
    ) -> Result<Option<ClaimedTask>> {
        let txn = self.write_txn().await?;
        // Attempts stay: a worker's budget is for its own tries, and a caller that fails would
        // otherwise use it up for them. The attempt is still a fence: only the task's last
        // holder could have made it PENDING at this number.
        let rows = held(lease)?
            .filter(task::Column::Kind.eq(kind))
            .filter(task::Column::TargetId.eq(target_id))
            .filter(task::Column::Status.eq(TaskStatus::Pending.as_str()))
            .exec_with_returning(&txn)
            .await
            .map_err(db_err)?;
        let mut claimed = Vec::with_capacity(rows.len());
        for row in rows {
            let task = convert::task(row)?;
            claimed.push(ClaimedTask {
                attempt: task.attempts,
                task,
            });
        }
        if claimed.len() > 1 {
            // Not a coalesced kind: claiming them all would make this caller their only worker.
            return Err(Error::internal(format!(
                "{} pending {kind} tasks for {target_id}; claim_pending is for coalesced kinds",
                claimed.len()
            )));
        }
        txn.commit().await.map_err(db_err)?;
        Ok(claimed.pop())
    }

    async fn progress(
        &self,
        id: &TaskId,
        attempt: i32,
        progress: &serde_json::Value,
        lease: Duration,
    ) -> Result<()> {
        let txn = self.write_txn().await?;
        let update = task::Entity::update_many()
            .col_expr(task::Column::Result, Expr::value(Some(progress.clone())))
            .col_expr(
                task::Column::LeaseUntil,
                Expr::value(Some(lease_end(lease)?)),
            )
            .col_expr(task::Column::UpdatedAt, Expr::value(Utc::now()));
        as_holder(update, id, attempt, &txn).await?;
        txn.commit().await.map_err(db_err)
    }

    async fn finish(&self, id: &TaskId, attempt: i32, outcome: &TaskOutcome) -> Result<()> {
        let now = Utc::now();
        let txn = self.write_txn().await?;
        let mut update = task::Entity::update_many()
            .col_expr(task::Column::LeaseUntil, Expr::value(None::<DateTimeUtc>))
            .col_expr(task::Column::UpdatedAt, Expr::value(now));
        update = match outcome {
            TaskOutcome::Succeeded(result) => update
                .col_expr(
                    task::Column::Status,
                    Expr::value(TaskStatus::Succeeded.as_str()),
                )
                .col_expr(task::Column::Result, Expr::value(Some(result.clone())))
                .col_expr(task::Column::Error, Expr::value(None::<String>)),
            TaskOutcome::Retry { error, run_after } => update
                .col_expr(
                    task::Column::Status,
                    Expr::value(TaskStatus::Pending.as_str()),
                )
                .col_expr(task::Column::RunAfter, Expr::value(*run_after))
                .col_expr(task::Column::Error, Expr::value(Some(error.clone()))),
            TaskOutcome::Failed(error) => update
                .col_expr(
                    task::Column::Status,
                    Expr::value(TaskStatus::Failed.as_str()),
                )
                .col_expr(task::Column::Error, Expr::value(Some(error.clone()))),
        };
        as_holder(update, id, attempt, &txn).await?;
        if let TaskOutcome::Failed(error) = outcome {
            let row = task::Entity::find_by_id(id.as_str())
                .one(&txn)
                .await
                .map_err(db_err)?;
            if let Some(team) = row.as_ref().and_then(|r| r.notify_team.clone()) {
                let row = row.as_ref().map(|r| (r.kind.clone(), r.target_id.clone()));
                let (kind, target) = row.unwrap_or_default();
                notify(
                    &txn,
                    &NewNotification {
                        recipient_team: lakecat_core::names::TeamName::from_trusted(team),
                        kind: "TASK_FAILED",
                        message: format!(
                            "background task {kind} failed after {attempt} attempt(s): {}",
                            error.chars().take(500).collect::<String>()
                        ),
                        target_id: target,
                    },
                )
                .await?;
            }
        }
        txn.commit().await.map_err(db_err)
    }

    async fn stranded(&self, grace: Duration, limit: u32) -> Result<Vec<Task>> {
        let now = Utc::now();
        let grace = chrono::Duration::from_std(grace)
            .map_err(|_| Error::internal("sweep grace out of range"))?;
        let rows = task::Entity::find()
            .filter(
                Condition::any()
                    .add(
                        Condition::all()
                            .add(task::Column::Status.eq(TaskStatus::Pending.as_str()))
                            .add(task::Column::RunAfter.lte(now - grace)),
                    )
                    .add(
                        Condition::all()
                            .add(task::Column::Status.eq(TaskStatus::Running.as_str()))
                            .add(task::Column::LeaseUntil.lt(now)),
                    ),
            )
            .order_by_asc(task::Column::RunAfter)
            .limit(u64::from(limit))
            .all(&self.db)
            .await
            .map_err(db_err)?;
        rows.into_iter().map(convert::task).collect()
    }

    async fn tasks_by_ids(&self, ids: &[String]) -> Result<Vec<Task>> {
        let rows = task::Entity::find()
            .filter(task::Column::Id.is_in(ids.to_vec()))
            .all(&self.db)
            .await
            .map_err(db_err)?;
        rows.into_iter().map(convert::task).collect()
    }

    async fn list_tasks(&self, target_id: &str, page: &PageRequest) -> Result<Page<Task>> {
        let q = task::Entity::find().filter(task::Column::TargetId.eq(target_id));
        let rows = keyset(&self.db, q, task::Column::Id, page).await?;
        try_page_by(rows, page, |m| m.id.clone(), convert::task)
    }

    async fn supersede(
        &self,
        kind: &str,
        before: chrono::DateTime<Utc>,
        result: &serde_json::Value,
    ) -> Result<u64> {
        let res = task::Entity::update_many()
            .col_expr(
                task::Column::Status,
                Expr::value(TaskStatus::Succeeded.as_str()),
            )
            .col_expr(task::Column::Result, Expr::value(Some(result.clone())))
            .col_expr(task::Column::Error, Expr::value(None::<String>))
            .col_expr(task::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(task::Column::Kind.eq(kind))
            .filter(task::Column::Status.eq(TaskStatus::Pending.as_str()))
            .filter(task::Column::CreatedAt.lt(before))
            .exec(&self.db)
            .await
            .map_err(db_err)?;
        Ok(res.rows_affected)
    }

    async fn retry_task(&self, meta: &MutationMeta, id: &TaskId) -> Result<Task> {
        let txn = self.write_txn().await?;
        let before = task::Entity::find_by_id(id.as_str())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("task", id.as_str()))?;
        let before = convert::task(before)?;
        if before.status != TaskStatus::Failed {
            return Err(Error::conflict(format!(
                "task {id} is {}, only FAILED tasks are retried",
                before.status.as_str()
            ))
            .with_reason(Reason::TaskNotFailed));
        }
        let now = Utc::now();
        task::Entity::update_many()
            .col_expr(
                task::Column::Status,
                Expr::value(TaskStatus::Pending.as_str()),
            )
            .col_expr(task::Column::Attempts, Expr::value(0))
            .col_expr(task::Column::RunAfter, Expr::value(now))
            .col_expr(task::Column::UpdatedAt, Expr::value(now))
            .filter(task::Column::Id.eq(id.as_str()))
            .filter(task::Column::Status.eq(TaskStatus::Failed.as_str()))
            .exec(&txn)
            .await
            .map_err(db_err)?;
        let after = convert::task(
            task::Entity::find_by_id(id.as_str())
                .one(&txn)
                .await
                .map_err(db_err)?
                .ok_or_else(|| Error::not_found("task", id.as_str()))?,
        )?;
        audit(&txn, meta, id.as_str(), Some(&before), Some(&after)).await?;
        txn.commit().await.map_err(db_err)?;
        Ok(after)
    }
}
