//! Every root field declares who may call it, and every mutation refuses callers without
//! the permission — leaving the database exactly as it was.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

mod common;

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
const PROTECTED_TYPES: &[&str] = &["Organization", "Environment", "TeamMembership", "Stack"];

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
    assert!(checked >= 6, "the walk found the nested links ({checked})");
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
            "retryTask",
            format!(
                r#"retryTask(input: {{id: "{}"}}) {{ id }}"#,
                lakecat_core::ids::TaskId::generate()
            ),
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
        if matches!(requirement(name), Some(Requirement::SignedIn(_))) {
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
