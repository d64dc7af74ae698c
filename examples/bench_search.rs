//! In-process search latency for the benchmark suite (`bench/run.sh`).
//!
//! Opens a newswire index once, runs a fixed query set through the library's
//! [`newswire::search::search`] (the same call `newswire search` makes: query
//! parsing, top 10, exact count, facets, stored fields and snippets of the hits)
//! `--repeat` times, and prints:
//!
//! - the peers' output contract for the last pass (`Q`, `F`, `TOTAL` lines, see
//!   `../shared/bench/peers/README.md`), so `compare.py` can check hit counts, top-10
//!   lists and facet counts against tantivy-cli and Lucene;
//! - `LAT` lines: p50/p95/p99 per query kind over every timed pass (the first pass
//!   is a warm-up and not counted).
//!
//! ```text
//! cargo run --release --example bench_search -- INDEX QUERIES [--facets org,place,month]
//!     [--repeat N] [--kinds word,phrase] [--unboosted] [--scores] [--show-duplicates]
//! ```
//! QUERIES holds `kind<TAB>query` lines (`bench/queries.txt`); `#` starts a comment.
//! `--unboosted` rewrites plain-word queries to `headline:w^0.5 body:w ...` (the
//! schema's field boosts divided out: every field weighs 1, as tantivy-cli and Lucene
//! search them) for ranking comparisons; `--scores` adds `S` lines (`id:score,...`);
//! `--show-duplicates` keeps identical stories in the top 10 (newswire collapses them
//! by default; the peers do not).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use newswire::search::{self, Facet, SearchRequest};
use newswire::store::Store;

struct Opts {
    index: PathBuf,
    queries: PathBuf,
    facets: Vec<Facet>,
    repeat: usize,
    kinds: Option<Vec<String>>,
    unboosted: bool,
    scores: bool,
    show_duplicates: bool,
}

const USAGE: &str =
    "usage: bench_search INDEX QUERIES [--facets LIST] [--repeat N] [--kinds LIST] [--unboosted] [--scores] [--show-duplicates]";

fn parse_args() -> Result<Opts, String> {
    let mut args = std::env::args().skip(1);
    let mut positional = Vec::new();
    let mut facets = Vec::new();
    let mut repeat = 5;
    let mut kinds = None;
    let mut unboosted = false;
    let mut scores = false;
    let mut show_duplicates = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--facets" => {
                let v = args.next().ok_or("--facets needs a list")?;
                for name in v.split(',').filter(|s| !s.is_empty()) {
                    facets.push(match name {
                        "year" => Facet::Year,
                        "month" => Facet::Month,
                        "day" => Facet::Day,
                        other => Facet::Field(other.to_string()),
                    });
                }
            }
            "--repeat" => {
                let v = args.next().ok_or("--repeat needs a number")?;
                repeat = v.parse().map_err(|_| format!("bad --repeat {v:?}"))?;
            }
            "--kinds" => {
                let v = args.next().ok_or("--kinds needs a list")?;
                kinds = Some(v.split(',').map(str::to_string).collect());
            }
            "--unboosted" => unboosted = true,
            "--scores" => scores = true,
            "--show-duplicates" => show_duplicates = true,
            _ if a.starts_with("--") => return Err(format!("unknown flag {a}\n{USAGE}")),
            _ => positional.push(a),
        }
    }
    let [index, queries]: [String; 2] = positional.try_into().map_err(|_| USAGE)?;
    Ok(Opts {
        index: index.into(),
        queries: queries.into(),
        facets,
        repeat: repeat.max(1),
        kinds,
        unboosted,
        scores,
        show_duplicates,
    })
}

/// `kind<TAB>query` lines; a line without a tab is a `word` query.
fn read_queries(opts: &Opts) -> Result<Vec<(String, String)>, String> {
    let text = std::fs::read_to_string(&opts.queries)
        .map_err(|e| format!("{}: {e}", opts.queries.display()))?;
    Ok(text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once('\t') {
            Some((k, q)) => (k.trim().to_string(), q.trim().to_string()),
            None => ("word".to_string(), l.trim().to_string()),
        })
        .filter(|(k, _)| opts.kinds.as_ref().is_none_or(|ks| ks.contains(k)))
        .collect())
}

/// Plain words searched in every default field with weight 1 (the schema's field
/// boosts also apply to fields named in the query, so each is divided out).
fn unboost(q: &str, fields: &[(&str, f32)]) -> String {
    let mut out = Vec::new();
    for w in q.split_whitespace() {
        for (name, boost) in fields {
            if *boost == 1.0 {
                out.push(format!("{name}:{w}"));
            } else {
                out.push(format!("{name}:{w}^{}", 1.0 / boost));
            }
        }
    }
    out.join(" ")
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("bench_search: {e}");
            ExitCode::from(2)
        }
    }
}

fn run() -> Result<(), String> {
    let opts = parse_args()?;
    let queries = read_queries(&opts)?;
    let t0 = Instant::now();
    let store = Store::open(&opts.index).map_err(|e| e.to_string())?;
    let open_ms = t0.elapsed().as_secs_f64() * 1e3;

    let default_fields = store.spec.default_search_fields();
    let requests: Vec<SearchRequest> = queries
        .iter()
        .map(|(kind, q)| SearchRequest {
            query: if opts.unboosted && kind == "word" {
                unboost(q, &default_fields)
            } else {
                q.clone()
            },
            facets: opts.facets.clone(),
            // Every month is printed (the peers list them all); org is cut to 10 below.
            facet_size: 100_000,
            show_duplicates: opts.show_duplicates,
            ..SearchRequest::default()
        })
        .collect();

    let mut pass_ms = Vec::new();
    let mut latencies: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    let mut last = Vec::new();
    for pass in 0..opts.repeat {
        let started = Instant::now();
        last.clear();
        for ((kind, _), req) in queries.iter().zip(&requests) {
            let t = Instant::now();
            let result =
                search::search(&store, req).map_err(|e| format!("{:?}: {e}", req.query))?;
            let ms = t.elapsed().as_secs_f64() * 1e3;
            if pass > 0 || opts.repeat == 1 {
                latencies.entry(kind.clone()).or_default().push(ms);
                latencies.entry("all".to_string()).or_default().push(ms);
            }
            last.push((ms, result));
        }
        pass_ms.push(started.elapsed().as_secs_f64() * 1e3);
    }

    for ((_, q), (ms, r)) in queries.iter().zip(&last) {
        let ids: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
        println!("Q\t{q}\t{}\t{ms:.3}\t{}", r.total_hits, ids.join(","));
        if opts.scores {
            let scored: Vec<String> = r
                .hits
                .iter()
                .map(|h| format!("{}:{}", h.id, h.score.unwrap_or(f32::NAN)))
                .collect();
            println!("S\t{q}\t{}", scored.join(","));
        }
        for f in &r.facets {
            let take = match f.field.as_str() {
                "org" => 10,
                "month" => usize::MAX,
                _ => continue,
            };
            let values: Vec<String> = f
                .counts
                .iter()
                .take(take)
                .map(|v| format!("{}={}", v.value, v.count))
                .collect();
            println!("F\t{q}\t{}\t{}", f.field, values.join(";"));
        }
    }
    let passes: Vec<String> = pass_ms.iter().map(|p| format!("{p:.1}")).collect();
    let best = pass_ms.iter().copied().fold(f64::INFINITY, f64::min);
    let facet_names = if opts.facets.is_empty() {
        "none".to_string()
    } else {
        let names: Vec<&str> = opts.facets.iter().map(Facet::name).collect();
        names.join(",")
    };
    println!(
        "TOTAL\tpeer=newswire-{}\tqueries={}\topen_ms={open_ms:.1}\tpass_ms={}\tbest_pass_ms={best:.1}",
        env!("CARGO_PKG_VERSION"),
        queries.len(),
        passes.join(",")
    );
    for (kind, mut v) in latencies {
        v.sort_by(f64::total_cmp);
        println!(
            "LAT\tkind={kind}\tfacets={facet_names}\tn={}\tp50={:.3}\tp95={:.3}\tp99={:.3}\tmax={:.3}",
            v.len(),
            percentile(&v, 50.0),
            percentile(&v, 95.0),
            percentile(&v, 99.0),
            v.last().copied().unwrap_or(f64::NAN)
        );
    }
    Ok(())
}
