//! The OpenSearch adapter without a server, part 2: responses shaped like OpenSearch 2.x's
//! (`tests/fixtures/`) read into lakecat's types, and engine failures into coded errors whose
//! engine text stays in the log (INTERNAL and UNAVAILABLE messages never reach a caller).

#![cfg(feature = "opensearch")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::path::PathBuf;

use lakecat_core::ErrorCode;
use lakecat_core::search::{DocKind, Facet};
use lakecat_search::opensearch::responses::{
    parse_alias_indices, parse_bulk, parse_count, parse_dataset_ids, parse_delete_by_query,
    parse_hit_ids, parse_resolved_indices, parse_search, parse_suggest, status_error,
};
use serde_json::{Value, json};

fn fixture(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    let text = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn a_search_response_becomes_hits_total_and_facets() {
    let r = parse_search(fixture("search_response.json")).unwrap();
    assert_eq!(r.total, 2);
    let ids: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["tbl_1", "fld_1"]);
    let top = &r.hits[0];
    assert_eq!(
        (
            top.kind,
            top.dataset_id.as_deref(),
            top.name.as_str(),
            top.label.as_str()
        ),
        (
            DocKind::Table,
            Some("ds_sales"),
            "sales_orders",
            "Sales orders"
        )
    );
    assert_eq!(
        top.snippet,
        "One row per order line of the web <em>shop</em>"
    );
    assert!((top.score - 20202.5).abs() < 0.01);
    // No highlight: the description's first 150 characters, escaped.
    let raw = &r.hits[1];
    assert_eq!(raw.dataset_id, None);
    assert!(
        raw.snippet.starts_with("&lt;script&gt; drops &amp; loads"),
        "{}",
        raw.snippet
    );
    assert_eq!(
        raw.snippet
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
            .chars()
            .count(),
        150
    );
    // Every facet is there, counts as OpenSearch ordered them.
    assert_eq!(r.facets.len(), Facet::ALL.len());
    let tags: Vec<(&str, u64)> = r.facets[&Facet::Tag]
        .iter()
        .map(|c| (c.value.as_str(), c.count))
        .collect();
    assert_eq!(tags, [("gold", 2), ("archive", 1)]);
    assert!(r.facets[&Facet::Topic].is_empty());
    assert_eq!(
        r.facets[&Facet::Term][0].value,
        "Business/Finance/Net revenue"
    );
}

#[test]
fn a_search_response_missing_parts_is_an_internal_error() {
    let mut body = fixture("search_response.json");
    body["aggregations"]
        .as_object_mut()
        .unwrap()
        .remove("f_region");
    let err = parse_search(body).unwrap_err();
    assert_eq!(err.code, ErrorCode::Internal);
    assert!(err.message.contains("f_region"), "{}", err.message);
    let mut body = fixture("search_response.json");
    body["hits"]["hits"][0]["_source"]["kind"] = json!("SPACESHIP");
    assert_eq!(parse_search(body).unwrap_err().code, ErrorCode::Internal);
    assert_eq!(
        parse_search(json!({"oops": 1})).unwrap_err().code,
        ErrorCode::Internal
    );
}

#[test]
fn suggestions_show_what_the_prefix_matched() {
    let s = parse_suggest(fixture("suggest_response.json"), "Sales ord").unwrap();
    let got: Vec<(&str, DocKind, &str)> = s
        .iter()
        .map(|s| (s.id.as_str(), s.kind, s.text.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("tbl_1", DocKind::Table, "sales_orders"),
            ("tbl_3", DocKind::Table, "Sales orders summary"),
        ]
    );
}

#[test]
fn bulk_item_errors_fail_the_write() {
    assert_eq!(parse_bulk(&fixture("bulk_ok.json")), Ok(()));
    let err = parse_bulk(&fixture("bulk_item_error.json")).unwrap_err();
    // INTERNAL: logged with the engine's detail, shown to a caller as a generic message.
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Internal, None)
    );
    assert!(
        err.message.contains("tbl_2"),
        "the first failed item: {}",
        err.message
    );
    assert!(
        err.message.contains("strict_dynamic_mapping_exception"),
        "{}",
        err.message
    );
    assert!(!err.message.contains("tbl_3"), "{}", err.message);
    // An overloaded engine is worth a retry.
    let err = parse_bulk(&fixture("bulk_rejected.json")).unwrap_err();
    assert_eq!(err.code, ErrorCode::Unavailable);
}

#[test]
fn counts_deletes_aliases_and_listings() {
    assert_eq!(parse_count(&fixture("count.json")), Ok(42));
    assert_eq!(
        parse_count(&json!({})).unwrap_err().code,
        ErrorCode::Internal
    );
    assert_eq!(
        parse_delete_by_query(&fixture("delete_by_query.json")),
        Ok(3)
    );
    let err = parse_delete_by_query(&fixture("delete_by_query_conflict.json")).unwrap_err();
    assert_eq!(err.code, ErrorCode::Internal);
    assert!(
        err.message.contains("version_conflict_engine_exception"),
        "{}",
        err.message
    );
    assert_eq!(
        parse_alias_indices(&fixture("alias_get.json")),
        ["lakecat-v1-1714564800000"]
    );
    assert_eq!(
        parse_resolved_indices(&fixture("resolve_index.json")),
        [
            "lakecat-v1-0",
            "lakecat-v1-1714564800000",
            "lakecat-vault-v1-0"
        ]
    );
    let (ids, next) = parse_dataset_ids(&fixture("dataset_ids_page.json")).unwrap();
    assert_eq!(ids, ["ds_hr", "ds_sales"]);
    assert_eq!(next, Some(json!({"dataset_id": "ds_sales"})));
    assert_eq!(
        parse_hit_ids(&fixture("stale_ids_page.json")).unwrap(),
        ["col_7", "col_8"]
    );
    assert_eq!(
        parse_hit_ids(&json!({"hits": {"hits": [{"_score": 1}]}}))
            .unwrap_err()
            .code,
        ErrorCode::Internal
    );
    let (ids, next) = parse_dataset_ids(&fixture("dataset_ids_last.json")).unwrap();
    assert!(ids.is_empty() && next.is_none());
}

#[test]
fn engine_errors_become_coded_errors() {
    let err = status_error("search", 400, &fixture("error_400.json"));
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::Internal, None)
    );
    assert!(
        err.message.contains("search_phase_execution_exception"),
        "{}",
        err.message
    );
    assert!(
        err.message.contains("field [nope] not found"),
        "root cause: {}",
        err.message
    );
    let err = status_error("search", 404, &fixture("error_index_missing.json"));
    assert_eq!(err.code, ErrorCode::Internal);
    assert!(
        err.message.contains("no such index [lakecat]"),
        "{}",
        err.message
    );
    let err = status_error("alias lookup", 404, &fixture("alias_missing.json"));
    assert!(
        err.message.contains("alias [lakecat] missing"),
        "{}",
        err.message
    );
    let err = status_error("search", 403, &fixture("forbidden_aoss.json"));
    assert_eq!(err.code, ErrorCode::Internal);
    assert!(err.message.contains("403"), "{}", err.message);
    for status in [429, 502, 503, 504] {
        assert_eq!(
            status_error("bulk", status, &Value::Null).code,
            ErrorCode::Unavailable,
            "{status}"
        );
    }
    // Never BAD_USER_INPUT: the caller's input was checked before the request was built.
    assert_ne!(
        status_error("search", 400, &json!("x")).code,
        ErrorCode::BadUserInput
    );
}
