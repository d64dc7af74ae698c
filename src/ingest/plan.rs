//! Planning a run: what was found, compared with the manifest, gives the files to
//! read (new, or whose size or time changed), the ones left alone and the ones whose
//! articles must go.
//!
//! In: the [`Discovered`] files and the index's [`Manifest`]. Out: a [`Plan`] of
//! [`Job`]s for the workers ([`super::read`]).

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

use super::{manifest, Discovered, IndexOptions, Manifest, Skip};

/// A file to read.
#[derive(Debug, Clone)]
pub(super) struct Job {
    /// Path to read (as given, so articles keep the user's spelling).
    pub(super) path: PathBuf,
    /// Canonical path: the manifest key.
    pub(super) key: String,
    pub(super) size: u64,
    /// Content hash recorded last time; equal bytes mean nothing to parse.
    pub(super) prev_hash: Option<String>,
    /// Parse even when the bytes did not change (re-reading to settle duplicates).
    pub(super) force: bool,
}

/// What a run has to do.
pub(super) struct Plan {
    pub(super) jobs: Vec<Job>,
    pub(super) unchanged: u64,
    /// Manifest keys whose articles must go.
    pub(super) removed: Vec<String>,
    /// Files found but not readable now (their articles stay).
    pub(super) unreadable: u64,
}

pub(super) fn mtime_ns(m: &fs::Metadata) -> u64 {
    m.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

pub(super) fn absolute(p: &Path) -> PathBuf {
    fs::canonicalize(p)
        .or_else(|_| std::path::absolute(p))
        .unwrap_or_else(|_| p.to_path_buf())
}

/// Compares what was found with the manifest: which files to read, which are
/// unchanged, which are gone.
pub(super) fn plan(
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::discover;
    use crate::ingest::read::hash_file;
    use crate::ingest::FileEntry;
    use std::sync::Mutex;
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
}
