//! Format parsers: `newswire::formats::parse_file` on one file per format.
//!
//! Synthetic fixtures (written to a temp folder at start) always run; one real file per
//! format from `../shared/corpora` (or `$NEWSWIRE_CORPORA`) runs too when it is there.
//! Throughput is in bytes of the file. `cargo bench --bench parsers`

mod common;

use std::path::Path;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use newswire::formats;

/// Articles read from `path`, or why none were.
fn count(path: &Path) -> Result<usize, String> {
    let mut n = 0usize;
    formats::parse_file(path, None, &mut |item| {
        if let Ok(a) = item {
            black_box(&a);
            n += 1;
        }
    })
    .map_err(|e| e.to_string())?;
    Ok(n)
}

fn parsers(c: &mut Criterion) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let mut files = common::write_fixtures(tmp.path());
    if let Some(dir) = common::corpora() {
        files.extend(common::real_files(&dir));
    }
    let mut group = c.benchmark_group("parse_file");
    for (label, path) in &files {
        match count(path) {
            Ok(n) if n > 0 => {}
            Ok(_) => {
                eprintln!("skip {label}: no article parsed from {}", path.display());
                continue;
            }
            Err(e) => {
                eprintln!("skip {label}: {} not parsed: {e}", path.display());
                continue;
            }
        }
        let bytes = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(label.as_str(), |b| b.iter(|| count(black_box(path))));
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(30);
    targets = parsers
}
criterion_main!(benches);
