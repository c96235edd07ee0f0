//! Stacks through the API on a real database, with the worker and the embedded default's
//! local deployer: environments and datasets deploy when created, a redeploy with nothing
//! changed executes nothing, a failed deploy says why on the stack and tells the owner team,
//! a deleted dataset's stack is deleted and its data kept; who may read and redeploy; the
//! bootstrap template; an environment's access check; bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

mod common;

use std::sync::Arc;

use async_trait::async_trait;
use chrono::Utc;
use common::{Fixture, caller};
use lakecat_core::caller::Caller;
use lakecat_core::catalog::{StackStatus, TaskStatus};
use lakecat_core::ports::CatalogStore;
use lakecat_core::stacks::{StackDeployer, StackEvent, StackProgress, StackReport, StackSubject};
use lakecat_core::tasks::{RetryPolicy, TaskEnvelope, TaskError, TaskStore};
use lakecat_testkit::Backend;
use lakecat_worker::{InProcessQueue, LocalStackDeployer, Processed, StackHandler, Worker};
use serde_json::Value;

fn owner() -> Option<Caller> {
    Some(caller("olga", &["owners"], false))
}
fn outsider() -> Option<Caller> {
    Some(caller("otto", &["outsiders"], false))
}

const STACK: &str = "id targetId name status outputs events error";

/// Ends every create as CloudFormation does when a bucket name is taken.
struct Rollback;

#[async_trait]
impl StackDeployer for Rollback {
    async fn deploy(
        &self,
        subject: &StackSubject,
        progress: &dyn StackProgress,
    ) -> Result<StackReport, TaskError> {
        let event = |status: &str, reason: Option<&str>| StackEvent {
            timestamp: Utc::now(),
            logical_id: "DatasetBucket".into(),
            resource_type: "AWS::S3::Bucket".into(),
            status: status.into(),
            reason: reason.map(str::to_owned),
        };
        let mut events = vec![event("CREATE_IN_PROGRESS", None)];
        progress
            .report(StackStatus::CreateInProgress, &events)
            .await
            .map_err(|e| TaskError::retryable(e.message))?;
        events.push(event(
            "CREATE_FAILED",
            Some(&format!("{} already exists", subject.stack_name())),
        ));
        events.push(event("CREATE_FAILED", Some("Resource creation cancelled")));
        Ok(StackReport {
            status: StackStatus::RollbackComplete,
            outputs: Default::default(),
            error: StackReport::first_failure(&events),
            events,
            executed: true,
        })
    }

    async fn delete(
        &self,
        _subject: &StackSubject,
        _progress: &dyn StackProgress,
    ) -> Result<StackReport, TaskError> {
        Err(TaskError::permanent("not in this test"))
    }

    async fn check_access(
        &self,
        environment: &lakecat_core::catalog::Environment,
    ) -> Result<String, TaskError> {
        Err(TaskError::permanent(format!(
            "cannot assume {}: AccessDenied: not authorized to perform sts:AssumeRole",
            environment.pivot_role_arn()
        )))
    }
}

impl Fixture {
    /// Runs every pending stack task of `targets` through a worker with `deployer`.
    async fn run_stack_tasks(
        &self,
        deployer: Arc<dyn StackDeployer>,
        targets: &[String],
    ) -> Vec<Processed> {
        let store: Arc<dyn CatalogStore> = Arc::new(self.store().clone());
        let (queue, _rx) = InProcessQueue::new();
        let worker = Worker::new(store.clone(), Arc::new(queue), RetryPolicy::default())
            .with_handler(Arc::new(StackHandler::deploy(
                store.clone(),
                deployer.clone(),
            )))
            .with_handler(Arc::new(StackHandler::check(
                store.clone(),
                deployer.clone(),
            )))
            .with_handler(Arc::new(StackHandler::delete(store.clone(), deployer)));
        let mut out = vec![];
        for target in targets {
            let tasks = store
                .list_tasks(target, &lakecat_core::page::PageRequest::first(100))
                .await
                .unwrap();
            for t in tasks.items.into_iter().map(|(_, t)| t) {
                if t.kind.starts_with("stack.") && t.status == TaskStatus::Pending {
                    let envelope = TaskEnvelope::new(&t.id, &t.kind);
                    out.push(worker.process(&envelope).await.unwrap());
                }
            }
        }
        out
    }

    /// Runs the environment's pending access checks with `deployer`.
    async fn run_checks(&self, deployer: Arc<dyn StackDeployer>, env: &str) -> Vec<Processed> {
        let store: Arc<dyn CatalogStore> = Arc::new(self.store().clone());
        let (queue, _rx) = InProcessQueue::new();
        let worker = Worker::new(store.clone(), Arc::new(queue), RetryPolicy::default())
            .with_handler(Arc::new(StackHandler::check(store.clone(), deployer)));
        let tasks = store
            .list_tasks(env, &lakecat_core::page::PageRequest::first(100))
            .await
            .unwrap();
        let mut out = vec![];
        for t in tasks.items.into_iter().map(|(_, t)| t) {
            if t.kind == "stack.check" && t.status == TaskStatus::Pending {
                let envelope = TaskEnvelope::new(&t.id, &t.kind);
                out.push(worker.process(&envelope).await.unwrap());
            }
        }
        out
    }

    async fn stack(&self, who: Option<Caller>, target: &str) -> Value {
        let q = format!(r#"{{ stack(targetId: "{target}") {{ {STACK} }} }}"#);
        self.ok(who, &q).await["stack"].clone()
    }

    /// The result of the target's last task of `kind` (read from the store: a deleted
    /// dataset's tasks are not served by the API any more).
    async fn last_task_result(&self, target: &str, kind: &str) -> Value {
        let tasks = self
            .store()
            .list_tasks(target, &lakecat_core::page::PageRequest::first(100))
            .await
            .unwrap();
        let task = tasks
            .items
            .into_iter()
            .map(|(_, t)| t)
            .rev()
            .find(|t| t.kind == kind)
            .unwrap();
        serde_json::json!({ "status": task.status.as_str(), "result": task.result })
    }
}

async fn stacks_deploy_on_the_local_lake(b: Backend) {
    let f = Fixture::new(b).await;
    let lake = tempfile::tempdir().unwrap();
    let local: Arc<dyn StackDeployer> = Arc::new(LocalStackDeployer::new(lake.path()));
    let (env, ds) = (f.id("env"), f.id("dataset"));

    assert_eq!(f.stack(owner(), &ds).await["status"], "PENDING");
    let ran = f
        .run_stack_tasks(local.clone(), &[env.clone(), ds.clone()])
        .await;
    // The environment's access check and deploy, then the dataset's deploy.
    assert_eq!(ran, vec![Processed::Succeeded; 3]);

    let stack = f.stack(owner(), &ds).await;
    assert_eq!(stack["status"], "CREATE_COMPLETE");
    assert_eq!(stack["targetId"], ds.as_str());
    assert_eq!(stack["name"], format!("lakecat-{}", ds.replace('_', "-")));
    assert_eq!(stack["error"], Value::Null);
    let folder = std::path::PathBuf::from(stack["outputs"]["Location"].as_str().unwrap());
    assert!(folder.is_dir() && folder.starts_with(lake.path().join(&env)));
    let events: Vec<&str> = stack["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["status"].as_str().unwrap())
        .collect();
    assert_eq!(events, ["CREATE_IN_PROGRESS", "CREATE_COMPLETE"]);
    let q = format!(r#"{{ dataset(id: "{ds}") {{ stackStatus aws {{ bucket }} }} }}"#);
    let d = f.ok(owner(), &q).await;
    assert_eq!(d["dataset"]["stackStatus"], "CREATE_COMPLETE");
    assert_eq!(
        stack["outputs"]["BucketName"],
        d["dataset"]["aws"]["bucket"]
    );
    let q = format!(r#"{{ environment(id: "{env}") {{ stack {{ status outputs }} }} }}"#);
    let e = f.ok(owner(), &q).await;
    assert_eq!(e["environment"]["stack"]["status"], "CREATE_COMPLETE");
    assert!(
        e["environment"]["stack"]["outputs"]["Teams"]
            .as_str()
            .unwrap()
            .contains("owners")
    );

    // A redeploy with nothing changed executes nothing.
    let q = format!(r#"mutation {{ updateStack(input: {{targetId: "{ds}"}}) {{ status }} }}"#);
    assert_eq!(
        f.ok(owner(), &q).await["updateStack"]["status"],
        "CREATE_COMPLETE"
    );
    let ran = f
        .run_stack_tasks(local.clone(), std::slice::from_ref(&ds))
        .await;
    assert_eq!(ran, vec![Processed::Succeeded]);
    let last = f.last_task_result(&ds, "stack.deploy").await;
    assert_eq!(last["result"]["executed"], false);
    assert_eq!(f.stack(owner(), &ds).await["status"], "CREATE_COMPLETE");

    // Deleting the dataset deletes its stack; the data stays.
    std::fs::write(folder.join("part-0.csv"), "id\n1\n").unwrap();
    let q = format!(r#"mutation {{ deleteDataset(input: {{id: "{ds}"}}) }}"#);
    f.ok(owner(), &q).await;
    let ran = f.run_stack_tasks(local, std::slice::from_ref(&ds)).await;
    assert_eq!(ran, vec![Processed::Succeeded]);
    let last = f.last_task_result(&ds, "stack.delete").await;
    assert_eq!(last["result"]["status"], "DELETE_COMPLETE");
    assert_eq!(
        last["result"]["retained"],
        serde_json::json!(["DatasetFolder (Local::Folder)"])
    );
    assert!(folder.join("part-0.csv").is_file(), "data is retained");
}

async fn a_failed_deploy_says_why_and_tells_the_owner(b: Backend) {
    let f = Fixture::new(b).await;
    let ds = f.id("dataset");
    let ran = f
        .run_stack_tasks(Arc::new(Rollback), std::slice::from_ref(&ds))
        .await;
    let [Processed::Failed(reason)] = ran.as_slice() else {
        panic!("one failed deploy, not {ran:?}");
    };
    assert!(reason.contains("ROLLBACK_COMPLETE"), "{reason}");
    let stack = f.stack(owner(), &ds).await;
    assert_eq!(stack["status"], "ROLLBACK_COMPLETE");
    assert_eq!(
        stack["error"],
        format!(
            "DatasetBucket (AWS::S3::Bucket): lakecat-{} already exists",
            ds.replace('_', "-")
        )
    );
    assert_eq!(stack["events"].as_array().unwrap().len(), 3);
    let n = f
        .ok(
            owner(),
            "{ notifications(first: 50) { nodes { kind targetId } } }",
        )
        .await;
    assert!(
        n["notifications"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "TASK_FAILED"),
        "{n}"
    );
}

async fn who_may_read_and_redeploy_stacks(b: Backend) {
    let f = Fixture::new(b).await;
    let (env, ds, table) = (f.id("env"), f.id("dataset"), f.id("table"));
    // Readers of the dataset who hold no grant on it do not see its AWS side.
    let q = format!(r#"{{ stack(targetId: "{ds}") {{ status }} }}"#);
    assert_eq!(Fixture::codes(&f.run(outsider(), &q).await), ["FORBIDDEN"]);
    let q = format!(r#"{{ stack(targetId: "{env}") {{ status }} }}"#);
    assert_eq!(Fixture::codes(&f.run(outsider(), &q).await), ["FORBIDDEN"]);
    let before = f.row_counts().await;
    for target in [&ds, &env] {
        let q =
            format!(r#"mutation {{ updateStack(input: {{targetId: "{target}"}}) {{ status }} }}"#);
        assert_eq!(Fixture::codes(&f.run(outsider(), &q).await), ["FORBIDDEN"]);
    }
    // Stacks belong to environments and datasets only.
    for (field, q) in [
        (
            "targetId",
            format!(r#"{{ stack(targetId: "{table}") {{ status }} }}"#),
        ),
        (
            "targetId",
            r#"{ stack(targetId: "nope") { status } }"#.to_owned(),
        ),
        (
            "input.targetId",
            format!(r#"mutation {{ updateStack(input: {{targetId: "{table}"}}) {{ status }} }}"#),
        ),
    ] {
        let r = f.run(owner(), &q).await;
        assert_eq!(Fixture::codes(&r), ["BAD_USER_INPUT"], "{q}");
        let ext = r.errors[0].extensions.as_ref().unwrap();
        assert_eq!(
            ext.get("field").map(|v| v.to_string()),
            Some(format!("\"{field}\"")),
            "{q}"
        );
    }
    assert_eq!(f.row_counts().await, before, "nothing written");

    // The bootstrap template: the environment's owners only.
    let q = format!(
        r#"{{ environmentBootstrapTemplate(environmentId: "{env}") {{ stackName template missing deployCommand parameters {{ key value }} }} }}"#
    );
    assert_eq!(Fixture::codes(&f.run(outsider(), &q).await), ["FORBIDDEN"]);
    let t = f.ok(owner(), &q).await["environmentBootstrapTemplate"].clone();
    assert_eq!(
        t["missing"],
        serde_json::json!(["PlatformStackServiceRoleArn", "PlatformWorkerRoleArn"])
    );
    let body: Value = serde_json::from_str(t["template"].as_str().unwrap()).unwrap();
    assert!(body["Resources"]["PivotRole"].is_object(), "{body}");
    assert!(
        t["deployCommand"]
            .as_str()
            .unwrap()
            .starts_with("aws cloudformation deploy --region eu-west-1")
    );
}

async fn an_environment_access_check_says_whether_lakecat_can_act_there(b: Backend) {
    let f = Fixture::new(b).await;
    let env = f.id("env");
    let q = format!(
        r#"{{ environment(id: "{env}") {{ pivotRoleArn accessCheck {{ taskId status checked error requestedAt checkedAt }} }} }}"#
    );
    let read = |who| {
        let (f, q) = (&f, q.clone());
        async move { f.ok(who, &q).await["environment"].clone() }
    };
    // Registering the environment asked for a check.
    let e = read(owner()).await;
    let first = e["accessCheck"].clone();
    assert_eq!(first["status"], "PENDING");
    assert_eq!(first["checkedAt"], Value::Null);

    // Refused: the check fails for good, says what was refused, and tells the owner team.
    let ran = f.run_checks(Arc::new(Rollback), &env).await;
    assert!(matches!(ran.as_slice(), [Processed::Failed(_)]), "{ran:?}");
    let e = read(owner()).await;
    let role = e["pivotRoleArn"].as_str().unwrap();
    assert_eq!(e["accessCheck"]["status"], "FAILED");
    assert_eq!(
        e["accessCheck"]["error"],
        format!("cannot assume {role}: AccessDenied: not authorized to perform sts:AssumeRole")
    );
    assert!(e["accessCheck"]["checkedAt"].is_string());
    let n = f
        .ok(
            owner(),
            "{ notifications(first: 50) { nodes { kind targetId } } }",
        )
        .await;
    assert!(
        n["notifications"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "TASK_FAILED" && n["targetId"] == env.as_str()),
        "{n}"
    );

    // Only the environment's owners ask again; bad ids name their field; nothing written.
    let ask = format!(
        r#"mutation {{ checkEnvironmentAccess(input: {{environmentId: "{env}"}}) {{ taskId status checked }} }}"#
    );
    let before = f.row_counts().await;
    assert_eq!(
        Fixture::codes(&f.run(outsider(), &ask).await),
        ["FORBIDDEN"]
    );
    let r = f
        .run(
            owner(),
            r#"mutation { checkEnvironmentAccess(input: {environmentId: "nope"}) { status } }"#,
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["BAD_USER_INPUT"]);
    let ext = r.errors[0].extensions.as_ref().unwrap();
    assert_eq!(
        ext.get("field").map(|v| v.to_string()),
        Some("\"input.environmentId\"".to_owned())
    );
    assert_eq!(f.row_counts().await, before, "nothing written");

    // Asked again (the bootstrap was deployed meanwhile): a new check; asking while it waits
    // joins it.
    let again = f.ok(owner(), &ask).await["checkEnvironmentAccess"].clone();
    assert_eq!(again["status"], "PENDING");
    assert_ne!(again["taskId"], first["taskId"]);
    let joined = f.ok(owner(), &ask).await["checkEnvironmentAccess"].clone();
    assert_eq!(joined["taskId"], again["taskId"]);
    let lake = tempfile::tempdir().unwrap();
    let ran = f
        .run_checks(Arc::new(LocalStackDeployer::new(lake.path())), &env)
        .await;
    assert_eq!(ran, vec![Processed::Succeeded]);
    let e = read(owner()).await;
    assert_eq!(e["accessCheck"]["taskId"], again["taskId"]);
    assert_eq!(e["accessCheck"]["status"], "SUCCEEDED");
    assert_eq!(e["accessCheck"]["error"], Value::Null);
    assert_eq!(
        e["accessCheck"]["checked"],
        lake.path().join(&env).display().to_string()
    );
    // Invited teams read the answer too; outsiders do not reach the environment at all.
    let guest = Some(caller("gus", &["guests"], false));
    assert_eq!(read(guest).await["accessCheck"]["status"], "SUCCEEDED");
    assert_eq!(Fixture::codes(&f.run(outsider(), &q).await), ["FORBIDDEN"]);
}

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod postgres { $(#[tokio::test] async fn $name() { super::$name(super::Backend::Postgres).await })* }
        mod sqlite { $(#[tokio::test] async fn $name() { super::$name(super::Backend::Sqlite).await })* }
    };
}

both!(
    stacks_deploy_on_the_local_lake,
    a_failed_deploy_says_why_and_tells_the_owner,
    who_may_read_and_redeploy_stacks,
    an_environment_access_check_says_whether_lakecat_can_act_there,
);
