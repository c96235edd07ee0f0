//! Catalog search: hits with highlighted snippets, facet counts that follow the text and the
//! other filters, suggestions. The engine is behind the `SearchIndex` port; what a caller may
//! see is a filter of every query (facet counts included). Pages are offsets in signed
//! cursors bound to the query, so a cursor of one search cannot page another.

use std::collections::BTreeMap;

use async_graphql::{Context, InputObject, InputType, Object, SimpleObject, Value};
use lakecat_core::Error;
use lakecat_core::search::{self as core, DocKind, Facet, SearchQuery};

use super::{PageInfo, mirror_enum, page_args};
use crate::authz::authorize;
use crate::context::services;
use crate::cursor;
use crate::errors::ApiResult;
use crate::plain::{PlainList, PlainObject};

/// Deepest offset a search pages to; narrow the query to go further.
const MAX_OFFSET: u32 = 10_000;

mirror_enum!(SearchKind, DocKind, { Dataset, Table, Column, Folder, Term });
mirror_enum!(SearchFacet, Facet, {
    Kind, Tag, Topic, Confidentiality, Organization, Environment, Region, OwnerTeam, Term,
});

/// Selected values of one facet (OR-ed); facets are AND-ed.
#[derive(InputObject)]
pub struct SearchFilter {
    pub facet: SearchFacet,
    pub values: Vec<String>,
}

#[derive(SimpleObject, Clone)]
pub struct SearchHit {
    pub kind: SearchKind,
    pub id: String,
    pub name: String,
    pub label: String,
    /// The description around the matched words; matches in `<em>`, the rest HTML-escaped.
    pub snippet: String,
    /// The dataset the entry is in (the dataset itself for a dataset); null for a term.
    pub dataset_id: Option<String>,
    pub score: f64,
}

impl PlainObject for SearchHit {
    const FIELDS: &'static [&'static str] = &[
        "kind",
        "id",
        "name",
        "label",
        "snippet",
        "datasetId",
        "score",
    ];

    fn field_value(&self, name: &str) -> Value {
        match name {
            "kind" => self.kind.to_value(),
            "id" => Value::String(self.id.clone()),
            "name" => Value::String(self.name.clone()),
            "label" => Value::String(self.label.clone()),
            "snippet" => Value::String(self.snippet.clone()),
            "datasetId" => self.dataset_id.clone().map_or(Value::Null, Value::String),
            _ => Value::from(self.score),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct FacetValue {
    pub value: String,
    pub count: i64,
}

impl PlainObject for FacetValue {
    const FIELDS: &'static [&'static str] = &["value", "count"];

    fn field_value(&self, name: &str) -> Value {
        match name {
            "value" => Value::String(self.value.clone()),
            _ => Value::from(self.count),
        }
    }
}

#[derive(SimpleObject, Clone)]
pub struct FacetCounts {
    pub facet: SearchFacet,
    pub values: PlainList<FacetValue>,
}

#[derive(SimpleObject, Clone)]
pub struct SearchResults {
    pub total_count: i64,
    /// True when every hit has every word of the query (or an exact or prefix name match);
    /// false when no entry had them all and the hits have any of them.
    pub every_word: bool,
    pub hits: PlainList<SearchHit>,
    pub facets: Vec<FacetCounts>,
    pub page_info: PageInfo,
}

#[derive(SimpleObject, Clone)]
pub struct Suggestion {
    pub kind: SearchKind,
    pub id: String,
    pub text: String,
}

impl PlainObject for Suggestion {
    const FIELDS: &'static [&'static str] = &["kind", "id", "text"];

    fn field_value(&self, name: &str) -> Value {
        match name {
            "kind" => self.kind.to_value(),
            "id" => Value::String(self.id.clone()),
            _ => Value::String(self.text.clone()),
        }
    }
}

fn index<'a>(ctx: &Context<'a>) -> ApiResult<&'a dyn core::SearchIndex> {
    services(ctx).search.as_deref().ok_or_else(|| {
        crate::errors::ApiError::not_offered("search is not configured on this deployment")
    })
}

#[derive(Default)]
pub struct SearchQueryRoot;

#[Object]
impl SearchQueryRoot {
    /// Searches datasets, tables, columns and folders the caller may see: an exact name or
    /// label first, then names starting with the query, then word relevance, then upvotes.
    /// An empty query lists everything visible.
    #[graphql(complexity = "super::page_cost(first, child_complexity)")]
    async fn search(
        &self,
        ctx: &Context<'_>,
        #[graphql(default)] query: String,
        #[graphql(default)] filters: Vec<SearchFilter>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<SearchResults> {
        authorize(ctx, "search", None).await?;
        let tokens = core::query_tokens("query", &query)?;
        let mut selected: BTreeMap<Facet, Vec<String>> = BTreeMap::new();
        for (i, f) in filters.iter().enumerate() {
            if f.values.len() > 50 || f.values.iter().any(|v| v.chars().count() > 200) {
                return Err(Error::bad_input(
                    format!("filters[{i}].values"),
                    "at most 50 values of at most 200 characters",
                )
                .into());
            }
            selected
                .entry(Facet::from(f.facet))
                .or_default()
                .extend(f.values.iter().cloned());
        }
        // Cursors are bound to the query and its filters: one search's cursor pages no other.
        let list = format!("search:{}:{:?}", tokens.join(" "), selected);
        let page = page_args(ctx, &list, first, after)?;
        let offset: u32 = match &page.after {
            Some(k) => k
                .parse::<u32>()
                .map_err(|_| Error::bad_input("after", "not a cursor of this search"))?,
            None => 0,
        };
        if offset >= MAX_OFFSET {
            return Err(Error::bad_input(
                "after",
                format!("results page up to {MAX_OFFSET}; narrow the query"),
            )
            .into());
        }
        let (ran, result) = core::search(
            index(ctx)?,
            SearchQuery {
                text: query,
                filters: selected,
                readers: crate::visibility::readers(ctx)
                    .await?
                    .held()
                    .map(<[String]>::to_vec),
                first: page.first,
                offset,
                any_word: false,
            },
        )
        .await?;
        let end = offset + result.hits.len() as u32;
        let has_next = u64::from(end) < result.total && end < MAX_OFFSET;
        let end_cursor = if result.hits.is_empty() {
            None
        } else {
            Some(cursor::encode(
                &services(ctx).cursor_key,
                &list,
                &end.to_string(),
            )?)
        };
        Ok(SearchResults {
            total_count: result.total as i64,
            every_word: !ran.any_word,
            hits: PlainList(
                result
                    .hits
                    .into_iter()
                    .map(|h| SearchHit {
                        kind: h.kind.into(),
                        id: h.id,
                        name: h.name,
                        label: h.label,
                        snippet: h.snippet,
                        // A term's unit in the index is its glossary, not a dataset.
                        dataset_id: h.dataset_id.filter(|_| h.kind != DocKind::Term),
                        score: f64::from(h.score),
                    })
                    .collect(),
            ),
            facets: result
                .facets
                .into_iter()
                .map(|(f, values)| FacetCounts {
                    facet: f.into(),
                    values: PlainList(
                        values
                            .into_iter()
                            .map(|v| FacetValue {
                                value: v.value,
                                count: v.count as i64,
                            })
                            .collect(),
                    ),
                })
                .collect(),
            page_info: PageInfo {
                has_next_page: has_next,
                end_cursor,
            },
        })
    }

    /// Names and labels starting with `prefix`, among what the caller may see.
    async fn suggest(
        &self,
        ctx: &Context<'_>,
        prefix: String,
        #[graphql(default = 10)] first: i32,
    ) -> ApiResult<PlainList<Suggestion>> {
        authorize(ctx, "suggest", None).await?;
        let readers = crate::visibility::readers(ctx).await?.held();
        let found = index(ctx)?
            .suggest(&prefix, readers, first.clamp(1, 50) as u32)
            .await?;
        Ok(PlainList(
            found
                .into_iter()
                .map(|s| Suggestion {
                    kind: s.kind.into(),
                    id: s.id,
                    text: s.text,
                })
                .collect(),
        ))
    }
}
