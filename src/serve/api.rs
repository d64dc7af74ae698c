//! The JSON API (`/api/v1/...`): each handler checks its parameters, runs one
//! library call on a blocking thread, and answers with the objects the command
//! line prints with `--json` (`hit`, `facet`, `article`, `error`, ...).

use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, Uri};
use axum::response::Response;
use serde::Serialize;

use newswire::jsonl::Tagged;
use newswire::remote;
use newswire::search::{
    self, After, FacetCounts, Hit, SearchRequest, SearchResult, Timeline, ENTITY_KINDS,
};
use newswire::store::Store;

use super::params::{Cursor, Params};
use super::{json_response, ApiError, Shared};

/// Runs `f` on a blocking thread once a search slot is free.
pub async fn blocking<T, F>(state: &Shared, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Shared) -> Result<T, ApiError> + Send + 'static,
{
    let _permit = state
        .searches
        .acquire()
        .await
        .map_err(|_| ApiError::internal("the server is stopping"))?;
    let state = state.clone();
    tokio::task::spawn_blocking(move || f(&state))
        .await
        .map_err(|e| ApiError::internal(format!("the request failed: {e}")))?
}

fn ok<T: Serialize>(value: &T) -> Response {
    json_response(StatusCode::OK, value)
}

fn tag_hits(hits: &[Hit]) -> Vec<Tagged<'_, Hit>> {
    hits.iter().map(|h| Tagged::new("hit", h)).collect()
}

fn tag_facets(facets: &[FacetCounts]) -> Vec<Tagged<'_, FacetCounts>> {
    facets.iter().map(|f| Tagged::new("facet", f)).collect()
}

/// The answer to a search, as the API sends it.
#[derive(Serialize)]
struct SearchBody<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    query: &'a str,
    total_hits: u64,
    returned: usize,
    offset: usize,
    took_ms: f64,
    warnings: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    did_you_mean: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    next_cursor: Option<String>,
    hits: Vec<Tagged<'a, Hit>>,
    facets: Vec<Tagged<'a, FacetCounts>>,
}

/// Runs a search request, as a walk when `cursor` is given; also returns the
/// cursor of the next page.
pub fn run_search(
    state: &Shared,
    params: &Params,
    mut req: SearchRequest,
) -> Result<(SearchResult, Option<String>), ApiError> {
    let store: &Store = &state.store;
    if let Some(c) = &state.cluster {
        if params.one("cursor")?.is_some() {
            return Err(ApiError::local_only("walking every hit with cursor="));
        }
        return Ok((remote::search::search(c, store, &req)?, None));
    }
    let Some(cursor) = params.one("cursor")? else {
        return Ok((search::search(store, &req)?, None));
    };
    if req.offset > 0 {
        return Err(ApiError::bad_request(
            "offset and cursor do not go together: a walk pages by cursor alone",
        ));
    }
    let fingerprint = params.fingerprint();
    let (walk, searcher, after) = match cursor.trim() {
        "" | "start" => {
            let searcher = store
                .searcher()
                .map_err(|e| ApiError::internal(e.to_string()))?;
            let walk = state.walks.start(searcher.clone(), fingerprint);
            (walk, searcher, After::START)
        }
        c => {
            let c = Cursor::decode(c).ok_or_else(|| {
                ApiError::bad_request("cursor is not one this server gave: start with cursor=start")
            })?;
            (c.walk, state.walks.resume(c.walk, fingerprint)?, c.after)
        }
    };
    req.after = Some(after);
    let result = search::search_in(store, &searcher, &req)?;
    let next = result.next.map(|after| Cursor { walk, after }.encode());
    Ok((result, next))
}

/// `GET /api/v1/search`
pub async fn search(
    State(state): State<Shared>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), SEARCH_PARAMS, true)?;
    let req = params.search_request(&state.store)?;
    blocking(&state, move |state| {
        let (result, next_cursor) = run_search(state, &params, req.clone())?;
        Ok(ok(&SearchBody {
            kind: "search",
            query: &req.query,
            total_hits: result.total_hits,
            returned: result.hits.len(),
            offset: req.offset,
            took_ms: (result.took_ms * 100.0).round() / 100.0,
            warnings: &result.warnings,
            did_you_mean: result.suggestion.as_deref(),
            next_cursor,
            hits: tag_hits(&result.hits),
            facets: tag_facets(&result.facets),
        }))
    })
    .await
}

/// Parameters of `search` and `export.csv` besides the filters.
pub const SEARCH_PARAMS: &[&str] = &[
    "q",
    "facet",
    "facet_size",
    "limit",
    "offset",
    "sort",
    "recent",
    "duplicates",
    "fuzzy",
    "lenient",
    "cursor",
];

/// `GET /api/v1/timeline`
pub async fn timeline(
    State(state): State<Shared>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), &["q", "by", "fuzzy", "lenient"], true)?;
    let query = params.query()?;
    let filters = params.filters()?;
    let interval = params.interval()?;
    let opts = search::QueryOptions {
        lenient: params.flag("lenient")?,
        fuzzy: params.flag("fuzzy")?,
    };
    blocking(&state, move |state| {
        let t = match &state.cluster {
            Some(c) => remote::search::timeline(c, &state.store, &query, &filters, interval, opts)?,
            None => search::timeline(&state.store, &query, &filters, interval, opts)?,
        };
        Ok(ok(&Tagged::new(
            "timeline",
            &TimelineBody {
                query: &query,
                timeline: &t,
            },
        )))
    })
    .await
}

#[derive(Serialize)]
struct TimelineBody<'a> {
    query: &'a str,
    #[serde(flatten)]
    timeline: &'a Timeline,
}

/// `GET /api/v1/articles/{id}`
pub async fn article(
    State(state): State<Shared>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    Params::parse(q.as_deref(), &[], false)?;
    blocking(&state, move |state| {
        let (found, near) = match &state.cluster {
            Some(c) => (remote::search::show(c, &id)?, Vec::new()),
            None => (
                search::show(&state.store, &id)?,
                search::near_duplicates(&state.store, &id, 100)?.unwrap_or_default(),
            ),
        };
        let Some((hit, body)) = found else {
            return Err(no_article(&id));
        };
        #[derive(Serialize)]
        struct Full<'a> {
            #[serde(flatten)]
            hit: &'a Hit,
            body: &'a str,
            near_duplicates: Vec<Tagged<'a, Hit>>,
        }
        Ok(ok(&Tagged::new(
            "article",
            &Full {
                hit: &hit,
                body: &body,
                near_duplicates: tag_hits(&near),
            },
        )))
    })
    .await
}

fn no_article(id: &str) -> ApiError {
    ApiError::not_found(format!("no article with id {id:?}"))
}

/// `GET /api/v1/articles/{id}/similar`
pub async fn similar(
    State(state): State<Shared>,
    Path(id): Path<String>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    if state.cluster.is_some() {
        return Err(ApiError::local_only("similar articles"));
    }
    let params = Params::parse(q.as_deref(), &["limit"], false)?;
    let limit = params.number("limit", 10, 100)?;
    blocking(&state, move |state| {
        let Some(result) = search::similar(&state.store, &id, limit)? else {
            return Err(no_article(&id));
        };
        #[derive(Serialize)]
        struct Similar<'a> {
            id: &'a str,
            total_hits: u64,
            hits: Vec<Tagged<'a, Hit>>,
        }
        Ok(ok(&Tagged::new(
            "similar",
            &Similar {
                id: &id,
                total_hits: result.total_hits,
                hits: tag_hits(&result.hits),
            },
        )))
    })
    .await
}

/// `GET /api/v1/entities/{kind}/{name}`
pub async fn entity(
    State(state): State<Shared>,
    Path((kind, name)): Path<(String, String)>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    if state.cluster.is_some() {
        return Err(ApiError::local_only("the entity page"));
    }
    if !ENTITY_KINDS.contains(&kind.as_str()) {
        return Err(ApiError::not_found(format!(
            "no entity kind {kind:?} (known: {})",
            ENTITY_KINDS.join(", ")
        )));
    }
    let params = Params::parse(q.as_deref(), &["by", "related", "limit"], false)?;
    let interval = params.interval()?;
    let related = params.number("related", 10, 100)?;
    let recent = params.number("limit", 10, 100)?;
    blocking(&state, move |state| {
        let page = search::entity(&state.store, &kind, &name, interval, related, recent)?;
        #[derive(Serialize)]
        struct Body<'a> {
            kind: &'a str,
            name: &'a str,
            count: u64,
            first_date: Option<&'a str>,
            last_date: Option<&'a str>,
            timeline: Tagged<'a, Timeline>,
            related: Vec<Tagged<'a, FacetCounts>>,
            recent: Vec<Tagged<'a, Hit>>,
        }
        Ok(ok(&Tagged::new(
            "entity",
            &Body {
                kind: &page.kind,
                name: &page.name,
                count: page.count,
                first_date: page.first_date.as_deref(),
                last_date: page.last_date.as_deref(),
                timeline: Tagged::new("timeline", &page.timeline),
                related: tag_facets(&page.related),
                recent: tag_hits(&page.recent),
            },
        )))
    })
    .await
}

/// `GET /api/v1/suggest`: a corrected query when this one finds (almost) nothing.
pub async fn suggest(
    State(state): State<Shared>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    if state.cluster.is_some() {
        return Err(ApiError::local_only("spelling suggestions"));
    }
    let params = Params::parse(q.as_deref(), &["q"], true)?;
    let query = params.query()?;
    let filters = params.filters()?;
    blocking(&state, move |state| {
        let result = search::search(
            &state.store,
            &SearchRequest {
                query: query.clone(),
                filters,
                limit: 0,
                ..SearchRequest::default()
            },
        )?;
        #[derive(Serialize)]
        struct Suggestion<'a> {
            query: &'a str,
            total_hits: u64,
            did_you_mean: Option<&'a str>,
        }
        Ok(ok(&Tagged::new(
            "suggestion",
            &Suggestion {
                query: &query,
                total_hits: result.total_hits,
                did_you_mean: result.suggestion.as_deref(),
            },
        )))
    })
    .await
}

/// `GET /api/v1/stats`
pub async fn stats(
    State(state): State<Shared>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    let params = Params::parse(q.as_deref(), &["top"], false)?;
    let top = params.number("top", 10, 1000)?;
    blocking(&state, move |state| {
        let s = match &state.cluster {
            Some(c) => remote::search::stats(c, &state.store, top)?,
            None => search::stats(&state.store, top)?,
        };
        // The facets inside carry their type, as everywhere else in the API.
        let mut value = serde_json::to_value(Tagged::new("stats", &s))
            .map_err(|e| ApiError::internal(e.to_string()))?;
        value["facets"] = serde_json::to_value(tag_facets(&s.facets))
            .map_err(|e| ApiError::internal(e.to_string()))?;
        Ok(ok(&value))
    })
    .await
}

/// `GET /api/v1/alerts`: the saved alerts and their latest matches (read-only).
pub async fn alerts(
    State(state): State<Shared>,
    RawQuery(q): RawQuery,
) -> Result<Response, ApiError> {
    if state.cluster.is_some() {
        return Err(ApiError::local_only("alerts"));
    }
    Params::parse(q.as_deref(), &[], false)?;
    blocking(&state, move |state| {
        let alerts = newswire::alerts::Alerts::new(&state.store);
        let list = alerts
            .list()
            .map_err(|e| ApiError::internal(e.to_string()))?;
        #[derive(Serialize)]
        struct Listed {
            #[serde(flatten)]
            alert: newswire::alerts::Alert,
            last_checked: Option<String>,
            pending: usize,
            recent: Vec<Hit>,
        }
        let mut out = Vec::new();
        for a in list {
            let st = alerts
                .state(&a.name)
                .map_err(|e| ApiError::internal(e.to_string()))?;
            out.push(Listed {
                alert: a,
                last_checked: st.last_checked,
                pending: st.pending.len(),
                recent: st.recent,
            });
        }
        #[derive(Serialize)]
        struct Body<'a> {
            alerts: Vec<Tagged<'a, Listed>>,
        }
        Ok(ok(&Tagged::new(
            "alerts",
            &Body {
                alerts: out.iter().map(|l| Tagged::new("alert", l)).collect(),
            },
        )))
    })
    .await
}

/// Anything else.
pub async fn not_found(uri: Uri) -> ApiError {
    ApiError::not_found(format!("nothing at {}", uri.path()))
}
