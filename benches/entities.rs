//! Entity extraction: `Extractor::extract(headline, body)` on whole articles.
//!
//! Runs on synthetic stories (always) and on the first articles of the real BBC and
//! Xinhua folders in `../shared/corpora` (or `$NEWSWIRE_CORPORA`) when present.
//! Throughput is in bytes of headline + body. `cargo bench --bench entities`

mod common;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use newswire::entities::Extractor;
use newswire::formats;

fn real_articles(limit: usize) -> Vec<(String, String)> {
    let Some(dir) = common::corpora() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for sub in ["bbc/business", "xinhua-pages", "afp-wire"] {
        let Ok(rd) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        let mut paths: Vec<_> = rd.filter_map(Result::ok).map(|e| e.path()).collect();
        paths.sort();
        for p in paths.into_iter().take(limit / 3) {
            let _ = formats::parse_file(&p, None, &mut |item| {
                if let Ok(a) = item {
                    out.push((a.headline.unwrap_or_default(), a.body));
                }
            });
        }
    }
    out
}

fn bench_set(c: &mut Criterion, name: &str, docs: &[(String, String)], x: &Extractor) {
    if docs.is_empty() {
        eprintln!("skip {name}: no articles");
        return;
    }
    let bytes: usize = docs.iter().map(|(h, b)| h.len() + b.len()).sum();
    let mut group = c.benchmark_group("entities");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function(format!("{name}_x{}", docs.len()), |b| {
        b.iter(|| {
            for (h, body) in docs {
                black_box(x.extract(black_box(h), black_box(body)));
            }
        })
    });
    group.finish();
}

fn entities(c: &mut Criterion) {
    let x = Extractor::new();
    let synthetic: Vec<(String, String)> = (0..50)
        .map(|i| {
            let s = common::story(i);
            let body = s.body();
            (s.headline, body)
        })
        .collect();
    bench_set(c, "synthetic", &synthetic, &x);
    bench_set(c, "real", &real_articles(60), &x);
    c.bench_function("extractor_new", |b| b.iter(Extractor::new));
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = entities
}
criterion_main!(benches);
