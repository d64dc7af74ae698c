//! The single thread that owns tantivy's `IndexWriter` and the manifest that goes
//! with it.
//!
//! In: the [`Job`]s of a round, run by the workers ([`super::read`]) over a bounded
//! channel. Out: documents added and deleted (of articles sharing an id or content,
//! the first in path order is stored), and commits, each with the manifest that
//! agrees with it, every `commit_every_articles` articles or `commit_every`, whichever
//! comes first. A build from scratch ends with [`merge_into_one`].

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tantivy::{IndexWriter, TantivyDocument, Term};

use super::plan::Job;
use super::read::{read_file, Done, Outcome, WorkerContext};
use super::{
    chain, disk_full_hint, write_error, ArticleRef, DedupKey, FileEntry, IndexSummary, IngestError,
    Manifest, ManifestError, Reporter,
};
use crate::schema::Fields;
use crate::store::Store;

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
pub(super) struct Open {
    path: String,
    size: u64,
    refs: Vec<ArticleRef>,
}

/// The thread that owns the index writer, and the manifest that goes with it.
pub(super) struct Writer<'a> {
    pub(super) writer: IndexWriter,
    pub(super) dir: PathBuf,
    pub(super) fields: Fields,
    pub(super) manifest: Manifest,
    /// Which stored article holds each dedup key: `(file, position)`.
    pub(super) holders: HashMap<DedupKey, (String, usize)>,
    pub(super) summary: IndexSummary,
    /// Something changed since the last commit.
    pub(super) dirty: bool,
    /// Documents added so far (some may since have lost their place to an earlier
    /// copy).
    pub(super) added: u64,
    /// Files parsed by this run.
    pub(super) parsed: HashSet<String>,
    pub(super) since_commit: u64,
    pub(super) last_commit: Instant,
    /// Files whose first parts are written and whose end is still to come.
    pub(super) open: HashMap<String, Open>,
    pub(super) every_articles: u64,
    pub(super) every: Duration,
    pub(super) reporter: &'a dyn Reporter,
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

    /// Replaces the stored article `id` with `doc`: the same article, named again
    /// (its file, dedup keys and manifest entry stay as they are).
    pub(super) fn replace(&mut self, id: &str, doc: TantivyDocument) -> Result<(), IngestError> {
        self.delete_id(id);
        self.writer
            .add_document(doc)
            .map_err(|e| self.write_err(e))?;
        self.since_commit += 1;
        Ok(())
    }

    /// Deletes the stored articles of `entry` (already out of the manifest).
    pub(super) fn forget(&mut self, key: &str, entry: &FileEntry) {
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
    pub(super) fn pipeline(
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

    pub(super) fn commit(&mut self) -> Result<(), IngestError> {
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

/// Merges a freshly built index of up to twice the memory budget into one segment,
/// once tantivy's own merges are over: searches and facets over one segment are
/// cheaper (values are named once, not per segment) and the index is smaller. Later,
/// incremental runs leave merging to tantivy's policy.
pub(super) fn merge_into_one(store: &Store, memory_budget: usize) -> Result<(), IngestError> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{run, IndexOptions, Silent};
    use std::fs;
    use std::sync::Mutex;
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
}
