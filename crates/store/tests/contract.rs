//! The store contract: the same tests on PostgreSQL (a private cluster) and on SQLite.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use chrono::Utc;
use lakecat_core::ErrorCode;
use lakecat_core::caller::MutationMeta;
use lakecat_core::catalog::*;
use lakecat_core::ids::*;
use lakecat_core::names::*;
use lakecat_core::page::PageRequest;
use lakecat_core::permissions::{Bundle, Grant, Permission, TenantPermission};
use lakecat_core::ports::*;
use lakecat_store::SeaStore;
use lakecat_testkit::{Backend, fresh_store};
use std::collections::HashMap;

fn meta(action: &str) -> MutationMeta {
    MutationMeta {
        actor: "ana".into(),
        action: action.into(),
        request_id: "req-1".into(),
    }
}

fn team(n: &str) -> TeamName {
    TeamName::parse("team", n).unwrap()
}

async fn org(s: &SeaStore, admin: &str) -> Organization {
    let now = Utc::now();
    let o = Organization {
        id: OrganizationId::generate(),
        label: Label::parse("l", "Acme").unwrap(),
        description: Description::parse("d", "").unwrap(),
        tags: vec![],
        admin_team: team(admin),
        archived: false,
        created_by: "ana".into(),
        created_at: now,
        updated_at: now,
    };
    let grants = Grant::bundle(&o.admin_team, o.id.as_str(), Bundle::OrganizationAll);
    s.create_organization(&meta("createOrganization"), &o, &grants)
        .await
        .unwrap();
    o
}

async fn env(s: &SeaStore, org: &Organization, account: &str) -> Environment {
    let now = Utc::now();
    let e = Environment {
        id: EnvironmentId::generate(),
        organization_id: org.id.clone(),
        label: Label::parse("l", "Prod").unwrap(),
        description: Description::parse("d", "").unwrap(),
        tags: vec![],
        account_id: AwsAccountId::parse("a", account).unwrap(),
        region: AwsRegion::parse("r", "eu-west-1").unwrap(),
        owner_team: team("platform"),
        env_type: EnvironmentType::Data,
        resource_prefix: Slug::parse("p", "lakecat").unwrap(),
        pivot_role_name: DEFAULT_PIVOT_ROLE.into(),
        created_by: "ana".into(),
        created_at: now,
        updated_at: now,
    };
    let grants = Grant::bundle(&e.owner_team, e.id.as_str(), Bundle::EnvironmentAll);
    s.create_environment(&meta("createEnvironment"), &e, &grants)
        .await
        .unwrap();
    e
}

fn new_dataset(env: &Environment, slug: &str, tags: &[&str]) -> NewDataset {
    NewDataset {
        environment_id: env.id.clone(),
        label: Label::parse("l", slug).unwrap(),
        slug: Slug::parse("s", slug).unwrap(),
        description: Description::parse("d", "orders").unwrap(),
        owner_team: team("sales"),
        stewards_team: Some(team("stewards")),
        confidentiality: Confidentiality::Official,
        topics: vec![Topic::Sales],
        tags: tags.iter().map(|t| Tag::parse("t", t).unwrap()).collect(),
        auto_approval: false,
        visibility: Visibility::Everyone,
        imported: None,
    }
}

async fn dataset(s: &SeaStore, env: &Environment, slug: &str, tags: &[&str]) -> Dataset {
    let new = new_dataset(env, slug, tags);
    let id = DatasetId::generate();
    let now = Utc::now();
    let ds = Dataset {
        aws: new.aws_details(env, &id),
        id: id.clone(),
        organization_id: env.organization_id.clone(),
        environment_id: env.id.clone(),
        label: new.label.clone(),
        slug: new.slug.clone(),
        description: new.description.clone(),
        owner_team: new.owner_team.clone(),
        stewards_team: new.stewards_team.clone(),
        confidentiality: new.confidentiality,
        topics: new.topics.clone(),
        tags: new.tags.clone(),
        auto_approval: false,
        visibility: Visibility::Everyone,
        secret_preview: false,
        imported: false,
        stack_status: StackStatus::Pending,
        version: 1,
        created_by: "ana".into(),
        created_at: now,
        updated_at: now,
    };
    s.create_dataset(&meta("createDataset"), &ds, &new.grants(&id, env))
        .await
        .unwrap();
    ds
}

fn discovered(name: &str, cols: usize) -> DiscoveredTable {
    DiscoveredTable {
        glue_name: GlueName::parse("n", name).unwrap(),
        location: format!("s3://bucket/{name}/"),
        format: "parquet".into(),
        properties: serde_json::json!({"classification": "parquet"}),
        description: None,
        columns: (0..cols)
            .map(|i| DiscoveredColumn {
                name: format!("c{i}"),
                data_type: "string".into(),
                is_partition: false,
                description: None,
            })
            .collect(),
    }
}

macro_rules! contract {
    ($($name:ident),* $(,)?) => {
        mod postgres { $(#[tokio::test] async fn $name() { super::$name(super::Backend::Postgres).await })* }
        mod sqlite { $(#[tokio::test] async fn $name() { super::$name(super::Backend::Sqlite).await })* }
    };
}

contract!(
    create_read_and_paginate_datasets,
    dataset_updates_are_versioned,
    failed_mutation_leaves_no_trace,
    permissions_are_one_lookup_and_grants_follow_bundles,
    filters_by_tag_topic_and_owner,
    discovered_tables_are_recorded_incrementally,
    a_complete_listing_marks_tables_gone_from_the_lake_deleted,
    columns_page_by_position,
    delete_dataset_removes_everything_attached,
    glossary_tree_and_links,
    votes_feed_and_notifications,
    tenant_permissions_replace,
    environment_delete_conflicts_while_datasets_remain,
    changing_stewards_moves_their_grants,
    share_writes_are_versioned_and_creates_reuse_the_open_request,
    resource_locks_exclude_and_expire,
    stacks_deploy_one_at_a_time_and_record_outcomes,
);

async fn create_read_and_paginate_datasets(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let mut ids = vec![];
    for i in 0..7 {
        ids.push(dataset(s, &e, &format!("set-{i}"), &[]).await.id);
    }
    let mut seen = vec![];
    let mut after = None;
    loop {
        let page = s
            .list_datasets(
                &DatasetFilter::default(),
                &PageRequest {
                    first: 3,
                    after: after.clone(),
                },
            )
            .await
            .unwrap();
        seen.extend(page.items.iter().map(|(_, d)| d.id.clone()));
        if !page.has_next {
            break;
        }
        after = page.items.last().map(|(k, _)| k.clone());
    }
    assert_eq!(seen, ids);
    assert_eq!(
        s.count(&CountQuery::Datasets(DatasetFilter::default()))
            .await
            .unwrap(),
        7
    );
    let got = s
        .datasets_by_ids(&[ids[2].as_str().to_owned()])
        .await
        .unwrap();
    assert_eq!(got[0].slug.as_str(), "set-2");
    assert_eq!(got[0].stack_status, StackStatus::Pending);
    let stack = s.stack_for_target(ids[2].as_str()).await.unwrap().unwrap();
    assert_eq!(stack.status, StackStatus::Pending);
    // The creation wrote its audit event with the request id.
    let audit = s
        .list_audit_events(ids[2].as_str(), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(audit.items.len(), 1);
    assert_eq!(audit.items[0].1.action, "createDataset");
    assert_eq!(audit.items[0].1.request_id, "req-1");
    assert!(audit.items[0].1.after.is_some());
}

async fn dataset_updates_are_versioned(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let d = dataset(s, &e, "orders", &[]).await;
    let patch = DatasetPatch {
        description: Some(Description::parse("d", "v2").unwrap()),
        ..Default::default()
    };
    let updated = s
        .update_dataset(&meta("updateDataset"), &d.id, 1, &patch)
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    assert_eq!(updated.description.as_str(), "v2");
    // A second writer that read version 1 loses cleanly.
    let stale = DatasetPatch {
        description: Some(Description::parse("d", "stale").unwrap()),
        ..Default::default()
    };
    let err = s
        .update_dataset(&meta("updateDataset"), &d.id, 1, &stale)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let now = s.datasets_by_ids(&[d.id.as_str().into()]).await.unwrap();
    assert_eq!(now[0].description.as_str(), "v2");
    let audit = s
        .list_audit_events(d.id.as_str(), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(
        audit.items.len(),
        2,
        "the stale update wrote no audit event"
    );
    let last = &audit.items[1].1;
    assert_eq!(last.before.as_ref().unwrap()["description"], "orders");
    assert_eq!(last.after.as_ref().unwrap()["description"], "v2");
}

async fn failed_mutation_leaves_no_trace(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let d = dataset(s, &e, "orders", &[]).await;
    let teams_before = s.count(&CountQuery::Teams).await.unwrap();
    // Same slug in the same environment: the insert fails after teams were registered and
    // before the grants and audit row; nothing of it may remain.
    let mut dup = d.clone();
    dup.id = DatasetId::generate();
    dup.owner_team = team("brand-new-team");
    let grants = Grant::bundle(&dup.owner_team, dup.id.as_str(), Bundle::DatasetAll);
    let err = s
        .create_dataset(&meta("createDataset"), &dup, &grants)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert_eq!(s.count(&CountQuery::Teams).await.unwrap(), teams_before);
    assert!(
        s.resource_permissions(&["brand-new-team".into()], &[dup.id.as_str().into()])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.count(&CountQuery::Audit(dup.id.as_str().into()))
            .await
            .unwrap(),
        0
    );
    // Same account and region: CONFLICT with a clear message.
    let now = Utc::now();
    let mut e2 = e.clone();
    e2.id = EnvironmentId::generate();
    e2.created_at = now;
    let err = s
        .create_environment(&meta("createEnvironment"), &e2, &[])
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    assert!(err.message.contains("already linked"), "{}", err.message);
}

async fn permissions_are_one_lookup_and_grants_follow_bundles(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let d = dataset(s, &e, "orders", &[]).await;
    let before = s.statement_count();
    let held = s
        .resource_permissions(
            &["sales".into(), "nobody".into()],
            &[d.id.as_str().into(), e.id.as_str().into()],
        )
        .await
        .unwrap();
    assert_eq!(
        s.statement_count() - before,
        1,
        "one query for any number of teams and resources"
    );
    assert!(held[d.id.as_str()].contains(&Permission::DeleteDataset));
    assert!(
        !held.contains_key(e.id.as_str()),
        "sales holds nothing on the environment"
    );
    let stewards = s
        .resource_permissions(&["stewards".into()], &[d.id.as_str().into()])
        .await
        .unwrap();
    assert!(stewards[d.id.as_str()].contains(&Permission::GetDataset));
    assert!(!stewards[d.id.as_str()].contains(&Permission::UpdateDataset));
    let platform = s
        .resource_permissions(&["platform".into()], &[d.id.as_str().into()])
        .await
        .unwrap();
    assert!(
        platform[d.id.as_str()].contains(&Permission::UpdateDataset),
        "environment owners get DATASET_ALL"
    );
    // Invite and remove a team.
    let m = s
        .invite_team(
            &meta("inviteTeamToEnvironment"),
            e.id.as_str(),
            &team("analysts"),
            &[Permission::GetEnvironment, Permission::CreateDataset],
            None,
        )
        .await
        .unwrap();
    assert_eq!(
        m.permissions,
        vec![Permission::GetEnvironment, Permission::CreateDataset]
    );
    let teams = s.resource_teams(e.id.as_str()).await.unwrap();
    assert_eq!(
        teams.iter().map(|t| t.team.as_str()).collect::<Vec<_>>(),
        vec!["analysts", "platform"]
    );
    s.remove_team(
        &meta("removeTeamFromEnvironment"),
        e.id.as_str(),
        &team("analysts"),
    )
    .await
    .unwrap();
    let err = s
        .remove_team(
            &meta("removeTeamFromEnvironment"),
            e.id.as_str(),
            &team("analysts"),
        )
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
    // Organizations are trimmed to the caller's teams.
    let f = OrganizationFilter {
        visible_to: Some(vec!["admins".into()]),
        include_archived: false,
    };
    assert_eq!(
        s.list_organizations(&f, &PageRequest::first(10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    let f = OrganizationFilter {
        visible_to: Some(vec!["sales".into()]),
        include_archived: false,
    };
    assert_eq!(
        s.list_organizations(&f, &PageRequest::first(10))
            .await
            .unwrap()
            .items
            .len(),
        0
    );
}

async fn filters_by_tag_topic_and_owner(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let a = dataset(s, &e, "alpha", &["pii", "gold"]).await;
    let _b = dataset(s, &e, "beta", &["gold"]).await;
    let tag = |t: &str| DatasetFilter {
        tag: Some(Tag::parse("t", t).unwrap()),
        ..Default::default()
    };
    let ids = |p: lakecat_core::page::Page<Dataset>| {
        p.items.into_iter().map(|(_, d)| d.id).collect::<Vec<_>>()
    };
    assert_eq!(
        ids(s
            .list_datasets(&tag("pii"), &PageRequest::first(10))
            .await
            .unwrap()),
        vec![a.id.clone()]
    );
    assert_eq!(
        s.count(&CountQuery::Datasets(tag("gold"))).await.unwrap(),
        2
    );
    let patch = DatasetPatch {
        tags: Some(vec![Tag::parse("t", "silver").unwrap()]),
        ..Default::default()
    };
    s.update_dataset(&meta("updateDataset"), &a.id, 1, &patch)
        .await
        .unwrap();
    assert_eq!(
        s.count(&CountQuery::Datasets(tag("pii"))).await.unwrap(),
        0,
        "the tag index follows updates"
    );
    let topic = DatasetFilter {
        topic: Some(Topic::Sales),
        ..Default::default()
    };
    assert_eq!(s.count(&CountQuery::Datasets(topic)).await.unwrap(), 2);
    let owner = DatasetFilter {
        owner_team: Some(team("nobody")),
        ..Default::default()
    };
    assert_eq!(s.count(&CountQuery::Datasets(owner)).await.unwrap(), 0);
}

async fn discovered_tables_are_recorded_incrementally(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let d = dataset(s, &e, "orders", &[]).await;
    let m = meta("syncTables");
    let first = s
        .record_discovered_tables(
            &m,
            &d.id,
            &[discovered("orders", 3), discovered("items", 2)],
        )
        .await
        .unwrap();
    assert_eq!((first.tables_created, first.columns_written), (2, 5));
    let tables = s.list_tables(&d.id, &PageRequest::first(10)).await.unwrap();
    let orders = tables
        .items
        .iter()
        .map(|(_, t)| t)
        .find(|t| t.glue_name == "orders")
        .unwrap()
        .clone();
    // A catalog edit on a column survives a later change of the table in the lake.
    let col = s
        .list_columns(&orders.id, &PageRequest::first(10))
        .await
        .unwrap()
        .items[1]
        .1
        .clone();
    let patch = DocumentPatch {
        description: Some(Description::parse("d", "order total").unwrap()),
        tags: None,
    };
    s.update_column(&m, &col.id, 1, &patch, Some(Some("PII".into())))
        .await
        .unwrap();
    let again = s
        .record_discovered_tables(
            &m,
            &d.id,
            &[discovered("orders", 4), discovered("items", 2)],
        )
        .await
        .unwrap();
    assert_eq!(
        (
            again.tables_created,
            again.tables_updated,
            again.tables_unchanged
        ),
        (0, 1, 1)
    );
    assert_eq!(
        again.columns_written, 4,
        "only the changed table's columns are rewritten"
    );
    let cols = s
        .list_columns(&orders.id, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(cols.items.len(), 4);
    let kept = &cols.items[1].1;
    assert_eq!(
        (
            kept.id.clone(),
            kept.description.as_str(),
            kept.classification.as_deref()
        ),
        (col.id, "order total", Some("PII"))
    );
    assert_eq!(
        s.table_counts(&[d.id.as_str().into()]).await.unwrap()[d.id.as_str()],
        2
    );
}

async fn a_complete_listing_marks_tables_gone_from_the_lake_deleted(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let d = dataset(s, &e, "orders", &[]).await;
    let m = meta("syncTables");
    let all = [
        discovered("orders", 3),
        discovered("items", 2),
        discovered("returns", 1),
    ];
    s.record_table_listing(&m, &d.id, &all, &[]).await.unwrap();
    let ids: HashMap<String, String> = s
        .list_tables(&d.id, &PageRequest::first(10))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|(_, t)| (t.glue_name.clone(), t.id.to_string()))
        .collect();
    // `items` could not be read this time: kept as it is; `returns` is gone: deleted.
    let gone = s
        .record_table_listing(&m, &d.id, &all[..1], &["items".to_owned()])
        .await
        .unwrap();
    assert_eq!(
        (
            gone.tables_unchanged,
            gone.tables_deleted,
            gone.tables_restored
        ),
        (1, 1, 0)
    );
    let listed: Vec<String> = s
        .list_tables(&d.id, &PageRequest::first(10))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|(_, t)| t.glue_name)
        .collect();
    assert_eq!(listed.len(), 2);
    assert!(!listed.contains(&"returns".to_owned()), "{listed:?}");
    assert_eq!(
        s.table_counts(&[d.id.as_str().into()]).await.unwrap()[d.id.as_str()],
        2
    );
    assert_eq!(s.count(&CountQuery::Tables(d.id.clone())).await.unwrap(), 2);
    let searchable = s.tables_of_datasets(&[d.id.as_str().into()]).await.unwrap();
    assert_eq!(searchable.len(), 2, "a deleted table leaves search");
    let returns = s.tables_by_ids(&[ids["returns"].clone()]).await.unwrap();
    assert!(
        returns[0].deleted_at.is_some(),
        "kept by id, marked deleted"
    );
    assert_eq!(returns[0].version, 2);
    // A partial recording (one table's event) deletes nothing.
    let one = s
        .record_discovered_tables(&m, &d.id, &all[..1])
        .await
        .unwrap();
    assert_eq!((one.tables_unchanged, one.tables_deleted), (1, 0));
    assert_eq!(s.count(&CountQuery::Tables(d.id.clone())).await.unwrap(), 2);
    // Back in the lake: restored under its id, its columns as listed.
    let back = s.record_table_listing(&m, &d.id, &all, &[]).await.unwrap();
    assert_eq!(
        (
            back.tables_unchanged,
            back.tables_restored,
            back.tables_deleted
        ),
        (2, 1, 0)
    );
    let returns = s.tables_by_ids(&[ids["returns"].clone()]).await.unwrap();
    assert_eq!(returns[0].deleted_at, None);
    assert_eq!(s.count(&CountQuery::Tables(d.id.clone())).await.unwrap(), 3);
}

async fn columns_page_by_position(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let d = dataset(s, &e, "wide", &[]).await;
    s.record_discovered_tables(&meta("syncTables"), &d.id, &[discovered("wide", 1234)])
        .await
        .unwrap();
    let table = s
        .list_tables(&d.id, &PageRequest::first(1))
        .await
        .unwrap()
        .items[0]
        .1
        .clone();
    let mut after = None;
    let mut n = 0;
    let mut last = -1;
    loop {
        let page = s
            .list_columns(
                &table.id,
                &PageRequest {
                    first: 100,
                    after: after.clone(),
                },
            )
            .await
            .unwrap();
        for (_, c) in &page.items {
            assert_eq!(c.position, last + 1);
            last = c.position;
            n += 1;
        }
        if !page.has_next {
            break;
        }
        after = page.items.last().map(|(k, _)| k.clone());
    }
    assert_eq!(n, 1234);
    assert_eq!(
        s.count(&CountQuery::Columns(table.id.clone()))
            .await
            .unwrap(),
        1234
    );
}

async fn delete_dataset_removes_everything_attached(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let d = dataset(s, &e, "orders", &["pii"]).await;
    let keep = dataset(s, &e, "keep", &["pii"]).await;
    let m = meta("x");
    s.record_discovered_tables(&m, &d.id, &[discovered("orders", 3)])
        .await
        .unwrap();
    let table = s
        .list_tables(&d.id, &PageRequest::first(1))
        .await
        .unwrap()
        .items[0]
        .1
        .clone();
    let now = Utc::now();
    let folder = Folder {
        id: FolderId::generate(),
        dataset_id: d.id.clone(),
        label: Label::parse("l", "raw").unwrap(),
        prefix: S3Prefix::parse("p", "raw").unwrap(),
        description: Description::parse("d", "").unwrap(),
        tags: vec![],
        created_by: "ana".into(),
        created_at: now,
        updated_at: now,
    };
    s.create_folder(&m, &folder).await.unwrap();
    s.set_upvote(&m, &ResourceId::from(&table.id), "ana", true)
        .await
        .unwrap();
    s.delete_dataset(&meta("deleteDataset"), &d.id)
        .await
        .unwrap();
    assert!(
        s.datasets_by_ids(&[d.id.as_str().into()])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.tables_by_ids(&[table.id.as_str().into()])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.count(&CountQuery::Columns(table.id.clone()))
            .await
            .unwrap(),
        0
    );
    assert!(
        s.folders_by_ids(&[folder.id.as_str().into()])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.resource_permissions(&["sales".into()], &[d.id.as_str().into()])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.vote_summaries("ana", &[table.id.as_str().into()])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        s.count(&CountQuery::Datasets(DatasetFilter {
            tag: Some(Tag::parse("t", "pii").unwrap()),
            ..Default::default()
        }))
        .await
        .unwrap(),
        1
    );
    assert_eq!(
        s.datasets_by_ids(&[keep.id.as_str().into()])
            .await
            .unwrap()
            .len(),
        1
    );
    // The deletion itself is audited, with the dataset as it was.
    let audit = s
        .list_audit_events(d.id.as_str(), &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(audit.items.last().unwrap().1.action, "deleteDataset");
}

async fn glossary_tree_and_links(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let d = dataset(s, &e, "orders", &[]).await;
    let m = meta("glossary");
    let now = Utc::now();
    let node =
        |kind, parent: Option<&GlossaryNodeId>, glossary: Option<&GlossaryNodeId>, label: &str| {
            let id = GlossaryNodeId::generate(kind);
            lakecat_core::glossary::GlossaryNode {
                glossary_id: glossary.cloned().unwrap_or_else(|| id.clone()),
                id,
                parent_id: parent.cloned(),
                label: Label::parse("l", label).unwrap(),
                description: Description::parse("d", "").unwrap(),
                admin_team: team("stewards"),
                version: 1,
                created_by: "ana".into(),
                created_at: now,
                updated_at: now,
            }
        };
    let g = node(ResourceKind::Glossary, None, None, "Finance");
    s.create_glossary_node(
        &m,
        &g,
        &Grant::bundle(&team("stewards"), g.id.as_str(), Bundle::GlossaryAll),
    )
    .await
    .unwrap();
    let c = node(
        ResourceKind::GlossaryCategory,
        Some(&g.id),
        Some(&g.id),
        "Revenue",
    );
    s.create_glossary_node(&m, &c, &[]).await.unwrap();
    let term = node(
        ResourceKind::GlossaryTerm,
        Some(&c.id),
        Some(&g.id),
        "Net revenue",
    );
    s.create_glossary_node(&m, &term, &[]).await.unwrap();
    assert_eq!(
        s.list_glossaries(&PageRequest::first(10))
            .await
            .unwrap()
            .items
            .len(),
        1
    );
    assert_eq!(
        s.list_glossary_children(&c.id, &PageRequest::first(10))
            .await
            .unwrap()
            .items[0]
            .1
            .id,
        term.id
    );
    let updated = s
        .update_glossary_node(
            &m,
            &term.id,
            Some(1),
            None,
            Some(&Description::parse("d", "after refunds").unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(updated.version, 2);
    let err = s
        .update_glossary_node(&m, &term.id, Some(1), None, None)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let link = lakecat_core::glossary::TermLink {
        id: TermLinkId::generate(),
        term_id: term.id.clone(),
        target_id: d.id.as_str().into(),
        target_kind: ResourceKind::Dataset,
        approved: false,
        created_by: "ana".into(),
        created_at: now,
    };
    s.link_term(&m, &link).await.unwrap();
    let mut dup = link.clone();
    dup.id = TermLinkId::generate();
    assert_eq!(
        s.link_term(&m, &dup).await.unwrap_err().code,
        ErrorCode::Conflict
    );
    assert!(s.approve_term_link(&m, &link.id).await.unwrap().approved);
    assert_eq!(
        s.term_links_for_targets(&[d.id.as_str().into()])
            .await
            .unwrap()
            .len(),
        1
    );
    s.delete_glossary_node(&m, &g.id).await.unwrap();
    assert!(
        s.glossary_nodes_by_ids(&[term.id.as_str().into(), c.id.as_str().into()])
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        s.term_links_for_targets(&[d.id.as_str().into()])
            .await
            .unwrap()
            .is_empty()
    );
}

async fn votes_feed_and_notifications(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let d = dataset(s, &e, "orders", &[]).await;
    let m = meta("social");
    let target = ResourceId::from(&d.id);
    assert_eq!(
        s.set_upvote(&m, &target, "ana", true)
            .await
            .unwrap()
            .upvotes,
        1
    );
    assert_eq!(
        s.set_upvote(&m, &target, "ana", true)
            .await
            .unwrap()
            .upvotes,
        1,
        "upvoting twice counts once"
    );
    s.set_upvote(&m, &target, "bob", true).await.unwrap();
    let v = s
        .vote_summaries("bob", &[d.id.as_str().into()])
        .await
        .unwrap();
    assert_eq!(
        (v[d.id.as_str()].upvotes, v[d.id.as_str()].has_upvoted),
        (2, true)
    );
    assert_eq!(
        s.set_upvote(&m, &target, "ana", false)
            .await
            .unwrap()
            .upvotes,
        1
    );
    let msg = FeedMessage {
        id: FeedMessageId::generate(),
        target_id: d.id.as_str().into(),
        author: "bob".into(),
        body: "hi".into(),
        created_at: Utc::now(),
    };
    let n = NewNotification {
        recipient_team: team("sales"),
        kind: "COMMENT",
        message: "bob commented".into(),
        target_id: Some(d.id.as_str().into()),
    };
    s.post_feed_message(&m, &msg, Some(n)).await.unwrap();
    assert_eq!(
        s.list_feed(d.id.as_str(), &PageRequest::first(10))
            .await
            .unwrap()
            .items[0]
            .1
            .body,
        "hi"
    );
    let teams = vec!["sales".to_owned()];
    let page = s
        .list_notifications(&teams, "ana", true, &PageRequest::first(10))
        .await
        .unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(!page.items[0].1.read);
    let id = page.items[0].1.id.clone();
    s.mark_notification_read(&m, &teams, "ana", &id)
        .await
        .unwrap();
    assert_eq!(
        s.count(&CountQuery::Notifications {
            teams: teams.clone(),
            user: "ana".into(),
            unread_only: true
        })
        .await
        .unwrap(),
        0
    );
    assert_eq!(
        s.count(&CountQuery::Notifications {
            teams: teams.clone(),
            user: "carl".into(),
            unread_only: true
        })
        .await
        .unwrap(),
        1,
        "read marks are per user"
    );
    assert_eq!(
        s.mark_all_notifications_read(&m, &teams, "carl")
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        s.mark_all_notifications_read(&m, &teams, "carl")
            .await
            .unwrap(),
        0
    );
    // Someone outside the recipient team cannot mark it.
    let err = s
        .mark_notification_read(&m, &["other".into()], "eve", &id)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::NotFound);
}

async fn tenant_permissions_replace(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    assert!(
        s.tenant_permissions(&["data-team".into()])
            .await
            .unwrap()
            .is_empty(),
        "nothing implicit"
    );
    s.set_tenant_permissions(
        &meta("x"),
        &team("data-team"),
        &[
            TenantPermission::ManageDatasets,
            TenantPermission::ManageGlossaries,
        ],
    )
    .await
    .unwrap();
    s.set_tenant_permissions(
        &meta("x"),
        &team("data-team"),
        &[TenantPermission::ManageDatasets],
    )
    .await
    .unwrap();
    assert_eq!(
        s.tenant_permissions(&["data-team".into(), "x".into()])
            .await
            .unwrap(),
        vec![TenantPermission::ManageDatasets]
    );
    assert_eq!(
        s.list_teams(&PageRequest::first(10)).await.unwrap().items[0]
            .1
            .name
            .as_str(),
        "data-team"
    );
}

async fn environment_delete_conflicts_while_datasets_remain(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let d = dataset(s, &e, "orders", &[]).await;
    assert_eq!(
        s.delete_environment(&meta("x"), &e.id)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    assert_eq!(
        s.archive_organization(&meta("x"), &o.id)
            .await
            .unwrap_err()
            .code,
        ErrorCode::Conflict
    );
    s.delete_dataset(&meta("x"), &d.id).await.unwrap();
    s.delete_environment(&meta("x"), &e.id).await.unwrap();
    assert!(
        s.archive_organization(&meta("x"), &o.id)
            .await
            .unwrap()
            .archived
    );
    let f = OrganizationFilter::default();
    assert_eq!(
        s.count(&CountQuery::Organizations(f)).await.unwrap(),
        0,
        "archived organizations are hidden by default"
    );
}

async fn changing_stewards_moves_their_grants(b: Backend) {
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let d = dataset(s, &e, "orders", &[]).await;
    let held = |team: &'static str| {
        let id = d.id.as_str().to_owned();
        async move {
            let mut p = s
                .resource_permissions(&[team.into()], std::slice::from_ref(&id))
                .await
                .unwrap()
                .remove(&id)
                .unwrap_or_default();
            p.sort_by_key(|p| p.as_str());
            p
        }
    };
    assert!(held("stewards").await.contains(&Permission::ApproveShare));
    let patch = |st: Option<&str>| DatasetPatch {
        stewards_team: Some(st.map(team)),
        ..Default::default()
    };
    let d2 = s
        .update_dataset(&meta("updateDataset"), &d.id, 1, &patch(Some("auditors")))
        .await
        .unwrap();
    assert_eq!(
        held("stewards").await,
        vec![],
        "the old stewards lose everything"
    );
    let auditors = held("auditors").await;
    assert!(
        auditors.contains(&Permission::GetDataset) && auditors.contains(&Permission::ApproveShare)
    );
    assert!(!auditors.contains(&Permission::UpdateDataset));
    // Stewardship moves to the owner team: the auditors lose theirs, the owners keep all.
    let owner_before = held("sales").await;
    let d3 = s
        .update_dataset(
            &meta("updateDataset"),
            &d.id,
            d2.version,
            &patch(Some("sales")),
        )
        .await
        .unwrap();
    assert_eq!(held("auditors").await, vec![]);
    assert_eq!(held("sales").await, owner_before, "owner grants untouched");
    s.update_dataset(&meta("updateDataset"), &d.id, d3.version, &patch(None))
        .await
        .unwrap();
    assert_eq!(
        held("sales").await,
        owner_before,
        "clearing keeps the owner's grants"
    );
}

async fn open_share(s: &SeaStore) -> (lakecat_core::shares::ShareCase, Environment) {
    use lakecat_core::shares::*;
    let o = org(s, "owners").await;
    let e = env(s, &o, "111111111111").await;
    let d = dataset(s, &e, "sales", &[]).await;
    let (share, grants, note) = NewShareRequest {
        dataset: d.clone(),
        environment: e.clone(),
        team: team("guests"),
        access: ShareAccess::Read,
        purpose: Description::parse("p", "").unwrap(),
        expires_at: None,
    }
    .build("gus", Utc::now())
    .unwrap();
    let (stored, created) = s
        .create_share_request(&meta("createShareRequest"), &share, &grants, &note)
        .await
        .unwrap();
    assert!(created);
    (
        ShareCase {
            share: stored,
            items: vec![],
            dataset: d,
        },
        e,
    )
}

async fn share_writes_are_versioned_and_creates_reuse_the_open_request(b: Backend) {
    use lakecat_core::shares::*;
    let db = fresh_store(b).await.unwrap();
    let s = &db.store;
    let (case, e) = open_share(s).await;
    // Concurrent creates for the same dataset, environment and team end in one request.
    let mut handles = vec![];
    for _ in 0..6 {
        let s = s.clone();
        let (ds, e) = (case.dataset.clone(), e.clone());
        handles.push(tokio::spawn(async move {
            let (share, grants, note) = NewShareRequest {
                dataset: ds,
                environment: e,
                team: team("guests"),
                access: ShareAccess::Read,
                purpose: Description::parse("p", "").unwrap(),
                expires_at: None,
            }
            .build("gus", Utc::now())
            .unwrap();
            s.create_share_request(&meta("c"), &share, &grants, &note)
                .await
                .unwrap()
        }));
    }
    for h in handles {
        let (got, created) = h.await.unwrap();
        assert!(!created);
        assert_eq!(got.id, case.share.id);
    }
    // Two writes from the same read: the first wins, the second is a CONFLICT and changes
    // nothing.
    let item = ItemToAdd {
        kind: ShareItemKind::Bucket,
        target_id: case.dataset.id.to_string(),
    };
    let w1 = case.add_item(item.clone(), Utc::now()).unwrap();
    let w2 = case.add_item(item, Utc::now()).unwrap();
    s.write_share(&meta("addShareItem"), &w1).await.unwrap();
    let err = s.write_share(&meta("addShareItem"), &w2).await.unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
    let items = s.share_items(&[case.share.id.to_string()]).await.unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].id, w1.items[0].id);
    let stored = s
        .share_requests_by_ids(&[case.share.id.to_string()])
        .await
        .unwrap();
    assert_eq!(stored[0].version, 2);
    // The lists filter by side.
    let sent = ShareFilter {
        consumer_teams: Some(vec!["guests".into()]),
        ..ShareFilter::default()
    };
    let received = ShareFilter {
        approver_teams: Some(vec!["stewards".into()]),
        ..ShareFilter::default()
    };
    let nobody = ShareFilter {
        approver_teams: Some(vec!["guests".into()]),
        ..ShareFilter::default()
    };
    assert_eq!(s.count_share_requests(&sent).await.unwrap(), 1);
    assert_eq!(s.count_share_requests(&received).await.unwrap(), 1);
    assert_eq!(s.count_share_requests(&nobody).await.unwrap(), 0);
    // A dataset with an open request cannot be deleted.
    let err = s
        .delete_dataset(&meta("deleteDataset"), &case.dataset.id)
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::Conflict);
}

async fn resource_locks_exclude_and_expire(b: Backend) {
    use lakecat_core::shares::ResourceLock;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;
    let db = fresh_store(b).await.unwrap();
    let s = db.store.clone();
    // Ten holders doing a read-modify-write: never two at once, none lost.
    let inside = Arc::new(AtomicUsize::new(0));
    let value = Arc::new(AtomicUsize::new(0));
    let mut handles = vec![];
    for _ in 0..10 {
        let (s, inside, value) = (s.clone(), inside.clone(), value.clone());
        handles.push(tokio::spawn(async move {
            let token = s
                .acquire(
                    "bucket-policy:b",
                    Duration::from_secs(30),
                    Duration::from_secs(30),
                )
                .await
                .unwrap();
            assert_eq!(
                inside.fetch_add(1, Ordering::SeqCst),
                0,
                "two holders at once"
            );
            let read = value.load(Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(10)).await;
            value.store(read + 1, Ordering::SeqCst);
            inside.fetch_sub(1, Ordering::SeqCst);
            s.release("bucket-policy:b", &token).await;
        }));
    }
    for h in handles {
        h.await.unwrap();
    }
    assert_eq!(value.load(Ordering::SeqCst), 10);
    // A holder that died keeps the lock only for its lease; a bounded wait fails retryably.
    let _dead = s
        .acquire("kms:k", Duration::from_millis(300), Duration::ZERO)
        .await
        .unwrap();
    let err = s
        .acquire("kms:k", Duration::from_secs(30), Duration::from_millis(50))
        .await
        .unwrap_err();
    assert!(err.retryable, "{err:?}");
    let token = s
        .acquire("kms:k", Duration::from_secs(30), Duration::from_secs(5))
        .await
        .unwrap();
    // Releasing with a stale token does not free another holder's lock.
    s.release("kms:k", "stale").await;
    assert!(
        s.acquire("kms:k", Duration::from_secs(30), Duration::from_millis(50))
            .await
            .is_err()
    );
    s.release("kms:k", &token).await;
}

/// Waits until `f` gives `want`, for up to five seconds.
async fn eventually<F, Fut>(what: &str, want: Vec<String>, f: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Vec<String>>,
{
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let got = f().await;
        if got == want {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{what}: still {got:?}, want {want:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// The in-process cache of search readers (PostgreSQL only): it serves repeats, and drops
/// what it kept when its own store commits anything, and when another process changes what
/// readers are read from.
#[tokio::test]
async fn readers_cache_hears_its_own_commits_and_other_processes() {
    let t = fresh_store(Backend::Postgres).await.unwrap();
    let a = &t.store;
    // Another process: its own pool; its commits are nothing to `a` but notifications.
    let b = SeaStore::connect(&lakecat_store::StoreConfig::new(t.url.clone()))
        .await
        .unwrap();
    let o = org(a, "admins").await;
    lakecat_testkit::listening_readers_cache(a).await.unwrap();
    let guests = vec!["guests".to_owned()];
    let readers = || async { a.search_readers(&guests).await.unwrap() };
    assert_eq!(readers().await, Vec::<String>::new());
    let hits = a.search_readers_cache().1;
    assert_eq!(readers().await, Vec::<String>::new());
    assert_eq!(a.search_readers_cache().1, hits + 1, "a repeat is kept");

    // Another process invites the guests to the organization, then removes them.
    let member = vec![format!("org:{}", o.id)];
    let invite_guests = |by: &SeaStore| {
        let o = &o;
        let by = by.clone();
        async move {
            by.invite_team(
                &meta("inviteTeam"),
                o.id.as_str(),
                &team("guests"),
                &[Permission::GetOrganization],
                None,
            )
            .await
            .unwrap();
        }
    };
    invite_guests(&b).await;
    eventually(
        "after another process's invitation",
        member.clone(),
        readers,
    )
    .await;
    b.remove_team(&meta("removeTeam"), o.id.as_str(), &team("guests"))
        .await
        .unwrap();
    eventually("after another process's removal", vec![], readers).await;

    // This store's own change is seen at once, without waiting for its notification.
    invite_guests(a).await;
    assert_eq!(readers().await, member);
    // Any commit of this store drops what it kept, even one that notifies no one.
    assert_eq!(readers().await, member);
    let hits = a.search_readers_cache().1;
    a.set_tenant_permissions(
        &meta("setTenantPermissions"),
        &team("guests"),
        &[TenantPermission::ManageDatasets],
    )
    .await
    .unwrap();
    assert_eq!(readers().await, member);
    assert_eq!(a.search_readers_cache().1, hits, "asked the database again");

    // SQLite has no notifications: no cache.
    let s = fresh_store(Backend::Sqlite).await.unwrap();
    assert_eq!(
        s.store.cache_search_readers().unwrap_err().code,
        ErrorCode::Unavailable
    );
}

/// The target's stack deploys and deletes (not its access checks).
async fn stack_tasks(s: &SeaStore, target: &str) -> Vec<Task> {
    use lakecat_core::tasks::TaskStore;
    s.list_tasks(target, &PageRequest::first(50))
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|(_, t)| t)
        .filter(|t| t.kind == "stack.deploy" || t.kind == "stack.delete")
        .collect()
}

async fn stacks_deploy_one_at_a_time_and_record_outcomes(b: Backend) {
    use lakecat_core::stacks::{StackEvent, StackSubject};
    use lakecat_core::tasks::{TaskOutcome, TaskStore};
    use std::time::Duration;
    let t = fresh_store(b).await.unwrap();
    let s = &t.store;
    let o = org(s, "admins").await;
    let e = env(s, &o, "123456789012").await;
    let d = dataset(s, &e, "orders", &[]).await;

    // Environments and datasets get a PENDING stack row and one deploy task each.
    for (target, owner) in [
        (e.id.as_str(), &e.owner_team),
        (d.id.as_str(), &d.owner_team),
    ] {
        let stack = s.stack_for_target(target).await.unwrap().unwrap();
        assert_eq!(stack.status, StackStatus::Pending);
        let tasks = stack_tasks(s, target).await;
        assert_eq!(tasks.len(), 1, "{target}");
        assert_eq!(tasks[0].kind, "stack.deploy");
        assert_eq!(
            tasks[0].notify_team.as_ref(),
            Some(owner),
            "the owner hears of a failure"
        );
    }
    // Registering the environment also asked for its access check (the owner hears of a
    // refusal); asking again while it waits joins it; an unknown environment is NOT_FOUND.
    let check = s.access_check(e.id.as_str()).await.unwrap().unwrap();
    assert_eq!(check.kind, "stack.check");
    assert_eq!(check.status, TaskStatus::Pending);
    assert_eq!(check.notify_team.as_ref(), Some(&e.owner_team));
    let (joined, published) = s
        .request_access_check(&meta("checkEnvironmentAccess"), e.id.as_str())
        .await
        .unwrap();
    assert_eq!((joined.id.clone(), published.len()), (check.id.clone(), 0));
    assert!(s.access_check(d.id.as_str()).await.unwrap().is_none());
    let missing = EnvironmentId::generate();
    assert_eq!(
        s.request_access_check(&meta("checkEnvironmentAccess"), missing.as_str())
            .await
            .unwrap_err()
            .code,
        ErrorCode::NotFound
    );
    match s.stack_subject(d.id.as_str()).await.unwrap().unwrap() {
        StackSubject::Dataset {
            environment,
            dataset,
        } => {
            assert_eq!(environment.id, e.id);
            assert_eq!(dataset.id, d.id);
        }
        other => panic!("a dataset's subject, not {other:?}"),
    }
    // Teams invited to the environment are in its subject, and inviting one asks for a deploy
    // that joins the one waiting.
    s.invite_team(
        &meta("inviteTeamToEnvironment"),
        e.id.as_str(),
        &team("analysts"),
        &[Permission::GetEnvironment],
        None,
    )
    .await
    .unwrap();
    match s.stack_subject(e.id.as_str()).await.unwrap().unwrap() {
        StackSubject::Environment { teams, .. } => {
            assert!(teams.contains(&team("analysts")) && teams.contains(&team("platform")));
        }
        other => panic!("an environment's subject, not {other:?}"),
    }
    assert_eq!(stack_tasks(s, e.id.as_str()).await.len(), 1);

    // A second request while one waits joins it.
    let (_, published) = s
        .request_stack_deploy(&meta("updateStack"), d.id.as_str())
        .await
        .unwrap();
    assert!(published.is_empty());
    let first = stack_tasks(s, d.id.as_str()).await.remove(0);
    let lease = Duration::from_secs(60);
    let held = s.claim(&first.id, lease).await.unwrap().unwrap();

    // While it runs, a request becomes one more deploy, which cannot be claimed yet.
    let (_, published) = s
        .request_stack_deploy(&meta("updateStack"), d.id.as_str())
        .await
        .unwrap();
    assert_eq!(published.len(), 1);
    let second = TaskId::parse("id", &published[0].task_id).unwrap();
    assert!(
        s.claim(&second, lease).await.unwrap().is_none(),
        "deploys never overlap"
    );
    let (_, again) = s
        .request_stack_deploy(&meta("updateStack"), d.id.as_str())
        .await
        .unwrap();
    assert!(again.is_empty(), "one more deploy at most");

    // The running deploy records progress and its outcome; outputs go back to the dataset.
    let event = StackEvent {
        timestamp: Utc::now(),
        logical_id: "DatasetBucket".into(),
        resource_type: "AWS::S3::Bucket".into(),
        status: "CREATE_COMPLETE".into(),
        reason: None,
    };
    let outputs: std::collections::BTreeMap<String, String> = [
        ("BucketName".to_owned(), "lakecat-orders-renamed".to_owned()),
        (
            "AdminRoleArn".to_owned(),
            "arn:aws:iam::123456789012:role/lakecat-orders-admin".to_owned(),
        ),
        (
            "KmsKeyArn".to_owned(),
            "arn:aws:kms:eu-west-1:123456789012:key/1".to_owned(),
        ),
        ("GlueDatabaseName".to_owned(), "not a glue name!".to_owned()),
    ]
    .into();
    let recorded = s
        .record_stack(
            d.id.as_str(),
            &StackUpdate {
                status: StackStatus::CreateComplete,
                events: vec![event.clone(); 250],
                outputs: Some(outputs),
                error: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(recorded.status, StackStatus::CreateComplete);
    assert_eq!(
        recorded.events.as_array().map(Vec::len),
        Some(200),
        "the newest 200 events"
    );
    assert_eq!(
        recorded.outputs["KmsKeyArn"],
        "arn:aws:kms:eu-west-1:123456789012:key/1"
    );
    let after = s
        .datasets_by_ids(&[d.id.to_string()])
        .await
        .unwrap()
        .remove(0);
    assert_eq!(after.stack_status, StackStatus::CreateComplete);
    assert_eq!(after.aws.bucket, "lakecat-orders-renamed");
    assert_eq!(
        after.aws.admin_role_arn,
        "arn:aws:iam::123456789012:role/lakecat-orders-admin"
    );
    assert_eq!(
        after.aws.glue_database, d.aws.glue_database,
        "a malformed output is not written back"
    );
    assert_eq!(
        after.version,
        d.version + 1,
        "a changed dataset has a new version"
    );
    s.finish(
        &first.id,
        held.attempt,
        &TaskOutcome::Succeeded(serde_json::json!({})),
    )
    .await
    .unwrap();
    assert!(
        s.claim(&second, lease).await.unwrap().is_some(),
        "the next deploy runs after"
    );

    // Deleting the dataset deletes its row and writes the delete task with the subject.
    let published = s
        .delete_dataset(&meta("deleteDataset"), &d.id)
        .await
        .unwrap();
    assert_eq!(published.len(), 1);
    assert!(s.stack_for_target(d.id.as_str()).await.unwrap().is_none());
    let delete = stack_tasks(s, d.id.as_str())
        .await
        .into_iter()
        .find(|t| t.kind == "stack.delete")
        .unwrap();
    let subject: StackSubject = serde_json::from_value(delete.payload).unwrap();
    assert_eq!(subject.target_id(), d.id.as_str());
    assert_eq!(
        s.record_stack(
            d.id.as_str(),
            &StackUpdate {
                status: StackStatus::CreateComplete,
                events: vec![],
                outputs: None,
                error: None,
            },
        )
        .await
        .unwrap_err()
        .code,
        ErrorCode::NotFound
    );
    let published = s
        .delete_environment(&meta("deleteEnvironment"), &e.id)
        .await
        .unwrap();
    assert_eq!(published.len(), 1);
}
