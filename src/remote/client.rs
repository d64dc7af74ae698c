//! The HTTP client for the API subset Quickwit, Elasticsearch and OpenSearch share
//! (`_bulk`, `_search`), plus index creation and delete-by-query, which each engine
//! spells its own way.

use std::time::{Duration, Instant};

use serde_json::Value;

use super::mapping::{elastic_mapping, quickwit_index_config};
use super::{Dialect, RemoteError, Target};
use crate::schema::SchemaSpec;

/// Longest wait for an answer to one request.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

/// A client for one index on one cluster.
pub struct Client {
    pub target: Target,
    agent: ureq::Agent,
    /// How long requests that fail for a passing reason (connection refused, 429,
    /// 502-504) are retried, with backoff, before giving up.
    pub retry_for: Duration,
}

/// How one HTTP exchange ended.
enum Outcome {
    Answer(u16, String),
    /// No answer at all (refused, reset, timed out).
    NoAnswer(String),
}

impl Client {
    pub fn new(target: Target) -> Client {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            .timeout(REQUEST_TIMEOUT)
            .build();
        Client {
            target,
            agent,
            retry_for: Duration::from_secs(120),
        }
    }

    /// `/api/v1/_elastic` on Quickwit, the root on Elasticsearch.
    fn es(&self) -> String {
        match self.target.dialect {
            Dialect::Quickwit => format!("{}/api/v1/_elastic", self.target.url),
            Dialect::Elasticsearch => self.target.url.clone(),
        }
    }

    fn exchange(&self, method: &str, url: &str, body: Option<(&str, &[u8])>) -> Outcome {
        let req = self.agent.request(method, url);
        let res = match body {
            Some((ctype, bytes)) => req.set("Content-Type", ctype).send_bytes(bytes),
            None => req.call(),
        };
        match res {
            Ok(r) => {
                let status = r.status();
                Outcome::Answer(status, r.into_string().unwrap_or_default())
            }
            Err(ureq::Error::Status(status, r)) => {
                Outcome::Answer(status, r.into_string().unwrap_or_default())
            }
            // The error's own text repeats the URL, which the caller names already.
            Err(ureq::Error::Transport(t)) => {
                let mut reason = t.kind().to_string();
                if let Some(m) = t.message() {
                    reason.push_str(&format!(": {m}"));
                }
                if let Some(cause) = std::error::Error::source(&t) {
                    reason.push_str(&format!(": {cause}"));
                }
                Outcome::NoAnswer(reason)
            }
        }
    }

    /// One request, retried with backoff while the cluster is unreachable or busy.
    /// Only for requests that are safe to repeat (reads, index creation, deletes).
    fn call(
        &self,
        method: &str,
        url: &str,
        body: Option<(&str, &[u8])>,
    ) -> Result<(u16, String), RemoteError> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(250);
        loop {
            let failure = match self.exchange(method, url, body) {
                Outcome::Answer(s, text) if !passing(s) && !transient(s, &text) => {
                    return Ok((s, text))
                }
                Outcome::Answer(s, text) => RemoteError::Status {
                    url: url.to_string(),
                    status: s,
                    body: shorten(&text),
                },
                Outcome::NoAnswer(reason) => RemoteError::Unreachable {
                    url: url.to_string(),
                    reason,
                },
            };
            if started.elapsed() + pause > self.retry_for {
                return Err(failure);
            }
            std::thread::sleep(pause);
            pause = (pause * 2).min(Duration::from_secs(5));
        }
    }

    fn ok(
        &self,
        method: &str,
        url: &str,
        body: Option<(&str, &[u8])>,
    ) -> Result<String, RemoteError> {
        match self.call(method, url, body)? {
            (s, text) if (200..300).contains(&s) => Ok(text),
            (s, text) => Err(RemoteError::Status {
                url: url.to_string(),
                status: s,
                body: shorten(&text),
            }),
        }
    }

    /// Waits (within `retry_for`) until the cluster answers.
    pub fn wait_ready(&self) -> Result<(), RemoteError> {
        let url = match self.target.dialect {
            Dialect::Quickwit => format!("{}/health/readyz", self.target.url),
            Dialect::Elasticsearch => format!("{}/_cluster/health", self.target.url),
        };
        let started = Instant::now();
        loop {
            match self.exchange("GET", &url, None) {
                Outcome::Answer(200, _) => return Ok(()),
                Outcome::Answer(s, text) if started.elapsed() > self.retry_for => {
                    return Err(RemoteError::Status {
                        url,
                        status: s,
                        body: shorten(&text),
                    })
                }
                Outcome::NoAnswer(reason) if started.elapsed() > self.retry_for => {
                    return Err(RemoteError::Unreachable { url, reason })
                }
                _ => std::thread::sleep(Duration::from_millis(500)),
            }
        }
    }

    /// Creates the index from the schema unless it exists. True when it was created.
    pub fn ensure_index(&self, spec: &SchemaSpec) -> Result<bool, RemoteError> {
        let name = &self.target.index;
        let (exists_url, create_url, body) = match self.target.dialect {
            Dialect::Quickwit => (
                format!("{}/api/v1/indexes/{name}", self.target.url),
                format!("{}/api/v1/indexes", self.target.url),
                quickwit_index_config(spec, name),
            ),
            Dialect::Elasticsearch => (
                format!("{}/{name}", self.target.url),
                format!("{}/{name}", self.target.url),
                elastic_mapping(spec),
            ),
        };
        let (status, _) = self.call("GET", &exists_url, None)?;
        if status == 200 {
            return Ok(false);
        }
        let method = match self.target.dialect {
            Dialect::Quickwit => "POST",
            Dialect::Elasticsearch => "PUT",
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        match self.call(method, &create_url, Some(("application/json", &bytes)))? {
            (s, _) if (200..300).contains(&s) => Ok(true),
            // Another process created it a moment ago.
            (s, text) if s == 400 || s == 409 => {
                let (again, _) = self.call("GET", &exists_url, None)?;
                if again == 200 {
                    Ok(false)
                } else {
                    Err(RemoteError::Status {
                        url: create_url,
                        status: s,
                        body: shorten(&text),
                    })
                }
            }
            (s, text) => Err(RemoteError::Status {
                url: create_url,
                status: s,
                body: shorten(&text),
            }),
        }
    }

    /// Sends one `_bulk` request of `ndjson` (action and document lines) once, and
    /// waits until what it holds is searchable. `Ok(None)`: accepted whole;
    /// `Ok(Some(reason))`: the cluster refused it (nothing to retry);
    /// `Err`: no answer or a passing failure, so its fate is unknown.
    pub fn bulk_once(&self, ndjson: &[u8]) -> Result<Option<String>, RemoteError> {
        let url = format!("{}/_bulk?refresh=true", self.es());
        let mut answer = self.exchange("POST", &url, Some(("application/x-ndjson", ndjson)));
        // A node learns of a new index a moment after it is created; until then it
        // refuses the whole request, so sending it again is safe.
        let started = Instant::now();
        while matches!(&answer, Outcome::Answer(404, text) if text.contains("not found"))
            && started.elapsed() < Duration::from_secs(60)
        {
            std::thread::sleep(Duration::from_millis(500));
            answer = self.exchange("POST", &url, Some(("application/x-ndjson", ndjson)));
        }
        match answer {
            Outcome::Answer(s, text) if (200..300).contains(&s) => {
                let v: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if v["errors"].as_bool() == Some(true) {
                    Ok(Some(first_item_error(&v)))
                } else {
                    Ok(None)
                }
            }
            Outcome::Answer(s, text) if passing(s) || transient(s, &text) => {
                Err(RemoteError::Status {
                    url,
                    status: s,
                    body: shorten(&text),
                })
            }
            Outcome::Answer(s, text) => Ok(Some(format!("HTTP {s}: {}", shorten(&text)))),
            Outcome::NoAnswer(reason) => Err(RemoteError::Unreachable { url, reason }),
        }
    }

    /// Runs an Elasticsearch-style search body on the index.
    pub fn search(&self, body: &Value) -> Result<Value, RemoteError> {
        let url = format!("{}/{}/_search", self.es(), self.target.index);
        let bytes = serde_json::to_vec(body).unwrap_or_default();
        let text = self.ok("POST", &url, Some(("application/json", &bytes)))?;
        serde_json::from_str(&text).map_err(|e| RemoteError::Answer {
            url,
            reason: e.to_string(),
        })
    }

    /// How many documents match a `query_string` query.
    pub fn count(&self, query: &str) -> Result<u64, RemoteError> {
        let v = self.search(&serde_json::json!({
            "size": 0,
            "track_total_hits": true,
            "query": {"query_string": {"query": query}},
        }))?;
        Ok(v["hits"]["total"]["value"].as_u64().unwrap_or(0))
    }

    /// The ids (lowercased) of at most `size` documents matching a `query_string` query.
    pub fn ids_matching(
        &self,
        query: &str,
        size: usize,
    ) -> Result<std::collections::HashSet<String>, RemoteError> {
        let v = self.search(&serde_json::json!({
            "size": 0,
            "query": {"query_string": {"query": query}},
            "aggs": {"ids": {"terms": {"field": "id", "size": size.max(1)}}},
        }))?;
        Ok(v["aggregations"]["ids"]["buckets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|b| b["key"].as_str().map(str::to_lowercase))
            .collect())
    }

    /// Deletes the documents matching a `query_string` query. On Quickwit this
    /// schedules a delete task that applies to everything committed before it.
    pub fn delete_matching(&self, query: &str) -> Result<(), RemoteError> {
        let name = &self.target.index;
        let (url, body) = match self.target.dialect {
            Dialect::Quickwit => (
                format!("{}/api/v1/{name}/delete-tasks", self.target.url),
                serde_json::json!({"query": query}),
            ),
            Dialect::Elasticsearch => (
                format!("{}/{name}/_delete_by_query?refresh=true", self.target.url),
                serde_json::json!({"query": {"query_string": {"query": query}}}),
            ),
        };
        let bytes = serde_json::to_vec(&body).unwrap_or_default();
        self.ok("POST", &url, Some(("application/json", &bytes)))
            .map(|_| ())
    }
}

/// Statuses worth retrying: the cluster is busy or a node is restarting.
fn passing(status: u16) -> bool {
    matches!(status, 429 | 502 | 503 | 504)
}

/// A failure a node gives while it is starting: no searcher or indexer in its pool yet.
fn transient(status: u16, body: &str) -> bool {
    status == 500 && (body.contains("no available") || body.contains("unavailable"))
}

fn shorten(text: &str) -> String {
    let t = text.trim();
    match t.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &t[..i]),
        None => t.to_string(),
    }
}

fn first_item_error(v: &Value) -> String {
    v["items"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|item| item.as_object()?.values().next()?.get("error").cloned())
        .map(|e| shorten(&e.to_string()))
        .next()
        .unwrap_or_else(|| "some documents were refused".to_string())
}
