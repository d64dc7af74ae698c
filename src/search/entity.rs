//! Entity pages: what an archive says about one organization, person or place.
//!
//! How often it is named and when (a timeline), the entities most often named in the
//! same articles, and its latest articles: the starting point of a story about it.

use serde::Serialize;

use super::{
    search, timeline, Facet, FacetCounts, Filters, Hit, Interval, QueryError, QueryOptions,
    SearchError, SearchRequest, Sort, Timeline,
};
use crate::store::Store;

/// The kinds of entity with pages.
pub const ENTITY_KINDS: &[&str] = &["org", "person", "place"];

/// One entity across the archive.
#[derive(Debug, Clone, Serialize)]
pub struct EntityPage {
    /// `org`, `person` or `place`.
    pub kind: String,
    pub name: String,
    /// Articles naming it (near-duplicate copies included).
    pub count: u64,
    pub first_date: Option<String>,
    pub last_date: Option<String>,
    pub timeline: Timeline,
    /// Entities most often named in the same articles (it left out), per kind.
    pub related: Vec<FacetCounts>,
    /// Its newest articles, near-duplicates collapsed.
    pub recent: Vec<Hit>,
}

/// The page of the entity `name` of `kind`; `related` values are kept per kind.
pub fn entity(
    store: &Store,
    kind: &str,
    name: &str,
    interval: Interval,
    related: usize,
    recent: usize,
) -> Result<EntityPage, SearchError> {
    let mut filters = Filters::default();
    match kind {
        "org" => filters.org.push(name.to_string()),
        "person" => filters.person.push(name.to_string()),
        "place" => filters.place.push(name.to_string()),
        other => return Err(QueryError::UnknownFilterField(other.to_string()).into()),
    }
    // The entity as a query, not a filter: a filtered field's facet leaves its own
    // filter out (for multi-select), and here the counts must be of its articles.
    let as_query = format!("{kind}:\"{}\"", name.trim().replace(['"', '\\'], " "));
    let newest = search(
        store,
        &SearchRequest {
            query: as_query,
            facets: ENTITY_KINDS
                .iter()
                .map(|k| Facet::Field(k.to_string()))
                .collect(),
            facet_size: related + 1,
            limit: recent,
            sort: Sort::DateDesc,
            ..SearchRequest::default()
        },
    )?;
    let oldest = search(
        store,
        &SearchRequest {
            filters: filters.clone(),
            limit: 1,
            sort: Sort::Date,
            show_duplicates: true,
            ..SearchRequest::default()
        },
    )?;
    // The newest article is the first of `newest` (sorted by date, newest first).
    let last_date = match newest.hits.first() {
        Some(h) => h.published.clone(),
        None if newest.total_hits == 0 => None,
        None => search(
            store,
            &SearchRequest {
                filters: filters.clone(),
                limit: 1,
                sort: Sort::DateDesc,
                show_duplicates: true,
                ..SearchRequest::default()
            },
        )?
        .hits
        .into_iter()
        .next()
        .and_then(|h| h.published),
    };
    let chart = timeline(store, "", &filters, interval, QueryOptions::default())?;
    let own = name.trim().to_lowercase();
    let related = newest
        .facets
        .into_iter()
        .map(|mut f| {
            if f.field == kind {
                f.counts.retain(|v| v.value.to_lowercase() != own);
                f.distinct = f.distinct.saturating_sub(1);
            }
            f.counts.truncate(related);
            f
        })
        .collect();
    Ok(EntityPage {
        kind: kind.to_string(),
        name: name.trim().to_string(),
        count: newest.total_hits,
        first_date: oldest.hits.into_iter().next().and_then(|h| h.published),
        last_date,
        timeline: chart,
        related,
        recent: newest.hits,
    })
}
