//! Results of recent searches and suggestions, for the current index state only.
//!
//! A result is stored with the searcher generation it was computed on, and the cache is
//! emptied when a write makes a new generation searchable: a cached result is exactly what
//! the search would compute again, so read-your-writes holds. Popular searches (the same words
//! typed by many users, or the UI asking for the same page again) cost a lookup instead of a
//! walk over their matches, as in Solr's query result cache. Entries are kept per caller's
//! readers, so a cached result never crosses visibility. OpenSearch has no such cache here:
//! its writes happen in another process, which this one could not hear about.

use std::num::NonZeroUsize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use lakecat_core::search::{SearchQuery, SearchResult, Suggestion};
use lru::LruCache;

/// Entries kept by default (of each kind). A page of 20 hits with snippets and facet counts
/// is about 12 KB, the largest page (100 hits) about 60 KB: 12–60 MB when full.
pub const DEFAULT_ENTRIES: usize = crate::DEFAULT_RESULT_CACHE;

#[derive(Hash, PartialEq, Eq)]
struct SuggestKey {
    prefix: String,
    readers: Option<Vec<String>>,
    limit: u32,
}

struct State {
    generation: u64,
    searches: LruCache<SearchQuery, Arc<SearchResult>>,
    suggestions: LruCache<SuggestKey, Arc<Vec<Suggestion>>>,
}

pub(super) struct ResultCache {
    state: Mutex<Option<State>>,
    /// Answers served from the cache.
    hits: AtomicU64,
}

impl ResultCache {
    pub fn new(entries: usize) -> ResultCache {
        let cache = ResultCache {
            state: Mutex::new(None),
            hits: AtomicU64::new(0),
        };
        cache.resize(entries);
        cache
    }

    /// Keeps up to `entries` of each kind; 0 turns the cache off.
    pub fn resize(&self, entries: usize) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        *state = NonZeroUsize::new(entries).map(|n| State {
            generation: 0,
            searches: LruCache::new(n),
            suggestions: LruCache::new(n),
        });
    }

    /// The state for `generation`, emptied if it held an older one; None when the cache is
    /// off, or the caller's searcher is older than what the cache holds.
    fn with<T>(&self, generation: u64, f: impl FnOnce(&mut State) -> Option<T>) -> Option<T> {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let state = state.as_mut()?;
        if state.generation < generation {
            state.generation = generation;
            state.searches.clear();
            state.suggestions.clear();
        }
        if state.generation != generation {
            return None;
        }
        f(state)
    }

    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    fn hit<T>(&self, found: Option<T>) -> Option<T> {
        if found.is_some() {
            self.hits.fetch_add(1, Ordering::Relaxed);
        }
        found
    }

    pub fn search(&self, generation: u64, q: &SearchQuery) -> Option<Arc<SearchResult>> {
        self.hit(self.with(generation, |s| s.searches.get(q).cloned()))
    }

    pub fn keep_search(&self, generation: u64, q: &SearchQuery, result: Arc<SearchResult>) {
        self.with(generation, |s| s.searches.put(q.clone(), result));
    }

    pub fn suggest(
        &self,
        generation: u64,
        prefix: &str,
        readers: Option<&[String]>,
        limit: u32,
    ) -> Option<Arc<Vec<Suggestion>>> {
        let key = SuggestKey {
            prefix: prefix.to_owned(),
            readers: readers.map(<[String]>::to_vec),
            limit,
        };
        self.hit(self.with(generation, |s| s.suggestions.get(&key).cloned()))
    }

    pub fn keep_suggest(
        &self,
        generation: u64,
        prefix: &str,
        readers: Option<&[String]>,
        limit: u32,
        found: Arc<Vec<Suggestion>>,
    ) {
        let key = SuggestKey {
            prefix: prefix.to_owned(),
            readers: readers.map(<[String]>::to_vec),
            limit,
        };
        self.with(generation, |s| s.suggestions.put(key, found));
    }
}
