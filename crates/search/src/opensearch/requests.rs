//! The requests the OpenSearch adapter sends, as pure functions of their input (tested
//! without a server, on their exact bodies). User text only ever lands in `term` values:
//! no `query_string`, `match` or script sees it.

use serde_json::{Map, Value, json};

use lakecat_core::search::{
    Facet, SearchDoc, SearchQuery, normalize_name, query_tokens, query_words,
};
use lakecat_core::{Error, Result};

use crate::derived::{
    AS_TYPED_BOOST, DESCRIPTION_BOOST, EXACT_BOOST, FACET_VALUES, MAX_SUGGESTIONS, NAME_WORD_BOOST,
    OTHER_WORD_BOOST, PREFIX_BOOST, TYPED_PREFIX_BOOST, derive, facet_field, visible_to,
};

/// Bumped whenever [`index_settings`] or [`mappings`] change: `ensure` then reports that the
/// alias points at an outdated index, and `lakecat reindex` builds a current one.
pub const SCHEMA_VERSION: u32 = 1;

/// The deepest hit a search returns (OpenSearch's default `index.max_result_window`).
pub const MAX_RESULT_WINDOW: u32 = 10_000;
/// Characters of description around the matched words.
const SNIPPET_CHARS: usize = 200;
/// Prefixes are indexed up to this many characters (tantivy's n-grams stop there too).
const MAX_PREFIX: usize = 40;
/// Description words this long or longer are not indexed (tantivy's default tokenizer drops
/// tokens of 40 bytes or more; OpenSearch's `length` filter counts characters).
const MAX_WORD: usize = 39;
/// Bulk bodies are cut at about this size (managed domains refuse 10 MB or more on the
/// smallest instance types).
pub const MAX_BULK_BYTES: usize = 5 * 1024 * 1024;
/// Stored fields a hit needs.
const HIT_SOURCE: [&str; 5] = ["kind", "dataset_id", "name", "label", "description"];
/// Stored fields a suggestion needs.
const SUGGEST_SOURCE: [&str; 3] = ["kind", "name", "label"];

/// The name of the concrete index for a schema version, created at `unix_ms` (`0` for the
/// first index, so concurrent first starts agree on the name).
pub fn index_name(prefix: &str, unix_ms: u128) -> String {
    format!("{prefix}-v{SCHEMA_VERSION}-{unix_ms}")
}

/// The schema version of one of the prefix's indices (None for any other name).
pub fn index_version(prefix: &str, index: &str) -> Option<u32> {
    let rest = index.strip_prefix(prefix)?.strip_prefix("-v")?;
    let (version, stamp) = rest.split_once('-')?;
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(version) || !digits(stamp) {
        return None;
    }
    version.parse().ok()
}

/// Analysis settings. Prefix fields index lower-cased edge n-grams of the whole value and
/// are searched as one lower-cased keyword; descriptions split on anything that is not a
/// letter or a digit, like tantivy's default tokenizer. Serverless collections choose their
/// own shards, so the shard count is only set on managed domains.
pub fn index_settings(serverless: bool) -> Value {
    let mut settings = json!({
        "analysis": {
            "filter": {
                "lakecat_edge": {"type": "edge_ngram", "min_gram": 1, "max_gram": MAX_PREFIX},
                "lakecat_long": {"type": "length", "max": MAX_WORD},
            },
            "tokenizer": {
                "lakecat_words": {"type": "pattern", "pattern": "[^\\p{L}\\p{N}]+"},
            },
            "analyzer": {
                "lakecat_edge": {
                    "type": "custom",
                    "tokenizer": "keyword",
                    "filter": ["lowercase", "lakecat_edge"],
                },
                "lakecat_prefix_search": {
                    "type": "custom",
                    "tokenizer": "keyword",
                    "filter": ["lowercase"],
                },
                "lakecat_text": {
                    "type": "custom",
                    "tokenizer": "lakecat_words",
                    "filter": ["lakecat_long", "lowercase"],
                },
            },
        },
    });
    if !serverless {
        // One shard keeps facet counts and scores exact; a million entries fit one shard.
        settings["number_of_shards"] = json!(1);
    }
    settings
}

/// The fields of a document. Strict: a field lakecat does not know is refused, not guessed.
pub fn mappings() -> Value {
    let keyword = json!({"type": "keyword"});
    let stored_only = json!({"type": "keyword", "index": false, "doc_values": false});
    let prefix = json!({
        "type": "text",
        "analyzer": "lakecat_edge",
        "search_analyzer": "lakecat_prefix_search",
        "index_options": "docs",
        "norms": false,
    });
    let mut properties = Map::new();
    for f in [
        "id",
        "kind",
        "dataset_id",
        "name_typed",
        "name_exact",
        "name_words",
        "other_words",
        "readers",
    ] {
        properties.insert(f.to_owned(), keyword.clone());
    }
    for f in ["name", "label"] {
        properties.insert(f.to_owned(), stored_only.clone());
    }
    for f in ["name_prefix", "typed_prefix"] {
        properties.insert(f.to_owned(), prefix.clone());
    }
    properties.insert(
        "description".to_owned(),
        json!({"type": "text", "analyzer": "lakecat_text"}),
    );
    properties.insert("upvotes".to_owned(), json!({"type": "long"}));
    properties.insert("updated_at".to_owned(), json!({"type": "date"}));
    for f in Facet::ALL {
        properties.insert(facet_field(f).to_owned(), keyword.clone());
    }
    json!({"dynamic": "strict", "properties": properties})
}

/// The body of `PUT /<index>`.
pub fn create_index_body(serverless: bool) -> Value {
    json!({"settings": index_settings(serverless), "mappings": mappings()})
}

/// The indexed JSON of a document: its own fields and everything derived from them.
pub fn doc_source(d: &SearchDoc) -> Value {
    let x = derive(d);
    let mut source = json!({
        "id": x.id,
        "kind": x.kind,
        "dataset_id": x.dataset_id,
        "name": x.name,
        "label": x.label,
        "description": x.description,
        "name_typed": x.name_typed,
        "name_exact": x.name_exact,
        "name_prefix": x.name_exact,
        "typed_prefix": x.typed_prefix,
        "name_words": x.name_words,
        "other_words": x.other_words,
        "readers": x.readers,
        "upvotes": x.upvotes,
        "updated_at": d.updated_at,
    });
    for (facet, values) in x.facets {
        source[facet_field(facet)] = json!(values);
    }
    source
}

/// One action of a `_bulk` request.
#[derive(Debug, Clone, Copy)]
pub enum BulkOp<'a> {
    /// Adds or replaces the document with this id.
    Index(&'a SearchDoc),
    Delete(&'a str),
}

fn bulk_lines(op: &BulkOp<'_>) -> String {
    match op {
        BulkOp::Index(d) => format!("{}\n{}\n", json!({"index": {"_id": d.id}}), doc_source(d)),
        BulkOp::Delete(id) => format!("{}\n", json!({"delete": {"_id": id}})),
    }
}

/// The NDJSON body of one `_bulk` request (every line ends with a newline).
pub fn bulk_body(ops: &[BulkOp<'_>]) -> String {
    ops.iter().map(bulk_lines).collect()
}

/// [`bulk_body`] cut into bodies of at most about `max_bytes` (a single larger action gets
/// a body of its own).
pub fn bulk_bodies(ops: &[BulkOp<'_>], max_bytes: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    for op in ops {
        let lines = bulk_lines(op);
        if !cur.is_empty() && cur.len() + lines.len() > max_bytes {
            out.push(std::mem::take(&mut cur));
        }
        cur.push_str(&lines);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Each dataset's documents that are not in its new set. (A document belongs to one
/// dataset, so one list of kept ids serves every dataset.)
fn stale_query(datasets: &[(String, Vec<SearchDoc>)]) -> Value {
    let dataset_ids: Vec<&str> = datasets.iter().map(|(id, _)| id.as_str()).collect();
    let keep: Vec<&str> = datasets
        .iter()
        .flat_map(|(_, docs)| docs.iter().map(|d| d.id.as_str()))
        .collect();
    let mut query = json!({"filter": [{"terms": {"dataset_id": dataset_ids}}]});
    if !keep.is_empty() {
        query["must_not"] = json!([{"ids": {"values": keep}}]);
    }
    json!({"bool": query})
}

/// The body of the `_delete_by_query` that follows a replace on a managed domain.
pub fn delete_stale_body(datasets: &[(String, Vec<SearchDoc>)]) -> Value {
    json!({"query": stale_query(datasets)})
}

/// Stale ids listed per page on a serverless collection.
const STALE_PAGE: usize = 1000;

/// Serverless collections have no `_delete_by_query`: the body of a `_search` listing one
/// page of the ids [`delete_stale_body`] would delete, after the id `after`; a bulk delete
/// follows.
pub fn stale_ids_body(datasets: &[(String, Vec<SearchDoc>)], after: Option<&str>) -> Value {
    let mut body = json!({
        "query": stale_query(datasets),
        "size": STALE_PAGE,
        "_source": false,
        "track_total_hits": false,
        "sort": [{"id": {"order": "asc"}}],
    });
    if let Some(a) = after {
        body["search_after"] = json!([a]);
    }
    body
}

/// Dataset ids listed per page of a `composite` aggregation.
const DATASET_PAGE: usize = 1000;

/// The body of a `_search` listing the dataset ids the index holds documents of, one page
/// after `after` (the previous page's `after_key`).
pub fn dataset_ids_body(after: Option<&Value>) -> Value {
    let mut composite = json!({
        "size": DATASET_PAGE,
        "sources": [{"dataset_id": {"terms": {"field": "dataset_id"}}}],
    });
    if let Some(a) = after {
        composite["after"] = a.clone();
    }
    json!({
        "size": 0,
        "track_total_hits": false,
        "aggs": {"datasets": {"composite": composite}},
    })
}

/// The body of one atomic `_aliases` call pointing `alias` from `old` to `new`.
pub fn alias_swap_body(alias: &str, old: &[String], new: &str) -> Value {
    let mut actions: Vec<Value> = old
        .iter()
        .filter(|o| o.as_str() != new)
        .map(|o| json!({"remove": {"index": o, "alias": alias}}))
        .collect();
    actions.push(json!({"add": {"index": new, "alias": alias}}));
    json!({"actions": actions})
}

fn term(field: &str, value: &str, boost: f32) -> Value {
    json!({"term": {field: {"value": value, "boost": boost}}})
}

/// The documents a caller may see (None: admins, no filter).
fn visibility(readers: Option<&[String]>) -> Option<Value> {
    Some(json!({"terms": {"readers": visible_to(readers)?}}))
}

fn word_clauses(word: &str) -> [Value; 3] {
    [
        term("name_words", word, NAME_WORD_BOOST),
        term("other_words", word, OTHER_WORD_BOOST),
        term("description", word, DESCRIPTION_BOOST),
    ]
}

/// The text part of a search (tantivy's): a document matches its name as typed, its exact
/// key, a name or label starting with the key, or the words ([`query_words`]: all of them, or
/// any with `any_word`); every matching clause adds to the score.
fn text_query(text: &str, tokens: &[String], any_word: bool) -> Result<Value> {
    if tokens.is_empty() {
        return Ok(json!({"match_all": {}}));
    }
    let key = normalize_name(text);
    let per_word: Vec<Value> = query_words(text)?
        .iter()
        .map(|w| json!({"bool": {"should": word_clauses(w)}}))
        .collect();
    let words = if any_word {
        json!({"bool": {"should": per_word}})
    } else {
        json!({"bool": {"must": per_word}})
    };
    let mut should = vec![
        term("name_typed", &text.trim().to_lowercase(), AS_TYPED_BOOST),
        term("name_exact", &key, EXACT_BOOST),
        term("name_prefix", &key, PREFIX_BOOST),
        words,
    ];
    if tokens.len() > 1 {
        // The words together, as in a parent table's name: a bonus, never a match alone (an
        // entry holding the whole key holds each word).
        should.push(term("other_words", &key, OTHER_WORD_BOOST));
    }
    Ok(json!({"bool": {"should": should, "minimum_should_match": 1}}))
}

/// Every facet filter but `except`'s, AND-ed (values of one facet OR-ed); None when none.
fn facet_filter(q: &SearchQuery, except: Option<Facet>) -> Option<Value> {
    let clauses: Vec<Value> = q
        .filters
        .iter()
        .filter(|(facet, values)| Some(**facet) != except && !values.is_empty())
        .map(|(facet, values)| json!({"terms": {facet_field(*facet): values}}))
        .collect();
    (!clauses.is_empty()).then(|| json!({"bool": {"filter": clauses}}))
}

/// One `filter` aggregation per facet, with every filter but its own (disjunctive facets).
fn facet_aggs(q: &SearchQuery) -> Value {
    let mut aggs = Map::new();
    for facet in Facet::ALL {
        let field = facet_field(facet);
        aggs.insert(
            field.to_owned(),
            json!({
                "filter": facet_filter(q, Some(facet)).unwrap_or_else(|| json!({"match_all": {}})),
                "aggs": {"values": {"terms": {"field": field, "size": FACET_VALUES}}},
            }),
        );
    }
    Value::Object(aggs)
}

/// Scores as tantivy's: `(text score + 1) * (1 + 0.01 * ln(1 + upvotes))`. The `+ 1` is an
/// optional `match_all`; upvotes break ties within a tier and never lift a word match over
/// a prefix match.
fn ranked(text: Value, filter: Option<Value>) -> Value {
    let mut scored = json!({
        "must": [text],
        "should": [{"match_all": {"boost": 1.0}}],
    });
    if let Some(f) = filter {
        scored["filter"] = json!([f]);
    }
    json!({"function_score": {
        "query": {"bool": scored},
        "functions": [
            {"weight": 1.0},
            {
                "field_value_factor": {"field": "upvotes", "modifier": "ln1p", "missing": 0},
                "weight": 0.01,
            },
        ],
        "score_mode": "sum",
        "boost_mode": "multiply",
    }})
}

/// Best first, then by id, so that pages are stable.
fn order() -> Value {
    json!([{"_score": {"order": "desc"}}, {"id": {"order": "asc"}}])
}

/// The body of `POST /<alias>/_search` for a search. Hits are the visible matches that pass
/// every filter (`post_filter`); facet counts are the visible matches of the text with every
/// other facet's filter.
pub fn search_body(q: &SearchQuery) -> Result<Value> {
    let tokens = query_tokens("query", &q.text)?;
    if q.offset >= MAX_RESULT_WINDOW {
        return Err(Error::bad_input(
            "offset",
            format!("results page up to {MAX_RESULT_WINDOW}; narrow the query"),
        ));
    }
    let size = q.first.clamp(1, MAX_RESULT_WINDOW - q.offset);
    let text = text_query(&q.text, &tokens, q.any_word)?;
    let mut body = json!({
        "query": ranked(text, visibility(q.readers.as_deref())),
        "track_total_hits": true,
        "from": q.offset,
        "size": size,
        "sort": order(),
        "_source": HIT_SOURCE,
        "aggs": facet_aggs(q),
    });
    if let Some(f) = facet_filter(q, None) {
        body["post_filter"] = f;
    }
    if !tokens.is_empty() {
        body["highlight"] = json!({
            "encoder": "html",
            "pre_tags": ["<em>"],
            "post_tags": ["</em>"],
            "fields": {"description": {"number_of_fragments": 1, "fragment_size": SNIPPET_CHARS}},
        });
    }
    Ok(body)
}

/// The body of `POST /<alias>/_search` for suggestions: names and labels starting with the
/// prefix (exact keys first, then the prefix as typed); None when the prefix has no letter
/// or digit (no request, no suggestion).
pub fn suggest_body(prefix: &str, readers: Option<&[String]>, limit: u32) -> Result<Option<Value>> {
    query_tokens("prefix", prefix)?;
    let key = normalize_name(prefix);
    if key.is_empty() {
        return Ok(None);
    }
    let matches = json!({"bool": {
        "should": [
            term("name_exact", &key, EXACT_BOOST),
            term("typed_prefix", &prefix.trim().to_lowercase(), TYPED_PREFIX_BOOST),
            term("name_prefix", &key, 1.0),
        ],
        "minimum_should_match": 1,
    }});
    let mut query = json!({"must": [matches]});
    if let Some(v) = visibility(readers) {
        query["filter"] = json!([v]);
    }
    Ok(Some(json!({
        "query": {"bool": query},
        "size": limit.clamp(1, MAX_SUGGESTIONS),
        "track_total_hits": false,
        "sort": order(),
        "_source": SUGGEST_SOURCE,
    })))
}
