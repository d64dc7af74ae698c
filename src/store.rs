//! The on-disk index: creating, opening and checking it.
//!
//! An index directory holds tantivy's files plus `newswire.json`, which records the
//! newswire version, the index layout and the schema that built it. Opening an index
//! built with another schema or layout fails with a message saying exactly what to do
//! (upgrade newswire for a newer index, rebuild for an older one).
//!
//! Creation survives a crash at any point: `newswire.json` is written first
//! (atomically), then tantivy's files; a directory holding only `newswire.json` is an
//! index whose creation was interrupted, and is completed. `--rebuild` takes the
//! writer lock before it deletes anything, so it can never pull an index out from
//! under a running `newswire index`.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use fs2::FileExt;
use tantivy::directory::error::{DeleteError, LockError, OpenReadError, OpenWriteError};
use tantivy::directory::{
    Directory, DirectoryLock, FileHandle, Lock, MmapDirectory, WatchCallback, WatchHandle,
    WritePtr, META_LOCK,
};

use serde::{Deserialize, Serialize};
use tantivy::{Index, IndexReader, ReloadPolicy, Searcher};

use crate::schema::{tokenizers, Fields, SchemaError, SchemaSpec};

/// Name of the metadata file newswire keeps beside tantivy's.
pub const META_FILE: &str = "newswire.json";

/// Version of the index layout (what newswire keeps beside tantivy's files).
/// 1: no file manifest; 2: a file manifest named by each commit's payload;
/// 3: fast-field dictionaries stored uncompressed (facet values resolve without
/// decompressing a block per value; the index is 1% larger).
pub const INDEX_FORMAT: u32 = 3;

/// tantivy's writer lock file, which `newswire index` holds while it runs.
pub const LOCK_FILE: &str = ".tantivy-writer.lock";

/// Why an index could not be opened or created.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// There is no index at the path.
    #[error("no newswire index at {0} (build one with `newswire index FOLDER`)")]
    NotFound(PathBuf),
    /// The directory holds something that is not a newswire index.
    #[error(
        "{0} is not a newswire index (it has no {META_FILE}); choose another --index directory"
    )]
    NotNewswire(PathBuf),
    /// The index was built with a different schema.
    #[error(
        "the index at {path} was built with schema {found} by newswire {built_by}; this newswire \
         uses schema {expected}: re-index with `newswire index --rebuild FOLDER...`"
    )]
    SchemaMismatch {
        path: PathBuf,
        found: String,
        expected: String,
        built_by: String,
    },
    /// The index was written by an older newswire, in a layout this one cannot read.
    #[error(
        "the index at {path} was built by newswire {built_by} in an older layout (index \
         format {found}; this newswire reads format {INDEX_FORMAT}): rebuild it with \
         `newswire index --rebuild FOLDER...`"
    )]
    TooOld {
        path: PathBuf,
        found: u32,
        built_by: String,
    },
    /// The index was written by a newer newswire, in a layout this one cannot read.
    #[error(
        "the index at {path} was built by newswire {built_by} (index format {found}); this \
         newswire {this} reads format {INDEX_FORMAT} at most: upgrade newswire, or rebuild \
         the index with `newswire index --rebuild FOLDER...`",
        this = env!("CARGO_PKG_VERSION")
    )]
    TooNew {
        path: PathBuf,
        found: u32,
        built_by: String,
    },
    /// Another `newswire index` run holds the index (only `--rebuild` checks here;
    /// indexing reports it when it takes the writer).
    #[error(
        "the index at {0} is locked by another `newswire index` run (lock file {0}/{LOCK_FILE}); \
         wait for it to finish"
    )]
    Locked(PathBuf),
    /// Files of the index do not match their checksums (damaged on disk).
    #[error(
        "the index at {path} is damaged ({files}); its source files are untouched: rebuild \
         it with `newswire index --rebuild FOLDER...`"
    )]
    Damaged { path: PathBuf, files: String },
    /// The embedded schema is invalid (a build defect).
    #[error("schema: {0}")]
    Schema(#[from] SchemaError),
    /// The metadata file is unreadable.
    #[error("{path}: {reason}")]
    Meta { path: PathBuf, reason: String },
    /// File system trouble.
    #[error("{path}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// tantivy refused to open the index (corrupt or unreadable files).
    #[error(
        "cannot open the index at {path} (damaged, or written by an incompatible newswire: \
         rebuild it with `newswire index --rebuild FOLDER...`)"
    )]
    Tantivy {
        path: PathBuf,
        source: tantivy::TantivyError,
    },
}

/// What `newswire.json` records.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct IndexMeta {
    pub newswire_version: String,
    pub schema_name: String,
    pub schema_version: u32,
    pub schema_fingerprint: String,
    /// Index layout version ([`INDEX_FORMAT`]); absent (1) in indexes made before it.
    #[serde(default = "format_one")]
    pub index_format: u32,
}

fn format_one() -> u32 {
    1
}

impl IndexMeta {
    fn current(spec: &SchemaSpec) -> Self {
        IndexMeta {
            newswire_version: env!("CARGO_PKG_VERSION").to_string(),
            schema_name: spec.name.clone(),
            schema_version: spec.version,
            schema_fingerprint: spec.fingerprint(),
            index_format: INDEX_FORMAT,
        }
    }

    fn schema_label(&self) -> String {
        format!(
            "{} v{} ({})",
            self.schema_name, self.schema_version, self.schema_fingerprint
        )
    }
}

/// Settings of a new index. The document store (mostly article bodies, three fifths
/// of an index) is compressed with zstd at its default level: a quarter smaller than
/// with lz4 for a few percent more indexing time; reading a hit's stored fields stays
/// well under a millisecond. Indexes built with lz4 keep it.
fn index_settings() -> tantivy::IndexSettings {
    tantivy::IndexSettings {
        docstore_compression: tantivy::store::Compressor::Zstd(tantivy::store::ZstdCompressor {
            compression_level: None,
        }),
        ..tantivy::IndexSettings::default()
    }
}

/// An open index with its schema.
pub struct Store {
    pub dir: PathBuf,
    pub index: Index,
    pub spec: SchemaSpec,
    pub fields: Fields,
    pub meta: IndexMeta,
    /// The reader of the last commit seen, and that commit's opstamp.
    reader: Mutex<Option<(u64, IndexReader)>>,
}

impl Store {
    /// A searcher over the index's last commit. Its segments stay open between calls
    /// (a process that searches many times opens them once) and are opened again
    /// only after a new commit.
    pub fn searcher(&self) -> tantivy::Result<Searcher> {
        let stamp = self.index.load_metas()?.opstamp;
        let mut cached = self
            .reader
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((seen, reader)) = cached.as_ref() {
            if *seen == stamp {
                return Ok(reader.searcher());
            }
        }
        let reader: IndexReader = self
            .index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let searcher = reader.searcher();
        *cached = Some((stamp, reader));
        Ok(searcher)
    }

    /// Opens an existing index for reading.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let spec = SchemaSpec::builtin()?;
        let meta_path = dir.join(META_FILE);
        if !dir.exists() {
            return Err(StoreError::NotFound(dir.to_path_buf()));
        }
        if !meta_path.exists() {
            if dir.join("meta.json").exists() {
                return Err(StoreError::NotNewswire(dir.to_path_buf()));
            }
            return Err(StoreError::NotFound(dir.to_path_buf()));
        }
        let meta = read_meta(&meta_path)?;
        let expected = IndexMeta::current(&spec);
        if meta.index_format > INDEX_FORMAT {
            return Err(StoreError::TooNew {
                path: dir.to_path_buf(),
                found: meta.index_format,
                built_by: meta.newswire_version.clone(),
            });
        }
        if meta.index_format < INDEX_FORMAT {
            return Err(StoreError::TooOld {
                path: dir.to_path_buf(),
                found: meta.index_format,
                built_by: meta.newswire_version.clone(),
            });
        }
        if meta.schema_fingerprint != expected.schema_fingerprint {
            if meta.schema_version > expected.schema_version {
                return Err(StoreError::TooNew {
                    path: dir.to_path_buf(),
                    found: meta.index_format,
                    built_by: meta.newswire_version.clone(),
                });
            }
            return Err(StoreError::SchemaMismatch {
                path: dir.to_path_buf(),
                found: meta.schema_label(),
                expected: expected.schema_label(),
                built_by: meta.newswire_version.clone(),
            });
        }
        if !dir.join("meta.json").exists() {
            // Creation was interrupted before tantivy wrote anything: an empty index.
            return Err(StoreError::NotFound(dir.to_path_buf()));
        }
        let tantivy_err = |source| StoreError::Tantivy {
            path: dir.to_path_buf(),
            source,
        };
        let directory =
            MmapDirectory::open(dir).map_err(|e| tantivy_err(tantivy::TantivyError::from(e)))?;
        let mut index = Index::open(ReadOnlyTolerant(directory)).map_err(tantivy_err)?;
        index.set_tokenizers(tokenizers());
        let fields = Fields::new(&index.schema()).map_err(|source| StoreError::Tantivy {
            path: dir.to_path_buf(),
            source,
        })?;
        Ok(Store {
            dir: dir.to_path_buf(),
            index,
            spec,
            fields,
            meta,
            reader: Mutex::new(None),
        })
    }

    /// An empty index in memory with the built-in schema: parses and checks queries,
    /// and builds snippets, for answers that come from a cluster instead.
    pub fn in_memory() -> Result<Store, StoreError> {
        let spec = SchemaSpec::builtin()?;
        let mut index = Index::create_in_ram(spec.to_tantivy());
        index.set_tokenizers(tokenizers());
        let fields = Fields::new(&index.schema()).map_err(|source| StoreError::Tantivy {
            path: PathBuf::from("(memory)"),
            source,
        })?;
        Ok(Store {
            dir: PathBuf::new(),
            index,
            meta: IndexMeta::current(&spec),
            spec,
            fields,
            reader: Mutex::new(None),
        })
    }

    /// Opens the index at `dir` for writing, creating it if needed. With `rebuild`,
    /// an existing newswire index there is deleted first (after taking its writer
    /// lock, so a running `newswire index` is never disturbed).
    pub fn open_or_create(dir: &Path, rebuild: bool) -> Result<Store, StoreError> {
        let io = |source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        };
        remove_discarded(dir);
        if dir.join(META_FILE).exists() {
            if rebuild {
                discard(dir)?;
            } else if dir.join("meta.json").exists() {
                return Store::open(dir);
            } else {
                // An interrupted creation: finish it below (the metadata is rewritten).
            }
        } else if dir.exists() && has_files(dir).map_err(io)? {
            return Err(StoreError::NotNewswire(dir.to_path_buf()));
        }
        fs::create_dir_all(dir).map_err(io)?;
        let spec = SchemaSpec::builtin()?;
        let tantivy_err = |source| StoreError::Tantivy {
            path: dir.to_path_buf(),
            source,
        };
        // Metadata first: a directory with it and without tantivy's files is an
        // index whose creation was interrupted, never "not a newswire index".
        let meta = IndexMeta::current(&spec);
        let text = serde_json::to_string_pretty(&meta).map_err(|e| StoreError::Meta {
            path: dir.join(META_FILE),
            reason: e.to_string(),
        })?;
        write_atomic(&dir.join(META_FILE), text.as_bytes()).map_err(io)?;
        let created = Index::builder()
            .schema(spec.to_tantivy())
            .settings(index_settings())
            .create_in_dir(dir);
        let mut index = match created {
            Ok(index) => index,
            // Another run created it a moment ago: use it (its writer lock decides
            // which run goes on).
            Err(tantivy::TantivyError::IndexAlreadyExists) => return Store::open(dir),
            Err(e) => return Err(tantivy_err(e)),
        };
        index.set_tokenizers(tokenizers());
        let fields = Fields::new(&index.schema()).map_err(tantivy_err)?;
        Ok(Store {
            dir: dir.to_path_buf(),
            index,
            spec,
            fields,
            meta,
            reader: Mutex::new(None),
        })
    }

    /// Checks every file of the last commit against its checksum (reads the whole
    /// index once). tantivy notices a truncated file when it opens it, but not
    /// bytes changed in place, which would otherwise give wrong results silently.
    pub fn verify(&self) -> Result<(), StoreError> {
        let damaged = |files: String| StoreError::Damaged {
            path: self.dir.clone(),
            files,
        };
        match self.index.validate_checksum() {
            Ok(bad) if bad.is_empty() => Ok(()),
            Ok(bad) => {
                let mut names: Vec<String> = bad.iter().map(|p| p.display().to_string()).collect();
                names.sort();
                Err(damaged(format!(
                    "checksum mismatch in {}",
                    names.join(", ")
                )))
            }
            Err(e) => Err(damaged(e.to_string())),
        }
    }

    /// Bytes the index takes on disk.
    pub fn size_on_disk(&self) -> u64 {
        walkdir::WalkDir::new(&self.dir)
            .into_iter()
            .filter_map(Result::ok)
            .filter_map(|e| e.metadata().ok())
            .filter(|m| m.is_file())
            .map(|m| m.len())
            .sum()
    }
}

fn read_meta(path: &Path) -> Result<IndexMeta, StoreError> {
    let text = fs::read_to_string(path).map_err(|source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|e| StoreError::Meta {
        path: path.to_path_buf(),
        reason: format!("unreadable index metadata ({e}); rebuild with `newswire index --rebuild`"),
    })
}

/// Whether `dir` holds anything but leftovers of an interrupted creation.
fn has_files(dir: &Path) -> std::io::Result<bool> {
    for e in fs::read_dir(dir)? {
        let name = e?.file_name();
        if name.to_str() != Some(TMP_META) {
            return Ok(true);
        }
    }
    Ok(false)
}

const TMP_META: &str = "newswire.json.tmp";

/// Writes `path` so that it is either absent or complete, even across a crash.
fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or(META_FILE);
    crate::fsutil::write_atomic(dir, name, bytes)
}

/// Name of the sibling an index is moved to before `--rebuild` deletes it.
fn discarded_prefix(dir: &Path) -> String {
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "index".into());
    format!(".{name}.discarded-")
}

/// Finishes deleting indexes a `--rebuild` that was killed had moved aside.
fn remove_discarded(dir: &Path) {
    let prefix = discarded_prefix(dir);
    let parent = match dir.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for e in entries.flatten() {
        let mine = format!("{prefix}{}", std::process::id());
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with(&prefix) && name != mine {
            let _ = fs::remove_dir_all(e.path());
        }
    }
}

/// Deletes the newswire index at `dir`, holding its writer lock while doing so.
/// The directory is first renamed aside, so a crash midway leaves either the old
/// index whole or no index (never half of one).
fn discard(dir: &Path) -> Result<(), StoreError> {
    let io = |source| StoreError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let lock = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(dir.join(LOCK_FILE))
        .map_err(io)?;
    if lock.try_lock_exclusive().is_err() {
        return Err(StoreError::Locked(dir.to_path_buf()));
    }
    let aside = dir.with_file_name(format!("{}{}", discarded_prefix(dir), std::process::id()));
    fs::rename(dir, &aside).map_err(io)?;
    drop(lock);
    fs::remove_dir_all(&aside).map_err(|source| StoreError::Io {
        path: aside.clone(),
        source,
    })
}

/// tantivy's directory, except that the short shared lock readers take while they
/// open segments is skipped where the index cannot be written at all (a read-only
/// path or file system): nobody can change the index there, so searching it is
/// safe. The writer lock is never skipped.
#[derive(Debug, Clone)]
struct ReadOnlyTolerant(MmapDirectory);

impl Directory for ReadOnlyTolerant {
    fn get_file_handle(
        &self,
        path: &Path,
    ) -> Result<std::sync::Arc<dyn FileHandle>, OpenReadError> {
        self.0.get_file_handle(path)
    }
    fn delete(&self, path: &Path) -> Result<(), DeleteError> {
        self.0.delete(path)
    }
    fn exists(&self, path: &Path) -> Result<bool, OpenReadError> {
        self.0.exists(path)
    }
    fn open_write(&self, path: &Path) -> Result<WritePtr, OpenWriteError> {
        self.0.open_write(path)
    }
    fn atomic_read(&self, path: &Path) -> Result<Vec<u8>, OpenReadError> {
        self.0.atomic_read(path)
    }
    fn atomic_write(&self, path: &Path, data: &[u8]) -> std::io::Result<()> {
        self.0.atomic_write(path, data)
    }
    fn sync_directory(&self) -> std::io::Result<()> {
        self.0.sync_directory()
    }
    fn watch(&self, callback: WatchCallback) -> tantivy::Result<WatchHandle> {
        self.0.watch(callback)
    }
    fn acquire_lock(&self, lock: &Lock) -> Result<DirectoryLock, LockError> {
        match self.0.acquire_lock(lock) {
            Err(LockError::IoError(e))
                if lock.filepath == META_LOCK.filepath
                    && matches!(
                        e.kind(),
                        std::io::ErrorKind::PermissionDenied
                            | std::io::ErrorKind::ReadOnlyFilesystem
                    ) =>
            {
                Ok(DirectoryLock::from(Box::new(())))
            }
            other => other,
        }
    }
}
