//! Dense in-memory copies of the facet columns, for processes that search many times.
//!
//! Counting a facet reads every matching document's values from tantivy's columns:
//! an optional or multi-valued index lookup and a bitpacked read per value. On a large
//! archive that is most of a faceted search. A mirror holds one segment's column as
//! plain arrays (each document's distinct ordinals, or its first day), so counting is
//! a tight loop over memory. Segments never change, so a mirror is built once per
//! segment and field, and only when the same one is asked for a second time: a
//! one-search command never pays for it. Memory is 4 bytes per value plus 4 per
//! document, per field.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use tantivy::columnar::{Column, StrColumn};
use tantivy::index::SegmentId;
use tantivy::DocId;

/// One segment's keyword column: the distinct ordinals of document `d` are
/// `values[starts[d]..starts[d + 1]]`.
pub struct Ords {
    starts: Vec<u32>,
    values: Vec<u32>,
}

impl Ords {
    #[inline]
    pub fn of(&self, doc: DocId) -> &[u32] {
        let d = doc as usize;
        match (self.starts.get(d), self.starts.get(d + 1)) {
            (Some(&a), Some(&b)) => self.values.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// One segment's date column: the day (since 1970-01-01) of each document's first
/// value, [`NO_DAY`] when it has none.
pub struct Days {
    pub days: Vec<i32>,
}

pub const NO_DAY: i32 = i32::MIN;

/// Documents read from a column at a time while building.
const BLOCK: u32 = 1024;

/// Mirrors kept at most (a process that outlives many segments starts over).
const KEPT: usize = 96;

/// Built mirrors of one kind, and how often each was asked for before it was built.
struct Memo<T> {
    built: HashMap<(SegmentId, String), Arc<T>>,
    asked: HashMap<(SegmentId, String), u32>,
}

type Shared<T> = OnceLock<Mutex<Memo<T>>>;

static ORDS: Shared<Ords> = OnceLock::new();
static DAYS: Shared<Days> = OnceLock::new();

/// The mirror under `key`: cached, built now on the second ask, else `None`
/// (count from the column).
fn memo<T>(
    shared: &Shared<T>,
    key: (SegmentId, String),
    build: impl FnOnce() -> T,
) -> Option<Arc<T>> {
    let lock = || {
        shared
            .get_or_init(|| {
                Mutex::new(Memo {
                    built: HashMap::new(),
                    asked: HashMap::new(),
                })
            })
            .lock()
            .ok()
    };
    {
        let mut memo = lock()?;
        if let Some(m) = memo.built.get(&key) {
            return Some(Arc::clone(m));
        }
        if memo.asked.len() >= 4 * KEPT {
            memo.asked.clear();
        }
        let n = memo.asked.entry(key.clone()).or_insert(0);
        *n += 1;
        if *n < 2 {
            return None;
        }
    }
    // Built outside the lock: other searches go on meanwhile.
    let m = Arc::new(build());
    let mut memo = lock()?;
    if memo.built.len() >= KEPT {
        memo.built.clear();
    }
    memo.built.insert(key, Arc::clone(&m));
    Some(m)
}

/// The mirror of a segment's keyword column (see [`memo`]).
pub fn ords(segment: SegmentId, field: &str, column: &StrColumn) -> Option<Arc<Ords>> {
    memo(&ORDS, (segment, field.to_string()), || {
        build_ords(column.ords())
    })
}

/// The mirror of a segment's date column (see [`memo`]).
pub fn days(
    segment: SegmentId,
    field: &str,
    column: &Column<tantivy::DateTime>,
) -> Option<Arc<Days>> {
    memo(&DAYS, (segment, field.to_string()), || build_days(column))
}

fn build_ords(column: &Column<u64>) -> Ords {
    let n = column.num_docs();
    let mut starts = Vec::with_capacity(n as usize + 1);
    let mut values: Vec<u32> = Vec::new();
    let (mut block, mut docs, mut rows, mut vals) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut doc_vals: Vec<u32> = Vec::new();
    let mut first = 0;
    while first < n {
        let last = (first + BLOCK).min(n);
        block.clear();
        block.extend(first..last);
        docs.clear();
        rows.clear();
        column.row_ids_for_docs(&block, &mut docs, &mut rows);
        vals.clear();
        vals.resize(rows.len(), 0u64);
        column.values.get_vals(&rows, &mut vals);
        let mut i = 0;
        for doc in first..last {
            starts.push(values.len() as u32);
            doc_vals.clear();
            while i < docs.len() && docs[i] == doc {
                doc_vals.push(vals[i] as u32);
                i += 1;
            }
            // A value named twice in one article counts once.
            doc_vals.sort_unstable();
            doc_vals.dedup();
            values.extend_from_slice(&doc_vals);
        }
        first = last;
    }
    starts.push(values.len() as u32);
    Ords { starts, values }
}

fn build_days(column: &Column<tantivy::DateTime>) -> Days {
    let n = column.num_docs();
    let mut days = Vec::with_capacity(n as usize);
    let (mut block, mut firsts) = (Vec::new(), Vec::new());
    let mut first = 0;
    while first < n {
        let last = (first + BLOCK).min(n);
        block.clear();
        block.extend(first..last);
        firsts.clear();
        firsts.resize(block.len(), None);
        column.first_vals(&block, &mut firsts);
        days.extend(firsts.iter().map(|d| match d {
            Some(d) => i32::try_from(d.into_timestamp_secs().div_euclid(86_400)).unwrap_or(NO_DAY),
            None => NO_DAY,
        }));
        first = last;
    }
    Days { days }
}
