//! Snippets: the best passages of an article for a query, with every query term
//! highlighted.
//!
//! The body is tokenized with the field's own analyzer (so `withdrawing` matches the
//! query's `withdraw`), windows around matches are scored by how many distinct query
//! terms they hold (then how many matches), and the best non-overlapping ones are
//! kept in text order: one for short articles, up to three for long ones. Passages
//! start and end at word boundaries, never inside a UTF-8 character.

use std::collections::HashSet;
use std::ops::Range;

use tantivy::tokenizer::TextAnalyzer;

use super::query::Loose;

/// Target passage length in bytes.
const PASSAGE: usize = 200;
/// Articles longer than this get several passages.
const LONG_ARTICLE: usize = 2_500;
const MAX_PASSAGES: usize = 3;
/// Separator between passages.
pub const ELLIPSIS: &str = " … ";

/// A snippet: text and the byte ranges in it to highlight.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snippet {
    pub text: String,
    pub highlights: Vec<Range<usize>>,
}

/// Builds snippets for one query.
pub struct Snippeter {
    analyzer: TextAnalyzer,
    terms: HashSet<String>,
    loose: Vec<Loose>,
}

impl Snippeter {
    /// `terms`: the query's terms as indexed in the body field.
    pub fn new(analyzer: TextAnalyzer, terms: HashSet<String>) -> Self {
        Snippeter {
            analyzer,
            terms,
            loose: Vec::new(),
        }
    }

    /// Also highlights the tokens matched by prefix or with typos.
    pub fn with_loose(mut self, loose: Vec<Loose>) -> Self {
        self.loose = loose;
        self
    }

    fn loose_match(&self, token: &str) -> Option<usize> {
        self.loose.iter().position(|l| match l {
            Loose::Prefix(p) => token.starts_with(p.as_str()),
            Loose::Fuzzy(w, d) => super::suggest::distance(w, token, usize::from(*d)).is_some(),
        })
    }

    pub fn snippet(&self, body: &str) -> Snippet {
        let mut analyzer = self.analyzer.clone();
        let mut matches: Vec<(Range<usize>, usize)> = Vec::new();
        let mut ids: Vec<&String> = Vec::new();
        if !self.terms.is_empty() || !self.loose.is_empty() {
            let mut stream = analyzer.token_stream(body);
            while stream.advance() {
                let t = stream.token();
                if let Some(term) = self.terms.get(&t.text) {
                    let id = match ids.iter().position(|x| *x == term) {
                        Some(i) => i,
                        None => {
                            ids.push(term);
                            ids.len() - 1
                        }
                    };
                    matches.push((t.offset_from..t.offset_to, id));
                } else if let Some(i) = self.loose_match(&t.text) {
                    // Loose patterns get ids after every exact term's.
                    matches.push((t.offset_from..t.offset_to, 1_000 + i));
                }
            }
        }
        if matches.is_empty() {
            let end = word_end(body, PASSAGE);
            let mut text = body[..end].trim_end().to_string();
            if end < body.len() {
                text.push('…');
            }
            return Snippet {
                text,
                highlights: Vec::new(),
            };
        }
        let wanted = if body.len() > LONG_ARTICLE {
            MAX_PASSAGES
        } else {
            1
        };
        // Score a window starting a little before each match.
        let mut windows: Vec<(usize, usize, Range<usize>)> = Vec::new();
        for (i, (m, _)) in matches.iter().enumerate() {
            let mut start = word_start(body, m.start.saturating_sub(40));
            if m.start - start > 80 {
                // A very long "word" before the match: start at the match itself.
                start = m.start;
            }
            let end = word_end(body, (start + PASSAGE).max(m.end)).max(m.end);
            let inside: Vec<usize> = matches[i..]
                .iter()
                .take_while(|(r, _)| r.end <= end)
                .map(|(_, id)| *id)
                .collect();
            let distinct = inside.iter().collect::<HashSet<_>>().len();
            windows.push((distinct, inside.len(), start..end));
        }
        windows.sort_by(|a, b| (b.0, b.1, a.2.start).cmp(&(a.0, a.1, b.2.start)));
        let mut chosen: Vec<Range<usize>> = Vec::new();
        for (_, _, w) in windows {
            if chosen.len() == wanted {
                break;
            }
            if chosen.iter().all(|c| w.end <= c.start || w.start >= c.end) {
                chosen.push(w);
            }
        }
        chosen.sort_by_key(|r| r.start);

        let mut text = String::new();
        let mut highlights = Vec::new();
        for (n, w) in chosen.iter().enumerate() {
            if n > 0 {
                text.push_str(ELLIPSIS);
            } else if w.start > 0 {
                text.push('…');
            }
            let base = text.len();
            text.push_str(&body[w.clone()]);
            for (m, _) in &matches {
                if m.start >= w.start && m.end <= w.end {
                    highlights.push(base + m.start - w.start..base + m.end - w.start);
                }
            }
        }
        if chosen.last().is_some_and(|w| w.end < body.len()) {
            text.push('…');
        }
        Snippet { text, highlights }
    }
}

/// The start of the word containing byte `at` (a char boundary at or before it).
fn word_start(text: &str, at: usize) -> usize {
    let mut i = at.min(text.len());
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    match text[..i].rfind(char::is_whitespace) {
        Some(ws) => {
            let c = text[ws..].chars().next().map_or(1, char::len_utf8);
            ws + c
        }
        None => 0,
    }
}

/// The end of the last whole word at or before byte `at`.
fn word_end(text: &str, at: usize) -> usize {
    if at >= text.len() {
        return text.len();
    }
    let mut i = at;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    if text[i..].starts_with(char::is_whitespace) {
        return i;
    }
    match text[..i].rfind(char::is_whitespace) {
        Some(ws) if ws > 0 => ws,
        _ => i,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{LowerCaser, SimpleTokenizer};

    fn snippeter(terms: &[&str]) -> Snippeter {
        let analyzer = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(LowerCaser)
            .build();
        Snippeter::new(analyzer, terms.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn highlights_every_term_on_word_boundaries() {
        let body = "Talks went on. The foreign forces will leave, the minister said of the forces.";
        let s = snippeter(&["foreign", "forces"]).snippet(body);
        let marked: Vec<&str> = s.highlights.iter().map(|r| &s.text[r.clone()]).collect();
        assert_eq!(marked, ["foreign", "forces", "forces"]);
    }

    #[test]
    fn long_articles_get_several_passages_in_order() {
        let filler = "nothing to see here at all ".repeat(60);
        let body = format!("Iraq said. {filler} oil prices rose. {filler} Iraq and oil again.");
        let s = snippeter(&["iraq", "oil"]).snippet(&body);
        assert!(s.text.matches(ELLIPSIS).count() >= 1, "{}", s.text);
        assert!(s.text.contains("Iraq and oil again"));
    }

    #[test]
    fn never_cuts_a_character() {
        let body = "é".repeat(300) + " needle " + &"ü".repeat(300);
        let s = snippeter(&["needle"]).snippet(&body);
        assert!(s.text.contains("needle"));
        for r in &s.highlights {
            assert_eq!(&s.text[r.clone()], "needle");
        }
        let none = snippeter(&["absent"]).snippet(&"日本語 ".repeat(100));
        assert!(none.text.len() <= PASSAGE + '…'.len_utf8());
    }
}
