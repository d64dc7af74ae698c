//! Feeds by URL: RSS and Atom feeds fetched over HTTP(S) into the index folder
//! (`feeds/`), where they are indexed like any input.
//!
//! A feed holds only its latest items, but an archive keeps them all: each fetched
//! copy is parsed and its items merged by id into one JSON Lines file per feed, so an
//! item seen again is stored once, an updated item replaces its earlier version, and
//! an item that has left the feed stays in the archive.
//!
//! Fetching is polite and bounded: conditional requests (`If-None-Match`,
//! `If-Modified-Since`), so an unchanged feed costs the server a 304; a timeout; a
//! size limit; and a delay between two requests to the same host. A feed whose
//! bytes did not change is not rewritten, so it is not read again.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// Folder of fetched feeds, inside the index folder.
pub const FEEDS_DIR: &str = "feeds";
/// What is remembered of each URL (a hidden file: never indexed).
const STATE: &str = ".fetch-state.json";

/// Limits of fetching.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    pub timeout: Duration,
    /// Largest feed read, in bytes.
    pub max_bytes: u64,
    /// Least time between two requests to one host.
    pub politeness: Duration,
}

impl Default for FetchOptions {
    fn default() -> Self {
        FetchOptions {
            timeout: Duration::from_secs(30),
            max_bytes: 32 << 20,
            politeness: Duration::from_secs(2),
        }
    }
}

/// What became of one URL.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Fetched {
    /// New or changed items, merged into this file.
    Updated {
        file: String,
        items: usize,
    },
    /// The server said 304 Not Modified.
    NotModified,
    /// The server sent the same bytes again.
    Unchanged,
    Failed {
        reason: String,
    },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct UrlState {
    etag: Option<String>,
    last_modified: Option<String>,
    hash: Option<String>,
}

/// Fetches feeds into one folder, remembering validators between runs.
pub struct Fetcher {
    dir: PathBuf,
    opts: FetchOptions,
    agent: ureq::Agent,
    last_request: HashMap<String, Instant>,
    state: BTreeMap<String, UrlState>,
}

impl Fetcher {
    /// A fetcher writing into `index_dir/feeds/`.
    pub fn new(index_dir: &Path, opts: FetchOptions) -> std::io::Result<Fetcher> {
        let dir = index_dir.join(FEEDS_DIR);
        std::fs::create_dir_all(&dir)?;
        let state = std::fs::read(dir.join(STATE))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default();
        let agent = ureq::AgentBuilder::new()
            .timeout(opts.timeout)
            .redirects(5)
            .user_agent(concat!(
                "newswire/",
                env!("CARGO_PKG_VERSION"),
                " (feed reader)"
            ))
            .build();
        Ok(Fetcher {
            dir,
            opts,
            agent,
            last_request: HashMap::new(),
            state,
        })
    }

    /// The folder the feeds are written to (index it).
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Fetches every URL, in order, waiting between requests to the same host.
    pub fn fetch_all(&mut self, urls: &[String]) -> Vec<(String, Fetched)> {
        let out: Vec<(String, Fetched)> = urls.iter().map(|u| (u.clone(), self.fetch(u))).collect();
        if let Ok(bytes) = serde_json::to_vec_pretty(&self.state) {
            let _ = crate::fsutil::write_atomic(&self.dir, STATE, &bytes);
        }
        out
    }

    fn fetch(&mut self, raw: &str) -> Fetched {
        let failed = |reason: String| Fetched::Failed { reason };
        let url = match url::Url::parse(raw.trim()) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => u,
            Ok(u) => {
                return failed(format!(
                    "{} URLs are not fetched (http or https only)",
                    u.scheme()
                ))
            }
            Err(e) => return failed(format!("not a URL: {e}")),
        };
        let host = url.host_str().unwrap_or("").to_string();
        if let Some(last) = self.last_request.get(&host) {
            let wait = self.opts.politeness.saturating_sub(last.elapsed());
            std::thread::sleep(wait);
        }
        self.last_request.insert(host.clone(), Instant::now());
        let known = self.state.get(raw).cloned().unwrap_or_default();
        let mut req = self.agent.request_url("GET", &url);
        if let Some(e) = &known.etag {
            req = req.set("If-None-Match", e);
        }
        if let Some(m) = &known.last_modified {
            req = req.set("If-Modified-Since", m);
        }
        let resp = match req.call() {
            Ok(r) => r,
            Err(ureq::Error::Status(code, r)) => {
                return failed(format!("the server answered {code} {}", r.status_text()))
            }
            Err(e) => return failed(e.to_string()),
        };
        if resp.status() == 304 {
            return Fetched::NotModified;
        }
        let etag = resp.header("ETag").map(str::to_string);
        let last_modified = resp.header("Last-Modified").map(str::to_string);
        let mut body = Vec::new();
        if let Err(e) = resp
            .into_reader()
            .take(self.opts.max_bytes + 1)
            .read_to_end(&mut body)
        {
            return failed(format!("reading the answer: {e}"));
        }
        if body.len() as u64 > self.opts.max_bytes {
            return failed(format!(
                "larger than {} MB: not read",
                self.opts.max_bytes >> 20
            ));
        }
        let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&body));
        let same_bytes = known.hash.as_deref() == Some(hash.as_str());
        self.state.insert(
            raw.to_string(),
            UrlState {
                etag,
                last_modified,
                hash: Some(hash),
            },
        );
        let name = file_name(&url, &host);
        if same_bytes && self.dir.join(&name).exists() {
            return Fetched::Unchanged;
        }
        match self.merge(&name, &body) {
            Ok(0) => Fetched::Unchanged,
            Ok(items) => Fetched::Updated {
                file: self.dir.join(&name).display().to_string(),
                items,
            },
            Err(reason) => failed(reason),
        }
    }

    /// Parses a fetched copy and merges its items into the feed's JSON Lines file;
    /// returns how many items were new or changed.
    fn merge(&self, name: &str, body: &[u8]) -> Result<usize, String> {
        // Parsed from a hidden file (never indexed), removed afterwards.
        let copy = self.dir.join(format!(".{name}.fetched"));
        std::fs::write(&copy, body).map_err(|e| format!("writing {}: {e}", copy.display()))?;
        let mut fresh = Vec::new();
        let mut problem = None;
        let parsed = crate::formats::parse_file(&copy, None, &mut |item| match item {
            Ok(a) => fresh.push(a),
            Err(e) => problem = Some(e.to_string()),
        });
        let _ = std::fs::remove_file(&copy);
        if let Err(e) = parsed {
            return Err(format!("not a feed newswire can read: {e}"));
        }
        if fresh.is_empty() {
            return match problem {
                Some(p) => Err(p),
                None => Ok(0),
            };
        }
        let path = self.dir.join(name);
        let mut items: Vec<(String, String)> = std::fs::read_to_string(&path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).ok()?;
                Some((v["id"].as_str()?.to_string(), l.to_string()))
            })
            .collect();
        let mut at: HashMap<String, usize> = items
            .iter()
            .enumerate()
            .map(|(i, (id, _))| (id.clone(), i))
            .collect();
        let mut changed = 0;
        for a in &fresh {
            let line = serde_json::to_string(&Item::from(a)).unwrap_or_default();
            match at.get(&a.id) {
                Some(&i) if items[i].1 == line => {}
                Some(&i) => {
                    items[i].1 = line;
                    changed += 1;
                }
                None => {
                    at.insert(a.id.clone(), items.len());
                    items.push((a.id.clone(), line));
                    changed += 1;
                }
            }
        }
        if changed > 0 {
            let mut text = String::new();
            for (_, line) in &items {
                text.push_str(line);
                text.push('\n');
            }
            // Written under a hidden name first (never indexed), then renamed: an
            // indexing run sees the old file or the new one, never a part.
            let hidden = format!(".{name}");
            crate::fsutil::write_atomic(&self.dir, &hidden, text.as_bytes())
                .and_then(|()| std::fs::rename(self.dir.join(&hidden), &path))
                .map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
        Ok(changed)
    }
}

/// One archived item, in the JSON export shape newswire reads back.
#[derive(Serialize)]
struct Item<'a> {
    id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    headline: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    source: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    byline: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    topics: &'a [String],
    body: &'a str,
}

impl<'a> From<&'a crate::article::Article> for Item<'a> {
    fn from(a: &'a crate::article::Article) -> Item<'a> {
        Item {
            id: &a.id,
            headline: a.headline.as_deref(),
            source: a.source.as_deref(),
            published: a.published.map(crate::article::format_date),
            byline: a.byline.as_deref(),
            url: a.url.as_deref(),
            topics: &a.topic,
            body: &a.body,
        }
    }
}

/// `https://news.example.org/rss?x=1` -> `news.example.org-<hash of the URL>.jsonl`.
fn file_name(url: &url::Url, host: &str) -> String {
    let host: String = host
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!(
        "{host}-{:016x}.jsonl",
        xxhash_rust::xxh3::xxh3_64(url.as_str().as_bytes())
    )
}

/// The URLs of a feed list file: one per line; blank lines and `#` comments skipped.
pub fn read_list(path: &Path) -> std::io::Result<Vec<String>> {
    Ok(std::fs::read_to_string(path)?
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(str::to_string)
        .collect())
}
