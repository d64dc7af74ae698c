//! Text for people: aligned columns, highlights in colour on a terminal.

use std::io::{self, Write};

use newswire::article::{format_date, Article, Dateline};
use newswire::ingest::IndexSummary;
use newswire::search::{FacetCounts, Hit, SearchResult, Stats, Timeline};

/// Whether to use colour.
#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, text: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_string()
        }
    }
    fn bold(&self, t: &str) -> String {
        self.paint("1", t)
    }
    fn dim(&self, t: &str) -> String {
        self.paint("2", t)
    }
    fn mark(&self, t: &str) -> String {
        if self.color {
            self.paint("1;33", t)
        } else {
            format!("[{t}]")
        }
    }
}

fn dateline_text(d: &Dateline) -> String {
    let mut s = d.place.clone().unwrap_or_default();
    if let Some(date) = d.date {
        if !s.is_empty() {
            s.push_str(", ");
        }
        s.push_str(&format_date(date));
    }
    if let Some(a) = &d.agency {
        s.push_str(&format!(" ({a})"));
    }
    s.trim().to_string()
}

fn meta_line(published: Option<&str>, source: Option<&str>, dateline: Option<&Dateline>) -> String {
    let mut parts = Vec::new();
    parts.push(published.unwrap_or("undated").to_string());
    if let Some(s) = source {
        parts.push(s.to_string());
    }
    if let Some(d) = dateline.map(dateline_text).filter(|d| !d.is_empty()) {
        parts.push(format!("dateline: {d}"));
    }
    parts.join(" · ")
}

fn highlighted(style: Style, text: &str, ranges: &[[usize; 2]]) -> String {
    let mut out = String::new();
    let mut at = 0;
    for r in ranges {
        let (s, e) = (r[0], r[1]);
        if s < at || e > text.len() || !text.is_char_boundary(s) || !text.is_char_boundary(e) {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(&style.mark(&text[s..e]));
        at = e;
    }
    out.push_str(&text[at..]);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

pub fn search(
    out: &mut dyn Write,
    style: Style,
    offset: usize,
    r: &SearchResult,
) -> io::Result<()> {
    for w in &r.warnings {
        writeln!(out, "{} {w}", style.dim("skipped part of the query:"))?;
    }
    for (i, hit) in r.hits.iter().enumerate() {
        let headline = hit.headline.as_deref().unwrap_or("(no headline)");
        writeln!(out, "{:>3}. {}", offset + i + 1, style.bold(headline))?;
        let meta = meta_line(
            hit.published.as_deref(),
            hit.source.as_deref(),
            hit.dateline.as_ref(),
        );
        writeln!(out, "     {}", style.dim(&meta))?;
        if !hit.snippet.is_empty() {
            writeln!(
                out,
                "     {}",
                highlighted(style, &hit.snippet, &hit.highlights)
            )?;
        }
        let mut origin = hit.path.clone();
        if let Some(p) = hit.position {
            origin.push_str(&format!(" #{p}"));
        }
        writeln!(
            out,
            "     {}",
            style.dim(&format!("{origin} · id {}", hit.id))
        )?;
        writeln!(out)?;
    }
    facets(out, style, &r.facets)?;
    let shown = if r.hits.is_empty() {
        String::new()
    } else {
        format!(", showing {}-{}", offset + 1, offset + r.hits.len())
    };
    writeln!(
        out,
        "{} matching article{}{shown} ({:.1} ms)",
        r.total_hits,
        if r.total_hits == 1 { "" } else { "s" },
        r.took_ms
    )?;
    if let Some(s) = &r.suggestion {
        writeln!(out, "did you mean: {}", style.bold(s))?;
    }
    Ok(())
}

pub fn facets(out: &mut dyn Write, style: Style, facets: &[FacetCounts]) -> io::Result<()> {
    for f in facets {
        let more = if f.distinct > f.counts.len() {
            format!(" (top {} of {})", f.counts.len(), f.distinct)
        } else {
            String::new()
        };
        writeln!(
            out,
            "{}{}",
            style.bold(&format!("{}:", f.field)),
            style.dim(&more)
        )?;
        if f.counts.is_empty() {
            writeln!(out, "  (none)")?;
        }
        let width = f
            .counts
            .iter()
            .map(|c| c.value.chars().count())
            .max()
            .unwrap_or(0)
            .min(40);
        let max = f.counts.iter().map(|c| c.count).max().unwrap_or(1).max(1);
        for c in &f.counts {
            let bar = "█".repeat(((c.count * 24).div_ceil(max)) as usize);
            writeln!(
                out,
                "  {:<width$}  {:>7}  {}",
                c.value,
                c.count,
                style.dim(&bar)
            )?;
        }
        writeln!(out)?;
    }
    Ok(())
}

pub fn article(out: &mut dyn Write, style: Style, a: &Article) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        style.bold(a.headline.as_deref().unwrap_or("(no headline)"))
    )?;
    let published = a.published.map(format_date);
    let mut meta = meta_line(
        published.as_deref(),
        a.source.as_deref(),
        a.dateline.as_ref(),
    );
    if a.published_from == Some(newswire::article::DateOrigin::Path) {
        meta.push_str(" (date from the file path)");
    }
    writeln!(out, "{}", style.dim(&meta))?;
    let mut origin = format!("{} · format {} · id {}", a.path, a.format, a.id);
    if let Some(p) = a.position {
        origin.push_str(&format!(" · article #{p}"));
    }
    writeln!(out, "{}", style.dim(&origin))?;
    for (label, v) in [
        ("byline", &a.byline),
        ("category", &a.category),
        ("url", &a.url),
    ] {
        if let Some(v) = v {
            writeln!(out, "{label}: {v}")?;
        }
    }
    for (label, v) in [
        ("org", &a.org),
        ("person", &a.person),
        ("place", &a.place),
        ("topic", &a.topic),
    ] {
        if !v.is_empty() {
            writeln!(out, "{label}: {}", v.join("; "))?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", a.body)?;
    writeln!(out, "{}", style.dim("----"))
}

pub fn show(out: &mut dyn Write, style: Style, hit: &Hit, body: &str) -> io::Result<()> {
    writeln!(
        out,
        "{}",
        style.bold(hit.headline.as_deref().unwrap_or("(no headline)"))
    )?;
    writeln!(
        out,
        "{}",
        style.dim(&meta_line(
            hit.published.as_deref(),
            hit.source.as_deref(),
            hit.dateline.as_ref()
        ))
    )?;
    let mut origin = format!("{} · id {}", hit.path, hit.id);
    if let Some(p) = hit.position {
        origin.push_str(&format!(" · article #{p}"));
    }
    writeln!(out, "{}", style.dim(&origin))?;
    for (label, v) in [
        ("org", &hit.org),
        ("person", &hit.person),
        ("place", &hit.place),
    ] {
        if !v.is_empty() {
            writeln!(out, "{label}: {}", v.join("; "))?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{body}")
}

pub fn index_summary(out: &mut dyn Write, s: &IndexSummary) -> io::Result<()> {
    if s.seen_no_file() {
        writeln!(out, "nothing indexed: no readable file in the paths given")?;
        return writeln!(out, "the index holds {} articles", s.index_articles);
    }
    if s.up_to_date() {
        writeln!(
            out,
            "nothing changed: {} files unchanged, nothing parsed",
            s.files_unchanged
        )?;
        return writeln!(out, "the index holds {} articles", s.index_articles);
    }
    let mb = s.bytes as f64 / 1e6;
    writeln!(
        out,
        "indexed {} articles from {} files ({mb:.1} MB) in {:.1} s: {:.0} articles/s, {:.1} MB/s",
        s.articles, s.files, s.seconds, s.articles_per_second, s.mb_per_second
    )?;
    writeln!(
        out,
        "files: {} new, {} changed, {} unchanged, {} removed ({} articles removed)",
        s.files_new, s.files_changed, s.files_unchanged, s.files_removed, s.articles_removed
    )?;
    if s.names_changed {
        writeln!(
            out,
            "names.toml changed: {} articles re-tagged (no file read again for them)",
            s.retagged
        )?;
    }
    if s.duplicates > 0 {
        writeln!(
            out,
            "{} duplicate articles (same id, or the same story in another file) stored once",
            s.duplicates
        )?;
    }
    if s.files_skipped + s.articles_skipped > 0 {
        writeln!(
            out,
            "skipped {} files and {} articles (every reason: --json)",
            s.files_skipped, s.articles_skipped
        )?;
    }
    if !s.warnings.is_empty() {
        let n = s.warnings.len();
        let plural = if n == 1 { "" } else { "s" };
        writeln!(
            out,
            "{n} warning{plural} about files that were indexed (every one: --json)"
        )?;
    }
    if s.interrupted {
        writeln!(
            out,
            "interrupted: everything above is committed; run the same command again to finish"
        )?;
    }
    writeln!(out, "the index now holds {} articles", s.index_articles)
}

pub fn stats(out: &mut dyn Write, style: Style, s: &Stats) -> io::Result<()> {
    writeln!(out, "{} {}", style.bold("index:"), s.index_path)?;
    writeln!(out, "articles: {}", s.articles)?;
    let span = match (&s.first_date, &s.last_date) {
        (Some(a), Some(b)) => format!("{a} to {b}"),
        _ => "no dated articles".to_string(),
    };
    writeln!(out, "dates: {span} ({} undated)", s.undated)?;
    writeln!(
        out,
        "size on disk: {:.1} MB in {} segments",
        s.index_bytes as f64 / 1e6,
        s.segments
    )?;
    writeln!(
        out,
        "schema: {} v{} (built by newswire {})",
        s.schema, s.schema_version, s.built_by
    )?;
    writeln!(out)?;
    facets(out, style, &s.facets)
}

/// Widest bar of a timeline, in characters.
const CHART_WIDTH: u64 = 50;

pub fn timeline(out: &mut dyn Write, style: Style, query: &str, t: &Timeline) -> io::Result<()> {
    let shown = if query.trim().is_empty() {
        "all articles"
    } else {
        query
    };
    writeln!(out, "{} {}", style.bold("timeline:"), shown)?;
    if t.buckets.is_empty() {
        writeln!(out, "no dated articles match")?;
        return Ok(());
    }
    let max = t.buckets.iter().map(|b| b.count).max().unwrap_or(1).max(1);
    let width = t.buckets.iter().map(|b| b.label.len()).max().unwrap_or(4);
    let digits = max.to_string().len();
    let mut empty_run = 0usize;
    for (i, b) in t.buckets.iter().enumerate() {
        // Long stretches of empty periods are folded into one line.
        if b.count == 0 {
            empty_run += 1;
            let next_nonzero = t.buckets.get(i + 1).is_none_or(|n| n.count > 0);
            if next_nonzero && empty_run > 3 {
                writeln!(
                    out,
                    "{}",
                    style.dim(&format!("{:<width$}  … {empty_run} empty periods", ""))
                )?;
                empty_run = 0;
            } else if next_nonzero {
                for e in &t.buckets[i + 1 - empty_run..=i] {
                    writeln!(out, "{:<width$}  {:>digits$}", e.label, 0)?;
                }
                empty_run = 0;
            }
            continue;
        }
        let len = (b.count * CHART_WIDTH).div_ceil(max) as usize;
        let bar = "█".repeat(len);
        let peak = if t.peak.as_deref() == Some(b.label.as_str()) {
            style.bold(" ← peak")
        } else {
            String::new()
        };
        writeln!(
            out,
            "{:<width$}  {:>digits$}  {bar}{peak}",
            b.label, b.count
        )?;
    }
    writeln!(out)?;
    let undated = if t.undated > 0 {
        format!(" ({} undated, not shown)", t.undated)
    } else {
        String::new()
    };
    writeln!(
        out,
        "{} dated articles from {} to {}{undated}",
        t.dated,
        t.buckets.first().map_or("", |b| b.label.as_str()),
        t.buckets.last().map_or("", |b| b.label.as_str()),
    )
}
