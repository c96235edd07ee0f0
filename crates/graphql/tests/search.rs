//! Search through the API on a real database and the tantivy index: ranking, facets,
//! read-your-writes after mutations, convergence through the outbox after a failed index
//! write, coalesced index tasks, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use common::{Fixture, caller};
use lakecat_core::ports::CatalogStore;
use lakecat_core::search::{
    SEARCH_TASK_KIND, SearchDoc, SearchIndex, SearchQuery, SearchResult, Suggestion,
};
use lakecat_core::tasks::{TaskHandler, TaskStore};
use lakecat_search::TantivyIndex;
use lakecat_testkit::Backend;
use lakecat_worker::{SearchHandler, reindex};
use serde_json::Value;

/// The tantivy index, whose writes can be made to fail (an index that is down).
struct Breakable {
    inner: TantivyIndex,
    broken: AtomicBool,
    /// Compaction alone fails.
    broken_compaction: AtomicBool,
}

impl Breakable {
    fn check(&self) -> lakecat_core::Result<()> {
        if self.broken.load(Ordering::SeqCst) {
            return Err(lakecat_core::Error::unavailable("index down"));
        }
        Ok(())
    }
}

#[async_trait::async_trait]
impl SearchIndex for Breakable {
    async fn upsert(&self, docs: &[SearchDoc]) -> lakecat_core::Result<()> {
        self.check()?;
        self.inner.upsert(docs).await
    }
    async fn delete(&self, ids: &[String]) -> lakecat_core::Result<()> {
        self.check()?;
        self.inner.delete(ids).await
    }
    async fn replace_datasets(
        &self,
        datasets: Vec<(String, Vec<SearchDoc>)>,
    ) -> lakecat_core::Result<()> {
        self.check()?;
        self.inner.replace_datasets(datasets).await
    }
    async fn compact(&self) -> lakecat_core::Result<()> {
        if self.broken_compaction.load(Ordering::SeqCst) {
            return Err(lakecat_core::Error::unavailable("merge failed"));
        }
        self.inner.compact().await
    }
    async fn count(&self) -> lakecat_core::Result<u64> {
        self.inner.count().await
    }
    async fn dataset_ids(&self) -> lakecat_core::Result<Vec<String>> {
        self.inner.dataset_ids().await
    }
    async fn search(&self, q: &SearchQuery) -> lakecat_core::Result<SearchResult> {
        self.inner.search(q).await
    }
    async fn suggest(
        &self,
        prefix: &str,
        readers: Option<&[String]>,
        limit: u32,
    ) -> lakecat_core::Result<Vec<Suggestion>> {
        self.inner.suggest(prefix, readers, limit).await
    }
}

fn reader() -> Option<lakecat_core::caller::Caller> {
    Some(caller("gus", &["guests"], false))
}
fn owner() -> Option<lakecat_core::caller::Caller> {
    Some(caller("olga", &["owners"], false))
}

async fn setup(b: Backend) -> (Fixture, Arc<Breakable>) {
    let index = Arc::new(Breakable {
        inner: TantivyIndex::in_memory().unwrap(),
        broken: AtomicBool::new(false),
        broken_compaction: AtomicBool::new(false),
    });
    let f = Fixture::with_search(b, Some(index.clone())).await;
    if b == Backend::Postgres {
        // As `lakecat serve` runs: every visibility check below then goes through the
        // readers cache, and must see each change at once.
        lakecat_testkit::listening_readers_cache(f.store())
            .await
            .unwrap();
    }
    let store: Arc<dyn CatalogStore> = Arc::new(f.store().clone());
    reindex(store.as_ref(), index.as_ref(), |_, _| {})
        .await
        .unwrap();
    (f, index)
}

async fn search(f: &Fixture, q: &str) -> Value {
    let doc = format!(
        r#"{{ search(query: {}) {{ totalCount hits {{ kind id name label snippet }} facets {{ facet values {{ value count }} }} pageInfo {{ hasNextPage endCursor }} }} }}"#,
        serde_json::to_string(q).unwrap()
    );
    f.ok(reader(), &doc).await["search"].clone()
}

fn hit_ids(r: &Value) -> Vec<String> {
    r["hits"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["id"].as_str().unwrap().to_owned())
        .collect()
}

async fn search_tasks(f: &Fixture) -> Vec<lakecat_core::catalog::Task> {
    let store = f.store();
    store
        .list_tasks(
            &f.id("dataset"),
            &lakecat_core::page::PageRequest {
                first: 100,
                after: None,
            },
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .map(|(_, t)| t)
        .filter(|t| t.kind == SEARCH_TASK_KIND)
        .collect()
}

async fn finds_and_facets(b: Backend) {
    let (f, _) = setup(b).await;
    let r = search(&f, "sales_orders").await;
    assert_eq!(r["hits"][0]["id"], f.id("table"), "{r}");
    assert_eq!(r["hits"][0]["kind"], "TABLE");
    let kinds = r["facets"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["facet"] == "KIND")
        .unwrap();
    assert!(
        kinds["values"]
            .as_array()
            .unwrap()
            .iter()
            .any(|v| v["value"] == "TABLE")
    );
    // The dataset's tag is a facet, and filters narrow hits.
    let d = f
        .ok(
            reader(),
            r#"{ search(query: "", filters: [{facet: TAG, values: ["gold"]}]) { totalCount hits { id } } }"#,
        )
        .await;
    assert_eq!(d["search"]["totalCount"], 1);
    assert_eq!(d["search"]["hits"][0]["id"], f.id("dataset"));
    let s = f
        .ok(
            reader(),
            r#"{ suggest(prefix: "sales_ord") { kind id text } }"#,
        )
        .await;
    assert_eq!(s["suggest"][0]["text"], "sales_orders");
}

async fn a_write_is_searchable_when_the_mutation_returns(b: Backend) {
    let (f, _) = setup(b).await;
    assert_eq!(search(&f, "refund").await["totalCount"], 0);
    f.ok(owner(), &format!(r#"mutation {{ updateTable(input: {{id: "{}", expectedVersion: 1, description: "The refund ledger"}}) {{ version }} }}"#, f.id("table"))).await;
    let r = search(&f, "refund").await;
    assert_eq!(hit_ids(&r), [f.id("table")]);
    // Each mutation's refresh (the fixture's and this one) did the dataset's search task:
    // the worker has nothing left.
    let tasks = search_tasks(&f).await;
    assert!(tasks.len() >= 2, "{tasks:?}");
    assert!(
        tasks
            .iter()
            .all(|t| t.status == lakecat_core::catalog::TaskStatus::Succeeded
                && t.result.as_ref().is_some_and(|r| r["by"] == "mutation")),
        "{tasks:?}"
    );
    assert!(
        r["hits"][0]["snippet"]
            .as_str()
            .unwrap()
            .contains("<em>refund</em>")
    );
    // A new folder is found at once; a deleted one is gone at once.
    let fld = f.ok(owner(), &format!(r#"mutation {{ createFolder(input: {{datasetId: "{}", label: "Chargebacks", prefix: "chargebacks/"}}) {{ id }} }}"#, f.id("dataset"))).await;
    let fld = fld["createFolder"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        hit_ids(&search(&f, "chargebacks").await),
        std::slice::from_ref(&fld)
    );
    f.ok(
        owner(),
        &format!(r#"mutation {{ deleteFolder(input: {{id: "{fld}"}}) }}"#),
    )
    .await;
    assert_eq!(search(&f, "chargebacks").await["totalCount"], 0);
}

async fn a_failed_index_write_converges_through_the_outbox(b: Backend) {
    let (f, index) = setup(b).await;
    let store: Arc<dyn CatalogStore> = Arc::new(f.store().clone());
    // The index is down: the mutation still commits, and leaves its index task pending.
    index.broken.store(true, Ordering::SeqCst);
    f.ok(owner(), &format!(r#"mutation {{ updateTable(input: {{id: "{}", expectedVersion: 1, description: "The refund ledger"}}) {{ version }} }}"#, f.id("table"))).await;
    f.ok(owner(), &format!(r#"mutation {{ updateDataset(input: {{id: "{}", expectedVersion: 1, label: "Refund center"}}) {{ version }} }}"#, f.id("dataset"))).await;
    assert_eq!(search(&f, "refund").await["totalCount"], 0);
    // Two changes, one pending task for the dataset (coalesced).
    let pending: Vec<_> = search_tasks(&f)
        .await
        .into_iter()
        .filter(|t| t.status == lakecat_core::catalog::TaskStatus::Pending)
        .collect();
    assert_eq!(pending.len(), 1, "{pending:?}");
    // The refreshes claimed it, failed, and gave it back with their error, leaving the
    // worker's retry budget whole.
    assert_eq!(pending[0].attempts, 0, "{pending:?}");
    assert!(
        pending[0]
            .error
            .as_deref()
            .unwrap_or("")
            .contains("index down"),
        "{pending:?}"
    );
    let handler = SearchHandler::new(store.clone(), index.clone());
    let claimed = store
        .claim(&pending[0].id, std::time::Duration::from_secs(60))
        .await
        .unwrap()
        .unwrap();
    let err = handler.run(&claimed.task).await.unwrap_err();
    assert!(err.retryable, "{err:?}");
    // Healed: the retry brings the index in line with the database.
    index.broken.store(false, Ordering::SeqCst);
    handler.run(&claimed.task).await.unwrap();
    let r = search(&f, "refund").await;
    let ids = hit_ids(&r);
    assert!(
        ids.contains(&f.id("table")) && ids.contains(&f.id("dataset")),
        "{r}"
    );
}

async fn a_rebuild_removes_what_the_catalog_no_longer_has(b: Backend) {
    let (f, index) = setup(b).await;
    let store: Arc<dyn CatalogStore> = Arc::new(f.store().clone());
    let before = index.count().await.unwrap();
    // Documents of a dataset deleted while the index was not listening.
    let mut ghost = lakecat_core::search::dataset_documents(
        store.as_ref(),
        &lakecat_core::ids::DatasetId::parse("id", &f.id("dataset")).unwrap(),
    )
    .await
    .unwrap();
    for d in &mut ghost {
        d.id = format!("{}_ghost", d.id);
        d.dataset_id = Some("ds_01GHOST".into());
        d.label = "Ghostly ledger".into();
    }
    index.replace_dataset("ds_01GHOST", &ghost).await.unwrap();
    assert!(search(&f, "ghostly").await["totalCount"].as_i64().unwrap() > 0);
    let (datasets, documents) = reindex(store.as_ref(), index.as_ref(), |_, _| {})
        .await
        .unwrap();
    assert!(datasets > 0 && documents > 0);
    assert_eq!(search(&f, "ghostly").await["totalCount"], 0);
    assert_eq!(index.count().await.unwrap(), before);
    assert!(!index.dataset_ids().await.unwrap().is_empty());
    // A rebuild whose compaction fails says so: the rebuilt index answers meanwhile.
    index.broken_compaction.store(true, Ordering::SeqCst);
    let err = lakecat_worker::rebuild(f.store(), f.store(), index.as_ref(), |_, _| {})
        .await
        .unwrap_err();
    assert!(
        err.message.contains("was rebuilt") && err.message.contains("compacting it failed"),
        "{}",
        err.message
    );
    assert_eq!(index.count().await.unwrap(), before);
    assert_eq!(hit_ids(&search(&f, "sales_orders").await)[0], f.id("table"));
}

/// The pending `search.index` tasks of every dataset and glossary.
async fn pending_search_tasks(f: &Fixture) -> Vec<lakecat_core::catalog::Task> {
    f.store()
        .stranded(std::time::Duration::ZERO, 1000)
        .await
        .unwrap()
        .into_iter()
        .filter(|t| {
            t.kind == SEARCH_TASK_KIND && t.status == lakecat_core::catalog::TaskStatus::Pending
        })
        .collect()
}

/// Runs the pending `search.index` tasks, as the worker would.
async fn run_dataset_tasks(f: &Fixture, index: &Arc<Breakable>) {
    let store: Arc<dyn CatalogStore> = Arc::new(f.store().clone());
    let handler = SearchHandler::new(store.clone(), index.clone());
    for t in pending_search_tasks(f).await {
        let claimed = store
            .claim(&t.id, std::time::Duration::from_secs(60))
            .await
            .unwrap()
            .unwrap();
        handler.run(&claimed.task).await.unwrap();
    }
}

/// The hits of a search narrowed to one glossary term path.
async fn with_term(f: &Fixture, path: &str) -> Vec<String> {
    let doc = format!(
        r#"{{ search(query: "", filters: [{{facet: TERM, values: [{}]}}]) {{ hits {{ id }} }} }}"#,
        serde_json::to_string(path).unwrap()
    );
    hit_ids(&f.ok(reader(), &doc).await["search"])
}

async fn glossary_terms_are_documents(b: Backend) {
    let (f, index) = setup(b).await;
    let admin = Some(common::admin());
    let term = f.id("term");
    // Found by name, first; its path is its glossary term; it is in no dataset.
    let r = f
        .ok(
            reader(),
            r#"{ search(query: "net revenue") { hits { kind id datasetId } facets { facet values { value count } } } }"#,
        )
        .await;
    let hit = &r["search"]["hits"][0];
    assert_eq!(
        (&hit["kind"], &hit["id"]),
        (&"TERM".into(), &term.clone().into()),
        "{r}"
    );
    assert!(hit["datasetId"].is_null(), "{r}");
    let s = f
        .ok(
            reader(),
            r#"{ suggest(prefix: "net rev") { kind id text } }"#,
        )
        .await;
    assert_eq!(s["suggest"][0]["id"], term, "{s}");
    assert_eq!(
        with_term(&f, "Business/Finance/Net revenue").await,
        std::slice::from_ref(&term)
    );
    // An approved link gives the dataset the term's path.
    f.ok(
        admin.clone(),
        &format!(
            r#"mutation {{ approveTermLink(input: {{linkId: "{}"}}) {{ approved }} }}"#,
            f.id("link")
        ),
    )
    .await;
    let mut both = vec![term.clone(), f.id("dataset")];
    both.sort();
    let sorted = |mut v: Vec<String>| {
        v.sort();
        v
    };
    assert_eq!(
        sorted(with_term(&f, "Business/Finance/Net revenue").await),
        both
    );
    // A renamed category: the term and the linked dataset follow when the mutation returns.
    f.ok(
        admin.clone(),
        &format!(
            r#"mutation {{ updateGlossaryNode(input: {{id: "{}", label: "Money"}}) {{ label }} }}"#,
            f.id("category")
        ),
    )
    .await;
    assert!(
        with_term(&f, "Business/Finance/Net revenue")
            .await
            .is_empty()
    );
    assert_eq!(
        sorted(with_term(&f, "Business/Money/Net revenue").await),
        both
    );
    // A rebuild holds the same documents, terms included.
    let before = index.count().await.unwrap();
    let store: Arc<dyn CatalogStore> = Arc::new(f.store().clone());
    reindex(store.as_ref(), index.as_ref(), |_, _| {})
        .await
        .unwrap();
    assert_eq!(index.count().await.unwrap(), before);
    assert_eq!(
        sorted(with_term(&f, "Business/Money/Net revenue").await),
        both
    );
    // Deleted: the term and the dataset's path are gone when the mutation returns.
    f.ok(
        admin,
        &format!(r#"mutation {{ deleteGlossaryNode(input: {{id: "{term}"}}) }}"#),
    )
    .await;
    assert!(with_term(&f, "Business/Money/Net revenue").await.is_empty());
    assert!(!hit_ids(&search(&f, "net revenue").await).contains(&term));
    // The tasks the mutations wrote find the index current.
    run_dataset_tasks(&f, &index).await;
    assert!(with_term(&f, "Business/Money/Net revenue").await.is_empty());
    assert_eq!(index.count().await.unwrap(), before - 1);
}

/// The values of one facet over everything the reader sees.
async fn facet_values(f: &Fixture, facet: &str) -> Vec<String> {
    let r = f
        .ok(
            reader(),
            r#"{ search(query: "") { facets { facet values { value } } } }"#,
        )
        .await;
    r["search"]["facets"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|x| x["facet"] == facet)
        .flat_map(|x| x["values"].as_array().unwrap().iter())
        .map(|v| v["value"].as_str().unwrap().to_owned())
        .collect()
}

/// Documents carry their organization's and environment's labels: renaming either refreshes
/// the datasets in it before it returns, and writes their tasks (which the worker runs to the
/// same documents, and which bring datasets beyond the inline limit).
async fn renamed_organizations_and_environments_reach_the_documents(b: Backend) {
    let (f, index) = setup(b).await;
    let admin = Some(common::admin());
    let (orgs, envs) = (
        facet_values(&f, "ORGANIZATION").await,
        facet_values(&f, "ENVIRONMENT").await,
    );
    assert_eq!((orgs.len(), envs.len()), (1, 1), "{orgs:?} {envs:?}");
    // Two more datasets: a rename writes its tasks a statement of many rows at a time.
    for label in ["Ledger One", "Ledger Two"] {
        f.ok(
            admin.clone(),
            &format!(r#"mutation {{ createDataset(input: {{environmentId: "{}", label: "{label}", ownerTeam: "owners"}}) {{ id }} }}"#, f.id("env")),
        )
        .await;
    }
    f.ok(
        admin.clone(),
        &format!(r#"mutation {{ updateOrganization(input: {{id: "{}", label: "Renamed Org"}}) {{ label }} }}"#, f.id("org")),
    )
    .await;
    assert_eq!(facet_values(&f, "ORGANIZATION").await, ["Renamed Org"]);
    f.ok(
        admin,
        &format!(r#"mutation {{ updateEnvironment(input: {{id: "{}", label: "Renamed Env"}}) {{ label }} }}"#, f.id("env")),
    )
    .await;
    let mut targets: Vec<String> = pending_search_tasks(&f)
        .await
        .into_iter()
        .filter_map(|t| t.target_id)
        .collect();
    targets.sort();
    let written = targets.len();
    targets.dedup();
    assert_eq!(
        (written, targets.len()),
        (3, 3),
        "one pending task per dataset, the two renames coalesced: {targets:?}"
    );
    assert_eq!(facet_values(&f, "ORGANIZATION").await, ["Renamed Org"]);
    assert_eq!(facet_values(&f, "ENVIRONMENT").await, ["Renamed Env"]);
    run_dataset_tasks(&f, &index).await;
    assert_eq!(facet_values(&f, "ORGANIZATION").await, ["Renamed Org"]);
    assert_eq!(facet_values(&f, "ENVIRONMENT").await, ["Renamed Env"]);
}

async fn bad_input_is_clear(b: Backend) {
    let (f, _) = setup(b).await;
    let long = "x".repeat(10_000);
    let r = f
        .run(
            reader(),
            &format!(r#"{{ search(query: "{long}") {{ totalCount }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["BAD_USER_INPUT"]);
    for q in ["\\\"", "*", ":", "(", "name:sales AND (", ""] {
        let r = f
            .run(
                reader(),
                &format!(r#"{{ search(query: "{q}") {{ totalCount }} }}"#),
            )
            .await;
        assert!(r.errors.is_empty(), "{q}: {:?}", r.errors);
    }
    let r = f
        .run(
            reader(),
            r#"{ search(query: "sales", after: "forged") { totalCount } }"#,
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["BAD_USER_INPUT"]);
    // A cursor of one search does not page another.
    let page = f
        .ok(
            reader(),
            r#"{ search(query: "", first: 1) { pageInfo { endCursor } } }"#,
        )
        .await;
    let cursor = page["search"]["pageInfo"]["endCursor"].as_str().unwrap();
    let r = f
        .run(
            reader(),
            &format!(r#"{{ search(query: "other", after: "{cursor}") {{ totalCount }} }}"#),
        )
        .await;
    assert_eq!(Fixture::codes(&r), ["BAD_USER_INPUT"]);
    let r = f
        .run(None, r#"{ search(query: "sales") { totalCount } }"#)
        .await;
    assert_eq!(Fixture::codes(&r), ["UNAUTHENTICATED"]);
}

/// Search, suggestions and facet counts only ever show what the caller may see.
async fn visibility_is_enforced_per_role(b: Backend) {
    let (f, _) = setup(b).await;
    let outsider = Some(caller("otto", &["outsiders"], false));
    let count = |who: Option<lakecat_core::caller::Caller>| {
        let f = &f;
        async move {
            let r = f
                .ok(who, r#"{ search(query: "sales_orders") { totalCount facets { facet values { value count } } } suggest(prefix: "sales") { id } }"#)
                .await;
            let kinds: i64 = r["search"]["facets"]
                .as_array()
                .unwrap()
                .iter()
                .find(|x| x["facet"] == "KIND")
                .unwrap()["values"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v["count"].as_i64().unwrap())
                .sum();
            (
                r["search"]["totalCount"].as_i64().unwrap(),
                kinds,
                r["suggest"].as_array().unwrap().len(),
            )
        }
    };
    assert!(
        count(outsider.clone()).await.0 > 0,
        "EVERYONE: every signed-in user"
    );
    let set = |v: &str, version: i64| {
        format!(
            r#"mutation {{ updateDataset(input: {{id: "{}", expectedVersion: {version}, visibility: {v}}}) {{ visibility }} }}"#,
            f.id("dataset")
        )
    };
    // Organization: the guests' team is invited to the organization, the outsiders' is not.
    f.ok(owner(), &set("ORGANIZATION", 1)).await;
    assert_eq!(count(outsider.clone()).await, (0, 0, 0));
    assert!(count(reader()).await.0 > 0);
    // Restricted: owners and stewards only, until a share is granted.
    f.ok(owner(), &set("RESTRICTED", 2)).await;
    assert_eq!(
        count(reader()).await,
        (0, 0, 0),
        "a hidden dataset counts nowhere"
    );
    assert!(count(owner()).await.0 > 0);
    assert!(count(Some(caller("stu", &["stewards"], false))).await.0 > 0);
    // A caller in several teams sees what any of them may, wherever it stands in the list.
    let several = |teams: &'static [&'static str]| Some(caller("sev", teams, false));
    assert!(count(several(&["outsiders", "stewards"])).await.0 > 0);
    assert_eq!(
        count(several(&["outsiders", "nobody", "guests"])).await,
        (0, 0, 0)
    );
    assert!(count(Some(common::admin())).await.0 > 0);
    // A share granted to the guests makes it visible to them.
    let share = f
        .ok(reader(), &format!(r#"mutation {{ createShareRequest(input: {{datasetId: "{}", environmentId: "{}", teamName: "guests"}}) {{ id }} }}"#, f.id("dataset"), f.id("env")))
        .await;
    let sid = share["createShareRequest"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    f.ok(reader(), &format!(r#"mutation {{ addShareItem(input: {{shareId: "{sid}", itemType: TABLE, itemId: "{}"}}) {{ id }} }}"#, f.id("table"))).await;
    f.ok(
        reader(),
        &format!(r#"mutation {{ submitShareRequest(input: {{shareId: "{sid}"}}) {{ id }} }}"#),
    )
    .await;
    f.ok(
        owner(),
        &format!(r#"mutation {{ approveShareRequest(input: {{shareId: "{sid}"}}) {{ id }} }}"#),
    )
    .await;
    let store: Arc<dyn CatalogStore> = Arc::new(f.store().clone());
    lakecat_worker::ShareHandler::new(
        store.clone(),
        Arc::new(lakecat_worker::LocalLakeProcessor::new(store)),
    )
    .process("t", &sid)
    .await
    .unwrap();
    assert!(count(reader()).await.0 > 0, "shared with the guests");
    assert!(count(several(&["outsiders", "nobody", "guests"])).await.0 > 0);
    assert_eq!(count(outsider).await, (0, 0, 0));
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod postgres { $(#[tokio::test] async fn $name() { super::$name(super::Backend::Postgres).await })* }
        mod sqlite { $(#[tokio::test] async fn $name() { super::$name(super::Backend::Sqlite).await })* }
    };
}

on_both_backends!(
    finds_and_facets,
    a_write_is_searchable_when_the_mutation_returns,
    a_failed_index_write_converges_through_the_outbox,
    a_rebuild_removes_what_the_catalog_no_longer_has,
    glossary_terms_are_documents,
    renamed_organizations_and_environments_reach_the_documents,
    bad_input_is_clear,
    visibility_is_enforced_per_role,
);
