//! The worker side of a run: rayon workers read a file, hash it and, unless its bytes
//! are the ones already indexed, parse it, find the entities of its articles and turn
//! them into documents.
//!
//! In: a [`Job`] and the [`WorkerContext`] all workers share. Out: a [`Done`] for the
//! writer ([`super::writer`]), and for a file of many articles, batches of documents
//! before it. Bad input is reported through the context's `skip`, never returned as an
//! error.

use std::fs;
use std::io::Read;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use rayon::prelude::*;
use tantivy::TantivyDocument;

use super::plan::{mtime_ns, Job};
use super::{ArticleRef, DocumentBuilder, Reporter, Skip};
use crate::article::{format_date, Article};
use crate::entities::names::NameRules;
use crate::entities::{aliases, Extractor};
use crate::formats::{self, ParseError};

/// A file read by a worker, on its way to the writer.
pub(super) struct Done {
    pub(super) key: String,
    pub(super) path: String,
    pub(super) size: u64,
    pub(super) mtime_ns: u64,
    pub(super) read_at_ns: u64,
    pub(super) hash: String,
    pub(super) outcome: Outcome,
}

pub(super) enum Outcome {
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

/// What the workers share.
pub(super) struct WorkerContext<'a> {
    pub(super) format: Option<&'a str>,
    pub(super) entities: bool,
    /// Loaded by the first file that needs it (a run with nothing to read loads
    /// nothing).
    pub(super) extractor: OnceLock<Option<Extractor>>,
    pub(super) builder: DocumentBuilder,
    /// The index's `names.toml`, applied to every article.
    pub(super) names: &'a NameRules,
    pub(super) reporter: &'a dyn Reporter,
    pub(super) skip: &'a (dyn Fn(Skip) + Sync),
    pub(super) cancel: &'a AtomicBool,
    pub(super) files_skipped: AtomicU64,
    pub(super) articles_skipped: AtomicU64,
    pub(super) warnings: Mutex<Vec<Skip>>,
}

/// The current time, nanoseconds since the Unix epoch.
fn now_ns() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
}

/// (size, mtime) of a file, or why it cannot be read.
fn stat(path: &Path) -> std::io::Result<(u64, u64)> {
    let m = fs::metadata(path)?;
    Ok((m.len(), mtime_ns(&m)))
}

pub(super) fn hash_file(path: &Path) -> std::io::Result<String> {
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

/// Articles of one file turned into documents together (in parallel).
const BATCH: usize = 256;

/// Reads one file: hashes it, and unless its bytes are the ones already indexed,
/// parses it into documents. A file of many articles is handed over in parts of
/// [`BATCH`] documents through `send_part` as it is read.
pub(super) fn read_file(
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
                match extractor {
                    Some(x) => x.annotate(&mut article),
                    None => aliases::builtin().canonicalize(&mut article),
                }
                let tagged = ctx.names.apply(&mut article);
                let r = ArticleRef {
                    id: article.id.clone(),
                    hash: content_hash(&article),
                    stored: false,
                };
                (r, ctx.builder.build_tagged(&article, tagged.as_ref()))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::Silent;
    use crate::schema::Fields;
    use std::time::Duration;
    static NO_NAMES: once_cell::sync::Lazy<NameRules> =
        once_cell::sync::Lazy::new(NameRules::default);
    fn context<'a>(skip: &'a (dyn Fn(Skip) + Sync), cancel: &'a AtomicBool) -> WorkerContext<'a> {
        let spec = crate::schema::SchemaSpec::builtin().expect("schema");
        let schema = spec.to_tantivy();
        WorkerContext {
            format: None,
            entities: false,
            extractor: OnceLock::new(),
            builder: DocumentBuilder::new(Fields::new(&schema).expect("fields")),
            names: &NO_NAMES,
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
