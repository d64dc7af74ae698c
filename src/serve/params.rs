//! Query-string parameters -> checked library requests, and the cursors of walks.
//!
//! Parameters are strict: an unknown name or a value out of range is a 400 that says
//! what is allowed, so a typo in a script fails loudly instead of being ignored.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;

use newswire::search::{After, Facet, Filters, Interval, SearchRequest, Sort, FILTER_FIELDS};
use newswire::store::Store;

use super::ApiError;

/// Most hits in one page of the API.
pub const MAX_LIMIT: usize = 1000;
/// Deepest offset; past it, walk with `cursor`.
pub const MAX_OFFSET: usize = 10_000;
/// Most values per facet.
pub const MAX_FACET_SIZE: usize = 1000;
/// Most facets in one request.
pub const MAX_FACETS: usize = 12;

/// The parameters of one request.
pub struct Params(Vec<(String, String)>);

impl Params {
    /// Parses a query string; names outside `known` (and the filters, when
    /// `filters`) are an error.
    pub fn parse(query: Option<&str>, known: &[&str], filters: bool) -> Result<Params, ApiError> {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        for (k, _) in &pairs {
            let ok = k == "token" || known.contains(&k.as_str()) || (filters && is_filter(k));
            if !ok {
                let mut names: Vec<String> = known.iter().map(|s| s.to_string()).collect();
                if filters {
                    names.extend(FILTER_FIELDS.iter().map(|f| f.to_string()));
                    names.extend(FILTER_FIELDS.iter().map(|f| format!("not_{f}")));
                    names.extend(["from".to_string(), "to".to_string()]);
                }
                return Err(ApiError::bad_request(format!(
                    "unknown parameter {k:?} (known: {})",
                    names.join(", ")
                )));
            }
        }
        Ok(Params(pairs))
    }

    /// The value of a single-valued parameter.
    pub fn one(&self, name: &str) -> Result<Option<&str>, ApiError> {
        let mut found = self
            .0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str());
        let first = found.next();
        if found.next().is_some() {
            return Err(ApiError::bad_request(format!(
                "parameter {name:?} is given more than once"
            )));
        }
        Ok(first)
    }

    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }

    pub fn number(&self, name: &str, default: usize, max: usize) -> Result<usize, ApiError> {
        match self.one(name)? {
            None | Some("") => Ok(default),
            Some(v) => match v.trim().parse::<usize>() {
                Ok(n) if n <= max => Ok(n),
                Ok(_) => Err(ApiError::bad_request(format!(
                    "{name}={v} is too large (at most {max})"
                ))),
                Err(_) => Err(ApiError::bad_request(format!(
                    "{name}={v:?} is not a whole number"
                ))),
            },
        }
    }

    pub fn flag(&self, name: &str) -> Result<bool, ApiError> {
        match self.one(name)? {
            None => Ok(false),
            Some("" | "1" | "true" | "yes" | "on") => Ok(true),
            Some("0" | "false" | "no" | "off") => Ok(false),
            Some(v) => Err(ApiError::bad_request(format!(
                "{name}={v:?}: write true or false"
            ))),
        }
    }

    pub fn query(&self) -> Result<String, ApiError> {
        Ok(self.one("q")?.unwrap_or("").to_string())
    }

    /// The filters and exclusions.
    pub fn filters(&self) -> Result<Filters, ApiError> {
        for name in ["from", "to"] {
            self.one(name)?;
        }
        Filters::from_pairs(&self.0).map_err(ApiError::bad_request)
    }

    pub fn interval(&self) -> Result<Interval, ApiError> {
        Ok(match self.one("by")? {
            None | Some("" | "month") => Interval::Month,
            Some("day") => Interval::Day,
            Some("week") => Interval::Week,
            Some("year") => Interval::Year,
            Some(v) => {
                return Err(ApiError::bad_request(format!(
                    "by={v:?}: write day, week, month or year"
                )))
            }
        })
    }

    /// A search request (without the cursor, which the caller resolves).
    pub fn search_request(&self, store: &Store) -> Result<SearchRequest, ApiError> {
        let mut facets = Vec::new();
        for name in self.all("facet") {
            let f = Facet::from_name(&store.spec, &name).map_err(ApiError::bad_request)?;
            if !facets.contains(&f) {
                facets.push(f);
            }
        }
        if facets.len() > MAX_FACETS {
            return Err(ApiError::bad_request(format!(
                "{} facets asked for (at most {MAX_FACETS})",
                facets.len()
            )));
        }
        let sort = match self.one("sort")? {
            None | Some("" | "relevance") => Sort::Relevance,
            Some("date") => Sort::Date,
            Some("-date" | "date_desc") => Sort::DateDesc,
            Some(v) => {
                return Err(ApiError::bad_request(format!(
                    "sort={v:?}: write relevance, date or -date"
                )))
            }
        };
        let show_duplicates = match self.one("duplicates")? {
            None | Some("" | "collapse") => false,
            Some("show") => true,
            Some(v) => {
                return Err(ApiError::bad_request(format!(
                    "duplicates={v:?}: write collapse or show"
                )))
            }
        };
        let facet_size = self.number("facet_size", 10, MAX_FACET_SIZE)?;
        if facet_size == 0 {
            return Err(ApiError::bad_request("facet_size must be at least 1"));
        }
        Ok(SearchRequest {
            query: self.query()?,
            filters: self.filters()?,
            facets,
            facet_size,
            limit: self.number("limit", 10, MAX_LIMIT)?,
            offset: self.number("offset", 0, MAX_OFFSET)?,
            sort,
            lenient: self.flag("lenient")?,
            fuzzy: self.flag("fuzzy")?,
            recent: self.flag("recent")?,
            show_duplicates,
            after: None,
        })
    }

    /// The request's parameters other than paging, as one string (a walk's cursor
    /// may only continue the walk it started).
    pub fn fingerprint(&self) -> u64 {
        let mut kept: Vec<&(String, String)> = self
            .0
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "cursor" | "limit" | "offset" | "token"))
            .collect();
        kept.sort();
        let joined: Vec<String> = kept.iter().map(|(k, v)| format!("{k}={v}")).collect();
        xxhash_rust::xxh3::xxh3_64(joined.join("&").as_bytes())
    }
}

fn is_filter(k: &str) -> bool {
    let name = k.strip_prefix("not_").unwrap_or(k);
    FILTER_FIELDS.contains(&name) || k == "from" || k == "to"
}

/// How long a walk's view of the index is kept after its last page.
pub const WALK_TTL: Duration = Duration::from_secs(600);
/// Most walks kept at once (the oldest is dropped first).
const MAX_WALKS: usize = 64;

/// Walks in progress: each keeps the searcher of its first page, so every page of
/// one walk reads the same commit even while `newswire index` adds articles.
#[derive(Default)]
pub struct Walks(Mutex<HashMap<u64, Walk>>);

struct Walk {
    searcher: tantivy::Searcher,
    params: u64,
    used: Instant,
}

/// A decoded cursor.
pub struct Cursor {
    pub walk: u64,
    pub after: After,
}

impl Cursor {
    pub fn encode(&self) -> String {
        let raw = format!(
            "{:x}.{:x}.{}.{}",
            self.walk,
            self.after.key.to_bits(),
            self.after.segment,
            self.after.doc
        );
        URL_SAFE_NO_PAD.encode(raw)
    }

    pub fn decode(s: &str) -> Option<Cursor> {
        let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(s.trim()).ok()?).ok()?;
        let mut parts = raw.split('.');
        let walk = u64::from_str_radix(parts.next()?, 16).ok()?;
        let key = f64::from_bits(u64::from_str_radix(parts.next()?, 16).ok()?);
        let segment = parts.next()?.parse().ok()?;
        let doc = parts.next()?.parse().ok()?;
        if parts.next().is_some() {
            return None;
        }
        Some(Cursor {
            walk,
            after: After { key, segment, doc },
        })
    }
}

impl Walks {
    /// Starts a walk over `searcher`; returns its id.
    pub fn start(&self, searcher: tantivy::Searcher, params: u64) -> u64 {
        let mut walks = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        walks.retain(|_, w| w.used.elapsed() < WALK_TTL);
        if walks.len() >= MAX_WALKS {
            if let Some(oldest) = walks.iter().min_by_key(|(_, w)| w.used).map(|(k, _)| *k) {
                walks.remove(&oldest);
            }
        }
        let id = loop {
            let id = random_id();
            if !walks.contains_key(&id) {
                break id;
            }
        };
        walks.insert(
            id,
            Walk {
                searcher,
                params,
                used: Instant::now(),
            },
        );
        id
    }

    /// The searcher of walk `id`, if it is still kept and was started with `params`.
    pub fn resume(&self, id: u64, params: u64) -> Result<tantivy::Searcher, ApiError> {
        let mut walks = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match walks.get_mut(&id) {
            Some(w) if w.used.elapsed() < WALK_TTL => {
                if w.params != params {
                    return Err(ApiError::bad_request(
                        "this cursor belongs to a walk with other parameters: send the same \
                         query, filters and sort as the request that gave it",
                    ));
                }
                w.used = Instant::now();
                Ok(w.searcher.clone())
            }
            _ => Err(ApiError {
                status: axum::http::StatusCode::GONE,
                message: format!(
                    "this cursor has expired (a walk is kept {} minutes after its last \
                     page): start again with cursor=start",
                    WALK_TTL.as_secs() / 60
                ),
            }),
        }
    }
}

fn random_id() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    // A fresh random key per call (std's RandomState is seeded from the OS).
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_reject_garbage() {
        let c = Cursor {
            walk: 0xdead_beef,
            after: After {
                key: -12.5,
                segment: 3,
                doc: 77,
            },
        };
        let back = Cursor::decode(&c.encode()).expect("decodes");
        assert_eq!(back.walk, c.walk);
        assert_eq!(back.after, c.after);
        assert!(Cursor::decode("not a cursor").is_none());
        assert!(Cursor::decode("").is_none());
    }

    #[test]
    fn unknown_and_repeated_parameters_are_errors() {
        assert!(Params::parse(Some("q=a&limt=3"), &["q", "limit"], false).is_err());
        let p = Params::parse(Some("q=a&q=b"), &["q"], false).expect("parses");
        assert!(p.one("q").is_err());
        let p = Params::parse(Some("org=A&org=B&not_place=X"), &[], true).expect("parses");
        let f = p.filters().expect("filters");
        assert_eq!(f.org, vec!["A", "B"]);
        assert_eq!(f.exclude, vec![("place".to_string(), "X".to_string())]);
    }
}
