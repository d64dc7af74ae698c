//! Indexing: discover files -> parse (in parallel) -> extract entities -> write.
//!
//! rayon workers read and parse files and find their entities; finished documents
//! go, one file at a time, over a bounded channel to the single thread that owns
//! tantivy's `IndexWriter` (which runs its own indexing threads). That thread commits
//! every few thousand articles and every few seconds, always between files, so an
//! interrupted run leaves an index of whole files. Progress goes through the
//! [`Reporter`] trait: the library never draws anything itself.

mod discover;
mod document;

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde::Serialize;
use tantivy::{IndexWriter, TantivyDocument, Term};

pub use discover::{discover, Discovered};
pub use document::{date_to_tantivy, to_document, DocumentBuilder};

use crate::entities::Extractor;
use crate::formats::{self, ParseError};
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
        }
    }
}

/// Receives progress events. Implemented by the binary to draw a progress bar.
pub trait Reporter: Sync {
    /// Discovery is done: `files` files, `bytes` bytes to read.
    fn start(&self, _files: u64, _bytes: u64) {}
    /// A file was parsed into `articles` articles.
    fn file_done(&self, _bytes: u64, _articles: u64) {}
    /// A file or an article was skipped.
    fn skipped(&self, _skip: &Skip) {}
    /// Everything up to here is durable.
    fn committed(&self, _articles: u64) {}
}

/// A reporter that ignores everything.
pub struct Silent;
impl Reporter for Silent {}

/// Something that was not indexed, and why.
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
    pub articles: u64,
    pub files: u64,
    pub files_skipped: u64,
    pub articles_skipped: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub articles_per_second: f64,
    pub mb_per_second: f64,
    /// Articles in the index after the run.
    pub index_articles: u64,
    /// True when the run was interrupted (Ctrl-C) after committing what was done.
    pub interrupted: bool,
    pub skipped: Vec<Skip>,
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
    /// Writing the index failed (disk full, permissions).
    #[error("writing the index at {path}: {source}")]
    Write {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
}

/// One parsed file on its way to the writer.
struct Batch {
    docs: Vec<(String, TantivyDocument)>,
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
    let write_err = |source| IngestError::Write {
        path: store.dir.clone(),
        source,
    };
    let mut writer: IndexWriter = match store.index.writer(opts.memory_budget) {
        Ok(w) => w,
        Err(tantivy::TantivyError::LockFailure(..)) => {
            return Err(IngestError::Locked(store.dir.clone()))
        }
        Err(e) => return Err(write_err(e)),
    };

    let found = discover(&opts.inputs);
    let skips = Mutex::new(found.errors.clone());
    for s in &found.errors {
        reporter.skipped(s);
    }
    let total_bytes: u64 = found.files.iter().map(|f| f.1).sum();
    reporter.start(found.files.len() as u64, total_bytes);

    let extractor = opts.entities.then(Extractor::new);
    let builder = DocumentBuilder::new(store.fields);
    let (tx, rx) = mpsc::sync_channel::<Batch>(64);
    let files_skipped = std::sync::atomic::AtomicU64::new(0);
    let articles_skipped = std::sync::atomic::AtomicU64::new(0);

    let mut summary = IndexSummary::default();
    let mut write_result = Ok(());
    std::thread::scope(|scope| {
        scope.spawn(|| {
            found
                .files
                .par_iter()
                .for_each_with(tx, |tx, (path, _size)| {
                    if cancel.load(Ordering::Relaxed) {
                        return;
                    }
                    let shown = path.display().to_string();
                    let mut docs = Vec::new();
                    let mut bad = Vec::new();
                    let result =
                        formats::parse_file(path, opts.format.as_deref(), &mut |item| match item {
                            Ok(mut article) => {
                                if let Some(x) = &extractor {
                                    x.annotate(&mut article);
                                }
                                docs.push((article.id.clone(), builder.build(&article)));
                            }
                            Err(e) => bad.push(e),
                        });
                    let bytes = match &result {
                        Ok(info) => info.bytes,
                        Err(_) => 0,
                    };
                    let skip = |at: Option<String>, reason: String| {
                        let s = Skip {
                            path: shown.clone(),
                            at,
                            reason,
                        };
                        reporter.skipped(&s);
                        if let Ok(mut v) = skips.lock() {
                            v.push(s);
                        }
                    };
                    if let Err(e) = result {
                        files_skipped.fetch_add(1, Ordering::Relaxed);
                        skip(None, e.to_string());
                    }
                    for e in bad {
                        articles_skipped.fetch_add(1, Ordering::Relaxed);
                        match e {
                            ParseError::Article { at, reason } => skip(Some(at), reason),
                            other => skip(None, other.to_string()),
                        }
                    }
                    reporter.file_done(bytes, docs.len() as u64);
                    // The writer thread has gone away only if writing failed; that
                    // error is reported there.
                    let _ = tx.send(Batch { docs });
                });
        });

        // This thread owns the writer.
        let mut since_commit = 0u64;
        let mut last_commit = Instant::now();
        for batch in rx {
            for (id, doc) in batch.docs {
                writer.delete_term(Term::from_field_text(store.fields.id, &id.to_lowercase()));
                if let Err(e) = writer.add_document(doc) {
                    write_result = Err(write_err(e));
                    return;
                }
                summary.articles += 1;
                since_commit += 1;
            }
            summary.files += 1;
            if since_commit >= opts.commit_every_articles
                || last_commit.elapsed() >= opts.commit_every
            {
                if let Err(e) = writer.commit() {
                    write_result = Err(write_err(e));
                    return;
                }
                reporter.committed(summary.articles);
                since_commit = 0;
                last_commit = Instant::now();
            }
        }
    });
    write_result?;
    writer.commit().map_err(write_err)?;
    reporter.committed(summary.articles);
    writer.wait_merging_threads().map_err(write_err)?;

    summary.interrupted = cancel.load(Ordering::Relaxed);
    let unreadable = files_skipped.into_inner();
    summary.files_skipped = unreadable + found.errors.len() as u64;
    summary.files = summary.files.saturating_sub(unreadable);
    summary.articles_skipped = articles_skipped.into_inner();
    summary.bytes = total_bytes;
    summary.seconds = started.elapsed().as_secs_f64();
    if summary.seconds > 0.0 {
        summary.articles_per_second = summary.articles as f64 / summary.seconds;
        summary.mb_per_second = total_bytes as f64 / 1e6 / summary.seconds;
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
