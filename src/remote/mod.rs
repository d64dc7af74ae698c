//! Past one machine: a cluster (Quickwit, or Elasticsearch / OpenSearch) holds the
//! articles and answers the searches, while newswire keeps doing what only it does:
//! reading every news format, datelines, entities, canonical names, fingerprints.
//!
//! - [`mapping`]: the index definition for each engine, from `schema/newswire.toml`;
//! - [`doc`]: an indexed article as the JSON document the cluster stores;
//! - [`client`]: the HTTP client for the API subset the engines share;
//! - [`sync`]: sending the local index's new and changed articles, each exactly once;
//! - [`search`]: searches, timelines, stats and single articles answered by the
//!   cluster, in the same shapes as the local ones.

pub mod client;
pub mod doc;
pub mod mapping;
pub mod search;
pub mod sync;

use std::path::PathBuf;

pub use client::Client;
pub use sync::{sync, SyncOptions, SyncSummary};

/// Which engine's dialect index creation and deletes speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Quickwit,
    /// Elasticsearch or OpenSearch.
    Elasticsearch,
}

/// One index on one cluster.
#[derive(Debug, Clone)]
pub struct Target {
    /// The cluster's base address, `http://127.0.0.1:7280`, without a trailing `/`.
    pub url: String,
    /// The index name (Quickwit: index id).
    pub index: String,
    pub dialect: Dialect,
}

impl Target {
    /// A target, with the address and name checked.
    pub fn new(url: &str, index: &str, dialect: Dialect) -> Result<Target, String> {
        let parsed = url::Url::parse(url).map_err(|e| {
            format!("{url:?} is not a cluster address ({e}): write e.g. http://127.0.0.1:7280")
        })?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(format!(
                "{url:?}: the cluster address must start with http:// or https://"
            ));
        }
        let ok = !index.is_empty()
            && index.len() <= 255
            && index.starts_with(|c: char| c.is_ascii_alphabetic())
            && index
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
        if !ok {
            return Err(format!(
                "{index:?} is not a usable index name: lowercase letters, digits, '-' and '_', starting with a letter"
            ));
        }
        Ok(Target {
            url: url.trim_end_matches('/').to_string(),
            index: index.to_string(),
            dialect,
        })
    }
}

/// Why talking to the cluster failed.
#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("cannot reach the cluster at {url}: {reason}")]
    Unreachable { url: String, reason: String },
    #[error("the cluster answered {status} to {url}: {body}")]
    Status {
        url: String,
        status: u16,
        body: String,
    },
    #[error("the cluster refused documents sent to {url}: {reason}")]
    Refused { url: String, reason: String },
    #[error("cannot read the cluster's answer from {url}: {reason}")]
    Answer { url: String, reason: String },
    #[error("the sync state {path}: {reason}")]
    State { path: PathBuf, reason: String },
    #[error("reading the local index: {0}")]
    Index(tantivy::TantivyError),
    #[error(transparent)]
    Search(#[from] crate::search::SearchError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_are_checked() {
        let t = Target::new("http://127.0.0.1:7280/", "news", Dialect::Quickwit).expect("ok");
        assert_eq!(t.url, "http://127.0.0.1:7280");
        assert!(Target::new("127.0.0.1:7280", "news", Dialect::Quickwit).is_err());
        assert!(Target::new("http://h:1", "News!", Dialect::Quickwit).is_err());
        assert!(Target::new("ftp://h", "news", Dialect::Quickwit).is_err());
    }
}
