//! "Did you mean": corrections drawn from the index's own vocabulary.
//!
//! For a query with no or very few hits, each word that the index does not hold is
//! replaced by the closest word it does hold (at most two edits, one for short
//! words), the most frequent one winning ties. The body is indexed as stems, so the
//! stem found is turned back into a word as it appears in an article.

use std::collections::HashMap;

use tantivy::collector::TopDocs;
use tantivy::query::TermQuery;
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::tokenizer::{LowerCaser, SimpleTokenizer, TextAnalyzer};
use tantivy::{Searcher, TantivyDocument, Term};

use crate::store::Store;

/// Words the index must hold fewer than this many times to be corrected.
const RARE: u64 = 1;

/// Edit distance between `a` and `b` (an adjacent transposition counts as one
/// edit, as in the index's typo-tolerant search), or `None` when above `max`.
pub(crate) fn distance(a: &str, b: &str, max: usize) -> Option<usize> {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a.len().abs_diff(b.len()) > max {
        return None;
    }
    let mut before: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 0..a.len() {
        let mut cur = vec![i + 1; b.len() + 1];
        for j in 0..b.len() {
            let cost = usize::from(a[i] != b[j]);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
            if i > 0 && j > 0 && a[i] == b[j - 1] && a[i - 1] == b[j] {
                cur[j + 1] = cur[j + 1].min(before[j - 1] + 1);
            }
        }
        if cur.iter().min().copied().unwrap_or(0) > max {
            return None;
        }
        before = std::mem::replace(&mut prev, cur);
    }
    prev.last().copied().filter(|d| *d <= max)
}

fn stem_of(analyzer: &mut TextAnalyzer, word: &str) -> Option<String> {
    let mut s = analyzer.token_stream(word);
    let mut out = None;
    while s.advance() {
        if out.is_some() {
            return None;
        }
        out = Some(s.token().text.clone());
    }
    out
}

/// A corrected query for `words`, if any word can be improved.
pub fn suggest(store: &Store, searcher: &Searcher, words: &[String]) -> Option<String> {
    let body = store.fields.body;
    let mut analyzer = store.index.tokenizer_for_field(body).ok()?;
    let mut changed = false;
    let mut out = Vec::new();
    for word in words {
        let Some(stem) = stem_of(&mut analyzer, word) else {
            out.push(word.clone());
            continue;
        };
        let df = searcher
            .doc_freq(&Term::from_field_text(body, &stem))
            .unwrap_or(0);
        if df >= RARE || stem.chars().count() < 3 {
            out.push(word.clone());
            continue;
        }
        let max = if stem.chars().count() <= 4 { 1 } else { 2 };
        let mut candidates: HashMap<String, (usize, u64)> = HashMap::new();
        for seg in searcher.segment_readers() {
            let Ok(inv) = seg.inverted_index(body) else {
                continue;
            };
            let Ok(mut stream) = inv.terms().stream() else {
                continue;
            };
            while stream.advance() {
                let Ok(term) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if let Some(d) = distance(&stem, term, max) {
                    let e = candidates.entry(term.to_string()).or_insert((d, 0));
                    e.1 += u64::from(stream.value().doc_freq);
                }
            }
        }
        let best = candidates.into_iter().min_by(|a, b| {
            a.1 .0
                .cmp(&b.1 .0)
                .then(b.1 .1.cmp(&a.1 .1))
                .then(a.0.cmp(&b.0))
        });
        match best.and_then(|(s, _)| surface(store, searcher, &mut analyzer, &s)) {
            Some(w) => {
                changed = true;
                out.push(w);
            }
            None => out.push(word.clone()),
        }
    }
    changed.then(|| out.join(" "))
}

/// A word from an article whose stem is `stem`.
fn surface(
    store: &Store,
    searcher: &Searcher,
    analyzer: &mut TextAnalyzer,
    stem: &str,
) -> Option<String> {
    let body = store.fields.body;
    let q = TermQuery::new(Term::from_field_text(body, stem), IndexRecordOption::Basic);
    let top = searcher
        .search(&q, &TopDocs::with_limit(1).order_by_score())
        .ok()?;
    let (_, addr) = top.first()?;
    let doc: TantivyDocument = searcher.doc(*addr).ok()?;
    let text = doc.get_first(body)?.as_str()?.to_string();
    let mut words = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(LowerCaser)
        .build();
    let mut stream = words.token_stream(&text);
    while stream.advance() {
        let w = stream.token().text.clone();
        if stem_of(analyzer, &w).as_deref() == Some(stem) {
            return Some(w);
        }
    }
    Some(stem.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_is_bounded() {
        assert_eq!(distance("withdrawl", "withdrawal", 2), Some(1));
        assert_eq!(distance("iraq", "iran", 1), Some(1));
        assert_eq!(distance("nato", "banana", 1), None);
        assert_eq!(distance("same", "same", 0), Some(0));
        assert_eq!(distance("harbuor", "harbour", 1), Some(1));
    }
}
