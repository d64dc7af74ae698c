//! `GET /api/v1/export.csv`: every hit of a search as CSV, streamed.
//!
//! The search is walked a page at a time on one view of the index (a commit landing
//! meanwhile changes nothing in the file), and each page is sent as it is written,
//! so an export of a million hits starts at once and holds one page in memory.
//! Cells a spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) are
//! prefixed with `'`.

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use newswire::search::{self, After, Hit};

use super::api::SEARCH_PARAMS;
use super::params::Params;
use super::{ApiError, Shared};

/// Hits written per page of the walk.
const PAGE: usize = 500;

const COLUMNS: &[&str] = &[
    "id",
    "published",
    "source",
    "headline",
    "dateline",
    "agency",
    "byline",
    "url",
    "org",
    "person",
    "place",
    "score",
    "snippet",
    "path",
];

pub async fn csv(State(state): State<Shared>, RawQuery(q): RawQuery) -> Result<Response, ApiError> {
    if state.cluster.is_some() {
        return Err(ApiError::local_only("CSV export"));
    }
    let params = Params::parse(q.as_deref(), SEARCH_PARAMS, true)?;
    let mut req = params.search_request(&state.store)?;
    req.limit = PAGE;
    req.offset = 0;
    req.facets.clear();
    // Check the query before the response starts: an error after it cannot be a 400.
    search::build_query(&state.store, &req.query, &req.filters, Default::default())
        .map_err(|e| ApiError::bad_request(e.to_string()))?;
    let searcher = state
        .store
        .searcher()
        .map_err(|e| ApiError::internal(e.to_string()))?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    let runtime = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || {
        let mut after = After::START;
        let mut page = csv_row(COLUMNS.iter().map(|c| c.to_string()).collect());
        loop {
            let permit = runtime.block_on(state.searches.acquire());
            if permit.is_err() {
                return;
            }
            req.after = Some(after);
            let result = match search::search_in(&state.store, &searcher, &req) {
                Ok(r) => r,
                Err(e) => {
                    let _ = tx.blocking_send(Err(std::io::Error::other(e.to_string())));
                    return;
                }
            };
            drop(permit);
            for hit in &result.hits {
                page.extend(csv_row(row(hit)));
            }
            if tx
                .blocking_send(Ok(Bytes::from(std::mem::take(&mut page))))
                .is_err()
            {
                return; // The client went away.
            }
            match result.next {
                Some(next) => after = next,
                None => return,
            }
        }
    });
    // Fused: the compression layer may poll once more after the end.
    let stream =
        futures_util::StreamExt::fuse(futures_util::stream::unfold(rx, |mut rx| async move {
            rx.recv().await.map(|item| (item, rx))
        }));
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"newswire-export.csv\"",
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

fn row(h: &Hit) -> Vec<String> {
    let dl = h.dateline.as_ref();
    vec![
        h.id.clone(),
        h.published.clone().unwrap_or_default(),
        h.source.clone().unwrap_or_default(),
        h.headline.clone().unwrap_or_default(),
        dl.and_then(|d| d.place.clone()).unwrap_or_default(),
        dl.and_then(|d| d.agency.clone()).unwrap_or_default(),
        h.byline.clone().unwrap_or_default(),
        h.url.clone().unwrap_or_default(),
        h.org.join("; "),
        h.person.join("; "),
        h.place.join("; "),
        h.score.map(|s| format!("{s:.3}")).unwrap_or_default(),
        h.snippet.split_whitespace().collect::<Vec<_>>().join(" "),
        h.path.clone(),
    ]
}

/// One CSV line; cells that would start a formula are defused.
fn csv_row(cells: Vec<String>) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let cells = cells.into_iter().map(|c| {
        if c.starts_with(['=', '+', '-', '@', '\t', '\r']) {
            format!("'{c}")
        } else {
            c
        }
    });
    // Writing to a Vec cannot fail.
    let _ = w.write_record(cells);
    w.into_inner().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_are_quoted_and_formulas_defused() {
        let line = csv_row(vec![
            "a,b".into(),
            "=HYPERLINK(\"x\")".into(),
            "say \"hi\"".into(),
        ]);
        assert_eq!(
            String::from_utf8(line).expect("utf-8"),
            "\"a,b\",\"'=HYPERLINK(\"\"x\"\")\",\"say \"\"hi\"\"\"\n"
        );
    }
}
