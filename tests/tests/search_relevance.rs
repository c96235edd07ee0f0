//! The relevance set: queries over the demo catalog (datasets, tables, columns, folders and
//! glossary terms) with the entry expected first (top-1) or among the first three (top-3),
//! on the tantivy index built by `reindex`. (The OpenSearch
//! adapter, when it lands, runs the same set.)

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::collections::BTreeMap;

use lakecat_cli::demo::seed_demo;
use lakecat_core::search::{DocKind, SearchIndex, SearchQuery};
use lakecat_search::TantivyIndex;

/// (query, expected kind, expected name, within the first k)
const SET: &[(&str, DocKind, &str, usize)] = &[
    ("sales_orders", DocKind::Table, "sales_orders", 1),
    ("order_items", DocKind::Table, "order_items", 1),
    ("customers", DocKind::Table, "customers", 1),
    (
        "customer_churn_scores",
        DocKind::Table,
        "customer_churn_scores",
        1,
    ),
    ("web_events", DocKind::Table, "web_events", 1),
    ("invoices", DocKind::Table, "invoices", 1),
    ("payments", DocKind::Table, "payments", 1),
    ("products", DocKind::Table, "products", 1),
    ("campaigns", DocKind::Table, "campaigns", 1),
    ("Sales Orders", DocKind::Dataset, "sales-orders", 3),
    ("Customer 360", DocKind::Dataset, "customer-360", 1),
    ("Web Clickstream", DocKind::Dataset, "web-clickstream", 1),
    ("Product Catalog", DocKind::Dataset, "product-catalog", 1),
    (
        "Marketing Campaigns",
        DocKind::Dataset,
        "marketing-campaigns",
        1,
    ),
    ("HR Headcount", DocKind::Dataset, "hr-headcount", 1),
    (
        "Inventory Snapshots",
        DocKind::Dataset,
        "inventory-snapshots",
        3,
    ),
    (
        "invoices-payments",
        DocKind::Dataset,
        "invoices-payments",
        1,
    ),
    // The glossary term "Customer ID" is as exact a match as the column (first when typed
    // as its label is); the column follows it.
    ("customer id", DocKind::Column, "customer_id", 3),
    ("customer_id", DocKind::Column, "customer_id", 1),
    ("Customer ID", DocKind::Term, "Customer ID", 1),
    ("Customer ID", DocKind::Column, "customer_id", 3),
    ("order_id", DocKind::Column, "order_id", 1),
    ("gross margin pct", DocKind::Column, "gross_margin_pct", 1),
    ("vat_amount", DocKind::Column, "vat_amount", 1),
    ("list price", DocKind::Column, "list_price", 1),
    ("first name", DocKind::Column, "first_name", 1),
    ("signup_date", DocKind::Column, "signup_date", 1),
    ("warehouse id", DocKind::Column, "warehouse_id", 1),
    ("model_version", DocKind::Column, "model_version", 1),
    ("employee_id", DocKind::Column, "employee_id", 1),
    ("session id", DocKind::Column, "session_id", 1),
    ("paid_ts", DocKind::Column, "paid_ts", 1),
    ("product_name", DocKind::Column, "product_name", 1),
    ("currency", DocKind::Column, "currency", 1),
    ("quantity", DocKind::Column, "quantity", 1),
    ("budget", DocKind::Column, "budget", 1),
    ("sales_ord", DocKind::Table, "sales_orders", 3),
    ("customer_ch", DocKind::Table, "customer_churn_scores", 1),
    ("web_ev", DocKind::Table, "web_events", 1),
    ("invoice", DocKind::Table, "invoices", 3),
    ("churn", DocKind::Table, "customer_churn_scores", 3),
    ("clickstream", DocKind::Dataset, "web-clickstream", 3),
    ("headcount", DocKind::Dataset, "hr-headcount", 3),
    ("margin", DocKind::Column, "gross_margin_pct", 3),
    // Glossary terms.
    ("net revenue", DocKind::Term, "Net Revenue", 1),
    ("Gross Margin", DocKind::Term, "Gross Margin", 1),
    ("sku", DocKind::Term, "SKU", 1),
    ("churn", DocKind::Term, "Churn", 3),
];

/// The demo catalog in SQLite, indexed by `reindex` as `lakecat serve` does.
async fn demo_index() -> TantivyIndex {
    let dir = tempfile::tempdir().unwrap();
    let url = lakecat_store::sqlite_url(&dir.path().join("catalog.db"));
    let store = lakecat_store::SeaStore::open(&lakecat_store::StoreConfig::new(url))
        .await
        .unwrap();
    seed_demo(&store, None).await.unwrap();
    let index = TantivyIndex::in_memory().unwrap();
    lakecat_worker::reindex(&store, &index, |_, _| {})
        .await
        .unwrap();
    index
}

#[tokio::test]
async fn the_expected_entry_ranks_where_it_should() {
    let index = demo_index().await;
    assert!(SET.len() >= 40);
    let mut misses = vec![];
    for (q, kind, name, k) in SET {
        let (_, r) = lakecat_core::search::search(
            &index,
            SearchQuery {
                text: (*q).into(),
                filters: BTreeMap::new(),
                readers: None,
                first: 3,
                offset: 0,
                any_word: false,
            },
        )
        .await
        .unwrap();
        let rank = r
            .hits
            .iter()
            .position(|h| h.kind == *kind && h.name == *name);
        if rank.is_none_or(|p| p >= *k) {
            let got: Vec<String> = r
                .hits
                .iter()
                .map(|h| format!("{} {}", h.kind.as_str(), h.name))
                .collect();
            misses.push(format!(
                "{q:?}: want {} {name} in top {k}, got {got:?}",
                kind.as_str()
            ));
        }
    }
    assert!(
        misses.is_empty(),
        "{} of {} missed:\n{}",
        misses.len(),
        SET.len(),
        misses.join("\n")
    );
}

/// Every word narrows the hits; when no entry has them all, the search says so and shows the
/// entries with any of them instead of nothing.
#[tokio::test]
async fn every_word_narrows_and_none_falls_back_to_any() {
    let index = demo_index().await;
    let run = |text: &str| {
        let q = SearchQuery {
            text: text.into(),
            filters: BTreeMap::new(),
            readers: None,
            first: 50,
            offset: 0,
            any_word: false,
        };
        let index = index.clone();
        async move { lakecat_core::search::search(&index, q).await.unwrap() }
    };
    let (_, customer) = run("customer").await;
    let (_, id) = run("id").await;
    let (ran, both) = run("customer id").await;
    assert!(!ran.any_word);
    assert!(both.total > 0);
    assert!(both.total < customer.total && both.total < id.total);
    // Any word would have given more.
    let any = index
        .search(&SearchQuery {
            any_word: true,
            ..ran.clone()
        })
        .await
        .unwrap();
    assert!(any.total > both.total);

    let (ran, fallback) = run("customer zzyzx").await;
    assert!(ran.any_word, "no entry has both words");
    assert_eq!(fallback.total, customer.total);
    let mut a: Vec<&str> = fallback.hits.iter().map(|h| h.id.as_str()).collect();
    let mut b: Vec<&str> = customer.hits.iter().map(|h| h.id.as_str()).collect();
    a.sort_unstable();
    b.sort_unstable();
    assert_eq!(a, b, "the same entries as the known word alone");
    // One unknown word alone finds nothing, and says it had every word.
    let (ran, none) = run("zzyzx").await;
    assert!(!ran.any_word);
    assert_eq!(none.total, 0);
}
