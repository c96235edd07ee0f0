//! One pass over a search's matches (text and visibility): the page of best hits and the
//! total among the entries that pass every facet filter, and the disjunctive facet counts —
//! each facet counted over the entries that pass every filter but its own. Filters are
//! checked here on the facet columns rather than as query clauses, so a search walks its
//! matches once instead of once per facet. Visibility is checked the same way, on the
//! readers column: as a query clause, `readers:*` (every entry of an open catalog) would be
//! walked in full by every search.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::fastfield::{Column, FacetReader};
use tantivy::schema::Facet as TantivyFacet;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// The number of facets a search counts (`Facet::ALL`).
pub(super) const FACETS: usize = 9;

pub(super) struct OnePass {
    /// Hits kept: the page's offset plus its size.
    pub keep: usize,
    /// The facet fields, in `Facet::ALL` order.
    pub fields: [&'static str; FACETS],
    /// Each filtered facet (its index in `fields`) with its selected values.
    pub filters: Vec<(usize, Vec<TantivyFacet>)>,
    /// The fast field whose value breaks ties within a tier.
    pub upvotes: &'static str,
    /// Count facets (searches) or only keep the best entries (suggestions).
    pub count_facets: bool,
    /// The readers column and the values that make an entry visible (None: all are).
    pub visible_to: Option<(&'static str, Vec<String>)>,
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

pub(super) struct SegmentPass {
    segment: SegmentOrdinal,
    keep: usize,
    facets: Vec<FacetReader>,
    /// Per filtered facet: its index and the segment's ordinals of the selected values
    /// (sorted; empty when none occurs in this segment).
    filters: Vec<(usize, Vec<u64>)>,
    votes: Option<Column<i64>>,
    /// The readers column and the segment's ordinals of the caller's readers (sorted).
    visible: Option<(Option<StrColumn>, Vec<u64>)>,
    count_facets: bool,
    heap: BinaryHeap<Kept>,
    total: u64,
    counts: Vec<Vec<u64>>,
}

impl Collector for OnePass {
    type Fruit = Found;
    type Child = SegmentPass;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentPass> {
        let facets = self
            .fields
            .iter()
            .map(|f| reader.facet_reader(f))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let mut filters = Vec::with_capacity(self.filters.len());
        for (i, values) in &self.filters {
            let dict = facets[*i].facet_dict();
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
            Some((field, readers)) => {
                let column = reader.fast_fields().str(field)?;
                let mut ords = Vec::with_capacity(readers.len());
                if let Some(c) = &column {
                    for r in readers {
                        if let Some(ord) = c.dictionary().term_ord(r.as_bytes())? {
                            ords.push(ord);
                        }
                    }
                }
                ords.sort_unstable();
                Some((column, ords))
            }
        };
        let counts = if self.count_facets {
            facets.iter().map(|r| vec![0; r.num_facets()]).collect()
        } else {
            vec![Vec::new(); FACETS]
        };
        Ok(SegmentPass {
            segment,
            keep: self.keep,
            facets,
            filters,
            votes: reader.fast_fields().i64(self.upvotes).ok(),
            visible,
            count_facets: self.count_facets,
            heap: BinaryHeap::with_capacity(self.keep + 1),
            total: 0,
            counts,
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
    fn count(&mut self, facet: usize, doc: DocId) {
        let counts = &mut self.counts[facet];
        for ord in self.facets[facet].facet_ords(doc) {
            if let Some(c) = counts.get_mut(ord as usize) {
                *c += 1;
            }
        }
    }
}

impl SegmentCollector for SegmentPass {
    type Fruit = SegmentFound;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let Some((column, ords)) = &self.visible {
            let seen = column
                .as_ref()
                .is_some_and(|c| c.term_ords(doc).any(|o| ords.binary_search(&o).is_ok()));
            if !seen {
                return;
            }
        }
        // The one filter this entry fails, if it fails exactly one: it then counts for that
        // facet only (selecting one of its values would let it in).
        let mut failed = None;
        for (i, ords) in &self.filters {
            let passes = self.facets[*i]
                .facet_ords(doc)
                .any(|o| ords.binary_search(&o).is_ok());
            if !passes {
                if failed.is_some() {
                    return;
                }
                failed = Some(*i);
            }
        }
        if let Some(i) = failed {
            if self.count_facets {
                self.count(i, doc);
            }
            return;
        }
        if self.count_facets {
            for i in 0..FACETS {
                self.count(i, doc);
            }
        }
        self.total += 1;
        if self.keep == 0 {
            return;
        }
        let votes = self
            .votes
            .as_ref()
            .and_then(|c| c.first(doc))
            .unwrap_or(0)
            .max(0);
        // Upvotes break ties within a tier; they never lift a word match over a prefix match.
        let score = (score + 1.0) * (1.0 + 0.01 * ((1 + votes) as f32).ln());
        let kept = Kept { score, doc };
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
        let mut facet = TantivyFacet::root();
        for (reader, by_ord) in self.facets.iter().zip(&self.counts) {
            let mut values = Vec::new();
            for (ord, n) in by_ord.iter().enumerate() {
                if *n == 0 || reader.facet_from_ord(ord as u64, &mut facet).is_err() {
                    continue;
                }
                let value = facet.to_path().last().map(|s| (*s).to_owned());
                values.push((value.unwrap_or_default(), *n));
            }
            counts.push(values);
        }
        SegmentFound {
            top,
            total: self.total,
            counts,
        }
    }
}
