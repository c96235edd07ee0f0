//! The search contract on the tantivy adapter: ranking tiers, visibility (hits, suggestions
//! and facet counts), facets that follow the other filters, freshness, and bad input.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::collections::BTreeMap;

use lakecat_core::ErrorCode;
use lakecat_core::search::{DocKind, EVERYONE, Facet, SearchDoc, SearchIndex, SearchQuery};
use lakecat_search::TantivyIndex;

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
    }
}

async fn catalog() -> TantivyIndex {
    let index = TantivyIndex::in_memory().unwrap();
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
    // A restricted dataset's table: only the finance team may see it.
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
    docs.push(secret);
    index.upsert(&docs).await.unwrap();
    index
}

fn ids(r: &lakecat_core::search::SearchResult) -> Vec<&str> {
    r.hits.iter().map(|h| h.id.as_str()).collect()
}

#[tokio::test]
async fn exact_names_come_first_then_prefixes_then_words() {
    let index = catalog().await;
    let r = index.search(&query("sales_orders")).await.unwrap();
    assert_eq!(ids(&r)[..3], ["tbl_1", "tbl_2", "tbl_3"], "{r:?}");
    // Words of a column name, typed with a space, find the column first.
    let r = index.search(&query("customer id")).await.unwrap();
    assert_eq!(ids(&r)[0], "col_1");
    // A label matches exactly too.
    let r = index.search(&query("Order summary")).await.unwrap();
    assert_eq!(ids(&r)[0], "tbl_3");
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
}

#[tokio::test]
async fn hidden_entries_are_absent_from_hits_suggestions_and_facet_counts() {
    let index = catalog().await;
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
}

#[tokio::test]
async fn facet_counts_follow_the_text_and_the_other_filters() {
    let index = catalog().await;
    let mut q = query("orders");
    let r = index.search(&q).await.unwrap();
    let kinds: Vec<(String, u64)> = r.facets[&Facet::Kind]
        .iter()
        .map(|c| (c.value.clone(), c.count))
        .collect();
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
    // An unknown facet value is a valid, empty result.
    q.filters.insert(Facet::Tag, vec!["no-such-tag".into()]);
    assert_eq!(index.search(&q).await.unwrap().total, 0);
}

#[tokio::test]
async fn writes_and_deletes_are_visible_when_they_return() {
    let index = catalog().await;
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
    index.delete(&["tbl_1".into()]).await.unwrap();
    assert!(!ids(&index.search(&query("sales_orders")).await.unwrap()).contains(&"tbl_1"));
}

#[tokio::test]
async fn suggestions_complete_names_and_labels() {
    let index = catalog().await;
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
}

#[tokio::test]
async fn bad_input_is_refused_or_harmless() {
    let index = catalog().await;
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
    ] {
        let r = index.search(&query(q)).await;
        assert!(r.is_ok(), "{q}: {r:?}");
    }
    // The empty query lists what the caller may see.
    assert_eq!(index.search(&query("")).await.unwrap().total, 6);
}

#[tokio::test]
async fn a_dataset_is_replaced_in_one_step() {
    let index = catalog().await;
    let before = index.count().await.unwrap();
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
}
