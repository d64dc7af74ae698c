//! The file manifest: which files the index holds and what each one gave.
//!
//! In: the index's last commit. Out: a [`Manifest`] mapping each file (by canonical
//! path) to its size, modification time, content hash and the articles it yielded,
//! so a re-run parses only what changed.
//!
//! The manifest can never disagree with the index: it is written to
//! `manifest-<opstamp>.json` (atomically: temporary file, fsync, rename) *before*
//! tantivy's commit, and that commit's payload names it and carries its hash. A crash
//! before the commit leaves an unreferenced file, which the next commit removes; a
//! crash after it leaves both in step. Opening reads the manifest the last commit
//! names, never "the newest file".

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::IndexWriter;

use crate::store::Store;

/// Version of the manifest layout this newswire reads and writes.
pub const MANIFEST_VERSION: u32 = 1;

const PREFIX: &str = "manifest-";
const SUFFIX: &str = ".json";

/// How close a modification may come to the reading of a file for its time stamp
/// to be untrustworthy (file systems keep time stamps at a coarser grain than the
/// nanoseconds they show).
pub const RACY_NS: u64 = 2_000_000_000;

/// Every file the index holds articles from (or has read and found none in).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Manifest {
    pub version: u32,
    /// The newswire that last read every file. Another version may parse files
    /// differently, so a run by another version reads every file again.
    #[serde(default)]
    pub newswire_version: String,
    /// Canonical absolute path -> what was read from it.
    pub files: BTreeMap<String, FileEntry>,
    /// The index's `names.toml` as the articles were last named with it (absent:
    /// no file), so a run knows when it changed and what changed in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub names: Option<NamesRecord>,
}

/// The `names.toml` the index's articles are named with.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct NamesRecord {
    /// xxh3-128 of the file's bytes, hex.
    pub hash: String,
    /// The file's text, to tell which names a later version changes.
    pub text: String,
}

/// One file as it was when it was last read.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct FileEntry {
    pub size: u64,
    /// Modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: u64,
    /// When its bytes were last hashed, nanoseconds since the Unix epoch. A file
    /// modified less than [`RACY_NS`] before that could have changed again within the
    /// same time stamp, so it is hashed again rather than trusted.
    #[serde(default)]
    pub read_at_ns: u64,
    /// xxh3-128 of the file's bytes, hex; empty when the file changed while it was
    /// being read (so the next run reads it again).
    pub hash: String,
    /// The path as it was given when the file was read (the articles' `path`).
    pub path: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// Why no article could be read from it, when none could.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The articles, in file order.
    #[serde(default)]
    pub articles: Vec<ArticleRef>,
}

/// One article a file yielded.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ArticleRef {
    pub id: String,
    /// Hash of the article's content, when it has enough content to compare.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hash: Option<u64>,
    /// False when an earlier copy (same id or same content) is the one stored.
    pub stored: bool,
}

/// A key two articles can share: then only one of them is stored.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DedupKey {
    Id(String),
    Content(u64),
}

impl ArticleRef {
    pub fn keys(&self) -> impl Iterator<Item = DedupKey> + '_ {
        std::iter::once(DedupKey::Id(self.id.to_lowercase()))
            .chain(self.hash.map(DedupKey::Content))
    }
}

/// What a commit's payload says.
#[derive(Debug, Serialize, Deserialize)]
struct Payload {
    manifest: String,
    xxh3: String,
    files: usize,
    articles: usize,
}

/// Why the manifest could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The index has articles but no manifest (built before manifests existed).
    #[error(
        "the index at {0} has no file manifest (it was built by an older newswire), so it \
         cannot be updated file by file: rebuild it with `newswire index --rebuild PATH...`"
    )]
    Missing(PathBuf),
    /// The manifest the last commit names is missing or damaged.
    #[error(
        "the file manifest of the index at {path} is damaged ({reason}); the index can still \
         be searched, but to update it rebuild it with `newswire index --rebuild PATH...`"
    )]
    Damaged { path: PathBuf, reason: String },
    /// The manifest was written by a newer newswire.
    #[error(
        "the index at {path} was written by a newer newswire (manifest version {found}, this \
         newswire reads {MANIFEST_VERSION}): upgrade newswire, or rebuild the index with \
         `newswire index --rebuild PATH...`"
    )]
    TooNew { path: PathBuf, found: u32 },
    /// Reading or writing the manifest file failed.
    #[error("{path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// tantivy failed to read its metadata or to commit.
    #[error("index at {path}")]
    Tantivy {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
}

impl Manifest {
    pub fn new() -> Self {
        Manifest {
            version: MANIFEST_VERSION,
            newswire_version: env!("CARGO_PKG_VERSION").to_string(),
            files: BTreeMap::new(),
            names: None,
        }
    }

    /// The manifest of the index's last commit.
    pub fn load(store: &Store) -> Result<Manifest, ManifestError> {
        let dir = &store.dir;
        let metas = store
            .index
            .load_metas()
            .map_err(|source| ManifestError::Tantivy {
                path: dir.clone(),
                source,
            })?;
        let docs: u64 = metas.segments.iter().map(|s| u64::from(s.num_docs())).sum();
        let damaged = |reason: String| ManifestError::Damaged {
            path: dir.clone(),
            reason,
        };
        let Some(text) = metas.payload.as_deref() else {
            return if docs == 0 {
                Ok(Manifest::new())
            } else {
                Err(ManifestError::Missing(dir.clone()))
            };
        };
        let payload: Payload = serde_json::from_str(text)
            .map_err(|e| damaged(format!("the last commit's payload is unreadable: {e}")))?;
        if !is_manifest_name(&payload.manifest) {
            return Err(damaged(format!("bad manifest name {:?}", payload.manifest)));
        }
        let path = dir.join(&payload.manifest);
        let bytes = fs::read(&path).map_err(|e| damaged(format!("{}: {e}", path.display())))?;
        if hash_hex(&bytes) != payload.xxh3 {
            return Err(damaged(format!(
                "{} does not match the hash its commit recorded",
                path.display()
            )));
        }
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| damaged(format!("{}: {e}", path.display())))?;
        if manifest.version > MANIFEST_VERSION {
            return Err(ManifestError::TooNew {
                path: dir.clone(),
                found: manifest.version,
            });
        }
        Ok(manifest)
    }

    /// Articles stored (not counted as duplicates) over all files.
    pub fn stored_articles(&self) -> usize {
        self.files
            .values()
            .map(|f| f.articles.iter().filter(|a| a.stored).count())
            .sum()
    }

    /// Files holding an article whose stored/duplicate status differs from what a
    /// single run over all files in path order would give (the first copy of an id
    /// or of a content is stored, later ones are duplicates). Such files must be
    /// read again.
    pub fn misplaced(&self) -> Vec<String> {
        let mut held: HashSet<DedupKey> = HashSet::new();
        let mut out = Vec::new();
        for (key, entry) in &self.files {
            let mut wrong = false;
            for a in &entry.articles {
                let should = a.keys().all(|k| !held.contains(&k));
                if should {
                    held.extend(a.keys());
                }
                wrong |= should != a.stored;
            }
            if wrong {
                out.push(key.clone());
            }
        }
        out
    }

    /// Who stores each key: `key -> (file, position in file)`.
    pub fn holders(&self) -> HashMap<DedupKey, (String, usize)> {
        let mut out = HashMap::new();
        for (file, entry) in &self.files {
            for (i, a) in entry.articles.iter().enumerate().filter(|(_, a)| a.stored) {
                for k in a.keys() {
                    out.insert(k, (file.clone(), i));
                }
            }
        }
        out
    }

    /// Commits `writer` with this manifest as the commit's payload (see the module
    /// docs for why this keeps the two in step), then removes manifests no commit
    /// names any more.
    pub fn commit(&self, writer: &mut IndexWriter, dir: &Path) -> Result<u64, ManifestError> {
        let tantivy_err = |source| ManifestError::Tantivy {
            path: dir.to_path_buf(),
            source,
        };
        let mut prepared = writer.prepare_commit().map_err(tantivy_err)?;
        let name = format!("{PREFIX}{:020}{SUFFIX}", prepared.opstamp());
        let bytes = match serde_json::to_vec(self) {
            Ok(b) => b,
            Err(e) => {
                let _ = prepared.abort();
                return Err(ManifestError::Io {
                    path: dir.join(&name),
                    source: std::io::Error::other(e),
                });
            }
        };
        if let Err(source) = crate::fsutil::write_atomic(dir, &name, &bytes) {
            let _ = prepared.abort();
            return Err(ManifestError::Io {
                path: dir.join(&name),
                source,
            });
        }
        let payload = Payload {
            manifest: name.clone(),
            xxh3: hash_hex(&bytes),
            files: self.files.len(),
            articles: self.stored_articles(),
        };
        // Serializing a struct of strings and numbers cannot fail.
        let text = serde_json::to_string(&payload).unwrap_or_default();
        prepared.set_payload(&text);
        let opstamp = prepared.commit().map_err(tantivy_err)?;
        remove_stale(dir, &name);
        Ok(opstamp)
    }
}

fn is_manifest_name(name: &str) -> bool {
    name.starts_with(PREFIX)
        && name.ends_with(SUFFIX)
        && !name.contains('/')
        && !name.contains('\\')
}

/// xxh3-128 of `bytes` as 32 hex digits.
pub fn hash_hex(bytes: &[u8]) -> String {
    format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes))
}

/// Removes manifest files other than `keep` (left by earlier commits or by a run
/// that died between writing its manifest and committing).
fn remove_stale(dir: &Path, keep: &str) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if name != keep && name.starts_with(PREFIX) {
            let _ = fs::remove_file(e.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn art(id: &str, hash: Option<u64>, stored: bool) -> ArticleRef {
        ArticleRef {
            id: id.into(),
            hash,
            stored,
        }
    }

    fn manifest(files: &[(&str, Vec<ArticleRef>)]) -> Manifest {
        let mut m = Manifest::new();
        for (k, arts) in files {
            m.files.insert(
                k.to_string(),
                FileEntry {
                    articles: arts.clone(),
                    ..FileEntry::default()
                },
            );
        }
        m
    }

    #[test]
    fn first_copy_in_path_order_is_the_stored_one() {
        let m = manifest(&[
            ("/a", vec![art("x", Some(1), true), art("y", Some(2), true)]),
            (
                "/b",
                vec![art("X", Some(9), false), art("z", Some(2), false)],
            ),
            ("/c", vec![art("w", Some(3), true)]),
        ]);
        assert!(m.misplaced().is_empty());
        assert_eq!(m.stored_articles(), 3);
    }

    #[test]
    fn a_duplicate_whose_original_is_gone_is_misplaced() {
        // /a lost its copy of "x": /b's copy must now be stored.
        let m = manifest(&[
            ("/a", vec![art("y", Some(2), true)]),
            ("/b", vec![art("x", Some(1), false)]),
        ]);
        assert_eq!(m.misplaced(), vec!["/b".to_string()]);
    }

    #[test]
    fn stored_twice_is_misplaced() {
        let m = manifest(&[
            ("/a", vec![art("x", Some(1), true)]),
            ("/b", vec![art("other-id", Some(1), true)]),
        ]);
        assert_eq!(m.misplaced(), vec!["/b".to_string()]);
    }

    #[test]
    fn atomic_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().expect("temp dir");
        crate::fsutil::write_atomic(dir.path(), "manifest-1.json", b"{}").expect("write");
        let names: Vec<_> = fs::read_dir(dir.path())
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["manifest-1.json".to_string()]);
        remove_stale(dir.path(), "manifest-2.json");
        assert_eq!(fs::read_dir(dir.path()).expect("list").count(), 0);
    }

    #[test]
    fn manifest_names_cannot_escape_the_index() {
        assert!(is_manifest_name("manifest-00000000000000000012.json"));
        assert!(!is_manifest_name("manifest-../../etc/passwd.json"));
        assert!(!is_manifest_name("meta.json"));
    }
}
