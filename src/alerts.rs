//! Saved searches and alerts: a standing query that reports each new matching
//! article once.
//!
//! Everything lives in `alerts/` inside the index folder: `alerts.json` (the saved
//! searches) and one `NAME.state.json` per alert. "New" is measured against the
//! index's own file manifest, not a clock: a check compares the articles the last
//! commit holds with those the alert saw at its previous check, so an article
//! committed late, or by another process, is never missed.
//!
//! Delivery is two-phase. A check first records its matches as *pending*, together
//! with the articles it has now seen, then hands them to the deliverer, then clears
//! them. A check killed after the first step delivers the pending matches at the next
//! check (nothing lost); each delivery has a number, so a file deliverer can tell
//! that a delivery already reached the file (nothing repeated).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ingest::Manifest;
use crate::search::{self, Filters, Hit, SearchRequest, Sort};
use crate::store::Store;

/// Folder of the alerts, inside the index folder.
pub const ALERTS_DIR: &str = "alerts";
const DEFINITIONS: &str = "alerts.json";
/// Most matches reported by one check of one alert.
pub const MAX_MATCHES: usize = 10_000;
/// Matches remembered per alert for display (`newswire serve`).
const RECENT: usize = 20;

/// A saved search.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Alert {
    pub name: String,
    pub query: String,
    /// Filters as `(name, value)` pairs (see [`Filters::from_pairs`]).
    #[serde(default)]
    pub filters: Vec<(String, String)>,
    /// When it was saved (RFC 3339).
    pub created: String,
}

/// One alert's memory between checks.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct AlertState {
    /// Keys of the articles the index held at the last check, sorted.
    seen: Vec<u64>,
    /// Hashes of the ids already reported.
    reported: Vec<u64>,
    /// Matches of the last check not yet confirmed delivered, and their delivery.
    pub pending: Vec<Hit>,
    pub delivery: u64,
    pub last_checked: Option<String>,
    /// The latest matches delivered, newest first.
    pub recent: Vec<Hit>,
}

/// What went wrong with alerts.
#[derive(Debug, thiserror::Error)]
pub enum AlertError {
    #[error("no alert named {0:?} (see `newswire alert list`)")]
    Unknown(String),
    #[error("an alert named {0:?} exists already (remove it first)")]
    Exists(String),
    #[error("alert names are letters, digits, '-' and '_' (at most 64): {0:?}")]
    BadName(String),
    #[error("{0}")]
    Filter(String),
    #[error(transparent)]
    Search(#[from] search::SearchError),
    #[error(transparent)]
    Manifest(#[from] crate::ingest::ManifestError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path} is damaged: {source}")]
    Damaged {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("delivering alert {alert:?}: {reason} (the matches stay pending and go with the next check)")]
    Delivery { alert: String, reason: String },
}

/// Hands one delivery over: the alert, the delivery's number, the matches. An
/// error message means it did not arrive.
pub type Deliver<'a> = dyn FnMut(&Alert, u64, &[Hit]) -> Result<(), String> + 'a;

/// The alerts of one index.
pub struct Alerts {
    dir: PathBuf,
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> AlertError + '_ {
    move |source| AlertError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

impl Alerts {
    pub fn new(store: &Store) -> Alerts {
        Alerts {
            dir: store.dir.join(ALERTS_DIR),
        }
    }

    /// The saved searches, in the order they were added.
    pub fn list(&self) -> Result<Vec<Alert>, AlertError> {
        let path = self.dir.join(DEFINITIONS);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|source| AlertError::Damaged { path, source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
            Err(e) => Err(io(&path)(e)),
        }
    }

    fn save_list(&self, alerts: &[Alert]) -> Result<(), AlertError> {
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let bytes = serde_json::to_vec_pretty(alerts).unwrap_or_default();
        crate::fsutil::write_atomic(&self.dir, DEFINITIONS, &bytes).map_err(io(&self.dir))
    }

    /// Saves a search. Articles already in the index do not count as new for it.
    pub fn add(
        &self,
        store: &Store,
        name: &str,
        query: &str,
        filters: Vec<(String, String)>,
    ) -> Result<Alert, AlertError> {
        if name.is_empty()
            || name.len() > 64
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(AlertError::BadName(name.to_string()));
        }
        let mut all = self.list()?;
        if all.iter().any(|a| a.name == name) {
            return Err(AlertError::Exists(name.to_string()));
        }
        // The query and filters must be runnable.
        let parsed = Filters::from_pairs(&filters).map_err(AlertError::Filter)?;
        search::build_query(store, query, &parsed, Default::default())
            .map_err(search::SearchError::from)?;
        let alert = Alert {
            name: name.to_string(),
            query: query.to_string(),
            filters,
            created: now(),
        };
        let state = AlertState {
            seen: current_keys(&Manifest::load(store)?)
                .into_iter()
                .map(|(k, _)| k)
                .collect(),
            last_checked: Some(alert.created.clone()),
            ..AlertState::default()
        };
        self.save_state(name, &state)?;
        all.push(alert.clone());
        self.save_list(&all)?;
        Ok(alert)
    }

    /// Removes a saved search and its state.
    pub fn remove(&self, name: &str) -> Result<(), AlertError> {
        let mut all = self.list()?;
        let before = all.len();
        all.retain(|a| a.name != name);
        if all.len() == before {
            return Err(AlertError::Unknown(name.to_string()));
        }
        self.save_list(&all)?;
        let _ = std::fs::remove_file(self.state_path(name));
        Ok(())
    }

    fn state_path(&self, name: &str) -> PathBuf {
        self.dir.join(format!("{name}.state.json"))
    }

    pub fn state(&self, name: &str) -> Result<AlertState, AlertError> {
        let path = self.state_path(name);
        match std::fs::read(&path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map_err(|source| AlertError::Damaged { path, source }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(AlertState::default()),
            Err(e) => Err(io(&path)(e)),
        }
    }

    fn save_state(&self, name: &str, state: &AlertState) -> Result<(), AlertError> {
        std::fs::create_dir_all(&self.dir).map_err(io(&self.dir))?;
        let bytes = serde_json::to_vec(state).unwrap_or_default();
        crate::fsutil::write_atomic(&self.dir, &format!("{name}.state.json"), &bytes)
            .map_err(io(&self.dir))
    }

    /// Checks `alert`: finds the articles committed since its last check that match
    /// it and were never reported, and hands them to `deliver` (with the delivery's
    /// number). Returns the matches delivered (pending ones of an interrupted check
    /// first). A failed delivery keeps them pending for the next check.
    pub fn check(
        &self,
        store: &Store,
        alert: &Alert,
        deliver: &mut Deliver<'_>,
    ) -> Result<Vec<Hit>, AlertError> {
        let mut state = self.state(&alert.name)?;
        let mut delivered = Vec::new();
        if !state.pending.is_empty() {
            delivered.extend(state.pending.iter().cloned());
            self.deliver(alert, &mut state, deliver)?;
        }
        let current = current_keys(&Manifest::load(store)?);
        let reported: HashSet<u64> = state.reported.iter().copied().collect();
        let new_ids: Vec<String> = current
            .iter()
            .filter(|(k, _)| state.seen.binary_search(k).is_err())
            .map(|(_, id)| id.clone())
            .filter(|id| !reported.contains(&id_key(id)))
            .collect();
        state.seen = current.into_iter().map(|(k, _)| k).collect();
        state.last_checked = Some(now());
        if new_ids.is_empty() {
            self.save_state(&alert.name, &state)?;
            return Ok(delivered);
        }
        let mut filters = Filters::from_pairs(&alert.filters).map_err(AlertError::Filter)?;
        filters.ids = Some(new_ids);
        let result = search::search(
            store,
            &SearchRequest {
                query: alert.query.clone(),
                filters,
                limit: MAX_MATCHES,
                sort: Sort::Date,
                ..SearchRequest::default()
            },
        )?;
        for hit in &result.hits {
            state.reported.push(id_key(&hit.id));
            state
                .reported
                .extend(hit.duplicates.iter().map(|d| id_key(d)));
        }
        if result.hits.is_empty() {
            self.save_state(&alert.name, &state)?;
            return Ok(delivered);
        }
        // Phase one: the matches are pending, durably, before anyone hears of them.
        state.pending = result.hits;
        state.delivery += 1;
        self.save_state(&alert.name, &state)?;
        delivered.extend(state.pending.iter().cloned());
        self.deliver(alert, &mut state, deliver)?;
        Ok(delivered)
    }

    /// Phase two: hands the pending matches over, then forgets them.
    fn deliver(
        &self,
        alert: &Alert,
        state: &mut AlertState,
        deliver: &mut Deliver<'_>,
    ) -> Result<(), AlertError> {
        deliver(alert, state.delivery, &state.pending).map_err(|reason| AlertError::Delivery {
            alert: alert.name.clone(),
            reason,
        })?;
        let mut recent = std::mem::take(&mut state.pending);
        recent.reverse();
        recent.append(&mut state.recent);
        recent.truncate(RECENT);
        state.recent = recent;
        self.save_state(&alert.name, state)
    }
}

fn id_key(id: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(id.trim().to_lowercase().as_bytes())
}

/// Every stored article of the last commit as (key of its id and content, id),
/// sorted by key. An article whose content changes gets a new key.
fn current_keys(manifest: &Manifest) -> Vec<(u64, String)> {
    let mut keys: Vec<(u64, String)> = manifest
        .files
        .values()
        .flat_map(|f| {
            f.articles.iter().filter(|a| a.stored).map(move |a| {
                // Hashed in place: a check reads every article of the archive.
                let mut h = xxhash_rust::xxh3::Xxh3::new();
                h.update(a.id.as_bytes());
                h.update(&[0]);
                match a.hash {
                    Some(content) => h.update(&content.to_le_bytes()),
                    None => h.update(f.hash.as_bytes()),
                }
                (h.digest(), a.id.clone())
            })
        })
        .collect();
    keys.sort_unstable();
    keys.dedup_by_key(|(k, _)| *k);
    keys
}

/// One delivered match, as a JSON line: `{"type":"alert","alert":NAME,"delivery":N,...hit}`.
#[derive(Serialize)]
pub struct Delivered<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub alert: &'a str,
    pub delivery: u64,
    pub query: &'a str,
    #[serde(flatten)]
    pub hit: &'a Hit,
}

/// The JSON lines of one delivery.
pub fn delivery_lines(alert: &Alert, delivery: u64, hits: &[Hit]) -> String {
    let mut out = String::new();
    for hit in hits {
        let line = Delivered {
            kind: "alert",
            alert: &alert.name,
            delivery,
            query: &alert.query,
            hit,
        };
        out.push_str(&serde_json::to_string(&line).unwrap_or_default());
        out.push('\n');
    }
    out
}

/// How much of the end of an alerts file is searched for an earlier copy of a delivery.
const TAIL: u64 = 8 << 20;

/// Appends a delivery to a JSON Lines file, unless the file already holds it (a
/// check interrupted after appending delivers it again; this keeps one copy).
pub fn append_to_file(
    path: &Path,
    alert: &Alert,
    delivery: u64,
    hits: &[Hit],
) -> Result<(), String> {
    use std::io::{Read, Seek, SeekFrom, Write};
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
    let mut tail = String::new();
    f.seek(SeekFrom::Start(len.saturating_sub(TAIL)))
        .and_then(|_| f.read_to_string(&mut tail))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let marker = format!(
        "{{\"type\":\"alert\",\"alert\":{},\"delivery\":{delivery},",
        serde_json::to_string(&alert.name).unwrap_or_default()
    );
    if tail.lines().any(|l| l.starts_with(&marker)) {
        return Ok(());
    }
    f.write_all(delivery_lines(alert, delivery, hits).as_bytes())
        .and_then(|()| f.sync_data())
        .map_err(|e| format!("{}: {e}", path.display()))
}

/// Runs `command` (with `sh -c`) with a delivery's JSON lines on its standard input
/// and `NEWSWIRE_ALERT`, `NEWSWIRE_ALERT_DELIVERY` in its environment; the delivery
/// counts as made when it exits with 0.
pub fn run_command(
    command: &str,
    alert: &Alert,
    delivery: u64,
    hits: &[Hit],
) -> Result<(), String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(command)
        .env("NEWSWIRE_ALERT", &alert.name)
        .env("NEWSWIRE_ALERT_DELIVERY", delivery.to_string())
        .stdin(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run {command:?}: {e}"))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A command that does not read its input is its own business.
        let _ = stdin.write_all(delivery_lines(alert, delivery, hits).as_bytes());
    }
    let status = child.wait().map_err(|e| format!("{command:?}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{command:?} failed ({status})"))
    }
}
