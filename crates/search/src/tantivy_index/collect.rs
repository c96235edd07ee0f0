//! One pass over a search's matches (text and visibility): the page of best hits and the
//! total among the entries that pass every facet filter, and the disjunctive facet counts —
//! each facet counted over the entries that pass every filter but its own. Filters and
//! visibility are checked here rather than as query clauses, so a search walks its matches
//! once instead of once per facet (as a clause, `readers:*` — every entry of an open
//! catalog — would be walked in full by every search).
//!
//! Reading nine facet columns and the readers column per match was most of a search's cost.
//! Entries of one dataset share most of those values, so each segment's documents are
//! grouped into *combinations* of facet values and readers ([`Combos`], built once per
//! segment and cached): a match costs one array read, and visibility and filters are decided
//! once per combination per search. Counts are kept per combination and spread over facet
//! values at the end.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::fastfield::{Column, FacetReader};
use tantivy::index::SegmentId;
use tantivy::schema::Facet as TantivyFacet;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The number of facets a search counts (`Facet::ALL`).
pub(super) const FACETS: usize = 9;

/// The columns a segment's combinations are read from.
#[derive(Clone, Copy)]
pub(super) struct Columns {
    /// The facet fields, in `Facet::ALL` order.
    pub facets: [&'static str; FACETS],
    /// The readers column (who may see an entry).
    pub readers: &'static str,
    /// The fast field whose value breaks ties within a tier.
    pub upvotes: &'static str,
}

/// A segment's documents grouped by their facet values and readers, with the segment's
/// columns a search reads (opened once, not per search).
pub(super) struct Combos {
    /// Per document, its combination.
    by_doc: Vec<u32>,
    /// Per combination, where its lists start in `ords`: the nine facets', then the readers'
    /// (`FACETS + 2` bounds).
    bounds: Vec<[u32; FACETS + 2]>,
    /// Facet value and reader ordinals (each list sorted).
    ords: Vec<u64>,
    facets: Vec<FacetReader>,
    readers: Option<StrColumn>,
    votes: Option<Column<i64>>,
    /// Per-search arrays of finished searches, kept for the next ones (see [`Scratch`]).
    spare: Mutex<Vec<Scratch>>,
}

/// What one search keeps per combination of a segment. Only the combinations a search
/// touched are reset when it ends, so a search costs its matches, not the segment's size:
/// zeroing arrays as long as the segment's combinations for every search (and reading
/// every count back) was a tenth of a search's CPU.
#[derive(Default)]
struct Scratch {
    /// Per combination: `UNKNOWN`, `HIDDEN`, … (decided at its first match).
    state: Vec<u8>,
    /// Per combination: matches counted (those that pass, or fail exactly one filter).
    matched: Vec<u32>,
    /// The combinations decided, in the order of their first match.
    touched: Vec<u32>,
}

/// Spare scratch arrays kept per segment: as many as searches ran on it at once, up to this.
const SPARE_SCRATCH: usize = 16;

impl Combos {
    fn build(reader: &SegmentReader, columns: &Columns) -> tantivy::Result<Combos> {
        let facets = columns
            .facets
            .iter()
            .map(|f| reader.facet_reader(f))
            .collect::<tantivy::Result<Vec<FacetReader>>>()?;
        let readers = reader.fast_fields().str(columns.readers)?;
        let mut ids: HashMap<Vec<u64>, u32> = HashMap::new();
        let mut combos = Combos {
            by_doc: Vec::with_capacity(reader.max_doc() as usize),
            bounds: Vec::new(),
            ords: Vec::new(),
            facets: Vec::new(),
            readers: None,
            votes: reader.fast_fields().i64(columns.upvotes).ok(),
            spare: Mutex::default(),
        };
        // The key: each list's length, then its ordinals (sorted, without repeats).
        let mut key: Vec<u64> = Vec::with_capacity(32);
        for doc in 0..reader.max_doc() {
            key.clear();
            for f in &facets {
                push_list(&mut key, f.facet_ords(doc));
            }
            match &readers {
                Some(c) => push_list(&mut key, c.term_ords(doc)),
                None => key.push(0),
            }
            let id = match ids.get(&key) {
                Some(id) => *id,
                None => {
                    let id = combos.bounds.len() as u32;
                    combos.push(&key);
                    ids.insert(key.clone(), id);
                    id
                }
            };
            combos.by_doc.push(id);
        }
        combos.facets = facets;
        combos.readers = readers;
        Ok(combos)
    }

    /// Arrays for a search of this segment: a finished search's, or new ones.
    fn scratch(&self) -> Scratch {
        let spare = self
            .spare
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop();
        spare.unwrap_or_else(|| Scratch {
            state: vec![UNKNOWN; self.len()],
            matched: vec![0; self.len()],
            touched: Vec::new(),
        })
    }

    /// Takes back a search's arrays, reset where it wrote to them.
    fn give_back(&self, mut scratch: Scratch) {
        for c in scratch.touched.drain(..) {
            scratch.state[c as usize] = UNKNOWN;
            scratch.matched[c as usize] = 0;
        }
        let mut spare = self
            .spare
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if spare.len() < SPARE_SCRATCH {
            spare.push(scratch);
        }
    }

    /// Adds a combination from its key.
    fn push(&mut self, key: &[u64]) {
        let mut bounds = [0u32; FACETS + 2];
        let mut at = 0;
        for b in bounds.iter_mut().take(FACETS + 1) {
            *b = self.ords.len() as u32;
            let len = key[at] as usize;
            self.ords.extend_from_slice(&key[at + 1..at + 1 + len]);
            at += 1 + len;
        }
        bounds[FACETS + 1] = self.ords.len() as u32;
        self.bounds.push(bounds);
    }

    /// The combination's ordinals of facet `i` (`FACETS`: its readers).
    fn list(&self, combo: u32, i: usize) -> &[u64] {
        let b = &self.bounds[combo as usize];
        &self.ords[b[i] as usize..b[i + 1] as usize]
    }

    fn len(&self) -> usize {
        self.bounds.len()
    }
}

/// One segment's combinations, once built (its lock makes concurrent searches wait for one
/// build instead of each building them).
type Slot = Arc<Mutex<Option<Arc<Combos>>>>;

/// Appends a list to a combination key: its length, then its values sorted without repeats.
fn push_list(key: &mut Vec<u64>, values: impl Iterator<Item = u64>) {
    let at = key.len();
    key.push(0);
    key.extend(values);
    let list = &mut key[at + 1..];
    list.sort_unstable();
    let mut len = 0;
    for i in 0..list.len() {
        if len == 0 || list[i] != list[len - 1] {
            list[len] = list[i];
            len += 1;
        }
    }
    key.truncate(at + 1 + len);
    key[at] = len as u64;
}

/// Combinations per segment, built once (a segment never changes; deletes are applied by the
/// scorers) and dropped with their segment.
#[derive(Default)]
pub(super) struct ComboCache {
    segments: Mutex<HashMap<SegmentId, Slot>>,
}

impl ComboCache {
    /// The segment's combinations; the first caller builds them, concurrent ones wait.
    pub fn get(&self, reader: &SegmentReader, columns: &Columns) -> tantivy::Result<Arc<Combos>> {
        let slot = {
            let mut segments = self
                .segments
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            segments.entry(reader.segment_id()).or_default().clone()
        };
        let mut slot = slot
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(c) = slot.as_ref() {
            return Ok(c.clone());
        }
        let built = Arc::new(Combos::build(reader, columns)?);
        *slot = Some(built.clone());
        Ok(built)
    }

    /// Builds what the segments lack and forgets the segments not listed (merged away).
    pub fn warm(&self, readers: &[SegmentReader], columns: &Columns) -> tantivy::Result<()> {
        for r in readers {
            self.get(r, columns)?;
        }
        let live: std::collections::HashSet<SegmentId> =
            readers.iter().map(SegmentReader::segment_id).collect();
        self.segments
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .retain(|id, _| live.contains(id));
        Ok(())
    }
}

pub(super) struct OnePass {
    /// Hits kept: the page's offset plus its size.
    pub keep: usize,
    pub columns: Columns,
    pub combos: Arc<ComboCache>,
    /// Each filtered facet (its index in `columns.facets`) with its selected values.
    pub filters: Vec<(usize, Vec<TantivyFacet>)>,
    /// Count facets (searches) or only keep the best entries (suggestions).
    pub count_facets: bool,
    /// The reader values that make an entry visible (None: all are).
    pub visible_to: Option<Vec<String>>,
}

pub(super) struct Found {
    /// Best first, ties in index order.
    pub top: Vec<(Score, DocAddress)>,
    pub total: u64,
    /// Per facet (in `Facet::ALL` order): value → count.
    pub counts: Vec<HashMap<String, u64>>,
}

/// A kept hit, ordered so that the heap's top is the worst one.
#[derive(Clone, Copy)]
struct Kept {
    score: Score,
    doc: DocId,
}

impl PartialEq for Kept {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Kept {}
impl PartialOrd for Kept {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Kept {
    fn cmp(&self, other: &Self) -> Ordering {
        // Greater = worse: a lower score, or the same score later in the index.
        other
            .score
            .total_cmp(&self.score)
            .then(self.doc.cmp(&other.doc))
    }
}

/// What a search decided about a combination (one byte per combination per search).
const UNKNOWN: u8 = 0;
const HIDDEN: u8 = 1;
const FAILS_SEVERAL: u8 = 2;
const PASSES: u8 = 3;
/// `FAILS_ONE + i`: passes every filter but facet `i`'s.
const FAILS_ONE: u8 = 4;

pub(super) struct SegmentPass {
    segment: SegmentOrdinal,
    keep: usize,
    combos: Arc<Combos>,
    scratch: Scratch,
    /// Per filtered facet: its index and the segment's ordinals of the selected values
    /// (sorted; empty when none occurs in this segment).
    filters: Vec<(usize, Vec<u64>)>,
    /// The largest upvote factor in the segment: a match that cannot enter the page even with
    /// it is not looked at further.
    max_factor: f32,
    /// The segment's ordinals of the caller's readers (sorted); None: everything is visible.
    visible: Option<Vec<u64>>,
    count_facets: bool,
    heap: BinaryHeap<Kept>,
    total: u64,
}

/// Upvotes break ties within a tier; they never lift a word match over a prefix match.
fn vote_factor(votes: i64) -> f32 {
    1.0 + 0.01 * ((1 + votes.max(0)) as f32).ln()
}

fn intersects(a: &[u64], b: &[u64]) -> bool {
    a.iter().any(|x| b.binary_search(x).is_ok())
}

impl Collector for OnePass {
    type Fruit = Found;
    type Child = SegmentPass;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentPass> {
        let combos = self.combos.get(reader, &self.columns)?;
        let mut filters = Vec::with_capacity(self.filters.len());
        for (i, values) in &self.filters {
            let dict = combos.facets[*i].facet_dict();
            let mut ords = Vec::with_capacity(values.len());
            for v in values {
                if let Some(ord) = dict.term_ord(v.encoded_str().as_bytes())? {
                    ords.push(ord);
                }
            }
            ords.sort_unstable();
            filters.push((*i, ords));
        }
        let visible = match &self.visible_to {
            None => None,
            Some(readers) => {
                let mut ords = Vec::with_capacity(readers.len());
                if let Some(c) = &combos.readers {
                    for r in readers {
                        if let Some(ord) = c.dictionary().term_ord(r.as_bytes())? {
                            ords.push(ord);
                        }
                    }
                }
                ords.sort_unstable();
                Some(ords)
            }
        };
        let max_factor = combos
            .votes
            .as_ref()
            .map(|c| vote_factor(c.max_value()))
            .unwrap_or(1.0);
        Ok(SegmentPass {
            segment,
            keep: self.keep,
            scratch: combos.scratch(),
            combos,
            filters,
            max_factor,
            visible,
            count_facets: self.count_facets,
            heap: BinaryHeap::with_capacity(self.keep + 1),
            total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFound>) -> tantivy::Result<Found> {
        let mut top = Vec::new();
        let mut total = 0;
        let mut counts: Vec<HashMap<String, u64>> = vec![HashMap::new(); FACETS];
        for f in fruits {
            total += f.total;
            top.extend(f.top);
            for (merged, segment) in counts.iter_mut().zip(f.counts) {
                for (value, n) in segment {
                    *merged.entry(value).or_default() += n;
                }
            }
        }
        top.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
        top.truncate(self.keep);
        Ok(Found { top, total, counts })
    }
}

pub(super) struct SegmentFound {
    top: Vec<(Score, DocAddress)>,
    total: u64,
    counts: Vec<Vec<(String, u64)>>,
}

impl SegmentPass {
    /// Visibility and filters for one combination.
    fn decide(&self, combo: u32) -> u8 {
        if let Some(ords) = &self.visible
            && !intersects(self.combos.list(combo, FACETS), ords)
        {
            return HIDDEN;
        }
        // The one filter it fails, if it fails exactly one: its matches then count for that
        // facet only (selecting one of its values would let them in).
        let mut failed = None;
        for (i, ords) in &self.filters {
            if !intersects(self.combos.list(combo, *i), ords) {
                if failed.is_some() {
                    return FAILS_SEVERAL;
                }
                failed = Some(*i);
            }
        }
        match failed {
            Some(i) => FAILS_ONE + i as u8,
            None => PASSES,
        }
    }
}

impl SegmentCollector for SegmentPass {
    type Fruit = SegmentFound;

    fn collect(&mut self, doc: DocId, score: Score) {
        let combo = self.combos.by_doc[doc as usize];
        let mut state = self.scratch.state[combo as usize];
        if state == UNKNOWN {
            state = self.decide(combo);
            self.scratch.state[combo as usize] = state;
            self.scratch.touched.push(combo);
        }
        if state < PASSES {
            return;
        }
        if self.count_facets {
            self.scratch.matched[combo as usize] += 1;
        }
        if state != PASSES {
            return;
        }
        self.total += 1;
        if self.keep == 0 {
            return;
        }
        let worst = (self.heap.len() >= self.keep)
            .then(|| self.heap.peek().map(|k| k.score))
            .flatten();
        // Later documents lose ties, so one that cannot beat the worst kept hit even with
        // the segment's best upvotes is done.
        if worst.is_some_and(|w| (score + 1.0) * self.max_factor <= w) {
            return;
        }
        let votes = (self.combos.votes.as_ref())
            .and_then(|c| c.first(doc))
            .unwrap_or(0);
        let kept = Kept {
            score: (score + 1.0) * vote_factor(votes),
            doc,
        };
        if self.heap.len() < self.keep {
            self.heap.push(kept);
        } else if self.heap.peek().is_some_and(|worst| kept < *worst) {
            self.heap.pop();
            self.heap.push(kept);
        }
    }

    fn harvest(self) -> SegmentFound {
        let top = self
            .heap
            .into_iter()
            .map(|k| (k.score, DocAddress::new(self.segment, k.doc)))
            .collect();
        let mut counts = Vec::with_capacity(FACETS);
        if self.count_facets {
            let (scratch, combos) = (&self.scratch, &self.combos);
            let mut facet = TantivyFacet::root();
            for (i, reader) in combos.facets.iter().enumerate() {
                // The counts per value ordinal of the touched combinations that count for
                // this facet; one value ordinal per (combination, value).
                let mut by_ord: Vec<(u64, u64)> = Vec::new();
                for &combo in &scratch.touched {
                    let (state, n) = (
                        scratch.state[combo as usize],
                        scratch.matched[combo as usize],
                    );
                    if n > 0 && (state == PASSES || state == FAILS_ONE + i as u8) {
                        by_ord.extend(combos.list(combo, i).iter().map(|o| (*o, u64::from(n))));
                    }
                }
                let mut values = Vec::new();
                for (ord, n) in coalesce(by_ord, reader.num_facets()) {
                    if reader.facet_from_ord(ord, &mut facet).is_err() {
                        continue;
                    }
                    let value = facet.to_path().last().map(|s| (*s).to_owned());
                    values.push((value.unwrap_or_default(), n));
                }
                counts.push(values);
            }
        } else {
            counts.resize(FACETS, Vec::new());
        }
        self.combos.give_back(self.scratch);
        SegmentFound {
            top,
            total: self.total,
            counts,
        }
    }
}

/// Sums counts per value ordinal: through an array as long as the segment's values when the
/// pairs are many, by sorting them when they are few.
fn coalesce(mut pairs: Vec<(u64, u64)>, values: usize) -> Vec<(u64, u64)> {
    if pairs.len() * 8 >= values {
        let mut dense = vec![0u64; values];
        for (ord, n) in pairs {
            if let Some(c) = dense.get_mut(ord as usize) {
                *c += n;
            }
        }
        return (dense.into_iter().enumerate())
            .filter(|(_, n)| *n > 0)
            .map(|(ord, n)| (ord as u64, n))
            .collect();
    }
    pairs.sort_unstable_by_key(|(ord, _)| *ord);
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(pairs.len());
    for (ord, n) in pairs {
        match out.last_mut() {
            Some((last, sum)) if *last == ord => *sum += n,
            _ => out.push((ord, n)),
        }
    }
    out
}
