//! The search contract, one suite for every adapter: ranking tiers, every word or any word,
//! upvotes as tie-breaks, visibility (hits, suggestions and facet counts), facets that follow
//! the other filters, writes visible on return, replacing a dataset without a gap, and bad
//! input. Each case takes an empty `&dyn SearchIndex`.
//!
//! Runs on an in-memory tantivy index always. The OpenSearch cases (feature `opensearch`)
//! need a live cluster, so they are ignored tests, reported as such: with `OPENSEARCH_URL` set
//! (and `OPENSEARCH_AUTH` and friends, see `OpenSearchConfig::from_env`),
//! `cargo test -p lakecat-search --features opensearch --test contract -- --ignored` runs each
//! in a fresh index prefix, deleted afterwards; without `OPENSEARCH_URL` they fail.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};

use lakecat_core::ErrorCode;
use lakecat_core::search::{
    DocKind, EVERYONE, Facet, SearchDoc, SearchIndex, SearchQuery, SearchResult,
};

// --- the catalog every case starts from ---------------------------------------------------

fn doc(id: &str, kind: DocKind, name: &str, label: &str, description: &str) -> SearchDoc {
    SearchDoc {
        id: id.into(),
        kind,
        dataset_id: Some("ds_sales".into()),
        name: name.into(),
        label: label.into(),
        description: description.into(),
        parent: None,
        tags: vec![],
        topics: vec![],
        confidentiality: Some("Official".into()),
        terms: vec![],
        organization: Some("Acme".into()),
        environment: Some("Prod".into()),
        region: Some("eu-west-1".into()),
        owner_team: Some("sales".into()),
        upvotes: 0,
        updated_at: chrono::Utc::now(),
        readers: vec![EVERYONE.into()],
    }
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        filters: BTreeMap::new(),
        readers: Some(vec!["analysts".into()]),
        first: 10,
        offset: 0,
        any_word: false,
    }
}

/// The documents of dataset `ds_sales` (six, visible to everyone).
fn sales_docs() -> Vec<SearchDoc> {
    let mut docs = vec![
        doc(
            "tbl_1",
            DocKind::Table,
            "sales_orders",
            "Sales orders",
            "One row per order line of the web shop",
        ),
        doc(
            "tbl_2",
            DocKind::Table,
            "sales_orders_archive",
            "Sales orders archive",
            "Orders before 2020",
        ),
        doc(
            "tbl_3",
            DocKind::Table,
            "orders_sales_summary",
            "Order summary",
            "Sales orders aggregated per day: sales orders, sales orders",
        ),
        doc(
            "col_1",
            DocKind::Column,
            "customer_id",
            "customer_id",
            "The customer who ordered",
        ),
        doc(
            "col_2",
            DocKind::Column,
            "customer_name",
            "customer_name",
            "Name of the customer id holder",
        ),
        doc(
            "ds_sales",
            DocKind::Dataset,
            "sales",
            "Sales",
            "Everything the shop sells",
        ),
    ];
    docs[0].tags = vec!["gold".into()];
    docs[1].tags = vec!["archive".into()];
    docs[2].upvotes = 50;
    docs
}

/// A restricted dataset's table: only the finance team may see it.
fn secret_doc() -> SearchDoc {
    let mut secret = doc(
        "tbl_9",
        DocKind::Table,
        "salary_payments",
        "Salary payments",
        "Salaries per employee",
    );
    secret.readers = vec!["finance".into()];
    secret.tags = vec!["pii".into()];
    secret.dataset_id = Some("ds_hr".into());
    secret
}

async fn load(index: &dyn SearchIndex) {
    let mut docs = sales_docs();
    docs.push(secret_doc());
    index.upsert(&docs).await.unwrap();
}

fn ids(r: &SearchResult) -> Vec<&str> {
    r.hits.iter().map(|h| h.id.as_str()).collect()
}

fn counts(r: &SearchResult, facet: Facet) -> Vec<(String, u64)> {
    r.facets[&facet]
        .iter()
        .map(|c| (c.value.clone(), c.count))
        .collect()
}

// --- the cases ----------------------------------------------------------------------------

async fn exact_names_come_first_then_prefixes_then_words(index: &dyn SearchIndex) {
    load(index).await;
    let r = index.search(&query("sales_orders")).await.unwrap();
    assert_eq!(ids(&r)[..3], ["tbl_1", "tbl_2", "tbl_3"], "{r:?}");
    // Words of a column name, typed with a space, find the column first.
    let r = index.search(&query("customer id")).await.unwrap();
    assert_eq!(ids(&r)[0], "col_1");
    // A label matches exactly too.
    let r = index.search(&query("Order summary")).await.unwrap();
    assert_eq!(ids(&r)[0], "tbl_3");
    // Quotes are punctuation: the name inside them is found.
    let r = index.search(&query("\"sales_orders\"")).await.unwrap();
    assert_eq!(ids(&r)[0], "tbl_1");
    // Matches in descriptions are highlighted, the rest escaped.
    index
        .upsert(&[doc(
            "fld_1",
            DocKind::Folder,
            "raw/",
            "Raw",
            "<script> drops for the shop",
        )])
        .await
        .unwrap();
    let r = index.search(&query("shop")).await.unwrap();
    assert!(
        r.hits.iter().any(|h| h.snippet.contains("<em>shop</em>")),
        "{r:?}"
    );
    let raw = r.hits.iter().find(|h| h.id == "fld_1").unwrap();
    assert!(raw.snippet.contains("&lt;script&gt;"), "{}", raw.snippet);
    assert!(!raw.snippet.contains("<script>"), "{}", raw.snippet);
}

async fn every_word_must_match_unless_any_word(index: &dyn SearchIndex) {
    load(index).await;
    // Every word, each in any field: only the summary has both.
    let r = index.search(&query("sales summary")).await.unwrap();
    assert_eq!(ids(&r), ["tbl_3"], "{r:?}");
    assert_eq!(r.total, 1);
    // A word in the name and one in the description.
    let r = index.search(&query("customer holder")).await.unwrap();
    assert_eq!(ids(&r), ["col_2"], "{r:?}");
    // With any word, entries with one of them come too, those with both first.
    let mut q = query("sales summary");
    q.any_word = true;
    let r = index.search(&q).await.unwrap();
    assert_eq!(ids(&r)[0], "tbl_3", "{r:?}");
    for id in ["tbl_1", "tbl_2", "ds_sales"] {
        assert!(ids(&r).contains(&id), "{id} in {r:?}");
    }
    // A name starting with the text counts whether or not its words match.
    let r = index.search(&query("sales_orders_arch")).await.unwrap();
    assert_eq!(ids(&r), ["tbl_2"], "{r:?}");
}

async fn upvotes_break_ties(index: &dyn SearchIndex) {
    load(index).await;
    // The empty query lists by upvotes.
    let r = index.search(&query("")).await.unwrap();
    assert_eq!(ids(&r)[0], "tbl_3", "{r:?}");
    // Two entries alike but for their upvotes (the later id has more).
    let mut a = doc("fct_a", DocKind::Table, "web_visits_a", "web_visits_a", "");
    let mut b = doc("fct_b", DocKind::Table, "web_visits_b", "web_visits_b", "");
    a.upvotes = 1;
    b.upvotes = 10;
    index.upsert(&[a, b]).await.unwrap();
    let r = index.search(&query("visits")).await.unwrap();
    assert_eq!(ids(&r), ["fct_b", "fct_a"], "{r:?}");
    // Votes never lift a word match over a prefix match: tbl_3 has 50, and is third.
    let r = index.search(&query("sales_orders")).await.unwrap();
    assert_eq!(ids(&r)[2], "tbl_3", "{r:?}");
}

async fn hidden_entries_are_absent_from_hits_suggestions_and_facet_counts(index: &dyn SearchIndex) {
    load(index).await;
    let r = index.search(&query("salary")).await.unwrap();
    assert!(r.hits.is_empty() && r.total == 0);
    let pii = r.facets[&Facet::Tag].iter().find(|c| c.value == "pii");
    assert!(
        pii.is_none(),
        "a hidden entry shows in a facet: {:?}",
        r.facets[&Facet::Tag]
    );
    assert!(
        index
            .suggest("sal", Some(&["analysts".into()]), 10)
            .await
            .unwrap()
            .iter()
            .all(|s| s.id != "tbl_9")
    );
    // Its team and admins see it.
    let mut q = query("salary");
    q.readers = Some(vec!["finance".into()]);
    assert_eq!(ids(&index.search(&q).await.unwrap()), ["tbl_9"]);
    q.readers = None;
    assert_eq!(ids(&index.search(&q).await.unwrap()), ["tbl_9"]);
    assert!(
        index
            .suggest("sal", None, 10)
            .await
            .unwrap()
            .iter()
            .any(|s| s.id == "tbl_9")
    );
    // Facet counts per reader, on everything each may see.
    let mut q = query("");
    let pii = |r: &SearchResult| counts(r, Facet::Tag).into_iter().find(|(v, _)| v == "pii");
    let r = index.search(&q).await.unwrap();
    assert_eq!((r.total, pii(&r)), (6, None), "{r:?}");
    q.readers = Some(vec!["finance".into()]);
    let r = index.search(&q).await.unwrap();
    assert_eq!((r.total, pii(&r)), (7, Some(("pii".into(), 1))));
    q.readers = Some(vec![]);
    assert_eq!(
        index.search(&q).await.unwrap().total,
        6,
        "everyone's entries"
    );
    q.readers = None;
    let r = index.search(&q).await.unwrap();
    assert_eq!((r.total, pii(&r)), (7, Some(("pii".into(), 1))));
}

async fn facet_counts_follow_the_text_and_the_other_filters(index: &dyn SearchIndex) {
    load(index).await;
    let mut q = query("orders");
    let r = index.search(&q).await.unwrap();
    let kinds = counts(&r, Facet::Kind);
    assert_eq!(kinds, [("TABLE".to_owned(), 3)], "{r:?}");
    // Filtering by a tag narrows the hits and the other facets, not the tag facet itself.
    q.filters.insert(Facet::Tag, vec!["gold".into()]);
    let r = index.search(&q).await.unwrap();
    assert_eq!(ids(&r), ["tbl_1"]);
    let tags: Vec<&str> = r.facets[&Facet::Tag]
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert!(
        tags.contains(&"gold") && tags.contains(&"archive"),
        "{tags:?}"
    );
    assert_eq!(r.facets[&Facet::Kind][0].count, 1);
    // Values of one facet are OR-ed.
    q.filters
        .insert(Facet::Tag, vec!["gold".into(), "archive".into()]);
    let r = index.search(&q).await.unwrap();
    let mut got = ids(&r);
    got.sort();
    assert_eq!(got, ["tbl_1", "tbl_2"]);
    // Facets are AND-ed.
    q.filters.insert(Facet::Kind, vec!["COLUMN".into()]);
    assert_eq!(index.search(&q).await.unwrap().total, 0);
    q.filters.remove(&Facet::Kind);
    // An unknown facet value is a valid, empty result; its own facet still counts the rest.
    q.filters.insert(Facet::Tag, vec!["no-such-tag".into()]);
    let r = index.search(&q).await.unwrap();
    assert_eq!(r.total, 0);
    assert!(r.hits.is_empty());
    assert!(
        counts(&r, Facet::Tag).contains(&("gold".to_owned(), 1)),
        "{r:?}"
    );
    assert!(r.facets[&Facet::Kind].is_empty(), "{r:?}");
    q.filters.insert(Facet::Kind, vec!["SPACESHIP".into()]);
    assert_eq!(index.search(&q).await.unwrap().total, 0);
}

async fn writes_and_deletes_are_visible_when_they_return(index: &dyn SearchIndex) {
    load(index).await;
    assert_eq!(index.count().await.unwrap(), 7);
    let mut d = doc(
        "tbl_1",
        DocKind::Table,
        "sales_orders",
        "Web orders",
        "renamed",
    );
    d.upvotes = 3;
    index.upsert(&[d]).await.unwrap();
    let r = index.search(&query("web orders")).await.unwrap();
    assert_eq!(ids(&r)[0], "tbl_1");
    assert_eq!(
        r.hits.iter().filter(|h| h.id == "tbl_1").count(),
        1,
        "replaced, not duplicated"
    );
    assert_eq!(index.count().await.unwrap(), 7);
    index.delete(&["tbl_1".into()]).await.unwrap();
    assert!(!ids(&index.search(&query("sales_orders")).await.unwrap()).contains(&"tbl_1"));
    assert_eq!(index.count().await.unwrap(), 6);
    // Absent ids and empty lists are fine.
    index.delete(&["no_such_doc".into()]).await.unwrap();
    index.delete(&[]).await.unwrap();
    index.upsert(&[]).await.unwrap();
    assert_eq!(index.count().await.unwrap(), 6);
}

async fn suggestions_complete_names_and_labels(index: &dyn SearchIndex) {
    load(index).await;
    let s = index
        .suggest("sales_ord", Some(&["analysts".into()]), 5)
        .await
        .unwrap();
    let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
    assert!(
        texts.contains(&"sales_orders") && texts.contains(&"sales_orders_archive"),
        "{texts:?}"
    );
    let s = index
        .suggest("Order su", Some(&["analysts".into()]), 5)
        .await
        .unwrap();
    assert_eq!(s[0].text, "Order summary");
    assert_eq!(s[0].kind, DocKind::Table);
    // The limit holds; nothing to complete is no suggestion.
    let s = index.suggest("s", None, 1).await.unwrap();
    assert_eq!(s.len(), 1);
    assert!(index.suggest(" - ", None, 5).await.unwrap().is_empty());
    let err = index
        .suggest(&"x".repeat(10_000), None, 5)
        .await
        .unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::BadUserInput, Some("prefix"))
    );
}

async fn bad_input_is_refused_or_harmless(index: &dyn SearchIndex) {
    load(index).await;
    let err = index.search(&query(&"x".repeat(10_000))).await.unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::BadUserInput, Some("query"))
    );
    for q in [
        "\"",
        "*",
        ":",
        "(",
        "name:sales AND",
        "sales\" OR \"1\"=\"1",
        "",
        "\\",
        "{\"match_all\": {}}",
    ] {
        let r = index.search(&query(q)).await;
        assert!(r.is_ok(), "{q}: {r:?}");
        let s = index.suggest(q, Some(&["analysts".into()]), 5).await;
        assert!(s.is_ok(), "{q}: {s:?}");
    }
    // The empty query lists what the caller may see.
    assert_eq!(index.search(&query("")).await.unwrap().total, 6);
}

async fn a_dataset_is_replaced_in_one_step(index: &dyn SearchIndex) {
    load(index).await;
    let before = index.count().await.unwrap();
    let mut listed = index.dataset_ids().await.unwrap();
    listed.sort();
    assert_eq!(listed, ["ds_hr", "ds_sales"]);
    let d = doc("tbl_new", DocKind::Table, "refunds", "Refunds", "");
    index.replace_dataset("ds_sales", &[d]).await.unwrap();
    // Every other document of ds_sales is gone, the new one is there, ds_hr is untouched.
    assert_eq!(index.count().await.unwrap(), 2, "{before}");
    let mut q = query("");
    q.readers = None;
    let r = index.search(&q).await.unwrap();
    let mut got = ids(&r);
    got.sort();
    assert_eq!(got, ["tbl_9", "tbl_new"]);
    index.replace_dataset("ds_sales", &[]).await.unwrap();
    assert_eq!(index.count().await.unwrap(), 1);
    // Several datasets at once: one emptied, one refilled.
    let mut hr = secret_doc();
    hr.id = "tbl_10".into();
    index
        .replace_datasets(vec![
            ("ds_sales".into(), sales_docs()),
            ("ds_hr".into(), vec![hr]),
        ])
        .await
        .unwrap();
    assert_eq!(index.count().await.unwrap(), 7);
    q.text = "salary".into();
    assert_eq!(ids(&index.search(&q).await.unwrap()), ["tbl_10"]);
    index.replace_datasets(vec![]).await.unwrap();
    assert_eq!(index.count().await.unwrap(), 7);
    assert!(
        index
            .dataset_ids()
            .await
            .unwrap()
            .contains(&"ds_sales".to_owned())
    );
}

async fn a_replace_never_shows_a_gap(index: &dyn SearchIndex) {
    load(index).await;
    let done = AtomicBool::new(false);
    let writer = async {
        for round in 0..5 {
            let mut docs = sales_docs();
            for d in &mut docs {
                d.description = format!("{} (round {round})", d.description);
            }
            index.replace_dataset("ds_sales", &docs).await.unwrap();
        }
        done.store(true, Ordering::SeqCst);
    };
    let reader = async {
        let mut searches = 0;
        while searches == 0 || !done.load(Ordering::SeqCst) {
            let r = index.search(&query("sales_orders")).await.unwrap();
            assert_eq!(ids(&r).first(), Some(&"tbl_1"), "{r:?}");
            let all = index.search(&query("")).await.unwrap();
            assert!(all.total >= 6, "a gap: {all:?}");
            searches += 1;
        }
        searches
    };
    let ((), searches) = tokio::join!(writer, reader);
    assert!(searches > 0);
    let r = index.search(&query("round")).await.unwrap();
    assert!(r.hits.iter().all(|h| h.snippet.contains("4")), "{r:?}");
}

// --- runners ------------------------------------------------------------------------------

/// One test per case and adapter.
macro_rules! contract {
    ($($case:ident),* $(,)?) => {
        mod tantivy {
            $(
                #[tokio::test]
                async fn $case() {
                    let index = lakecat_search::TantivyIndex::in_memory().unwrap();
                    super::$case(&index).await;
                }
            )*
        }

        #[cfg(feature = "opensearch")]
        mod opensearch {
            $(
                #[tokio::test]
                #[ignore = "needs a live OpenSearch: set OPENSEARCH_URL and run with --ignored"]
                async fn $case() {
                    let index = super::live::fresh(stringify!($case)).await;
                    let cleanup = index.clone();
                    let run = tokio::spawn(async move { super::$case(&index).await });
                    let outcome = run.await;
                    cleanup.destroy().await.unwrap();
                    if let Err(e) = outcome {
                        std::panic::resume_unwind(e.into_panic());
                    }
                }
            )*
        }
    };
}

contract!(
    exact_names_come_first_then_prefixes_then_words,
    every_word_must_match_unless_any_word,
    upvotes_break_ties,
    hidden_entries_are_absent_from_hits_suggestions_and_facet_counts,
    facet_counts_follow_the_text_and_the_other_filters,
    writes_and_deletes_are_visible_when_they_return,
    suggestions_complete_names_and_labels,
    bad_input_is_refused_or_harmless,
    a_dataset_is_replaced_in_one_step,
    a_replace_never_shows_a_gap,
);

#[cfg(feature = "opensearch")]
mod live {
    use lakecat_search::{IndexState, OpenSearchConfig, OpenSearchIndex};

    /// A connected index under a prefix of its own.
    pub async fn fresh(case: &str) -> OpenSearchIndex {
        let mut config = OpenSearchConfig::from_env()
            .unwrap()
            .expect("OPENSEARCH_URL is not set: the OpenSearch contract needs a live cluster");
        let stamp = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis();
        config.index_prefix = format!("lakecat-contract-{stamp}-{case}");
        let index = OpenSearchIndex::connect(&config).await.unwrap();
        assert_eq!(index.ensure().await.unwrap(), IndexState::Created);
        assert_eq!(index.ensure().await.unwrap(), IndexState::Current);
        index
    }
}

/// Asked for the OpenSearch contract in a build without its adapter: says how to build it,
/// rather than passing with nothing tested.
#[cfg(not(feature = "opensearch"))]
#[test]
#[ignore = "needs a live OpenSearch: set OPENSEARCH_URL and run with --features opensearch --ignored"]
fn opensearch_contract() {
    panic!(
        "built without the `opensearch` feature: run `cargo test -p lakecat-search --features \
         opensearch --test contract -- --ignored` with OPENSEARCH_URL set"
    );
}
