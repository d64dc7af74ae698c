//! Indexing: discover files -> plan (what changed) -> parse (in parallel) -> extract
//! entities -> write.
//!
//! Runs are incremental. The index keeps a [`Manifest`] of the files it holds (size,
//! modification time, content hash, the articles each gave), committed atomically
//! with the index itself. A run reads only files that are new or whose size or time
//! changed (and of those, parses only the ones whose bytes changed); replaces the
//! articles of changed files; and removes the articles of files that are gone from
//! the folders it was given (with `prune_everywhere`, of every file that no longer
//! exists).
//!
//! The same article is stored once: a file reached through two paths is read once
//! (files are keyed by canonical path), and of articles sharing an id, or sharing
//! their content when each is a whole file (a page or wire story copied elsewhere),
//! only the first in path order is stored; the others are counted as duplicates.
//! That rule depends only on the files, never on the order work finished in, so an
//! interrupted run completed later gives exactly what one uninterrupted run gives.
//!
//! rayon workers read, hash and parse files and find their entities; their documents
//! go over a bounded channel to the single thread that owns tantivy's `IndexWriter`,
//! a batch at a time for files of many articles (JSON Lines, SGML archives), so
//! tantivy indexes one part of a big file while the next is parsed, and memory holds
//! a few batches, not the file. That thread commits every few thousand articles and
//! every few seconds. A file still being read at a commit goes into that commit's
//! manifest with the articles it has so far and no content hash, so a killed run
//! leaves an index whose manifest agrees with it, and the next run reads that file
//! again from the start. Progress goes through the [`Reporter`] trait.

mod discover;
mod document;
pub mod manifest;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Mutex, OnceLock};
use std::time::{Duration, Instant, UNIX_EPOCH};

use rayon::prelude::*;
use serde::Serialize;
use tantivy::{IndexWriter, TantivyDocument, Term};

pub use discover::{discover, Discovered};
pub use document::{date_to_tantivy, storable_date, to_document, DocumentBuilder};
pub use manifest::{ArticleRef, DedupKey, FileEntry, Manifest, ManifestError};

use crate::article::{format_date, Article};
use crate::entities::Extractor;
use crate::formats::{self, ParseError};
use crate::schema::Fields;
use crate::store::Store;

/// Settings for one indexing run.
#[derive(Debug, Clone)]
pub struct IndexOptions {
    /// Files and folders to index.
    pub inputs: Vec<PathBuf>,
    /// Force one format instead of detecting it.
    pub format: Option<String>,
    /// Run entity extraction (off: only the entities the source gives are kept).
    pub entities: bool,
    /// Memory budget of tantivy's writer, in bytes.
    pub memory_budget: usize,
    /// Commit after this many articles...
    pub commit_every_articles: u64,
    /// ...or this much time, whichever comes first.
    pub commit_every: Duration,
    /// Also remove the articles of files outside `inputs` that no longer exist
    /// (files gone from inside `inputs` are always removed).
    pub prune_everywhere: bool,
}

impl Default for IndexOptions {
    fn default() -> Self {
        IndexOptions {
            inputs: Vec::new(),
            format: None,
            entities: true,
            memory_budget: 512 << 20,
            commit_every_articles: 50_000,
            commit_every: Duration::from_secs(30),
            prune_everywhere: false,
        }
    }
}

/// Receives progress events. Implemented by the binary to draw a progress bar.
pub trait Reporter: Sync {
    /// Planning is done: `files` files, `bytes` bytes to read.
    fn start(&self, _files: u64, _bytes: u64) {}
    /// A file was parsed into `articles` articles.
    fn file_done(&self, _bytes: u64, _articles: u64) {}
    /// A file or an article was skipped.
    fn skipped(&self, _skip: &Skip) {}
    /// Something in a file was off, but its articles were indexed (a date not
    /// understood, a feed cut short after its last whole item).
    fn warned(&self, _warning: &Skip) {}
    /// Everything up to here is durable.
    fn committed(&self, _articles: u64) {}
}

/// A reporter that ignores everything.
pub struct Silent;
impl Reporter for Silent {}

/// Something that was not indexed, and why; or, in [`IndexSummary::warnings`],
/// something off in a file whose articles were indexed.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Skip {
    pub path: String,
    /// Where inside the file (line, article), for problems with one article.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    pub reason: String,
}

/// What an indexing run did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IndexSummary {
    /// Articles added to the index by this run.
    pub articles: u64,
    /// Files read and parsed by this run.
    pub files: u64,
    pub files_skipped: u64,
    pub articles_skipped: u64,
    /// Files seen for the first time.
    pub files_new: u64,
    /// Files whose content changed since the last run (their articles were replaced).
    pub files_changed: u64,
    /// Files left alone because they did not change (including files whose time
    /// stamp moved but whose bytes are the same).
    pub files_unchanged: u64,
    /// Files gone since the last run whose articles were removed.
    pub files_removed: u64,
    /// Unchanged files read again so that exactly one copy of a duplicated article
    /// stays stored after another copy changed or went away.
    pub files_reread: u64,
    /// Articles removed with their files.
    pub articles_removed: u64,
    /// Articles not stored because an earlier copy (same id, or same content in
    /// another file) is.
    pub duplicates: u64,
    /// Bytes read.
    pub bytes: u64,
    pub seconds: f64,
    pub articles_per_second: f64,
    pub mb_per_second: f64,
    /// Articles in the index after the run.
    pub index_articles: u64,
    /// True when the run was interrupted (Ctrl-C) after committing what was done.
    pub interrupted: bool,
    pub skipped: Vec<Skip>,
    /// Problems in files whose articles were still indexed (a date not understood, a
    /// feed cut short after its last whole item).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Skip>,
}

impl IndexSummary {
    /// True when the run found nothing to do and changed nothing.
    /// True when the paths given held no readable file at all.
    pub fn seen_no_file(&self) -> bool {
        self.files_skipped > 0
            && self.files_new + self.files_changed + self.files_unchanged + self.files == 0
    }

    pub fn up_to_date(&self) -> bool {
        self.files == 0
            && self.files_new + self.files_changed + self.files_removed + self.files_reread == 0
            && !self.interrupted
    }
}

/// Failures that stop a run (the index itself is in trouble); bad input never does.
#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    /// Another process holds the index's writer lock.
    #[error(
        "the index at {0} is locked by another `newswire index` run (lock file {0}/.tantivy-writer.lock); \
         wait for it to finish"
    )]
    Locked(PathBuf),
    /// Writing the index failed (disk full, permissions). `hint` says what to do
    /// when the cause is known (a full disk).
    #[error("writing the index at {path}: {error}{hint}")]
    Write {
        path: PathBuf,
        error: tantivy::TantivyError,
        hint: String,
    },
    /// The file manifest could not be read or written.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The index is damaged.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// Writing the manifest of a commit failed (the commit did not happen).
    #[error("committing to the index at {path}: {reason}{hint}")]
    Commit {
        path: PathBuf,
        reason: String,
        hint: String,
    },
}

/// A file to read.
#[derive(Debug, Clone)]
struct Job {
    /// Path to read (as given, so articles keep the user's spelling).
    path: PathBuf,
    /// Canonical path: the manifest key.
    key: String,
    size: u64,
    /// Content hash recorded last time; equal bytes mean nothing to parse.
    prev_hash: Option<String>,
    /// Parse even when the bytes did not change (re-reading to settle duplicates).
    force: bool,
}

/// What workers send the writer.
enum Msg {
    /// A batch of documents of a file of many articles; more follow, then its `Done`.
    Part {
        key: String,
        path: String,
        size: u64,
        articles: Vec<(ArticleRef, TantivyDocument)>,
    },
    /// A file read to its end (or that could not be read).
    Done(Done),
}

/// The parts of a file the writer has stored so far.
struct Open {
    path: String,
    size: u64,
    refs: Vec<ArticleRef>,
}

/// A file read by a worker, on its way to the writer.
struct Done {
    key: String,
    path: String,
    size: u64,
    mtime_ns: u64,
    read_at_ns: u64,
    hash: String,
    outcome: Outcome,
}

enum Outcome {
    /// Same bytes as last time: only the time stamp moved.
    Touched,
    /// Read (articles may be empty, `error` says why when nothing could be read).
    Parsed {
        format: Option<String>,
        error: Option<String>,
        /// The last articles (earlier ones came in parts).
        articles: Vec<(ArticleRef, TantivyDocument)>,
        /// The articles sent in parts must go too (reading failed half way).
        discard_parts: bool,
    },
    /// Could not be read now: whatever the index has from it stays.
    Unreadable,
}

/// Indexes `opts.inputs` into `store`. Stops early (after committing) when `cancel`
/// becomes true.
pub fn run(
    store: &Store,
    opts: &IndexOptions,
    reporter: &dyn Reporter,
    cancel: &AtomicBool,
) -> Result<IndexSummary, IngestError> {
    let started = Instant::now();
    let writer: IndexWriter = match store
        .index
        .writer_with_num_threads(indexing_threads(), opts.memory_budget)
    {
        Ok(w) => w,
        Err(tantivy::TantivyError::LockFailure(
            tantivy::directory::error::LockError::LockBusy,
            _,
        )) => return Err(IngestError::Locked(store.dir.clone())),
        Err(source) => return Err(write_error(&store.dir, source)),
    };
    // Never build on a damaged index (checked once the lock is held: nobody else
    // can commit under us now).
    store.verify()?;
    let manifest = Manifest::load(store)?;

    let found = discover(&opts.inputs);
    let skips = Mutex::new(Vec::new());
    let skip = |s: Skip| {
        reporter.skipped(&s);
        if let Ok(mut v) = skips.lock() {
            v.push(s);
        }
    };
    for s in &found.errors {
        skip(s.clone());
    }
    let plan = plan(&manifest, &found, opts, &store.dir, &skip);
    let upgrading = manifest.newswire_version != env!("CARGO_PKG_VERSION");
    // A build from scratch ends merged into one segment (see below).
    let from_scratch = manifest.files.is_empty();
    let total_bytes: u64 = plan.jobs.iter().map(|j| j.size).sum();
    reporter.start(plan.jobs.len() as u64, total_bytes);

    let mut w = Writer {
        writer,
        dir: store.dir.clone(),
        fields: store.fields,
        holders: manifest.holders(),
        manifest,
        summary: IndexSummary::default(),
        dirty: false,
        added: 0,
        parsed: HashSet::new(),
        since_commit: 0,
        last_commit: Instant::now(),
        open: HashMap::new(),
        every_articles: opts.commit_every_articles.max(1),
        every: opts.commit_every,
        reporter,
    };
    w.summary.files_unchanged = plan.unchanged;
    w.summary.files_skipped = plan.unreadable;
    for key in &plan.removed {
        if let Some(old) = w.manifest.files.remove(key) {
            w.summary.articles_removed += old.articles.iter().filter(|a| a.stored).count() as u64;
            w.forget(key, &old);
            w.summary.files_removed += 1;
        }
    }

    let ctx = WorkerContext {
        format: opts.format.as_deref(),
        entities: opts.entities,
        extractor: OnceLock::new(),
        builder: DocumentBuilder::new(store.fields),
        reporter,
        skip: &skip,
        cancel,
        files_skipped: AtomicU64::new(0),
        articles_skipped: AtomicU64::new(0),
        warnings: Mutex::new(Vec::new()),
    };
    let mut jobs = plan.jobs;
    let mut reread = false;
    // Round 1 reads what changed; later rounds (rare) re-read files whose stored
    // copy of a duplicated article must move to another file.
    for _round in 0..4 {
        w.pipeline(&ctx, jobs, reread)?;
        if cancel.load(Ordering::Relaxed) {
            break;
        }
        jobs = w
            .manifest
            .misplaced()
            .into_iter()
            .filter_map(|key| {
                let e = w.manifest.files.get(&key)?;
                let given = PathBuf::from(&e.path);
                let same = fs::canonicalize(&given).is_ok_and(|c| c.to_string_lossy() == key);
                Some(Job {
                    path: if same { given } else { PathBuf::from(&key) },
                    size: e.size,
                    key,
                    prev_hash: None,
                    force: true,
                })
            })
            .collect();
        if jobs.is_empty() {
            break;
        }
        reread = true;
    }
    if upgrading && !cancel.load(Ordering::Relaxed) {
        // Every file given has been read by this version.
        w.manifest.newswire_version = env!("CARGO_PKG_VERSION").to_string();
        w.dirty = true;
    }
    if w.dirty {
        w.commit()?;
    }
    let mut summary = std::mem::take(&mut w.summary);
    // What the files read by this run hold now (a copy added and then displaced by
    // an earlier one during the run counts as a duplicate, not as an article).
    for key in &w.parsed {
        if let Some(e) = w.manifest.files.get(key) {
            for a in &e.articles {
                if a.stored {
                    summary.articles += 1;
                } else {
                    summary.duplicates += 1;
                }
            }
        }
    }
    w.writer
        .wait_merging_threads()
        .map_err(|source| write_error(&store.dir, source))?;
    if from_scratch && !cancel.load(Ordering::Relaxed) {
        merge_into_one(store, opts.memory_budget)?;
    }

    summary.interrupted = cancel.load(Ordering::Relaxed);
    summary.files_skipped += ctx.files_skipped.into_inner() + found.errors.len() as u64;
    summary.articles_skipped += ctx.articles_skipped.into_inner();
    summary.warnings = ctx.warnings.into_inner().unwrap_or_default();
    summary
        .warnings
        .sort_by(|a, b| (&a.path, &a.at).cmp(&(&b.path, &b.at)));
    summary.seconds = started.elapsed().as_secs_f64();
    if summary.seconds > 0.0 {
        summary.articles_per_second = summary.articles as f64 / summary.seconds;
        summary.mb_per_second = summary.bytes as f64 / 1e6 / summary.seconds;
    }
    summary.skipped = skips.into_inner().unwrap_or_default();
    summary
        .skipped
        .sort_by(|a, b| (&a.path, &a.at).cmp(&(&b.path, &b.at)));
    if let Ok(reader) = store.index.reader() {
        summary.index_articles = reader.searcher().num_docs();
    }
    Ok(summary)
}

/// tantivy indexing threads: half the cores. The other half parse files and find
/// entities; on two cores one indexing thread also leaves a new index in one
/// segment, with no merge at the end (28k articles of JSON Lines: 1.58 s with one
/// thread, 1.64 s with two, half a second of which merging).
fn indexing_threads() -> usize {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    (cores / 2).clamp(1, 8)
}

/// A write failure, with what to do about it when the disk is full (tantivy's
/// own message then only says that a worker thread died).
fn write_error(dir: &Path, source: tantivy::TantivyError) -> IngestError {
    IngestError::Write {
        path: dir.to_path_buf(),
        error: source,
        hint: disk_full_hint(dir),
    }
}

/// An error and its causes, `a: b: c`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push_str(": ");
        out.push_str(&cause.to_string());
        next = cause.source();
    }
    out
}

/// `"; the disk ... is full"` when less than 16 MB are free where `dir` is.
pub fn disk_full_hint(dir: &Path) -> String {
    match fs2::available_space(dir) {
        Ok(free) if free < 16 << 20 => format!(
            "; the disk holding the index is full ({} KB free): free some space, or \
             index into another directory with --index",
            free >> 10
        ),
        _ => String::new(),
    }
}

/// What a run has to do.
struct Plan {
    jobs: Vec<Job>,
    unchanged: u64,
    /// Manifest keys whose articles must go.
    removed: Vec<String>,
    /// Files found but not readable now (their articles stay).
    unreadable: u64,
}

/// The current time, nanoseconds since the Unix epoch.
fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

fn mtime_ns(m: &fs::Metadata) -> u64 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

fn absolute(p: &Path) -> PathBuf {
    fs::canonicalize(p)
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

/// Compares what was found with the manifest: which files to read, which are
/// unchanged, which are gone.
fn plan(
    manifest: &Manifest,
    found: &Discovered,
    opts: &IndexOptions,
    index_dir: &Path,
    skip: &dyn Fn(Skip),
) -> Plan {
    let mut jobs = Vec::new();
    let mut seen = HashSet::new();
    let mut unchanged = 0;
    let mut unreadable = Vec::new();
    let index_dir = absolute(index_dir);
    // Files read by another newswire version are read again (parsers change).
    let reread_all = manifest.newswire_version != env!("CARGO_PKG_VERSION");
    for (path, _) in &found.files {
        let shown = path.display().to_string();
        let (key, meta) =
            match fs::canonicalize(path).and_then(|c| Ok((c.clone(), fs::metadata(&c)?))) {
                Ok((c, m)) => (c.to_string_lossy().into_owned(), m),
                Err(e) => {
                    skip(Skip {
                        path: shown,
                        at: None,
                        reason: format!("cannot read file: {e}"),
                    });
                    unreadable.push(absolute(path));
                    continue;
                }
            };
        // The same file reached through two paths is read once; the index's own
        // files (an index inside the folder being indexed) never, but for the feeds
        // fetched into it.
        let own = Path::new(&key).starts_with(&index_dir)
            && !Path::new(&key).starts_with(index_dir.join(crate::feeds::FEEDS_DIR));
        if own || !seen.insert(key.clone()) {
            continue;
        }
        let prev = manifest.files.get(&key);
        if let Some(e) = prev.filter(|_| !reread_all) {
            let mtime = mtime_ns(&meta);
            let settled = mtime.saturating_add(manifest::RACY_NS) < e.read_at_ns;
            if e.size == meta.len() && e.mtime_ns == mtime && settled && !e.hash.is_empty() {
                unchanged += 1;
                continue;
            }
        }
        jobs.push(Job {
            path: path.clone(),
            key,
            size: meta.len(),
            prev_hash: prev.map(|e| e.hash.clone()).filter(|h| !h.is_empty()),
            force: reread_all,
        });
    }

    let roots: Vec<PathBuf> = opts.inputs.iter().map(|p| absolute(p)).collect();
    let mut protected: Vec<PathBuf> = found
        .errors
        .iter()
        .map(|s| absolute(Path::new(&s.path)))
        .collect();
    protected.extend(unreadable.iter().cloned());
    let removed = manifest
        .files
        .iter()
        .filter(|(key, _)| !seen.contains(*key))
        .filter(|(key, entry)| {
            let key = Path::new(key.as_str());
            let given = absolute(Path::new(&entry.path));
            let under = |dirs: &[PathBuf]| {
                dirs.iter()
                    .any(|d| key.starts_with(d) || given.starts_with(d))
            };
            if opts.prune_everywhere && !key.exists() {
                return true;
            }
            // Gone from a folder we were asked to index, and not merely unreadable
            // right now (an unreadable folder must not empty the index).
            under(&roots) && !under(&protected)
        })
        .map(|(k, _)| k.clone())
        .collect();
    Plan {
        jobs,
        unchanged,
        removed,
        unreadable: unreadable.len() as u64,
    }
}

/// What the workers share.
struct WorkerContext<'a> {
    format: Option<&'a str>,
    entities: bool,
    /// Loaded by the first file that needs it (a run with nothing to read loads
    /// nothing).
    extractor: OnceLock<Option<Extractor>>,
    builder: DocumentBuilder,
    reporter: &'a dyn Reporter,
    skip: &'a (dyn Fn(Skip) + Sync),
    cancel: &'a AtomicBool,
    files_skipped: AtomicU64,
    articles_skipped: AtomicU64,
    warnings: Mutex<Vec<Skip>>,
}

/// (size, mtime) of a file, or why it cannot be read.
fn stat(path: &Path) -> std::io::Result<(u64, u64)> {
    let m = fs::metadata(path)?;
    Ok((m.len(), mtime_ns(&m)))
}

fn hash_file(path: &Path) -> std::io::Result<String> {
    let mut f = fs::File::open(path)?;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(format!("{:032x}", h.digest128()))
}

/// Hash of what makes an article the same story, for articles that are a whole
/// file (a copy of the file elsewhere is the same article). Articles of
/// multi-article files are told apart by the ids their source gives.
fn content_hash(a: &Article) -> Option<u64> {
    if a.position.is_some() || a.body.trim().is_empty() {
        return None;
    }
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for part in [
        a.headline.as_deref().unwrap_or(""),
        &a.body,
        &a.published.map(format_date).unwrap_or_default(),
        a.source.as_deref().unwrap_or(""),
    ] {
        h.update(part.as_bytes());
        h.update(&[0]);
    }
    Some(h.digest())
}

/// Merges a freshly built index of up to twice the memory budget into one segment,
/// once tantivy's own merges are over: searches and facets over one segment are
/// cheaper (values are named once, not per segment) and the index is smaller. Later,
/// incremental runs leave merging to tantivy's policy.
fn merge_into_one(store: &Store, memory_budget: usize) -> Result<(), IngestError> {
    let err = |source| write_error(&store.dir, source);
    let segments = store.index.searchable_segment_ids().map_err(err)?;
    // A merge maps every segment it reads: past twice the memory budget it would
    // take more memory than the user allowed, so a big index keeps its segments.
    if segments.len() < 2 || store.size_on_disk() > 2 * memory_budget as u64 {
        return Ok(());
    }
    let mut writer: IndexWriter = store.index.writer(memory_budget).map_err(err)?;
    writer.merge(&segments).wait().map_err(err)?;
    writer.garbage_collect_files().wait().map_err(err)?;
    writer.wait_merging_threads().map_err(err)
}

/// Articles of one file turned into documents together (in parallel).
const BATCH: usize = 256;

/// Reads one file: hashes it, and unless its bytes are the ones already indexed,
/// parses it into documents. A file of many articles is handed over in parts of
/// [`BATCH`] documents through `send_part` as it is read.
fn read_file(
    job: &Job,
    ctx: &WorkerContext,
    send_part: &mut dyn FnMut(Vec<(ArticleRef, TantivyDocument)>),
) -> Done {
    let shown = job.path.display().to_string();
    let mut done = Done {
        key: job.key.clone(),
        path: shown.clone(),
        size: job.size,
        mtime_ns: 0,
        read_at_ns: now_ns(),
        hash: String::new(),
        outcome: Outcome::Unreadable,
    };
    let unreadable = |done: Done, e: String| {
        ctx.files_skipped.fetch_add(1, Ordering::Relaxed);
        (ctx.skip)(Skip {
            path: shown.clone(),
            at: None,
            reason: format!("cannot read file: {e}"),
        });
        done
    };
    let before = match stat(&job.path) {
        Ok(s) => s,
        Err(e) => return unreadable(done, e.to_string()),
    };
    (done.size, done.mtime_ns) = before;
    done.hash = match hash_file(&job.path) {
        Ok(h) => h,
        Err(e) => return unreadable(done, e.to_string()),
    };
    if !job.force && job.prev_hash.as_deref() == Some(done.hash.as_str()) {
        done.outcome = Outcome::Touched;
        return done;
    }

    let mut articles = Vec::new();
    let mut bad = Vec::new();
    // Entities and documents for a batch of parsed articles, in parallel: a file
    // holding many articles (JSON Lines, SGML) is not left to one core.
    let finish = |batch: &mut Vec<Article>, into: &mut Vec<(ArticleRef, TantivyDocument)>| {
        let extractor = ctx
            .extractor
            .get_or_init(|| ctx.entities.then(Extractor::new));
        let done: Vec<(ArticleRef, TantivyDocument)> = std::mem::take(batch)
            .into_par_iter()
            .map(|mut article| {
                if let Some(x) = extractor {
                    x.annotate(&mut article);
                }
                let r = ArticleRef {
                    id: article.id.clone(),
                    hash: content_hash(&article),
                    stored: false,
                };
                (r, ctx.builder.build(&article))
            })
            .collect();
        into.extend(done);
    };
    let mut batch: Vec<Article> = Vec::new();
    let mut sent = 0usize;
    // A panic while parsing (a parser bug) costs this file, not the run.
    let parsed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let r = formats::parse_file(&job.path, ctx.format, &mut |item| match item {
            Ok(article) => {
                batch.push(article);
                if batch.len() >= BATCH {
                    finish(&mut batch, &mut articles);
                    sent += articles.len();
                    send_part(std::mem::take(&mut articles));
                }
            }
            Err(e) => bad.push(e),
        });
        finish(&mut batch, &mut articles);
        r
    }));
    let panicked = parsed.is_err();
    let result = match parsed {
        Ok(r) => r,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            articles.clear();
            bad.clear();
            Err(ParseError::Skipped(format!(
                "internal error while reading this file ({what}); please report it"
            )))
        }
    };
    for e in bad {
        if let ParseError::Warning { at, reason } = e {
            let warning = Skip {
                path: shown.clone(),
                at: Some(at),
                reason,
            };
            ctx.reporter.warned(&warning);
            if let Ok(mut v) = ctx.warnings.lock() {
                v.push(warning);
            }
            continue;
        }
        ctx.articles_skipped.fetch_add(1, Ordering::Relaxed);
        match e {
            ParseError::Article { at, reason } => (ctx.skip)(Skip {
                path: shown.clone(),
                at: Some(at),
                reason,
            }),
            other => (ctx.skip)(Skip {
                path: shown.clone(),
                at: None,
                reason: other.to_string(),
            }),
        }
    }
    let (format, error) = match result {
        Ok(info) => (Some(info.format), None),
        // Not readable now (gone, no permission): keep what the index has, unless
        // part of the file is in already.
        Err(ParseError::Io(e)) if sent == 0 => return unreadable(done, e),
        Err(ParseError::Io(e)) => {
            ctx.files_skipped.fetch_add(1, Ordering::Relaxed);
            (ctx.skip)(Skip {
                path: shown.clone(),
                at: None,
                reason: format!("cannot read the rest of the file: {e}"),
            });
            done.hash.clear();
            (None, Some(e))
        }
        Err(e) => {
            ctx.files_skipped.fetch_add(1, Ordering::Relaxed);
            (ctx.skip)(Skip {
                path: shown.clone(),
                at: None,
                reason: e.to_string(),
            });
            (None, Some(e.to_string()))
        }
    };
    if stat(&job.path).ok() != Some(before) {
        // Changed while it was read: index what was read, and leave no hash so the
        // next run reads it again.
        done.hash.clear();
        (ctx.skip)(Skip {
            path: shown.clone(),
            at: None,
            reason: "the file changed while it was read; run again to index it as it is now".into(),
        });
    }
    done.outcome = Outcome::Parsed {
        format,
        error,
        articles,
        discard_parts: panicked && sent > 0,
    };
    done
}

/// The thread that owns the index writer, and the manifest that goes with it.
struct Writer<'a> {
    writer: IndexWriter,
    dir: PathBuf,
    fields: Fields,
    manifest: Manifest,
    /// Which stored article holds each dedup key: `(file, position)`.
    holders: HashMap<DedupKey, (String, usize)>,
    summary: IndexSummary,
    /// Something changed since the last commit.
    dirty: bool,
    /// Documents added so far (some may since have lost their place to an earlier
    /// copy).
    added: u64,
    /// Files parsed by this run.
    parsed: HashSet<String>,
    since_commit: u64,
    last_commit: Instant,
    /// Files whose first parts are written and whose end is still to come.
    open: HashMap<String, Open>,
    every_articles: u64,
    every: Duration,
    reporter: &'a dyn Reporter,
}

impl Writer<'_> {
    fn write_err(&self, source: tantivy::TantivyError) -> IngestError {
        write_error(&self.dir, source)
    }

    fn delete_id(&mut self, id: &str) {
        self.writer
            .delete_term(Term::from_field_text(self.fields.id, &id.to_lowercase()));
        self.dirty = true;
    }

    /// Deletes the stored articles of `entry` (already out of the manifest).
    fn forget(&mut self, key: &str, entry: &FileEntry) {
        for (i, a) in entry.articles.iter().enumerate().filter(|(_, a)| a.stored) {
            self.delete_id(&a.id);
            for k in a.keys() {
                if self
                    .holders
                    .get(&k)
                    .is_some_and(|(f, p)| f == key && *p == i)
                {
                    self.holders.remove(&k);
                }
            }
        }
        self.dirty = true;
    }

    /// Runs the workers over `jobs`, writing what they produce.
    fn pipeline(
        &mut self,
        ctx: &WorkerContext,
        jobs: Vec<Job>,
        reread: bool,
    ) -> Result<(), IngestError> {
        let (tx, rx) = mpsc::sync_channel::<Msg>(16);
        let mut result = Ok(());
        // Set when writing failed: the files left are not worth reading.
        let failed = AtomicBool::new(false);
        std::thread::scope(|scope| {
            scope.spawn(|| {
                jobs.par_iter().for_each_with(tx, |tx, job| {
                    if ctx.cancel.load(Ordering::Relaxed) || failed.load(Ordering::Relaxed) {
                        return;
                    }
                    let mut n = 0;
                    let done = read_file(job, ctx, &mut |articles| {
                        n += articles.len() as u64;
                        let part = Msg::Part {
                            key: job.key.clone(),
                            path: job.path.display().to_string(),
                            size: job.size,
                            articles,
                        };
                        if tx.send(part).is_err() {
                            failed.store(true, Ordering::Relaxed);
                        }
                    });
                    if let Outcome::Parsed { articles, .. } = &done.outcome {
                        n += articles.len() as u64;
                    }
                    ctx.reporter.file_done(done.size, n);
                    // The writer has gone away only if writing failed; that error
                    // is reported there.
                    if tx.send(Msg::Done(done)).is_err() {
                        failed.store(true, Ordering::Relaxed);
                    }
                });
            });
            for msg in rx {
                let applied = match msg {
                    Msg::Part {
                        key,
                        path,
                        size,
                        articles,
                    } => self.part(key, path, size, articles, reread),
                    Msg::Done(done) => self.apply(done, reread),
                };
                if let Err(e) = applied {
                    result = Err(e);
                    failed.store(true, Ordering::Relaxed);
                    // Dropping `rx` (by returning) fails the workers' sends.
                    return;
                }
            }
        });
        result
    }

    /// Writes one file's outcome, then commits if it is time to.
    fn apply(&mut self, done: Done, reread: bool) -> Result<(), IngestError> {
        let Done {
            key,
            path,
            size,
            mtime_ns,
            read_at_ns,
            hash,
            outcome,
        } = done;
        match outcome {
            Outcome::Unreadable => return Ok(()),
            Outcome::Touched => {
                if let Some(e) = self.manifest.files.get_mut(&key) {
                    // Same bytes: only a moved time stamp is worth recording (a file
                    // hashed again because it was read too soon after a change
                    // changes nothing).
                    if (e.size, e.mtime_ns) != (size, mtime_ns) {
                        e.size = size;
                        e.mtime_ns = mtime_ns;
                        e.read_at_ns = read_at_ns;
                        self.dirty = true;
                    }
                }
                self.summary.files_unchanged += 1;
                return Ok(());
            }
            Outcome::Parsed {
                format,
                error,
                articles,
                discard_parts,
            } => {
                self.summary.bytes += size;
                if error.is_none() {
                    self.summary.files += 1;
                }
                self.begin(&key, &path, size, reread);
                let mut refs = self.write_part(&key, articles)?;
                if discard_parts {
                    let partial = FileEntry {
                        size,
                        mtime_ns,
                        read_at_ns,
                        hash: String::new(),
                        path: path.clone(),
                        format: None,
                        error: None,
                        articles: std::mem::take(&mut refs),
                    };
                    self.forget(&key, &partial);
                }
                self.manifest.files.insert(
                    key,
                    FileEntry {
                        size,
                        mtime_ns,
                        read_at_ns,
                        hash,
                        path,
                        format,
                        error,
                        articles: refs,
                    },
                );
                self.dirty = true;
            }
        }
        if self.since_commit >= self.every_articles || self.last_commit.elapsed() >= self.every {
            self.commit()?;
        }
        Ok(())
    }

    /// Writes a part of a file of many articles.
    fn part(
        &mut self,
        key: String,
        path: String,
        size: u64,
        articles: Vec<(ArticleRef, TantivyDocument)>,
        reread: bool,
    ) -> Result<(), IngestError> {
        self.begin(&key, &path, size, reread);
        let refs = self.write_part(&key, articles)?;
        self.open.insert(key, Open { path, size, refs });
        if self.since_commit >= self.every_articles || self.last_commit.elapsed() >= self.every {
            self.commit()?;
        }
        Ok(())
    }

    /// Starts writing the file `key` (once per file): its old articles go.
    fn begin(&mut self, key: &str, path: &str, size: u64, reread: bool) {
        if self.open.contains_key(key) {
            return;
        }
        match self.manifest.files.remove(key) {
            Some(old) => {
                self.forget(key, &old);
                if reread {
                    self.summary.files_reread += 1;
                } else {
                    self.summary.files_changed += 1;
                }
            }
            None => self.summary.files_new += 1,
        }
        self.parsed.insert(key.to_string());
        self.open.insert(
            key.to_string(),
            Open {
                path: path.to_string(),
                size,
                refs: Vec::new(),
            },
        );
    }

    /// Stores `articles` after those of `key` stored so far; returns the file's
    /// references so far and takes them out of `open`.
    fn write_part(
        &mut self,
        key: &str,
        articles: Vec<(ArticleRef, TantivyDocument)>,
    ) -> Result<Vec<ArticleRef>, IngestError> {
        let mut refs = self.open.remove(key).map(|o| o.refs).unwrap_or_default();
        refs.reserve(articles.len());
        for (mut r, doc) in articles {
            r.stored = self.store(key, refs.len(), &r, doc)?;
            refs.push(r);
        }
        Ok(refs)
    }

    /// Adds `doc` unless an earlier article (in path order) holds one of its keys;
    /// a later holder loses its place. Returns whether `doc` was stored.
    fn store(
        &mut self,
        key: &str,
        pos: usize,
        r: &ArticleRef,
        doc: TantivyDocument,
    ) -> Result<bool, IngestError> {
        let keys: Vec<DedupKey> = r.keys().collect();
        let mut later = Vec::new();
        for k in &keys {
            if let Some((f, p)) = self.holders.get(k) {
                if (f.as_str(), *p) < (key, pos) {
                    return Ok(false);
                }
                later.push((f.clone(), *p));
            }
        }
        later.sort();
        later.dedup();
        for (f, p) in later {
            // The later holder's file is written, or still being written.
            let articles = match self.manifest.files.get_mut(&f) {
                Some(entry) => &mut entry.articles,
                None => match self.open.get_mut(&f) {
                    Some(open) => &mut open.refs,
                    None => continue,
                },
            };
            let Some(a) = articles.get_mut(p) else {
                continue;
            };
            a.stored = false;
            let evicted = a.clone();
            self.delete_id(&evicted.id);
            for k in evicted.keys() {
                if self.holders.get(&k) == Some(&(f.clone(), p)) {
                    self.holders.remove(&k);
                }
            }
        }
        // No delete for the new document's own id: every stored article's id is in
        // `holders` (an earlier holder returned above, a later one was just deleted,
        // and a re-read file's old articles were deleted by `forget`). A delete per
        // document would cost a term lookup in every segment at each commit.
        self.writer
            .add_document(doc)
            .map_err(|e| self.write_err(e))?;
        for k in keys {
            self.holders.insert(k, (key.to_string(), pos));
        }
        self.added += 1;
        self.since_commit += 1;
        Ok(true)
    }

    fn commit(&mut self) -> Result<(), IngestError> {
        // Files half written go in as they are, with no hash: the next run reads
        // them again (and first deletes what this commit holds of them).
        for (key, open) in &self.open {
            let partial = FileEntry {
                size: open.size,
                mtime_ns: 0,
                read_at_ns: 0,
                hash: String::new(),
                path: open.path.clone(),
                format: None,
                error: None,
                articles: open.refs.clone(),
            };
            self.manifest.files.insert(key.clone(), partial);
        }
        let committed = self.manifest.commit(&mut self.writer, &self.dir);
        for key in self.open.keys() {
            self.manifest.files.remove(key);
        }
        committed.map_err(|e| match e {
            ManifestError::Tantivy { source, .. } => write_error(&self.dir, source),
            other => IngestError::Commit {
                path: self.dir.clone(),
                reason: chain(&other),
                hint: disk_full_hint(&self.dir),
            },
        })?;
        self.reporter.committed(self.added);
        self.since_commit = 0;
        self.last_commit = Instant::now();
        self.dirty = false;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context<'a>(skip: &'a (dyn Fn(Skip) + Sync), cancel: &'a AtomicBool) -> WorkerContext<'a> {
        let spec = crate::schema::SchemaSpec::builtin().expect("schema");
        let schema = spec.to_tantivy();
        WorkerContext {
            format: None,
            entities: false,
            extractor: OnceLock::new(),
            builder: DocumentBuilder::new(Fields::new(&schema).expect("fields")),
            reporter: &Silent,
            skip,
            cancel,
            files_skipped: AtomicU64::new(0),
            articles_skipped: AtomicU64::new(0),
            warnings: Mutex::new(Vec::new()),
        }
    }

    fn job(path: &Path) -> Job {
        Job {
            path: path.to_path_buf(),
            key: path.display().to_string(),
            size: 0,
            prev_hash: None,
            force: false,
        }
    }

    /// After each commit: stored articles the manifest names, documents in the
    /// index, and whether a file was in as far as it had been read.
    struct CommitCheck<'a> {
        store: &'a Store,
        seen: Mutex<Vec<(usize, u64, bool)>>,
    }

    impl Reporter for CommitCheck<'_> {
        fn committed(&self, _articles: u64) {
            let manifest = Manifest::load(self.store).expect("manifest of the commit");
            let stored = manifest
                .files
                .values()
                .flat_map(|f| &f.articles)
                .filter(|a| a.stored)
                .count();
            let partial = manifest.files.values().any(|f| f.hash.is_empty());
            let metas = self.store.index.load_metas().expect("metas");
            let docs = metas.segments.iter().map(|s| u64::from(s.num_docs())).sum();
            self.seen
                .lock()
                .expect("lock")
                .push((stored, docs, partial));
        }
    }

    #[test]
    fn a_big_file_is_written_in_parts_and_every_commit_agrees_with_its_manifest() {
        let dir = tempfile::tempdir().expect("temp");
        let file = dir.path().join("big.jsonl");
        let mut lines = String::new();
        for i in 0..700 {
            // Line 650 repeats the id of line 3: stored once, the first.
            let id = if i == 650 { 3 } else { i };
            lines.push_str(&format!(
                "{{\"id\": \"n{id}\", \"headline\": \"Story {i}\", \"body\": \"Text of story number {i} about harbours.\"}}\n"
            ));
        }
        fs::write(&file, lines).expect("write");
        let store = Store::open_or_create(&dir.path().join("index"), false).expect("store");
        let opts = IndexOptions {
            inputs: vec![file],
            entities: false,
            commit_every_articles: 100,
            ..IndexOptions::default()
        };
        let check = CommitCheck {
            store: &store,
            seen: Mutex::new(Vec::new()),
        };
        let summary = run(&store, &opts, &check, &AtomicBool::new(false)).expect("indexed");
        assert_eq!((summary.articles, summary.duplicates), (699, 1));
        assert_eq!(summary.index_articles, 699);
        let seen = check.seen.into_inner().expect("lock");
        assert!(seen.len() >= 3, "commits while the file was read: {seen:?}");
        assert!(seen.iter().any(|&(_, _, partial)| partial), "{seen:?}");
        for &(stored, docs, _) in &seen {
            assert_eq!(
                stored as u64, docs,
                "a commit's manifest disagrees with it: {seen:?}"
            );
        }
        let manifest = Manifest::load(&store).expect("manifest");
        assert!(manifest.files.values().all(|f| !f.hash.is_empty()));
        let again = run(&store, &opts, &Silent, &AtomicBool::new(false)).expect("again");
        assert_eq!((again.articles, again.index_articles), (0, 699));
    }

    #[test]
    fn a_file_gone_before_it_is_read_is_unreadable_not_empty() {
        let skips = Mutex::new(Vec::new());
        let skip = |s: Skip| skips.lock().expect("lock").push(s);
        let cancel = AtomicBool::new(false);
        let ctx = context(&skip, &cancel);
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("gone.txt");
        let done = read_file(&job(&path), &ctx, &mut |_| {});
        // Unreadable (not "parsed, no articles"): the index keeps what it had.
        assert!(matches!(done.outcome, Outcome::Unreadable));
        let skips = skips.into_inner().expect("lock");
        assert!(skips[0].reason.starts_with("cannot read file"), "{skips:?}");
    }

    #[test]
    fn a_file_that_changes_while_it_is_read_is_read_again_next_time() {
        let skips = Mutex::new(Vec::new());
        let skip = |s: Skip| skips.lock().expect("lock").push(s);
        let cancel = AtomicBool::new(false);
        let ctx = context(&skip, &cancel);
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("growing.txt");
        let mut text = String::from("Growing story\n\nLONDON, May 1 (Reuters) - ");
        while text.len() < 4 << 20 {
            text.push_str("more words about the growing story. ");
        }
        fs::write(&path, &text).expect("write");
        let stop = AtomicBool::new(false);
        let done = std::thread::scope(|s| {
            s.spawn(|| {
                use std::io::Write;
                let mut f = fs::OpenOptions::new()
                    .append(true)
                    .open(&path)
                    .expect("open");
                while !stop.load(Ordering::Relaxed) {
                    let _ = f.write_all(b"appended. ");
                    std::thread::sleep(Duration::from_micros(200));
                }
            });
            let done = read_file(&job(&path), &ctx, &mut |_| {});
            stop.store(true, Ordering::Relaxed);
            done
        });
        assert!(matches!(done.outcome, Outcome::Parsed { .. }));
        assert!(done.hash.is_empty(), "no hash: the next run reads it again");
        let skips = skips.into_inner().expect("lock");
        assert!(
            skips
                .iter()
                .any(|s| s.reason.contains("changed while it was read")),
            "{skips:?}"
        );
    }

    /// A manifest in which `path` is recorded exactly as it is on disk.
    fn up_to_date(path: &Path, version: &str) -> Manifest {
        let meta = fs::metadata(path).expect("stat");
        let mut m = Manifest::new();
        m.newswire_version = version.to_string();
        m.files.insert(
            fs::canonicalize(path)
                .expect("canonical")
                .to_string_lossy()
                .into_owned(),
            FileEntry {
                size: meta.len(),
                mtime_ns: mtime_ns(&meta),
                read_at_ns: mtime_ns(&meta) + manifest::RACY_NS + 1,
                hash: hash_file(path).expect("hash"),
                path: path.display().to_string(),
                ..FileEntry::default()
            },
        );
        m
    }

    #[test]
    fn a_file_read_right_after_a_change_is_hashed_again() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("a.txt");
        fs::write(&path, "Title\n\nBody text.\n").expect("write");
        let found = discover(&[dir.path().to_path_buf()]);
        let mut m = up_to_date(&path, env!("CARGO_PKG_VERSION"));
        for e in m.files.values_mut() {
            // Read within the time stamp's grain: it may have changed again since.
            e.read_at_ns = e.mtime_ns;
        }
        let opts = IndexOptions::default();
        let p = plan(&m, &found, &opts, &dir.path().join("elsewhere"), &|_| {});
        assert_eq!((p.jobs.len(), p.unchanged), (1, 0));
        assert!(
            !p.jobs[0].force,
            "hashed, and parsed only if its bytes differ"
        );
    }

    #[test]
    fn files_read_by_another_newswire_version_are_read_again() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("a.txt");
        fs::write(&path, "Title\n\nBody text.\n").expect("write");
        let found = discover(&[dir.path().to_path_buf()]);
        let opts = IndexOptions::default();
        let index = dir.path().join("elsewhere");
        let same = plan(
            &up_to_date(&path, env!("CARGO_PKG_VERSION")),
            &found,
            &opts,
            &index,
            &|_| {},
        );
        assert_eq!((same.jobs.len(), same.unchanged), (0, 1));
        let older = plan(&up_to_date(&path, "0.0.1"), &found, &opts, &index, &|_| {});
        assert_eq!(older.jobs.len(), 1);
        assert!(
            older.jobs[0].force,
            "parsed even though its bytes did not change"
        );
    }

    #[test]
    fn a_file_gone_between_listing_and_planning_keeps_its_articles_for_now() {
        let dir = tempfile::tempdir().expect("temp");
        let path = dir.path().join("a.txt");
        fs::write(&path, "Title\n\nBody text.\n").expect("write");
        let manifest = up_to_date(&path, env!("CARGO_PKG_VERSION"));
        let found = discover(&[dir.path().to_path_buf()]);
        fs::remove_file(&path).expect("rm");
        let opts = IndexOptions {
            inputs: vec![dir.path().to_path_buf()],
            ..IndexOptions::default()
        };
        let skipped = Mutex::new(Vec::new());
        let p = plan(&manifest, &found, &opts, &dir.path().join("idx"), &|s| {
            skipped.lock().expect("lock").push(s)
        });
        assert_eq!((p.jobs.len(), p.unreadable), (0, 1));
        assert!(
            p.removed.is_empty(),
            "removed only by a run that finds it gone"
        );
        assert_eq!(skipped.into_inner().expect("lock").len(), 1);
    }

    #[test]
    fn the_index_never_indexes_itself() {
        let dir = tempfile::tempdir().expect("temp");
        fs::write(dir.path().join("a.txt"), "Title\n\nBody.\n").expect("write");
        let index = dir.path().join("idx");
        fs::create_dir(&index).expect("mkdir");
        fs::write(index.join("manifest-1.json"), "{}").expect("write");
        let found = discover(&[dir.path().to_path_buf()]);
        let p = plan(
            &Manifest::new(),
            &found,
            &IndexOptions::default(),
            &index,
            &|_| {},
        );
        assert_eq!(p.jobs.len(), 1, "{:?}", p.jobs);
        assert!(p.jobs[0].path.ends_with("a.txt"));
    }

    #[test]
    fn content_hash_only_for_whole_file_articles() {
        let mut a = Article {
            body: "Some text".into(),
            headline: Some("Title".into()),
            ..Article::default()
        };
        let h = content_hash(&a);
        assert!(h.is_some());
        a.id = "elsewhere/copy".into();
        a.path = "elsewhere/copy.txt".into();
        assert_eq!(content_hash(&a), h, "ids and paths do not count");
        a.body.push('!');
        assert_ne!(content_hash(&a), h);
        a.position = Some(3);
        assert_eq!(content_hash(&a), None, "multi-article files use their ids");
    }
}
