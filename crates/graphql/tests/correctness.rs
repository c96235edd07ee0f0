//! API correctness found wanting by the hardening review (issue 14): totals that count, the
//! selection's order in every answer, statuses as enums, refusals that name what is missing,
//! and stewards reading what concerns their glossary.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

mod common;

use async_graphql::Value;
use common::{Fixture, admin, caller};
use lakecat_testkit::Backend;

/// The response keys of an object, in the order the answer holds them.
fn keys(v: &Value) -> Vec<String> {
    match v {
        Value::Object(m) => m.keys().map(|k| k.to_string()).collect(),
        other => panic!("not an object: {other}"),
    }
}

fn field<'a>(v: &'a Value, name: &str) -> &'a Value {
    match v {
        Value::Object(m) => m.get(name).unwrap_or_else(|| panic!("no {name} in {v}")),
        other => panic!("not an object: {other}"),
    }
}

fn first(v: &Value) -> &Value {
    match v {
        Value::List(items) => items.first().expect("a non-empty list"),
        other => panic!("not a list: {other}"),
    }
}

async fn data(f: &Fixture, who: lakecat_core::caller::Caller, query: &str) -> Value {
    let r = f.run(Some(who), query).await;
    assert!(r.errors.is_empty(), "{query}\n{:?}", r.errors);
    r.data
}

#[tokio::test]
async fn answers_keep_the_selection_order_whatever_resolves_first() {
    let f = Fixture::new(Backend::Sqlite).await;
    let gus = caller("gus", &["guests"], false);
    let share = f
        .ok(
            Some(gus.clone()),
            &format!(
                r#"mutation {{ createShareRequest(input: {{datasetId: "{}", environmentId: "{}", teamName: "guests"}}) {{ id }} }}"#,
                f.id("dataset"),
                f.id("env")
            ),
        )
        .await;
    let sid = share["createShareRequest"]["id"].as_str().unwrap();
    // Fields that wait on the store or a DataLoader come first in the selection: they
    // finish last, and used to be answered last.
    let d = data(
        &f,
        gus.clone(),
        &format!(r#"{{ shareRequest(id: "{sid}") {{ items {{ status id }} id consumption {{ bucket }} status teamName }} }}"#),
    )
    .await;
    assert_eq!(
        keys(field(&d, "shareRequest")),
        ["items", "id", "consumption", "status", "teamName"]
    );
    let q = format!(
        r#"query Q {{ ds: dataset(id: "{ds}") {{ ...Late label id }} datasets(first: 5) {{ totalCount nodes {{ tableCount userRole id terms {{ approved term {{ label id }} }} label }} pageInfo {{ hasNextPage }} }} }}
           fragment Late on Dataset {{ upvotes tables {{ totalCount nodes {{ columnCount name }} }} }}"#,
        ds = f.id("dataset")
    );
    let d = data(&f, admin(), &q).await;
    assert_eq!(keys(&d), ["ds", "datasets"]);
    let ds = field(&d, "ds");
    assert_eq!(keys(ds), ["upvotes", "tables", "label", "id"]);
    assert_eq!(keys(field(ds, "tables")), ["totalCount", "nodes"]);
    assert_eq!(
        keys(first(field(field(ds, "tables"), "nodes"))),
        ["columnCount", "name"]
    );
    let list = field(&d, "datasets");
    assert_eq!(keys(list), ["totalCount", "nodes", "pageInfo"]);
    let node = first(field(list, "nodes"));
    assert_eq!(
        keys(node),
        ["tableCount", "userRole", "id", "terms", "label"]
    );
    assert_eq!(keys(first(field(node, "terms"))), ["approved", "term"]);
    assert_eq!(
        keys(field(first(field(node, "terms")), "term")),
        ["label", "id"]
    );
}

#[tokio::test]
async fn total_count_counts_every_item_not_the_page() {
    use lakecat_core::tasks::{NewTask, TaskStore};
    let f = Fixture::new(Backend::Sqlite).await;
    let ds = f.id("dataset");
    let tasks: Vec<NewTask> = (0..3)
        .map(|i| NewTask::new("sync-tables", Some(&ds), serde_json::json!({ "n": i })))
        .collect();
    f.store().enqueue(&tasks).await.unwrap();
    let all = f
        .store()
        .list_tasks(
            &ds,
            &lakecat_core::page::PageRequest {
                first: 100,
                after: None,
            },
        )
        .await
        .unwrap()
        .items
        .len() as i64;
    assert!(all >= 3, "{all}");
    let page = f
        .ok(
            Some(caller("olga", &["owners"], false)),
            &format!(r#"{{ tasks(targetId: "{ds}", first: 1) {{ totalCount nodes {{ id }} }} }}"#),
        )
        .await;
    assert_eq!(page["tasks"]["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(page["tasks"]["totalCount"], all, "{page}");
    // Every list's total leaves out what the caller may not see.
    f.ok(Some(admin()), &format!(r#"mutation {{ createDataset(input: {{environmentId: "{}", label: "Hidden", ownerTeam: "owners", visibility: RESTRICTED}}) {{ id }} }}"#, f.id("env"))).await;
    let count = async |who| {
        f.ok(Some(who), "{ datasets(first: 1) { totalCount } }")
            .await["datasets"]["totalCount"]
            .as_i64()
            .unwrap()
    };
    assert_eq!(count(caller("eve", &["outsiders"], false)).await, 1);
    assert_eq!(count(caller("olga", &["owners"], false)).await, 2);
    assert_eq!(count(admin()).await, 2);
}

#[tokio::test]
async fn statuses_are_enums_with_one_spelling_in_and_out() {
    let f = Fixture::new(Backend::Sqlite).await;
    let gus = caller("gus", &["guests"], false);
    let share = f
        .ok(
            Some(gus.clone()),
            &format!(
                r#"mutation {{ createShareRequest(input: {{datasetId: "{}", environmentId: "{}", teamName: "guests"}}) {{ id status }} }}"#,
                f.id("dataset"),
                f.id("env")
            ),
        )
        .await;
    assert_eq!(share["createShareRequest"]["status"], "DRAFT");
    let sid = share["createShareRequest"]["id"].as_str().unwrap();
    let added = f
        .ok(
            Some(gus.clone()),
            &format!(r#"mutation {{ addShareItem(input: {{shareId: "{sid}", itemType: TABLE, itemId: "{}"}}) {{ items {{ status }} }} }}"#, f.id("table")),
        )
        .await;
    assert_eq!(
        added["addShareItem"]["items"][0]["status"],
        "PENDING_APPROVAL"
    );
    // The spelling an answer uses is the one a filter takes.
    let sent = f
        .ok(
            Some(gus.clone()),
            r#"{ sharesSent(filter: {status: DRAFT}) { totalCount nodes { status } } }"#,
        )
        .await;
    assert_eq!(sent["sharesSent"]["totalCount"], 1, "{sent}");
    assert_eq!(sent["sharesSent"]["nodes"][0]["status"], "DRAFT");
    let ds = f
        .ok(
            Some(admin()),
            &format!(
                r#"{{ dataset(id: "{}") {{ stackStatus stack {{ status }} }} }}"#,
                f.id("dataset")
            ),
        )
        .await;
    assert_eq!(ds["dataset"]["stackStatus"], "PENDING");
    assert_eq!(ds["dataset"]["stack"]["status"], "PENDING");
    // The schema says so: these are enums, not strings.
    let types = f
        .ok(
            None,
            r#"{ r: __type(name: "ShareRequest") { fields { name type { kind ofType { name kind } } } }
                 i: __type(name: "ShareItem") { fields { name type { kind ofType { name kind } } } }
                 s: __type(name: "Stack") { fields { name type { kind ofType { name kind } } } }
                 d: __type(name: "Dataset") { fields { name type { kind ofType { name kind } } } }
                 t: __type(name: "Task") { fields { name type { kind ofType { name kind } } } } }"#,
        )
        .await;
    for (ty, name) in [
        ("r", "status"),
        ("i", "status"),
        ("s", "status"),
        ("d", "stackStatus"),
        ("t", "status"),
    ] {
        let f = types[ty]["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| x["name"] == name)
            .unwrap();
        assert_eq!(f["type"]["ofType"]["kind"], "ENUM", "{ty}.{name}: {f}");
    }
}

#[tokio::test]
async fn stewards_read_the_audit_and_tasks_of_their_glossary() {
    let f = Fixture::new(Backend::Sqlite).await;
    // The fixture's glossary is administered by the stewards' team.
    let stu = caller("stu", &["stewards"], false);
    for target in ["glossary", "category", "term"] {
        let id = f.id(target);
        let d = f
            .ok(
                Some(stu.clone()),
                &format!(r#"{{ auditEvents(targetId: "{id}") {{ totalCount nodes {{ action }} }} tasks(targetId: "{id}") {{ totalCount }} }}"#),
            )
            .await;
        assert!(
            d["auditEvents"]["totalCount"].as_i64().unwrap() >= 1,
            "{target}: {d}"
        );
    }
    // Others are refused, and the refusal names the permission they lack.
    let eve = caller("eve", &["outsiders"], false);
    let term = f.id("term");
    let r = f
        .run(
            Some(eve.clone()),
            &format!(r#"{{ auditEvents(targetId: "{term}") {{ totalCount }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["FORBIDDEN"]);
    assert!(
        r.errors[0].message.contains("AUDIT_GLOSSARY"),
        "{:?}",
        r.errors
    );
    let r = f
        .run(
            Some(eve.clone()),
            &format!(r#"{{ tasks(targetId: "{term}") {{ totalCount }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["FORBIDDEN"]);
    assert!(
        r.errors[0].message.contains("UPDATE_GLOSSARY"),
        "{:?}",
        r.errors
    );
    // Kinds no team owns are the admins': the refusal says so, naming no other field.
    let ntf = f.id("notification");
    for q in [
        format!(r#"{{ tasks(targetId: "{ntf}") {{ totalCount }} }}"#),
        format!(r#"{{ auditEvents(targetId: "{ntf}") {{ totalCount }} }}"#),
    ] {
        let r = f.run(Some(eve.clone()), &q).await;
        assert_eq!(Fixture::codes(&r), ["FORBIDDEN"], "{q}");
        let m = &r.errors[0].message;
        assert!(
            m.contains("of a notification are reserved to the admin group")
                && !m.contains("retryTask")
                && !m.contains("teamTenantPermissions"),
            "{m}"
        );
    }
}

/// `extensions.reason` of each error of a response.
fn reasons(r: &async_graphql::Response) -> Vec<String> {
    r.errors
        .iter()
        .map(|e| {
            e.extensions
                .as_ref()
                .and_then(|x| x.get("reason"))
                .map(|v| v.to_string().trim_matches('"').to_owned())
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test]
async fn errors_carry_a_specific_reason_under_their_code() {
    let f = Fixture::new(Backend::Sqlite).await;
    let olga = caller("olga", &["owners"], false);
    let ds = f.id("dataset");
    let stale = f
        .run(
            Some(olga.clone()),
            &format!(r#"mutation {{ updateDataset(input: {{id: "{ds}", expectedVersion: 99, label: "X"}}) {{ id }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&stale), ["CONFLICT"]);
    assert_eq!(reasons(&stale), ["stale_version"]);
    let taken = f
        .run(
            Some(olga.clone()),
            &format!(r#"mutation {{ createDataset(input: {{environmentId: "{}", label: "Sales Orders", ownerTeam: "owners"}}) {{ id }} }}"#, f.id("env")),
        )
        .await;
    assert_eq!(
        reasons(&taken),
        ["dataset_slug_taken"],
        "{:?}",
        taken.errors
    );
    let missing = f
        .run(
            Some(olga.clone()),
            &format!(
                r#"{{ dataset(id: "{}") {{ id }} }}"#,
                lakecat_core::ids::DatasetId::generate()
            ),
        )
        .await;
    assert_eq!(Fixture::codes(&missing), ["NOT_FOUND"]);
    assert_eq!(reasons(&missing), ["dataset_not_found"]);
    let bad = f
        .run(Some(olga.clone()), r#"{ dataset(id: "nope") { id } }"#)
        .await;
    assert_eq!(Fixture::codes(&bad), ["BAD_USER_INPUT"]);
    assert_eq!(reasons(&bad), ["invalid_value"]);
    let forbidden = f
        .run(
            Some(caller("eve", &["outsiders"], false)),
            &format!(r#"mutation {{ deleteDataset(input: {{id: "{ds}"}}) }}"#),
        )
        .await;
    assert_eq!(reasons(&forbidden), ["permission_missing"]);
    // An item of another dataset than the request's.
    let gus = caller("gus", &["guests"], false);
    let other = f
        .ok(Some(admin()), &format!(r#"mutation {{ createDataset(input: {{environmentId: "{}", label: "Other", ownerTeam: "owners"}}) {{ id }} }}"#, f.id("env")))
        .await;
    let other = other["createDataset"]["id"].as_str().unwrap().to_owned();
    let share = f
        .ok(
            Some(gus.clone()),
            &format!(r#"mutation {{ createShareRequest(input: {{datasetId: "{other}", environmentId: "{}", teamName: "guests"}}) {{ id }} }}"#, f.id("env")),
        )
        .await;
    let sid = share["createShareRequest"]["id"].as_str().unwrap();
    let wrong = f
        .run(
            Some(gus),
            &format!(r#"mutation {{ addShareItem(input: {{shareId: "{sid}", itemType: TABLE, itemId: "{}"}}) {{ id }} }}"#, f.id("table")),
        )
        .await;
    assert_eq!(Fixture::codes(&wrong), ["BAD_USER_INPUT"]);
    assert_eq!(reasons(&wrong), ["share_item_not_in_dataset"]);
}
