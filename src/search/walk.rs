//! Deep paging: walking every hit of a search a page at a time, each page starting
//! after the last hit of the one before. No offset is skipped over, so the ten
//! thousandth page costs what the first does and there is no cap on how far a
//! script can walk.
//!
//! Hits are ordered by one number per article (the score, the recency-weighted
//! score, or the publication day) and then by their place in the index, which makes
//! the order total: a page never repeats or skips a hit of the same searcher.

use std::cmp::Ordering;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

use super::{recency_weighted, Sort};

/// Where a walk stands: the sort key and index position of the last hit returned.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct After {
    pub key: f64,
    pub segment: u32,
    pub doc: u32,
}

impl After {
    /// Before the first hit.
    pub const START: After = After {
        key: f64::INFINITY,
        segment: 0,
        doc: 0,
    };

    /// Whether a hit at (`key`, `segment`, `doc`) comes after this position.
    fn precedes(&self, key: f64, segment: u32, doc: u32) -> bool {
        match key.total_cmp(&self.key) {
            Ordering::Less => true,
            Ordering::Greater => false,
            Ordering::Equal => (segment, doc) > (self.segment, self.doc),
        }
    }
}

/// One candidate: key (higher first), position, score.
#[derive(Debug, Clone, Copy)]
pub(super) struct Ranked {
    pub key: f64,
    pub addr: DocAddress,
    pub score: Score,
}

impl Ranked {
    pub fn after(&self) -> After {
        After {
            key: self.key,
            segment: self.addr.segment_ord,
            doc: self.addr.doc_id,
        }
    }
}

fn better(a: &Ranked, b: &Ranked) -> Ordering {
    b.key
        .total_cmp(&a.key)
        .then_with(|| (a.addr.segment_ord, a.addr.doc_id).cmp(&(b.addr.segment_ord, b.addr.doc_id)))
}

/// Keeps the best `limit` hits after `after` in the walk's order.
pub(super) struct Walk {
    pub sort: Sort,
    pub recent: bool,
    /// Newest publication day in the index (for `recent`).
    pub newest_day: Option<i64>,
    pub after: After,
    pub limit: usize,
}

pub(super) struct SegmentWalk {
    segment: SegmentOrdinal,
    dates: Option<Column<tantivy::DateTime>>,
    sort: Sort,
    recent: bool,
    newest_day: Option<i64>,
    after: After,
    limit: usize,
    kept: Vec<Ranked>,
}

impl Collector for Walk {
    type Fruit = Vec<Ranked>;
    type Child = SegmentWalk;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentWalk> {
        let needs_dates = self.recent || self.sort != Sort::Relevance;
        Ok(SegmentWalk {
            segment,
            dates: if needs_dates {
                reader.fast_fields().date("published").ok()
            } else {
                None
            },
            sort: self.sort,
            recent: self.recent,
            newest_day: self.newest_day,
            after: self.after,
            limit: self.limit,
            kept: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<Vec<Ranked>>) -> tantivy::Result<Vec<Ranked>> {
        let mut all: Vec<Ranked> = fruits.into_iter().flatten().collect();
        all.sort_by(better);
        all.truncate(self.limit);
        Ok(all)
    }
}

impl SegmentWalk {
    fn day(&self, doc: DocId) -> Option<i64> {
        self.dates
            .as_ref()
            .and_then(|c| c.first(doc))
            .map(|d| d.into_timestamp_secs().div_euclid(86_400))
    }

    /// Cuts `kept` to the best `limit` (called when it has grown to twice that).
    fn trim(&mut self) {
        if self.kept.len() > self.limit {
            self.kept.select_nth_unstable_by(self.limit, better);
            self.kept.truncate(self.limit);
        }
    }
}

impl SegmentCollector for SegmentWalk {
    type Fruit = Vec<Ranked>;

    fn collect(&mut self, doc: DocId, score: Score) {
        let key = match self.sort {
            Sort::Relevance if self.recent => {
                f64::from(recency_weighted(score, self.day(doc), self.newest_day))
            }
            Sort::Relevance => f64::from(score),
            // Undated articles come last either way.
            Sort::Date => self.day(doc).map_or(f64::NEG_INFINITY, |d| -(d as f64)),
            Sort::DateDesc => self.day(doc).map_or(f64::NEG_INFINITY, |d| d as f64),
        };
        if !self.after.precedes(key, self.segment, doc) {
            return;
        }
        self.kept.push(Ranked {
            key,
            addr: DocAddress::new(self.segment, doc),
            score,
        });
        if self.kept.len() >= self.limit.max(16) * 2 {
            self.trim();
        }
    }

    fn harvest(mut self) -> Vec<Ranked> {
        self.trim();
        self.kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_is_total_and_after_excludes_what_came_before() {
        let at = After {
            key: 2.0,
            segment: 1,
            doc: 5,
        };
        assert!(at.precedes(1.0, 0, 0));
        assert!(at.precedes(2.0, 1, 6));
        assert!(at.precedes(2.0, 2, 0));
        assert!(!at.precedes(2.0, 1, 5));
        assert!(!at.precedes(2.0, 0, 9));
        assert!(!at.precedes(3.0, 9, 9));
        assert!(After::START.precedes(f64::MAX, 0, 0));
        assert!(After::START.precedes(f64::NEG_INFINITY, 0, 0));
    }
}
