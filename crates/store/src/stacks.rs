//! [`lakecat_core::ports::StackStore`] on sea-orm: the stack rows of environments and
//! datasets, the `stack.deploy` / `stack.delete` tasks written with the mutations that need
//! them, and the rule that keeps two deploys of one stack from running at once.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::{Stack, StackStatus, Task, TaskStatus};
use lakecat_core::ids::{ResourceId, ResourceKind, StackId, TaskId};
use lakecat_core::ports::{StackStore, StackUpdate, TeamStore};
use lakecat_core::stacks::{STACK_CHECK_KIND, STACK_DELETE_KIND, STACK_DEPLOY_KIND, StackSubject};
use lakecat_core::tasks::{NewTask, TaskEnvelope};
use lakecat_core::{Error, Result};
use sea_orm::entity::prelude::*;
use sea_orm::{ActiveValue::Set, DbBackend, QuerySelect, Statement};

use crate::SeaStore;
use crate::convert;
use crate::entities::*;
use crate::errors::db_err;
use crate::support::audit;

/// The most events a stack row keeps (the newest): a long-lived stack's history stays in
/// CloudFormation.
const KEPT_EVENTS: usize = 200;

/// Inserts a target's stack row, PENDING.
pub(crate) async fn insert_stack_row<C: ConnectionTrait>(
    conn: &C,
    target_id: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    stack::Entity::insert(stack::ActiveModel {
        id: Set(StackId::generate().as_str().to_owned()),
        target_id: Set(target_id.to_owned()),
        status: Set(StackStatus::Pending.as_str().to_owned()),
        outputs: Set(serde_json::json!({})),
        events: Set(serde_json::json!([])),
        error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
    })
    .exec_without_returning(conn)
    .await
    .map_err(db_err)?;
    Ok(())
}

/// Writes a `stack.deploy` task for `target_id` — or joins the one already waiting (at most
/// one waits per target; one may run besides). Returns the envelope to publish, None when it
/// joined.
pub(crate) async fn request_deploy<C: ConnectionTrait>(
    conn: &C,
    target_id: &str,
    notify_team: &str,
) -> Result<Option<TaskEnvelope>> {
    let task = NewTask::new(
        STACK_DEPLOY_KIND,
        Some(target_id),
        serde_json::json!({ "target_id": target_id }),
    );
    let backend = conn.get_database_backend();
    let now = Utc::now();
    let (payload, ph): (sea_orm::Value, fn(usize) -> String) = match backend {
        DbBackend::Postgres => (task.payload.clone().into(), |i| format!("${i}")),
        _ => (task.payload.to_string().into(), |_| "?".to_owned()),
    };
    let sql = format!(
        "INSERT INTO task (id, kind, target_id, payload, status, attempts, run_after, notify_team, created_at, updated_at) \
         VALUES ({}, {}, {}, {}, 'PENDING', 0, {}, {}, {}, {}) \
         ON CONFLICT (target_id) WHERE kind = '{STACK_DEPLOY_KIND}' AND status = 'PENDING' DO NOTHING",
        ph(1),
        ph(2),
        ph(3),
        ph(4),
        ph(5),
        ph(6),
        ph(7),
        ph(8)
    );
    let res = conn
        .execute_raw(Statement::from_sql_and_values(
            backend,
            sql,
            [
                task.id.to_string().into(),
                task.kind.clone().into(),
                target_id.to_owned().into(),
                payload,
                now.into(),
                notify_team.to_owned().into(),
                now.into(),
                now.into(),
            ],
        ))
        .await
        .map_err(db_err)?;
    Ok((res.rows_affected() == 1).then(|| task.envelope()))
}

/// Writes the `stack.check` task of an environment (its owner team told when it fails).
pub(crate) async fn request_check<C: ConnectionTrait>(
    conn: &C,
    environment_id: &str,
    owner_team: &str,
) -> Result<TaskEnvelope> {
    let task = check_task(environment_id, owner_team);
    crate::task_store::write_tasks(conn, std::slice::from_ref(&task)).await?;
    Ok(task.envelope())
}

fn check_task(environment_id: &str, owner_team: &str) -> NewTask {
    NewTask::new(
        STACK_CHECK_KIND,
        Some(environment_id),
        serde_json::json!({ "environment_id": environment_id }),
    )
    .notify(lakecat_core::names::TeamName::from_trusted(
        owner_team.to_owned(),
    ))
}

/// Writes the `stack.delete` task of a target being deleted (its row goes with it: the task
/// carries the subject as it was).
pub(crate) async fn request_delete<C: ConnectionTrait>(
    conn: &C,
    subject: &StackSubject,
) -> Result<TaskEnvelope> {
    let payload = serde_json::to_value(subject)
        .map_err(|e| Error::internal(format!("cannot serialize the stack subject: {e}")))?;
    let task = NewTask::new(STACK_DELETE_KIND, Some(subject.target_id()), payload)
        .notify(subject.owner_team().clone());
    crate::task_store::write_tasks(conn, std::slice::from_ref(&task)).await?;
    stack::Entity::delete_many()
        .filter(stack::Column::TargetId.eq(subject.target_id()))
        .exec(conn)
        .await
        .map_err(db_err)?;
    Ok(task.envelope())
}

/// Whether another stack task of `task`'s target runs under a live lease: a claim of a stack
/// task waits for it (the sweep brings the task back), so deploys of one stack never
/// overlap. Serialized per target: SQLite's write transactions run one at a time, and on
/// PostgreSQL the claim takes a transaction-scoped advisory lock on the target first.
pub(crate) async fn stack_task_runs_elsewhere<C: ConnectionTrait>(
    conn: &C,
    id: &TaskId,
    kind: &str,
    target_id: Option<&str>,
) -> Result<bool> {
    let (true, Some(target)) = (kind.starts_with("stack."), target_id) else {
        return Ok(false);
    };
    if conn.get_database_backend() == DbBackend::Postgres {
        conn.execute_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT pg_advisory_xact_lock(hashtext('lakecat-stack:' || $1))",
            [target.to_owned().into()],
        ))
        .await
        .map_err(db_err)?;
    }
    let running = task::Entity::find()
        .select_only()
        .column(task::Column::Id)
        .filter(task::Column::TargetId.eq(target))
        .filter(task::Column::Kind.is_in([STACK_DEPLOY_KIND, STACK_DELETE_KIND]))
        .filter(task::Column::Status.eq(TaskStatus::Running.as_str()))
        .filter(task::Column::LeaseUntil.gte(Utc::now()))
        .filter(task::Column::Id.ne(id.as_str()))
        .into_tuple::<String>()
        .one(conn)
        .await
        .map_err(db_err)?;
    Ok(running.is_some())
}

fn outputs_json(outputs: &std::collections::BTreeMap<String, String>) -> serde_json::Value {
    serde_json::Value::Object(
        outputs
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone())))
            .collect(),
    )
}

impl SeaStore {
    async fn stack_row<C: ConnectionTrait>(conn: &C, target_id: &str) -> Result<stack::Model> {
        stack::Entity::find()
            .filter(stack::Column::TargetId.eq(target_id))
            .one(conn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("stack", target_id))
    }

    /// Writes a dataset stack's outputs back to the dataset's AWS details where they differ
    /// (and are well-formed), and mirrors the stack's status.
    async fn mirror_on_dataset<C: ConnectionTrait>(
        conn: &C,
        dataset_id: &str,
        update: &StackUpdate,
    ) -> Result<()> {
        let Some(row) = dataset::Entity::find_by_id(dataset_id.to_owned())
            .one(conn)
            .await
            .map_err(db_err)?
        else {
            return Ok(());
        };
        let mut am: dataset::ActiveModel = row.clone().into();
        am.stack_status = Set(update.status.as_str().to_owned());
        let mut changed = false;
        if let Some(out) = &update.outputs {
            use lakecat_core::catalog::{parse_bucket_name, parse_kms_alias, parse_role_arn};
            use lakecat_core::names::GlueName;
            let pick =
                |key: &str, ok: &dyn Fn(&str) -> bool| out.get(key).filter(|v| ok(v)).cloned();
            if let Some(b) = pick("BucketName", &|v| parse_bucket_name("", v).is_ok())
                && b != row.bucket
            {
                am.bucket = Set(b);
                changed = true;
            }
            if let Some(g) = pick("GlueDatabaseName", &|v| GlueName::parse("", v).is_ok())
                && g != row.glue_database
            {
                am.glue_database = Set(g);
                changed = true;
            }
            if let Some(a) = pick("KmsAliasName", &|v| parse_kms_alias("", v).is_ok())
                && Some(&a) != row.kms_alias.as_ref()
            {
                am.kms_alias = Set(Some(a));
                changed = true;
            }
            if let Some(r) = pick("AdminRoleArn", &|v| parse_role_arn("", v).is_ok())
                && r != row.admin_role_arn
            {
                am.admin_role_arn = Set(r);
                changed = true;
            }
        }
        if changed {
            // What the user sees changed: an edit based on the old version must reload.
            am.version = Set(row.version + 1);
            am.updated_at = Set(Utc::now());
        }
        am.update(conn).await.map_err(db_err)?;
        Ok(())
    }
}

#[async_trait]
impl StackStore for SeaStore {
    async fn stack_for_target(&self, target_id: &str) -> Result<Option<Stack>> {
        let row = stack::Entity::find()
            .filter(stack::Column::TargetId.eq(target_id))
            .one(&self.db)
            .await
            .map_err(db_err)?;
        row.map(convert::stack).transpose()
    }

    async fn stack_subject(&self, target_id: &str) -> Result<Option<StackSubject>> {
        let environment_of = |id: String| async move {
            environment::Entity::find_by_id(id)
                .one(&self.db)
                .await
                .map_err(db_err)?
                .map(convert::environment)
                .transpose()
        };
        match ResourceId::from_trusted(target_id.to_owned()).kind() {
            ResourceKind::Environment => {
                let Some(environment) = environment_of(target_id.to_owned()).await? else {
                    return Ok(None);
                };
                let mut teams: Vec<_> = self
                    .resource_teams(target_id)
                    .await?
                    .into_iter()
                    .map(|m| m.team)
                    .collect();
                if !teams.contains(&environment.owner_team) {
                    teams.push(environment.owner_team.clone());
                }
                teams.sort();
                teams.dedup();
                Ok(Some(StackSubject::Environment { environment, teams }))
            }
            ResourceKind::Dataset => {
                let Some(row) = dataset::Entity::find_by_id(target_id.to_owned())
                    .one(&self.db)
                    .await
                    .map_err(db_err)?
                else {
                    return Ok(None);
                };
                let dataset = convert::dataset(row)?;
                let Some(environment) =
                    environment_of(dataset.environment_id.as_str().to_owned()).await?
                else {
                    return Ok(None);
                };
                Ok(Some(StackSubject::Dataset {
                    environment,
                    dataset,
                }))
            }
            _ => Err(Error::bad_input(
                "targetId",
                "stacks belong to environments and datasets",
            )),
        }
    }

    async fn record_stack(&self, target_id: &str, update: &StackUpdate) -> Result<Stack> {
        let txn = self.begin().await?;
        let row = Self::stack_row(&txn, target_id).await?;
        let skip = update.events.len().saturating_sub(KEPT_EVENTS);
        let events = serde_json::to_value(&update.events[skip..])
            .map_err(|e| Error::internal(format!("cannot serialize stack events: {e}")))?;
        let mut am: stack::ActiveModel = row.into();
        am.status = Set(update.status.as_str().to_owned());
        am.events = Set(events);
        if let Some(out) = &update.outputs {
            am.outputs = Set(outputs_json(out));
        }
        am.error = Set(update.error.clone());
        am.updated_at = Set(Utc::now());
        let saved = am.update(&txn).await.map_err(db_err)?;
        if ResourceId::from_trusted(target_id.to_owned()).kind() == ResourceKind::Dataset {
            Self::mirror_on_dataset(&txn, target_id, update).await?;
        }
        txn.commit().await.map_err(db_err)?;
        convert::stack(saved)
    }

    async fn request_stack_deploy(
        &self,
        meta: &MutationMeta,
        target_id: &str,
    ) -> Result<(Stack, Vec<TaskEnvelope>)> {
        let txn = self.begin().await?;
        let row = Self::stack_row(&txn, target_id).await?;
        let owner = match ResourceId::from_trusted(target_id.to_owned()).kind() {
            ResourceKind::Dataset => Self::one_dataset(&txn, target_id).await?.owner_team,
            _ => {
                environment::Entity::find_by_id(target_id.to_owned())
                    .one(&txn)
                    .await
                    .map_err(db_err)?
                    .ok_or_else(|| Error::not_found("environment", target_id))?
                    .owner_team
            }
        };
        let envelope = request_deploy(&txn, target_id, &owner).await?;
        audit(
            &txn,
            meta,
            target_id,
            None::<&()>,
            Some(&serde_json::json!({ "stack": row.id, "deploy": if envelope.is_some() { "requested" } else { "joined the waiting deploy" } })),
        )
        .await?;
        txn.commit().await.map_err(db_err)?;
        Ok((convert::stack(row)?, envelope.into_iter().collect()))
    }

    async fn access_check(&self, environment_id: &str) -> Result<Option<Task>> {
        crate::task_store::latest_task(&self.db, environment_id, STACK_CHECK_KIND, None)
            .await?
            .map(convert::task)
            .transpose()
    }

    async fn request_access_check(
        &self,
        meta: &MutationMeta,
        environment_id: &str,
    ) -> Result<(Task, Vec<TaskEnvelope>)> {
        let txn = self.begin().await?;
        let env = environment::Entity::find_by_id(environment_id.to_owned())
            .one(&txn)
            .await
            .map_err(db_err)?
            .ok_or_else(|| Error::not_found("environment", environment_id))?;
        let (row, envelopes) =
            crate::task_store::request_or_join(&txn, check_task(environment_id, &env.owner_team))
                .await?;
        audit(
            &txn,
            meta,
            environment_id,
            None::<&()>,
            Some(&serde_json::json!({ "access_check": if envelopes.is_empty() { "joined the waiting check" } else { "requested" }, "task": row.id })),
        )
        .await?;
        txn.commit().await.map_err(db_err)?;
        Ok((convert::task(row)?, envelopes))
    }
}
