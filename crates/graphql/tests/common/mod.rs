//! A catalog fixture on a real database, and helpers to run GraphQL as a given caller.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]
#![allow(
    dead_code,
    reason = "each test binary uses a different part of the fixture"
)]

use lakecat_core::ports::DatasetStore;
use std::sync::Arc;

use async_graphql::{Request, Response};
use lakecat_core::caller::Caller;
use lakecat_core::names::TeamName;
use lakecat_core::ports::CatalogStore;
use lakecat_graphql::{LakecatSchema, RequestContext, SchemaConfig, build_schema};
use lakecat_store::SeaStore;
use lakecat_testkit::{Backend, TestStore, fresh_store};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;

pub struct Fixture {
    pub db: TestStore,
    pub schema: LakecatSchema,
    pub ids: Value,
}

pub fn caller(name: &str, teams: &[&str], admin: bool) -> Caller {
    Caller {
        subject: format!("local:{name}"),
        username: name.into(),
        email: None,
        groups: teams
            .iter()
            .map(|t| TeamName::parse("t", t).unwrap())
            .collect(),
        is_admin: admin,
    }
}

pub fn admin() -> Caller {
    caller("root", &["lakecat-admins"], true)
}

impl Fixture {
    pub async fn new(backend: Backend) -> Fixture {
        Fixture::with_search(backend, None).await
    }

    /// A fixture whose API searches `search`.
    pub async fn with_search(
        backend: Backend,
        search: Option<Arc<dyn lakecat_core::search::SearchIndex>>,
    ) -> Fixture {
        Fixture::with_services(backend, search, None, None).await
    }

    /// A fixture whose API previews tables from `lake`.
    pub async fn with_lake(
        backend: Backend,
        lake: Arc<dyn lakecat_core::lake::LakeReader>,
    ) -> Fixture {
        Fixture::with_services(backend, None, None, Some(lake)).await
    }

    /// A fixture whose API manages `users` (local mode's user directory).
    pub async fn with_users(
        backend: Backend,
        users: Arc<dyn lakecat_core::ports::UserDirectory>,
    ) -> Fixture {
        Fixture::with_services(backend, None, Some(users), None).await
    }

    async fn with_services(
        backend: Backend,
        search: Option<Arc<dyn lakecat_core::search::SearchIndex>>,
        users: Option<Arc<dyn lakecat_core::ports::UserDirectory>>,
        lake: Option<Arc<dyn lakecat_core::lake::LakeReader>>,
    ) -> Fixture {
        let db = fresh_store(backend).await.unwrap();
        let store: Arc<dyn CatalogStore> = Arc::new(db.store.clone());
        let schema = build_schema(SchemaConfig {
            store,
            cursor_key: b"test-cursor-key".to_vec(),
            introspection: true,
            default_tenant_permissions: vec![],
            queue: None,
            search,
            users,
            platform: Default::default(),
            tables_sync: true,
            lake: lake.map(|l| l as Arc<dyn lakecat_core::lake::TableReader>),
        });
        let mut f = Fixture {
            db,
            schema,
            ids: Value::Null,
        };
        f.ids = f.seed().await;
        f
    }

    pub fn store(&self) -> &SeaStore {
        &self.db.store
    }

    pub async fn run(&self, who: Option<Caller>, query: &str) -> Response {
        let store: Arc<dyn CatalogStore> = Arc::new(self.db.store.clone());
        let ctx = RequestContext::new(store, who, "req-test".into());
        lakecat_graphql::execute(&self.schema, Request::new(query).data(ctx)).await
    }

    /// Runs and returns `data`, failing on any error.
    pub async fn ok(&self, who: Option<Caller>, query: &str) -> Value {
        let r = self.run(who, query).await;
        assert!(r.errors.is_empty(), "{query}\n{:?}", r.errors);
        r.data.into_json().unwrap()
    }

    /// The error codes of a response.
    pub fn codes(r: &Response) -> Vec<String> {
        r.errors
            .iter()
            .map(|e| {
                e.extensions
                    .as_ref()
                    .and_then(|x| x.get("code"))
                    .map(|v| v.to_string().trim_matches('"').to_owned())
                    .unwrap_or_default()
            })
            .collect()
    }

    /// Row counts of every table: equal before and after means nothing was written.
    pub async fn row_counts(&self) -> Vec<(String, i64)> {
        let mut out = vec![];
        for t in [
            "team",
            "tenant_permission",
            "resource_permission",
            "organization",
            "environment",
            "dataset",
            "resource_tag",
            "dataset_table",
            "dataset_column",
            "folder",
            "stack",
            "task",
            "glossary_node",
            "term_link",
            "vote",
            "feed_message",
            "notification",
            "notification_read",
            "audit_event",
            "share_request",
            "share_item",
            "lake_grant",
        ] {
            let db = self.store().connection();
            let row = db
                .query_one_raw(Statement::from_string(
                    db.get_database_backend(),
                    format!("SELECT COUNT(*) AS n FROM {t}"),
                ))
                .await
                .unwrap()
                .unwrap();
            out.push((t.to_owned(), row.try_get::<i64>("", "n").unwrap()));
        }
        out
    }

    /// Everything else's state as JSON, to compare before and after (versions, flags).
    pub async fn snapshot(&self) -> Value {
        let q = format!(
            r#"{{ d: dataset(id: "{ds}") {{ version label }} t: table(id: "{tbl}") {{ version description }} c: column(id: "{col}") {{ version }}
                 f: folder(id: "{fld}") {{ label }} n: glossaryNode(id: "{term}") {{ version label }} o: organization(id: "{org}") {{ label archived }} }}"#,
            ds = self.id("dataset"),
            tbl = self.id("table"),
            col = self.id("column"),
            fld = self.id("folder"),
            term = self.id("term"),
            org = self.id("org"),
        );
        self.ok(Some(admin()), &q).await
    }

    pub fn id(&self, k: &str) -> String {
        self.ids[k]
            .as_str()
            .unwrap_or_else(|| panic!("no fixture id {k}"))
            .to_owned()
    }

    async fn seed(&self) -> Value {
        let a = Some(admin());
        // Nothing is implicit: the owners' team gets its tenant permission explicitly.
        self.ok(a.clone(), r#"mutation { setTeamTenantPermissions(input: {team: "owners", permissions: ["MANAGE_DATASETS"]}) }"#).await;
        let org = self.ok(a.clone(), r#"mutation { createOrganization(input: {label: "Acme", adminTeam: "owners"}) { id } }"#).await;
        let org = org["createOrganization"]["id"].as_str().unwrap().to_owned();
        let env = self
            .ok(a.clone(), &format!(r#"mutation {{ createEnvironment(input: {{organizationId: "{org}", label: "Prod", accountId: "123456789012", region: "eu-west-1", ownerTeam: "owners"}}) {{ id }} }}"#))
            .await;
        let env = env["createEnvironment"]["id"].as_str().unwrap().to_owned();
        let ds = self
            .ok(a.clone(), &format!(r#"mutation {{ createDataset(input: {{environmentId: "{env}", label: "Sales Orders", ownerTeam: "owners", stewardsTeam: "stewards", tags: ["gold"]}}) {{ id }} }}"#))
            .await;
        let ds = ds["createDataset"]["id"].as_str().unwrap().to_owned();
        let did = lakecat_core::ids::DatasetId::parse("id", &ds).unwrap();
        let table = lakecat_core::catalog::DiscoveredTable {
            glue_name: lakecat_core::names::GlueName::parse("n", "sales_orders").unwrap(),
            location: "s3://b/sales_orders/".into(),
            format: "parquet".into(),
            properties: serde_json::json!({}),
            description: None,
            columns: (0..3)
                .map(|i| lakecat_core::catalog::DiscoveredColumn {
                    name: format!("c{i}"),
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
        self.store()
            .record_discovered_tables(&meta, &did, &[table])
            .await
            .unwrap();
        let t = self.ok(a.clone(), &format!(r#"{{ tables(datasetId: "{ds}") {{ nodes {{ id columns(first: 1) {{ nodes {{ id }} }} }} }} }}"#)).await;
        let tbl = t["tables"]["nodes"][0]["id"].as_str().unwrap().to_owned();
        let col = t["tables"]["nodes"][0]["columns"]["nodes"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let fld = self.ok(a.clone(), &format!(r#"mutation {{ createFolder(input: {{datasetId: "{ds}", label: "Raw", prefix: "raw/"}}) {{ id }} }}"#)).await;
        let fld = fld["createFolder"]["id"].as_str().unwrap().to_owned();
        let g = self.ok(a.clone(), r#"mutation { createGlossary(input: {label: "Business", adminTeam: "stewards"}) { id } }"#).await;
        let g = g["createGlossary"]["id"].as_str().unwrap().to_owned();
        let cat = self.ok(a.clone(), &format!(r#"mutation {{ createCategory(input: {{parentId: "{g}", label: "Finance"}}) {{ id }} }}"#)).await;
        let cat = cat["createCategory"]["id"].as_str().unwrap().to_owned();
        let term = self.ok(a.clone(), &format!(r#"mutation {{ createTerm(input: {{parentId: "{cat}", label: "Net revenue"}}) {{ id }} }}"#)).await;
        let term = term["createTerm"]["id"].as_str().unwrap().to_owned();
        // A link made by a non-steward owner stays pending.
        let owner = Some(caller("olga", &["owners"], false));
        let link = self.ok(owner, &format!(r#"mutation {{ linkTerm(input: {{termId: "{term}", targetId: "{ds}"}}) {{ id approved }} }}"#)).await;
        assert_eq!(link["linkTerm"]["approved"], false);
        let link = link["linkTerm"]["id"].as_str().unwrap().to_owned();
        self.ok(a.clone(), &format!(r#"mutation {{ inviteTeamToOrganization(input: {{organizationId: "{org}", team: "guests"}}) {{ team }} }}"#)).await;
        self.ok(a.clone(), &format!(r#"mutation {{ inviteTeamToEnvironment(input: {{environmentId: "{env}", team: "guests"}}) {{ team }} }}"#)).await;
        let n = self
            .ok(
                Some(caller("gus", &["guests"], false)),
                "{ notifications { nodes { id } } }",
            )
            .await;
        let ntf = n["notifications"]["nodes"][0]["id"]
            .as_str()
            .unwrap()
            .to_owned();
        serde_json::json!({
            "org": org, "env": env, "dataset": ds, "table": tbl, "column": col, "folder": fld,
            "glossary": g, "category": cat, "term": term, "link": link, "notification": ntf,
        })
    }
}
