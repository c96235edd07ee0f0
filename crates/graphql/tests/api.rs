//! API behaviour on a real database: batching (statement counts), optimistic concurrency,
//! error shapes, cursors, roles, the glossary and collaboration flows, the exported schema.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

mod common;

use common::{Fixture, admin, caller};
use lakecat_core::caller::MutationMeta;
use lakecat_core::ports::CatalogStore;
use lakecat_core::ports::DatasetStore;
use lakecat_testkit::Backend;
use sea_orm::ConnectionTrait;

#[test]
fn exported_schema_matches_the_code() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../schema.graphql");
    let current = lakecat_graphql::sdl();
    if std::env::var("UPDATE_SCHEMA").is_ok() {
        std::fs::write(path, &current).unwrap();
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == current,
        "schema.graphql is out of date: run `cargo run -p lakecat-cli -- schema > schema.graphql`"
    );
}

#[tokio::test]
async fn a_page_of_datasets_with_nested_fields_costs_a_constant_number_of_statements() {
    let f = Fixture::new(Backend::Postgres).await;
    let env = f.id("env");
    let term = f.id("term");
    let owner = Some(caller("olga", &["owners", "stewards"], false));
    let query = r#"{ datasets(first: 50) { edges { node { id ownerTeam { name } stewardsTeam { name } tableCount upvotes hasUpvoted
                    terms { approved term { label } } userRole environment { label } } } } }"#;
    let mut costs = vec![];
    for round in 0..2 {
        // Grow the catalog between rounds: the cost must not grow with it.
        for i in 0..(if round == 0 { 4 } else { 55 }) {
            let r = f.ok(owner.clone(), &format!(r#"mutation {{ createDataset(input: {{environmentId: "{env}", label: "Set {round} {i}", ownerTeam: "owners"}}) {{ id }} }}"#)).await;
            let id = r["createDataset"]["id"].as_str().unwrap().to_owned();
            f.ok(owner.clone(), &format!(r#"mutation {{ linkTerm(input: {{termId: "{term}", targetId: "{id}"}}) {{ id }} }}"#)).await;
            f.ok(owner.clone(), &format!(r#"mutation {{ upvote(input: {{targetId: "{id}", upvote: true}}) {{ upvotes }} }}"#)).await;
        }
        let before = f.store().statement_count();
        let data = f.ok(owner.clone(), query).await;
        costs.push(f.store().statement_count() - before);
        let edges = data["datasets"]["edges"].as_array().unwrap();
        assert!(
            edges
                .iter()
                .any(|e| e["node"]["terms"][0]["term"]["label"] == "Net revenue")
        );
        assert!(edges.iter().all(|e| e["node"]["userRole"] == "OWNER"));
    }
    assert_eq!(
        costs[0], costs[1],
        "5 and 50 datasets cost the same: {costs:?}"
    );
    assert!(costs[1] <= 10, "statements for one page: {}", costs[1]);
}

#[tokio::test]
async fn stale_updates_conflict_and_change_nothing() {
    let f = Fixture::new(Backend::Sqlite).await;
    let ds = f.id("dataset");
    let owner = Some(caller("olga", &["owners"], false));
    let upd = |v: i64, label: &str| {
        format!(
            r#"mutation {{ updateDataset(input: {{id: "{ds}", expectedVersion: {v}, label: "{label}"}}) {{ version label }} }}"#
        )
    };
    let ok = f.ok(owner.clone(), &upd(1, "First")).await;
    assert_eq!(ok["updateDataset"]["version"], 2);
    let r = f.run(owner.clone(), &upd(1, "Second")).await;
    assert_eq!(Fixture::codes(&r), vec!["CONFLICT"]);
    let now = f
        .ok(
            owner,
            &format!(r#"{{ dataset(id: "{ds}") {{ label version }} }}"#),
        )
        .await;
    assert_eq!(
        (
            now["dataset"]["label"].as_str(),
            now["dataset"]["version"].as_i64()
        ),
        (Some("First"), Some(2))
    );
}

#[tokio::test]
async fn bad_input_names_the_field_and_cursors_are_tamper_evident() {
    let f = Fixture::new(Backend::Sqlite).await;
    let a = Some(admin());
    let env = f.id("env");
    let cases = [
        (format!(r#"mutation {{ createDataset(input: {{environmentId: "{env}", label: "x", slug: "Bad Slug", ownerTeam: "o"}}) {{ id }} }}"#), "input.slug"),
        (r#"mutation { createEnvironment(input: {organizationId: "org_01J00000000000000000000000", label: "E", accountId: "12345", region: "eu-west-1", ownerTeam: "o"}) { id } }"#.to_owned(), "input.accountId"),
        (r#"mutation { createEnvironment(input: {organizationId: "org_01J00000000000000000000000", label: "E", accountId: "123456789012", region: "moon-1", ownerTeam: "o"}) { id } }"#.to_owned(), "input.region"),
        (format!(r#"mutation {{ createFolder(input: {{datasetId: "{}", label: "F", prefix: "../etc"}}) {{ id }} }}"#, f.id("dataset")), "input.prefix"),
        (r#"{ datasets(first: 101) { totalCount } }"#.to_owned(), "first"),
        (r#"{ dataset(id: "tbl_01J00000000000000000000000") { id } }"#.to_owned(), "id"),
        (r#"{ datasets(after: "Zm9v.YmFy") { totalCount } }"#.to_owned(), "after"),
    ];
    for (q, field) in cases {
        let r = f.run(a.clone(), &q).await;
        assert_eq!(Fixture::codes(&r), vec!["BAD_USER_INPUT"], "{q}");
        let got = r.errors[0]
            .extensions
            .as_ref()
            .and_then(|x| x.get("field"))
            .map(|v| v.to_string());
        assert_eq!(got, Some(format!("\"{field}\"")), "{q}");
    }
    // A cursor from one list is refused by another list.
    let p = f
        .ok(
            a.clone(),
            "{ datasets(first: 1) { pageInfo { endCursor } } }",
        )
        .await;
    let cursor = p["datasets"]["pageInfo"]["endCursor"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = f
        .run(
            a.clone(),
            &format!(r#"{{ organizations(after: "{cursor}") {{ totalCount }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), vec!["BAD_USER_INPUT"]);
    let mut forged = cursor.clone();
    forged.replace_range(2..3, if &cursor[2..3] == "A" { "B" } else { "A" });
    let r = f
        .run(
            a,
            &format!(r#"{{ datasets(after: "{forged}") {{ totalCount }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), vec!["BAD_USER_INPUT"]);
}

#[tokio::test]
async fn internal_errors_do_not_leak_sql() {
    let f = Fixture::new(Backend::Sqlite).await;
    f.store()
        .connection()
        .execute_unprepared("DROP TABLE vote")
        .await
        .unwrap();
    let r = f
        .run(
            Some(admin()),
            &format!(r#"{{ dataset(id: "{}") {{ upvotes }} }}"#, f.id("dataset")),
        )
        .await;
    assert_eq!(Fixture::codes(&r), vec!["INTERNAL"]);
    let msg = &r.errors[0].message;
    assert!(
        !msg.to_lowercase().contains("vote") && !msg.to_lowercase().contains("sql"),
        "{msg}"
    );
}

#[tokio::test]
async fn roles_glossary_links_feed_notifications_and_audit() {
    let f = Fixture::new(Backend::Postgres).await;
    let (ds, link, term) = (f.id("dataset"), f.id("link"), f.id("term"));
    let olga = Some(caller("olga", &["owners"], false));
    let stella = Some(caller("stella", &["stewards"], false));
    let eve = Some(caller("eve", &["outsiders"], false));
    let role = |d: serde_json::Value| d["dataset"]["userRole"].as_str().unwrap().to_owned();
    let q = format!(r#"{{ dataset(id: "{ds}") {{ userRole }} }}"#);
    assert_eq!(role(f.ok(olga.clone(), &q).await), "OWNER");
    assert_eq!(role(f.ok(stella.clone(), &q).await), "MEMBER");
    assert_eq!(role(f.ok(eve.clone(), &q).await), "NO_PERMISSION");
    assert_eq!(role(f.ok(Some(admin()), &q).await), "ADMIN");

    // The steward approves the pending link; approving twice conflicts.
    let r = f
        .ok(
            stella.clone(),
            &format!(
                r#"mutation {{ approveTermLink(input: {{linkId: "{link}"}}) {{ approved }} }}"#
            ),
        )
        .await;
    assert_eq!(r["approveTermLink"]["approved"], true);
    let r = f
        .run(
            stella.clone(),
            &format!(
                r#"mutation {{ approveTermLink(input: {{linkId: "{link}"}}) {{ approved }} }}"#
            ),
        )
        .await;
    assert_eq!(Fixture::codes(&r), vec!["CONFLICT"]);
    let links = f.ok(eve.clone(), &format!(r#"{{ glossaryNode(id: "{term}") {{ kind links {{ totalCount nodes {{ targetId approved }} }} }} }}"#)).await;
    assert_eq!(links["glossaryNode"]["kind"], "TERM");
    assert_eq!(links["glossaryNode"]["links"]["totalCount"], 1);

    // Anyone signed in may comment; the owner team is notified, and reads it once.
    f.ok(eve.clone(), &format!(r#"mutation {{ postFeedMessage(input: {{targetId: "{ds}", body: "Is this daily?"}}) {{ id }} }}"#)).await;
    let feed = f
        .ok(
            olga.clone(),
            &format!(r#"{{ feed(targetId: "{ds}") {{ nodes {{ author body }} }} }}"#),
        )
        .await;
    assert_eq!(feed["feed"]["nodes"][0]["author"], "eve");
    let n = f.ok(olga.clone(), "{ unreadNotificationCount notifications(unreadOnly: true) { nodes { kind message } } }").await;
    assert_eq!(n["unreadNotificationCount"], 1);
    assert_eq!(n["notifications"]["nodes"][0]["kind"], "COMMENT");
    let m = f
        .ok(olga.clone(), "mutation { markAllNotificationsRead }")
        .await;
    assert_eq!(m["markAllNotificationsRead"], 1);
    assert_eq!(
        f.ok(olga.clone(), "{ unreadNotificationCount }").await["unreadNotificationCount"],
        0
    );

    // The audit trail names actor, action, before/after and request id; outsiders can't read it.
    f.ok(olga.clone(), &format!(r#"mutation {{ updateDataset(input: {{id: "{ds}", expectedVersion: 1, description: "Hourly orders"}}) {{ id }} }}"#)).await;
    let audit = f.ok(olga.clone(), &format!(r#"{{ auditEvents(targetId: "{ds}") {{ nodes {{ actor action before after requestId }} }} }}"#)).await;
    let events = audit["auditEvents"]["nodes"].as_array().unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (
            last["actor"].as_str(),
            last["action"].as_str(),
            last["requestId"].as_str()
        ),
        (Some("local:olga"), Some("updateDataset"), Some("req-test"))
    );
    assert_eq!(last["before"]["description"], "");
    assert_eq!(last["after"]["description"], "Hourly orders");
    let r = f
        .run(
            eve,
            &format!(r#"{{ auditEvents(targetId: "{ds}") {{ totalCount }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), vec!["FORBIDDEN"]);
}

#[tokio::test]
async fn organizations_and_environments_are_trimmed_to_the_callers_teams() {
    let f = Fixture::new(Backend::Sqlite).await;
    let count = |d: serde_json::Value, k: &str| d[k]["totalCount"].as_i64().unwrap();
    let q = "{ organizations { totalCount } environments { totalCount } }";
    let guest = f.ok(Some(caller("gus", &["guests"], false)), q).await;
    assert_eq!(
        (
            count(guest.clone(), "organizations"),
            count(guest, "environments")
        ),
        (1, 1)
    );
    let eve = f.ok(Some(caller("eve", &["outsiders"], false)), q).await;
    assert_eq!(
        (
            count(eve.clone(), "organizations"),
            count(eve, "environments")
        ),
        (0, 0)
    );
    let r = f
        .run(
            Some(caller("eve", &["outsiders"], false)),
            &format!(r#"{{ organization(id: "{}") {{ id }} }}"#, f.id("org")),
        )
        .await;
    assert_eq!(Fixture::codes(&r), vec!["FORBIDDEN"]);
    // Deleting a non-empty environment conflicts; the owner team cannot be removed.
    let r = f
        .run(
            Some(admin()),
            &format!(
                r#"mutation {{ deleteEnvironment(input: {{id: "{}"}}) }}"#,
                f.id("env")
            ),
        )
        .await;
    assert_eq!(Fixture::codes(&r), vec!["CONFLICT"]);
    let r = f.run(Some(admin()), &format!(r#"mutation {{ removeTeamFromEnvironment(input: {{environmentId: "{}", team: "owners"}}) }}"#, f.id("env"))).await;
    assert_eq!(Fixture::codes(&r), vec!["CONFLICT"]);
}

#[tokio::test]
async fn wide_tables_page_through_columns() {
    let f = Fixture::new(Backend::Postgres).await;
    let ds = lakecat_core::ids::DatasetId::parse("id", &f.id("dataset")).unwrap();
    let cols = (0..10_000)
        .map(|i| lakecat_core::catalog::DiscoveredColumn {
            name: format!("f{i:05}"),
            data_type: "double".into(),
            is_partition: false,
            description: None,
        })
        .collect();
    let t = lakecat_core::catalog::DiscoveredTable {
        glue_name: lakecat_core::names::GlueName::parse("n", "wide").unwrap(),
        location: "s3://b/wide/".into(),
        format: "parquet".into(),
        properties: serde_json::json!({}),
        description: None,
        columns: cols,
    };
    let meta = MutationMeta {
        actor: "t".into(),
        action: "sync".into(),
        request_id: "r".into(),
    };
    f.store()
        .record_discovered_tables(&meta, &ds, &[t])
        .await
        .unwrap();
    let tables = f.ok(Some(admin()), &format!(r#"{{ tables(datasetId: "{ds}", first: 10) {{ nodes {{ id name columnCount }} }} }}"#)).await;
    let wide = tables["tables"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "wide")
        .unwrap()
        .clone();
    assert_eq!(wide["columnCount"], 10_000);
    let id = wide["id"].as_str().unwrap();
    let mut after = String::new();
    let mut seen = 0;
    let mut pages = 0;
    loop {
        let arg = if after.is_empty() {
            String::new()
        } else {
            format!(r#", after: "{after}""#)
        };
        let p = f.ok(Some(admin()), &format!(r#"{{ columns(tableId: "{id}", first: 100{arg}) {{ nodes {{ name position }} pageInfo {{ hasNextPage endCursor }} }} }}"#)).await;
        let nodes = p["columns"]["nodes"].as_array().unwrap();
        assert_eq!(nodes[0]["position"].as_i64().unwrap(), seen);
        seen += nodes.len() as i64;
        pages += 1;
        if !p["columns"]["pageInfo"]["hasNextPage"].as_bool().unwrap() {
            break;
        }
        after = p["columns"]["pageInfo"]["endCursor"]
            .as_str()
            .unwrap()
            .to_owned();
        if pages > 3 && seen < 9_700 {
            // Jump: cursors are positions, so a deep page costs what the first page costs.
            continue;
        }
    }
    assert_eq!((seen, pages), (10_000, 100));
    let _ = f
        .store()
        .count(&lakecat_core::ports::CountQuery::Teams)
        .await
        .unwrap();
}

#[tokio::test]
async fn tenant_permissions_come_only_from_grants_and_explicit_defaults() {
    use std::sync::Arc;

    use lakecat_core::permissions::TenantPermission;
    use lakecat_graphql::{RequestContext, SchemaConfig, build_schema};

    let f = Fixture::new(Backend::Sqlite).await;
    let newcomer = caller("nina", &["brand-new-team"], false);
    let create = r#"mutation { createGlossary(input: {label: "Finance terms", adminTeam: "brand-new-team"}) { id } }"#;
    // Nothing is implicit: a team nobody granted anything holds no tenant permission.
    let me = f
        .ok(Some(newcomer.clone()), "{ me { tenantPermissions } }")
        .await;
    assert_eq!(me["me"]["tenantPermissions"], serde_json::json!([]));
    let r = f.run(Some(newcomer.clone()), create).await;
    assert_eq!(Fixture::codes(&r), vec!["FORBIDDEN"]);

    // An operator lists defaults in configuration: every signed-in team holds them.
    let store: Arc<dyn CatalogStore> = Arc::new(f.store().clone());
    let schema = build_schema(SchemaConfig {
        store: store.clone(),
        cursor_key: b"test-cursor-key".to_vec(),
        introspection: false,
        default_tenant_permissions: vec![TenantPermission::ManageGlossaries],
        queue: None,
        search: None,
        users: None,
        platform: Default::default(),
        tables_sync: false,
        lake: None,
    });
    let run = |q: &'static str, who: Option<lakecat_core::caller::Caller>| {
        let ctx = RequestContext::new(store.clone(), who, "req-defaults".into());
        schema.execute(async_graphql::Request::new(q).data(ctx))
    };
    let me = run("{ me { tenantPermissions } }", Some(newcomer.clone())).await;
    assert_eq!(
        me.data.into_json().unwrap()["me"]["tenantPermissions"],
        serde_json::json!(["MANAGE_GLOSSARIES"])
    );
    let r = run(create, Some(newcomer.clone())).await;
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    // Defaults are not a way in for anonymous callers.
    let r = run(create, None).await;
    assert_eq!(Fixture::codes(&r), vec!["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn tasks_of_a_resource_are_visible_to_its_teams_and_admins_retry_failed_ones() {
    use lakecat_core::tasks::{NewTask, TaskOutcome, TaskStore};

    let f = Fixture::new(Backend::Postgres).await;
    let ds = f.id("dataset");
    let task = NewTask::new("sync-tables", Some(&ds), serde_json::json!({"v": 1}));
    f.store()
        .enqueue(std::slice::from_ref(&task))
        .await
        .unwrap();
    let claimed = f
        .store()
        .claim(&task.id, std::time::Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    f.store()
        .finish(
            &task.id,
            claimed.attempt,
            &TaskOutcome::Failed("glue: access denied".into()),
        )
        .await
        .unwrap();

    let q = format!(
        r#"{{ tasks(targetId: "{ds}") {{ nodes {{ id kind status attempts lastError }} }} }}"#
    );
    let owner = f.ok(Some(caller("olga", &["owners"], false)), &q).await;
    // The dataset's search.index task (written with its creation) is listed too.
    let kinds: Vec<&str> = owner["tasks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"search.index"), "{kinds:?}");
    let sync: Vec<&serde_json::Value> = owner["tasks"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|t| t["kind"] == "sync-tables")
        .collect();
    assert_eq!(
        sync,
        [
            &serde_json::json!({ "id": task.id.to_string(), "kind": "sync-tables", "status": "FAILED", "attempts": 1, "lastError": "glue: access denied" })
        ]
    );
    let r = f.run(Some(caller("eve", &["outsiders"], false)), &q).await;
    assert_eq!(Fixture::codes(&r), vec!["FORBIDDEN"]);

    let retry = format!(
        r#"mutation {{ retryTask(input: {{id: "{}"}}) {{ status attempts }} }}"#,
        task.id
    );
    let r = f
        .run(Some(caller("olga", &["owners"], false)), &retry)
        .await;
    assert_eq!(Fixture::codes(&r), vec!["FORBIDDEN"], "retry is for admins");
    let done = f.ok(Some(admin()), &retry).await;
    assert_eq!(
        done["retryTask"],
        serde_json::json!({"status": "PENDING", "attempts": 0})
    );
    let r = f.run(Some(admin()), &retry).await;
    assert_eq!(
        Fixture::codes(&r),
        vec!["CONFLICT"],
        "only FAILED tasks are retried"
    );
}

#[tokio::test]
async fn team_links_read_the_team_row_only_when_asked_for_more_than_the_name() {
    let f = Fixture::new(Backend::Sqlite).await;
    let q = |fields: &str| {
        format!(
            r#"{{ dataset(id: "{}") {{ ownerTeam {{ {fields} }} stewardsTeam {{ {fields} }} }} }}"#,
            f.id("dataset")
        )
    };
    let before = f.store().statement_count();
    let names = f.ok(Some(admin()), &q("name")).await;
    let cost_names = f.store().statement_count() - before;
    assert!(names["dataset"]["ownerTeam"]["name"].is_string());
    let before = f.store().statement_count();
    let full = f.ok(Some(admin()), &q("name createdAt")).await;
    let cost_full = f.store().statement_count() - before;
    assert!(
        full["dataset"]["ownerTeam"]["createdAt"].is_string(),
        "{full}"
    );
    assert!(
        full["dataset"]["stewardsTeam"]["createdAt"].is_string(),
        "{full}"
    );
    assert_eq!(
        cost_full,
        cost_names + 1,
        "both teams' rows in one batched query"
    );
}
