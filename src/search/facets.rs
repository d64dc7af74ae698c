//! Exact facet counts in one pass over the matching documents.
//!
//! Keyword facets read term ordinals from each segment's fast-field column and
//! count them in a plain array; only ordinals that were hit are turned back into
//! strings, and segments are merged by string, so every count is exact whatever the
//! number of segments. Date facets (year, month, day) count days from the
//! `published` column and roll them up.

use std::collections::{BTreeMap, HashMap};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentReader};

/// Counts per keyword field, and per day.
#[derive(Debug, Default, Clone)]
pub struct RawCounts {
    pub keyword: Vec<HashMap<String, u64>>,
    /// Articles per day, keyed by days since 1970-01-01.
    pub days: BTreeMap<i64, u64>,
}

/// Collects facet counts for a list of keyword fields and, optionally, dates.
pub struct FacetCounter {
    pub keyword_fields: Vec<String>,
    pub date_field: Option<String>,
}

pub struct SegmentCounter {
    columns: Vec<Option<StrColumn>>,
    counts: Vec<Vec<u32>>,
    dates: Option<Column<tantivy::DateTime>>,
    days: HashMap<i64, u64>,
}

impl Collector for FacetCounter {
    type Fruit = RawCounts;
    type Child = SegmentCounter;

    fn for_segment(&self, _id: u32, reader: &SegmentReader) -> tantivy::Result<SegmentCounter> {
        let mut columns = Vec::with_capacity(self.keyword_fields.len());
        let mut counts = Vec::with_capacity(self.keyword_fields.len());
        for name in &self.keyword_fields {
            let col = reader.fast_fields().str(name)?;
            counts.push(vec![0u32; col.as_ref().map_or(0, |c| c.num_terms())]);
            columns.push(col);
        }
        let dates = match &self.date_field {
            Some(name) => Some(reader.fast_fields().date(name)?),
            None => None,
        };
        Ok(SegmentCounter {
            columns,
            counts,
            dates,
            days: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<RawCounts>) -> tantivy::Result<RawCounts> {
        let mut out = RawCounts {
            keyword: vec![HashMap::new(); self.keyword_fields.len()],
            days: BTreeMap::new(),
        };
        for fruit in fruits {
            for (into, from) in out.keyword.iter_mut().zip(fruit.keyword) {
                for (k, v) in from {
                    *into.entry(k).or_insert(0) += v;
                }
            }
            for (d, n) in fruit.days {
                *out.days.entry(d).or_insert(0) += n;
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentCounter {
    type Fruit = RawCounts;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (col, counts) in self.columns.iter().zip(self.counts.iter_mut()) {
            if let Some(col) = col {
                for ord in col.term_ords(doc) {
                    counts[ord as usize] += 1;
                }
            }
        }
        if let Some(dates) = &self.dates {
            if let Some(d) = dates.first(doc) {
                let day = d.into_timestamp_secs().div_euclid(86_400);
                *self.days.entry(day).or_insert(0) += 1;
            }
        }
    }

    fn harvest(self) -> RawCounts {
        let mut keyword = Vec::with_capacity(self.columns.len());
        for (col, counts) in self.columns.iter().zip(self.counts) {
            let mut map = HashMap::new();
            if let Some(col) = col {
                let mut s = String::new();
                for (ord, &n) in counts.iter().enumerate() {
                    if n == 0 {
                        continue;
                    }
                    s.clear();
                    // An ordinal taken from this column's own documents is always in
                    // its dictionary; a failed read would only drop that value.
                    if col.ord_to_str(ord as u64, &mut s).unwrap_or(false) {
                        *map.entry(s.clone()).or_insert(0) += n as u64;
                    }
                }
            }
            keyword.push(map);
        }
        RawCounts {
            keyword,
            days: self.days.into_iter().collect(),
        }
    }
}
