//! From the user's query text and filters to a tantivy query.
//!
//! The text is parsed with tantivy's query grammar (words, `"phrases"~N`,
//! `AND`/`OR`/`NOT`, `+`/`-`, parentheses, `field:value`, ranges, `^boost`); the tree
//! is then turned into a query here so that newswire can add what the stock parser
//! lacks: `prefix*` on single words, `word~1` typo tolerance (and `--fuzzy` for every
//! word), entity fields that match any alias, plain dates in date ranges, limits that
//! keep absurd queries cheap, and errors that point at the problem. A plain multi-word
//! query also ranks articles holding the exact phrase, then all the words, above the
//! rest. Filters become clauses that must match but do not change scores.

use std::ops::Bound;

use once_cell::sync::Lazy;
use regex::Regex;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, FuzzyTermQuery, Occur, Query,
    QueryParser, RangeQuery, RegexQuery, TermQuery,
};
use tantivy::query_grammar::{self, Delimiter, UserInputAst, UserInputLeaf, UserInputLiteral};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;
use time::Date;

use super::Filters;
use crate::ingest::date_to_tantivy;
use crate::store::Store;

/// Longest query text accepted, in bytes.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;
/// Most words, phrases and ranges in one query.
pub const MAX_CLAUSES: usize = 1024;
/// Deepest nesting of parentheses.
pub const MAX_DEPTH: usize = 32;

/// Score added to articles holding every word of a plain multi-word query...
const TIER_ALL_WORDS: f32 = 1000.0;
/// ...and, on top, to those holding it as an exact phrase.
const TIER_PHRASE: f32 = 1000.0;

/// A query the user must fix.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query text does not parse; `pointer` shows where.
    #[error("cannot understand the query: {reason}\n  {query}\n  {pointer}{hint}")]
    Syntax {
        query: String,
        pointer: String,
        reason: String,
        hint: String,
    },
    /// The query is beyond the limits that keep a search fast.
    #[error("query too large: {0}")]
    TooLarge(String),
    /// The query holds characters no query can use.
    #[error("the query contains control characters (such as {0}); remove them")]
    ControlCharacters(String),
    /// `--from` is after `--to`.
    #[error("--from {from} is after --to {to}")]
    EmptyDateRange { from: String, to: String },
    /// An exclusion names a field that cannot be filtered on.
    #[error("cannot exclude by {0:?} (known: {known})", known = FILTER_FIELDS.join(", "))]
    UnknownFilterField(String),
}

/// The keyword fields a filter (or an exclusion) can name.
pub const FILTER_FIELDS: &[&str] = &[
    "org", "person", "place", "source", "topic", "category", "dateline",
];

/// How words are matched.
#[derive(Debug, Clone, Copy, Default)]
pub struct QueryOptions {
    /// Run what can be understood of a malformed query.
    pub lenient: bool,
    /// Let every plain word match with one typo.
    pub fuzzy: bool,
}

/// The query to run, the part of it that comes from the user's text (used to pick
/// and highlight snippets), and the filters per field (for multi-select facets).
pub struct Built {
    pub full: Box<dyn Query>,
    pub text: Box<dyn Query>,
    /// Filter clauses by field name (`org`, `source`, ... and `published`).
    pub filters: Vec<(String, Box<dyn Query>)>,
    /// Values no matching article may have (one clause per excluded value).
    pub excludes: Vec<Box<dyn Query>>,
    pub warnings: Vec<String>,
    /// Words matched loosely (`withdr*`, `word~1`), for highlighting.
    pub loose: Vec<Loose>,
}

/// A word matched by prefix or with typos: the snippets highlight what it matched.
#[derive(Debug, Clone, PartialEq)]
pub enum Loose {
    /// Tokens starting with this (lowercased) text.
    Prefix(String),
    /// Tokens within this many edits of this (analyzed) token.
    Fuzzy(String, u8),
}

impl Built {
    /// The full query without the filter on `field` (so that field's facet can show
    /// the values a user could add to the selection).
    pub fn without_filter(&self, field: &str) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, self.scored())];
        for (name, q) in &self.filters {
            if name != field {
                clauses.push((Occur::Must, q.box_clone()));
            }
        }
        for q in &self.excludes {
            clauses.push((Occur::MustNot, q.box_clone()));
        }
        Box::new(BooleanQuery::new(clauses))
    }

    fn scored(&self) -> Box<dyn Query> {
        self.text.box_clone()
    }
}

static RANGE_DATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(
        r"(?P<field>\b(?:published|dateline_date):)(?P<rest>[\[{][^\]}]*[\]}]|\d{4}-\d{2}-\d{2}\b)",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static FUZZY: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"^[^\s~*]+~[0-9]$").unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static PLAIN_DATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\b(\d{4}-\d{2}-\d{2})\b(T[0-9:.]+Z?)?")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Rewrites plain dates in date-field clauses to the RFC 3339 form tantivy expects.
fn normalize_dates(q: &str) -> String {
    RANGE_DATE
        .replace_all(q, |c: &regex::Captures| {
            let rest = PLAIN_DATE.replace_all(&c["rest"], |d: &regex::Captures| {
                if d.get(2).is_some() {
                    d[0].to_string()
                } else {
                    format!("{}T00:00:00Z", &d[1])
                }
            });
            format!("{}{}", &c["field"], rest)
        })
        .into_owned()
}

/// Fields a query may name, as users write them.
const SEARCHABLE: &[&str] = &[
    "headline",
    "body",
    "org",
    "person",
    "place",
    "source",
    "topic",
    "category",
    "dateline",
    "byline",
    "url",
    "published",
    "agency",
    "id",
];

fn hint_for(reason: &str) -> String {
    if reason.contains("does not exist") {
        format!("\n  fields you can search: {}", SEARCHABLE.join(", "))
    } else if reason.to_lowercase().contains("date") {
        "\n  dates are written YYYY-MM-DD, e.g. published:[2021-01-01 TO 2021-12-31]".into()
    } else {
        "\n  check that quotes, parentheses and brackets are closed (see `newswire search --help`)"
            .into()
    }
}

fn syntax(query: &str, pos: usize, reason: String) -> QueryError {
    let mut pos = pos.min(query.len());
    while !query.is_char_boundary(pos) {
        pos -= 1;
    }
    let col = query[..pos].chars().count();
    QueryError::Syntax {
        query: query.to_string(),
        pointer: format!("{}^", " ".repeat(col)),
        hint: hint_for(&reason),
        reason,
    }
}

/// Deepest parenthesis nesting outside quotes.
fn nesting(q: &str) -> usize {
    let (mut depth, mut max, mut quoted) = (0usize, 0usize, false);
    for c in q.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                max = max.max(depth);
            }
            ')' if !quoted => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn count_leaves(ast: &UserInputAst) -> usize {
    match ast {
        UserInputAst::Clause(c) => c.iter().map(|(_, a)| count_leaves(a)).sum(),
        UserInputAst::Boost(a, _) => count_leaves(a),
        UserInputAst::Leaf(_) => 1,
    }
}

struct Builder<'a> {
    store: &'a Store,
    parser: QueryParser,
    defaults: Vec<(Field, f32)>,
    opts: QueryOptions,
    errors: Vec<String>,
    loose: Vec<Loose>,
}

impl Builder<'_> {
    fn field(&self, name: &str) -> Option<Field> {
        self.store.index.schema().get_field(name).ok()
    }

    /// Fields a literal searches, with boosts: the named one (plus its alias field
    /// for entities), or the default fields.
    fn targets(&self, name: Option<&str>) -> Result<Vec<(Field, f32)>, String> {
        match name {
            None => Ok(self.defaults.clone()),
            Some(n) => {
                if !SEARCHABLE.contains(&n) {
                    return Err(format!("Field does not exist: '{n}'"));
                }
                let mut v = vec![(
                    self.field(n)
                        .ok_or(format!("Field does not exist: '{n}'"))?,
                    1.0,
                )];
                if let Some(alias) = self.field(&format!("{n}_alias")) {
                    v.push((alias, 1.0));
                }
                Ok(v)
            }
        }
    }

    /// The single token `word` becomes in `field`, if it is one token.
    fn one_token(&self, field: Field, word: &str) -> Option<String> {
        let mut analyzer = self.store.index.tokenizer_for_field(field).ok()?;
        let mut stream = analyzer.token_stream(word);
        let mut out = None;
        let mut n = 0;
        while stream.advance() {
            n += 1;
            out = Some(stream.token().text.clone());
        }
        (n == 1).then_some(out).flatten()
    }

    fn any_of(&self, parts: Vec<Box<dyn Query>>) -> Box<dyn Query> {
        match parts.len() {
            0 => Box::new(EmptyQuery),
            1 => parts
                .into_iter()
                .next()
                .unwrap_or_else(|| Box::new(EmptyQuery)),
            _ => Box::new(BooleanQuery::new(
                parts.into_iter().map(|q| (Occur::Should, q)).collect(),
            )),
        }
    }

    /// `withdr*`: every term of the field starting with the word.
    fn prefix(&mut self, lit: &UserInputLiteral) -> Result<Box<dyn Query>, String> {
        self.loose.push(Loose::Prefix(lit.phrase.to_lowercase()));
        let mut parts: Vec<Box<dyn Query>> = Vec::new();
        for (field, boost) in self.targets(lit.field_name.as_deref())? {
            let word = lit.phrase.to_lowercase();
            let pattern = format!("{}.*", regex::escape(&word));
            let q = RegexQuery::from_pattern(&pattern, field).map_err(|e| e.to_string())?;
            parts.push(Box::new(BoostQuery::new(Box::new(q), boost)));
        }
        Ok(self.any_of(parts))
    }

    /// `word~N`: the word with up to N (at most 2) typos, exact matches first.
    fn fuzzy(&mut self, lit: &UserInputLiteral, distance: u8) -> Result<Box<dyn Query>, String> {
        let mut parts: Vec<Box<dyn Query>> = Vec::new();
        for (field, boost) in self.targets(lit.field_name.as_deref())? {
            let Some(token) = self.one_token(field, &lit.phrase) else {
                continue;
            };
            let loose = Loose::Fuzzy(token.clone(), distance.min(2));
            if !self.loose.contains(&loose) {
                self.loose.push(loose);
            }
            let term = Term::from_field_text(field, &token);
            let exact = TermQuery::new(term.clone(), IndexRecordOption::WithFreqs);
            parts.push(Box::new(BoostQuery::new(Box::new(exact), boost)));
            let near = FuzzyTermQuery::new(term, distance.min(2), true);
            parts.push(Box::new(BoostQuery::new(Box::new(near), boost * 0.5)));
        }
        Ok(self.any_of(parts))
    }

    /// Delegates a leaf to tantivy's parser, searching alias fields too for entities.
    fn stock(&self, leaf: UserInputLeaf) -> Result<Box<dyn Query>, String> {
        let alias_of = match &leaf {
            UserInputLeaf::Literal(l) => l
                .field_name
                .as_deref()
                .filter(|f| ["org", "person", "place"].contains(f))
                .map(|f| (f.to_string(), l.clone())),
            _ => None,
        };
        if let Some(name) = match &leaf {
            UserInputLeaf::Literal(l) => l.field_name.clone(),
            UserInputLeaf::Range { field, .. } | UserInputLeaf::Set { field, .. } => field.clone(),
            UserInputLeaf::Regex { field, .. } => field.clone(),
            UserInputLeaf::Exists { field } => Some(field.clone()),
            UserInputLeaf::All => None,
        } {
            if !SEARCHABLE.contains(&name.as_str()) {
                return Err(format!("Field does not exist: '{name}'"));
            }
        }
        let main = self
            .parser
            .build_query_from_user_input_ast(UserInputAst::Leaf(Box::new(leaf)))
            .map_err(|e| e.to_string())?;
        match alias_of {
            Some((field, mut lit)) => {
                lit.field_name = Some(format!("{field}_alias"));
                let alias = self
                    .parser
                    .build_query_from_user_input_ast(UserInputAst::Leaf(Box::new(
                        UserInputLeaf::Literal(lit),
                    )))
                    .map_err(|e| e.to_string())?;
                Ok(self.any_of(vec![main, alias]))
            }
            None => Ok(main),
        }
    }

    fn leaf(&mut self, leaf: UserInputLeaf) -> Box<dyn Query> {
        let result = match leaf {
            UserInputLeaf::Literal(mut lit) if lit.delimiter == Delimiter::None && lit.prefix => {
                lit.phrase = lit.phrase.trim_end_matches('*').to_string();
                self.prefix(&lit)
            }
            // The grammar keeps `withdr*` and `word~1` as bare words.
            UserInputLeaf::Literal(mut lit)
                if lit.delimiter == Delimiter::None
                    && lit.phrase.len() > 1
                    && lit.phrase.ends_with('*')
                    && !lit.phrase[..lit.phrase.len() - 1].contains(['*', ' ']) =>
            {
                lit.phrase.pop();
                self.prefix(&lit)
            }
            UserInputLeaf::Literal(mut lit)
                if lit.delimiter == Delimiter::None && FUZZY.is_match(&lit.phrase) =>
            {
                let (word, n) = lit.phrase.rsplit_once('~').unwrap_or((&lit.phrase, "1"));
                let distance = n.parse::<u8>().unwrap_or(1);
                lit.phrase = word.to_string();
                self.fuzzy(&lit, distance)
            }
            UserInputLeaf::Literal(lit)
                if self.opts.fuzzy
                    && lit.delimiter == Delimiter::None
                    && lit.phrase.chars().count() > 3 =>
            {
                self.fuzzy(&lit, 1)
            }
            other => self.stock(other),
        };
        result.unwrap_or_else(|e| {
            self.errors.push(e);
            Box::new(EmptyQuery)
        })
    }

    fn convert(&mut self, ast: UserInputAst) -> Box<dyn Query> {
        match ast {
            UserInputAst::Leaf(leaf) => self.leaf(*leaf),
            UserInputAst::Boost(inner, boost) => Box::new(BoostQuery::new(
                self.convert(*inner),
                boost.into_inner() as f32,
            )),
            UserInputAst::Clause(children) => {
                let mut clauses: Vec<(Occur, Box<dyn Query>)> = children
                    .into_iter()
                    .map(|(occur, a)| (occur.unwrap_or(Occur::Should), self.convert(a)))
                    .collect();
                if !clauses.is_empty() && clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    // "-sport" alone means: every article but those.
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
        }
    }
}

/// The words of a plain multi-word query (no fields, operators or quotes).
fn plain_words(ast: &UserInputAst) -> Option<Vec<String>> {
    let UserInputAst::Clause(children) = ast else {
        return None;
    };
    let mut words = Vec::new();
    for (occur, child) in children {
        let UserInputAst::Leaf(leaf) = child else {
            return None;
        };
        match (occur, leaf.as_ref()) {
            (None, UserInputLeaf::Literal(l))
                if l.field_name.is_none()
                    && l.delimiter == Delimiter::None
                    && !l.prefix
                    && l.slop == 0 =>
            {
                words.push(l.phrase.clone())
            }
            _ => return None,
        }
    }
    (words.len() >= 2).then_some(words)
}

/// Builds the query for `text` and `filters`.
pub fn build_query(
    store: &Store,
    text: &str,
    filters: &Filters,
    opts: QueryOptions,
) -> Result<Built, QueryError> {
    let f = &store.fields;
    let mut warnings = Vec::new();
    let mut loose = Vec::new();
    let trimmed = text.trim();
    if trimmed.len() > MAX_QUERY_BYTES {
        return Err(QueryError::TooLarge(format!(
            "{} bytes (at most {MAX_QUERY_BYTES})",
            trimmed.len()
        )));
    }
    if trimmed
        .chars()
        .any(|c| c.is_control() && c != '\t' && c != '\n')
    {
        let c = trimmed
            .chars()
            .find(|c| c.is_control() && *c != '\t' && *c != '\n')
            .unwrap_or('\0');
        return Err(QueryError::ControlCharacters(format!("U+{:04X}", c as u32)));
    }
    let depth = nesting(trimmed);
    if depth > MAX_DEPTH {
        return Err(QueryError::TooLarge(format!(
            "parentheses nested {depth} deep (at most {MAX_DEPTH})"
        )));
    }

    let user: Box<dyn Query> = if trimmed.is_empty() || trimmed == "*" {
        Box::new(AllQuery)
    } else {
        let defaults: Vec<(Field, f32)> = store
            .spec
            .default_search_fields()
            .into_iter()
            .filter_map(|(name, boost)| {
                store
                    .index
                    .schema()
                    .get_field(name)
                    .ok()
                    .map(|f| (f, boost))
            })
            .collect();
        let mut parser =
            QueryParser::for_index(&store.index, defaults.iter().map(|(f, _)| *f).collect());
        for (field, boost) in &defaults {
            parser.set_field_boost(*field, *boost);
        }
        let normalized = normalize_dates(trimmed);
        let (ast, errs) = query_grammar::parse_query_lenient(&normalized);
        if let Some(e) = errs.first() {
            if !opts.lenient {
                // Point into the text as the user wrote it (the grammar does not
                // look at dates, so it fails there the same way).
                let (_, original) = query_grammar::parse_query_lenient(trimmed);
                let first = original.first().unwrap_or(e);
                return Err(syntax(trimmed, first.pos, first.message.clone()));
            }
            warnings.extend(
                errs.iter()
                    .map(|e| format!("{} (at column {})", e.message, e.pos + 1)),
            );
        }
        let leaves = count_leaves(&ast);
        if leaves > MAX_CLAUSES {
            return Err(QueryError::TooLarge(format!(
                "{leaves} words and clauses (at most {MAX_CLAUSES})"
            )));
        }
        let words = plain_words(&ast);
        let mut b = Builder {
            store,
            parser,
            defaults,
            opts,
            errors: Vec::new(),
            loose: Vec::new(),
        };
        let mut q = b.convert(ast);
        if let Some(words) = words {
            q = rank_all_words_and_phrase(&mut b, q, &words);
        }
        if let Some(first) = b.errors.first() {
            if !opts.lenient {
                let at = first
                    .split('\'')
                    .nth(1)
                    .and_then(|name| trimmed.find(&format!("{name}:")))
                    .unwrap_or(0);
                return Err(syntax(trimmed, at, first.clone()));
            }
            warnings.extend(b.errors.iter().cloned());
        }
        loose = b.loose;
        q
    };

    // A keyword field and, for entities, the field of their other names.
    let fields_of = |name: &str| -> Option<(Field, Option<Field>)> {
        Some(match name {
            "org" => (f.org, Some(f.org_alias)),
            "person" => (f.person, Some(f.person_alias)),
            "place" => (f.place, Some(f.place_alias)),
            "source" => (f.source, None),
            "topic" => (f.topic, None),
            "category" => (f.category, None),
            "dateline" => (f.dateline, None),
            _ => return None,
        })
    };
    // Any of `values` in the field (or its aliases).
    let any_of = |(main, alias): (Field, Option<Field>), values: &[String]| -> Box<dyn Query> {
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let name = if main == f.org {
            "org"
        } else if main == f.place {
            "place"
        } else {
            ""
        };
        for v in spellings(name, values) {
            for field in std::iter::once(main).chain(alias) {
                let term = Term::from_field_text(field, &v);
                any.push((
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                ));
            }
        }
        Box::new(BooleanQuery::new(any))
    };
    let mut filter_clauses: Vec<(String, Box<dyn Query>)> = Vec::new();
    for (name, values) in [
        ("org", &filters.org),
        ("person", &filters.person),
        ("place", &filters.place),
        ("source", &filters.source),
        ("topic", &filters.topic),
        ("category", &filters.category),
        ("dateline", &filters.dateline),
    ] {
        if let (false, Some(fields)) = (values.is_empty(), fields_of(name)) {
            let q = any_of(fields, values);
            filter_clauses.push((name.to_string(), Box::new(ConstScoreQuery::new(q, 0.0))));
        }
    }
    if let Some(ids) = &filters.ids {
        let terms = ids
            .iter()
            .map(|id| Term::from_field_text(f.id, &id.trim().to_lowercase()));
        let q: Box<dyn Query> = Box::new(tantivy::query::TermSetQuery::new(terms));
        filter_clauses.push(("id".to_string(), Box::new(ConstScoreQuery::new(q, 0.0))));
    }
    let mut excludes = Vec::with_capacity(filters.exclude.len());
    for (name, value) in &filters.exclude {
        let fields = fields_of(name).ok_or_else(|| QueryError::UnknownFilterField(name.clone()))?;
        excludes.push(any_of(fields, std::slice::from_ref(value)));
    }

    if let (Some(a), Some(b)) = (filters.from, filters.to) {
        if a > b {
            return Err(QueryError::EmptyDateRange {
                from: crate::article::format_date(a),
                to: crate::article::format_date(b),
            });
        }
    }
    if filters.from.is_some() || filters.to.is_some() {
        // Dates are stored at midnight UTC, so inclusive bounds on the days
        // themselves cover both ends.
        let bound = |d: Option<Date>| match d {
            None => Bound::Unbounded,
            Some(d) => Bound::Included(Term::from_field_date_for_search(
                f.published,
                date_to_tantivy(d),
            )),
        };
        let range: Box<dyn Query> =
            Box::new(RangeQuery::new(bound(filters.from), bound(filters.to)));
        filter_clauses.push((
            "published".to_string(),
            Box::new(ConstScoreQuery::new(range, 0.0)),
        ));
    }

    let full: Box<dyn Query> = if filter_clauses.is_empty() && excludes.is_empty() {
        user.box_clone()
    } else {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, user.box_clone())];
        clauses.extend(
            filter_clauses
                .iter()
                .map(|(_, q)| (Occur::Must, q.box_clone())),
        );
        clauses.extend(excludes.iter().map(|q| (Occur::MustNot, q.box_clone())));
        Box::new(BooleanQuery::new(clauses))
    };
    Ok(Built {
        full,
        text: user,
        filters: filter_clauses,
        excludes,
        warnings,
        loose,
    })
}

/// Wraps a plain multi-word query so that articles with the exact phrase come
/// first, then those with all the words, each group in BM25 order.
fn rank_all_words_and_phrase(
    b: &mut Builder,
    matched: Box<dyn Query>,
    words: &[String],
) -> Box<dyn Query> {
    let mut all: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for w in words {
        let lit = UserInputLiteral {
            field_name: None,
            phrase: w.clone(),
            delimiter: Delimiter::None,
            slop: 0,
            prefix: false,
        };
        match b.stock(UserInputLeaf::Literal(lit)) {
            Ok(q) => all.push((Occur::Must, q)),
            Err(_) => return matched,
        }
    }
    let phrase = UserInputLiteral {
        field_name: None,
        phrase: words.join(" "),
        delimiter: Delimiter::DoubleQuotes,
        slop: 0,
        prefix: false,
    };
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![
        (Occur::Must, matched),
        (
            Occur::Should,
            Box::new(ConstScoreQuery::new(
                Box::new(BooleanQuery::new(all)),
                TIER_ALL_WORDS,
            )),
        ),
    ];
    if let Ok(p) = b.stock(UserInputLeaf::Literal(phrase)) {
        clauses.push((
            Occur::Should,
            Box::new(ConstScoreQuery::new(p, TIER_PHRASE)),
        ));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// The spellings a filter on `field` matches, lowercased: each value, and its
/// canonical name as indexing gives it (`--org S&P` also finds the articles that
/// wrote `Standard and Poor's`, stored as `Standard & Poor's`).
pub fn spellings(field: &str, values: &[String]) -> Vec<String> {
    use crate::entities::{aliases, gazetteer};
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let v = v.trim();
        let canonical = match field {
            "org" => aliases::builtin().org(v),
            "place" => gazetteer::gazetteer()
                .place_canonical(gazetteer::phrase_hash(v))
                .map(str::to_string),
            _ => None,
        };
        for s in std::iter::once(v.to_string()).chain(canonical) {
            let s = s.trim().to_lowercase();
            if !out.contains(&s) {
                out.push(s);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_dates_in_ranges_become_rfc3339() {
        assert_eq!(
            normalize_dates("iraq published:[2021-01-01 TO 2021-12-31]"),
            "iraq published:[2021-01-01T00:00:00Z TO 2021-12-31T00:00:00Z]"
        );
        assert_eq!(
            normalize_dates("published:2021-12-02"),
            "published:2021-12-02T00:00:00Z"
        );
        assert_eq!(normalize_dates("body:2021-12-02"), "body:2021-12-02");
    }

    #[test]
    fn error_pointer_never_splits_a_character() {
        let e = syntax("a𐀀b", 2, "test".into());
        assert!(e.to_string().contains('^'));
    }

    #[test]
    fn nesting_ignores_quoted_parentheses() {
        assert_eq!(nesting("((a) OR (b))"), 2);
        assert_eq!(nesting("\"((((\" a"), 0);
    }

    #[test]
    fn plain_words_only_for_simple_queries() {
        let ast = |q: &str| query_grammar::parse_query(q).expect("parses");
        assert_eq!(
            plain_words(&ast("foreign forces withdrawal")),
            Some(vec!["foreign".into(), "forces".into(), "withdrawal".into()])
        );
        assert_eq!(plain_words(&ast("foreign AND forces")), None);
        assert_eq!(plain_words(&ast("\"foreign forces\" iraq")), None);
        assert_eq!(plain_words(&ast("iraq")), None);
    }
}
