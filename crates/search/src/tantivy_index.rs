//! The tantivy adapter: one index (in a directory, or in memory for tests), one writer behind
//! a mutex, a reader reloaded after each commit so a write is searchable when it returns.
//!
//! Writes are committed in groups: a commit syncs the index's files to disk, which costs more
//! than indexing a dataset's documents, and a mutation's refresh and its `search.index` task
//! each write. Concurrent writers queue their changes; whichever holds the writer commits
//! everything queued so far, and each writer returns once the commit that holds its change is
//! searchable.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use lakecat_core::search::{
    DocKind, Facet, FacetCount, SearchDoc, SearchHit, SearchIndex, SearchQuery, SearchResult,
    Suggestion, normalize_name, query_tokens, query_words,
};
use lakecat_core::{Error, Result};
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, FacetOptions, Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TEXT,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{LowerCaser, NgramTokenizer, TextAnalyzer};
use tantivy::{
    DocAddress, Index, IndexReader, IndexWriter, ReloadPolicy, Score, TantivyDocument, Term,
};

mod cache;
mod collect;

use crate::derived::{
    AS_TYPED_BOOST, DESCRIPTION_BOOST, EXACT_BOOST, FACET_VALUES, MAX_SUGGESTIONS, NAME_WORD_BOOST,
    OTHER_WORD_BOOST, PREFIX_BOOST, TYPED_PREFIX_BOOST, derive, facet_field, visible_to,
};

/// The writer's indexing arena (tantivy's minimum is 15 MB per thread).
const WRITER_MEMORY: usize = 20_000_000;
const EDGE: &str = "lakecat_edge";
/// How many times [`TantivyIndex`]'s compaction starts a merge that a concurrent one spoilt.
const COMPACT_ATTEMPTS: usize = 5;

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    kind: Field,
    dataset_id: Field,
    name: Field,
    label: Field,
    name_exact: Field,
    name_typed: Field,
    typed_prefix: Field,
    name_prefix: Field,
    name_words: Field,
    other_words: Field,
    description: Field,
    readers: Field,
    upvotes: Field,
    facets: [Field; 9],
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let edge = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(EDGE)
            .set_index_option(IndexRecordOption::Basic),
    );
    let id = b.add_text_field("id", STRING | STORED);
    let kind = b.add_text_field("kind", STRING | STORED);
    let dataset_id = b.add_text_field("dataset_id", STRING | STORED);
    let name = b.add_text_field("name", STORED);
    let label = b.add_text_field("label", STORED);
    let name_exact = b.add_text_field("name_exact", STRING);
    let name_typed = b.add_text_field("name_typed", STRING);
    let name_prefix = b.add_text_field("name_prefix", edge.clone());
    let typed_prefix = b.add_text_field("typed_prefix", edge);
    let name_words = b.add_text_field("name_words", STRING);
    let other_words = b.add_text_field("other_words", STRING);
    let description = b.add_text_field("description", TEXT | STORED);
    // A column too: visibility is checked per match, not walked as a query clause.
    let readers = b.add_text_field("readers", STRING | FAST);
    let upvotes = b.add_i64_field("upvotes", FAST | INDEXED);
    let facets = Facet::ALL.map(|f| b.add_facet_field(facet_field(f), FacetOptions::default()));
    (
        b.build(),
        Fields {
            id,
            kind,
            dataset_id,
            name,
            label,
            name_exact,
            name_typed,
            typed_prefix,
            name_prefix,
            name_words,
            other_words,
            description,
            readers,
            upvotes,
            facets,
        },
    )
}

fn engine(e: tantivy::TantivyError) -> Error {
    // Engine errors are internal: their text never reaches a caller as-is.
    Error::internal(format!("search index: {e}"))
}

/// A change waiting for a commit.
enum Write {
    /// Documents replacing those with the same ids.
    Upsert(Vec<SearchDoc>),
    /// Documents by id.
    Delete(Vec<String>),
    /// Each dataset's documents replacing all it had.
    Replace(Vec<(String, Vec<SearchDoc>)>),
}

/// The writer and what its commits have done.
struct Writer {
    writer: IndexWriter,
    /// Every queued change whose ticket is below this has been committed, or has failed.
    done_below: u64,
    /// The error of each failed change whose writer has not yet looked.
    failed: HashMap<u64, Error>,
    /// Commits made since the index was opened.
    commits: u64,
}

/// Changes queued for the next commit, in ticket order.
#[derive(Default)]
struct Queue {
    next: u64,
    writes: Vec<(u64, Write)>,
}

struct Inner {
    reader: IndexReader,
    writer: Mutex<Writer>,
    queue: Mutex<Queue>,
    f: Fields,
    combos: Arc<collect::ComboCache>,
    results: cache::ResultCache,
}

/// The columns searches count and check per match.
const COLUMNS: collect::Columns = collect::Columns {
    facets: {
        let mut fields = [""; collect::FACETS];
        let mut i = 0;
        while i < collect::FACETS {
            fields[i] = facet_field(Facet::ALL[i]);
            i += 1;
        }
        fields
    },
    readers: "readers",
    upvotes: "upvotes",
};

/// The embedded search index.
#[derive(Clone)]
pub struct TantivyIndex(Arc<Inner>);

impl TantivyIndex {
    /// An index in `dir` (created if missing).
    pub fn open(dir: &Path) -> Result<TantivyIndex> {
        std::fs::create_dir_all(dir)
            .map_err(|e| Error::internal(format!("search index directory: {e}")))?;
        let (schema, _) = schema();
        let directory = tantivy::directory::MmapDirectory::open(dir)
            .map_err(|e| Error::internal(format!("search index directory: {e}")))?;
        let index = match Index::open_or_create(directory, schema.clone()) {
            Ok(index) => index,
            // An index written by another version of lakecat: it is only a projection of the
            // database, so it is dropped and rebuilt (the server rebuilds an empty index).
            Err(tantivy::TantivyError::SchemaError(_)) => {
                let io =
                    |e: std::io::Error| Error::internal(format!("search index directory: {e}"));
                std::fs::remove_dir_all(dir).map_err(io)?;
                std::fs::create_dir_all(dir).map_err(io)?;
                Index::create_in_dir(dir, schema).map_err(engine)?
            }
            Err(e) => return Err(engine(e)),
        };
        Self::with_index(index)
    }

    /// Keeps the results of up to `entries` recent searches and as many suggestion lists for
    /// the current index state (0: none). Default: [`DEFAULT_RESULT_CACHE`](crate::DEFAULT_RESULT_CACHE).
    pub fn set_result_cache(&self, entries: usize) {
        self.0.results.resize(entries);
    }

    /// Searches and suggestions answered from the result cache since the index was opened.
    pub fn result_cache_hits(&self) -> u64 {
        self.0.results.hits()
    }

    /// How many segments searches read (after a rebuild, [`SearchIndex::compact`] makes it
    /// one).
    pub fn segments(&self) -> usize {
        self.0.reader.searcher().segment_readers().len()
    }

    /// An index in memory (tests, benchmarks).
    pub fn in_memory() -> Result<TantivyIndex> {
        Self::with_index(Index::create_in_ram(schema().0))
    }

    fn with_index(index: Index) -> Result<TantivyIndex> {
        let edge = TextAnalyzer::builder(NgramTokenizer::prefix_only(1, 40).map_err(engine)?)
            .filter(LowerCaser)
            .build();
        index.tokenizers().register(EDGE, edge);
        let (_, f) = schema();
        // One indexing thread with a small arena: commits are per dataset (or per batch of
        // datasets in a rebuild), so a large buffer would only cost memory.
        let writer = index
            .writer_with_num_threads(1, WRITER_MEMORY)
            .map_err(|e| match e {
                // Another process (`lakecat serve`) writes this index.
                tantivy::TantivyError::LockFailure(
                    tantivy::directory::error::LockError::LockBusy,
                    _,
                ) => Error::unavailable("the search index is held by another process"),
                e => engine(e),
            })?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .map_err(engine)?;
        let inner = Inner {
            reader,
            writer: Mutex::new(Writer {
                writer,
                done_below: 0,
                failed: HashMap::new(),
                commits: 0,
            }),
            queue: Mutex::default(),
            f,
            combos: Arc::default(),
            results: cache::ResultCache::new(cache::DEFAULT_ENTRIES),
        };
        inner.warm()?;
        Ok(TantivyIndex(Arc::new(inner)))
    }
}

fn term(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ))
}

fn boosted(q: Box<dyn Query>, boost: f32) -> (Occur, Box<dyn Query>) {
    (Occur::Should, Box::new(BoostQuery::new(q, boost)))
}

impl Inner {
    fn document(&self, d: &SearchDoc) -> TantivyDocument {
        let f = &self.f;
        // The same keys and words OpenSearch indexes (`derived.rs`).
        let d = derive(d);
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &d.id);
        doc.add_text(f.kind, d.kind);
        if let Some(ds) = &d.dataset_id {
            doc.add_text(f.dataset_id, ds);
        }
        doc.add_text(f.name, &d.name);
        doc.add_text(f.label, &d.label);
        // The technical name as typed (case aside): `sales_orders` is the table, not the
        // dataset labelled "Sales Orders".
        doc.add_text(f.name_typed, &d.name_typed);
        doc.add_text(f.typed_prefix, &d.typed_prefix);
        for key in &d.name_exact {
            doc.add_text(f.name_exact, key);
            doc.add_text(f.name_prefix, key);
        }
        for w in &d.name_words {
            doc.add_text(f.name_words, w);
        }
        for w in &d.other_words {
            doc.add_text(f.other_words, w);
        }
        doc.add_text(f.description, &d.description);
        for r in &d.readers {
            doc.add_text(f.readers, r);
        }
        doc.add_i64(f.upvotes, d.upvotes);
        for (i, (_, values)) in d.facets.iter().enumerate() {
            for v in values {
                doc.add_facet(f.facets[i], tantivy::schema::Facet::from_path([v]));
            }
        }
        doc
    }

    /// The text part of a query: tiers of exact, prefix and word matches (everything when
    /// the text has no words). An entry matches with an exact, as-typed or prefix name, or
    /// with every word of the text (any word, with `any_word`).
    fn text_query(&self, text: &str, any_word: bool) -> Result<Box<dyn Query>> {
        let tokens = query_tokens("query", text)?;
        if tokens.is_empty() {
            return Ok(Box::new(AllQuery));
        }
        let f = &self.f;
        let key = normalize_name(text);
        let occur = if any_word { Occur::Should } else { Occur::Must };
        let words: Vec<(Occur, Box<dyn Query>)> = query_words(text)?
            .iter()
            .map(|t| {
                let anywhere: Box<dyn Query> = Box::new(BooleanQuery::new(vec![
                    boosted(term(f.name_words, t), NAME_WORD_BOOST),
                    boosted(term(f.other_words, t), OTHER_WORD_BOOST),
                    boosted(term(f.description, t), DESCRIPTION_BOOST),
                ]));
                (occur, anywhere)
            })
            .collect();
        let mut clauses = vec![
            boosted(
                term(f.name_typed, &text.trim().to_lowercase()),
                AS_TYPED_BOOST,
            ),
            boosted(term(f.name_exact, &key), EXACT_BOOST),
            boosted(term(f.name_prefix, &key), PREFIX_BOOST),
            (Occur::Should, Box::new(BooleanQuery::new(words))),
        ];
        if tokens.len() > 1 {
            // The words together, as in a parent table's name: a bonus, never a match alone
            // (an entry holding the whole key holds each word).
            clauses.push(boosted(term(f.other_words, &key), OTHER_WORD_BOOST));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// The cached answer to `q` on the current index state, if there is one: a lookup, cheap
    /// enough for an async thread.
    fn cached_search(&self, q: &SearchQuery) -> Option<SearchResult> {
        let generation = self.reader.searcher().generation().generation_id();
        self.results
            .search(generation, q)
            .map(|found| SearchResult::clone(&found))
    }

    fn search(&self, q: &SearchQuery) -> Result<SearchResult> {
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        if let Some(found) = self.results.search(generation, q) {
            return Ok(SearchResult::clone(&found));
        }
        let found = self.search_with(&searcher, q)?;
        self.results
            .keep_search(generation, q, Arc::new(found.clone()));
        Ok(found)
    }

    fn search_with(&self, searcher: &tantivy::Searcher, q: &SearchQuery) -> Result<SearchResult> {
        let text = self.text_query(&q.text, q.any_word)?;
        // Visibility and facet filters are applied by the collector, which counts each facet
        // with every filter but its own in the same pass.
        let filters = q
            .filters
            .iter()
            .filter(|(_, values)| !values.is_empty())
            .map(|(facet, values)| {
                let i = Facet::ALL.iter().position(|f| f == facet).unwrap_or(0);
                let values = values
                    .iter()
                    .map(|v| tantivy::schema::Facet::from_path([v]))
                    .collect();
                (i, values)
            })
            .collect();
        let pass = collect::OnePass {
            keep: (q.offset as usize).saturating_add(q.first.max(1) as usize),
            columns: COLUMNS,
            combos: self.combos.clone(),
            filters,
            count_facets: true,
            visible_to: visible_to(q.readers.as_deref()),
        };
        let found = searcher.search(text.as_ref(), &pass).map_err(engine)?;
        let mut snippets = SnippetGenerator::create(searcher, text.as_ref(), self.f.description)
            .map_err(engine)?;
        snippets.set_max_num_chars(200);
        let mut hits = Vec::with_capacity(q.first as usize);
        for (score, addr) in found.top.into_iter().skip(q.offset as usize) {
            hits.push(self.hit(searcher, addr, score, &snippets)?);
        }
        let mut facets = BTreeMap::new();
        for (facet, counts) in Facet::ALL.iter().zip(found.counts) {
            let mut values: Vec<FacetCount> = counts
                .into_iter()
                .map(|(value, count)| FacetCount { value, count })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            values.truncate(FACET_VALUES);
            facets.insert(*facet, values);
        }
        Ok(SearchResult {
            hits,
            total: found.total,
            facets,
        })
    }

    fn hit(
        &self,
        searcher: &tantivy::Searcher,
        addr: DocAddress,
        score: Score,
        snippets: &SnippetGenerator,
    ) -> Result<SearchHit> {
        let doc: TantivyDocument = searcher.doc(addr).map_err(engine)?;
        let text = |field: Field| stored_text(&doc, field);
        let kind = DocKind::parse("kind", &text(self.f.kind))
            .map_err(|e| Error::internal(format!("indexed kind: {}", e.message)))?;
        let dataset = text(self.f.dataset_id);
        let mut snip = snippets.snippet_from_doc(&doc);
        snip.set_snippet_prefix_postfix("<em>", "</em>");
        let mut snippet = snip.to_html();
        if snippet.is_empty() {
            let description = text(self.f.description);
            let cut: String = description.chars().take(150).collect();
            snippet = escape(&cut);
        }
        Ok(SearchHit {
            id: text(self.f.id),
            kind,
            dataset_id: (!dataset.is_empty()).then_some(dataset),
            name: text(self.f.name),
            label: text(self.f.label),
            snippet,
            score,
        })
    }

    /// The cached suggestions for `prefix` on the current index state, if there are: only
    /// valid prefixes' answers are ever kept.
    fn cached_suggest(
        &self,
        prefix: &str,
        readers: Option<&[String]>,
        limit: u32,
    ) -> Option<Vec<Suggestion>> {
        let generation = self.reader.searcher().generation().generation_id();
        self.results
            .suggest(generation, prefix, readers, limit)
            .map(|found| Vec::clone(&found))
    }

    fn suggest(
        &self,
        prefix: &str,
        readers: Option<&[String]>,
        limit: u32,
    ) -> Result<Vec<Suggestion>> {
        query_tokens("prefix", prefix)?;
        let key = normalize_name(prefix);
        if key.is_empty() {
            return Ok(vec![]);
        }
        let searcher = self.reader.searcher();
        let generation = searcher.generation().generation_id();
        if let Some(found) = self.results.suggest(generation, prefix, readers, limit) {
            return Ok(Vec::clone(&found));
        }
        let query = BooleanQuery::new(vec![
            boosted(term(self.f.name_exact, &key), EXACT_BOOST),
            // A name starting with the prefix as typed (`sales_ord` → `sales_orders`, not
            // `sales-orders`) before one that matches with separators ignored.
            boosted(
                term(self.f.typed_prefix, &prefix.trim().to_lowercase()),
                TYPED_PREFIX_BOOST,
            ),
            boosted(term(self.f.name_prefix, &key), 1.0),
        ]);
        let pass = collect::OnePass {
            keep: limit.clamp(1, MAX_SUGGESTIONS) as usize,
            columns: COLUMNS,
            combos: self.combos.clone(),
            filters: vec![],
            count_facets: false,
            visible_to: visible_to(readers),
        };
        let top = searcher.search(&query, &pass).map_err(engine)?.top;
        let mut out = Vec::with_capacity(top.len());
        for (_, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr).map_err(engine)?;
            let get = |field: Field| stored_text(&doc, field);
            let (name, label) = (get(self.f.name), get(self.f.label));
            // Show whichever of name and label the prefix matched.
            let text = if normalize_name(&name).starts_with(&key) {
                name
            } else {
                label
            };
            out.push(Suggestion {
                id: get(self.f.id),
                kind: DocKind::parse("kind", &get(self.f.kind))
                    .map_err(|e| Error::internal(format!("indexed kind: {}", e.message)))?,
                text,
            });
        }
        self.results
            .keep_suggest(generation, prefix, readers, limit, Arc::new(out.clone()));
        Ok(out)
    }

    /// Queues `change` and returns once a commit holding it is searchable. The caller that
    /// gets the writer commits every change queued so far; the others find theirs done when
    /// they get it in turn.
    fn write(&self, change: Write) -> Result<()> {
        let ticket = {
            let mut queue = self.queue.lock().unwrap_or_else(PoisonError::into_inner);
            let ticket = queue.next;
            queue.next += 1;
            queue.writes.push((ticket, change));
            ticket
        };
        let Ok(mut writer) = self.writer.lock() else {
            // A commit panicked: nothing will take the queue again, so this change leaves it.
            self.queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .writes
                .retain(|(t, _)| *t != ticket);
            return Err(Error::internal("search writer poisoned"));
        };
        if ticket < writer.done_below {
            return writer.failed.remove(&ticket).map_or(Ok(()), Err);
        }
        let batch = std::mem::take(
            &mut self
                .queue
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .writes,
        );
        // The batch holds this caller's change: it was queued before the writer was taken,
        // and no commit since has taken it.
        let below = batch.last().map_or(ticket, |(t, _)| t + 1);
        let mut outcome = self.commit(&mut writer.writer, &batch);
        writer.commits += 1;
        if let Err(e) = &mut outcome {
            // Nothing of a failed batch stays behind for the next commit; each of its
            // changes' writers gets the error (a `search.index` task retries).
            if let Err(rollback) = writer.writer.rollback() {
                *e = Error::internal(format!("{}; then rollback: {rollback}", e.message));
            }
            for (t, _) in &batch {
                if *t != ticket {
                    writer.failed.insert(*t, e.clone());
                }
            }
        }
        writer.done_below = below;
        outcome
    }

    /// Applies `batch` in order, commits it as one, and makes it searchable. A delete covers
    /// the documents added before it, so a dataset replaced twice keeps the second set.
    fn commit(&self, writer: &mut IndexWriter, batch: &[(u64, Write)]) -> Result<()> {
        for (_, change) in batch {
            match change {
                Write::Upsert(docs) => {
                    for d in docs {
                        writer.delete_term(Term::from_field_text(self.f.id, &d.id));
                        writer.add_document(self.document(d)).map_err(engine)?;
                    }
                }
                Write::Delete(ids) => {
                    for id in ids {
                        writer.delete_term(Term::from_field_text(self.f.id, id));
                    }
                }
                // Deletes and adds land in one commit: readers see the old sets or the new
                // ones. A document belongs to one dataset, so the dataset's delete covers
                // each of its ids.
                Write::Replace(datasets) => {
                    for (dataset_id, docs) in datasets {
                        writer.delete_term(Term::from_field_text(self.f.dataset_id, dataset_id));
                        for d in docs {
                            writer.add_document(self.document(d)).map_err(engine)?;
                        }
                    }
                }
            }
        }
        writer.commit().map_err(engine)?;
        self.reload()
    }

    /// Makes the last commit searchable, with its segments' combinations built here rather
    /// than by the next search.
    fn reload(&self) -> Result<()> {
        self.reader.reload().map_err(engine)?;
        self.warm()
    }

    fn warm(&self) -> Result<()> {
        let searcher = self.reader.searcher();
        self.combos
            .warm(searcher.segment_readers(), &COLUMNS)
            .map_err(engine)
    }

    fn count(&self) -> Result<u64> {
        let searcher = self.reader.searcher();
        Ok(searcher.num_docs())
    }

    /// Merges the committed segments into one. A rebuild leaves about a dozen, and a search
    /// looks up each of its terms and builds its unions once per segment. The writer is held
    /// only to start the merge: writes go on while it runs, and searches read the old
    /// segments until it ends. A failed merge (tantivy's own policy may have merged some of
    /// the same segments meanwhile) is tried again on what is left.
    fn compact(&self) -> Result<()> {
        let mut last = None;
        for _ in 0..COMPACT_ATTEMPTS {
            let ids = self
                .reader
                .searcher()
                .index()
                .searchable_segment_ids()
                .map_err(engine)?;
            if ids.len() < 2 {
                return Ok(());
            }
            let merge = self
                .writer
                .lock()
                .map_err(|_| Error::internal("search writer poisoned"))?
                .writer
                .merge(&ids);
            match merge.wait() {
                Ok(_) => return self.reload(),
                Err(e) => {
                    last = Some(e);
                    std::thread::sleep(std::time::Duration::from_millis(500));
                    self.reload()?;
                }
            }
        }
        Err(engine(last.unwrap_or_else(|| {
            tantivy::TantivyError::SystemError("no merge attempted".into())
        })))
    }

    fn dataset_ids(&self) -> Result<Vec<String>> {
        let searcher = self.reader.searcher();
        let mut out = std::collections::BTreeSet::new();
        for segment in searcher.segment_readers() {
            let index = segment.inverted_index(self.f.dataset_id).map_err(engine)?;
            let mut terms = index
                .terms()
                .stream()
                .map_err(|e| Error::internal(format!("search index: {e}")))?;
            while terms.advance() {
                out.insert(String::from_utf8_lossy(terms.key()).into_owned());
            }
        }
        Ok(out.into_iter().collect())
    }
}

fn stored_text(doc: &TantivyDocument, field: Field) -> String {
    doc.get_first(field)
        .and_then(|v| v.as_str())
        .unwrap_or_default()
        .to_owned()
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Runs index work off the async threads.
async fn blocking<T: Send + 'static>(
    inner: &Arc<Inner>,
    f: impl FnOnce(&Inner) -> Result<T> + Send + 'static,
) -> Result<T> {
    let inner = inner.clone();
    tokio::task::spawn_blocking(move || f(&inner))
        .await
        .map_err(|e| Error::internal(format!("search task: {e}")))?
}

#[async_trait]
impl SearchIndex for TantivyIndex {
    async fn upsert(&self, docs: &[SearchDoc]) -> Result<()> {
        let docs = docs.to_vec();
        blocking(&self.0, move |i| i.write(Write::Upsert(docs))).await
    }

    async fn delete(&self, ids: &[String]) -> Result<()> {
        let ids = ids.to_vec();
        blocking(&self.0, move |i| i.write(Write::Delete(ids))).await
    }

    async fn replace_datasets(&self, datasets: Vec<(String, Vec<SearchDoc>)>) -> Result<()> {
        blocking(&self.0, move |i| i.write(Write::Replace(datasets))).await
    }

    async fn compact(&self) -> Result<()> {
        blocking(&self.0, |i| i.compact()).await
    }

    async fn count(&self) -> Result<u64> {
        blocking(&self.0, |i| i.count()).await
    }

    async fn dataset_ids(&self) -> Result<Vec<String>> {
        blocking(&self.0, |i| i.dataset_ids()).await
    }

    async fn search(&self, query: &SearchQuery) -> Result<SearchResult> {
        // A cached answer is served here: handing a lookup to the blocking pool and back
        // costs two thread wake-ups, more than the lookup.
        if let Some(found) = self.0.cached_search(query) {
            // A hit completes without waiting: give other tasks their turn now and then, or a
            // loop of hits would starve them (a writer joined with it, for one).
            tokio::task::coop::consume_budget().await;
            return Ok(found);
        }
        let q = query.clone();
        blocking(&self.0, move |i| i.search(&q)).await
    }

    async fn suggest(
        &self,
        prefix: &str,
        readers: Option<&[String]>,
        limit: u32,
    ) -> Result<Vec<Suggestion>> {
        if let Some(found) = self.0.cached_suggest(prefix, readers, limit) {
            tokio::task::coop::consume_budget().await;
            return Ok(found);
        }
        let (prefix, readers) = (prefix.to_owned(), readers.map(<[String]>::to_vec));
        blocking(&self.0, move |i| {
            i.suggest(&prefix, readers.as_deref(), limit)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, reason = "tests fail loudly")]

    use super::*;

    fn doc(id: &str, dataset: &str, name: &str) -> SearchDoc {
        SearchDoc::new(id, DocKind::Table, dataset, name)
    }

    fn found(inner: &Inner, text: &str) -> Vec<String> {
        let q = SearchQuery {
            text: text.into(),
            first: 50,
            ..Default::default()
        };
        let mut ids: Vec<String> = inner
            .search(&q)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect();
        ids.sort_unstable();
        ids
    }

    /// Changes queued while the writer is busy go out in one commit, applied in order, and
    /// each writer returns with its change searchable.
    #[test]
    fn queued_writes_share_one_commit() {
        let dir = tempfile::tempdir().unwrap();
        let index = TantivyIndex::open(dir.path()).unwrap();
        let inner = index.0.clone();
        inner
            .write(Write::Upsert(vec![doc("gone", "ds_old", "archive")]))
            .unwrap();
        let before = inner.writer.lock().unwrap().commits;
        let busy = inner.writer.lock().unwrap();
        let writers: Vec<_> = (0..16)
            .map(|n| {
                let inner = inner.clone();
                std::thread::spawn(move || {
                    let ds = format!("ds_{n}");
                    // The dataset is replaced twice in one change: the second set is kept.
                    inner
                        .write(Write::Replace(vec![
                            (ds.clone(), vec![doc(&format!("first_{n}"), &ds, "draft")]),
                            (ds.clone(), vec![doc(&format!("t_{n}"), &ds, "ledger")]),
                        ]))
                        .unwrap();
                    // Read-your-writes: the change is searchable when the write returns.
                    assert!(found(&inner, "ledger").contains(&format!("t_{n}")));
                })
            })
            .collect();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while inner.queue.lock().unwrap().writes.len() < 16 {
            assert!(
                std::time::Instant::now() < deadline,
                "writers did not queue"
            );
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        drop(busy);
        for w in writers {
            w.join().unwrap();
        }
        let commits = inner.writer.lock().unwrap().commits - before;
        assert_eq!(commits, 1, "16 queued writes, one commit");
        let expected: Vec<String> = {
            let mut ids: Vec<String> = (0..16).map(|n| format!("t_{n}")).collect();
            ids.sort_unstable();
            ids
        };
        assert_eq!(found(&inner, "ledger"), expected);
        assert!(found(&inner, "draft").is_empty());
        assert_eq!(found(&inner, "archive"), ["gone"]);
        inner
            .write(Write::Delete(vec!["gone".into(), "t_0".into()]))
            .unwrap();
        assert!(found(&inner, "archive").is_empty());
        assert_eq!(found(&inner, "ledger").len(), 15);
    }
}
