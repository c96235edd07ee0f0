//! The share workflow through the API on a real database, with the worker's share handler
//! and the embedded default's lake adapter: request → items → submit → approve → grant →
//! revoke → delete, the decisions' permissions, notifications, expiry, extension, and every
//! bad input refused with its code and nothing written.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

mod common;

use std::sync::Arc;

use chrono::{Duration, Utc};
use common::{Fixture, admin, caller};
use lakecat_core::caller::Caller;
use lakecat_core::ports::CatalogStore;
use lakecat_core::shares::{SHARE_TASK_KIND, ShareProcessor};
use lakecat_core::tasks::TaskQueue;
use lakecat_testkit::Backend;
use lakecat_worker::{InProcessQueue, LocalLakeProcessor, ShareExpiry, ShareHandler};
use serde_json::Value;

fn guest() -> Option<Caller> {
    Some(caller("gus", &["guests"], false))
}
fn steward() -> Option<Caller> {
    Some(caller("stella", &["stewards"], false))
}
fn owner() -> Option<Caller> {
    Some(caller("olga", &["owners"], false))
}
fn outsider() -> Option<Caller> {
    Some(caller("otto", &["outsiders"], false))
}

const SHARE: &str = "id status version teamName principalRoleArn rejectReason expiresAt requestedExpiry
    items { id itemType targetId status error consumption { glueDatabase glueTable bucket s3Prefix s3Uri } }";

impl Fixture {
    fn store_arc(&self) -> Arc<dyn CatalogStore> {
        Arc::new(self.store().clone())
    }

    /// Runs every pending share task with the local lake adapter, as the worker would.
    async fn run_share_tasks(&self, share_id: &str) -> Vec<Value> {
        let store = self.store_arc();
        let handler = ShareHandler::new(
            store.clone(),
            Arc::new(LocalLakeProcessor::new(store.clone())),
        );
        let tasks = store
            .list_tasks(
                share_id,
                &lakecat_core::page::PageRequest {
                    first: 100,
                    after: None,
                },
            )
            .await
            .unwrap();
        let mut out = vec![];
        for t in tasks.items.into_iter().map(|(_, t)| t) {
            if t.kind == SHARE_TASK_KIND && t.status == lakecat_core::catalog::TaskStatus::Pending {
                let claimed = store
                    .claim(&t.id, std::time::Duration::from_secs(60))
                    .await
                    .unwrap()
                    .unwrap();
                let r = handler.process(t.id.as_str(), share_id).await.unwrap();
                store
                    .finish(
                        &t.id,
                        claimed.attempt,
                        &lakecat_core::tasks::TaskOutcome::Succeeded(r.clone()),
                    )
                    .await
                    .unwrap();
                out.push(r);
            }
        }
        out
    }

    async fn share(&self, who: Option<Caller>, id: &str) -> Value {
        let q = format!(r#"{{ shareRequest(id: "{id}") {{ {SHARE} }} }}"#);
        self.ok(who, &q).await["shareRequest"].clone()
    }

    async fn create_share(&self, who: Option<Caller>, extra: &str) -> Value {
        let q = format!(
            r#"mutation {{ createShareRequest(input: {{datasetId: "{}", environmentId: "{}", teamName: "guests", purpose: "churn model" {extra}}}) {{ {SHARE} }} }}"#,
            self.id("dataset"),
            self.id("env")
        );
        self.ok(who, &q).await["createShareRequest"].clone()
    }

    async fn act(&self, who: Option<Caller>, field: &str, input: &str) -> Value {
        let q = format!(r#"mutation {{ {field}(input: {{{input}}}) {{ {SHARE} }} }}"#);
        self.ok(who, &q).await[field].clone()
    }

    async fn notification_kinds(&self, who: Option<Caller>) -> Vec<String> {
        let n = self
            .ok(who, "{ notifications(first: 100) { nodes { kind } } }")
            .await;
        n["notifications"]["nodes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["kind"].as_str().unwrap().to_owned())
            .collect()
    }

    async fn lake_grants(&self) -> Vec<Value> {
        let q = format!(
            r#"{{ lakeGrants(datasetId: "{}") {{ itemId itemType resource access principal }} }}"#,
            self.id("dataset")
        );
        self.ok(owner(), &q).await["lakeGrants"]
            .as_array()
            .unwrap()
            .clone()
    }
}

fn statuses(share: &Value) -> Vec<String> {
    share["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap().to_owned())
        .collect()
}

async fn request_grant_revoke_delete(b: Backend) {
    let f = Fixture::new(b).await;
    let share = f.create_share(guest(), "").await;
    let id = share["id"].as_str().unwrap().to_owned();
    assert_eq!(share["status"], "DRAFT");
    assert_eq!(share["teamName"], "guests");
    assert!(
        share["principalRoleArn"]
            .as_str()
            .unwrap()
            .starts_with("arn:aws:iam::123456789012:role/")
    );
    // Creating again reuses the open request.
    assert_eq!(f.create_share(guest(), "").await["id"], id.as_str());

    let (tbl, fld) = (f.id("table"), f.id("folder"));
    f.act(
        guest(),
        "addShareItem",
        &format!(r#"shareId: "{id}", itemType: TABLE, itemId: "{tbl}""#),
    )
    .await;
    f.act(
        guest(),
        "addShareItem",
        &format!(r#"shareId: "{id}", itemType: FOLDER, itemId: "{fld}""#),
    )
    .await;
    let s = f
        .act(
            guest(),
            "addShareItem",
            &format!(r#"shareId: "{id}", itemType: BUCKET"#),
        )
        .await;
    assert_eq!(statuses(&s), ["PENDING_APPROVAL"; 3]);

    let s = f
        .act(
            guest(),
            "submitShareRequest",
            &format!(r#"shareId: "{id}""#),
        )
        .await;
    assert_eq!(s["status"], "SUBMITTED");
    assert!(
        f.notification_kinds(owner())
            .await
            .contains(&"SHARE_SUBMITTED".to_owned())
    );

    // The approvers see it as received; the requesters as sent; an outsider sees nothing.
    let recv = f
        .ok(
            steward(),
            r#"{ sharesReceived(filter: {status: SUBMITTED}) { totalCount nodes { id } } }"#,
        )
        .await;
    assert_eq!(recv["sharesReceived"]["totalCount"], 1);
    let sent = f.ok(guest(), "{ sharesSent { nodes { id } } }").await;
    assert_eq!(sent["sharesSent"]["nodes"][0]["id"], id.as_str());
    let none = f
        .ok(
            outsider(),
            "{ sharesSent { totalCount } sharesReceived { totalCount } }",
        )
        .await;
    assert_eq!(none["sharesSent"]["totalCount"], 0);
    assert_eq!(none["sharesReceived"]["totalCount"], 0);
    let r = f
        .run(
            outsider(),
            &format!(r#"{{ shareRequest(id: "{id}") {{ id }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["NOT_FOUND"]);

    let s = f
        .act(
            steward(),
            "approveShareRequest",
            &format!(r#"shareId: "{id}""#),
        )
        .await;
    assert_eq!(s["status"], "APPROVED");
    assert_eq!(statuses(&s), ["SHARE_APPROVED"; 3]);
    let results = f.run_share_tasks(&id).await;
    assert_eq!(results.len(), 1, "one task per approval");
    let s = f.share(guest(), &id).await;
    assert_eq!(s["status"], "PROCESSED");
    assert_eq!(statuses(&s), ["SHARE_SUCCEEDED"; 3]);
    // The consumption view says how to query each item.
    let table_item = s["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["itemType"] == "TABLE")
        .unwrap();
    assert_eq!(table_item["consumption"]["glueTable"], "sales_orders");
    let folder_item = s["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["itemType"] == "FOLDER")
        .unwrap();
    assert_eq!(folder_item["consumption"]["s3Prefix"], "raw/");
    let grants = f.lake_grants().await;
    assert_eq!(grants.len(), 3);
    assert!(
        grants
            .iter()
            .all(|g| g["access"] == "READ" && g["principal"] == s["principalRoleArn"])
    );
    for kind in ["SHARE_APPROVED", "SHARE_SUCCEEDED"] {
        assert!(
            f.notification_kinds(guest())
                .await
                .contains(&kind.to_owned()),
            "{kind}"
        );
        assert!(
            f.notification_kinds(owner())
                .await
                .contains(&kind.to_owned()),
            "{kind}"
        );
    }
    // A task run again (a duplicate delivery) changes nothing.
    let again = ShareHandler::new(
        f.store_arc(),
        Arc::new(LocalLakeProcessor::new(f.store_arc())),
    )
    .process("task_dup", &id)
    .await
    .unwrap();
    assert_eq!(again["processed"], 0);

    // Deleting is refused while access is held.
    let r = f
        .run(
            guest(),
            &format!(r#"mutation {{ deleteShareRequest(input: {{shareId: "{id}"}}) {{ id }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["CONFLICT"]);

    // Revoke the table only: the other grants stay.
    let table_item_id = table_item["id"].as_str().unwrap();
    let s = f
        .act(
            owner(),
            "revokeShareItems",
            &format!(r#"shareId: "{id}", itemIds: ["{table_item_id}"]"#),
        )
        .await;
    assert_eq!(s["status"], "REVOKED");
    f.run_share_tasks(&id).await;
    let s = f.share(guest(), &id).await;
    assert_eq!(s["status"], "PROCESSED");
    let mut st = statuses(&s);
    st.sort();
    assert_eq!(
        st,
        ["REVOKE_SUCCEEDED", "SHARE_SUCCEEDED", "SHARE_SUCCEEDED"]
    );
    let grants = f.lake_grants().await;
    assert_eq!(grants.len(), 2);
    assert!(grants.iter().all(|g| g["itemType"] != "TABLE"));

    // The requesting team may give up the rest of its access itself, then delete.
    f.act(guest(), "revokeShareItems", &format!(r#"shareId: "{id}""#))
        .await;
    f.run_share_tasks(&id).await;
    assert!(f.lake_grants().await.is_empty());
    let s = f
        .act(
            guest(),
            "deleteShareRequest",
            &format!(r#"shareId: "{id}""#),
        )
        .await;
    assert_eq!(s["status"], "DELETED");
    // Acting on a deleted request is a conflict and changes nothing.
    let before = f.row_counts().await;
    let r = f.run(guest(), &format!(r#"mutation {{ addShareItem(input: {{shareId: "{id}", itemType: BUCKET}}) {{ id }} }}"#)).await;
    assert_eq!(Fixture::codes(&r), ["CONFLICT"]);
    assert_eq!(before, f.row_counts().await);
    // A new request can be opened once the old one is deleted.
    assert_ne!(f.create_share(guest(), "").await["id"], id.as_str());
}

async fn decisions_belong_to_approvers(b: Backend) {
    let f = Fixture::new(b).await;
    let id = f.create_share(guest(), "").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.act(
        guest(),
        "addShareItem",
        &format!(r#"shareId: "{id}", itemType: BUCKET"#),
    )
    .await;
    f.act(
        guest(),
        "submitShareRequest",
        &format!(r#"shareId: "{id}""#),
    )
    .await;
    let before = f.row_counts().await;
    // The requester cannot approve; an outsider cannot even see the request.
    let r = f
        .run(
            guest(),
            &format!(r#"mutation {{ approveShareRequest(input: {{shareId: "{id}"}}) {{ id }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["FORBIDDEN"]);
    let r = f
        .run(
            outsider(),
            &format!(r#"mutation {{ approveShareRequest(input: {{shareId: "{id}"}}) {{ id }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["NOT_FOUND"]);
    // A member of both the requesting team and the stewards still cannot decide.
    let both = Some(caller("bo", &["guests", "stewards"], false));
    let r = f
        .run(
            both,
            &format!(r#"mutation {{ approveShareRequest(input: {{shareId: "{id}"}}) {{ id }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["FORBIDDEN"]);
    // Approvers cannot add items to someone else's request.
    let r = f.run(owner(), &format!(r#"mutation {{ addShareItem(input: {{shareId: "{id}", itemType: TABLE, itemId: "{}"}}) {{ id }} }}"#, f.id("table"))).await;
    assert_eq!(Fixture::codes(&r), ["FORBIDDEN"]);
    // A rejection needs a reason.
    let r = f.run(owner(), &format!(r#"mutation {{ rejectShareRequest(input: {{shareId: "{id}", reason: "  "}}) {{ id }} }}"#)).await;
    assert_eq!(Fixture::codes(&r), ["BAD_USER_INPUT"]);
    assert_eq!(before, f.row_counts().await);
    let s = f
        .act(
            owner(),
            "rejectShareRequest",
            &format!(r#"shareId: "{id}", reason: "no PII outside the team""#),
        )
        .await;
    assert_eq!(s["status"], "REJECTED");
    assert_eq!(s["rejectReason"], "no PII outside the team");
    assert_eq!(statuses(&s), ["SHARE_REJECTED"]);
    assert!(
        f.notification_kinds(guest())
            .await
            .contains(&"SHARE_REJECTED".to_owned())
    );
    // Rejected items can be asked for again, and the request resubmitted.
    let s = f
        .act(
            guest(),
            "addShareItem",
            &format!(r#"shareId: "{id}", itemType: BUCKET"#),
        )
        .await;
    assert_eq!(
        (s["status"].as_str(), statuses(&s)),
        (Some("DRAFT"), vec!["PENDING_APPROVAL".to_owned()])
    );
    assert_eq!(
        f.act(
            guest(),
            "submitShareRequest",
            &format!(r#"shareId: "{id}""#)
        )
        .await["status"],
        "SUBMITTED"
    );
}

async fn bad_input_changes_nothing(b: Backend) {
    let f = Fixture::new(b).await;
    let a = Some(admin());
    // A second dataset with a folder: its items do not belong in the first one's request.
    let other = f.ok(a.clone(), &format!(r#"mutation {{ createDataset(input: {{environmentId: "{}", label: "Other", ownerTeam: "owners"}}) {{ id }} }}"#, f.id("env"))).await;
    let other = other["createDataset"]["id"].as_str().unwrap().to_owned();
    let other_folder = f.ok(a.clone(), &format!(r#"mutation {{ createFolder(input: {{datasetId: "{other}", label: "X", prefix: "x/"}}) {{ id }} }}"#)).await;
    let other_folder = other_folder["createFolder"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let id = f.create_share(guest(), "").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let past = (Utc::now() - Duration::days(1)).to_rfc3339();
    let cases: Vec<(Option<Caller>, String, &str, &str)> = vec![
        (
            guest(),
            format!(
                r#"addShareItem(input: {{shareId: "{id}", itemType: FOLDER, itemId: "{other_folder}"}})"#
            ),
            "BAD_USER_INPUT",
            "input.itemId",
        ),
        (
            guest(),
            format!(
                r#"addShareItem(input: {{shareId: "{id}", itemType: FOLDER, itemId: "fld_01JAAAAAAAAAAAAAAAAAAAAAAA"}})"#
            ),
            "BAD_USER_INPUT",
            "input.itemId",
        ),
        (
            guest(),
            format!(
                r#"addShareItem(input: {{shareId: "{id}", itemType: TABLE, itemId: "{}"}})"#,
                f.id("folder")
            ),
            "BAD_USER_INPUT",
            "input.itemId",
        ),
        (
            guest(),
            format!(
                r#"addShareItem(input: {{shareId: "{id}", itemType: BUCKET, itemId: "{}"}})"#,
                f.id("dataset")
            ),
            "BAD_USER_INPUT",
            "input.itemId",
        ),
        (
            guest(),
            format!(
                r#"addShareItem(input: {{shareId: "{id}", itemType: TABLE, itemId: "tbl_01JAAAAAAAAAAAAAAAAAAAAAAA"}})"#
            ),
            "BAD_USER_INPUT",
            "input.itemId",
        ),
        (
            guest(),
            format!(
                r#"createShareRequest(input: {{datasetId: "{}", environmentId: "{}", teamName: "guests", expiresAt: "{past}"}})"#,
                f.id("dataset"),
                f.id("env")
            ),
            "BAD_USER_INPUT",
            "input.expiresAt",
        ),
        (
            owner(),
            format!(
                r#"createShareRequest(input: {{datasetId: "{}", environmentId: "{}", teamName: "owners"}})"#,
                f.id("dataset"),
                f.id("env")
            ),
            "BAD_USER_INPUT",
            "input.teamName",
        ),
        (
            guest(),
            format!(
                r#"createShareRequest(input: {{datasetId: "{}", environmentId: "{}", teamName: "owners"}})"#,
                f.id("dataset"),
                f.id("env")
            ),
            "BAD_USER_INPUT",
            "input.teamName",
        ),
        (
            outsider(),
            format!(
                r#"createShareRequest(input: {{datasetId: "{}", environmentId: "{}", teamName: "outsiders"}})"#,
                f.id("dataset"),
                f.id("env")
            ),
            "FORBIDDEN",
            "",
        ),
        (
            guest(),
            format!(r#"submitShareRequest(input: {{shareId: "{id}"}})"#),
            "CONFLICT",
            "",
        ),
        (
            guest(),
            format!(
                r#"revokeShareItems(input: {{shareId: "{id}", itemIds: ["shi_01JAAAAAAAAAAAAAAAAAAAAAAA"]}})"#
            ),
            "BAD_USER_INPUT",
            "input.itemIds[0]",
        ),
        (
            guest(),
            format!(r#"requestShareExtension(input: {{shareId: "{id}", expiresAt: "{past}"}})"#),
            "BAD_USER_INPUT",
            "input.expiresAt",
        ),
        (
            guest(),
            r#"submitShareRequest(input: {shareId: "not-an-id"})"#.to_owned(),
            "BAD_USER_INPUT",
            "input.shareId",
        ),
    ];
    for (who, m, code, field) in cases {
        let before = f.row_counts().await;
        let r = f.run(who, &format!("mutation {{ x: {m} {{ id }} }}")).await;
        assert_eq!(Fixture::codes(&r), [code], "{m}: {:?}", r.errors);
        if !field.is_empty() {
            let got = r.errors[0]
                .extensions
                .as_ref()
                .and_then(|e| e.get("field"))
                .map(|v| v.to_string());
            assert_eq!(
                got.as_deref().map(|s| s.trim_matches('"')),
                Some(field),
                "{m}"
            );
        }
        assert_eq!(before, f.row_counts().await, "{m} wrote something");
    }
}

async fn auto_approval_expiry_and_extension(b: Backend) {
    let f = Fixture::new(b).await;
    f.ok(owner(), &format!(r#"mutation {{ updateDataset(input: {{id: "{}", expectedVersion: 1, autoApproval: true}}) {{ id }} }}"#, f.id("dataset"))).await;
    let soon = (Utc::now() + Duration::days(3)).to_rfc3339();
    let id = f
        .create_share(guest(), &format!(r#", expiresAt: "{soon}""#))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.act(
        guest(),
        "addShareItem",
        &format!(
            r#"shareId: "{id}", itemType: TABLE, itemId: "{}""#,
            f.id("table")
        ),
    )
    .await;
    // Auto-approval: submitting approves at once.
    let s = f
        .act(
            guest(),
            "submitShareRequest",
            &format!(r#"shareId: "{id}""#),
        )
        .await;
    assert_eq!(s["status"], "APPROVED");
    f.run_share_tasks(&id).await;
    assert_eq!(f.share(guest(), &id).await["status"], "PROCESSED");

    let (queue, _rx) = InProcessQueue::new();
    let queue: Arc<dyn TaskQueue> = Arc::new(queue);
    let expiry = ShareExpiry::new(f.store_arc(), queue);
    // Within a week of the expiry: one reminder to both sides, once.
    let s1 = expiry.run(Utc::now()).await.unwrap();
    let s2 = expiry.run(Utc::now()).await.unwrap();
    assert_eq!((s1.reminded, s2.reminded), (1, 0));
    assert!(
        f.notification_kinds(guest())
            .await
            .contains(&"SHARE_EXPIRING".to_owned())
    );
    assert!(
        f.notification_kinds(owner())
            .await
            .contains(&"SHARE_EXPIRING".to_owned())
    );

    // An extension, approved: the new expiry holds and a new reminder will come.
    let later = Utc::now() + Duration::days(30);
    let s = f
        .act(
            guest(),
            "requestShareExtension",
            &format!(r#"shareId: "{id}", expiresAt: "{}""#, later.to_rfc3339()),
        )
        .await;
    assert_eq!(s["status"], "SUBMITTED_FOR_EXTENSION");
    assert_eq!(statuses(&s), ["PENDING_EXTENSION"]);
    let s = f
        .act(
            steward(),
            "approveShareExtension",
            &format!(r#"shareId: "{id}""#),
        )
        .await;
    assert_eq!(s["status"], "PROCESSED");
    assert_eq!(statuses(&s), ["SHARE_SUCCEEDED"]);
    let stored: chrono::DateTime<Utc> = s["expiresAt"].as_str().unwrap().parse().unwrap();
    assert!((stored - later).num_seconds().abs() < 1);

    // Past the expiry: revoked automatically, and the grant is gone once processed.
    let s = expiry.run(later + Duration::hours(1)).await.unwrap();
    assert_eq!(s.expired, 1);
    assert_eq!(f.share(guest(), &id).await["status"], "REVOKED");
    f.run_share_tasks(&id).await;
    let s = f.share(guest(), &id).await;
    assert_eq!(
        (s["status"].as_str(), statuses(&s)),
        (Some("PROCESSED"), vec!["REVOKE_SUCCEEDED".to_owned()])
    );
    assert!(f.lake_grants().await.is_empty());
    assert!(
        f.notification_kinds(guest())
            .await
            .contains(&"SHARE_EXPIRED".to_owned())
    );
}

/// A worker that dies after granting the first of several items: the retry grants the rest,
/// and every item ends granted exactly once.
async fn crash_after_first_grant_is_completed_by_the_retry(b: Backend) {
    use lakecat_core::shares::{Consumption, ShareItemGrant};
    use lakecat_core::tasks::TaskError;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct CrashAfterFirst {
        inner: LocalLakeProcessor,
        calls: AtomicUsize,
    }
    #[async_trait::async_trait]
    impl ShareProcessor for CrashAfterFirst {
        async fn grant(&self, g: &ShareItemGrant) -> Result<Consumption, TaskError> {
            let n = self.calls.fetch_add(1, Ordering::SeqCst);
            let c = self.inner.grant(g).await?;
            if n == 1 {
                // The second grant happened on the lake, then the worker died before recording it.
                return Err(TaskError::retryable("worker lost its connection"));
            }
            Ok(c)
        }
        async fn revoke(&self, g: &ShareItemGrant) -> Result<(), TaskError> {
            self.inner.revoke(g).await
        }
    }

    let f = Fixture::new(b).await;
    let id = f.create_share(guest(), "").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.act(
        guest(),
        "addShareItem",
        &format!(
            r#"shareId: "{id}", itemType: TABLE, itemId: "{}""#,
            f.id("table")
        ),
    )
    .await;
    f.act(
        guest(),
        "addShareItem",
        &format!(
            r#"shareId: "{id}", itemType: FOLDER, itemId: "{}""#,
            f.id("folder")
        ),
    )
    .await;
    f.act(
        guest(),
        "addShareItem",
        &format!(r#"shareId: "{id}", itemType: BUCKET"#),
    )
    .await;
    f.act(
        guest(),
        "submitShareRequest",
        &format!(r#"shareId: "{id}""#),
    )
    .await;
    f.act(
        owner(),
        "approveShareRequest",
        &format!(r#"shareId: "{id}""#),
    )
    .await;
    let store = f.store_arc();
    let processor = Arc::new(CrashAfterFirst {
        inner: LocalLakeProcessor::new(store.clone()),
        calls: AtomicUsize::new(0),
    });
    let handler = ShareHandler::new(store.clone(), processor.clone());
    let err = handler.process("t1", &id).await.unwrap_err();
    assert!(err.retryable);
    let s = f.share(guest(), &id).await;
    assert_eq!(s["status"], "SHARE_IN_PROGRESS");
    assert_eq!(
        statuses(&s),
        ["SHARE_SUCCEEDED", "SHARE_IN_PROGRESS", "SHARE_IN_PROGRESS"]
    );
    // The retry takes up where the crash left off.
    let r = handler.process("t1", &id).await.unwrap();
    assert_eq!(r["processed"], 2);
    let s = f.share(guest(), &id).await;
    assert_eq!(s["status"], "PROCESSED");
    assert_eq!(statuses(&s), ["SHARE_SUCCEEDED"; 3]);
    // Four grant calls for three items (the second re-applied), one grant per item in effect.
    assert_eq!(processor.calls.load(Ordering::SeqCst), 4);
    let grants = f.lake_grants().await;
    let mut items: Vec<&str> = grants
        .iter()
        .map(|g| g["itemId"].as_str().unwrap())
        .collect();
    items.dedup();
    assert_eq!(items.len(), 3);
    assert_eq!(grants.len(), 3);
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod postgres { $(#[tokio::test] async fn $name() { super::$name(super::Backend::Postgres).await })* }
        mod sqlite { $(#[tokio::test] async fn $name() { super::$name(super::Backend::Sqlite).await })* }
    };
}

on_both_backends!(
    request_grant_revoke_delete,
    decisions_belong_to_approvers,
    bad_input_changes_nothing,
    auto_approval_expiry_and_extension,
    crash_after_first_grant_is_completed_by_the_retry,
    failures_are_contained,
);

/// Failures end cleanly: a failed grant may be partial, so it is revoked before the request
/// goes; a task on its last attempt fails its items instead of leaving them in progress; an
/// expiry is acted on once; a request past its expiry is not approved.
async fn failures_are_contained(b: Backend) {
    use lakecat_core::shares::{Consumption, ShareItemGrant};
    use lakecat_core::tasks::{TaskError, TaskHandler};
    use sea_orm::ConnectionTrait;

    /// Grants fail (retryably or not); revokes work.
    struct Failing {
        retryable: bool,
        inner: LocalLakeProcessor,
    }
    #[async_trait::async_trait]
    impl ShareProcessor for Failing {
        async fn grant(&self, _: &ShareItemGrant) -> Result<Consumption, TaskError> {
            Err(TaskError {
                retryable: self.retryable,
                message: "AccessDenied on PutBucketPolicy".into(),
            })
        }
        async fn revoke(&self, g: &ShareItemGrant) -> Result<(), TaskError> {
            self.inner.revoke(g).await
        }
    }

    let f = Fixture::new(b).await;
    let store = f.store_arc();
    let id = f.create_share(guest(), "").await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.act(
        guest(),
        "addShareItem",
        &format!(r#"shareId: "{id}", itemType: BUCKET"#),
    )
    .await;
    f.act(
        guest(),
        "submitShareRequest",
        &format!(r#"shareId: "{id}""#),
    )
    .await;
    f.act(
        owner(),
        "approveShareRequest",
        &format!(r#"shareId: "{id}""#),
    )
    .await;
    let failing = |retryable| {
        ShareHandler::new(
            store.clone(),
            Arc::new(Failing {
                retryable,
                inner: LocalLakeProcessor::new(store.clone()),
            }),
        )
        .with_max_attempts(2)
    };
    // Attempt 1 of 2 fails retryably: the item stays in progress for the retry.
    let tasks = store
        .list_tasks(
            &id,
            &lakecat_core::page::PageRequest {
                first: 10,
                after: None,
            },
        )
        .await
        .unwrap();
    let task_id = tasks.items[0].1.id.clone();
    let claimed = store
        .claim(&task_id, std::time::Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    assert!(failing(true).run(&claimed.task).await.is_err());
    assert_eq!(f.share(guest(), &id).await["status"], "SHARE_IN_PROGRESS");
    // The last attempt fails too: the item fails, the request is finished, both sides hear.
    let mut last = claimed.task.clone();
    last.attempts = 2;
    assert!(failing(true).run(&last).await.is_err());
    let s = f.share(guest(), &id).await;
    assert_eq!(
        (s["status"].as_str(), statuses(&s)),
        (Some("PROCESSED"), vec!["SHARE_FAILED".to_owned()])
    );
    assert_eq!(s["items"][0]["error"], "AccessDenied on PutBucketPolicy");
    assert!(
        f.notification_kinds(guest())
            .await
            .contains(&"SHARE_FAILED".to_owned())
    );
    // A failed grant may be partial: the request cannot go, nor the item be removed, before
    // it is revoked.
    let before = f.row_counts().await;
    let r = f
        .run(
            guest(),
            &format!(r#"mutation {{ deleteShareRequest(input: {{shareId: "{id}"}}) {{ id }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["CONFLICT"]);
    let item = s["items"][0]["id"].as_str().unwrap();
    let r = f.run(guest(), &format!(r#"mutation {{ removeShareItem(input: {{shareId: "{id}", itemId: "{item}"}}) {{ id }} }}"#)).await;
    assert_eq!(Fixture::codes(&r), ["CONFLICT"]);
    assert_eq!(before, f.row_counts().await);
    f.act(guest(), "revokeShareItems", &format!(r#"shareId: "{id}""#))
        .await;
    f.run_share_tasks(&id).await;
    assert_eq!(
        f.act(
            guest(),
            "deleteShareRequest",
            &format!(r#"shareId: "{id}""#)
        )
        .await["status"],
        "DELETED"
    );

    // A request past its expiry is not approved.
    let soon = (Utc::now() + Duration::days(2)).to_rfc3339();
    let id = f
        .create_share(guest(), &format!(r#", expiresAt: "{soon}""#))
        .await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.act(
        guest(),
        "addShareItem",
        &format!(r#"shareId: "{id}", itemType: BUCKET"#),
    )
    .await;
    f.act(
        guest(),
        "submitShareRequest",
        &format!(r#"shareId: "{id}""#),
    )
    .await;
    let db = f.store().connection();
    db.execute_unprepared(&format!(
        "UPDATE share_request SET expires_at = '{}' WHERE id = '{id}'",
        (Utc::now() - Duration::hours(1)).format("%Y-%m-%d %H:%M:%S%.6f+00:00")
    ))
    .await
    .unwrap();
    let r = f
        .run(
            owner(),
            &format!(r#"mutation {{ approveShareRequest(input: {{shareId: "{id}"}}) {{ id }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["CONFLICT"], "{:?}", r.errors);
    f.act(
        owner(),
        "rejectShareRequest",
        &format!(r#"shareId: "{id}", reason: "expired""#),
    )
    .await;
    // The sweep acts on an expiry once: here nothing is granted, so it only marks it.
    let (queue, _rx) = InProcessQueue::new();
    let expiry = ShareExpiry::new(f.store_arc(), Arc::new(queue));
    assert_eq!(expiry.run(Utc::now()).await.unwrap().expired, 1);
    assert_eq!(expiry.run(Utc::now()).await.unwrap().expired, 0);
    let s = f.share(guest(), &id).await;
    assert!(s["expiresAt"].is_string(), "the expiry is kept: {s}");
}
