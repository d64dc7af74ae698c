//! The only code that prints results: a human printer (aligned, highlighted,
//! honouring `NO_COLOR`) and a JSON Lines printer, over the same result structs.

mod human;

use std::io::{self, Write};

use serde::Serialize;

use newswire::article::Article;
use newswire::ingest::IndexSummary;
use newswire::jsonl::{ErrorObject, Tagged};
use newswire::search::{Hit, SearchResult, Stats, Timeline};

pub use human::Style;

fn json_line<T: Serialize>(out: &mut dyn Write, kind: &str, value: &T) -> io::Result<()> {
    serde_json::to_writer(&mut *out, &Tagged::new(kind, value))?;
    out.write_all(b"\n")
}

/// Prints an error as a JSON line (`--json` runs), besides the message on stderr.
pub fn error(out: &mut dyn Write, message: &str) -> io::Result<()> {
    json_line(
        out,
        "error",
        &ErrorObject {
            error: message.to_string(),
        },
    )
}

#[derive(Serialize)]
struct SearchSummary<'a> {
    query: &'a str,
    total_hits: u64,
    returned: usize,
    offset: usize,
    took_ms: f64,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    did_you_mean: Option<&'a str>,
}

/// Prints a search result.
pub fn search(
    out: &mut dyn Write,
    json: bool,
    style: Style,
    query: &str,
    offset: usize,
    result: &SearchResult,
) -> io::Result<()> {
    if json {
        for hit in &result.hits {
            json_line(out, "hit", hit)?;
        }
        for facet in &result.facets {
            json_line(out, "facet", facet)?;
        }
        let summary = SearchSummary {
            query,
            total_hits: result.total_hits,
            returned: result.hits.len(),
            offset,
            took_ms: round2(result.took_ms),
            warnings: &result.warnings,
            did_you_mean: result.suggestion.as_deref(),
        };
        return json_line(out, "summary", &summary);
    }
    human::search(out, style, offset, result)
}

/// Prints the articles `newswire parse` extracted.
pub fn article(out: &mut dyn Write, json: bool, style: Style, a: &Article) -> io::Result<()> {
    if json {
        return json_line(out, "article", a);
    }
    human::article(out, style, a)
}

/// Prints an indexing summary.
pub fn index_summary(out: &mut dyn Write, json: bool, s: &IndexSummary) -> io::Result<()> {
    if json {
        let mut rounded = s.clone();
        rounded.seconds = round2(s.seconds);
        rounded.articles_per_second = round2(s.articles_per_second);
        rounded.mb_per_second = round2(s.mb_per_second);
        return json_line(out, "summary", &rounded);
    }
    human::index_summary(out, s)
}

/// Prints index statistics.
pub fn stats(out: &mut dyn Write, json: bool, style: Style, s: &Stats) -> io::Result<()> {
    if json {
        return json_line(out, "stats", s);
    }
    human::stats(out, style, s)
}

/// Prints one stored article (`newswire show`).
pub fn show(
    out: &mut dyn Write,
    json: bool,
    style: Style,
    hit: &Hit,
    body: &str,
) -> io::Result<()> {
    if json {
        #[derive(Serialize)]
        struct Full<'a> {
            #[serde(flatten)]
            hit: &'a Hit,
            body: &'a str,
        }
        return json_line(out, "article", &Full { hit, body });
    }
    human::show(out, style, hit, body)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

#[derive(Serialize)]
struct TimelineSummary<'a> {
    query: &'a str,
    interval: newswire::search::Interval,
    dated: u64,
    undated: u64,
    peak: Option<&'a str>,
}

/// Prints a timeline: a bar chart, or one JSON object per period and a summary.
pub fn timeline(
    out: &mut dyn Write,
    json: bool,
    style: Style,
    query: &str,
    t: &Timeline,
) -> io::Result<()> {
    if json {
        for b in &t.buckets {
            json_line(out, "bucket", b)?;
        }
        let summary = TimelineSummary {
            query,
            interval: t.interval,
            dated: t.dated,
            undated: t.undated,
            peak: t.peak.as_deref(),
        };
        return json_line(out, "summary", &summary);
    }
    human::timeline(out, style, query, t)
}

/// Prints one saved alert (`newswire alert list`).
pub fn alert(
    out: &mut dyn Write,
    json: bool,
    a: &newswire::alerts::Alert,
    state: &newswire::alerts::AlertState,
) -> io::Result<()> {
    if json {
        #[derive(Serialize)]
        struct Listed<'a> {
            #[serde(flatten)]
            alert: &'a newswire::alerts::Alert,
            last_checked: Option<&'a str>,
            pending: usize,
            recent: Vec<&'a str>,
        }
        return json_line(
            out,
            "alert",
            &Listed {
                alert: a,
                last_checked: state.last_checked.as_deref(),
                pending: state.pending.len(),
                recent: state.recent.iter().map(|h| h.id.as_str()).collect(),
            },
        );
    }
    let filters: Vec<String> = a.filters.iter().map(|(k, v)| format!("{k}={v}")).collect();
    writeln!(
        out,
        "{}  {:?}{}{}  (last checked {})",
        a.name,
        a.query,
        if filters.is_empty() { "" } else { "  " },
        filters.join(" "),
        state.last_checked.as_deref().unwrap_or("never")
    )
}

/// Prints one new match of an alert (`newswire alert check`).
pub fn alert_match(
    out: &mut dyn Write,
    json: bool,
    style: Style,
    a: &newswire::alerts::Alert,
    delivery: u64,
    hit: &Hit,
) -> io::Result<()> {
    if json {
        let line = newswire::alerts::Delivered {
            kind: "alert",
            alert: &a.name,
            delivery,
            query: &a.query,
            hit,
        };
        serde_json::to_writer(&mut *out, &line)?;
        return out.write_all(b"\n");
    }
    let _ = style;
    writeln!(
        out,
        "[{}] {} · {} · {}\n    id {}",
        a.name,
        hit.headline.as_deref().unwrap_or("(no headline)"),
        hit.published.as_deref().unwrap_or("undated"),
        hit.source.as_deref().unwrap_or("unknown source"),
        hit.id
    )
}
