//! OpenSearch's answers, read into lakecat's types; engine failures become lakecat errors
//! in this one place. Their text is kept for the log: INTERNAL and UNAVAILABLE messages never
//! reach a caller (the API answers with a generic message).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

use lakecat_core::search::{
    DocKind, Facet, FacetCount, SearchHit, SearchResult, Suggestion, normalize_name,
};
use lakecat_core::{Error, Result};

use crate::derived::facet_field;

/// Description characters shown when no word of it matched.
const SNIPPET_FALLBACK_CHARS: usize = 150;

#[derive(Deserialize)]
struct SearchResponse {
    hits: Hits,
    #[serde(default)]
    aggregations: BTreeMap<String, FacetAgg>,
}

#[derive(Deserialize)]
struct Hits {
    #[serde(default)]
    total: Option<Total>,
    hits: Vec<Hit>,
}

#[derive(Deserialize)]
struct Total {
    value: u64,
}

#[derive(Deserialize)]
struct Hit {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "_score", default)]
    score: Option<f64>,
    #[serde(rename = "_source")]
    source: HitSource,
    #[serde(default)]
    highlight: BTreeMap<String, Vec<String>>,
}

#[derive(Deserialize)]
struct HitSource {
    kind: String,
    #[serde(default)]
    dataset_id: Option<String>,
    name: String,
    label: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
struct FacetAgg {
    values: Buckets,
}

#[derive(Deserialize)]
struct Buckets {
    buckets: Vec<Bucket>,
}

#[derive(Deserialize)]
struct Bucket {
    key: String,
    doc_count: u64,
}

fn malformed(what: &str, e: impl std::fmt::Display) -> Error {
    Error::internal(format!("opensearch {what} response: {e}"))
}

fn kind(s: &str) -> Result<DocKind> {
    DocKind::parse("kind", s).map_err(|e| Error::internal(format!("indexed kind: {}", e.message)))
}

pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A search response into hits (snippets from the description's highlight, or its first
/// characters escaped), the total and every facet's counts.
pub fn parse_search(body: Value) -> Result<SearchResult> {
    let r: SearchResponse = serde_json::from_value(body).map_err(|e| malformed("search", e))?;
    let mut hits = Vec::with_capacity(r.hits.hits.len());
    for h in r.hits.hits {
        let snippet = match h.highlight.get("description").and_then(|f| f.first()) {
            Some(fragment) => fragment.clone(),
            None => escape(
                &h.source
                    .description
                    .chars()
                    .take(SNIPPET_FALLBACK_CHARS)
                    .collect::<String>(),
            ),
        };
        hits.push(SearchHit {
            id: h.id,
            kind: kind(&h.source.kind)?,
            dataset_id: h.source.dataset_id.filter(|d| !d.is_empty()),
            name: h.source.name,
            label: h.source.label,
            snippet,
            score: h.score.unwrap_or(0.0) as f32,
        });
    }
    let mut aggs = r.aggregations;
    let mut facets = BTreeMap::new();
    for facet in Facet::ALL {
        let field = facet_field(facet);
        let agg = aggs
            .remove(field)
            .ok_or_else(|| malformed("search", format_args!("no aggregation {field}")))?;
        let counts = agg
            .values
            .buckets
            .into_iter()
            .map(|b| FacetCount {
                value: b.key,
                count: b.doc_count,
            })
            .collect();
        facets.insert(facet, counts);
    }
    let total = r
        .hits
        .total
        .ok_or_else(|| malformed("search", "no total"))?
        .value;
    Ok(SearchResult {
        hits,
        total,
        facets,
    })
}

#[derive(Deserialize)]
struct SuggestResponse {
    hits: SuggestHits,
}

#[derive(Deserialize)]
struct SuggestHits {
    hits: Vec<SuggestHit>,
}

#[derive(Deserialize)]
struct SuggestHit {
    #[serde(rename = "_id")]
    id: String,
    #[serde(rename = "_source")]
    source: SuggestSource,
}

#[derive(Deserialize)]
struct SuggestSource {
    kind: String,
    name: String,
    label: String,
}

/// A suggest response: each hit shows whichever of name and label the prefix matched.
pub fn parse_suggest(body: Value, prefix: &str) -> Result<Vec<Suggestion>> {
    let r: SuggestResponse = serde_json::from_value(body).map_err(|e| malformed("suggest", e))?;
    let key = normalize_name(prefix);
    r.hits
        .hits
        .into_iter()
        .map(|h| {
            let text = if normalize_name(&h.source.name).starts_with(&key) {
                h.source.name
            } else {
                h.source.label
            };
            Ok(Suggestion {
                id: h.id,
                kind: kind(&h.source.kind)?,
                text,
            })
        })
        .collect()
}

/// The document ids of a search's hits.
pub fn parse_hit_ids(body: &Value) -> Result<Vec<String>> {
    let hits = body
        .pointer("/hits/hits")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("id listing", "no hits"))?;
    hits.iter()
        .map(|h| {
            h.get("_id")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| malformed("id listing", "a hit without _id"))
        })
        .collect()
}

/// The document count of a `_count` response.
pub fn parse_count(body: &Value) -> Result<u64> {
    body.get("count")
        .and_then(Value::as_u64)
        .ok_or_else(|| malformed("count", "no count"))
}

/// A `_bulk` response: Ok when every action succeeded (deleting an absent document is a
/// success); otherwise the first failed action, UNAVAILABLE when the engine was overloaded
/// (429, worth a retry), INTERNAL otherwise.
pub fn parse_bulk(body: &Value) -> Result<()> {
    if body.get("errors").and_then(Value::as_bool) == Some(false) {
        return Ok(());
    }
    let items = body
        .get("items")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("bulk", "no items"))?;
    for item in items {
        let Some((action, result)) = item.as_object().and_then(|o| o.iter().next()) else {
            continue;
        };
        let Some(error) = result.get("error") else {
            continue;
        };
        let status = result.get("status").and_then(Value::as_u64).unwrap_or(0);
        let id = result.get("_id").and_then(Value::as_str).unwrap_or("?");
        let detail = format!(
            "opensearch bulk {action} of document {id} failed ({status}): {}",
            describe(error)
        );
        return Err(if status == 429 {
            Error::unavailable(detail)
        } else {
            Error::internal(detail)
        });
    }
    Err(malformed("bulk", "errors set but no failed item"))
}

/// A `_delete_by_query` response: how many documents went; an error when any failed.
pub fn parse_delete_by_query(body: &Value) -> Result<u64> {
    if let Some(failure) = body
        .get("failures")
        .and_then(Value::as_array)
        .and_then(|f| f.first())
    {
        let cause = failure.get("cause").unwrap_or(failure);
        return Err(Error::internal(format!(
            "opensearch delete by query failed: {}",
            describe(cause)
        )));
    }
    if body.get("timed_out").and_then(Value::as_bool) == Some(true) {
        return Err(Error::unavailable("opensearch delete by query timed out"));
    }
    body.get("deleted")
        .and_then(Value::as_u64)
        .ok_or_else(|| malformed("delete by query", "no deleted count"))
}

/// One page of dataset ids and the key of the next page (None after the last one).
pub fn parse_dataset_ids(body: &Value) -> Result<(Vec<String>, Option<Value>)> {
    let agg = body
        .pointer("/aggregations/datasets")
        .ok_or_else(|| malformed("dataset listing", "no aggregation"))?;
    let buckets = agg
        .get("buckets")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed("dataset listing", "no buckets"))?;
    let ids: Vec<String> = buckets
        .iter()
        .filter_map(|b| b.pointer("/key/dataset_id").and_then(Value::as_str))
        .map(str::to_owned)
        .collect();
    let next = if buckets.is_empty() {
        None
    } else {
        agg.get("after_key").cloned()
    };
    Ok((ids, next))
}

/// The indices behind an alias, from `GET /_alias/<alias>`.
pub fn parse_alias_indices(body: &Value) -> Vec<String> {
    let mut out: Vec<String> = body
        .as_object()
        .map(|o| o.keys().cloned().collect())
        .unwrap_or_default();
    out.sort();
    out
}

/// Index names from `GET /_resolve/index/<pattern>`.
pub fn parse_resolved_indices(body: &Value) -> Vec<String> {
    body.get("indices")
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|i| i.get("name").and_then(Value::as_str).map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// `type: reason` of an OpenSearch error object (or its text when it is a plain string).
fn describe(error: &Value) -> String {
    if let Some(s) = error.as_str() {
        return s.to_owned();
    }
    let field = |f: &str| error.get(f).and_then(Value::as_str).unwrap_or("");
    let own = match (field("type"), field("reason")) {
        ("", "") => error.to_string(),
        (t, "") => t.to_owned(),
        ("", r) => r.to_owned(),
        (t, r) => format!("{t}: {r}"),
    };
    // "all shards failed" says little; the first root cause says why.
    match error.pointer("/root_cause/0") {
        Some(cause) if cause.is_object() => format!("{own} (root cause {})", describe(cause)),
        _ => own,
    }
}

/// The error for a non-success HTTP status: UNAVAILABLE for overload and gateway failures
/// (429, 502, 503, 504: worth a retry), INTERNAL otherwise (a request lakecat should not
/// have sent, or a misconfigured endpoint or permission).
pub fn status_error(what: &str, status: u16, body: &Value) -> Error {
    let detail = match body
        .get("error")
        .or_else(|| body.get("message"))
        .or_else(|| body.get("Message"))
    {
        Some(e) => describe(e),
        None if body.is_null() => "no body".to_owned(),
        None => body.to_string(),
    };
    let message = format!("opensearch {what} answered {status}: {detail}");
    match status {
        429 | 502 | 503 | 504 => Error::unavailable(message),
        _ => Error::internal(message),
    }
}
