//! Property tests ("fuzzing" with proptest): the format parsers and the query parser
//! never panic, whatever they are fed, and always end.
//!
//! Each property runs `NEWSWIRE_FUZZ_CASES` cases (default 64, so CI stays fast),
//! or, with `NEWSWIRE_FUZZ_SECONDS`, batches of them until that time is spent; each
//! prints how many inputs it ran. For a long run of one target:
//!
//! ```text
//! NEWSWIRE_FUZZ_SECONDS=600 cargo test --test tests fuzz::parse_mutated_fixtures -- --nocapture
//! ```
//!
//! Inputs that once broke something live in `tests/fixtures/robust/fuzz/` and are
//! replayed by `fuzz::found_inputs_stay_fixed` (files named `query-*` are queries,
//! the others are files to parse, every way). Findings not fixed yet wait in
//! `tests/fixtures/robust/fuzz/open/`, replayed by the ignored
//! `fuzz::open_findings` (`cargo test --test tests fuzz::open_findings -- --ignored`);
//! once it passes, move them up a folder.
//!
//! `fuzz::incremental_index_equals_a_fresh_one` is model-based: random changes to
//! a folder (new, changed, copied, deleted and touched files, id clashes), indexed
//! incrementally with random interruptions, must give exactly what a fresh index
//! of the folder gives; it runs `NEWSWIRE_FUZZ_CASES / 8 + 1` sequences.
//!
//! `NEWSWIRE_FUZZ_ASCII=1` keeps generated queries ASCII (to look for other bugs
//! while a Unicode one is open).

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

use newswire::formats::{parse_file, FORMAT_NAMES};
use newswire::search::{build_query, search, Filters, QueryOptions, SearchRequest};
use newswire::store::Store;

fn cases() -> u32 {
    std::env::var("NEWSWIRE_FUZZ_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64)
}

fn config() -> Config {
    Config {
        cases: cases(),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Runs `test` on inputs from `strategy`: `cases()` of them, or batches for
/// `NEWSWIRE_FUZZ_SECONDS`. A failure panics with the (shrunk) input.
fn fuzz<S: Strategy>(name: &str, strategy: S, test: impl Fn(S::Value)) {
    let seconds: u64 = std::env::var("NEWSWIRE_FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let started = std::time::Instant::now();
    let runs = AtomicU64::new(0);
    loop {
        // A new runner per batch: a new random seed.
        let mut runner = TestRunner::new(config());
        let result = runner.run(&strategy, |v| {
            test(v);
            runs.fetch_add(1, Ordering::Relaxed);
            Ok(())
        });
        if let Err(e) = result {
            panic!(
                "{name}: failed after {} inputs in {:.0} s: {e}",
                runs.load(Ordering::Relaxed),
                started.elapsed().as_secs_f64()
            );
        }
        if started.elapsed().as_secs() >= seconds {
            break;
        }
    }
    eprintln!(
        "fuzz {name}: {} inputs in {:.0} s, no failure",
        runs.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
}

fn fixtures_dir(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// Every sample article file the project ships: the seeds mutations start from.
fn seeds() -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    for dir in [fixtures_dir("formats"), fixtures_dir("robust/seeds")] {
        let Ok(entries) = fs::read_dir(&dir) else {
            continue;
        };
        let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
        paths.sort();
        for p in paths {
            if let Ok(b) = fs::read(&p) {
                out.push(b);
            }
        }
    }
    assert!(!out.is_empty(), "no seed files");
    out
}

/// Parses `bytes` as file `name`, detected and with every forced format.
fn parse_all_ways(dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    fs::write(&path, bytes).expect("write");
    for forced in std::iter::once(None).chain(FORMAT_NAMES.iter().map(|f| Some(*f))) {
        let mut n = 0usize;
        let _ = parse_file(&path, forced, &mut |r| {
            if let Ok(a) = r {
                // Whatever comes out is well-formed enough to index and print.
                assert!(!a.id.is_empty(), "empty id from {forced:?}");
                let _ = serde_json::to_string(&a).expect("serializes");
            }
            n += 1;
        });
    }
}

fn file_name() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("a.txt".to_string()),
        Just("a.sgm".to_string()),
        Just("a.jsonl".to_string()),
        Just("a.json".to_string()),
        Just("a.html".to_string()),
        Just("a.xml".to_string()),
        Just("AFP_ENG_19970401.0006".to_string()),
        Just("a.gz".to_string()),
    ]
}

/// Random bytes and random text.
#[test]
fn parse_random_bytes() {
    let dir = tempfile::tempdir().expect("temp");
    let strategy = (
        file_name(),
        prop_oneof![
            proptest::collection::vec(any::<u8>(), 0..2048),
            ".{0,800}".prop_map(String::into_bytes),
        ],
    );
    fuzz("parse_random_bytes", strategy, |(name, bytes)| {
        parse_all_ways(dir.path(), &name, &bytes)
    });
}

/// Pieces of every format, shuffled together: markup, datelines, JSON, entities.
fn format_piece() -> impl Strategy<Value = String> {
    let fixed = prop_oneof![
        Just("<DOC>\n"),
        Just("</DOC>\n"),
        Just("<DOCNO> AP890101-0001 </DOCNO>\n"),
        Just("<HEAD>"),
        Just("</HEAD>"),
        Just("<TEXT>\n"),
        Just("</TEXT>\n"),
        Just("<REUTERS TOPICS=\"YES\" NEWID=\"12\">\n"),
        Just("</REUTERS>\n"),
        Just("<TITLE>"),
        Just("</TITLE>"),
        Just("<BODY>"),
        Just("</BODY>"),
        Just("<DATE>26-FEB-1987 15:01:01.79</DATE>"),
        Just("<ORGS><D>opec</D></ORGS>"),
        Just("&#3;"),
        Just("&lt;"),
        Just("&#99999999;"),
        Just("{\"id\": \"x1\", \"title\": \"T\", \"text\": \"Body\"}\n"),
        Just("{\"id\": 5, \"text\": null}\n"),
        Just("[{\"headline\": \"H\", \"body\": \"B\", \"date\": \"2021-02-30\"}]"),
        Just("{"),
        Just("\"},"),
        Just("<html><head><title>T</title></head><body><article><p>"),
        Just("</p></article></body></html>"),
        Just("<script>var a = '<p>';</script>"),
        Just("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>"),
        Just("<rss version=\"2.0\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\"><channel><title>F</title>"),
        Just("<feed xmlns=\"http://www.w3.org/2005/Atom\"><entry>"),
        Just("<item><title>"),
        Just("</title><guid isPermaLink=\"false\">7</guid><pubDate>Mon, 31 Feb 2030</pubDate>"),
        Just("<content type=\"xhtml\"><div><p>"),
        Just("<description><![CDATA[<p>x &nbsp;"),
        Just("]]></description></item>"),
        Just("<link rel=\"alternate\" href=\"h&amp;\"/>"),
        Just("</entry></feed>"),
        Just("</channel></rss>"),
        Just("BAGHDAD, Dec. 1 (Xinhua) -- "),
        Just("KUALA LUMPUR, April 1 (AFP) - "),
        Just("WASHINGTON (AP) _ "),
        Just("1 Comment(s)Print E-mail Xinhua, November 01, 2005\n"),
        Just("Adjust font size:\n"),
        Just(" Enditem\n"),
        Just("\n\n"),
        Just("\r\n"),
        Just("\u{feff}"),
        Just("\u{0}"),
        Just("\u{1b}[31m"),
        Just("Dec. 32 "),
        Just("February 29, 1900"),
        Just("é中文\u{202e}"),
    ]
    .prop_map(str::to_string);
    prop_oneof![
        4 => fixed,
        1 => "[A-Za-z ,.()-]{0,40}",
        1 => ".{0,20}",
    ]
}

#[test]
fn parse_format_like_text() {
    let dir = tempfile::tempdir().expect("temp");
    let strategy = (
        file_name(),
        proptest::collection::vec(format_piece(), 0..60),
    );
    fuzz("parse_format_like_text", strategy, |(name, pieces)| {
        parse_all_ways(dir.path(), &name, pieces.concat().as_bytes())
    });
}

/// One edit of a seed file.
#[derive(Debug, Clone)]
enum Edit {
    Flip(usize, u8),
    Insert(usize, Vec<u8>),
    Delete(usize, usize),
    Truncate(usize),
    Duplicate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Edit::Flip(i, b)),
        (
            any::<usize>(),
            proptest::collection::vec(any::<u8>(), 1..16)
        )
            .prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<usize>(), 1usize..200).prop_map(|(i, n)| Edit::Delete(i, n)),
        any::<usize>().prop_map(Edit::Truncate),
        (any::<usize>(), 1usize..400).prop_map(|(i, n)| Edit::Duplicate(i, n)),
    ]
}

fn apply(mut bytes: Vec<u8>, edits: &[Edit]) -> Vec<u8> {
    for e in edits {
        let len = bytes.len().max(1);
        match e {
            Edit::Flip(i, b) => {
                if !bytes.is_empty() {
                    bytes[i % len] ^= b;
                }
            }
            Edit::Insert(i, b) => {
                let at = i % (bytes.len() + 1);
                bytes.splice(at..at, b.iter().copied());
            }
            Edit::Delete(i, n) => {
                let at = i % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    bytes.drain(at..end);
                }
            }
            Edit::Truncate(i) => bytes.truncate(i % len),
            Edit::Duplicate(i, n) => {
                let at = i % len;
                let end = (at + n).min(bytes.len());
                if at < end {
                    let piece = bytes[at..end].to_vec();
                    bytes.splice(end..end, piece);
                }
            }
        }
    }
    bytes
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    enc.write_all(bytes).expect("gzip");
    enc.finish().expect("gzip")
}

#[test]
fn parse_mutated_fixtures() {
    let seeds = seeds();
    let dir = tempfile::tempdir().expect("temp");
    let strategy = (
        0..seeds.len(),
        file_name(),
        proptest::collection::vec(edit(), 0..8),
        any::<bool>(),
    );
    fuzz(
        "parse_mutated_fixtures",
        strategy,
        |(seed, name, edits, gz)| {
            let mut bytes = apply(seeds[seed].clone(), &edits);
            if gz {
                // A damaged gzip stream, or a good one around damaged text.
                bytes = if edits.len() % 2 == 0 {
                    gzip(&bytes)
                } else {
                    apply(gzip(&seeds[seed]), &edits)
                };
            }
            parse_all_ways(dir.path(), &name, &bytes);
        },
    );
}

/// An index with a few articles, for the query properties.
fn small_index() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().expect("temp");
    let input = dir.path().join("in");
    fs::create_dir(&input).expect("mkdir");
    for (i, (h, b)) in [
        (
            "Oil prices rise",
            "LONDON, May 1 (Reuters) - Oil prices rose as OPEC met.",
        ),
        (
            "Troops withdraw",
            "BAGHDAD, Dec. 1 (Xinhua) -- Foreign forces began to withdraw.",
        ),
        (
            "Harbour reopens",
            "Ships returned to the harbour on Monday, officials said.",
        ),
    ]
    .iter()
    .enumerate()
    {
        fs::write(input.join(format!("s{i}.txt")), format!("{h}\n\n{b}\n")).expect("write");
    }
    let index = dir.path().join("index");
    let store = Store::open_or_create(&index, false).expect("index");
    let opts = newswire::ingest::IndexOptions {
        inputs: vec![input],
        entities: false,
        memory_budget: 50 << 20,
        ..Default::default()
    };
    let cancel = std::sync::atomic::AtomicBool::new(false);
    newswire::ingest::run(&store, &opts, &newswire::ingest::Silent, &cancel).expect("indexed");
    let store = Store::open(&index).expect("open");
    (dir, store)
}

fn query_piece() -> impl Strategy<Value = String> {
    let fixed = prop_oneof![
        Just("oil"),
        Just("withdraw*"),
        Just(" "),
        Just("AND"),
        Just("OR"),
        Just("NOT"),
        Just("+"),
        Just("-"),
        Just("("),
        Just(")"),
        Just("\""),
        Just("~"),
        Just("~2"),
        Just("^3"),
        Just("*"),
        Just(":"),
        Just("headline:"),
        Just("org:"),
        Just("published:"),
        Just("[2021-01-01 TO 2021-12-31]"),
        Just("{"),
        Just("}"),
        Just("["),
        Just("]"),
        Just("TO"),
        Just("IN"),
        Just("\\"),
        Just("nosuchfield:"),
        Just("\u{0}"),
        Just("é"),
    ]
    .prop_map(str::to_string)
    .prop_filter("ASCII only", |p| {
        std::env::var_os("NEWSWIRE_FUZZ_ASCII").is_none() || p.is_ascii()
    });
    let ascii = std::env::var_os("NEWSWIRE_FUZZ_ASCII").is_some();
    let free = if ascii { "[ -~]{0,6}" } else { ".{0,6}" };
    prop_oneof![4 => fixed, 1 => free]
}

#[test]
fn query_parser_never_panics() {
    let (_dir, store) = small_index();
    let strategy = (
        proptest::collection::vec(query_piece(), 0..40),
        any::<bool>(),
        any::<bool>(),
    );
    let known = AtomicU64::new(0);
    fuzz("query_parser", strategy, |(pieces, lenient, fuzzy)| {
        let q = pieces.concat();
        let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let opts = QueryOptions { lenient, fuzzy };
            let _ = build_query(&store, &q, &Filters::default(), opts);
            // And running it (parsing is not all that can go wrong).
            let req = SearchRequest {
                query: q.clone(),
                lenient,
                ..SearchRequest::default()
            };
            let _ = search(&store, &req);
        }));
        if let Err(panic) = ran {
            if is_known_open(&*panic) {
                known.fetch_add(1, Ordering::Relaxed);
            } else {
                std::panic::resume_unwind(panic);
            }
        }
    });
    eprintln!(
        "query_parser: {} inputs hit the open finding in tests/fixtures/robust/fuzz/open/",
        known.load(Ordering::Relaxed)
    );
}

/// Panics already reported and waiting in `fuzz/open/`, which the query property
/// steps over so that it can find something else. None at the moment. (Fixed since:
/// the error pointer sliced inside a character; tantivy's debug-only phrase-scorer
/// assertion on `* -"to to"`, switched off in the dev profile as release builds
/// answer correctly.)
const KNOWN_OPEN: &[&str] = &[];

fn is_known_open(panic: &(dyn std::any::Any + Send)) -> bool {
    let msg = panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    KNOWN_OPEN.iter().any(|k| msg.contains(k))
}

/// Replays every input in `dir` (see the module docs).
fn replay(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    let tmp = tempfile::tempdir().expect("temp");
    let mut store = None;
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    paths.sort();
    for path in paths {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bytes = fs::read(&path).expect("read");
        if name.starts_with("query-") {
            let (_, s) = store.get_or_insert_with(small_index);
            let q = String::from_utf8_lossy(&bytes).into_owned();
            let _ = build_query(s, &q, &Filters::default(), QueryOptions::default());
            let req = SearchRequest {
                query: q,
                ..SearchRequest::default()
            };
            let _ = search(s, &req);
        } else if name != "README.md" {
            parse_all_ways(tmp.path(), &name, &bytes);
        }
    }
}

/// Inputs fuzzing once found trouble with, replayed on every test run.
#[test]
fn found_inputs_stay_fixed() {
    replay(&fixtures_dir("robust/fuzz"));
}

/// Findings not fixed yet.
#[test]
#[ignore = "open fuzz findings: cargo test --test tests fuzz::open_findings -- --ignored"]
fn open_findings() {
    replay(&fixtures_dir("robust/fuzz/open"));
}

// ------------------------------------------------ incremental indexing, model-based

/// One change to the folder being indexed.
#[derive(Debug, Clone)]
enum Change {
    /// Writes story `content` (from a small pool, so copies happen) to file `file`.
    Story {
        file: usize,
        content: usize,
    },
    /// Writes a JSON Lines file holding articles with ids from a small pool.
    Export {
        file: usize,
        ids: Vec<usize>,
    },
    Delete {
        file: usize,
    },
    /// Rewrites a file with its own bytes (only the time stamp moves).
    Touch {
        file: usize,
    },
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        4 => (0usize..8, 0usize..6).prop_map(|(file, content)| Change::Story { file, content }),
        2 => (0usize..3, proptest::collection::vec(0usize..6, 1..4))
            .prop_map(|(file, ids)| Change::Export { file, ids }),
        2 => (0usize..11).prop_map(|file| Change::Delete { file }),
        1 => (0usize..11).prop_map(|file| Change::Touch { file }),
    ]
}

/// File `i` of the model folder: stories in two folders, exports in a third.
fn model_path(root: &Path, i: usize) -> PathBuf {
    if i < 8 {
        root.join(if i.is_multiple_of(2) { "a" } else { "b" })
            .join(format!("s{i}.txt"))
    } else {
        root.join("x").join(format!("e{}.jsonl", i - 8))
    }
}

fn apply_change(root: &Path, c: &Change) {
    let write = |i: usize, text: String| {
        let p = model_path(root, i);
        fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        fs::write(p, text).expect("write");
    };
    match c {
        Change::Story { file, content } => write(
            *file,
            format!("Story {content} headline\n\nLONDON, May 1 (Reuters) - Body of story {content}.\n"),
        ),
        Change::Export { file, ids } => write(
            8 + file,
            ids.iter()
                .map(|k| {
                    format!("{{\"id\": \"x{k}\", \"title\": \"Export {k}\", \"text\": \"Exported {k} from file {file}.\"}}\n")
                })
                .collect(),
        ),
        Change::Delete { file } => {
            let _ = fs::remove_file(model_path(root, *file));
        }
        Change::Touch { file } => {
            let p = model_path(root, *file);
            if let Ok(b) = fs::read(&p) {
                std::thread::sleep(std::time::Duration::from_millis(1));
                fs::write(&p, b).expect("touch");
            }
        }
    }
}

/// Stops a run (like Ctrl-C) after `after` files.
struct StopAfter<'a> {
    after: u64,
    seen: AtomicU64,
    cancel: &'a std::sync::atomic::AtomicBool,
}

impl newswire::ingest::Reporter for StopAfter<'_> {
    fn file_done(&self, _bytes: u64, _articles: u64) {
        if self.seen.fetch_add(1, Ordering::Relaxed) + 1 >= self.after {
            self.cancel.store(true, Ordering::Relaxed);
        }
    }
}

/// Indexes `root` into `index`, optionally stopping after `stop_after` files.
fn index_into(index: &Path, root: &Path, stop_after: Option<u64>) {
    let store = Store::open_or_create(index, false).expect("index");
    let opts = newswire::ingest::IndexOptions {
        inputs: vec![root.to_path_buf()],
        entities: false,
        memory_budget: 50 << 20,
        ..Default::default()
    };
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let reporter = StopAfter {
        after: stop_after.unwrap_or(u64::MAX),
        seen: AtomicU64::new(0),
        cancel: &cancel,
    };
    // Other tests of this process spawn `newswire`: a child started between fork and
    // exec briefly shares every open file of this process, including a writer's lock
    // just released here, so a run can find the lock still taken for a moment.
    for _ in 0..50 {
        match newswire::ingest::run(&store, &opts, &reporter, &cancel) {
            Err(newswire::ingest::IngestError::Locked(_)) => {
                std::thread::sleep(std::time::Duration::from_millis(40));
            }
            other => {
                other.expect("indexed");
                return;
            }
        }
    }
    panic!("the index stayed locked");
}

/// (id, path) of every article in the index.
fn contents(index: &Path) -> std::collections::BTreeSet<(String, String)> {
    let store = Store::open(index).expect("open");
    let req = SearchRequest {
        limit: 1000,
        show_duplicates: true,
        ..SearchRequest::default()
    };
    let r = search(&store, &req).expect("search");
    assert_eq!(r.hits.len() as u64, r.total_hits);
    r.hits.into_iter().map(|h| (h.id, h.path)).collect()
}

/// After any sequence of changes, and interruptions, an index kept up to date
/// incrementally holds exactly what a fresh index of the same folder holds.
#[test]
fn incremental_index_equals_a_fresh_one() {
    let strategy = proptest::collection::vec(
        (
            proptest::collection::vec(change(), 1..4),
            proptest::option::of(0u64..4),
        ),
        1..5,
    );
    let mut runner = TestRunner::new(Config {
        cases: cases() / 8 + 1,
        ..config()
    });
    let runs = AtomicU64::new(0);
    runner
        .run(&strategy, |steps| {
            let dir = tempfile::tempdir().expect("temp");
            let root = dir.path().join("news");
            fs::create_dir(&root).expect("mkdir");
            let kept = dir.path().join("kept");
            for (changes, stop) in &steps {
                for c in changes {
                    apply_change(&root, c);
                }
                if stop.is_some() {
                    // Interrupted, then run again to completion.
                    index_into(&kept, &root, *stop);
                }
                index_into(&kept, &root, None);
                let fresh = dir
                    .path()
                    .join(format!("fresh{}", runs.load(Ordering::Relaxed)));
                index_into(&fresh, &root, None);
                prop_assert_eq!(contents(&kept), contents(&fresh), "after {:?}", steps);
                let _ = fs::remove_dir_all(&fresh);
                runs.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        })
        .expect("incremental equals fresh");
    eprintln!(
        "incremental_index_equals_a_fresh_one: {} comparisons",
        runs.load(Ordering::Relaxed)
    );
}
