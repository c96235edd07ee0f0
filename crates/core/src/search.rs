//! Catalog search: the documents lakecat indexes (datasets, tables, columns, folders,
//! glossary terms), the query a caller sends, and the port the engines implement (tantivy
//! embedded, OpenSearch on AWS). Who may see a document is part of the document
//! (`readers`), so an engine filters hits, suggestions and facet counts alike.
//!
//! User text never reaches an engine as query syntax: engines build their queries from the
//! tokens [`query_tokens`] returns.

use std::collections::BTreeMap;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::text_enum::text_enum;

text_enum!(DocKind {
    Dataset => "DATASET",
    Table => "TABLE",
    Column => "COLUMN",
    Folder => "FOLDER",
    Term => "TERM",
});

/// The task that brings a dataset's documents in line with the catalog.
pub const SEARCH_TASK_KIND: &str = "search.index";

/// The task that rebuilds the whole index in the process that holds it: `lakecat reindex`
/// writes it when `lakecat serve` runs on the embedded index, which only one process can
/// write.
pub const SEARCH_REBUILD_KIND: &str = "search.rebuild";

/// The target of every rebuild task, to find one already pending or running.
pub const SEARCH_REBUILD_TARGET: &str = "search-index";

/// Readers value meaning "every signed-in user".
pub const EVERYONE: &str = "*";

/// The longest query text accepted (characters).
pub const MAX_QUERY: usize = 500;

/// One searchable catalog entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchDoc {
    pub id: String,
    pub kind: DocKind,
    /// The dataset a table, column or folder belongs to (the dataset's own id for datasets).
    pub dataset_id: Option<String>,
    /// The technical name (Glue name, slug, column name, prefix, term label).
    pub name: String,
    pub label: String,
    pub description: String,
    /// For columns: the column's table name, searched with the name.
    pub parent: Option<String>,
    pub tags: Vec<String>,
    pub topics: Vec<String>,
    pub confidentiality: Option<String>,
    /// Glossary term paths linked to the entry (`Business/Finance/Net revenue`).
    pub terms: Vec<String>,
    pub organization: Option<String>,
    pub environment: Option<String>,
    pub region: Option<String>,
    pub owner_team: Option<String>,
    pub upvotes: i64,
    pub updated_at: DateTime<Utc>,
    /// Who may see it: [`EVERYONE`], `org:<id>` (members of the organization's teams) or
    /// `ds:<id>` (the dataset's owners, stewards, invited teams and consumers).
    pub readers: Vec<String>,
}

impl SearchDoc {
    /// An entry named `name` (its label too) in `dataset_id`, seen by every signed-in user,
    /// with no description, classification or place yet.
    pub fn new(id: &str, kind: DocKind, dataset_id: &str, name: &str) -> SearchDoc {
        SearchDoc {
            id: id.into(),
            kind,
            dataset_id: Some(dataset_id.into()),
            name: name.into(),
            label: name.into(),
            description: String::new(),
            parent: None,
            tags: vec![],
            topics: vec![],
            confidentiality: None,
            terms: vec![],
            organization: None,
            environment: None,
            region: None,
            owner_team: None,
            upvotes: 0,
            updated_at: Utc::now(),
            readers: vec![EVERYONE.into()],
        }
    }
}

/// The facets a search counts, and the filters it takes (one list of values per facet; values
/// of one facet are OR-ed, facets are AND-ed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Facet {
    Kind,
    Tag,
    Topic,
    Confidentiality,
    Organization,
    Environment,
    Region,
    OwnerTeam,
    Term,
}

impl Facet {
    pub const ALL: [Facet; 9] = [
        Facet::Kind,
        Facet::Tag,
        Facet::Topic,
        Facet::Confidentiality,
        Facet::Organization,
        Facet::Environment,
        Facet::Region,
        Facet::OwnerTeam,
        Facet::Term,
    ];

    /// The values of a document for this facet.
    pub fn values(self, d: &SearchDoc) -> Vec<&str> {
        match self {
            Facet::Kind => vec![d.kind.as_str()],
            Facet::Tag => d.tags.iter().map(String::as_str).collect(),
            Facet::Topic => d.topics.iter().map(String::as_str).collect(),
            Facet::Confidentiality => d.confidentiality.as_deref().into_iter().collect(),
            Facet::Organization => d.organization.as_deref().into_iter().collect(),
            Facet::Environment => d.environment.as_deref().into_iter().collect(),
            Facet::Region => d.region.as_deref().into_iter().collect(),
            Facet::OwnerTeam => d.owner_team.as_deref().into_iter().collect(),
            Facet::Term => d.terms.iter().map(String::as_str).collect(),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SearchQuery {
    /// Free text; empty lists everything visible (by upvotes).
    pub text: String,
    pub filters: BTreeMap<Facet, Vec<String>>,
    /// What the caller may see: [`crate::ports::CatalogStore::search_readers`] of its teams;
    /// None for admins (everything).
    pub readers: Option<Vec<String>>,
    pub first: u32,
    pub offset: u32,
    /// Entries matching any word of the text instead of every word (the fallback of
    /// [`search`] when nothing has every word). Exact, as-typed and prefix name matches
    /// count either way.
    pub any_word: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub id: String,
    pub kind: DocKind,
    pub dataset_id: Option<String>,
    pub name: String,
    pub label: String,
    /// The description around the matched words, matches in `<em>`; other text escaped.
    pub snippet: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub hits: Vec<SearchHit>,
    /// Visible matches in all.
    pub total: u64,
    /// Per facet, the counts with the text query and every other facet's filter applied.
    pub facets: BTreeMap<Facet, Vec<FacetCount>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suggestion {
    pub id: String,
    pub kind: DocKind,
    pub text: String,
}

/// A search engine holding the catalog's documents.
#[async_trait]
pub trait SearchIndex: Send + Sync + 'static {
    /// Adds or replaces documents (by id), visible to searches when this returns.
    async fn upsert(&self, docs: &[SearchDoc]) -> Result<()>;
    /// Removes documents (absent ids are fine), invisible when this returns.
    async fn delete(&self, ids: &[String]) -> Result<()>;
    /// Replaces every document of each dataset with its new set, all in one atomic step: a
    /// search sees the old sets or the new ones, never a gap (an empty set removes the
    /// dataset). Rebuilds pass many datasets at once, so they commit rarely; the sets are
    /// handed over, not copied (a rebuild's batch holds 20,000 documents).
    async fn replace_datasets(&self, datasets: Vec<(String, Vec<SearchDoc>)>) -> Result<()>;

    /// [`SearchIndex::replace_datasets`] for one dataset.
    async fn replace_dataset(&self, dataset_id: &str, docs: &[SearchDoc]) -> Result<()> {
        self.replace_datasets(vec![(dataset_id.to_owned(), docs.to_vec())])
            .await
    }
    /// After a full rebuild: merges what it wrote into as few parts as the engine allows, so
    /// that searches do not pay per part. Searches and writes go on meanwhile; it returns when
    /// the merged index is the one searched.
    async fn compact(&self) -> Result<()>;
    /// How many documents the index holds.
    async fn count(&self) -> Result<u64>;
    /// The datasets the index holds documents of (it may name datasets whose documents were
    /// just removed): a rebuild removes those the catalog no longer has.
    async fn dataset_ids(&self) -> Result<Vec<String>>;
    async fn search(&self, query: &SearchQuery) -> Result<SearchResult>;
    /// Names and labels starting with `prefix`, visible to `readers` (None: admins).
    async fn suggest(
        &self,
        prefix: &str,
        readers: Option<&[String]>,
        limit: u32,
    ) -> Result<Vec<Suggestion>>;
}

/// Searches for entries with every word of the text; when there are none and the text has
/// several words, for entries with any of them (`orders partition 2019` still finds the
/// orders tables). The result says which it did in [`SearchQuery::any_word`] of the query
/// it returns.
pub async fn search(
    index: &dyn SearchIndex,
    mut query: SearchQuery,
) -> Result<(SearchQuery, SearchResult)> {
    let result = index.search(&query).await?;
    if result.total > 0 || query.any_word || query_words(&query.text)?.len() < 2 {
        return Ok((query, result));
    }
    query.any_word = true;
    let result = index.search(&query).await?;
    Ok((query, result))
}

/// The separate words of query text (its tokens without the whole-text key).
pub fn query_words(text: &str) -> Result<Vec<String>> {
    let tokens = query_tokens("query", text)?;
    let key = normalize_name(text);
    let words: Vec<String> = tokens.iter().filter(|t| **t != key).cloned().collect();
    Ok(if words.is_empty() { tokens } else { words })
}

/// Splits a name into its words: on `_`, `.`, `-`, `/`, whitespace and case changes
/// (`customerId`, `HTTPServer` → `http`, `server`), lower-cased; the whole name is a token too
/// when it has several words.
pub fn name_tokens(name: &str) -> Vec<String> {
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = name.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if !cur.is_empty() {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            let boundary = (prev.is_lowercase() && c.is_uppercase())
                || (prev.is_uppercase() && c.is_uppercase() && next_lower)
                || (prev.is_alphabetic() && c.is_numeric())
                || (prev.is_numeric() && c.is_alphabetic());
            if boundary {
                words.push(std::mem::take(&mut cur));
            }
        }
        push_lower(&mut cur, c);
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let whole = normalize_name(name);
    if words.len() > 1 && !whole.is_empty() {
        words.push(whole);
    }
    words
}

/// Appends `c` lower-cased (names are mostly ASCII: a rebuild lower-cases every character of
/// 1M names several times).
fn push_lower(out: &mut String, c: char) {
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
    } else {
        out.extend(c.to_lowercase());
    }
}

/// A name as one exact-match key: lower-cased, runs of separators and spaces as one `_`
/// (`Customer ID`, `customer-id` and `customer_id` all give `customer_id`).
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut sep = false;
    for c in name.trim().chars() {
        if c.is_alphanumeric() {
            if sep && !out.is_empty() {
                out.push('_');
            }
            sep = false;
            push_lower(&mut out, c);
        } else {
            sep = true;
        }
    }
    out
}

/// Checks query text and splits it into the words an engine searches for (never syntax:
/// quotes, `*`, `:` and brackets are separators like any punctuation).
pub fn query_tokens(field: &str, text: &str) -> Result<Vec<String>> {
    if text.chars().count() > MAX_QUERY {
        return Err(Error::bad_input(
            field,
            format!("a query is at most {MAX_QUERY} characters"),
        ));
    }
    let mut out: Vec<String> = Vec::new();
    for t in name_tokens(text) {
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

// --- documents from the catalog ---------------------------------------------------------

/// What a dataset's entries inherit from it.
struct DatasetContext {
    dataset_id: String,
    organization: Option<String>,
    environment: Option<String>,
    region: String,
    owner_team: String,
    confidentiality: String,
    topics: Vec<String>,
    readers: Vec<String>,
}

impl DatasetContext {
    fn doc(&self, id: String, kind: DocKind, name: String, label: String) -> SearchDoc {
        SearchDoc {
            id,
            kind,
            dataset_id: Some(self.dataset_id.clone()),
            name,
            label,
            description: String::new(),
            parent: None,
            tags: vec![],
            topics: self.topics.clone(),
            confidentiality: Some(self.confidentiality.clone()),
            terms: vec![],
            organization: self.organization.clone(),
            environment: self.environment.clone(),
            region: Some(self.region.clone()),
            owner_team: Some(self.owner_team.clone()),
            upvotes: 0,
            updated_at: Utc::now(),
            readers: self.readers.clone(),
        }
    }
}

/// A glossary node's path, `Glossary/Category/Term`, its ancestors looked up by `node`.
fn glossary_path<'a>(
    start: &'a crate::glossary::GlossaryNode,
    node: impl Fn(&str) -> Option<&'a crate::glossary::GlossaryNode>,
) -> String {
    let mut labels = Vec::new();
    let mut cur = Some(start);
    while let Some(n) = cur {
        labels.push(n.label.as_str());
        cur = n.parent_id.as_ref().and_then(|p| node(p.as_str()));
    }
    labels.reverse();
    labels.join("/")
}

/// The glossary path of each approved term linked to each of `ids`.
async fn term_paths(
    store: &dyn crate::ports::CatalogStore,
    ids: &[String],
) -> Result<std::collections::HashMap<String, Vec<String>>> {
    let mut out: std::collections::HashMap<String, Vec<String>> = Default::default();
    let mut links = Vec::new();
    for chunk in ids.chunks(1000) {
        links.extend(
            store
                .term_links_for_targets(chunk)
                .await?
                .into_iter()
                .filter(|l| l.approved),
        );
    }
    if links.is_empty() {
        return Ok(out);
    }
    let mut nodes: std::collections::HashMap<String, crate::glossary::GlossaryNode> =
        Default::default();
    let mut want: Vec<String> = links.iter().map(|l| l.term_id.to_string()).collect();
    // Terms, then their categories, then glossaries: three rounds at most.
    while !want.is_empty() {
        want.retain(|id| !nodes.contains_key(id));
        want.sort();
        want.dedup();
        if want.is_empty() {
            break;
        }
        let found = store.glossary_nodes_by_ids(&want).await?;
        want = found
            .iter()
            .filter_map(|n| n.parent_id.as_ref().map(|p| p.to_string()))
            .collect();
        for n in found {
            nodes.insert(n.id.to_string(), n);
        }
    }
    for l in links {
        let path = nodes
            .get(l.term_id.as_str())
            .map(|t| glossary_path(t, |id| nodes.get(id)))
            .unwrap_or_default();
        out.entry(l.target_id.clone()).or_default().push(path);
    }
    Ok(out)
}

/// The documents of a dataset and everything in it (its tables with their columns, its
/// folders); empty when the dataset does not exist (its documents are to be deleted).
pub async fn dataset_documents(
    store: &dyn crate::ports::CatalogStore,
    dataset_id: &crate::ids::DatasetId,
) -> Result<Vec<SearchDoc>> {
    let mut sets = datasets_documents(store, &[dataset_id.to_string()]).await?;
    Ok(sets.pop().map(|(_, docs)| docs).unwrap_or_default())
}

/// [`dataset_documents`] of many datasets, read in a few statements per chunk of ids rather
/// than a few per dataset (a rebuild reads pages of datasets). One entry per id asked (ids
/// distinct), in order; an id that is not a dataset gets an empty set.
pub async fn datasets_documents(
    store: &dyn crate::ports::CatalogStore,
    dataset_ids: &[String],
) -> Result<Vec<(String, Vec<SearchDoc>)>> {
    use std::collections::HashMap;
    const CHUNK: usize = 1000;
    let mut datasets = Vec::new();
    for chunk in dataset_ids.chunks(CHUNK) {
        datasets.extend(store.datasets_by_ids(chunk).await?);
    }
    let mut org_ids: Vec<String> = datasets
        .iter()
        .map(|d| d.organization_id.to_string())
        .collect();
    let mut env_ids: Vec<String> = datasets
        .iter()
        .map(|d| d.environment_id.to_string())
        .collect();
    for ids in [&mut org_ids, &mut env_ids] {
        ids.sort();
        ids.dedup();
    }
    let mut orgs = HashMap::new();
    let mut envs = HashMap::new();
    for chunk in org_ids.chunks(CHUNK) {
        for o in store.organizations_by_ids(chunk).await? {
            orgs.insert(o.id.to_string(), o.label.as_str().to_owned());
        }
    }
    for chunk in env_ids.chunks(CHUNK) {
        for e in store.environments_by_ids(chunk).await? {
            envs.insert(e.id.to_string(), e.label.as_str().to_owned());
        }
    }
    let found: Vec<String> = datasets.iter().map(|d| d.id.to_string()).collect();
    let mut tables = Vec::new();
    let mut folders = Vec::new();
    for chunk in found.chunks(CHUNK) {
        tables.extend(store.tables_of_datasets(chunk).await?);
        folders.extend(store.folders_of_datasets(chunk).await?);
    }
    let table_ids: Vec<String> = tables.iter().map(|t| t.id.to_string()).collect();
    let mut columns: HashMap<String, Vec<crate::catalog::Column>> = HashMap::new();
    for chunk in table_ids.chunks(CHUNK) {
        for c in store.columns_of_tables(chunk).await? {
            columns.entry(c.table_id.to_string()).or_default().push(c);
        }
    }
    let mut tables_of: HashMap<String, Vec<crate::catalog::Table>> = HashMap::new();
    for t in tables {
        tables_of
            .entry(t.dataset_id.to_string())
            .or_default()
            .push(t);
    }
    let mut folders_of: HashMap<String, Vec<crate::catalog::Folder>> = HashMap::new();
    for f in folders {
        folders_of
            .entry(f.dataset_id.to_string())
            .or_default()
            .push(f);
    }

    let mut by_id: HashMap<String, Vec<SearchDoc>> = HashMap::new();
    for ds in datasets {
        let ctx = DatasetContext {
            dataset_id: ds.id.to_string(),
            organization: orgs.get(ds.organization_id.as_str()).cloned(),
            environment: envs.get(ds.environment_id.as_str()).cloned(),
            region: ds.aws.region.as_str().to_owned(),
            owner_team: ds.owner_team.as_str().to_owned(),
            confidentiality: ds.confidentiality.as_str().to_owned(),
            topics: ds.topics.iter().map(|t| t.as_str().to_owned()).collect(),
            readers: vec![ds.reader()],
        };
        let mut docs = Vec::new();
        let mut d = ctx.doc(
            ds.id.to_string(),
            DocKind::Dataset,
            ds.slug.as_str().to_owned(),
            ds.label.as_str().to_owned(),
        );
        d.description = ds.description.as_str().to_owned();
        d.tags = ds.tags.iter().map(|t| t.as_str().to_owned()).collect();
        d.updated_at = ds.updated_at;
        docs.push(d);
        for t in tables_of.remove(ds.id.as_str()).unwrap_or_default() {
            let mut d = ctx.doc(
                t.id.to_string(),
                DocKind::Table,
                t.glue_name.clone(),
                t.label.clone(),
            );
            d.description = t.description.as_str().to_owned();
            d.tags = t.tags.iter().map(|x| x.as_str().to_owned()).collect();
            d.updated_at = t.updated_at;
            docs.push(d);
            for c in columns.remove(t.id.as_str()).unwrap_or_default() {
                let mut d = ctx.doc(
                    c.id.to_string(),
                    DocKind::Column,
                    c.name.clone(),
                    c.name.clone(),
                );
                d.description = c.description.as_str().to_owned();
                d.tags = c.tags.iter().map(|x| x.as_str().to_owned()).collect();
                d.parent = Some(t.glue_name.clone());
                docs.push(d);
            }
        }
        for f in folders_of.remove(ds.id.as_str()).unwrap_or_default() {
            let mut d = ctx.doc(
                f.id.to_string(),
                DocKind::Folder,
                f.prefix.as_str().to_owned(),
                f.label.as_str().to_owned(),
            );
            d.description = f.description.as_str().to_owned();
            d.tags = f.tags.iter().map(|x| x.as_str().to_owned()).collect();
            d.updated_at = f.updated_at;
            docs.push(d);
        }
        by_id.insert(ds.id.to_string(), docs);
    }

    let ids: Vec<String> = by_id.values().flatten().map(|d| d.id.clone()).collect();
    let terms = term_paths(store, &ids).await?;
    let mut votes = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        votes.extend(store.vote_summaries("", chunk).await?);
    }
    Ok(dataset_ids
        .iter()
        .map(|id| {
            let mut docs = by_id.remove(id).unwrap_or_default();
            for d in &mut docs {
                if let Some(t) = terms.get(&d.id) {
                    d.terms = t.clone();
                }
                if let Some(v) = votes.get(&d.id) {
                    d.upvotes = v.upvotes;
                }
            }
            (id.clone(), docs)
        })
        .collect())
}

/// The documents of glossaries: one per term, named by its label, with its path
/// (`Glossary/Category/Term`) as its glossary term and the glossary's team as its owner, seen
/// by every signed-in user. A glossary is a unit of the index as a dataset is: its id stands
/// where a dataset's would (`dataset_id`), and its terms are swapped in one step. One entry
/// per id asked, in order; an id that is not a glossary gets an empty set.
pub async fn glossaries_documents(
    store: &dyn crate::ports::CatalogStore,
    glossary_ids: &[String],
) -> Result<Vec<(String, Vec<SearchDoc>)>> {
    use std::collections::HashMap;
    let mut nodes = Vec::new();
    for chunk in glossary_ids.chunks(1000) {
        nodes.extend(store.glossary_nodes_of(chunk).await?);
    }
    let by_id: HashMap<&str, &crate::glossary::GlossaryNode> =
        nodes.iter().map(|n| (n.id.as_str(), n)).collect();
    let terms: Vec<&crate::glossary::GlossaryNode> = nodes
        .iter()
        .filter(|n| n.kind() == crate::ids::ResourceKind::GlossaryTerm)
        .collect();
    let ids: Vec<String> = terms.iter().map(|t| t.id.to_string()).collect();
    let mut votes = HashMap::new();
    for chunk in ids.chunks(1000) {
        votes.extend(store.vote_summaries("", chunk).await?);
    }
    let mut by_glossary: HashMap<String, Vec<SearchDoc>> = HashMap::new();
    for t in terms {
        let label = t.label.as_str().to_owned();
        let doc = SearchDoc {
            id: t.id.to_string(),
            kind: DocKind::Term,
            dataset_id: Some(t.glossary_id.to_string()),
            name: label.clone(),
            label,
            description: t.description.as_str().to_owned(),
            parent: None,
            tags: vec![],
            topics: vec![],
            confidentiality: None,
            terms: vec![glossary_path(t, |id| by_id.get(id).copied())],
            organization: None,
            environment: None,
            region: None,
            owner_team: Some(t.admin_team.as_str().to_owned()),
            upvotes: votes.get(t.id.as_str()).map_or(0, |v| v.upvotes),
            updated_at: t.updated_at,
            readers: vec![EVERYONE.to_owned()],
        };
        by_glossary
            .entry(t.glossary_id.to_string())
            .or_default()
            .push(doc);
    }
    Ok(glossary_ids
        .iter()
        .map(|id| (id.clone(), by_glossary.remove(id).unwrap_or_default()))
        .collect())
}

/// Rebuilds the documents of one unit of the index, a dataset or a glossary, by id (removes
/// them when it is gone); returns how many documents it holds now.
pub async fn index_target(
    store: &dyn crate::ports::CatalogStore,
    index: &dyn SearchIndex,
    target: &str,
) -> Result<usize> {
    use crate::ids::ResourceKind;
    let ids = [target.to_owned()];
    let mut sets = match crate::ids::parse_any("target", target)?.0 {
        ResourceKind::Dataset => datasets_documents(store, &ids).await?,
        ResourceKind::Glossary => glossaries_documents(store, &ids).await?,
        other => {
            return Err(crate::Error::bad_input(
                "target",
                format!(
                    "a {} is indexed with its dataset or glossary, not on its own",
                    other.prefix()
                ),
            ));
        }
    };
    let docs = sets.pop().map(|(_, d)| d).unwrap_or_default();
    index.replace_dataset(target, &docs).await?;
    Ok(docs.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_on_separators_and_case() {
        assert_eq!(
            name_tokens("sales_orders"),
            ["sales", "orders", "sales_orders"]
        );
        assert_eq!(name_tokens("customerId"), ["customer", "id", "customerid"]);
        assert_eq!(
            name_tokens("HTTPServer.v2-log"),
            ["http", "server", "v", "2", "log", "httpserver_v2_log"]
        );
        assert_eq!(name_tokens("orders"), ["orders"]);
    }

    #[test]
    fn exact_keys_ignore_separators_and_case() {
        for n in [
            "customer_id",
            "Customer ID",
            "customer-id",
            "  CUSTOMER__ID ",
        ] {
            assert_eq!(normalize_name(n), "customer_id", "{n}");
        }
    }

    #[test]
    fn query_syntax_is_just_punctuation() {
        assert_eq!(
            query_tokens("q", r#"name:"sales" AND (orders*)"#).unwrap(),
            ["name", "sales", "and", "orders", "name_sales_and_orders"]
        );
        assert!(query_tokens("q", "").unwrap().is_empty());
        assert_eq!(query_words("Sales orders").unwrap(), ["sales", "orders"]);
        assert_eq!(query_words("orders").unwrap(), ["orders"]);
        let long = "a".repeat(MAX_QUERY + 1);
        assert_eq!(
            query_tokens("query", &long).unwrap_err().field.as_deref(),
            Some("query")
        );
    }
}
