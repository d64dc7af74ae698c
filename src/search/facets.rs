//! Exact facet counts in one pass over the matching documents.
//!
//! Keyword facets read term ordinals from each segment's fast-field column and
//! count them in a plain array. Term ordinals follow the dictionary's (byte) order,
//! so with one segment the top values are picked and ordered on ordinals and only
//! those are turned into strings; with several, each segment's hit values are
//! resolved and the lists are merged by value. Either way every count is exact,
//! whatever the number of segments. Turning ordinals into strings reads the column's
//! dictionary: a few values are looked up in one sorted pass; when many are wanted,
//! the whole dictionary is decoded once and kept for the life of the process
//! (segments never change), so later searches only index into it. Date facets
//! (year, month, day) count days from the `published` column and are rolled up
//! later.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::{DocId, Score, SegmentReader};

use super::facet_mirror;

/// The counted values of one keyword field.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct FacetList {
    /// The most frequent values (at most the collector's `size`), largest count
    /// first, ties in value order.
    pub top: Vec<(String, u64)>,
    /// Number of distinct values among the matching documents.
    pub distinct: usize,
}

/// Counts per keyword field, and per day.
#[derive(Debug, Default, Clone)]
pub struct RawCounts {
    pub keyword: Vec<FacetList>,
    /// Articles per day, keyed by days since 1970-01-01.
    pub days: BTreeMap<i64, u64>,
}

/// Collects facet counts for a list of keyword fields and, optionally, dates.
#[derive(Clone)]
pub struct FacetCounter {
    pub keyword_fields: Vec<String>,
    pub date_field: Option<String>,
    /// Values kept per keyword field (`usize::MAX` for all).
    pub size: usize,
}

/// One segment's counts for one keyword field.
pub struct SegmentCounts {
    segment: SegmentId,
    field: String,
    column: Option<StrColumn>,
    /// The column in memory, once this process has asked for it twice.
    mirror: Option<Arc<facet_mirror::Ords>>,
    /// How many matching documents hold each value (by ordinal).
    counts: Vec<u32>,
    /// Read from the column: the last document counted (+ 1) per value, so a value
    /// repeated within one article counts once (a mirror holds distinct values).
    last: Vec<u32>,
}

/// Every value of one segment's column, by ordinal.
#[derive(Default)]
struct Terms {
    text: String,
    ends: Vec<usize>,
}

impl Terms {
    fn get(&self, ord: u64) -> Option<&str> {
        let i = usize::try_from(ord).ok()?;
        let start = if i == 0 { 0 } else { *self.ends.get(i - 1)? };
        self.text.get(start..*self.ends.get(i)?)
    }
}

/// Decoded dictionaries, by segment and field.
type TermCache = Mutex<HashMap<(SegmentId, String), Arc<Terms>>>;

static TERMS: std::sync::OnceLock<TermCache> = std::sync::OnceLock::new();

/// Dictionaries kept at most (a process that outlives many segments starts over).
const CACHED_DICTIONARIES: usize = 64;

/// Resolving more than this share of a dictionary's values decodes all of it
/// (about as costly once, and free afterwards).
const DECODE_ALL_FRACTION: usize = 16;

/// One field's values over several segments, in value order ("global ordinals"):
/// counts from every segment add up in one array, and only the top values become
/// strings.
struct GlobalOrds {
    /// Per segment (in the searcher's order), segment ordinal -> global ordinal.
    to_global: Vec<Vec<u32>>,
    /// Global ordinal -> (segment, segment ordinal) of one segment holding it.
    from: Vec<(u32, u64)>,
    terms: Vec<Arc<Terms>>,
}

/// Global ordinals by field and segments, and how often each key was asked for
/// without them (they are built the second time: a one-search process never pays).
#[derive(Default)]
struct GlobalCache {
    built: HashMap<(String, Vec<SegmentId>), Arc<GlobalOrds>>,
    asked: HashMap<(String, Vec<SegmentId>), u32>,
}

static GLOBAL: std::sync::OnceLock<Mutex<GlobalCache>> = std::sync::OnceLock::new();

impl GlobalOrds {
    /// Merges the segments' sorted dictionaries.
    fn build(terms: Vec<Arc<Terms>>) -> GlobalOrds {
        let mut to_global: Vec<Vec<u32>> = terms.iter().map(|t| vec![0; t.ends.len()]).collect();
        let mut from = Vec::new();
        let mut heap = std::collections::BinaryHeap::new();
        for (seg, t) in terms.iter().enumerate() {
            if let Some(v) = t.get(0) {
                heap.push(std::cmp::Reverse((v, seg, 0u64)));
            }
        }
        let mut last: Option<&str> = None;
        while let Some(std::cmp::Reverse((v, seg, ord))) = heap.pop() {
            if last != Some(v) {
                from.push((seg as u32, ord));
                last = Some(v);
            }
            to_global[seg][ord as usize] = (from.len() - 1) as u32;
            if let Some(next) = terms[seg].get(ord + 1) {
                heap.push(std::cmp::Reverse((next, seg, ord + 1)));
            }
        }
        GlobalOrds {
            to_global,
            from,
            terms,
        }
    }

    fn value(&self, global: usize) -> Option<&str> {
        let (seg, ord) = *self.from.get(global)?;
        self.terms.get(seg as usize)?.get(ord)
    }
}

pub struct SegmentFruit {
    keyword: Vec<SegmentCounts>,
    days: BTreeMap<i64, u64>,
}

pub struct SegmentCounter {
    keyword: Vec<SegmentCounts>,
    /// Matching documents not counted yet: values are read a block at a time.
    pending: Vec<DocId>,
    docs: Vec<DocId>,
    rows: Vec<u32>,
    ords: Vec<u64>,
    firsts: Vec<Option<tantivy::DateTime>>,
    dates: Option<Column<tantivy::DateTime>>,
    day_mirror: Option<Arc<facet_mirror::Days>>,
    /// Articles per day from `first_day` on (the column's date range).
    first_day: i64,
    days: Vec<u32>,
    /// Days outside that range (only when the range is wider than [`DENSE_DAYS`]).
    far: Vec<i64>,
}

/// Documents whose values are read together.
const BLOCK: usize = 1024;

/// Days since 1970-01-01.
fn day_of(d: tantivy::DateTime) -> i64 {
    d.into_timestamp_secs().div_euclid(86_400)
}

/// Longest date range counted in a dense array (days); wider ranges (placeholder
/// dates far from the rest) fall back to counting in a map.
const DENSE_DAYS: i64 = 200_000;

/// Keeps the `size` largest counts of `(ordinal, count)` pairs, largest first, ties
/// in ordinal (= value) order.
fn keep_top(hits: &mut Vec<(u64, u64)>, size: usize) {
    let by_count = |a: &(u64, u64), b: &(u64, u64)| b.1.cmp(&a.1).then(a.0.cmp(&b.0));
    if size < hits.len() {
        hits.select_nth_unstable_by(size, by_count);
        hits.truncate(size);
    }
    hits.sort_unstable_by(by_count);
}

impl SegmentCounts {
    /// The segment's whole dictionary, decoded: cached, or decoded now when `wanted`
    /// values are many.
    fn terms(&self, wanted: usize) -> Option<Arc<Terms>> {
        let col = self.column.as_ref()?;
        let cache = TERMS.get_or_init(Default::default);
        let key = (self.segment, self.field.clone());
        if let Some(t) = cache.lock().ok()?.get(&key) {
            return Some(Arc::clone(t));
        }
        let total = col.num_terms();
        if wanted.saturating_mul(DECODE_ALL_FRACTION) < total {
            return None;
        }
        let mut terms = Terms {
            text: String::new(),
            ends: Vec::with_capacity(total),
        };
        let mut stream = col.dictionary().stream().ok()?;
        while stream.advance() {
            terms.text.push_str(&String::from_utf8_lossy(stream.key()));
            terms.ends.push(terms.text.len());
        }
        let terms = Arc::new(terms);
        let mut map = cache.lock().ok()?;
        if map.len() >= CACHED_DICTIONARIES {
            map.clear();
        }
        map.insert(key, Arc::clone(&terms));
        Some(terms)
    }

    /// `(ordinal, count)` of every value that was hit.
    fn hits(&self) -> Vec<(u64, u64)> {
        self.counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(ord, n)| (ord as u64, u64::from(*n)))
            .collect()
    }

    /// Resolves sorted ordinals to their values.
    fn resolve(&self, ords: &[(u64, u64)]) -> Vec<(String, u64)> {
        let mut out = Vec::with_capacity(ords.len());
        let Some(col) = &self.column else {
            return out;
        };
        if let Some(terms) = self.terms(ords.len()) {
            for &(ord, n) in ords {
                if let Some(t) = terms.get(ord) {
                    out.push((t.to_string(), n));
                }
            }
            return out;
        }
        let sorted: Vec<u64> = ords.iter().map(|(o, _)| *o).collect();
        let mut i = 0;
        // Ordinals taken from this column's own documents are always in its
        // dictionary; a read error would only drop values from the counts.
        let _ = col.dictionary().sorted_ords_to_term_cb(&sorted, |bytes| {
            if let Some((_, n)) = ords.get(i) {
                out.push((String::from_utf8_lossy(bytes).into_owned(), *n));
            }
            i += 1;
        });
        out
    }
}

fn top_of(mut all: Vec<(String, u64)>, size: usize) -> Vec<(String, u64)> {
    let cmp = |a: &(String, u64), b: &(String, u64)| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0));
    if size < all.len() {
        all.select_nth_unstable_by(size, cmp);
        all.truncate(size);
    }
    all.sort_unstable_by(cmp);
    all
}

/// Merges lists sorted by value, adding the counts of equal values.
fn merge_sorted(lists: Vec<Vec<(String, u64)>>) -> Vec<(String, u64)> {
    let mut all: Vec<(String, u64)> = lists.into_iter().flatten().collect();
    all.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let mut out: Vec<(String, u64)> = Vec::with_capacity(all.len());
    for (v, n) in all {
        match out.last_mut() {
            Some((last, m)) if *last == v => *m += n,
            _ => out.push((v, n)),
        }
    }
    out
}

impl Collector for FacetCounter {
    type Fruit = RawCounts;
    type Child = SegmentCounter;

    fn for_segment(&self, _id: u32, reader: &SegmentReader) -> tantivy::Result<SegmentCounter> {
        let mut keyword = Vec::with_capacity(self.keyword_fields.len());
        for name in &self.keyword_fields {
            let column = reader.fast_fields().str(name)?;
            let terms = column.as_ref().map_or(0, |c| c.num_terms());
            let mirror = column
                .as_ref()
                .and_then(|c| facet_mirror::ords(reader.segment_id(), name, c));
            let counts = vec![0; terms];
            let last = if mirror.is_some() {
                Vec::new()
            } else {
                vec![0; terms]
            };
            keyword.push(SegmentCounts {
                segment: reader.segment_id(),
                field: name.clone(),
                column,
                mirror,
                counts,
                last,
            });
        }
        let dates = match &self.date_field {
            Some(name) => Some(reader.fast_fields().date(name)?),
            None => None,
        };
        let day_mirror = match (&self.date_field, &dates) {
            (Some(name), Some(col)) => facet_mirror::days(reader.segment_id(), name, col),
            _ => None,
        };
        let (first_day, days) = match &dates {
            Some(col) if col.num_docs() > 0 => {
                let (lo, hi) = (day_of(col.min_value()), day_of(col.max_value()));
                let span = (hi - lo + 1).clamp(0, DENSE_DAYS);
                (lo, vec![0u32; span as usize])
            }
            _ => (0, Vec::new()),
        };
        Ok(SegmentCounter {
            keyword,
            pending: Vec::with_capacity(BLOCK),
            docs: Vec::new(),
            rows: Vec::new(),
            ords: Vec::new(),
            firsts: Vec::new(),
            dates,
            day_mirror,
            first_day,
            days,
            far: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<RawCounts> {
        let mut days = BTreeMap::new();
        let mut per_field: Vec<Vec<SegmentCounts>> =
            (0..self.keyword_fields.len()).map(|_| Vec::new()).collect();
        for fruit in fruits {
            for (d, n) in fruit.days {
                *days.entry(d).or_insert(0) += n;
            }
            for (i, seg) in fruit.keyword.into_iter().enumerate() {
                if let Some(v) = per_field.get_mut(i) {
                    v.push(seg);
                }
            }
        }
        let keyword = per_field
            .into_iter()
            .map(|segments| self.merge_field(segments))
            .collect();
        Ok(RawCounts { keyword, days })
    }
}

impl FacetCounter {
    /// Global ordinals for `segments`, when built already or asked for before.
    fn global_ords(&self, segments: &[SegmentCounts]) -> Option<Arc<GlobalOrds>> {
        let first = segments.first()?;
        let key = (
            first.field.clone(),
            segments.iter().map(|s| s.segment).collect::<Vec<_>>(),
        );
        let cache = GLOBAL.get_or_init(Default::default);
        {
            let mut c = cache.lock().ok()?;
            if let Some(g) = c.built.get(&key) {
                return Some(Arc::clone(g));
            }
            if c.asked.len() >= 4 * CACHED_DICTIONARIES {
                c.asked.clear();
            }
            let asked = c.asked.entry(key.clone()).or_insert(0);
            *asked += 1;
            if *asked < 2 {
                return None;
            }
        }
        // A segment without the column has no values.
        let terms = segments
            .iter()
            .map(|s| match s.column {
                None => Some(Arc::default()),
                Some(_) => s.terms(usize::MAX),
            })
            .collect::<Option<Vec<_>>>()?;
        let global = Arc::new(GlobalOrds::build(terms));
        let mut c = cache.lock().ok()?;
        if c.built.len() >= CACHED_DICTIONARIES {
            c.built.clear();
            c.asked.clear();
        }
        c.built.insert(key, Arc::clone(&global));
        Some(global)
    }

    /// Counts added up over segments on global ordinals; top values resolved.
    fn merge_global(&self, segments: &[SegmentCounts], global: &GlobalOrds) -> FacetList {
        let mut counts = vec![0u64; global.from.len()];
        for (seg, map) in segments.iter().zip(&global.to_global) {
            for (ord, n) in seg.counts.iter().enumerate().filter(|(_, n)| **n > 0) {
                if let Some(&g) = map.get(ord) {
                    counts[g as usize] += u64::from(*n);
                }
            }
        }
        let mut hits: Vec<(u64, u64)> = counts
            .iter()
            .enumerate()
            .filter(|(_, n)| **n > 0)
            .map(|(g, n)| (g as u64, *n))
            .collect();
        let distinct = hits.len();
        keep_top(&mut hits, self.size);
        let top = hits
            .into_iter()
            .filter_map(|(g, n)| Some((global.value(g as usize)?.to_string(), n)))
            .collect();
        FacetList { top, distinct }
    }

    fn merge_field(&self, segments: Vec<SegmentCounts>) -> FacetList {
        if segments.len() > 1 {
            if let Some(global) = self.global_ords(&segments) {
                return self.merge_global(&segments, &global);
            }
        }
        let live: Vec<(SegmentCounts, Vec<(u64, u64)>)> = segments
            .into_iter()
            .map(|s| {
                let h = s.hits();
                (s, h)
            })
            .filter(|(_, h)| !h.is_empty())
            .collect();
        match live.len() {
            0 => FacetList::default(),
            1 => {
                // One segment: choose the top on ordinals, resolve only those.
                let (seg, mut hits) = live.into_iter().next().unwrap_or_else(|| unreachable!());
                // Ordinal order is value order, so ordering on ordinals is final.
                let distinct = hits.len();
                keep_top(&mut hits, self.size);
                hits.sort_unstable_by_key(|(ord, _)| *ord);
                let mut top = seg.resolve(&hits);
                top.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
                FacetList { top, distinct }
            }
            _ => {
                let lists = live.iter().map(|(seg, hits)| seg.resolve(hits)).collect();
                let all = merge_sorted(lists);
                FacetList {
                    distinct: all.len(),
                    top: top_of(all, self.size),
                }
            }
        }
    }
}

impl SegmentCounter {
    /// Counts the values of the pending documents: row ids and ordinals are read
    /// for the whole block, then each document's values are counted once each.
    fn count_pending(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        for seg in self.keyword.iter_mut() {
            if let Some(m) = &seg.mirror {
                // Values are distinct per document already.
                for &doc in &self.pending {
                    for &ord in m.of(doc) {
                        if let Some(n) = seg.counts.get_mut(ord as usize) {
                            *n += 1;
                        }
                    }
                }
                continue;
            }
            let Some(col) = &seg.column else {
                continue;
            };
            let column = col.ords();
            self.docs.clear();
            self.rows.clear();
            column.row_ids_for_docs(&self.pending, &mut self.docs, &mut self.rows);
            self.ords.clear();
            self.ords.resize(self.rows.len(), 0);
            column.values.get_vals(&self.rows, &mut self.ords);
            for (&doc, &ord) in self.docs.iter().zip(&self.ords) {
                let o = ord as usize;
                if let (Some(n), Some(l)) = (seg.counts.get_mut(o), seg.last.get_mut(o)) {
                    if *l != doc + 1 {
                        *l = doc + 1;
                        *n += 1;
                    }
                }
            }
        }
        if let Some(m) = &self.day_mirror {
            for &doc in &self.pending {
                let Some(&d) = m.days.get(doc as usize) else {
                    continue;
                };
                if d == facet_mirror::NO_DAY {
                    continue;
                }
                let day = i64::from(d);
                match usize::try_from(day - self.first_day)
                    .ok()
                    .and_then(|i| self.days.get_mut(i))
                {
                    Some(n) => *n += 1,
                    None => self.far.push(day),
                }
            }
        } else if let Some(dates) = &self.dates {
            self.firsts.clear();
            self.firsts.resize(self.pending.len(), None);
            dates.first_vals(&self.pending, &mut self.firsts);
            for d in self.firsts.iter().flatten() {
                let i = day_of(*d) - self.first_day;
                if let Some(n) = usize::try_from(i).ok().and_then(|i| self.days.get_mut(i)) {
                    *n += 1;
                } else {
                    self.far.push(day_of(*d));
                }
            }
        }
        self.pending.clear();
    }
}

impl SegmentCollector for SegmentCounter {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        self.pending.push(doc);
        if self.pending.len() >= BLOCK {
            self.count_pending();
        }
    }

    fn harvest(mut self) -> SegmentFruit {
        self.count_pending();
        let mut days = BTreeMap::new();
        for (i, n) in self.days.iter().enumerate().filter(|(_, n)| **n > 0) {
            days.insert(self.first_day + i as i64, u64::from(*n));
        }
        for d in self.far {
            *days.entry(d).or_insert(0) += 1;
        }
        SegmentFruit {
            keyword: self.keyword,
            days,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{Schema, FAST, STRING};
    use tantivy::{Index, IndexWriter};

    #[test]
    fn counts_over_segments_are_exact_before_and_after_global_ordinals() {
        let mut builder = Schema::builder();
        let org = builder.add_text_field("org", STRING | FAST);
        let published = builder.add_date_field("published", FAST);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter = index
            .writer_with_num_threads(1, 15_000_000)
            .expect("writer");
        // Three segments with overlapping and distinct values; one article names a
        // value twice (counted once); one segment has no value at all.
        let segments: [&[&[&str]]; 4] = [
            &[&["NATO", "UN"], &["UN"], &["EU", "EU"]],
            &[&["UN", "WHO"], &["Acme"]],
            &[&[]],
            &[&["NATO"], &["Zeta", "UN"], &["EU"]],
        ];
        let mut expected: BTreeMap<&str, u64> = BTreeMap::new();
        let mut expected_days: BTreeMap<i64, u64> = BTreeMap::new();
        let mut n = 0i64;
        for seg in segments {
            for article in seg {
                let mut d = tantivy::TantivyDocument::default();
                // Every third article is undated; the others fall on three days.
                n += 1;
                if n % 3 != 0 {
                    let day = 10_000 + n % 4;
                    d.add_date(
                        published,
                        tantivy::DateTime::from_timestamp_secs(day * 86_400),
                    );
                    *expected_days.entry(day).or_insert(0) += 1;
                }
                let mut seen = Vec::new();
                for v in *article {
                    d.add_text(org, v);
                    if !seen.contains(v) {
                        seen.push(*v);
                        *expected.entry(v).or_insert(0) += 1;
                    }
                }
                writer.add_document(d).expect("add");
            }
            writer.commit().expect("commit");
        }
        let searcher = index.reader().expect("reader").searcher();
        assert_eq!(searcher.segment_readers().len(), 4);
        let mut want: Vec<(String, u64)> =
            expected.iter().map(|(v, n)| (v.to_string(), *n)).collect();
        want.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for size in [usize::MAX, 2] {
            let counter = FacetCounter {
                keyword_fields: vec!["org".into()],
                date_field: Some("published".into()),
                size,
            };
            // The first search reads the columns and merges strings; later ones use
            // the columns' in-memory mirrors and global ordinals.
            for _ in 0..3 {
                let q = tantivy::query::AllQuery;
                let got = searcher.search(&q, &counter).expect("search");
                assert_eq!(got.days, expected_days);
                let list = &got.keyword[0];
                assert_eq!(list.distinct, want.len());
                assert_eq!(
                    list.top,
                    want.iter().take(size).cloned().collect::<Vec<_>>()
                );
            }
        }
    }

    #[test]
    fn merging_adds_equal_values_and_top_breaks_ties_by_value() {
        let a = vec![("EU".to_string(), 2), ("NATO".to_string(), 3)];
        let b = vec![("NATO".to_string(), 1), ("UN".to_string(), 2)];
        let merged = merge_sorted(vec![a, b]);
        assert_eq!(
            merged,
            vec![("EU".into(), 2), ("NATO".into(), 4), ("UN".into(), 2)]
        );
        assert_eq!(
            top_of(merged, 2),
            vec![("NATO".into(), 4), ("EU".into(), 2)]
        );
    }
}
