//! Search: query parsing, filters, ranking, facets and snippets.
//!
//! In: a [`SearchRequest`] (query text, filters, facets wanted, page). Out: a
//! [`SearchResult`] of plain data (hits with highlighted snippets and facet counts)
//! that the output layer prints as text or JSON.

mod dedup;
mod entity;
mod facet_mirror;
mod facets;
mod query;
mod snippet;
mod stats;
mod suggest;
mod timeline;
mod walk;

use std::time::Instant;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::schema::{Field, Value};
use tantivy::{DocAddress, Order, TantivyDocument};
use time::Date;

pub use dedup::{near, simhash, NEAR_BITS};
pub use entity::{entity, EntityPage, ENTITY_KINDS};
pub use facets::{FacetCounter, FacetList, RawCounts};
pub use query::{
    build_query, spellings, QueryError, QueryOptions, FILTER_FIELDS, MAX_CLAUSES, MAX_DEPTH,
    MAX_QUERY_BYTES,
};
pub use snippet::{Snippeter, ELLIPSIS};
pub use stats::{stats, Stats};
pub use timeline::{assemble as assemble_timeline, timeline, Bucket, Interval, Timeline};
pub use walk::After;

use crate::article::{format_date, Dateline};
use crate::schema::Fields;
use crate::store::Store;

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sort {
    /// Best match first (BM25).
    #[default]
    Relevance,
    /// Oldest first (chronological).
    Date,
    /// Newest first.
    DateDesc,
}

/// Filters that narrow the matching articles. Values of one field are OR-ed,
/// different fields AND-ed.
#[derive(Debug, Clone, Default)]
pub struct Filters {
    pub org: Vec<String>,
    pub person: Vec<String>,
    pub place: Vec<String>,
    pub source: Vec<String>,
    pub topic: Vec<String>,
    pub category: Vec<String>,
    pub dateline: Vec<String>,
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// `(field, value)` pairs no matching article may have: `("org", "OPEC")`.
    /// The field is one of [`FILTER_FIELDS`].
    pub exclude: Vec<(String, String)>,
    /// Only the articles with these ids (`None`: no such restriction).
    pub ids: Option<Vec<String>>,
}

impl Filters {
    /// Filters from `(name, value)` pairs as a query string gives them: `org`,
    /// `person`, `place`, `source`, `topic`, `category`, `dateline` (repeatable),
    /// `not_org`, ... (exclusions), `from`, `to` (YYYY-MM-DD). Pairs with other names
    /// are left to the caller.
    pub fn from_pairs(pairs: &[(String, String)]) -> Result<Filters, String> {
        let mut f = Filters::default();
        for (k, v) in pairs {
            let v = v.trim();
            if v.is_empty() {
                continue;
            }
            let date = || {
                crate::article::parse_ymd(v).ok_or_else(|| {
                    format!("{k}={v:?} is not a date: write YYYY-MM-DD, e.g. 2021-12-31")
                })
            };
            match k.as_str() {
                "org" => f.org.push(v.to_string()),
                "person" => f.person.push(v.to_string()),
                "place" => f.place.push(v.to_string()),
                "source" => f.source.push(v.to_string()),
                "topic" => f.topic.push(v.to_string()),
                "category" => f.category.push(v.to_string()),
                "dateline" => f.dateline.push(v.to_string()),
                "from" => f.from = Some(date()?),
                "to" => f.to = Some(date()?),
                other => {
                    if let Some(field) = other.strip_prefix("not_") {
                        if FILTER_FIELDS.contains(&field) {
                            f.exclude.push((field.to_string(), v.to_string()));
                        }
                    }
                }
            }
        }
        Ok(f)
    }
}

/// A facet a user can ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Facet {
    /// A keyword field of the schema (`org`, `person`, `place`, `source`, ...).
    Field(String),
    Year,
    Month,
    Day,
}

impl Facet {
    /// The facet called `name` (`org`, `month`, ...), or a message listing the known ones.
    pub fn from_name(spec: &crate::schema::SchemaSpec, name: &str) -> Result<Facet, String> {
        let fields = spec.facet_fields();
        Ok(match name {
            "year" => Facet::Year,
            "month" => Facet::Month,
            "day" => Facet::Day,
            n if fields.contains(&n) => Facet::Field(n.to_string()),
            n => {
                return Err(format!(
                    "unknown facet {n:?} (known: {}, year, month, day)",
                    fields.join(", ")
                ))
            }
        })
    }

    pub fn name(&self) -> &str {
        match self {
            Facet::Field(f) => f,
            Facet::Year => "year",
            Facet::Month => "month",
            Facet::Day => "day",
        }
    }
}

/// One search.
#[derive(Debug, Clone)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    pub facets: Vec<Facet>,
    pub facet_size: usize,
    pub limit: usize,
    pub offset: usize,
    pub sort: Sort,
    /// Run what can be understood of a malformed query instead of failing.
    pub lenient: bool,
    /// Let every word match with one typo.
    pub fuzzy: bool,
    /// Prefer recent articles: a score is divided by 1 + (days older than the newest
    /// article) / `RECENCY_DAYS`.
    pub recent: bool,
    /// Show near-duplicate copies of a story as hits of their own instead of
    /// collapsing them onto the best-ranked copy.
    pub show_duplicates: bool,
    /// Walk every hit a page at a time: return the `limit` hits that come after this
    /// position ([`After::START`] for the first page). `offset` is then ignored and
    /// near-duplicates are not collapsed (every matching article is listed once).
    pub after: Option<After>,
}

/// With `recent`, an article this many days older than the newest counts half.
pub const RECENCY_DAYS: f32 = 30.0;

impl Default for SearchRequest {
    fn default() -> Self {
        SearchRequest {
            query: String::new(),
            filters: Filters::default(),
            facets: Vec::new(),
            facet_size: 10,
            limit: 10,
            offset: 0,
            sort: Sort::Relevance,
            lenient: false,
            fuzzy: false,
            recent: false,
            show_duplicates: false,
            after: None,
        }
    }
}

/// One matching article.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Hit {
    pub id: String,
    pub score: Option<f32>,
    pub headline: Option<String>,
    pub published: Option<String>,
    pub source: Option<String>,
    pub dateline: Option<Dateline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u64>,
    /// Best passage of the body for the query.
    pub snippet: String,
    /// Byte ranges `[start, end)` of `snippet` that match the query.
    pub highlights: Vec<[usize; 2]>,
    pub org: Vec<String>,
    pub person: Vec<String>,
    pub place: Vec<String>,
    /// Ids of near-duplicate copies collapsed onto this hit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub duplicates: Vec<String>,
}

/// Counts of one facet.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FacetCounts {
    pub field: String,
    pub counts: Vec<FacetValue>,
    /// Number of distinct values (the list is cut to `facet_size`).
    pub distinct: usize,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

/// The answer to a [`SearchRequest`].
#[derive(Debug, Clone, Default)]
pub struct SearchResult {
    pub total_hits: u64,
    pub hits: Vec<Hit>,
    pub facets: Vec<FacetCounts>,
    /// Parts of the query that were skipped (with `lenient`).
    pub warnings: Vec<String>,
    /// A corrected query, when this one found (almost) nothing.
    pub suggestion: Option<String>,
    pub took_ms: f64,
    /// When walking (`after`) and more hits may follow: where the next page starts.
    pub next: Option<After>,
}

/// Errors a search can end with.
#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    /// The query or a filter cannot be understood (the user's to fix).
    #[error(transparent)]
    Query(#[from] QueryError),
    /// The index could not be read.
    #[error("reading the index: {0}")]
    Index(#[from] tantivy::TantivyError),
}

/// Runs `req` against `store`'s last commit.
pub fn search(store: &Store, req: &SearchRequest) -> Result<SearchResult, SearchError> {
    search_in(store, &store.searcher()?, req)
}

/// Runs `req` against one view of `store` (e.g. the one every page of a walk reads).
pub fn search_in(
    store: &Store,
    searcher: &tantivy::Searcher,
    req: &SearchRequest,
) -> Result<SearchResult, SearchError> {
    let started = Instant::now();
    let opts = QueryOptions {
        lenient: req.lenient,
        fuzzy: req.fuzzy,
    };
    let built = build_query(store, &req.query, &req.filters, opts)?;

    let mut keyword_fields = Vec::new();
    let mut want_dates = false;
    for f in &req.facets {
        match f {
            Facet::Field(name) => keyword_fields.push(name.clone()),
            _ => want_dates = true,
        }
    }
    let counter = FacetCounter {
        keyword_fields: keyword_fields.clone(),
        date_field: want_dates.then(|| "published".to_string()),
        size: req.facet_size,
    };
    // Collapsing near-duplicates needs more candidates than the page shows.
    let collapse = !req.show_duplicates && req.after.is_none();
    let top = if collapse {
        let wanted = (req.offset + req.limit.max(1)) * 3 + 10;
        TopDocs::with_limit(wanted.min(MAX_CANDIDATES))
    } else {
        TopDocs::with_limit(req.limit.max(1)).and_offset(req.offset)
    };
    let mut next = None;
    let (docs, total, mut raw): (Vec<(Option<f32>, DocAddress)>, usize, RawCounts) =
        match (req.after, req.sort, req.recent) {
            (Some(after), _, _) => {
                let walk = walk::Walk {
                    sort: req.sort,
                    recent: req.recent,
                    newest_day: if req.recent {
                        newest_day(searcher)
                    } else {
                        None
                    },
                    after,
                    limit: req.limit.max(1),
                };
                let (ranked, n, c) = searcher.search(&built.full, &(walk, Count, counter))?;
                if ranked.len() == req.limit {
                    next = ranked.last().map(walk::Ranked::after);
                }
                let scored = req.sort == Sort::Relevance;
                let docs = ranked
                    .into_iter()
                    .map(|r| (scored.then_some(r.score), r.addr))
                    .collect();
                (docs, n, c)
            }
            (None, Sort::Relevance, false) => {
                let (d, n, c) =
                    searcher.search(&built.full, &(top.order_by_score(), Count, counter))?;
                (d.into_iter().map(|(s, a)| (Some(s), a)).collect(), n, c)
            }
            (None, Sort::Relevance, true) => {
                let newest = newest_day(searcher);
                let by_recency = top.tweak_score(move |seg: &tantivy::SegmentReader| {
                    let dates = seg.fast_fields().date("published").ok();
                    move |doc: tantivy::DocId, score: tantivy::Score| {
                        let day = dates
                            .as_ref()
                            .and_then(|c| c.first(doc))
                            .map(|d| d.into_timestamp_secs().div_euclid(86_400));
                        recency_weighted(score, day, newest)
                    }
                });
                let (d, n, c) = searcher.search(&built.full, &(by_recency, Count, counter))?;
                (d.into_iter().map(|(s, a)| (Some(s), a)).collect(), n, c)
            }
            (None, Sort::Date | Sort::DateDesc, _) => {
                let order = if req.sort == Sort::DateDesc {
                    Order::Desc
                } else {
                    Order::Asc
                };
                let by_date = top.order_by_fast_field::<tantivy::DateTime>("published", order);
                let (d, n, c) = searcher.search(&built.full, &(by_date, Count, counter))?;
                (d.into_iter().map(|(_, a)| (None, a)).collect(), n, c)
            }
        };
    let docs = if req.limit == 0 { Vec::new() } else { docs };
    let docs = if collapse {
        collapse_duplicates(searcher, docs, req.offset, req.limit)
    } else {
        docs.into_iter().map(|(s, a)| (s, a, Vec::new())).collect()
    };

    // Multi-select: a filtered field's facet counts ignore its own filter, so the
    // other values a user could add to the selection still show.
    for (i, name) in keyword_fields.iter().enumerate() {
        if built.filters.iter().any(|(f, _)| f == name) {
            let only = FacetCounter {
                keyword_fields: vec![name.clone()],
                date_field: None,
                size: req.facet_size,
            };
            let mut counts = searcher.search(&*built.without_filter(name), &only)?;
            if let Some(c) = counts.keyword.pop() {
                raw.keyword[i] = c;
            }
        }
    }

    let snippeter = snippeter_for(store, &*built.text)?.with_loose(built.loose.clone());
    let mut hits = Vec::with_capacity(docs.len());
    for (score, addr, dups) in docs {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let mut hit = to_hit(&store.fields, &doc, score, Some(&snippeter));
        for d in dups {
            let dup: TantivyDocument = searcher.doc(d)?;
            hit.duplicates
                .push(first_str(&dup, store.fields.id).unwrap_or_default());
        }
        hits.push(hit);
    }

    let facets = facet_results(&req.facets, raw, req.facet_size);
    let suggestion = if total < FEW_HITS {
        did_you_mean(store, searcher, req, total)
    } else {
        None
    };
    Ok(SearchResult {
        total_hits: total as u64,
        hits,
        facets,
        warnings: built.warnings,
        suggestion,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        next,
    })
}

/// A score weighted by recency: divided by 1 + (days older than the newest article)
/// / [`RECENCY_DAYS`]; undated articles count as old.
fn recency_weighted(score: f32, day: Option<i64>, newest: Option<i64>) -> f32 {
    match (day, newest) {
        (Some(d), Some(n)) => score / (1.0 + (n - d).max(0) as f32 / RECENCY_DAYS),
        _ => score / 10.0,
    }
}

/// Articles most like the one with `id` (by the distinctive words of its headline
/// and body), best first, near-duplicates of it and of each other collapsed.
/// `None` when there is no such article.
pub fn similar(store: &Store, id: &str, limit: usize) -> Result<Option<SearchResult>, SearchError> {
    let started = Instant::now();
    let searcher = store.searcher()?;
    let term = tantivy::Term::from_field_text(store.fields.id, &id.trim().to_lowercase());
    let q = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
    let Some((_, addr)) = searcher
        .search(&q, &TopDocs::with_limit(1).order_by_score())?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(addr)?;
    let values = |f: Field| -> Vec<tantivy::schema::OwnedValue> {
        first_str(&doc, f)
            .map(|s| vec![tantivy::schema::OwnedValue::Str(s)])
            .unwrap_or_default()
    };
    let mlt = tantivy::query::MoreLikeThisQuery::builder()
        .with_min_doc_frequency(2)
        .with_min_term_frequency(1)
        .with_max_query_terms(30)
        .with_document_fields(vec![
            (store.fields.headline, values(store.fields.headline)),
            (store.fields.body, values(store.fields.body)),
        ]);
    let wanted = (limit + 1) * 3 + 10;
    let (docs, total) =
        searcher.search(&mlt, &(TopDocs::with_limit(wanted).order_by_score(), Count))?;
    let prints = Fingerprints::new(&searcher);
    let own_hash = prints.get(addr);
    let candidates: Vec<(Option<f32>, DocAddress)> = docs
        .into_iter()
        .filter(|(_, a)| *a != addr)
        .filter(|(_, a)| !near(own_hash, prints.get(*a)))
        .map(|(s, a)| (Some(s), a))
        .collect();
    let kept = collapse_duplicates(&searcher, candidates, 0, limit);
    let snippeter = snippeter_for(store, &tantivy::query::AllQuery)?;
    let mut hits = Vec::new();
    for (score, a, dups) in kept {
        let d: TantivyDocument = searcher.doc(a)?;
        let mut hit = to_hit(&store.fields, &d, score, Some(&snippeter));
        for x in dups {
            let dup: TantivyDocument = searcher.doc(x)?;
            hit.duplicates
                .push(first_str(&dup, store.fields.id).unwrap_or_default());
        }
        hits.push(hit);
    }
    Ok(Some(SearchResult {
        total_hits: total.saturating_sub(1) as u64,
        hits,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        ..SearchResult::default()
    }))
}

/// The stored near-duplicate copies of the article with `id` (the same story
/// republished: SimHash within [`NEAR_BITS`] bits), at most `limit`, in index order.
/// `None` when there is no such article.
pub fn near_duplicates(
    store: &Store,
    id: &str,
    limit: usize,
) -> Result<Option<Vec<Hit>>, SearchError> {
    let searcher = store.searcher()?;
    let Some(addr) = find(store, &searcher, id)? else {
        return Ok(None);
    };
    let prints = Fingerprints::new(&searcher);
    let own = prints.get(addr);
    let mut found = Vec::new();
    if own != 0 {
        'segments: for (ord, reader) in searcher.segment_readers().iter().enumerate() {
            let Some(column) = prints.0.get(ord).and_then(|c| c.as_ref()) else {
                continue;
            };
            let alive = reader.alive_bitset();
            for doc in 0..reader.max_doc() {
                if alive.is_some_and(|a| !a.is_alive(doc)) {
                    continue;
                }
                let here = DocAddress::new(ord as u32, doc);
                let h = column.first(doc).unwrap_or(0);
                if here != addr && h != 0 && near(own, h) {
                    found.push(here);
                    if found.len() >= limit {
                        break 'segments;
                    }
                }
            }
        }
    }
    let mut hits = Vec::with_capacity(found.len());
    for a in found {
        let doc: TantivyDocument = searcher.doc(a)?;
        hits.push(to_hit(&store.fields, &doc, None, None));
    }
    Ok(Some(hits))
}

/// The index position of the article with `id`.
fn find(
    store: &Store,
    searcher: &tantivy::Searcher,
    id: &str,
) -> Result<Option<DocAddress>, SearchError> {
    let term = tantivy::Term::from_field_text(store.fields.id, &id.trim().to_lowercase());
    let q = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
    Ok(searcher
        .search(&q, &TopDocs::with_limit(1).order_by_score())?
        .into_iter()
        .next()
        .map(|(_, a)| a))
}

/// The SimHash column of every segment, opened once per searcher.
struct Fingerprints(Vec<Option<tantivy::columnar::Column<u64>>>);

impl Fingerprints {
    fn new(searcher: &tantivy::Searcher) -> Self {
        Fingerprints(
            searcher
                .segment_readers()
                .iter()
                .map(|s| s.fast_fields().u64("simhash").ok())
                .collect(),
        )
    }

    /// The article's fingerprint, 0 when it has none.
    fn get(&self, a: DocAddress) -> u64 {
        self.0
            .get(a.segment_ord as usize)
            .and_then(|c| c.as_ref())
            .and_then(|c| c.first(a.doc_id))
            .unwrap_or(0)
    }
}

/// Below this many hits, a corrected query is suggested when one finds more.
const FEW_HITS: usize = 3;

/// A corrected query that finds more than `found` articles, if there is one.
fn did_you_mean(
    store: &Store,
    searcher: &tantivy::Searcher,
    req: &SearchRequest,
    found: usize,
) -> Option<String> {
    let words: Vec<String> = req.query.split_whitespace().map(str::to_string).collect();
    if words.is_empty()
        || words.len() > 8
        || words.iter().any(|w| {
            !w.chars()
                .all(|c| c.is_alphanumeric() || c == '-' || c == '\'')
        })
    {
        return None;
    }
    let fixed = suggest::suggest(store, searcher, &words)?;
    let built = build_query(store, &fixed, &req.filters, QueryOptions::default()).ok()?;
    let n = searcher.search(&*built.full, &Count).ok()?;
    (n > found).then_some(fixed)
}

/// Most candidates read when collapsing near-duplicates.
pub const MAX_CANDIDATES: usize = 20_000;

type Ranked = (Option<f32>, DocAddress, Vec<DocAddress>);

/// Keeps the best-ranked copy of each story (by SimHash), with the others attached,
/// and returns the requested page of kept hits.
fn collapse_duplicates(
    searcher: &tantivy::Searcher,
    docs: Vec<(Option<f32>, DocAddress)>,
    offset: usize,
    limit: usize,
) -> Vec<Ranked> {
    let prints = Fingerprints::new(searcher);
    let mut kept: Vec<(Ranked, u64)> = Vec::new();
    for (score, addr) in docs {
        let h = prints.get(addr);
        match kept.iter_mut().find(|(_, k)| near(*k, h)) {
            Some(((_, _, dups), _)) => dups.push(addr),
            None => kept.push(((score, addr, Vec::new()), h)),
        }
    }
    kept.into_iter()
        .skip(offset)
        .take(limit)
        .map(|(r, _)| r)
        .collect()
}

/// The newest publication day in the index (days since 1970-01-01).
fn newest_day(searcher: &tantivy::Searcher) -> Option<i64> {
    searcher
        .segment_readers()
        .iter()
        .filter_map(|s| s.fast_fields().date("published").ok())
        .filter(|c| c.num_docs() > 0)
        .map(|c| c.max_value().into_timestamp_secs().div_euclid(86_400))
        .max()
}

/// A snippet builder for the body terms of `query`.
fn snippeter_for(
    store: &Store,
    query: &dyn tantivy::query::Query,
) -> Result<Snippeter, SearchError> {
    let body = store.fields.body;
    let mut terms = std::collections::HashSet::new();
    query.query_terms(&mut |term, _| {
        if term.field() == body {
            if let Some(t) = term.value().as_str() {
                terms.insert(t.to_string());
            }
        }
    });
    let analyzer = store.index.tokenizer_for_field(body)?;
    Ok(Snippeter::new(analyzer, terms))
}

/// One whole stored article by id: its fields as a hit (without snippet) and its body.
pub fn show(store: &Store, id: &str) -> Result<Option<(Hit, String)>, SearchError> {
    let searcher = store.searcher()?;
    let term = tantivy::Term::from_field_text(store.fields.id, &id.trim().to_lowercase());
    let q = tantivy::query::TermQuery::new(term, tantivy::schema::IndexRecordOption::Basic);
    let top = searcher.search(&q, &TopDocs::with_limit(1).order_by_score())?;
    let Some((_, addr)) = top.first() else {
        return Ok(None);
    };
    let doc: TantivyDocument = searcher.doc(*addr)?;
    let body = first_str(&doc, store.fields.body).unwrap_or_default();
    let mut hit = to_hit(&store.fields, &doc, None, None);
    hit.snippet.clear();
    Ok(Some((hit, body)))
}

/// Counts per period (`2003`, `2003-03`, ...) as a facet: when cut to `size`, the
/// busiest periods are kept, shown in time order. Also the number of periods.
pub fn periods(
    map: std::collections::BTreeMap<String, u64>,
    size: usize,
) -> (Vec<FacetValue>, usize) {
    let distinct = map.len();
    let mut counts: Vec<FacetValue> = map
        .into_iter()
        .map(|(value, count)| FacetValue { value, count })
        .collect();
    if counts.len() > size {
        counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        counts.truncate(size);
        counts.sort_by(|a, b| a.value.cmp(&b.value));
    }
    (counts, distinct)
}

/// Builds snippets for the words of `query` (no filters), for hits that come from
/// somewhere else than `store`'s own index (a cluster).
pub fn snippeter(store: &Store, query: &str, opts: QueryOptions) -> Result<Snippeter, SearchError> {
    let built = build_query(store, query, &Filters::default(), opts)?;
    Ok(snippeter_for(store, &*built.text)?.with_loose(built.loose))
}

fn facet_results(wanted: &[Facet], raw: RawCounts, size: usize) -> Vec<FacetCounts> {
    let mut keyword = raw.keyword.into_iter();
    let mut out = Vec::new();
    for f in wanted {
        let (counts, distinct) = match f {
            Facet::Field(_) => {
                let list = keyword.next().unwrap_or_default();
                let counts = list
                    .top
                    .into_iter()
                    .map(|(value, count)| FacetValue { value, count })
                    .collect();
                (counts, list.distinct)
            }
            Facet::Year | Facet::Month | Facet::Day => {
                let mut map: std::collections::BTreeMap<String, u64> = Default::default();
                for (day, n) in &raw.days {
                    *map.entry(day_label(*day, f)).or_insert(0) += n;
                }
                periods(map, size)
            }
        };
        out.push(FacetCounts {
            field: f.name().to_string(),
            counts,
            distinct,
        });
    }
    out
}

fn day_label(day: i64, facet: &Facet) -> String {
    let date = time::OffsetDateTime::from_unix_timestamp(day * 86_400)
        .map(|t| t.date())
        .unwrap_or(Date::MIN);
    match facet {
        Facet::Year => format!("{:04}", date.year()),
        Facet::Month => format!("{:04}-{:02}", date.year(), u8::from(date.month())),
        _ => format_date(date),
    }
}

fn first_str(doc: &TantivyDocument, f: Field) -> Option<String> {
    doc.get_first(f)
        .and_then(|v| v.as_str().map(str::to_string))
}

fn all_str(doc: &TantivyDocument, f: Field) -> Vec<String> {
    doc.get_all(f)
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn first_date(doc: &TantivyDocument, f: Field) -> Option<Date> {
    doc.get_first(f)
        .and_then(|v| v.as_datetime())
        .map(|d| d.into_utc().date())
}

/// Stored dateline of a document.
pub fn stored_dateline(fields: &Fields, doc: &TantivyDocument) -> Option<Dateline> {
    let dl = Dateline {
        place: first_str(doc, fields.dateline),
        date: first_date(doc, fields.dateline_date),
        agency: first_str(doc, fields.agency),
    };
    (dl != Dateline::default()).then_some(dl)
}

fn to_hit(
    fields: &Fields,
    doc: &TantivyDocument,
    score: Option<f32>,
    snippets: Option<&Snippeter>,
) -> Hit {
    let body = first_str(doc, fields.body).unwrap_or_default();
    let snippet = match snippets {
        Some(g) => g.snippet(&body),
        None => snippet::Snippet::default(),
    };
    Hit {
        id: first_str(doc, fields.id).unwrap_or_default(),
        score,
        headline: first_str(doc, fields.headline),
        published: first_date(doc, fields.published).map(format_date),
        source: first_str(doc, fields.source),
        dateline: stored_dateline(fields, doc),
        byline: first_str(doc, fields.byline),
        url: first_str(doc, fields.url),
        path: first_str(doc, fields.path).unwrap_or_default(),
        position: doc.get_first(fields.position).and_then(|v| v.as_u64()),
        highlights: snippet
            .highlights
            .iter()
            .map(|r| [r.start, r.end])
            .collect(),
        snippet: snippet.text,
        org: all_str(doc, fields.org),
        person: all_str(doc, fields.person),
        place: all_str(doc, fields.place),
        duplicates: Vec::new(),
    }
}
