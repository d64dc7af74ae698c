//! Checks against the real corpora in `../shared/corpora` (research data that never
//! enters the repository). Run with
//! `cargo test --release --lib formats::corpus_check -- --ignored --nocapture`;
//! each test skips, saying why, when the corpora are absent (`NEWSWIRE_CORPORA`
//! overrides the location).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use super::{parse_file, ParseError};
use crate::article::{Article, DateOrigin};

fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("NEWSWIRE_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"));
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "skipped: corpora not found at {} (set NEWSWIRE_CORPORA)",
            dir.display()
        );
        None
    }
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Articles, per-article errors and per-file outcomes of parsing a folder.
#[derive(Default)]
struct Run {
    articles: Vec<Article>,
    errors: Vec<String>,
    skipped: Vec<(PathBuf, String)>,
    formats: BTreeMap<String, usize>,
    bytes: u64,
    secs: f64,
}

fn run(dir: &Path) -> Run {
    let mut r = Run::default();
    let start = Instant::now();
    for f in files(dir) {
        let mut arts = Vec::new();
        let mut errs = Vec::new();
        match parse_file(&f, None, &mut |a| match a {
            Ok(a) => arts.push(a),
            Err(e) => errs.push(e.to_string()),
        }) {
            Ok(info) => {
                *r.formats.entry(info.format).or_default() += 1;
                r.bytes += info.bytes;
            }
            Err(e) => r.skipped.push((f.clone(), e.to_string())),
        }
        r.articles.extend(arts);
        r.errors.extend(errs);
    }
    r.secs = start.elapsed().as_secs_f64();
    println!(
        "{}: {} articles, {} article errors, {} files skipped, formats {:?}, {:.1} MB in {:.2}s = {:.1} MB/s",
        dir.display(),
        r.articles.len(),
        r.errors.len(),
        r.skipped.len(),
        r.formats,
        r.bytes as f64 / 1e6,
        r.secs,
        r.bytes as f64 / 1e6 / r.secs.max(1e-9)
    );
    for (p, why) in r.skipped.iter().take(10) {
        println!("  skipped {}: {why}", p.display());
    }
    for e in r.errors.iter().take(5) {
        println!("  error {e}");
    }
    r
}

fn pct(n: usize, d: usize) -> f64 {
    100.0 * n as f64 / d.max(1) as f64
}

#[test]
#[ignore]
fn xinhua_pages() {
    let Some(c) = corpora() else { return };
    let r = run(&c.join("xinhua-pages"));
    assert_eq!(r.articles.len(), 612);
    let mut bad = 0;
    for a in &r.articles {
        let ok = a.format == "page"
            && a.headline.as_deref().is_some_and(|h| !h.is_empty())
            && a.published.is_some()
            && a.published_from == Some(DateOrigin::Text)
            && a.source.as_deref() == Some("Xinhua")
            && a.dateline
                .as_ref()
                .is_some_and(|d| d.place.is_some() && d.date.is_some())
            && !a.body.contains("Enditem")
            && !a.body.contains("Comment(s)")
            && !a.body.contains("Print E-mail");
        if !ok {
            bad += 1;
            if bad < 5 {
                println!(
                    "  bad: {} {:?} {:?} {:?}",
                    a.path, a.headline, a.published, a.dateline
                );
            }
        }
        // The headline is the first line exactly.
        let text = std::fs::read_to_string(&a.path).expect("utf-8 page");
        assert_eq!(
            a.headline.as_deref(),
            text.lines().next().map(str::trim),
            "{}",
            a.path
        );
    }
    println!(
        "  complete (headline, page date, dateline place+date, clean body): {:.2}%",
        pct(612 - bad, 612)
    );
    assert_eq!(bad, 0);
}

#[test]
#[ignore]
fn afp_wire() {
    let Some(c) = corpora() else { return };
    let r = run(&c.join("afp-wire"));
    assert_eq!(r.articles.len(), 1062);
    let with_place = r
        .articles
        .iter()
        .filter(|a| a.dateline.as_ref().is_some_and(|d| d.place.is_some()))
        .count();
    let with_date = r.articles.iter().filter(|a| a.published.is_some()).count();
    let with_dl = r.articles.iter().filter(|a| a.dateline.is_some()).count();
    println!(
        "  dateline {:.2}%, dateline place {:.2}%, date {:.2}%",
        pct(with_dl, 1062),
        pct(with_place, 1062),
        pct(with_date, 1062)
    );
    for a in r
        .articles
        .iter()
        .filter(|a| a.dateline.as_ref().is_none_or(|d| d.place.is_none()))
    {
        println!("  no place: {} {:?}", a.path, a.body.get(..80));
    }
    assert_eq!(with_date, 1062);
}

#[test]
#[ignore]
fn bbc() {
    let Some(c) = corpora() else { return };
    let r = run(&c.join("bbc"));
    assert_eq!(r.articles.len(), 2225);
    let ok = r
        .articles
        .iter()
        .filter(|a| a.headline.is_some() && a.category.is_some() && !a.body.is_empty())
        .count();
    println!("  headline+category+body {:.2}%", pct(ok, 2225));
    let a = r
        .articles
        .iter()
        .find(|a| a.path.ends_with("sport/199.txt"))
        .expect("sport/199");
    assert!(a.body.contains('\u{a3}'), "pound sign decoded");
    assert!(!a.body.contains('\u{fffd}'));
    assert_eq!(ok, 2225);
}

#[test]
#[ignore]
fn reuters() {
    let Some(c) = corpora() else { return };
    let dir = c.join("reuters21578");
    let r = run(&dir);
    println!("  article errors: {:?}", r.errors);
    assert_eq!(r.articles.len(), 21_577);
    // Gold from the raw SGML, read independently with plain string search.
    let mut gold: BTreeMap<String, (Option<String>, Option<String>)> = BTreeMap::new();
    for f in files(&dir)
        .into_iter()
        .filter(|f| f.extension().is_some_and(|e| e == "sgm"))
    {
        let bytes = std::fs::read(&f).expect("read sgm");
        let text = String::from_utf8_lossy(&bytes);
        for doc in text.split("<REUTERS ").skip(1) {
            let newid = between(doc, "NEWID=\"", "\"").unwrap_or_default();
            let title = between(doc, "<TITLE>", "</TITLE>").map(|t| {
                let t = t
                    .replace("&lt;", "<")
                    .replace("&gt;", ">")
                    .replace("&amp;", "&");
                let t = decode_numeric(&t);
                t.chars()
                    .filter(|c| !c.is_control() || *c == '\n')
                    .collect::<String>()
                    .split_whitespace()
                    .collect::<Vec<_>>()
                    .join(" ")
            });
            let date = between(doc, "<DATE>", "</DATE>").map(|d| d.trim().to_string());
            gold.insert(format!("reuters-{newid}"), (title, date));
        }
    }
    let (mut titles, mut title_ok, mut dates, mut date_ok) = (0, 0, 0, 0);
    for a in &r.articles {
        let (title, date) = gold.get(&a.id).cloned().unwrap_or_default();
        if let Some(t) = title {
            titles += 1;
            let got = a
                .headline
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ");
            if got == t {
                title_ok += 1;
            } else if titles - title_ok < 5 {
                println!("  title mismatch {}: {got:?} vs {t:?}", a.id);
            }
        }
        if let Some(d) = date {
            dates += 1;
            let want = reuters_gold_date(&d);
            if want.is_some() && a.published.map(crate::article::format_date) == want {
                date_ok += 1;
            } else if dates - date_ok < 5 {
                println!("  date mismatch {}: {:?} vs {d:?}", a.id, a.published);
            }
        }
    }
    println!(
        "  TITLE exact {:.3}% of {titles}; DATE {:.3}% of {dates}",
        pct(title_ok, titles),
        pct(date_ok, dates)
    );
    let unproc = r.articles.iter().filter(|a| a.headline.is_none()).count();
    let brief = r.articles.iter().filter(|a| a.body.is_empty()).count();
    println!("  without headline (UNPROC): {unproc}; without body (BRIEF): {brief}");
    assert!(pct(title_ok, titles) >= 99.9);
    assert!(pct(date_ok, dates) >= 99.9);
}

fn decode_numeric(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find("&#") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        match after.find(';') {
            Some(j) if after[..j].chars().all(|c| c.is_ascii_digit()) && j > 0 => {
                if let Some(c) = after[..j].parse::<u32>().ok().and_then(char::from_u32) {
                    out.push(c);
                }
                rest = &after[j + 1..];
            }
            _ => {
                out.push_str("&#");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn reuters_gold_date(d: &str) -> Option<String> {
    // `26-FEB-1987 15:01:01.79`
    let first = d.split_whitespace().next()?;
    let mut it = first.split('-');
    let day: u32 = it.next()?.parse().ok()?;
    let mon = it.next()?;
    let year: u32 = it.next()?.get(..4)?.parse().ok()?;
    let months = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    let m = months.iter().position(|x| *x == mon)? + 1;
    Some(format!("{year:04}-{m:02}-{day:02}"))
}

fn between<'a>(s: &'a str, a: &str, b: &str) -> Option<&'a str> {
    let i = s.find(a)? + a.len();
    let j = s[i..].find(b)? + i;
    Some(&s[i..j])
}

#[test]
#[ignore]
fn ap89() {
    let Some(c) = corpora() else { return };
    let r = run(&c.join("ap89"));
    assert_eq!(r.articles.len(), 2228);
    let ok = r
        .articles
        .iter()
        .filter(|a| a.headline.as_deref().is_some_and(|h| !h.is_empty()) && a.published.is_some())
        .count();
    let bylines = r.articles.iter().filter(|a| a.byline.is_some()).count();
    let places = r
        .articles
        .iter()
        .filter(|a| a.dateline.as_ref().is_some_and(|d| d.place.is_some()))
        .count();
    println!(
        "  headline+date {:.2}%, byline {bylines}, dateline place {places}",
        pct(ok, 2228)
    );
    let mut without_head = std::collections::HashSet::new();
    for f in files(&c.join("ap89")) {
        let text = String::from_utf8_lossy(&std::fs::read(&f).expect("read")).into_owned();
        for doc in text.split("<DOC>").skip(1) {
            if !doc.contains("<HEAD>") {
                without_head.insert(
                    between(doc, "<DOCNO>", "</DOCNO>")
                        .unwrap_or("")
                        .trim()
                        .to_string(),
                );
            }
        }
    }
    for a in r
        .articles
        .iter()
        .filter(|a| without_head.contains(&a.id))
        .take(60)
    {
        println!("  no HEAD: {} -> {:?}", a.id, a.headline);
    }
    assert_eq!(ok, 2228);
}

#[test]
#[ignore]
fn html_pages() {
    let Some(c) = corpora() else { return };
    let r = run(&c.join("html-pages/html"));
    assert_eq!(r.articles.len(), 91);
    let pages_per_sec = r.articles.len() as f64 / r.secs.max(1e-9);
    println!("  {pages_per_sec:.1} pages/s");
    let heads = r.articles.iter().filter(|a| a.headline.is_some()).count();
    let dates = r.articles.iter().filter(|a| a.published.is_some()).count();
    println!("  headline {heads}/91, date {dates}/91");
    for a in r.articles.iter().filter(|a| a.published.is_none()) {
        println!("  no date: {}", a.path);
    }
    if let Some(out) = std::env::var_os("NEWSWIRE_HTML_PRED") {
        let mut map = serde_json::Map::new();
        for a in &r.articles {
            let key = Path::new(&a.path)
                .file_name()
                .map(|n| n.to_string_lossy().trim_end_matches(".html.gz").to_string())
                .unwrap_or_default();
            map.insert(key, serde_json::json!({ "articleBody": a.body }));
        }
        std::fs::write(&out, serde_json::to_string(&map).expect("json"))
            .expect("write predictions");
        println!("  predictions written to {}", PathBuf::from(out).display());
    }
}

#[test]
#[ignore]
fn whole_corpora_folder() {
    let Some(c) = corpora() else { return };
    let r = run(&c);
    let mut per_folder: BTreeMap<String, usize> = BTreeMap::new();
    for a in &r.articles {
        let rel = Path::new(&a.path)
            .strip_prefix(&c)
            .map(|p| p.to_path_buf())
            .unwrap_or_default();
        let top = rel
            .components()
            .next()
            .map(|x| x.as_os_str().to_string_lossy().into_owned())
            .unwrap_or_default();
        *per_folder.entry(top).or_default() += 1;
    }
    println!("  per folder: {per_folder:?}");
    for (p, why) in &r.skipped {
        println!("  skipped {}: {why}", p.display());
    }
    let want = [
        ("afp-wire", 1062),
        ("ap89", 2228),
        ("bbc", 2225),
        ("html-pages", 91),
        ("reuters21578", 21_577),
        ("xinhua-pages", 612),
    ];
    for (folder, n) in want {
        assert_eq!(per_folder.get(folder).copied(), Some(n), "{folder}");
    }
    assert!(!per_folder.contains_key("conll2003"));
    assert!(r
        .skipped
        .iter()
        .any(|(p, why)| p.ends_with("conll2003/train.txt") && why.contains("CoNLL-2003")));
    let _ = ParseError::Empty;
}

#[test]
#[ignore]
fn seed_sample() {
    let Some(c) = corpora() else { return };
    let seed = c.join("../seed/000_8db9994a1fd0b2b3.txt");
    let mut arts = Vec::new();
    let info = parse_file(&seed, None, &mut |a| arts.push(a.expect("article")));
    assert_eq!(info.expect("parses").format, "page");
    let a = &arts[0];
    println!("{}", serde_json::to_string_pretty(a).expect("json"));
    assert_eq!(
        a.headline.as_deref(),
        Some("Iraq confirms commitment to withdrawing foreign forces")
    );
    assert_eq!(
        a.published.map(crate::article::format_date).as_deref(),
        Some("2021-12-02")
    );
    let d = a.dateline.as_ref().expect("dateline");
    assert_eq!(d.place.as_deref(), Some("Baghdad"));
    assert_eq!(
        d.date.map(crate::article::format_date).as_deref(),
        Some("2021-12-01")
    );
    assert!(a.body.starts_with("The Iraqi government confirmed"));
    assert!(a.body.ends_with("by Dec. 31."));
}
