//! Search with and without facets: `newswire::search::search` on an index of synthetic
//! articles built at start in a temp folder (20,000 by default, `NEWSWIRE_BENCH_DOCS`).
//!
//! Each query runs as `newswire search` runs it (parse, top 10, exact count, stored
//! fields and snippets of the hits), alone and with 3 facets (org, place, month).
//! `cargo bench --bench search`

mod common;

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use newswire::article::Article;
use newswire::ingest::DocumentBuilder;
use newswire::search::{self, Facet, SearchRequest};
use newswire::store::Store;

fn build_index(dir: &std::path::Path, n: u64) -> Store {
    let store = Store::open_or_create(dir, true).expect("create index");
    let builder = DocumentBuilder::new(store.fields);
    let mut writer: tantivy::IndexWriter = store.index.writer(256 << 20).expect("writer");
    for i in 0..n {
        let s = common::story(i);
        let a = Article {
            id: format!("syn-{i}"),
            format: "json".to_string(),
            path: "synthetic.jsonl".to_string(),
            position: Some(i),
            headline: Some(s.headline.clone()),
            source: Some("Synthetic".to_string()),
            published: time::Date::from_calendar_date(
                s.year,
                time::Month::try_from(s.month).expect("1..=12"),
                s.day,
            )
            .ok(),
            body: s.body(),
            org: s.orgs.clone(),
            person: s.people.clone(),
            place: s.places.clone(),
            ..Article::default()
        };
        writer.add_document(builder.build(&a)).expect("add");
    }
    writer.commit().expect("commit");
    writer.wait_merging_threads().expect("merge");
    // Reopen as `newswire search` does.
    Store::open(dir).expect("open index")
}

fn search_bench(c: &mut Criterion) {
    let n: u64 = std::env::var("NEWSWIRE_BENCH_DOCS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000);
    let tmp = tempfile::tempdir().expect("temp dir");
    let store = build_index(tmp.path(), n);
    let queries = [
        ("word", "oil prices"),
        ("common_word", "the"),
        ("phrase", "\"interest rates\""),
        ("field", "headline:bank +body:growth"),
        ("date_range", "oil published:[1990-01-01 TO 1995-12-31]"),
    ];
    let facets = vec![
        Facet::Field("org".to_string()),
        Facet::Field("place".to_string()),
        Facet::Month,
    ];
    let mut group = c.benchmark_group(format!("search_{n}_docs"));
    for (label, q) in queries {
        for (suffix, f) in [("", Vec::new()), ("+3facets", facets.clone())] {
            let req = SearchRequest {
                query: q.to_string(),
                facets: f,
                ..SearchRequest::default()
            };
            let hits = search::search(&store, &req).expect("query runs").total_hits;
            assert!(hits > 0, "{q:?} should match the synthetic index");
            group.bench_function(format!("{label}{suffix}"), |b| {
                b.iter(|| search::search(&store, black_box(&req)).expect("query runs"))
            });
        }
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = search_bench
}
criterion_main!(benches);
