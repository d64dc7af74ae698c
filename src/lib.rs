//! newswire: a full-text search engine for news archives.
//!
//! The pipeline: [`ingest`] discovers files, [`formats`] parses each into
//! [`article::Article`]s, [`entities`] finds organizations, people and places,
//! [`schema`] maps articles to the tantivy index, and [`search`] answers ranked,
//! faceted queries. The binary (`src/main.rs`) only parses arguments and prints.

pub mod alerts;
pub mod article;
pub mod entities;
pub mod feeds;
pub mod formats;
mod fsutil;
pub mod ingest;
pub mod jsonl;
pub mod remote;
pub mod schema;
pub mod search;
mod stem;
pub mod store;
pub mod watch;
