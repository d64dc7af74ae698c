//! Raw arguments -> validated settings, before any work starts, so mistakes in
//! flags are reported first and clearly.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{bail, Result};

use newswire::article::parse_ymd;
use newswire::formats::FORMAT_NAMES;
use newswire::ingest::IndexOptions;
use newswire::schema::SchemaSpec;
use newswire::search::{
    Facet, Filters, Interval, QueryOptions, SearchRequest, Sort, FILTER_FIELDS,
};

use crate::cli::{FilterArgs, IndexArgs, IntervalArg, SearchArgs, SortArg, TimelineArgs};

/// Where the index lives when neither `--index` nor `NEWSWIRE_INDEX` says.
pub const DEFAULT_INDEX: &str = ".newswire";

pub fn index_dir(flag: Option<&Path>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(DEFAULT_INDEX))
}

pub fn check_format(name: &str) -> Result<()> {
    if !FORMAT_NAMES.contains(&name) {
        bail!(
            "unknown format {name:?} for --format (known: {})",
            FORMAT_NAMES.join(", ")
        );
    }
    Ok(())
}

pub fn index_options(a: &IndexArgs) -> Result<IndexOptions> {
    if let Some(f) = &a.format {
        check_format(f)?;
    }
    if a.memory < 50 {
        bail!(
            "--memory {} is too small: the index writer needs at least 50 MB",
            a.memory
        );
    }
    Ok(IndexOptions {
        inputs: a.paths.clone(),
        format: a.format.clone(),
        entities: !a.no_entities,
        memory_budget: a.memory << 20,
        commit_every_articles: a.commit_every.max(1),
        commit_every: Duration::from_secs(a.commit_seconds),
        prune_everywhere: a.prune,
    })
}

fn date(flag: &str, v: &Option<String>) -> Result<Option<time::Date>> {
    match v {
        None => Ok(None),
        Some(s) => match parse_ymd(s) {
            Some(d) => Ok(Some(d)),
            None => bail!("{flag} {s:?} is not a date: write YYYY-MM-DD, e.g. 2021-12-31"),
        },
    }
}

pub fn search_request(a: &SearchArgs) -> Result<SearchRequest> {
    let spec = SchemaSpec::builtin()?;
    let mut facets = Vec::new();
    for name in &a.facets {
        let f = Facet::from_name(&spec, name).map_err(anyhow::Error::msg)?;
        if !facets.contains(&f) {
            facets.push(f);
        }
    }
    if a.limit > 10_000 {
        bail!(
            "--limit {} is too large (at most 10000; page with --offset)",
            a.limit
        );
    }
    if a.facet_size == 0 {
        bail!("--facet-size must be at least 1");
    }
    let filters = filters(&a.filters)?;
    Ok(SearchRequest {
        query: a.query.clone(),
        filters,
        facets,
        facet_size: a.facet_size,
        limit: a.limit,
        offset: a.offset,
        sort: match a.sort {
            SortArg::Relevance => Sort::Relevance,
            SortArg::Date => Sort::Date,
            SortArg::DateDesc => Sort::DateDesc,
        },
        lenient: a.lenient,
        fuzzy: a.fuzzy,
        recent: a.recent,
        show_duplicates: a.duplicates == crate::cli::DuplicatesArg::Show,
        after: None,
    })
}

pub fn filters(a: &FilterArgs) -> Result<Filters> {
    Ok(Filters {
        org: a.org.clone(),
        person: a.person.clone(),
        place: a.place.clone(),
        source: a.source.clone(),
        topic: a.topic.clone(),
        category: a.category.clone(),
        dateline: a.dateline.clone(),
        from: date("--from", &a.from)?,
        to: date("--to", &a.to)?,
        exclude: a
            .exclude
            .iter()
            .map(|e| exclusion(e))
            .collect::<Result<_>>()?,
        ids: None,
    })
}

/// Filters as `(name, value)` pairs (how alerts keep them), checked first.
pub fn filter_pairs(a: &FilterArgs) -> Result<Vec<(String, String)>> {
    let checked = filters(a)?;
    let mut pairs = Vec::new();
    for (name, values) in [
        ("org", &a.org),
        ("person", &a.person),
        ("place", &a.place),
        ("source", &a.source),
        ("topic", &a.topic),
        ("category", &a.category),
        ("dateline", &a.dateline),
    ] {
        pairs.extend(values.iter().map(|v| (name.to_string(), v.clone())));
    }
    for (name, v) in [("from", &a.from), ("to", &a.to)] {
        if let Some(v) = v {
            pairs.push((name.to_string(), v.clone()));
        }
    }
    for (field, v) in checked.exclude {
        pairs.push((format!("not_{field}"), v));
    }
    Ok(pairs)
}

/// `org=Xinhua` -> `("org", "Xinhua")`.
fn exclusion(e: &str) -> Result<(String, String)> {
    match e.split_once('=') {
        Some((field, value))
            if FILTER_FIELDS.contains(&field.trim()) && !value.trim().is_empty() =>
        {
            Ok((field.trim().to_string(), value.trim().to_string()))
        }
        _ => bail!(
            "--exclude {e:?}: write FIELD=VALUE, e.g. --exclude org=Xinhua (FIELD is one of {})",
            FILTER_FIELDS.join(", ")
        ),
    }
}

/// A checked `timeline` request.
pub struct TimelineRequest {
    pub query: String,
    pub filters: Filters,
    pub interval: Interval,
    pub options: QueryOptions,
}

pub fn timeline_request(a: &TimelineArgs) -> Result<TimelineRequest> {
    Ok(TimelineRequest {
        query: a.query.clone(),
        filters: filters(&a.filters)?,
        interval: match a.by {
            IntervalArg::Day => Interval::Day,
            IntervalArg::Week => Interval::Week,
            IntervalArg::Month => Interval::Month,
            IntervalArg::Year => Interval::Year,
        },
        options: QueryOptions::default(),
    })
}
