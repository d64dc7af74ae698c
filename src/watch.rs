//! Watching folders: index what is there, then keep the index in step with the
//! folders as files appear, change and vanish (a wire spool folder, a feed file a
//! cron job rewrites).
//!
//! The operating system says when something changes (inotify on Linux, through the
//! `notify` crate): nothing polls the folders, so an idle watcher costs no CPU. A
//! change starts nothing at once: the watcher waits until the folders have been
//! quiet for a moment (or, in a folder where files never stop landing, until the
//! oldest change has waited two seconds), so a file still being written is read once
//! it is whole (a file written more slowly than that is read again when it
//! changes), then
//! runs one incremental [`ingest::run`], which reads only what changed, removes the
//! articles of files that went away and commits. Every guarantee of `newswire index`
//! (the writer lock, crash safety, Ctrl-C committing what was done) holds for each
//! of those runs.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

use crate::ingest::{self, IndexOptions, IndexSummary, IngestError, Reporter};
use crate::store::Store;

/// Longest a change waits for the folders to settle (at least twice `settle`).
const MAX_WAIT: Duration = Duration::from_secs(2);
/// How often the watcher looks at its stop flag while nothing happens.
const IDLE_TICK: Duration = Duration::from_millis(500);

/// Why watching stopped early.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error(transparent)]
    Ingest(#[from] IngestError),
    #[error("cannot watch {path}: {source}")]
    Watch {
        path: PathBuf,
        source: notify::Error,
    },
}

/// Indexes `opts.inputs`, then again after every change once the folders have been
/// quiet for `settle`, until `cancel` is set. `after_run` hears of every run that
/// changed something (and of the first run, whatever it did).
pub fn watch(
    store: &Store,
    opts: &IndexOptions,
    reporter: &dyn Reporter,
    cancel: &AtomicBool,
    settle: Duration,
    after_run: &mut dyn FnMut(&IndexSummary),
) -> Result<(), WatchError> {
    let (tx, rx) = mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let _ = tx.send(event);
    })
    .map_err(|source| WatchError::Watch {
        path: PathBuf::new(),
        source,
    })?;
    for path in &opts.inputs {
        // A single file is watched through its folder: a cron job or an editor
        // replaces a file by renaming a new one over it.
        let (target, mode) = if path.is_dir() {
            (path.clone(), RecursiveMode::Recursive)
        } else {
            let parent = path
                .parent()
                .filter(|p| !p.as_os_str().is_empty())
                .unwrap_or(Path::new("."));
            (parent.to_path_buf(), RecursiveMode::NonRecursive)
        };
        // Absolute, so that events name absolute paths (compared with the index's).
        let target = std::fs::canonicalize(&target).unwrap_or(target);
        watcher
            .watch(&target, mode)
            .map_err(|source| WatchError::Watch {
                path: target.clone(),
                source,
            })?;
    }
    let index_dir = std::fs::canonicalize(&store.dir).unwrap_or_else(|_| store.dir.clone());

    let first = ingest::run(store, opts, reporter, cancel)?;
    after_run(&first);
    // A folder that never goes quiet (files landing every few milliseconds) is
    // indexed anyway once its oldest unindexed change is this old.
    let longest = (settle * 2).max(MAX_WAIT);
    // (first, last) unindexed change.
    let mut pending: Option<(Instant, Instant)> = None;
    while !cancel.load(Ordering::SeqCst) {
        let wait = match pending {
            Some((first, last)) => settle
                .saturating_sub(last.elapsed())
                .min(longest.saturating_sub(first.elapsed()))
                .min(IDLE_TICK),
            None => IDLE_TICK,
        };
        let changed = match rx.recv_timeout(wait) {
            Ok(Ok(event)) => relevant(&event, &index_dir),
            // A lost or failed event: look at the folders to be sure.
            Ok(Err(_)) => true,
            Err(mpsc::RecvTimeoutError::Timeout) => false,
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        };
        if changed {
            let now = Instant::now();
            pending = Some(pending.map_or((now, now), |(first, _)| (first, now)));
        }
        let due = pending
            .is_some_and(|(first, last)| last.elapsed() >= settle || first.elapsed() >= longest);
        if due {
            pending = None;
            let summary = ingest::run(store, opts, reporter, cancel)?;
            if !summary.up_to_date() {
                after_run(&summary);
            }
        }
    }
    drop(watcher);
    Ok(())
}

/// Whether an event may change what is indexed (not a read, not the index's own
/// files when the index lives inside a watched folder).
fn relevant(event: &notify::Event, index_dir: &Path) -> bool {
    if matches!(event.kind, EventKind::Access(_)) {
        return false;
    }
    // Fetched feeds live in the index folder and are indexed like any input.
    let feeds = index_dir.join(crate::feeds::FEEDS_DIR);
    event.paths.is_empty()
        || event
            .paths
            .iter()
            .any(|p| !p.starts_with(index_dir) || p.starts_with(&feeds))
}
