//! Every root field declares who may call it, and every mutation refuses callers without
//! the permission — leaving the database exactly as it was.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

mod common;

use lakecat_core::ports::DatasetStore;
use std::collections::BTreeSet;

use common::{Fixture, caller};
use lakecat_core::permissions::TenantPermission;
use lakecat_graphql::authz::{Requirement, requirement};
use lakecat_testkit::Backend;

async fn root_fields(f: &Fixture, root: &str) -> BTreeSet<String> {
    let data = f
        .ok(
            None,
            &format!("{{ __schema {{ {root} {{ fields {{ name }} }} }} }}"),
        )
        .await;
    data["__schema"][root]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn every_query_and_mutation_declares_its_permission() {
    let f = Fixture::new(Backend::Sqlite).await;
    let mut missing = vec![];
    for root in ["queryType", "mutationType"] {
        for field in root_fields(&f, root).await {
            if requirement(&field).is_none() {
                missing.push(field);
            }
        }
    }
    assert!(
        missing.is_empty(),
        "fields without a declared permission (add them to authz::requirement): {missing:?}"
    );
}

/// Object types a nested field may only lead to under a declared permission: they reveal
/// accounts, role ARNs, member teams or provisioning state beyond the catalog entry.
const PROTECTED_TYPES: &[&str] = &[
    "Organization",
    "Environment",
    "TeamMembership",
    "Stack",
    "DatasetAws",
];

#[tokio::test]
async fn every_nested_field_reaching_a_protected_type_declares_its_permission() {
    let f = Fixture::new(Backend::Sqlite).await;
    let data = f
        .ok(
            None,
            "{ __schema { types { name kind fields { name type { name kind ofType { name kind ofType { name kind ofType { name } } } } } } } }",
        )
        .await;
    fn named(t: &serde_json::Value) -> Option<String> {
        match t["name"].as_str() {
            Some(n) => Some(n.to_owned()),
            None if t["ofType"].is_object() => named(&t["ofType"]),
            None => None,
        }
    }
    let mut checked = 0;
    let mut missing = vec![];
    for ty in data["__schema"]["types"].as_array().unwrap() {
        let type_name = ty["name"].as_str().unwrap();
        if ty["kind"] != "OBJECT"
            || type_name.starts_with("__")
            || ["QueryRoot", "MutationRoot"].contains(&type_name)
            // A connection's edges and nodes are the list the root field already checked.
            || type_name.ends_with("Connection")
            || type_name.ends_with("Edge")
        {
            continue;
        }
        for field in ty["fields"].as_array().into_iter().flatten() {
            let target = named(&field["type"]).unwrap_or_default();
            if PROTECTED_TYPES.contains(&target.as_str()) {
                checked += 1;
                let name = format!("{type_name}.{}", field["name"].as_str().unwrap());
                if requirement(&name).is_none() {
                    missing.push(name);
                }
            }
        }
    }
    assert!(checked >= 7, "the walk found the nested links ({checked})");
    assert!(
        missing.is_empty(),
        "nested fields reaching {PROTECTED_TYPES:?} without a declared permission: {missing:?}"
    );
}

#[tokio::test]
async fn links_to_organizations_and_environments_are_null_for_outsiders() {
    let f = Fixture::new(Backend::Sqlite).await;
    let q = format!(
        r#"{{ dataset(id: "{}") {{ label organization {{ id }} environment {{ id accountId organization {{ id }} }} }} }}"#,
        f.id("dataset")
    );
    let outsider = f.ok(Some(caller("eve", &["outsiders"], false)), &q).await;
    assert!(outsider["dataset"]["label"].is_string(), "{outsider}");
    assert!(outsider["dataset"]["organization"].is_null(), "{outsider}");
    assert!(outsider["dataset"]["environment"].is_null(), "{outsider}");
    let admin = f.ok(Some(common::admin()), &q).await;
    assert!(
        admin["dataset"]["organization"]["id"].is_string(),
        "{admin}"
    );
    assert!(
        admin["dataset"]["environment"]["organization"]["id"].is_string(),
        "{admin}"
    );
}

/// One valid call of each mutation against the fixture's resources.
fn mutation_calls(f: &Fixture) -> Vec<(&'static str, String)> {
    let (org, env, ds, tbl, col, fld) = (
        f.id("org"),
        f.id("env"),
        f.id("dataset"),
        f.id("table"),
        f.id("column"),
        f.id("folder"),
    );
    let shr = f.id("share");
    let (g, cat, term, link, ntf) = (
        f.id("glossary"),
        f.id("category"),
        f.id("term"),
        f.id("link"),
        f.id("notification"),
    );
    vec![
        (
            "setTeamTenantPermissions",
            r#"setTeamTenantPermissions(input: {team: "x", permissions: ["MANAGE_DATASETS"]})"#
                .into(),
        ),
        (
            "createOrganization",
            r#"createOrganization(input: {label: "X", adminTeam: "outsiders"}) { id }"#.into(),
        ),
        (
            "updateOrganization",
            format!(r#"updateOrganization(input: {{id: "{org}", label: "Y"}}) {{ id }}"#),
        ),
        (
            "archiveOrganization",
            format!(r#"archiveOrganization(input: {{id: "{org}"}}) {{ id }}"#),
        ),
        (
            "inviteTeamToOrganization",
            format!(
                r#"inviteTeamToOrganization(input: {{organizationId: "{org}", team: "outsiders"}}) {{ team }}"#
            ),
        ),
        (
            "removeTeamFromOrganization",
            format!(
                r#"removeTeamFromOrganization(input: {{organizationId: "{org}", team: "guests"}})"#
            ),
        ),
        (
            "createEnvironment",
            format!(
                r#"createEnvironment(input: {{organizationId: "{org}", label: "E", accountId: "111111111111", region: "us-east-1", ownerTeam: "outsiders"}}) {{ id }}"#
            ),
        ),
        (
            "updateEnvironment",
            format!(r#"updateEnvironment(input: {{id: "{env}", label: "E2"}}) {{ id }}"#),
        ),
        (
            "deleteEnvironment",
            format!(r#"deleteEnvironment(input: {{id: "{env}"}})"#),
        ),
        (
            "inviteTeamToEnvironment",
            format!(
                r#"inviteTeamToEnvironment(input: {{environmentId: "{env}", team: "outsiders"}}) {{ team }}"#
            ),
        ),
        (
            "removeTeamFromEnvironment",
            format!(
                r#"removeTeamFromEnvironment(input: {{environmentId: "{env}", team: "guests"}})"#
            ),
        ),
        (
            "createDataset",
            format!(
                r#"createDataset(input: {{environmentId: "{env}", label: "New", ownerTeam: "outsiders"}}) {{ id }}"#
            ),
        ),
        (
            "updateDataset",
            format!(
                r#"updateDataset(input: {{id: "{ds}", expectedVersion: 1, label: "Z"}}) {{ id }}"#
            ),
        ),
        (
            "deleteDataset",
            format!(r#"deleteDataset(input: {{id: "{ds}"}})"#),
        ),
        (
            "updateTable",
            format!(
                r#"updateTable(input: {{id: "{tbl}", expectedVersion: 1, description: "d"}}) {{ id }}"#
            ),
        ),
        (
            "updateColumn",
            format!(
                r#"updateColumn(input: {{id: "{col}", expectedVersion: 1, description: "d"}}) {{ id }}"#
            ),
        ),
        (
            "createFolder",
            format!(
                r#"createFolder(input: {{datasetId: "{ds}", label: "F", prefix: "curated/"}}) {{ id }}"#
            ),
        ),
        (
            "updateFolder",
            format!(r#"updateFolder(input: {{id: "{fld}", label: "F2"}}) {{ id }}"#),
        ),
        (
            "deleteFolder",
            format!(r#"deleteFolder(input: {{id: "{fld}"}})"#),
        ),
        (
            "createGlossary",
            r#"createGlossary(input: {label: "G", adminTeam: "outsiders"}) { id }"#.into(),
        ),
        (
            "createCategory",
            format!(r#"createCategory(input: {{parentId: "{g}", label: "C"}}) {{ id }}"#),
        ),
        (
            "createTerm",
            format!(r#"createTerm(input: {{parentId: "{cat}", label: "T"}}) {{ id }}"#),
        ),
        (
            "updateGlossaryNode",
            format!(
                r#"updateGlossaryNode(input: {{id: "{term}", expectedVersion: 1, label: "T2"}}) {{ id }}"#
            ),
        ),
        (
            "deleteGlossaryNode",
            format!(r#"deleteGlossaryNode(input: {{id: "{g}"}})"#),
        ),
        (
            "linkTerm",
            format!(r#"linkTerm(input: {{termId: "{term}", targetId: "{tbl}"}}) {{ id }}"#),
        ),
        (
            "unlinkTerm",
            format!(r#"unlinkTerm(input: {{linkId: "{link}"}})"#),
        ),
        (
            "approveTermLink",
            format!(r#"approveTermLink(input: {{linkId: "{link}"}}) {{ id }}"#),
        ),
        (
            "dismissTermLink",
            format!(r#"dismissTermLink(input: {{linkId: "{link}"}})"#),
        ),
        (
            "upvote",
            format!(r#"upvote(input: {{targetId: "{ds}", upvote: true}}) {{ upvotes }}"#),
        ),
        (
            "postFeedMessage",
            format!(r#"postFeedMessage(input: {{targetId: "{ds}", body: "hi"}}) {{ id }}"#),
        ),
        (
            "markNotificationRead",
            format!(r#"markNotificationRead(input: {{id: "{ntf}"}})"#),
        ),
        (
            "markAllNotificationsRead",
            "markAllNotificationsRead".into(),
        ),
        (
            "createShareRequest",
            format!(
                r#"createShareRequest(input: {{datasetId: "{ds}", environmentId: "{env}", teamName: "outsiders"}}) {{ id }}"#
            ),
        ),
        (
            "addShareItem",
            format!(
                r#"addShareItem(input: {{shareId: "{shr}", itemType: TABLE, itemId: "{tbl}"}}) {{ id }}"#
            ),
        ),
        (
            "removeShareItem",
            format!(
                r#"removeShareItem(input: {{shareId: "{shr}", itemId: "{}"}}) {{ id }}"#,
                lakecat_core::ids::ShareItemId::generate()
            ),
        ),
        (
            "submitShareRequest",
            format!(r#"submitShareRequest(input: {{shareId: "{shr}"}}) {{ id }}"#),
        ),
        (
            "approveShareRequest",
            format!(r#"approveShareRequest(input: {{shareId: "{shr}"}}) {{ id }}"#),
        ),
        (
            "rejectShareRequest",
            format!(r#"rejectShareRequest(input: {{shareId: "{shr}", reason: "no"}}) {{ id }}"#),
        ),
        (
            "revokeShareItems",
            format!(r#"revokeShareItems(input: {{shareId: "{shr}"}}) {{ id }}"#),
        ),
        (
            "deleteShareRequest",
            format!(r#"deleteShareRequest(input: {{shareId: "{shr}"}}) {{ id }}"#),
        ),
        (
            "requestShareExtension",
            format!(
                r#"requestShareExtension(input: {{shareId: "{shr}", expiresAt: "2999-01-01T00:00:00Z"}}) {{ id }}"#
            ),
        ),
        (
            "approveShareExtension",
            format!(r#"approveShareExtension(input: {{shareId: "{shr}"}}) {{ id }}"#),
        ),
        (
            "rejectShareExtension",
            format!(r#"rejectShareExtension(input: {{shareId: "{shr}"}}) {{ id }}"#),
        ),
        (
            "createUser",
            r#"createUser(input: {username: "newbie", password: "long enough password", teams: ["outsiders"]}) { username }"#.into(),
        ),
        (
            "resetUserPassword",
            r#"resetUserPassword(input: {username: "admin", password: "long enough password"})"#.into(),
        ),
        (
            "setUserTeams",
            r#"setUserTeams(input: {username: "admin", teams: ["outsiders"]}) { teams }"#.into(),
        ),
        (
            "removeUser",
            r#"removeUser(input: {username: "admin"})"#.into(),
        ),
        (
            "retryTask",
            format!(
                r#"retryTask(input: {{id: "{}"}}) {{ id }}"#,
                lakecat_core::ids::TaskId::generate()
            ),
        ),
        (
            "updateStack",
            format!(r#"updateStack(input: {{targetId: "{ds}"}}) {{ status }}"#),
        ),
        (
            "checkEnvironmentAccess",
            format!(r#"checkEnvironmentAccess(input: {{environmentId: "{env}"}}) {{ status }}"#),
        ),
        (
            "syncTables",
            format!(r#"syncTables(input: {{datasetId: "{ds}"}}) {{ status }}"#),
        ),
        (
            "profileTable",
            format!(r#"profileTable(input: {{tableId: "{tbl}"}}) {{ status }}"#),
        ),
        (
            "verifyDataset",
            format!(r#"verifyDataset(input: {{datasetId: "{ds}"}}) {{ status }}"#),
        ),
        (
            "startCrawler",
            format!(r#"startCrawler(input: {{datasetId: "{ds}", prefix: "sales/"}}) {{ status }}"#),
        ),
    ]
}

#[tokio::test]
async fn every_mutation_refuses_callers_without_permission_and_writes_nothing() {
    let mut f = Fixture::new(Backend::Postgres).await;
    let share = f
        .ok(
            Some(caller("gus", &["guests"], false)),
            &format!(
                r#"mutation {{ createShareRequest(input: {{datasetId: "{}", environmentId: "{}", teamName: "guests"}}) {{ id }} }}"#,
                f.id("dataset"),
                f.id("env")
            ),
        )
        .await;
    f.ids["share"] = share["createShareRequest"]["id"].clone();
    let calls = mutation_calls(&f);
    let covered: BTreeSet<String> = calls.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(
        covered,
        root_fields(&f, "mutationType").await,
        "every mutation has a call in this test"
    );

    // An outsider with no permission at all, and one holding every tenant permission but no
    // permission on the fixture's resources: both must be refused.
    let outsider = caller("eve", &["outsiders"], false);
    let tenant_only = caller("tom", &["tenant-only"], false);
    let all: Vec<String> = TenantPermission::ALL
        .iter()
        .map(|p| format!("\"{}\"", p.as_str()))
        .collect();
    f.ok(Some(common::admin()), &format!(r#"mutation {{ setTeamTenantPermissions(input: {{team: "tenant-only", permissions: [{}]}}) }}"#, all.join(","))).await;

    let before = (f.row_counts().await, f.snapshot().await);
    for (name, call) in &calls {
        let doc = format!("mutation {{ {call} }}");
        let r = f.run(None, &doc).await;
        assert_eq!(
            Fixture::codes(&r),
            vec!["UNAUTHENTICATED"],
            "{name} without a token"
        );
        if matches!(
            requirement(name),
            Some(Requirement::SignedIn(_) | Requirement::Visible(_))
        ) {
            continue;
        }
        // A share request exists only for its requesting team and its approvers: to anyone
        // else, acting on it is acting on nothing.
        let refusal = if call.contains("shareId:") {
            "NOT_FOUND"
        } else {
            "FORBIDDEN"
        };
        for who in [&outsider, &tenant_only] {
            let r = f.run(Some(who.clone()), &doc).await;
            assert_eq!(
                Fixture::codes(&r),
                vec![refusal],
                "{name} as {}: {:?}",
                who.username,
                r.errors
            );
        }
        assert_eq!(
            (f.row_counts().await, f.snapshot().await),
            before,
            "{name} wrote something although refused"
        );
    }

    // Signed-in mutations act on the caller's own data only: another team's notification
    // is not found, and "mark all read" marks nothing of anyone else's.
    let r = f
        .run(
            Some(outsider.clone()),
            &format!(
                r#"mutation {{ markNotificationRead(input: {{id: "{}"}}) }}"#,
                f.id("notification")
            ),
        )
        .await;
    assert_eq!(Fixture::codes(&r), vec!["NOT_FOUND"], "{:?}", r.errors);
    f.ok(
        Some(outsider.clone()),
        "mutation { markAllNotificationsRead }",
    )
    .await;
    assert_eq!(
        (f.row_counts().await, f.snapshot().await),
        before,
        "an outsider changed another team's notifications"
    );
}

/// The entries of a dataset: who may see them is the dataset's visibility and the caller's
/// grants, on every path that reaches them.
const CATALOG_TYPES: &[&str] = &[
    "Dataset",
    "Table",
    "Column",
    "Folder",
    "FeedMessage",
    "VoteSummary",
    "TermLink",
];

/// Every field that leads into a dataset's entries from outside them (a root field, or a
/// nested one such as `ShareRequest.dataset`) declares how it applies visibility: `Visible`,
/// or a resource permission that only the dataset's own teams hold. `SignedIn` would let
/// any user through. Links inside a dataset (`Dataset.tables`) inherit their parent's check.
#[tokio::test]
async fn every_field_reaching_catalog_entries_declares_visibility() {
    let f = Fixture::new(Backend::Sqlite).await;
    let data = f
        .ok(
            None,
            "{ __schema { types { name kind fields { name type { name kind ofType { name kind ofType { name kind ofType { name } } } } } } } }",
        )
        .await;
    fn named(t: &serde_json::Value) -> Option<String> {
        match t["name"].as_str() {
            Some(n) => Some(n.to_owned()),
            None if t["ofType"].is_object() => named(&t["ofType"]),
            None => None,
        }
    }
    let mut checked = BTreeSet::new();
    let mut wrong = vec![];
    for ty in data["__schema"]["types"].as_array().unwrap() {
        let type_name = ty["name"].as_str().unwrap();
        if ty["kind"] != "OBJECT"
            || type_name.starts_with("__")
            || CATALOG_TYPES.contains(&type_name)
            || type_name.ends_with("Connection")
            || type_name.ends_with("Edge")
        {
            continue;
        }
        let root = ["QueryRoot", "MutationRoot"].contains(&type_name);
        for field in ty["fields"].as_array().into_iter().flatten() {
            let target = named(&field["type"]).unwrap_or_default();
            let node = target.strip_suffix("Connection").unwrap_or(&target);
            if !CATALOG_TYPES.contains(&node) {
                continue;
            }
            let field_name = field["name"].as_str().unwrap();
            let name = if root {
                field_name.to_owned()
            } else {
                format!("{type_name}.{field_name}")
            };
            checked.insert(name.clone());
            match requirement(&name) {
                Some(Requirement::SignedIn(_)) | None => wrong.push(name),
                Some(_) => {}
            }
        }
    }
    for expected in [
        "dataset",
        "columns",
        "feed",
        "ShareRequest.dataset",
        "GlossaryNode.links",
    ] {
        assert!(
            checked.contains(expected),
            "the walk reached {expected}: {checked:?}"
        );
    }
    assert!(
        wrong.is_empty(),
        "fields reaching {CATALOG_TYPES:?} with no visibility declared (Visible or a resource permission): {wrong:?}"
    );
}

/// The ids of one dataset's entries, to call every query with.
struct Entries {
    dataset: String,
    table: String,
    column: String,
    folder: String,
}

impl Entries {
    /// Ids of the right kinds that name nothing.
    fn ghosts() -> Entries {
        use lakecat_core::ids::*;
        Entries {
            dataset: DatasetId::generate().to_string(),
            table: TableId::generate().to_string(),
            column: ColumnId::generate().to_string(),
            folder: FolderId::generate().to_string(),
        }
    }
}

/// A RESTRICTED dataset of the `owners` team, with a table, columns, a folder, a comment, an
/// upvote and an approved term link — everything a read could leak.
async fn restricted_dataset(f: &Fixture) -> Entries {
    let a = Some(common::admin());
    let ds = f
        .ok(a.clone(), &format!(r#"mutation {{ createDataset(input: {{environmentId: "{}", label: "Secret Payroll", ownerTeam: "owners", visibility: RESTRICTED, tags: ["hushhush"]}}) {{ id }} }}"#, f.id("env")))
        .await;
    let ds = ds["createDataset"]["id"].as_str().unwrap().to_owned();
    let did = lakecat_core::ids::DatasetId::parse("id", &ds).unwrap();
    let table = lakecat_core::catalog::DiscoveredTable {
        glue_name: lakecat_core::names::GlueName::parse("n", "payroll_secret").unwrap(),
        location: "s3://b/payroll_secret/".into(),
        format: "parquet".into(),
        properties: serde_json::json!({}),
        description: Some(
            lakecat_core::names::Description::parse("d", "salaries of everyone").unwrap(),
        ),
        columns: (0..2)
            .map(|i| lakecat_core::catalog::DiscoveredColumn {
                name: format!("salary{i}"),
                data_type: "int".into(),
                is_partition: false,
                description: None,
            })
            .collect(),
    };
    let meta = lakecat_core::caller::MutationMeta {
        actor: "seed".into(),
        action: "sync".into(),
        request_id: "r".into(),
    };

    f.store()
        .record_discovered_tables(&meta, &did, &[table])
        .await
        .unwrap();
    let t = f.ok(a.clone(), &format!(r#"{{ tables(datasetId: "{ds}") {{ nodes {{ id columns(first: 1) {{ nodes {{ id }} }} }} }} }}"#)).await;
    let tbl = t["tables"]["nodes"][0]["id"].as_str().unwrap().to_owned();
    let col = t["tables"]["nodes"][0]["columns"]["nodes"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let fld = f.ok(a.clone(), &format!(r#"mutation {{ createFolder(input: {{datasetId: "{ds}", label: "Payslips", prefix: "payslips/"}}) {{ id }} }}"#)).await;
    let fld = fld["createFolder"]["id"].as_str().unwrap().to_owned();
    f.ok(a.clone(), &format!(r#"mutation {{ postFeedMessage(input: {{targetId: "{tbl}", body: "payroll leak canary"}}) {{ id }} }}"#)).await;
    f.ok(
        a.clone(),
        &format!(
            r#"mutation {{ upvote(input: {{targetId: "{ds}", upvote: true}}) {{ upvotes }} }}"#
        ),
    )
    .await;
    let link = f.ok(a.clone(), &format!(r#"mutation {{ linkTerm(input: {{termId: "{}", targetId: "{col}"}}) {{ approved }} }}"#, f.id("term"))).await;
    assert_eq!(
        link["linkTerm"]["approved"], true,
        "an admin's link is approved"
    );
    Entries {
        dataset: ds,
        table: tbl,
        column: col,
        folder: fld,
    }
}

/// One call of each root query, with deep selections, on the entries `e`.
fn query_calls(f: &Fixture, e: &Entries) -> Vec<(&'static str, String)> {
    let (ds, tbl, col, fld) = (&e.dataset, &e.table, &e.column, &e.folder);
    let (org, env, term) = (f.id("org"), f.id("env"), f.id("term"));
    let dataset_fields = "id label slug description tags visibility aws { accountId bucket adminRoleArn } tableCount upvotes terms { targetId } tables { totalCount nodes { id name description columns { totalCount nodes { id name } } } } folders { totalCount nodes { id label prefix } }";
    vec![
        ("me", "me { username }".into()),
        ("teams", "teams { nodes { name } }".into()),
        ("teamTenantPermissions", r#"teamTenantPermissions(team: "owners")"#.into()),
        ("users", "users { username teams email }".into()),
        ("organization", format!(r#"organization(id: "{org}") {{ id label }}"#)),
        ("organizations", "organizations { nodes { id label } }".into()),
        ("environment", format!(r#"environment(id: "{env}") {{ id accountId }}"#)),
        ("environments", "environments { nodes { id accountId } }".into()),
        ("dataset", format!(r#"dataset(id: "{ds}") {{ {dataset_fields} }}"#)),
        (
            "datasets",
            "datasets { totalCount nodes { id label slug tags aws { bucket } upvotes terms { targetId } } }".into(),
        ),
        ("table", format!(r#"table(id: "{tbl}") {{ id name description dataset {{ id label }} columns {{ nodes {{ name }} }} }}"#)),
        ("previewTable", format!(r#"previewTable(tableId: "{tbl}") {{ tableId columns {{ name type }} rows more }}"#)),
        ("tables", format!(r#"tables(datasetId: "{ds}") {{ totalCount nodes {{ id name }} }}"#)),
        ("column", format!(r#"column(id: "{col}") {{ id name }}"#)),
        ("columns", format!(r#"columns(tableId: "{tbl}") {{ totalCount nodes {{ id name }} }}"#)),
        ("folder", format!(r#"folder(id: "{fld}") {{ id label prefix dataset {{ label }} }}"#)),
        ("folders", format!(r#"folders(datasetId: "{ds}") {{ totalCount nodes {{ id label }} }}"#)),
        ("glossaries", "glossaries { nodes { id children { nodes { id children { nodes { id links { totalCount nodes { targetId targetKind } } } } } } } }".into()),
        ("glossaryNode", format!(r#"glossaryNode(id: "{term}") {{ id links {{ totalCount nodes {{ targetId targetKind }} }} }}"#)),
        ("upvotes", format!(r#"upvotes(targetId: "{ds}") {{ targetId upvotes }}"#)),
        ("feed", format!(r#"feed(targetId: "{tbl}") {{ totalCount nodes {{ body }} }}"#)),
        ("notifications", "notifications { nodes { message targetId } }".into()),
        ("unreadNotificationCount", "unreadNotificationCount".into()),
        ("auditEvents", format!(r#"auditEvents(targetId: "{tbl}") {{ totalCount nodes {{ action after }} }}"#)),
        ("tasks", format!(r#"tasks(targetId: "{ds}") {{ totalCount nodes {{ kind }} }}"#)),
        ("stack", format!(r#"stack(targetId: "{ds}") {{ status outputs events }}"#)),
        ("environmentBootstrapTemplate", format!(r#"environmentBootstrapTemplate(environmentId: "{env}") {{ stackName missing }}"#)),
        ("shareRequest", format!(r#"shareRequest(id: "{}") {{ id dataset {{ label }} }}"#, lakecat_core::ids::ShareId::generate())),
        ("sharesSent", "sharesSent { nodes { id dataset { label } } }".into()),
        ("sharesReceived", "sharesReceived { nodes { id dataset { label } } }".into()),
        ("lakeGrants", format!(r#"lakeGrants(datasetId: "{ds}") {{ itemId }}"#)),
        ("search", r#"search(query: "payroll") { totalCount hits { id name } }"#.into()),
        ("suggest", r#"suggest(prefix: "payroll") { id text }"#.into()),
    ]
}

/// Every query, as callers who may not see a RESTRICTED dataset (a team of its organization,
/// and an outsider): nothing of the dataset appears in any answer, and a read by its ids
/// answers exactly as a read by ids that name nothing. Its owners and admins do see it, so
/// the calls reach it. A new query without a call here fails the test.
#[tokio::test]
async fn no_query_reveals_a_dataset_to_callers_who_may_not_see_it_postgres() {
    no_query_reveals_a_dataset_to_callers_who_may_not_see_it(Backend::Postgres).await;
}

#[tokio::test]
async fn no_query_reveals_a_dataset_to_callers_who_may_not_see_it_sqlite() {
    no_query_reveals_a_dataset_to_callers_who_may_not_see_it(Backend::Sqlite).await;
}

async fn no_query_reveals_a_dataset_to_callers_who_may_not_see_it(backend: Backend) {
    let f = Fixture::new(backend).await;
    let secret = restricted_dataset(&f).await;
    let ghosts = Entries::ghosts();
    let calls = query_calls(&f, &secret);
    let covered: BTreeSet<String> = calls.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(
        covered,
        root_fields(&f, "queryType").await,
        "every query has a call in this test"
    );
    let ghost_calls = query_calls(&f, &ghosts);
    let canaries = [
        secret.dataset.as_str(),
        secret.table.as_str(),
        secret.column.as_str(),
        secret.folder.as_str(),
        "Secret Payroll",
        "payroll_secret",
        "salary",
        "hushhush",
        "payslips/",
        "leak canary",
    ];
    let leaks = |v: &serde_json::Value| -> Vec<&str> {
        let text = v.to_string();
        canaries
            .iter()
            .copied()
            .filter(|c| text.contains(c))
            .collect()
    };
    let member = caller("gus", &["guests"], false);
    let outsider = caller("eve", &["outsiders"], false);
    for who in [&member, &outsider] {
        for ((name, call), (_, ghost)) in calls.iter().zip(&ghost_calls) {
            let r = f.run(Some(who.clone()), &format!("{{ {call} }}")).await;
            let data = r.data.clone().into_json().unwrap();
            assert_eq!(
                leaks(&data),
                Vec::<&str>::new(),
                "{name} as {} shows a dataset it may not see: {data}",
                who.username
            );
            let g = f.run(Some(who.clone()), &format!("{{ {ghost} }}")).await;
            assert_eq!(
                Fixture::codes(&r),
                Fixture::codes(&g),
                "{name} as {} answers differently for an invisible dataset than for nothing: {:?} vs {:?}",
                who.username,
                r.errors,
                g.errors
            );
        }
    }
    // Those who may see it do: the calls really reach the dataset's entries.
    for who in [common::admin(), caller("olga", &["owners"], false)] {
        let mut seen = BTreeSet::new();
        for (name, call) in &calls {
            let r = f.run(Some(who.clone()), &format!("{{ {call} }}")).await;
            if !leaks(&r.data.clone().into_json().unwrap()).is_empty() {
                seen.insert(*name);
            }
        }
        for name in [
            "dataset",
            "datasets",
            "table",
            "tables",
            "column",
            "columns",
            "folder",
            "folders",
            "glossaryNode",
            "upvotes",
            "feed",
        ] {
            assert!(
                seen.contains(name),
                "{name} shows the dataset to {} (seen in {seen:?})",
                who.username
            );
        }
    }
}

#[tokio::test]
async fn dataset_aws_details_are_null_for_callers_without_get_dataset() {
    let f = Fixture::new(Backend::Sqlite).await;
    let q = format!(
        r#"{{ dataset(id: "{}") {{ label aws {{ accountId adminRoleArn bucket }} }} }}"#,
        f.id("dataset")
    );
    let outsider = f.ok(Some(caller("eve", &["outsiders"], false)), &q).await;
    assert_eq!(outsider["dataset"]["label"], "Sales Orders", "{outsider}");
    assert!(outsider["dataset"]["aws"].is_null(), "{outsider}");
    for who in [
        caller("olga", &["owners"], false),
        caller("sam", &["stewards"], false),
        common::admin(),
    ] {
        let seen = f.ok(Some(who.clone()), &q).await;
        assert_eq!(
            seen["dataset"]["aws"]["accountId"], "123456789012",
            "{}: {seen}",
            who.username
        );
    }
}
