//! The built-in table of canonical names across articles: one facet value for an
//! organization or a place under its common spellings (`S&P`, `Standard and Poor's`
//! -> `Standard & Poor's`; `US Treasury` -> `U.S. Treasury`; `American Motors Corp` ->
//! `American Motors`; `USA` -> `United States`).
//!
//! In: an article's entity lists (after tagging, with the entities its source gave).
//! Out: the same lists under canonical names, each replaced spelling kept as an alias
//! (so filters still match it). The table is data, `data/aliases.txt`; it is not a
//! tagger feature, so editing it needs no retraining. [`canon`](super::canon) works
//! within one article; this works across articles, by name alone, and so lists only
//! spellings that cannot name anything else.

use std::collections::{HashMap, HashSet};

use once_cell::sync::Lazy;

use crate::article::Article;

use super::features::{hash_lower, mix, HashMapU64};
use super::gazetteer::{gazetteer, phrase_hash};
use super::tokenize::{tokenize, Tokenized};
use super::Span;

const DATA: &str = include_str!("data/aliases.txt");

/// Longest multi-word form that [`Builtin::join_known`] looks for, in tokens.
const MAX_TOKENS: usize = 10;

/// Type index of organizations in tagger spans (see [`super::label`]).
const ORG: usize = 1;

/// The built-in table (see the module docs).
pub struct Builtin {
    /// [`key`] of a spelling -> canonical organization name.
    org: HashMap<String, &'static str>,
    /// Legal forms, lowercase, longest first (`& co.` before `co.`).
    suffixes: Vec<String>,
    /// Words naming a US government body after `US` (lowercase).
    us_body: HashSet<String>,
    /// Token-sequence hashes of the multi-word organization forms, and of their
    /// proper prefixes (`true` for a whole form).
    phrases: HashMapU64<bool>,
}

static BUILTIN: Lazy<Builtin> = Lazy::new(|| Builtin::parse(DATA));

/// The built-in table (parsed once).
pub fn builtin() -> &'static Builtin {
    &BUILTIN
}

/// How names are compared: lowercase, single spaces, straight apostrophes.
pub fn key(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for w in name.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.extend(w.chars().map(|c| if c == '\u{2019}' { '\'' } else { c }));
    }
    out.to_lowercase()
}

/// Hashes of every prefix of a phrase's tokens, as the tagger hashes them.
fn token_hashes(phrase: &str) -> Vec<u64> {
    let t = tokenize(phrase);
    let mut h = 0u64;
    t.tokens
        .iter()
        .map(|tok| {
            h = mix(h, hash_lower(tok.text(phrase)));
            h
        })
        .collect()
}

impl Builtin {
    fn parse(data: &'static str) -> Builtin {
        let mut b = Builtin {
            org: HashMap::new(),
            suffixes: Vec::new(),
            us_body: HashSet::new(),
            phrases: HashMapU64::default(),
        };
        let mut section = "";
        for line in data.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                section = name;
                continue;
            }
            let mut forms = line.split('|').map(str::trim).filter(|f| !f.is_empty());
            match section {
                "org" => {
                    let Some(canonical) = forms.next() else {
                        continue;
                    };
                    for f in std::iter::once(canonical).chain(forms) {
                        b.org.insert(key(f), canonical);
                        let hs = token_hashes(f);
                        if hs.len() >= 2 {
                            for &h in &hs[..hs.len() - 1] {
                                b.phrases.entry(h).or_insert(false);
                            }
                            b.phrases.insert(hs[hs.len() - 1], true);
                        }
                    }
                }
                "org-suffix" => b.suffixes.extend(forms.map(str::to_lowercase)),
                "us-body" => b.us_body.extend(forms.map(str::to_lowercase)),
                _ => {}
            }
        }
        b.suffixes.sort_by_key(|s| std::cmp::Reverse(s.len()));
        b
    }

    /// The canonical name of an organization, or `None` when `name` is one.
    pub fn org(&self, name: &str) -> Option<String> {
        if let Some(c) = self.org.get(&key(name)) {
            return (*c != name).then(|| c.to_string());
        }
        let mut n = self.strip_suffixes(name.trim());
        if let Some(us) = self.us_form(&n) {
            n = us;
        }
        if let Some(c) = self.org.get(&key(&n)) {
            n = c.to_string();
        }
        (n != name).then_some(n)
    }

    /// `Ford Motor Co Inc` -> `Ford Motor`; never down to nothing or to a lone word
    /// that only the suffix made a name (`Acme Co` stays `Acme`; `Co` stays `Co`).
    fn strip_suffixes(&self, name: &str) -> String {
        let mut n = name.to_string();
        'outer: loop {
            let lower = n.to_lowercase();
            if lower.len() != n.len() {
                // Byte offsets into `lower` would not hold in `n`.
                break;
            }
            for s in &self.suffixes {
                let Some(rest) = lower.strip_suffix(s.as_str()) else {
                    continue;
                };
                // A whole word: preceded by a space (or `, `).
                if !rest.ends_with(' ') {
                    continue;
                }
                let kept = n[..rest.len()].trim_end().trim_end_matches(',').trim_end();
                let words: Vec<&str> = kept.split_whitespace().collect();
                let dangling = words.last().is_some_and(|w| {
                    matches!(w.to_lowercase().as_str(), "&" | "and" | "of" | "the")
                });
                if words.is_empty() || dangling || !kept.chars().any(char::is_alphabetic) {
                    break 'outer;
                }
                n = kept.to_string();
                continue 'outer;
            }
            break;
        }
        n
    }

    /// `US Treasury`, `U.S Army`, `United States Congress` -> `U.S. ...`, for the
    /// bodies of government in `[us-body]` only (`US Airways` stays).
    fn us_form(&self, name: &str) -> Option<String> {
        let rest = ["U.S. ", "U. S. ", "U.S ", "US ", "United States "]
            .iter()
            .find_map(|p| name.strip_prefix(p))?;
        let first = rest.split_whitespace().next()?;
        self.us_body
            .contains(&first.to_lowercase())
            .then(|| format!("U.S. {rest}"))
    }

    /// Whether an organization's name ends in a possessive that belongs to it
    /// (`Moody's`, `Standard & Poor's`), so it is not cut off like `Iraq's`.
    pub fn keeps_possessive(&self, surface: &str) -> bool {
        let k = key(surface);
        k.ends_with("'s") && self.org.contains_key(&k)
    }

    /// Joins the pieces of a known multi-word name that the tagger cut apart
    /// (`Standard` ... `Poor's` in `Standard and Poor's`) into one organization. A
    /// name the tagger did not mark at all is left alone.
    pub fn join_known(&self, text: &str, tok: &Tokenized, spans: &mut Vec<Span>) {
        let n = tok.tokens.len();
        let mut out: Vec<Span> = Vec::with_capacity(spans.len());
        let mut k = 0; // next span of `spans` not yet in `out`
        let mut i = 0;
        while i < n {
            let word = tok.tokens[i].text(text);
            if !word.starts_with(char::is_uppercase) {
                i += 1;
                continue;
            }
            let mut h = 0u64;
            let mut best = None;
            for j in i..n.min(i + MAX_TOKENS) {
                h = mix(h, hash_lower(tok.tokens[j].text(text)));
                match self.phrases.get(&h) {
                    Some(true) => best = Some(j + 1),
                    Some(false) => {}
                    None => break,
                }
            }
            let Some(end) = best else {
                i += 1;
                continue;
            };
            // Spans ending before the name stay as they are.
            while k < spans.len() && spans[k].end <= i {
                push_span(&mut out, spans[k]);
                k += 1;
            }
            let mut joined = Span {
                start: i,
                end,
                ty: ORG,
            };
            let mut pieces = 0;
            while k < spans.len() && spans[k].start < end {
                joined.start = joined.start.min(spans[k].start);
                joined.end = joined.end.max(spans[k].end);
                pieces += 1;
                k += 1;
            }
            // A span that started before `i` and is already in `out` overlaps too.
            while out.last().is_some_and(|s| s.end > joined.start) {
                if let Some(s) = out.pop() {
                    joined.start = joined.start.min(s.start);
                    pieces += 1;
                }
            }
            if pieces >= 2 || (pieces == 1 && (joined.start, joined.end) != (i, end)) {
                out.push(joined);
            } else if pieces == 1 {
                // One span exactly on the name: keep its type.
                out.push(Span {
                    ty: spans[k - 1].ty,
                    ..joined
                });
            }
            i = joined.end.max(i + 1);
        }
        out.extend_from_slice(&spans[k..]);
        *spans = out;
    }

    /// Puts an article's organizations and places under their canonical names (the
    /// names replaced become aliases). Idempotent.
    pub fn canonicalize(&self, a: &mut Article) {
        rename(&mut a.org, &mut a.aliases.org, |n| self.org(n));
        rename(&mut a.place, &mut a.aliases.place, |n| {
            let c = gazetteer().place_canonical(phrase_hash(n))?;
            (c != n).then(|| c.to_string())
        });
    }
}

fn push_span(out: &mut Vec<Span>, s: Span) {
    if out.last().is_none_or(|l| l.end <= s.start) {
        out.push(s);
    }
}

/// Renames the names of one list, keeping every replaced name as an alias.
pub fn rename(
    names: &mut Vec<String>,
    aliases: &mut Vec<String>,
    canonical: impl Fn(&str) -> Option<String>,
) {
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for n in names.drain(..) {
        let c = match canonical(&n) {
            Some(c) => {
                push_unique(aliases, n);
                c
            }
            None => n,
        };
        push_unique(&mut out, c);
    }
    aliases.retain(|a| !out.iter().any(|n| n.eq_ignore_ascii_case(a)));
    *names = out;
}

/// Adds `s` unless the list has it in any case.
pub fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.iter().any(|x| x.eq_ignore_ascii_case(&s)) {
        v.push(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn org(name: &str) -> String {
        builtin().org(name).unwrap_or_else(|| name.to_string())
    }

    #[test]
    fn common_spellings_become_one_name() {
        for s in [
            "S&P",
            "Standard and Poor's",
            "STANDARD & POOR'S",
            "Standard & Poor's Corp",
            "Standard & Poor\u{2019}s Ratings Services",
        ] {
            assert_eq!(org(s), "Standard & Poor's", "{s}");
        }
        for s in ["Moody's Investors Service", "Moody's Investors Service Inc"] {
            assert_eq!(org(s), "Moody's", "{s}");
        }
        for s in [
            "Organization of the Petroleum Exporting Countries",
            "Organization of Petroleum Exporting Countries",
            "OPEC",
        ] {
            assert_eq!(org(s), "OPEC", "{s}");
        }
        assert_eq!(org("Xinhua News Agency"), "Xinhua");
        assert_eq!(org("Associated Press"), "AP");
        assert_eq!(org("US Treasury"), "U.S. Treasury");
        assert_eq!(org("United States Treasury"), "U.S. Treasury");
        assert_eq!(org("U.S Army"), "U.S. Army");
        assert_eq!(org("American Motors Corp"), "American Motors");
        assert_eq!(org("British Petroleum Co PLC"), "British Petroleum");
        assert_eq!(org("Merrill Lynch & Co Inc"), "Merrill Lynch");
    }

    #[test]
    fn different_things_are_not_merged() {
        // Names that contain a listed spelling, or that a listed spelling abbreviates
        // elsewhere, stay as they are.
        for s in [
            "US Airways",
            "AP",
            "Treasury",
            "Fed",
            "Standard Chartered",
            "Moody",
            "Poor",
            "Pentagon",
            "US Open",
            "Defense Department",
            "Co",
            "Inc",
            "Bank of",
            "Procter & Gamble",
            "AG",
        ] {
            assert_eq!(builtin().org(s), None, "{s}");
        }
        assert_eq!(org("Johnson & Johnson"), "Johnson & Johnson");
        assert_eq!(org("Acme & Co"), "Acme");
        assert_eq!(org("Bank of Co"), "Bank of Co", "nothing dangling");
    }

    #[test]
    fn places_and_aliases_in_an_article() {
        let mut a = Article {
            org: vec![
                "Standard and Poor's".into(),
                "S&P".into(),
                "US Airways".into(),
            ],
            place: vec!["USA".into(), "U.S.".into(), "Georgia".into()],
            ..Article::default()
        };
        builtin().canonicalize(&mut a);
        assert_eq!(a.org, vec!["Standard & Poor's", "US Airways"]);
        assert_eq!(a.aliases.org, vec!["Standard and Poor's", "S&P"]);
        assert_eq!(a.place, vec!["United States", "Georgia"]);
        let once = a.clone();
        builtin().canonicalize(&mut a);
        assert_eq!(a, once, "idempotent");
    }

    #[test]
    fn names_cut_apart_by_the_tagger_are_joined() {
        let text = "Standard and Poor 's said Moody 's and Poor people agreed .";
        let tok = tokenize(text);
        // Standard | and | Poor | 's | said | Moody | 's | and | Poor | people ...
        let mut spans = vec![
            Span {
                start: 0,
                end: 1,
                ty: ORG,
            },
            Span {
                start: 2,
                end: 3,
                ty: ORG,
            },
            Span {
                start: 8,
                end: 9,
                ty: 0,
            },
        ];
        builtin().join_known(text, &tok, &mut spans);
        assert_eq!(
            spans,
            vec![
                Span {
                    start: 0,
                    end: 4,
                    ty: ORG
                },
                Span {
                    start: 8,
                    end: 9,
                    ty: 0
                }
            ]
        );
        assert!(builtin().keeps_possessive("Moody's"));
        assert!(!builtin().keeps_possessive("Iraq's"));
    }
}
