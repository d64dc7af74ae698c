//! From tagged spans to the entities of an article: page furniture removed, one type
//! per name within the article, and canonical names with their aliases.
//!
//! In: the text, its tokens and the tagger's spans. Out: [`Entities`]. Rules:
//! - acronym definitions, `North Atlantic Treaty Organization (NATO)`: the acronym is
//!   the canonical name (the long form for two-letter acronyms used only once) and
//!   the other form an alias; well-known organizations map to their usual short form;
//! - short forms of people resolved in the article: `al-Araji` -> `Qasim al-Araji`;
//! - a leading `the` and a possessive `'s` dropped; names in capitals re-cased
//!   (`BAGHDAD` -> `Baghdad`) from the article itself or the gazetteer;
//! - demonyms (`Iraqi`) are never places; page furniture never becomes an entity.

use std::collections::HashMap;

use crate::article::Mention;

use super::features::{hash_lower, mix};
use super::gazetteer::{gazetteer, G_DEMONYM, G_FIRST, G_LOC, G_LOCKEY, G_ORG};
use super::tokenize::Tokenized;
use super::{label, Entities, Span};

/// Phrases that mark a line as page furniture (share links, comment forms, footers).
const FURNITURE: &[&str] = &[
    "comment(s)",
    "print e-mail",
    "print email",
    "bookmark and share",
    "adjust font size",
    "go to forum",
    "add your comments",
    "user name required",
    "enter the words you see",
    "comments may be removed",
    "send your stories",
    "get more from",
    "no comments.",
];

/// Phrases that mark a short line (under 60 bytes) as furniture; in a longer line they
/// may be prose ("countries that subscribe to the treaty").
const FURNITURE_SHORT: &[&str] = &[
    "your comment",
    "share this",
    "share on facebook",
    "click here",
    "follow us",
    "all rights reserved",
    "e-mail this",
    "email this",
    "sign up for",
    "subscribe to",
    "related articles",
    "related stories",
    "advertisement",
    "read more",
];

/// Words that are never entity names on their own (furniture, agency sign-offs).
const NEVER: &[&str] = &[
    "print",
    "e-mail",
    "email",
    "share",
    "bookmark",
    "comment",
    "comments",
    "comment(s)",
    "rss",
    "newsletter",
    "mobile",
    "forum",
    "enditem",
    "advertisement",
    "home",
    "login",
    "menu",
    "search",
    "reply",
    "the",
];

/// Returns a copy of the text with furniture lines blanked (same length and line
/// structure, so offsets hold), or `None` when there is none.
pub fn blank_furniture(text: &str) -> Option<String> {
    let mut out: Option<String> = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        let l = line.trim();
        if !l.is_empty() && is_furniture(l) {
            let s = out.get_or_insert_with(|| text.to_string());
            // Same byte length, so offsets into the text still hold.
            let padded: String = line
                .bytes()
                .map(|x| if x == b'\n' { '\n' } else { ' ' })
                .collect();
            s.replace_range(pos..pos + line.len(), &padded);
        }
        pos += line.len();
    }
    out
}

/// A case-insensitive pattern matching any of the phrases (one pass per line).
fn phrase_regex(phrases: &[&str]) -> Option<regex::Regex> {
    let alts: Vec<String> = phrases.iter().map(|f| regex::escape(f)).collect();
    // Built from escaped literals, so it cannot fail; `None` would only disable the filter.
    regex::Regex::new(&format!("(?i){}", alts.join("|"))).ok()
}

static FURNITURE_RE: once_cell::sync::Lazy<Option<regex::Regex>> =
    once_cell::sync::Lazy::new(|| phrase_regex(FURNITURE));
static FURNITURE_SHORT_RE: once_cell::sync::Lazy<Option<regex::Regex>> =
    once_cell::sync::Lazy::new(|| phrase_regex(FURNITURE_SHORT));

/// Whether a (trimmed) line is page furniture.
fn is_furniture(line: &str) -> bool {
    let hit = |re: &Option<regex::Regex>| re.as_ref().is_some_and(|r| r.is_match(line));
    (line.len() < 200 && hit(&FURNITURE_RE)) || (line.len() < 60 && hit(&FURNITURE_SHORT_RE))
}

const MONTHS: &[&str] = &[
    "jan",
    "jan.",
    "january",
    "feb",
    "feb.",
    "february",
    "mar",
    "mar.",
    "march",
    "apr",
    "apr.",
    "april",
    "may",
    "jun",
    "jun.",
    "june",
    "jul",
    "jul.",
    "july",
    "aug",
    "aug.",
    "august",
    "sep",
    "sep.",
    "sept",
    "sept.",
    "september",
    "oct",
    "oct.",
    "october",
    "nov",
    "nov.",
    "november",
    "dec",
    "dec.",
    "december",
];
const DAYS: &[&str] = &[
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

fn word_kinds(w: &str) -> u8 {
    gazetteer().kinds(mix(0, hash_lower(w)))
}

/// Name particles that start a surname in lowercase: `al-Araji`, `bin Laden`.
fn is_particle_name(w: &str) -> bool {
    let l = w.as_bytes();
    [
        "al-", "el-", "bin-", "ibn-", "abu-", "ad-", "as-", "ash-", "ar-",
    ]
    .iter()
    .any(|p| l.len() > p.len() && l.starts_with(p.as_bytes()) && l[p.len()].is_ascii_uppercase())
}

/// Repairs spans where raw news text differs from the training data: names after
/// capitalized titles (`National Security Adviser Qasim al-Araji`), agency credits in
/// datelines (`(Xinhua) --`), dates (`Dec. 1`), and acronym definitions typed apart.
pub fn fix_spans(text: &str, tok: &Tokenized, spans: &mut Vec<Span>) {
    use super::gazetteer::{G_ORGKEY, G_TITLE};
    let n = tok.tokens.len();
    let w = |i: usize| tok.tokens[i].text(text);
    let lower_is =
        |i: usize, list: &[&str]| i < n && list.contains(&w(i).to_ascii_lowercase().as_str());
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    let mut k = 0;
    while k < spans.len() {
        let mut sp = spans[k];
        k += 1;
        // A month or day name run into a name: `August National Association of ...`.
        while sp.end - sp.start >= 2
            && (lower_is(sp.start, DAYS) || (lower_is(sp.start, MONTHS) && w(sp.start).len() > 3))
        {
            sp.start += 1;
        }
        let len = sp.end - sp.start;
        // Dates and days.
        if len == 1
            && (lower_is(sp.start, DAYS)
                || (lower_is(sp.start, MONTHS)
                    && sp.end < n
                    && w(sp.end).starts_with(|c: char| c.is_ascii_digit())))
        {
            continue;
        }
        // Agency credit: `( Xinhua ) --`.
        if len == 1
            && sp.start > 0
            && w(sp.start - 1) == "("
            && sp.end + 1 < n
            && w(sp.end) == ")"
            && matches!(w(sp.end + 1), "--" | "-" | "\u{2014}" | "\u{2013}")
        {
            continue;
        }
        if sp.ty != 0 {
            // A title in capitals between a non-name and a name: `National Security
            // Adviser Qasim`: the words before the title are part of it.
            if sp.end + 1 < n
                && word_kinds(w(sp.end)) & G_TITLE != 0
                && w(sp.end).starts_with(char::is_uppercase)
                && w(sp.end).chars().skip(1).any(char::is_lowercase)
                && word_kinds(w(sp.end - 1)) & G_ORGKEY == 0
                && gazetteer().kinds(hash_span(text, tok, sp.start, sp.end)) & !G_LOCKEY == 0
                && w(sp.end + 1).starts_with(char::is_uppercase)
            {
                continue;
            }
            // An organization running into a person's name: `Joint Operations Command
            // Tahseen` (+ `al-Khafaji`), or the whole name tagged as the organization.
            if sp.ty == 1 && len >= 2 {
                let last = sp.end - 1;
                let next_is_name = sp.end < n && is_particle_name(w(sp.end));
                if word_kinds(w(last)) & G_ORGKEY == 0
                    && (word_kinds(w(last)) & G_FIRST != 0
                        || next_is_name
                        || (last > sp.start + 1
                            && is_particle_name(w(last))
                            && word_kinds(w(last - 1)) & G_ORGKEY == 0))
                {
                    if let Some(key) = (sp.start..last)
                        .rev()
                        .find(|&i| word_kinds(w(i)) & G_ORGKEY != 0)
                    {
                        let mut org_start = sp.start;
                        // Drop a leading `Spokesman of`.
                        if word_kinds(w(org_start)) & G_TITLE != 0
                            && org_start + 1 < key
                            && lower_is(org_start + 1, &["of", "for"])
                        {
                            org_start += 2;
                        }
                        out.push(Span {
                            start: org_start,
                            end: key + 1,
                            ty: 1,
                        });
                        sp = Span {
                            start: key + 1,
                            end: sp.end,
                            ty: 0,
                        };
                    }
                }
            }
        }
        // Titles are not part of a name: `Professor Ann Clark` -> `Ann Clark`.
        while sp.ty == 0
            && (sp.end - sp.start >= 3
                || (sp.end - sp.start == 2
                    && lower_is(
                        sp.start,
                        &[
                            "mr", "mr.", "mrs", "mrs.", "ms", "ms.", "dr", "dr.", "prof.",
                        ],
                    )))
            && word_kinds(w(sp.start)) & G_TITLE != 0
            && word_kinds(w(sp.start)) & G_FIRST == 0
        {
            sp.start += 1;
        }
        // A person's name continued by `al-Khafaji` (tagged apart or not at all).
        if sp.ty == 0 {
            while sp.end < n
                && is_particle_name(w(sp.end))
                && !text[tok.tokens[sp.end - 1].end as usize..tok.tokens[sp.end].start as usize]
                    .contains('\n')
            {
                if k < spans.len() && spans[k].start == sp.end {
                    sp.end = spans[k].end;
                    k += 1;
                } else {
                    sp.end += 1;
                }
            }
        }
        out.push(sp);
    }
    // Acronym definitions: `Long Form ( ACR )` share one type, ORG if either is.
    for i in 0..out.len() {
        if i + 1 < out.len() {
            let (a, b) = (out[i], out[i + 1]);
            if b.start == a.end + 1
                && b.end == b.start + 1
                && w(a.end) == "("
                && b.end < n
                && w(b.end) == ")"
                && a.ty != b.ty
                && is_upper_word(w(b.start))
                && acronym_matches(w(b.start), &(a.start..a.end).map(w).collect::<Vec<_>>())
            {
                let ty = if a.ty == 1 || b.ty == 1 { 1 } else { a.ty };
                out[i].ty = ty;
                out[i + 1].ty = ty;
            }
        }
    }
    // A single word that ends a person's full name in this document is that person
    // (`Anker` after `Michael Anker`), whatever the tagger said.
    let surnames: Vec<u64> = out
        .iter()
        .filter(|s| s.ty == 0 && s.end - s.start >= 2)
        .map(|s| hash_lower(w(s.end - 1)))
        .collect();
    for s in out.iter_mut() {
        if s.ty != 0 && s.end - s.start == 1 && surnames.contains(&hash_lower(w(s.start))) {
            s.ty = 0;
        }
    }
    *spans = out;
}

/// In a Title Case Headline (capitalized `Of`, `The`, `In`...) capitals say nothing: keep
/// only the names the rest of the article or the gazetteer confirms. Only the
/// headline (the first `headline_len` bytes) is looked at.
pub fn drop_title_case_guesses(
    text: &str,
    tok: &Tokenized,
    headline_len: usize,
    spans: &mut Vec<Span>,
) {
    let w = |i: usize| tok.tokens[i].text(text);
    let mut title_sents: Vec<std::ops::Range<usize>> = Vec::new();
    for r in tok.sentence_ranges() {
        if r.is_empty() || tok.tokens[r.start].start as usize >= headline_len {
            break;
        }
        let (mut long, mut cap, mut upper, mut small) = (0, 0, 0, 0);
        for i in r.clone() {
            let x = w(i);
            if i > r.start
                && matches!(
                    x,
                    "Of" | "The"
                        | "In"
                        | "To"
                        | "A"
                        | "For"
                        | "And"
                        | "On"
                        | "With"
                        | "At"
                        | "By"
                        | "From"
                        | "Is"
                        | "Are"
                        | "As"
                        | "After"
                        | "Over"
                )
            {
                small += 1;
            }
            if x.chars().count() >= 4
                && x.chars()
                    .all(|c| c.is_alphabetic() || c == '-' || c == '\'')
            {
                long += 1;
                if x.starts_with(char::is_uppercase) {
                    cap += 1;
                }
                if is_upper_word(x) {
                    upper += 1;
                }
            }
        }
        if small > 0 && long >= 2 && cap * 4 >= long * 3 && upper * 2 < long {
            title_sents.push(r);
        }
    }
    if title_sents.is_empty() {
        return;
    }
    let inside = |s: &Span| title_sents.iter().any(|r| r.contains(&s.start));
    let key = |s: &Span| hash_span(text, tok, s.start, s.end);
    let confirmed: Vec<u64> = spans.iter().filter(|s| !inside(s)).map(key).collect();
    let g = gazetteer();
    let mut out = Vec::with_capacity(spans.len());
    for s in spans.iter() {
        if !inside(s) || confirmed.contains(&key(s)) || g.kinds(key(s)) & (G_LOC | G_ORG) != 0 {
            out.push(*s);
            continue;
        }
        // Salvage list names inside a dropped guess: `Factory In Ohio` -> `Ohio`.
        let mut i = s.start;
        while i < s.end {
            let found = (i + 1..=s.end).rev().find_map(|e| {
                let k = g.kinds(hash_span(text, tok, i, e));
                (k & (G_LOC | G_ORG) != 0).then_some((e, if k & G_LOC != 0 { 2 } else { 1 }))
            });
            match found {
                Some((e, ty)) => {
                    out.push(Span {
                        start: i,
                        end: e,
                        ty,
                    });
                    i = e;
                }
                None => i += 1,
            }
        }
    }
    *spans = out;
}

fn hash_span(text: &str, tok: &Tokenized, s: usize, e: usize) -> u64 {
    (s..e).fold(0u64, |h, i| mix(h, hash_lower(tok.tokens[i].text(text))))
}

/// Gives every name one type within the document: the type it gets most often
/// (the first one on ties).
pub fn make_consistent(text: &str, tok: &Tokenized, spans: &mut [Span]) {
    if spans.len() < 2 {
        return;
    }
    let key = |s: &Span| {
        let a = tok.tokens[s.start].start as usize;
        let b = tok.tokens[s.end - 1].end as usize;
        &text[a..b]
    };
    let mut votes: HashMap<&str, [u32; 4]> = HashMap::new();
    for s in spans.iter() {
        votes.entry(key(s)).or_default()[s.ty] += 1;
    }
    for s in spans.iter_mut() {
        let v = votes[key(s)];
        let mut best = s.ty;
        for (t, &n) in v.iter().enumerate() {
            if n > v[best] {
                best = t;
            }
        }
        s.ty = best;
    }
}

fn is_upper_word(w: &str) -> bool {
    w.chars().any(|c| c.is_alphabetic()) && !w.chars().any(|c| c.is_lowercase())
}

/// `BAGHDAD` -> `Baghdad`, `AL-ARAJI` -> `Al-Araji`.
fn title_case(w: &str) -> String {
    let mut out = String::with_capacity(w.len());
    let mut start = true;
    for c in w.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !c.is_alphanumeric() && c != '\'';
    }
    out
}

/// Initials of a long form, skipping small words: `North Atlantic Treaty Organization` -> `NATO`.
fn initials(words: &[&str]) -> String {
    let mut s = String::new();
    for w in words {
        if matches!(
            w.to_ascii_lowercase().as_str(),
            "of" | "the" | "and" | "for" | "in" | "on" | "de" | "&" | "-" | "des" | "du" | "la"
        ) {
            continue;
        }
        for part in w.split('-') {
            if let Some(c) = part.chars().next() {
                s.extend(c.to_uppercase());
            }
        }
    }
    s
}

fn acronym_matches(acr: &str, words: &[&str]) -> bool {
    let a: String = acr
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect::<String>()
        .to_uppercase();
    if a.len() < 2 {
        return false;
    }
    let ini = initials(words);
    if ini == a {
        return true;
    }
    // Letters of the acronym in order among the capitals of the long form.
    let caps: Vec<char> = words
        .iter()
        .flat_map(|w| w.chars().filter(|c| c.is_uppercase()))
        .collect();
    let mut it = caps.iter();
    a.chars().next() == caps.first().copied() && a.chars().all(|c| it.any(|&x| x == c))
}

struct Found {
    /// Surface text (as in the article).
    surface: String,
    ty: usize,
    /// Token range.
    start: usize,
    end: usize,
}

/// Builds the article's entities from tagged spans.
pub fn build(text: &str, tok: &Tokenized, spans: &[Span]) -> Entities {
    let g = gazetteer();
    let words =
        |s: usize, e: usize| -> Vec<&str> { (s..e).map(|i| tok.tokens[i].text(text)).collect() };
    // 1. Clean surfaces: drop a leading "the" and a trailing possessive; drop
    //    furniture and MISC.
    let mut found: Vec<Found> = Vec::new();
    let mut mentions = Vec::new();
    for sp in spans {
        let Some(lab) = label(sp.ty) else { continue };
        let (mut s, mut e) = (sp.start, sp.end);
        while s < e && tok.tokens[s].text(text).eq_ignore_ascii_case("the") {
            s += 1;
        }
        // `Moody's`: a possessive that is part of the name stays.
        let whole = if s < e {
            &text[tok.tokens[s].start as usize..tok.tokens[e - 1].end as usize]
        } else {
            ""
        };
        while e > s
            && matches!(
                tok.tokens[e - 1].text(text),
                "'s" | "'S" | "'" | "\u{2019}s" | "\u{2019}"
            )
            && !super::aliases::builtin().keeps_possessive(whole)
        {
            e -= 1;
        }
        if s == e {
            continue;
        }
        let surface = &text[tok.tokens[s].start as usize..tok.tokens[e - 1].end as usize];
        if !surface.chars().any(|c| c.is_alphabetic()) || surface.chars().count() < 2 {
            continue;
        }
        let lower = surface.to_lowercase();
        if NEVER.contains(&lower.as_str()) {
            continue;
        }
        // The mention keeps what the tagger marked (`The Oval`, `Lord 's` are names);
        // the canonical name below drops the article and the possessive.
        let marked =
            &text[tok.tokens[sp.start].start as usize..tok.tokens[sp.end - 1].end as usize];
        mentions.push(Mention {
            text: marked.to_string(),
            label: lab.to_string(),
        });
        found.push(Found {
            surface: surface.to_string(),
            ty: sp.ty,
            start: s,
            end: e,
        });
    }
    // 2. Acronym definitions: `Long Form ( ACR )`, or `ACR ( Long Form )`.
    let mut acr_of_long: HashMap<String, String> = HashMap::new(); // lower long -> ACR
    let mut long_of_acr: HashMap<String, String> = HashMap::new(); // ACR -> long
    let tokn = tok.tokens.len();
    for f in &found {
        if f.end + 2 < tokn && tok.tokens[f.end].text(text) == "(" {
            let a = tok.tokens[f.end + 1].text(text);
            let close = tok.tokens[f.end + 2].text(text) == ")";
            let w = words(f.start, f.end);
            if close && is_upper_word(a) && a.len() <= 10 && w.len() >= 2 && acronym_matches(a, &w)
            {
                acr_of_long.insert(f.surface.to_lowercase(), a.to_string());
                long_of_acr.insert(a.to_string(), f.surface.clone());
            }
        }
    }
    // Standalone uses of each acronym outside its definition.
    let mut acr_uses: HashMap<&str, usize> = HashMap::new();
    for f in &found {
        let in_definition = f.start > 0 && tok.tokens[f.start - 1].text(text) == "(";
        if long_of_acr.contains_key(f.surface.as_str()) && !in_definition {
            *acr_uses.entry(f.surface.as_str()).or_default() += 1;
        }
    }
    // The acronym is the canonical name unless it is a two-letter one never used alone.
    let keep_acr = |a: &str| a.len() >= 3 || acr_uses.get(a).copied().unwrap_or(0) > 0;
    // 3. Person short forms: the longest person name ending with the same words.
    let persons: Vec<(Vec<String>, &str)> = found
        .iter()
        .filter(|f| f.ty == 0 && f.end - f.start >= 2)
        .map(|f| {
            (
                words(f.start, f.end)
                    .iter()
                    .map(|w| w.to_lowercase())
                    .collect(),
                f.surface.as_str(),
            )
        })
        .collect();
    let full_person = |f: &Found| -> Option<String> {
        let w: Vec<String> = words(f.start, f.end)
            .iter()
            .map(|w| w.to_lowercase())
            .collect();
        let mut best: Option<(&str, usize)> = None;
        for (pw, ps) in &persons {
            if pw.len() > w.len() && pw.ends_with(&w) && best.is_none_or(|(_, n)| pw.len() > n) {
                best = Some((ps, pw.len()));
            }
        }
        if best.is_none() && w.len() == 1 {
            // Surname first (`Hu` for `Hu Jintao`, `Liu` for `Liu Xiang`): the first word
            // of exactly one full name in the article.
            let mut starts = persons
                .iter()
                .filter(|(pw, _)| pw.len() <= 3 && pw[0] == w[0]);
            if let Some((_, first)) = starts.next() {
                if starts.all(|(_, other)| other == first) {
                    return Some(first.to_string());
                }
            }
        }
        best.map(|(s, _)| s.to_string())
    };
    // Mixed-case spellings in the article, for re-casing names in capitals.
    let mut spelled: HashMap<String, &str> = HashMap::new();
    for f in &found {
        if !is_upper_word(&f.surface) {
            spelled
                .entry(f.surface.to_lowercase())
                .or_insert(&f.surface);
        }
    }
    let mut ents = Entities {
        mentions,
        ..Entities::default()
    };
    for f in &found {
        let mut ty = f.ty;
        let mut name = f.surface.clone();
        let mut alias: Vec<String> = Vec::new();
        let lower = name.to_lowercase();
        let w = words(f.start, f.end);
        let h = w.iter().fold(0u64, |h, x| mix(h, hash_lower(x)));
        let kinds = g.kinds(h);
        // Demonyms are not places or organizations on their own.
        if w.len() == 1 && kinds & G_DEMONYM != 0 && kinds & G_LOC == 0 {
            continue;
        }
        // Country names in capitals typed as organizations (`ROK`, `DPRK`) are places.
        if ty == 1
            && w.len() == 1
            && is_upper_word(&name)
            && kinds & G_LOC != 0
            && kinds & G_ORG == 0
        {
            ty = 2;
        }
        // Short forms of people (also when the tagger typed them otherwise).
        if w.len() < 3 {
            if let Some(full) = full_person(f) {
                if ty == 0 || w.len() == 1 {
                    ty = 0;
                    alias.push(name.clone());
                    name = full;
                }
            }
        }
        if ty == 1 {
            if let Some(a) = acr_of_long.get(&lower) {
                if keep_acr(a) {
                    alias.push(name.clone());
                    name = a.clone();
                } else {
                    alias.push(a.clone());
                }
            } else if let Some(long) = long_of_acr.get(&name) {
                if keep_acr(&name) {
                    alias.push(long.clone());
                } else {
                    alias.push(name.clone());
                    name = long.clone();
                }
            } else if let Some(short) = g.org_short(h) {
                if !short.eq_ignore_ascii_case(&name) {
                    alias.push(name.clone());
                    name = short.to_string();
                }
            }
        }
        // Casing of names written in capitals.
        if is_upper_word(&name)
            && (name.chars().filter(|c| c.is_alphabetic()).count() > 4 || name.contains(' '))
        {
            let nl = name.to_lowercase();
            let re = if let Some(s) = spelled.get(&nl) {
                s.to_string()
            } else if let Some(s) = g.spelling(h) {
                s.to_string()
            } else {
                name.split(' ')
                    .map(title_case)
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            alias.push(std::mem::replace(&mut name, re));
        } else if ty == 2 {
            if let Some(s) = g.place_canonical(h) {
                if s != name {
                    alias.push(std::mem::replace(&mut name, s.to_string()));
                }
            }
        } else if ty != 1 {
            if let Some(s) = g.spelling(h) {
                if s != name && s.eq_ignore_ascii_case(&name) {
                    alias.push(std::mem::replace(&mut name, s.to_string()));
                }
            }
        }
        let (list, aliases) = match ty {
            0 => (&mut ents.person, &mut ents.aliases.person),
            1 => (&mut ents.org, &mut ents.aliases.org),
            _ => (&mut ents.place, &mut ents.aliases.place),
        };
        push_unique(list, name.clone());
        for a in alias {
            if !a.eq_ignore_ascii_case(&name) {
                push_unique(aliases, a);
            }
        }
    }
    // A name that is both a canonical name and an alias of a longer one stays only
    // as the alias (e.g. `Anker` tagged alone before `Michael Anker` appears).
    for (list, aliases) in [
        (&mut ents.person, &ents.aliases.person),
        (&mut ents.org, &ents.aliases.org),
        (&mut ents.place, &ents.aliases.place),
    ] {
        list.retain(|n| !aliases.iter().any(|a| a.eq_ignore_ascii_case(n)));
    }
    ents
}

fn push_unique(v: &mut Vec<String>, s: String) {
    if !v.iter().any(|x| x.eq_ignore_ascii_case(&s)) {
        v.push(s);
    }
}
