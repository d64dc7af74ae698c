//! What an index holds, at a glance.

use serde::Serialize;
use tantivy::collector::Count;
use tantivy::query::AllQuery;

use super::{facet_results, Facet, FacetCounter, FacetCounts, SearchError};
use crate::store::Store;

/// Summary of an index.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    pub articles: u64,
    pub index_path: String,
    pub index_bytes: u64,
    pub segments: usize,
    pub schema: String,
    pub schema_version: u32,
    pub built_by: String,
    /// First and last publication date.
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    /// Articles without a publication date.
    pub undated: u64,
    pub facets: Vec<FacetCounts>,
}

/// Counts what `store` holds; facets show the `top` most frequent values.
pub fn stats(store: &Store, top: usize) -> Result<Stats, SearchError> {
    let searcher = store.searcher()?;
    let wanted = vec![
        Facet::Field("source".into()),
        Facet::Field("org".into()),
        Facet::Field("person".into()),
        Facet::Field("place".into()),
        Facet::Year,
    ];
    let counter = FacetCounter {
        keyword_fields: vec![
            "source".into(),
            "org".into(),
            "person".into(),
            "place".into(),
        ],
        date_field: Some("published".into()),
        size: top,
    };
    let (n, raw) = searcher.search(&AllQuery, &(Count, counter))?;
    let day = |d: i64| {
        time::OffsetDateTime::from_unix_timestamp(d * 86_400)
            .ok()
            .map(|t| crate::article::format_date(t.date()))
    };
    let first_date = raw.days.keys().next().and_then(|d| day(*d));
    let last_date = raw.days.keys().next_back().and_then(|d| day(*d));
    let dated: u64 = raw.days.values().sum();
    let facets = facet_results(&wanted, raw, top);
    Ok(Stats {
        articles: n as u64,
        index_path: store.dir.display().to_string(),
        index_bytes: store.size_on_disk(),
        segments: searcher.segment_readers().len(),
        schema: store.meta.schema_name.clone(),
        schema_version: store.meta.schema_version,
        built_by: store.meta.newswire_version.clone(),
        first_date,
        last_date,
        undated: n as u64 - dated.min(n as u64),
        facets,
    })
}
