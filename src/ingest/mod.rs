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
//!
//! Where each part lives:
//! - `mod.rs`: the settings ([`IndexOptions`]), progress ([`Reporter`]), the
//!   [`IndexSummary`], [`IngestError`], and [`run`], which ties the parts together;
//! - `discover.rs`: finding the files under the paths given;
//! - `plan.rs`: comparing what was found with the manifest (what to read, what is
//!   unchanged, what is gone);
//! - `read.rs`: the rayon workers: reading, hashing and parsing a file, entities
//!   (with the index's `names.toml` applied), documents;
//! - `retag.rs`: when `names.toml` changed, naming again the articles whose
//!   entities the change affects, from what the index stores;
//! - `writer.rs`: the one thread that owns tantivy's `IndexWriter`: storing each
//!   article once, removing old ones, commits with their manifest;
//! - `document.rs`: an [`Article`](crate::article::Article) as a tantivy document;
//! - `manifest.rs`: the [`Manifest`] of the files the index holds.

mod discover;
mod document;
pub mod manifest;
mod plan;
mod read;
mod retag;
mod writer;

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use serde::Serialize;
use tantivy::IndexWriter;

pub use discover::{discover, Discovered};
pub use document::{date_to_tantivy, storable_date, to_document, DocumentBuilder};
pub use manifest::{ArticleRef, DedupKey, FileEntry, Manifest, ManifestError, NamesRecord};

use crate::entities::names::{NameRules, NamesError, NAMES_FILE};
use crate::store::Store;
use plan::{plan, Job};
use read::WorkerContext;
use writer::{merge_into_one, Writer};

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
    /// True when the index's `names.toml` changed since the last run (or appeared,
    /// or went away), so the articles it names were named again.
    pub names_changed: bool,
    /// Articles already in the index whose entities were named again because
    /// `names.toml` changed (from what the index stores: no file read again).
    pub retagged: u64,
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
            && !self.names_changed
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
    /// The index's `names.toml` cannot be used (nothing was changed).
    #[error(transparent)]
    Names(#[from] NamesError),
    /// Writing the manifest of a commit failed (the commit did not happen).
    #[error("committing to the index at {path}: {reason}{hint}")]
    Commit {
        path: PathBuf,
        reason: String,
        hint: String,
    },
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
    // A bad names file stops the run before anything is written.
    let (names, names_text) = NameRules::load(&store.dir)?;
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
    let builder = DocumentBuilder::new(store.fields);
    // Before anything is deleted: re-tagging reads the last commit, and must not
    // bring back an article deleted by this run.
    let names_hash = manifest::hash_hex(names_text.as_bytes());
    let recorded = w.manifest.names.as_ref().map(|r| r.hash.clone());
    if recorded.unwrap_or_else(|| manifest::hash_hex(b"")) != names_hash {
        let old_text = w.manifest.names.as_ref().map_or("", |r| r.text.as_str());
        // What an earlier run accepted parses; if it somehow does not, only the
        // names of the new file are looked for.
        let old = NameRules::parse(old_text, &store.dir.join(NAMES_FILE)).unwrap_or_default();
        w.summary.names_changed = true;
        let done = w.retag(store, &builder, &old, &names, cancel)?;
        if done {
            w.manifest.names = (!names_text.is_empty()).then_some(NamesRecord {
                hash: names_hash,
                text: names_text,
            });
            w.dirty = true;
        }
    }
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
        builder,
        names: &names,
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
