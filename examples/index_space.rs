//! Where an index's bytes go, per field and per component (term dictionary,
//! postings, positions, fast fields, field norms) plus the document store, summed over
//! segments. Works on any tantivy index (newswire's or a peer's such as tantivy-cli),
//! so index sizes can be compared field by field (`bench/RESULTS.md`).
//!
//! ```text
//! cargo run --release --example index_space -- INDEX_DIR
//! ```

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let Some(dir) = std::env::args().nth(1) else {
        eprintln!("usage: index_space INDEX_DIR");
        return ExitCode::from(2);
    };
    match run(&dir) {
        Ok(()) => ExitCode::SUCCESS,
        // `index_space DIR | head` closes the pipe early: not an error.
        Err(e)
            if e.downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("index_space: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(dir: &str) -> Result<(), Box<dyn std::error::Error>> {
    let index = tantivy::Index::open_in_dir(dir)?;
    let searcher = index.reader()?.searcher();
    let usage = searcher.space_usage()?;
    // field -> [termdict, postings, positions, fast, fieldnorm]
    let mut per_field: BTreeMap<String, [u64; 5]> = BTreeMap::new();
    let mut store = 0u64;
    for seg in usage.segments() {
        let parts = [
            seg.termdict(),
            seg.postings(),
            seg.positions(),
            seg.fast_fields(),
            seg.fieldnorms(),
        ];
        for (i, part) in parts.into_iter().enumerate() {
            for f in part.fields() {
                per_field.entry(f.field_name().to_string()).or_default()[i] +=
                    f.total().get_bytes();
            }
        }
        store += seg.store().total().get_bytes();
    }
    let kib = |b: u64| format!("{:.1}", b as f64 / 1024.0);
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "segments={} docs={} total_bytes={}",
        usage.segments().len(),
        searcher.num_docs(),
        usage.total().get_bytes()
    )?;
    writeln!(
        out,
        "field\ttermdict_kib\tpostings_kib\tpositions_kib\tfast_kib\tfieldnorm_kib\ttotal_kib"
    )?;
    let mut rows: Vec<_> = per_field.into_iter().collect();
    rows.sort_by_key(|(_, v)| std::cmp::Reverse(v.iter().sum::<u64>()));
    for (name, v) in rows {
        let cells: Vec<String> = v.iter().map(|&b| kib(b)).collect();
        writeln!(out, "{name}\t{}\t{}", cells.join("\t"), kib(v.iter().sum()))?;
    }
    writeln!(out, "(document store)\t\t\t\t\t\t{}", kib(store))?;
    Ok(())
}
