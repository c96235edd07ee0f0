//! The OpenSearch adapter without a server, part 1: the exact requests it sends (snapshots
//! under `tests/snapshots/`, rewritten with `UPDATE_SNAPSHOTS=1`) and properties of them (user
//! text only in `term` values, visibility for non-admins, disjunctive facets, documents that
//! fit the strict mappings). Part 2, `opensearch_responses.rs`, reads OpenSearch's answers.

#![cfg(feature = "opensearch")]
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "test helpers fail loudly on unexpected errors"
)]

use std::collections::BTreeMap;
use std::path::PathBuf;

use lakecat_core::ErrorCode;
use lakecat_core::search::{DocKind, EVERYONE, Facet, SearchDoc, SearchQuery};
use lakecat_search::opensearch::requests::{
    BulkOp, MAX_RESULT_WINDOW, SCHEMA_VERSION, alias_swap_body, bulk_bodies, bulk_body,
    create_index_body, dataset_ids_body, delete_stale_body, doc_source, index_name, index_version,
    mappings, search_body, stale_ids_body, suggest_body,
};
use serde_json::{Value, json};

// --- snapshots -----------------------------------------------------------------------------

fn dir(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join(name)
}

/// Compares `actual` with `tests/snapshots/<name>.json` (as JSON values, so key order and
/// spacing do not matter); with `UPDATE_SNAPSHOTS=1`, writes it first (and still compares,
/// so even an update run checks what it wrote).
fn assert_snapshot(name: &str, actual: &Value) {
    let path = dir("snapshots").join(format!("{name}.json"));
    let pretty = format!("{}\n", serde_json::to_string_pretty(actual).unwrap());
    if std::env::var("UPDATE_SNAPSHOTS").as_deref() == Ok("1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &pretty).unwrap();
    }
    let Ok(stored) = std::fs::read_to_string(&path) else {
        panic!(
            "no snapshot {}; run with UPDATE_SNAPSHOTS=1 to write it",
            path.display()
        );
    };
    let expected: Value = serde_json::from_str(&stored)
        .unwrap_or_else(|e| panic!("snapshot {} is not JSON: {e}", path.display()));
    if expected != *actual {
        let expected = serde_json::to_string_pretty(&expected).unwrap();
        panic!(
            "snapshot {name} differs (- stored, + now; UPDATE_SNAPSHOTS=1 accepts the change):\n{}",
            line_diff(&expected, &pretty)
        );
    }
}

/// A line diff (longest common subsequence), changed lines with two lines of context.
fn line_diff(old: &str, new: &str) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let mut lines: Vec<(char, &str)> = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            lines.push((' ', a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] > lcs[i + 1][j]) {
            lines.push(('+', b[j]));
            j += 1;
        } else {
            lines.push(('-', a[i]));
            i += 1;
        }
    }
    let near = |k: usize| {
        let lo = k.saturating_sub(2);
        let hi = (k + 2).min(lines.len() - 1);
        (lo..=hi).any(|n| lines[n].0 != ' ')
    };
    let mut out = String::new();
    let mut skipped = false;
    for (k, (mark, line)) in lines.iter().enumerate() {
        if near(k) {
            out.push_str(&format!("{mark} {line}\n"));
            skipped = false;
        } else if !skipped {
            out.push_str("  …\n");
            skipped = true;
        }
    }
    out
}

// --- inputs --------------------------------------------------------------------------------

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
        topics: vec!["Sales".into()],
        confidentiality: Some("Official".into()),
        terms: vec![],
        organization: Some("Acme".into()),
        environment: Some("Prod".into()),
        region: Some("eu-west-1".into()),
        owner_team: Some("sales".into()),
        upvotes: 0,
        updated_at: "2024-05-01T12:00:00Z".parse().unwrap(),
        readers: vec![EVERYONE.into()],
    }
}

fn docs() -> Vec<SearchDoc> {
    let mut table = doc(
        "tbl_1",
        DocKind::Table,
        "sales_orders",
        "Sales orders",
        "One row per order line of the web shop",
    );
    table.tags = vec!["gold".into()];
    table.terms = vec!["Business/Finance/Net revenue".into()];
    table.upvotes = 7;
    let mut column = doc(
        "col_1",
        DocKind::Column,
        "customerId",
        "customerId",
        "The <customer> who ordered",
    );
    column.parent = Some("sales_orders".into());
    column.readers = vec!["ds:ds_sales".into()];
    column.upvotes = -2;
    vec![table, column]
}

fn query(text: &str) -> SearchQuery {
    SearchQuery {
        text: text.into(),
        readers: Some(vec!["analysts".into(), "org:org_1".into()]),
        first: 10,
        ..Default::default()
    }
}

fn filtered(text: &str) -> SearchQuery {
    let mut q = query(text);
    q.filters = BTreeMap::from([
        (Facet::Tag, vec!["gold".into(), "archive".into()]),
        (Facet::Region, vec!["eu-west-1".into()]),
        (Facet::Kind, vec![]),
    ]);
    q.offset = 20;
    q
}

fn ndjson(body: &str) -> Value {
    assert!(body.ends_with('\n'), "NDJSON ends with a newline: {body:?}");
    Value::Array(
        body.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect(),
    )
}

// --- JSON walking ---------------------------------------------------------------------------

/// Every string value with the path of keys (array positions as `[]`) leading to it.
fn strings(v: &Value, path: &mut Vec<String>, out: &mut Vec<(String, String)>) {
    match v {
        Value::String(s) => out.push((path.join("."), s.clone())),
        Value::Array(a) => {
            path.push("[]".into());
            for x in a {
                strings(x, path, out);
            }
            path.pop();
        }
        Value::Object(o) => {
            for (k, x) in o {
                path.push(k.clone());
                strings(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Array(a) => a.iter().for_each(|x| keys(x, out)),
        Value::Object(o) => {
            for (k, x) in o {
                out.push(k.clone());
                keys(x, out);
            }
        }
        _ => {}
    }
}

/// Where user text could become query syntax, a script, or a pattern.
const PARSED_QUERIES: [&str; 10] = [
    "query_string",
    "simple_query_string",
    "match",
    "match_phrase",
    "match_phrase_prefix",
    "multi_match",
    "wildcard",
    "regexp",
    "fuzzy",
    "script",
];

fn assert_user_text_only_in_terms(body: &Value, text: &str) {
    let mut all = Vec::new();
    keys(body, &mut all);
    for k in PARSED_QUERIES {
        assert!(!all.iter().any(|x| x == k), "{k} in {body:#}");
    }
    let mut found = Vec::new();
    strings(body, &mut vec![], &mut found);
    for (path, s) in found {
        if s.contains(['"', '*', ':', '(', ')', '\\'])
            && path != "_source.[]"
            && !path.ends_with("terms.readers.[]")
        {
            assert!(
                path.ends_with(".term.name_typed.value")
                    || path.ends_with(".term.typed_prefix.value"),
                "user text {s:?} of {text:?} at {path} of {body:#}"
            );
        }
    }
}

// --- requests: snapshots ----------------------------------------------------------------------

#[test]
fn search_with_text_filters_and_readers() {
    let body = search_body(&filtered("Sales orders")).unwrap();
    assert_snapshot("search_text_filters_readers", &body);
}

#[test]
fn search_with_empty_text_for_an_admin() {
    let mut q = query("");
    q.readers = None;
    assert_snapshot("search_empty_admin", &search_body(&q).unwrap());
}

#[test]
fn search_with_any_word() {
    let mut q = query("orders partition 2019");
    q.any_word = true;
    assert_snapshot("search_any_word", &search_body(&q).unwrap());
}

#[test]
fn suggest_request() {
    let body = suggest_body("Sales ord", Some(&["analysts".into()]), 100)
        .unwrap()
        .unwrap();
    assert_snapshot("suggest", &body);
}

#[test]
fn bulk_requests_for_upsert_delete_and_replace() {
    let docs = docs();
    let upsert: Vec<BulkOp<'_>> = docs.iter().map(BulkOp::Index).collect();
    assert_snapshot("bulk_upsert", &ndjson(&bulk_body(&upsert)));
    let delete = [BulkOp::Delete("tbl_1"), BulkOp::Delete("col_\"1")];
    assert_snapshot("bulk_delete", &ndjson(&bulk_body(&delete)));
    let datasets = vec![
        ("ds_sales".to_owned(), docs.clone()),
        ("ds_gone".to_owned(), vec![]),
    ];
    assert_snapshot(
        "replace_datasets",
        &json!({"bulk": ndjson(&bulk_body(&upsert)), "delete_by_query": delete_stale_body(&datasets)}),
    );
    // A dataset emptied: every document of it goes.
    assert_eq!(
        delete_stale_body(&[("ds_gone".to_owned(), vec![])]),
        json!({"query": {"bool": {"filter": [{"terms": {"dataset_id": ["ds_gone"]}}]}}})
    );
}

#[test]
fn serverless_replace_lists_stale_ids_instead_of_deleting_by_query() {
    let datasets = vec![("ds_sales".to_owned(), docs())];
    let first = stale_ids_body(&datasets, None);
    assert_snapshot("stale_ids_first", &first);
    assert_eq!(first["query"], delete_stale_body(&datasets)["query"]);
    let next = stale_ids_body(&datasets, Some("col_9"));
    assert_eq!(next["search_after"], json!(["col_9"]));
}

#[test]
fn index_settings_and_mappings() {
    assert_snapshot("create_index", &create_index_body(false));
    // Serverless collections choose their shards.
    let serverless = create_index_body(true);
    assert!(serverless["settings"].get("number_of_shards").is_none());
    assert_eq!(serverless["mappings"], mappings());
}

#[test]
fn alias_swap_is_one_call() {
    let old = vec![
        "lakecat-v1-0".to_owned(),
        "lakecat-v1-1714564800000".to_owned(),
    ];
    assert_snapshot(
        "alias_swap",
        &alias_swap_body("lakecat", &old, "lakecat-v1-1714651200000"),
    );
    // The first alias: one add, nothing to remove.
    assert_eq!(
        alias_swap_body("lakecat", &[], "lakecat-v1-0"),
        json!({"actions": [{"add": {"index": "lakecat-v1-0", "alias": "lakecat"}}]})
    );
}

#[test]
fn dataset_listing_pages() {
    assert_snapshot("dataset_ids_first", &dataset_ids_body(None));
    let after = json!({"dataset_id": "ds_sales"});
    assert_eq!(
        dataset_ids_body(Some(&after))["aggs"]["datasets"]["composite"]["after"],
        after
    );
}

// --- requests: properties -------------------------------------------------------------------

#[test]
fn user_text_never_becomes_query_syntax() {
    for text in [
        r#"name:"sales" AND (orders*)"#,
        "\"",
        "*",
        ":",
        "(",
        "sales\" OR \"1\"=\"1",
        "a\\b",
        "{\"script\": 1}",
    ] {
        let body = search_body(&filtered(text)).unwrap();
        assert_user_text_only_in_terms(&body, text);
        if let Some(body) = suggest_body(text, Some(&["analysts".into()]), 5).unwrap() {
            assert_user_text_only_in_terms(&body, text);
        }
    }
}

fn readers_filters(body: &Value) -> Vec<Value> {
    let mut found = Vec::new();
    fn walk(v: &Value, out: &mut Vec<Value>) {
        match v {
            Value::Object(o) => {
                if let Some(t) = o.get("terms").and_then(|t| t.get("readers")) {
                    out.push(t.clone());
                }
                o.values().for_each(|x| walk(x, out));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, out)),
            _ => {}
        }
    }
    walk(body, &mut found);
    found
}

#[test]
fn visibility_filters_every_non_admin_request() {
    let q = filtered("orders");
    let body = search_body(&q).unwrap();
    // In the query (so hits, total and every facet count), as a filter (no score).
    let filter = &body["query"]["function_score"]["query"]["bool"]["filter"];
    assert_eq!(
        filter,
        &json!([{"terms": {"readers": ["*", "analysts", "org:org_1"]}}])
    );
    assert_eq!(readers_filters(&body).len(), 1, "{body:#}");
    let s = suggest_body("ord", Some(&["analysts".into()]), 5)
        .unwrap()
        .unwrap();
    assert_eq!(
        s["query"]["bool"]["filter"],
        json!([{"terms": {"readers": ["*", "analysts"]}}])
    );
    // Signed in with no team: only what everyone may see.
    let mut q = query("orders");
    q.readers = Some(vec![]);
    assert_eq!(readers_filters(&search_body(&q).unwrap()), [json!(["*"])]);
    // Admins: no filter at all.
    let mut q = filtered("orders");
    q.readers = None;
    assert!(readers_filters(&search_body(&q).unwrap()).is_empty());
    let s = suggest_body("ord", None, 5).unwrap().unwrap();
    assert!(readers_filters(&s).is_empty(), "{s:#}");
}

#[test]
fn facet_counts_use_every_filter_but_their_own() {
    let body = search_body(&filtered("orders")).unwrap();
    let tag = json!({"terms": {"f_tag": ["gold", "archive"]}});
    let region = json!({"terms": {"f_region": ["eu-west-1"]}});
    // Hits: every filter, after the aggregations.
    assert_eq!(
        body["post_filter"],
        json!({"bool": {"filter": [tag, region]}})
    );
    let aggs = body["aggs"].as_object().unwrap();
    assert_eq!(aggs.len(), Facet::ALL.len());
    assert_eq!(
        aggs["f_tag"]["filter"],
        json!({"bool": {"filter": [region]}})
    );
    assert_eq!(
        aggs["f_region"]["filter"],
        json!({"bool": {"filter": [tag]}})
    );
    assert_eq!(
        aggs["f_kind"]["filter"],
        json!({"bool": {"filter": [tag, region]}}),
        "an empty value list filters nothing"
    );
    for (name, agg) in aggs {
        assert_eq!(
            agg["aggs"]["values"]["terms"],
            json!({"field": name, "size": 20})
        );
    }
    // No filter: no post_filter, aggregations over every visible match.
    let body = search_body(&query("orders")).unwrap();
    assert!(body.get("post_filter").is_none());
    assert_eq!(body["aggs"]["f_tag"]["filter"], json!({"match_all": {}}));
}

fn boost_of(clauses: &Value, field: &str) -> f64 {
    clauses
        .as_array()
        .unwrap()
        .iter()
        .find_map(|c| c.get("term").and_then(|t| t.get(field)))
        .and_then(|t| t["boost"].as_f64())
        .unwrap_or_else(|| panic!("no term on {field} in {clauses:#}"))
}

#[test]
fn tiers_words_and_upvotes() {
    let body = search_body(&query("customer id")).unwrap();
    let scored = &body["query"]["function_score"];
    let text = &scored["query"]["bool"]["must"][0]["bool"];
    assert_eq!(text["minimum_should_match"], 1);
    let should = &text["should"];
    let (typed, exact, prefix) = (
        boost_of(should, "name_typed"),
        boost_of(should, "name_exact"),
        boost_of(should, "name_prefix"),
    );
    assert!(
        typed > exact && exact > prefix && prefix > 100.0,
        "{text:#}"
    );
    assert_eq!(should[0]["term"]["name_typed"]["value"], "customer id");
    assert_eq!(should[1]["term"]["name_exact"]["value"], "customer_id");
    // Every word is required; each may match a name, another word field or the description.
    let words = should[3]["bool"]["must"].as_array().unwrap();
    assert_eq!(words.len(), 2, "customer, id (not the whole key)");
    for (w, word) in words.iter().zip(["customer", "id"]) {
        let anywhere = &w["bool"]["should"];
        assert_eq!(boost_of(anywhere, "name_words"), 10.0);
        assert_eq!(boost_of(anywhere, "other_words"), 3.0);
        assert_eq!(boost_of(anywhere, "description"), 1.0);
        assert_eq!(anywhere[0]["term"]["name_words"]["value"], word);
    }
    // The whole key in other words is a bonus clause.
    assert_eq!(should[4]["term"]["other_words"]["value"], "customer_id");
    // any_word: the same clauses, any one enough.
    let mut q = query("customer id");
    q.any_word = true;
    let body = search_body(&q).unwrap();
    let should = &body["query"]["function_score"]["query"]["bool"]["must"][0]["bool"]["should"];
    assert_eq!(should[3]["bool"]["should"].as_array().unwrap().len(), 2);
    assert!(should[3]["bool"].get("must").is_none());
    // One word: it is the key and the only word, and there is no bonus clause.
    let body = search_body(&query("orders")).unwrap();
    let should = &body["query"]["function_score"]["query"]["bool"]["must"][0]["bool"]["should"];
    assert_eq!(should.as_array().unwrap().len(), 4);
    // Upvotes multiply (score + 1) by 1 + 0.01 ln(1 + upvotes).
    assert_eq!(scored["boost_mode"], "multiply");
    assert_eq!(scored["score_mode"], "sum");
    assert_eq!(
        scored["functions"],
        json!([
            {"weight": 1.0},
            {"field_value_factor": {"field": "upvotes", "modifier": "ln1p", "missing": 0}, "weight": 0.01}
        ])
    );
    assert_eq!(
        scored["query"]["bool"]["should"],
        json!([{"match_all": {"boost": 1.0}}])
    );
}

#[test]
fn pages_and_highlights() {
    let body = search_body(&filtered("orders")).unwrap();
    assert_eq!(
        (body["from"].clone(), body["size"].clone()),
        (json!(20), json!(10))
    );
    assert_eq!(body["track_total_hits"], true);
    assert_eq!(body["highlight"]["encoder"], "html");
    assert_eq!(body["highlight"]["pre_tags"], json!(["<em>"]));
    assert_eq!(
        body["sort"],
        json!([{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}])
    );
    // No text, no highlight.
    assert!(search_body(&query("")).unwrap().get("highlight").is_none());
    // The page stops at the engine's result window.
    let mut q = query("orders");
    q.offset = MAX_RESULT_WINDOW - 10;
    q.first = 100;
    assert_eq!(search_body(&q).unwrap()["size"], 10);
    q.offset = MAX_RESULT_WINDOW;
    let err = search_body(&q).unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::BadUserInput, Some("offset"))
    );
    q.offset = 0;
    q.first = 0;
    assert_eq!(search_body(&q).unwrap()["size"], 1);
}

#[test]
fn bad_input_is_refused_before_any_request() {
    let err = search_body(&query(&"x".repeat(10_000))).unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::BadUserInput, Some("query"))
    );
    let err = suggest_body(&"x".repeat(10_000), None, 5).unwrap_err();
    assert_eq!(
        (err.code, err.field.as_deref()),
        (ErrorCode::BadUserInput, Some("prefix"))
    );
    // Nothing to complete: no request.
    assert_eq!(suggest_body(" -_ ", None, 5).unwrap(), None);
    // The limit is clamped to 1..=50.
    assert_eq!(suggest_body("s", None, 0).unwrap().unwrap()["size"], 1);
    assert_eq!(suggest_body("s", None, 500).unwrap().unwrap()["size"], 50);
}

#[test]
fn documents_fit_the_strict_mappings() {
    let mapped = mappings();
    let properties = mapped["properties"].as_object().unwrap();
    for d in docs() {
        let source = doc_source(&d);
        let fields = source.as_object().unwrap();
        for k in fields.keys() {
            assert!(properties.contains_key(k), "{k} is not mapped");
        }
        for f in Facet::ALL {
            let values: Vec<&str> = f.values(&d);
            let field = format!("f_{}", snake(f));
            assert_eq!(source[&field], json!(values), "{field}");
        }
    }
    let column = doc_source(&docs()[1]);
    assert_eq!(column["upvotes"], 0, "negative upvotes count as none");
    assert_eq!(column["name_prefix"], column["name_exact"]);
    assert_eq!(column["typed_prefix"], "customerId");
    assert_eq!(
        column["other_words"],
        json!(["sales", "orders", "sales_orders"])
    );
}

fn snake(f: Facet) -> &'static str {
    match f {
        Facet::Kind => "kind",
        Facet::Tag => "tag",
        Facet::Topic => "topic",
        Facet::Confidentiality => "confidentiality",
        Facet::Organization => "organization",
        Facet::Environment => "environment",
        Facet::Region => "region",
        Facet::OwnerTeam => "owner_team",
        Facet::Term => "term",
    }
}

#[test]
fn bulk_bodies_are_cut_between_actions() {
    let docs: Vec<SearchDoc> = (0..50)
        .map(|i| {
            doc(
                &format!("col_{i}"),
                DocKind::Column,
                &format!("c{i}"),
                "",
                &"long words ".repeat(20),
            )
        })
        .collect();
    let ops: Vec<BulkOp<'_>> = docs.iter().map(BulkOp::Index).collect();
    let whole = bulk_body(&ops);
    let parts = bulk_bodies(&ops, 4_000);
    assert!(parts.len() > 1);
    for p in &parts {
        assert!(p.len() <= 4_000, "{}", p.len());
        let lines = ndjson(p);
        assert_eq!(
            lines.as_array().unwrap().len() % 2,
            0,
            "action and source together"
        );
    }
    assert_eq!(parts.concat(), whole);
    assert_eq!(bulk_bodies(&ops, usize::MAX), [whole]);
    assert!(bulk_bodies(&[], 10).is_empty());
}

#[test]
fn versioned_index_names() {
    assert_eq!(
        index_name("lakecat", 1_714_564_800_000),
        format!("lakecat-v{SCHEMA_VERSION}-1714564800000")
    );
    assert_eq!(index_version("lakecat", "lakecat-v1-0"), Some(1));
    assert_eq!(
        index_version("lakecat", "lakecat-v12-1714564800000"),
        Some(12)
    );
    for other in [
        "lakecat",
        "lakecat-vault-v1-0",
        "lakecat-v1-",
        "lakecat-v-1",
        "lakecat-v1-x",
        "other-v1-0",
    ] {
        assert_eq!(index_version("lakecat", other), None, "{other}");
    }
}
