//! Searches answered by a cluster, in the same shapes as local ones.
//!
//! The query text is checked by the local parser first (the same errors as a local
//! search), then sent as a `query_string` query: Quickwit and Elasticsearch read the
//! same grammar (words, `"phrases"`, `AND`/`OR`/`NOT`, `+`/`-`, `field:value`).
//! Filters become `terms` and `range` clauses, exclusions `must_not`, facets `terms`
//! aggregations (dates through the `year`/`month`/`day` keywords), and snippets are
//! cut from the returned bodies by the local snippet code.
//!
//! What differs from a local index, and why: ranking is plain BM25 (no tier for
//! articles holding the exact phrase or every word: a `query_string` cannot add
//! them), so near-duplicates may collapse onto another copy; `--recent`, `--fuzzy` and
//! cursor walks are local only.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::client::Client;
use super::mapping::TIME_FIELD;
use super::{Dialect, RemoteError};
use crate::article::{parse_ymd, Dateline};
use crate::search::{
    self, Facet, FacetCounts, FacetValue, Filters, Hit, Interval, QueryOptions, SearchRequest,
    SearchResult, Snippeter, Sort, Stats, Timeline,
};
use crate::store::Store;

/// Most distinct values a keyword facet is counted over.
const FACET_SCAN: usize = 1000;

/// The field that holds lowercased values of a keyword field.
fn filter_field(dialect: Dialect, field: &str) -> String {
    match dialect {
        Dialect::Quickwit => field.to_string(),
        Dialect::Elasticsearch => format!("{field}.lc"),
    }
}

fn rfc3339_day(d: time::Date) -> String {
    format!("{}T00:00:00Z", crate::article::format_date(d))
}

/// The `bool` query for the text and the filters, leaving out the filter on `skip`.
fn es_query(store: &Store, dialect: Dialect, text: &str, f: &Filters, skip: Option<&str>) -> Value {
    let mut must = Vec::new();
    if !text.trim().is_empty() {
        let fields: Vec<&str> = store
            .spec
            .default_search_fields()
            .into_iter()
            .map(|(f, _)| f)
            .collect();
        must.push(
            json!({"query_string": {"query": text, "fields": fields, "default_operator": "OR"}}),
        );
    }
    let mut filter = Vec::new();
    for (name, values) in [
        ("org", &f.org),
        ("person", &f.person),
        ("place", &f.place),
        ("source", &f.source),
        ("topic", &f.topic),
        ("category", &f.category),
        ("dateline", &f.dateline),
    ] {
        if values.is_empty() || skip == Some(name) {
            continue;
        }
        filter.push(any_name(
            dialect,
            name,
            json!(search::spellings(name, values)),
        ));
    }
    if f.from.is_some() || f.to.is_some() {
        let mut range = serde_json::Map::new();
        if let Some(d) = f.from {
            range.insert("gte".into(), Value::from(rfc3339_day(d)));
        }
        if let Some(d) = f.to {
            range.insert(
                "lt".into(),
                Value::from(rfc3339_day(d.next_day().unwrap_or(d))),
            );
        }
        filter.push(json!({"range": {TIME_FIELD: range}}));
    }
    if let Some(ids) = &f.ids {
        let lower: Vec<String> = ids.iter().map(|v| v.to_lowercase()).collect();
        filter.push(json!({"terms": {filter_field(dialect, "id"): lower}}));
    }
    let must_not: Vec<Value> = f
        .exclude
        .iter()
        .map(|(field, v)| {
            let values = search::spellings(field, std::slice::from_ref(v));
            any_name(dialect, field, json!(values))
        })
        .collect();
    if must.is_empty() {
        must.push(json!({"match_all": {}}));
    }
    json!({"bool": {"must": must, "filter": filter, "must_not": must_not}})
}

/// Articles with any of `values` (lowercased) in `field`, or for an entity field
/// among its aliases, as a local filter matches.
fn any_name(dialect: Dialect, field: &str, values: Value) -> Value {
    let mut any = vec![json!({"terms": {filter_field(dialect, field): values.clone()}})];
    if matches!(field, "org" | "person" | "place") {
        let alias = format!("{field}_alias");
        any.push(json!({"terms": {filter_field(dialect, &alias): values}}));
    }
    if any.len() == 1 {
        any.remove(0)
    } else {
        json!({"bool": {"should": any}})
    }
}

fn facet_field(f: &Facet) -> &str {
    match f {
        Facet::Field(name) => name,
        Facet::Year => "year",
        Facet::Month => "month",
        Facet::Day => "day",
    }
}

fn terms_agg(field: &str, size: usize) -> Value {
    json!({"terms": {"field": field, "size": size}})
}

/// (value, count) of a terms aggregation's buckets.
fn buckets(answer: &Value, name: &str) -> Vec<(String, u64)> {
    answer["aggregations"][name]["buckets"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|b| {
            let key = match &b["key"] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            Some((key, b["doc_count"].as_u64()?))
        })
        .collect()
}

fn facet_counts(f: &Facet, list: Vec<(String, u64)>, size: usize) -> FacetCounts {
    let (counts, distinct) = match f {
        Facet::Field(_) => {
            let distinct = list.len();
            let mut counts: Vec<FacetValue> = list
                .into_iter()
                .map(|(value, count)| FacetValue { value, count })
                .collect();
            counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            counts.truncate(size);
            (counts, distinct)
        }
        _ => search::periods(list.into_iter().collect::<BTreeMap<_, _>>(), size),
    };
    FacetCounts {
        field: f.name().to_string(),
        counts,
        distinct,
    }
}

fn str_of(src: &Value, field: &str) -> Option<String> {
    match &src[field] {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Array(a) => a.first().and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

fn list_of(src: &Value, field: &str) -> Vec<String> {
    match &src[field] {
        Value::String(s) => vec![s.clone()],
        Value::Array(a) => a
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => Vec::new(),
    }
}

fn day_of(src: &Value, field: &str) -> Option<time::Date> {
    str_of(src, field).and_then(|s| parse_ymd(s.get(..10)?))
}

/// A hit from a returned document (`_source`).
fn to_hit(src: &Value, score: Option<f32>, snippets: Option<&Snippeter>) -> (Hit, String) {
    let body = str_of(src, "body").unwrap_or_default();
    let snippet = snippets.map(|s| s.snippet(&body)).unwrap_or_default();
    let dateline = Dateline {
        place: str_of(src, "dateline"),
        date: day_of(src, "dateline_date"),
        agency: str_of(src, "agency"),
    };
    let hit = Hit {
        id: str_of(src, "id").unwrap_or_default(),
        score,
        headline: str_of(src, "headline"),
        published: day_of(src, "published").map(crate::article::format_date),
        source: str_of(src, "source"),
        dateline: (dateline != Dateline::default()).then_some(dateline),
        byline: str_of(src, "byline"),
        url: str_of(src, "url"),
        path: str_of(src, "path").unwrap_or_default(),
        position: src["position"].as_u64(),
        highlights: snippet
            .highlights
            .iter()
            .map(|r| [r.start, r.end])
            .collect(),
        snippet: snippet.text,
        org: list_of(src, "org"),
        person: list_of(src, "person"),
        place: list_of(src, "place"),
        duplicates: Vec::new(),
    };
    (hit, body)
}

/// Runs `req` on the cluster. `store` is an index with the same schema (an empty one
/// in memory will do): it checks the query and builds the snippets.
pub fn search(
    client: &Client,
    store: &Store,
    req: &SearchRequest,
) -> Result<SearchResult, RemoteError> {
    let started = std::time::Instant::now();
    let opts = QueryOptions {
        lenient: req.lenient,
        fuzzy: false,
    };
    // The same checks, and errors, as a local search.
    let built = search::build_query(store, &req.query, &req.filters, opts)
        .map_err(search::SearchError::from)?;
    let dialect = client.target.dialect;
    let mut aggs = serde_json::Map::new();
    for (i, f) in req.facets.iter().enumerate() {
        aggs.insert(
            format!("f{i}"),
            terms_agg(facet_field(f), FACET_SCAN.max(req.facet_size)),
        );
    }
    let sort = match req.sort {
        Sort::Relevance => json!([{"_score": {"order": "desc"}}]),
        Sort::Date => json!([{"published": {"order": "asc"}}]),
        Sort::DateDesc => json!([{"published": {"order": "desc"}}]),
    };
    // Collapsing near-duplicates needs more candidates than the page shows, as
    // locally.
    let collapse = !req.show_duplicates;
    let (size, from) = if collapse {
        let wanted = (req.offset + req.limit.max(1)) * 3 + 10;
        // 10,000: the most hits Elasticsearch returns by default.
        (wanted.min(10_000), 0)
    } else {
        (req.limit, req.offset)
    };
    let body = json!({
        "query": es_query(store, dialect, &req.query, &req.filters, None),
        "size": if req.limit == 0 { 0 } else { size },
        "from": from,
        "sort": sort,
        "track_total_hits": true,
        "aggs": aggs,
    });
    let answer = client.search(&body)?;
    let mut facets = Vec::new();
    for (i, f) in req.facets.iter().enumerate() {
        let mut list = buckets(&answer, &format!("f{i}"));
        // Multi-select: a filtered field's counts ignore its own filter.
        if let Facet::Field(name) = f {
            if !filter_values(&req.filters, name).is_empty() {
                let again = client.search(&json!({
                    "query": es_query(store, dialect, &req.query, &req.filters, Some(name)),
                    "size": 0,
                    "aggs": {"f": terms_agg(name, FACET_SCAN.max(req.facet_size))},
                }))?;
                list = buckets(&again, "f");
            }
        }
        facets.push(facet_counts(f, list, req.facet_size));
    }
    let snippets = search::snippeter(store, &req.query, opts)?;
    let scored = req.sort == Sort::Relevance;
    let mut hits: Vec<Hit> = Vec::new();
    // Kept hits' fingerprints.
    let mut prints: Vec<u64> = Vec::new();
    for h in answer["hits"]["hits"].as_array().into_iter().flatten() {
        let src = &h["_source"];
        let print = src["simhash"].as_u64().unwrap_or(0);
        if collapse {
            if let Some(i) = prints.iter().position(|p| search::near(*p, print)) {
                hits[i]
                    .duplicates
                    .push(str_of(src, "id").unwrap_or_default());
                continue;
            }
        }
        let score = if scored {
            h["_score"].as_f64().map(|s| s as f32)
        } else {
            None
        };
        hits.push(to_hit(src, score, Some(&snippets)).0);
        prints.push(print);
    }
    if collapse {
        hits = hits.into_iter().skip(req.offset).take(req.limit).collect();
    }
    Ok(SearchResult {
        total_hits: answer["hits"]["total"]["value"].as_u64().unwrap_or(0),
        hits,
        facets,
        warnings: built.warnings,
        suggestion: None,
        took_ms: started.elapsed().as_secs_f64() * 1000.0,
        next: None,
    })
}

fn filter_values<'a>(f: &'a Filters, field: &str) -> &'a [String] {
    match field {
        "org" => &f.org,
        "person" => &f.person,
        "place" => &f.place,
        "source" => &f.source,
        "topic" => &f.topic,
        "category" => &f.category,
        "dateline" => &f.dateline,
        _ => &[],
    }
}

/// Matching articles per day, days since 1970-01-01, and how many match in all.
fn days(client: &Client, query: Value) -> Result<(BTreeMap<i64, u64>, u64), RemoteError> {
    let answer = client.search(&json!({
        "query": query,
        "size": 0,
        "track_total_hits": true,
        "aggs": {"d": terms_agg("day", 100_000)},
    }))?;
    let mut out = BTreeMap::new();
    for (key, n) in buckets(&answer, "d") {
        if let Some(d) = parse_ymd(&key) {
            let day = d
                .midnight()
                .assume_utc()
                .unix_timestamp()
                .div_euclid(86_400);
            *out.entry(day).or_insert(0) += n;
        }
    }
    Ok((out, answer["hits"]["total"]["value"].as_u64().unwrap_or(0)))
}

/// Counts articles matching `query` and `filters` per `interval`, on the cluster.
pub fn timeline(
    client: &Client,
    store: &Store,
    query: &str,
    filters: &Filters,
    interval: Interval,
    opts: QueryOptions,
) -> Result<Timeline, RemoteError> {
    search::build_query(store, query, filters, opts).map_err(search::SearchError::from)?;
    let dialect = client.target.dialect;
    let (matching, total) = days(client, es_query(store, dialect, query, filters, None))?;
    let (all, _) = days(client, json!({"match_all": {}}))?;
    Ok(search::assemble_timeline(&matching, &all, interval, total))
}

/// What the cluster's index holds; facets show the `top` most frequent values.
pub fn stats(client: &Client, store: &Store, top: usize) -> Result<Stats, RemoteError> {
    let wanted = [
        Facet::Field("source".into()),
        Facet::Field("org".into()),
        Facet::Field("person".into()),
        Facet::Field("place".into()),
        Facet::Year,
    ];
    let mut aggs = serde_json::Map::new();
    for (i, f) in wanted.iter().enumerate() {
        aggs.insert(
            format!("f{i}"),
            terms_agg(facet_field(f), FACET_SCAN.max(top)),
        );
    }
    aggs.insert("d".into(), terms_agg("day", 100_000));
    let answer = client.search(&json!({
        "query": {"match_all": {}},
        "size": 0,
        "track_total_hits": true,
        "aggs": aggs,
    }))?;
    let articles = answer["hits"]["total"]["value"].as_u64().unwrap_or(0);
    let days = buckets(&answer, "d");
    let first_date = days.iter().map(|(d, _)| d.clone()).min();
    let last_date = days.iter().map(|(d, _)| d.clone()).max();
    let dated: u64 = days.iter().map(|(_, n)| n).sum();
    let facets = wanted
        .iter()
        .enumerate()
        .map(|(i, f)| facet_counts(f, buckets(&answer, &format!("f{i}")), top))
        .collect();
    Ok(Stats {
        articles,
        index_path: format!("{}/{}", client.target.url, client.target.index),
        index_bytes: 0,
        segments: 0,
        schema: store.meta.schema_name.clone(),
        schema_version: store.meta.schema_version,
        built_by: format!("newswire {}", env!("CARGO_PKG_VERSION")),
        first_date,
        last_date,
        undated: articles.saturating_sub(dated),
        facets,
    })
}

/// The article with `id` and its whole body, from the cluster.
pub fn show(client: &Client, id: &str) -> Result<Option<(Hit, String)>, RemoteError> {
    let field = filter_field(client.target.dialect, "id");
    let answer = client.search(&json!({
        "query": {"term": {field: {"value": id.trim().to_lowercase()}}},
        "size": 1,
    }))?;
    Ok(answer["hits"]["hits"]
        .as_array()
        .and_then(|h| h.first())
        .map(|h| to_hit(&h["_source"], None, None)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_terms_ranges_and_exclusions() {
        let store = Store::in_memory().expect("store");
        let f = Filters {
            org: vec!["NATO".into()],
            from: parse_ymd("2003-01-01"),
            to: parse_ymd("2003-12-31"),
            exclude: vec![("place".into(), "Iraq".into())],
            ..Filters::default()
        };
        let q = es_query(&store, Dialect::Quickwit, "troops", &f, None);
        assert_eq!(
            q["bool"]["filter"][0],
            json!({"bool": {"should": [{"terms": {"org": ["nato"]}}, {"terms": {"org_alias": ["nato"]}}]}})
        );
        assert_eq!(
            q["bool"]["filter"][1]["range"][TIME_FIELD]["lt"],
            "2004-01-01T00:00:00Z"
        );
        assert_eq!(
            q["bool"]["must_not"][0]["bool"]["should"][0]["terms"]["place"][0],
            "iraq"
        );
        let es = es_query(&store, Dialect::Elasticsearch, "", &f, Some("org"));
        assert_eq!(es["bool"]["must"][0], json!({"match_all": {}}));
        assert_eq!(es["bool"]["filter"].as_array().map(Vec::len), Some(1));
    }
}
