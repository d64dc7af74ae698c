//! The on-disk index: creating, opening and checking it.
//!
//! An index directory holds tantivy's files plus `newswire.json`, which records the
//! newswire version and the schema that built it. Opening an index built with
//! another schema fails with a message saying to rebuild it.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use tantivy::Index;

use crate::schema::{tokenizers, Fields, SchemaError, SchemaSpec};

/// Name of the metadata file newswire keeps beside tantivy's.
pub const META_FILE: &str = "newswire.json";

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
    /// The embedded schema is invalid (a build defect).
    #[error("schema: {0}")]
    Schema(#[from] SchemaError),
    /// The metadata file is unreadable.
    #[error("{path}: {reason}")]
    Meta { path: PathBuf, reason: String },
    /// File system trouble.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// tantivy refused to open the index (corrupt or unreadable files).
    #[error("cannot open the index at {path}: {source}")]
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
}

impl IndexMeta {
    fn current(spec: &SchemaSpec) -> Self {
        IndexMeta {
            newswire_version: env!("CARGO_PKG_VERSION").to_string(),
            schema_name: spec.name.clone(),
            schema_version: spec.version,
            schema_fingerprint: spec.fingerprint(),
        }
    }

    fn schema_label(&self) -> String {
        format!(
            "{} v{} ({})",
            self.schema_name, self.schema_version, self.schema_fingerprint
        )
    }
}

/// An open index with its schema.
pub struct Store {
    pub dir: PathBuf,
    pub index: Index,
    pub spec: SchemaSpec,
    pub fields: Fields,
    pub meta: IndexMeta,
}

impl Store {
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
        if meta.schema_fingerprint != expected.schema_fingerprint {
            return Err(StoreError::SchemaMismatch {
                path: dir.to_path_buf(),
                found: meta.schema_label(),
                expected: expected.schema_label(),
                built_by: meta.newswire_version.clone(),
            });
        }
        let mut index = Index::open_in_dir(dir).map_err(|source| StoreError::Tantivy {
            path: dir.to_path_buf(),
            source,
        })?;
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
        })
    }

    /// Opens the index at `dir` for writing, creating it if needed. With `rebuild`,
    /// an existing newswire index there is deleted first.
    pub fn open_or_create(dir: &Path, rebuild: bool) -> Result<Store, StoreError> {
        let io = |source| StoreError::Io {
            path: dir.to_path_buf(),
            source,
        };
        if dir.join(META_FILE).exists() {
            if !rebuild {
                return Store::open(dir);
            }
            // Only ever delete a directory newswire made.
            fs::remove_dir_all(dir).map_err(io)?;
        } else if dir.exists() && fs::read_dir(dir).map_err(io)?.next().is_some() {
            return Err(StoreError::NotNewswire(dir.to_path_buf()));
        }
        fs::create_dir_all(dir).map_err(io)?;
        let spec = SchemaSpec::builtin()?;
        let tantivy_err = |source| StoreError::Tantivy {
            path: dir.to_path_buf(),
            source,
        };
        let mut index = Index::create_in_dir(dir, spec.to_tantivy()).map_err(tantivy_err)?;
        index.set_tokenizers(tokenizers());
        let meta = IndexMeta::current(&spec);
        let text = serde_json::to_string_pretty(&meta).map_err(|e| StoreError::Meta {
            path: dir.join(META_FILE),
            reason: e.to_string(),
        })?;
        fs::write(dir.join(META_FILE), text).map_err(io)?;
        let fields = Fields::new(&index.schema()).map_err(tantivy_err)?;
        Ok(Store {
            dir: dir.to_path_buf(),
            index,
            spec,
            fields,
            meta,
        })
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
