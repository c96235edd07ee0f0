//! Stack tasks: `stack.deploy` loads what the target's stack needs, has the deployer create
//! or update it — recording status and events on the stack row and renewing the task's lease
//! as it goes — and records the outcome; `stack.delete` deletes the stack of a target that
//! is gone; `stack.check` checks that deploys into an environment can run (its pivot role is
//! assumable), and its task is the record of the answer. A failed deploy fails the task (its
//! owner team is notified) with the first failing event's reason. Also the embedded default's
//! deployer, which makes the local lake's directories.

use crate::store_err;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::Utc;
use lakecat_core::Result;
use lakecat_core::catalog::{StackStatus, Task};
use lakecat_core::ports::{CatalogStore, StackUpdate};
use lakecat_core::stacks::{
    STACK_CHECK_KIND, STACK_DELETE_KIND, STACK_DEPLOY_KIND, StackDeployer, StackEvent,
    StackProgress, StackReport, StackSubject,
};
use lakecat_core::tasks::{TaskError, TaskHandler};
use serde::{Deserialize, Serialize};

/// How long a stack task's claim holds between two progress reports (a deployer reports at
/// every poll, far more often).
pub const STACK_LEASE: Duration = Duration::from_secs(300);

/// Runs `stack.deploy`, `stack.delete` or `stack.check` tasks (one handler per kind).
pub struct StackHandler {
    kind: &'static str,
    store: Arc<dyn CatalogStore>,
    deployer: Arc<dyn StackDeployer>,
}

impl StackHandler {
    pub fn deploy(store: Arc<dyn CatalogStore>, deployer: Arc<dyn StackDeployer>) -> Self {
        StackHandler {
            kind: STACK_DEPLOY_KIND,
            store,
            deployer,
        }
    }

    pub fn delete(store: Arc<dyn CatalogStore>, deployer: Arc<dyn StackDeployer>) -> Self {
        StackHandler {
            kind: STACK_DELETE_KIND,
            store,
            deployer,
        }
    }

    pub fn check(store: Arc<dyn CatalogStore>, deployer: Arc<dyn StackDeployer>) -> Self {
        StackHandler {
            kind: STACK_CHECK_KIND,
            store,
            deployer,
        }
    }

    async fn run_check(&self, task: &Task) -> std::result::Result<serde_json::Value, TaskError> {
        let target = task
            .target_id
            .as_deref()
            .ok_or_else(|| TaskError::permanent("a stack.check task needs a target"))?;
        let Some(environment) = self
            .store
            .environments_by_ids(&[target.to_owned()])
            .await
            .map_err(store_err)?
            .pop()
        else {
            return Ok(serde_json::json!({ "skipped": "the environment was unlinked" }));
        };
        let checked = self.deployer.check_access(&environment).await?;
        tracing::info!(environment = %environment.id, %checked, "environment access checked");
        Ok(serde_json::json!({ "checked": checked }))
    }

    async fn run_deploy(&self, task: &Task) -> std::result::Result<serde_json::Value, TaskError> {
        let target = task
            .target_id
            .as_deref()
            .ok_or_else(|| TaskError::permanent("a stack.deploy task needs a target"))?;
        let Some(subject) = self.store.stack_subject(target).await.map_err(store_err)? else {
            // Deleted since: its stack.delete task takes care of the stack.
            return Ok(serde_json::json!({ "skipped": "the target was deleted" }));
        };
        let progress = TaskProgress {
            store: self.store.clone(),
            task,
            target: Some(target),
        };
        let report = match self.deployer.deploy(&subject, &progress).await {
            Ok(r) => r,
            Err(e) => {
                // The deploy could not run (or stopped): the row says why; the status stays
                // what CloudFormation last reported.
                let last = self
                    .store
                    .stack_for_target(target)
                    .await
                    .map_err(store_err)?;
                if let Some(stack) = last {
                    let events = serde_json::from_value(stack.events).unwrap_or_default();
                    let update = StackUpdate {
                        status: stack.status,
                        events,
                        outputs: None,
                        error: Some(e.message.clone()),
                    };
                    self.store
                        .record_stack(target, &update)
                        .await
                        .map_err(store_err)?;
                }
                return Err(e);
            }
        };
        let update = StackUpdate {
            status: report.status,
            events: report.events.clone(),
            outputs: Some(report.outputs.clone()),
            error: report.error.clone(),
        };
        self.store
            .record_stack(target, &update)
            .await
            .map_err(store_err)?;
        let name = subject.stack_name();
        if report.status.is_failed() {
            return Err(TaskError::permanent(format!(
                "stack {name} ended {}: {}",
                report.status.as_str(),
                report.error.as_deref().unwrap_or("no reason given")
            )));
        }
        tracing::info!(stack = %name, status = report.status.as_str(), executed = report.executed, "stack deployed");
        Ok(serde_json::json!({
            "stack": name,
            "status": report.status.as_str(),
            "executed": report.executed,
            "outputs": report.outputs,
        }))
    }

    async fn run_delete(&self, task: &Task) -> std::result::Result<serde_json::Value, TaskError> {
        let subject: StackSubject = serde_json::from_value(task.payload.clone()).map_err(|e| {
            TaskError::permanent(format!("a stack.delete task carries its subject: {e}"))
        })?;
        let progress = TaskProgress {
            store: self.store.clone(),
            task,
            target: None,
        };
        let report = self.deployer.delete(&subject, &progress).await?;
        let name = subject.stack_name();
        if report.status != StackStatus::DeleteComplete {
            return Err(TaskError::permanent(format!(
                "stack {name} ended {}: {}",
                report.status.as_str(),
                report.error.as_deref().unwrap_or("no reason given")
            )));
        }
        Ok(serde_json::json!({
            "stack": name,
            "status": report.status.as_str(),
            "retained": retained(&report.events),
        }))
    }
}

/// The resources a delete left in place (CloudFormation's `DELETE_SKIPPED`: the `Retain`
/// policy on data).
fn retained(events: &[StackEvent]) -> Vec<String> {
    events
        .iter()
        .filter(|e| e.status == "DELETE_SKIPPED")
        .map(|e| format!("{} ({})", e.logical_id, e.resource_type))
        .collect()
}

#[async_trait]
impl TaskHandler for StackHandler {
    fn kind(&self) -> &'static str {
        self.kind
    }

    async fn run(&self, task: &Task) -> std::result::Result<serde_json::Value, TaskError> {
        match self.kind {
            STACK_DEPLOY_KIND => self.run_deploy(task).await,
            STACK_CHECK_KIND => self.run_check(task).await,
            _ => self.run_delete(task).await,
        }
    }
}

/// Reports a deploy's progress: the status and events on the stack row (a deploy only; a
/// deleted target has no row) and a renewed lease on the task.
struct TaskProgress<'a> {
    store: Arc<dyn CatalogStore>,
    task: &'a Task,
    target: Option<&'a str>,
}

#[async_trait]
impl StackProgress for TaskProgress<'_> {
    async fn report(&self, status: StackStatus, events: &[StackEvent]) -> Result<()> {
        let progress = serde_json::json!({ "status": status.as_str(), "events": events.len() });
        self.store
            .progress(&self.task.id, self.task.attempts, &progress, STACK_LEASE)
            .await?;
        if let Some(target) = self.target {
            let update = StackUpdate {
                status,
                events: events.to_vec(),
                outputs: None,
                error: None,
            };
            self.store.record_stack(target, &update).await?;
        }
        Ok(())
    }
}

/// The embedded default's deployer: the local lake is a directory, one folder per
/// environment (`<root>/<environment id>`) and per dataset inside it (`…/<dataset slug>`),
/// where tables' files go. A deploy makes the folder and records what it made in a
/// `.lakecat-stack.json` beside the data; deploying again with nothing changed executes
/// nothing. A delete removes that record and keeps the data, as CloudFormation's `Retain`
/// keeps a bucket.
pub struct LocalStackDeployer {
    root: PathBuf,
}

/// What a local "stack" made, kept in its folder.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct LocalStackRecord {
    status: StackStatus,
    outputs: BTreeMap<String, String>,
}

const RECORD: &str = ".lakecat-stack.json";

impl LocalStackDeployer {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        LocalStackDeployer { root: root.into() }
    }

    /// Where a subject's data lives.
    pub fn folder(&self, subject: &StackSubject) -> PathBuf {
        let env = self.root.join(subject.environment().id.as_str());
        match subject {
            StackSubject::Environment { .. } => env,
            StackSubject::Dataset { dataset, .. } => env.join(dataset.slug.as_str()),
        }
    }

    fn outputs(&self, subject: &StackSubject, folder: &Path) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        out.insert("Location".to_owned(), folder.display().to_string());
        match subject {
            StackSubject::Environment { teams, .. } => {
                out.insert(
                    "Teams".to_owned(),
                    teams
                        .iter()
                        .map(|t| t.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                );
            }
            StackSubject::Dataset { dataset, .. } => {
                out.insert("BucketName".to_owned(), dataset.aws.bucket.clone());
                out.insert(
                    "GlueDatabaseName".to_owned(),
                    dataset.aws.glue_database.clone(),
                );
            }
        }
        out
    }

    fn event(subject: &StackSubject, status: &str, reason: Option<String>) -> StackEvent {
        let logical_id = match subject {
            StackSubject::Environment { .. } => "EnvironmentFolder",
            StackSubject::Dataset { .. } => "DatasetFolder",
        };
        StackEvent {
            timestamp: Utc::now(),
            logical_id: logical_id.to_owned(),
            resource_type: "Local::Folder".to_owned(),
            status: status.to_owned(),
            reason,
        }
    }
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> TaskError {
    let message = format!("cannot {what} {}: {e}", path.display());
    match e.kind() {
        std::io::ErrorKind::PermissionDenied | std::io::ErrorKind::ReadOnlyFilesystem => {
            TaskError::permanent(message)
        }
        _ => TaskError::retryable(message),
    }
}

#[async_trait]
impl StackDeployer for LocalStackDeployer {
    async fn deploy(
        &self,
        subject: &StackSubject,
        progress: &dyn StackProgress,
    ) -> std::result::Result<StackReport, TaskError> {
        let folder = self.folder(subject);
        let record_path = folder.join(RECORD);
        let outputs = self.outputs(subject, &folder);
        let before: Option<LocalStackRecord> = match tokio::fs::read(&record_path).await {
            Ok(bytes) => serde_json::from_slice(&bytes).ok(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_err("read", &record_path, e)),
        };
        if let Some(before) = &before
            && before.outputs == outputs
            && before.status.is_complete()
            && tokio::fs::metadata(&folder).await.is_ok()
        {
            return Ok(StackReport {
                status: before.status,
                outputs,
                events: vec![],
                error: None,
                executed: false,
            });
        }
        let (doing, done) = if before.is_some() {
            (StackStatus::UpdateInProgress, StackStatus::UpdateComplete)
        } else {
            (StackStatus::CreateInProgress, StackStatus::CreateComplete)
        };
        let mut events = vec![Self::event(subject, doing.as_str(), None)];
        progress
            .report(doing, &events)
            .await
            .map_err(|e| TaskError::retryable(e.message))?;
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(|e| io_err("create", &folder, e))?;
        let record = LocalStackRecord {
            status: done,
            outputs: outputs.clone(),
        };
        let bytes = serde_json::to_vec_pretty(&record)
            .map_err(|e| TaskError::permanent(format!("cannot write the stack record: {e}")))?;
        // Written whole then renamed: a crash leaves the old record or the new, never half.
        let tmp = folder.join(format!("{RECORD}.tmp"));
        tokio::fs::write(&tmp, bytes)
            .await
            .map_err(|e| io_err("write", &tmp, e))?;
        tokio::fs::rename(&tmp, &record_path)
            .await
            .map_err(|e| io_err("write", &record_path, e))?;
        events.push(Self::event(
            subject,
            done.as_str(),
            Some(format!("folder {}", folder.display())),
        ));
        Ok(StackReport {
            status: done,
            outputs,
            events,
            error: None,
            executed: true,
        })
    }

    async fn delete(
        &self,
        subject: &StackSubject,
        _progress: &dyn StackProgress,
    ) -> std::result::Result<StackReport, TaskError> {
        let folder = self.folder(subject);
        let record_path = folder.join(RECORD);
        match tokio::fs::remove_file(&record_path).await {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(io_err("remove", &record_path, e)),
        }
        let events = vec![Self::event(
            subject,
            "DELETE_SKIPPED",
            Some(format!("data kept in {}", folder.display())),
        )];
        Ok(StackReport {
            status: StackStatus::DeleteComplete,
            outputs: BTreeMap::new(),
            events,
            error: None,
            executed: true,
        })
    }

    /// The environment's folder can be made and written to (a probe file is written and
    /// removed): what a deploy into it will need.
    async fn check_access(
        &self,
        environment: &lakecat_core::catalog::Environment,
    ) -> std::result::Result<String, TaskError> {
        let folder = self.root.join(environment.id.as_str());
        tokio::fs::create_dir_all(&folder)
            .await
            .map_err(|e| io_err("create", &folder, e))?;
        let probe = folder.join(".lakecat-check");
        tokio::fs::write(&probe, b"lakecat can write here\n")
            .await
            .map_err(|e| io_err("write to", &probe, e))?;
        tokio::fs::remove_file(&probe)
            .await
            .map_err(|e| io_err("remove", &probe, e))?;
        Ok(folder.display().to_string())
    }
}
