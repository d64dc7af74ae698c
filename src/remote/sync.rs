//! Sending the local index's articles to a cluster, each exactly once.
//!
//! The local index is the source of truth: it has parsed, tagged and deduplicated
//! the files, and its manifest knows what changed. A sync compares it with what the
//! cluster is known to hold (a state file in the index folder: article id ->
//! fingerprint of the document sent) and sends the new and changed articles, after
//! deleting the old versions of changed ones and the articles that are gone.
//!
//! Exactly once, whatever dies: before a `_bulk` request goes out, its batch id and
//! article ids are written to the state as pending; every document carries the batch
//! id. When the request's fate is unknown (the node died while answering, or
//! newswire was killed), the batch is looked up on the cluster before anything is
//! sent again: all there -> committed; none there for long enough that a restarted
//! node would have replayed it -> sent again; some there -> deleted and sent again.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use tantivy::{DocAddress, TantivyDocument};

use super::client::Client;
use super::doc::to_json;
use super::mapping::{BATCH_FIELD, COMMIT_TIMEOUT_SECS};
use super::{Dialect, RemoteError};
use crate::store::Store;

/// How a sync runs.
#[derive(Debug, Clone)]
pub struct SyncOptions {
    /// Largest `_bulk` request, in bytes.
    pub batch_bytes: usize,
    /// How long a batch's count must stay the same before its fate is decided.
    pub settle: Duration,
}

impl Default for SyncOptions {
    fn default() -> Self {
        SyncOptions {
            batch_bytes: 8 << 20,
            settle: Duration::from_secs(COMMIT_TIMEOUT_SECS * 3),
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SyncSummary {
    pub cluster: String,
    pub index: String,
    /// The index did not exist on the cluster and was created.
    pub created_index: bool,
    /// Articles sent (new or changed).
    pub sent: u64,
    /// Articles deleted from the cluster (gone locally, or old versions).
    pub deleted: u64,
    /// Articles the cluster already had.
    pub unchanged: u64,
    /// Batches of an earlier run whose fate was unknown, found committed.
    pub recovered_batches: u64,
    /// Batches sent again after their fate was checked.
    pub resent_batches: u64,
    /// Articles the cluster accepted and then did not keep (it refused them), and
    /// the first ids of them; they are sent again by the next run.
    pub dropped: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dropped_ids: Vec<String>,
    pub requests: u64,
    pub bytes: u64,
    pub seconds: f64,
    pub articles_per_second: f64,
    pub interrupted: bool,
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct State {
    cluster: String,
    index: String,
    /// Article id (lowercased) -> fingerprint of the document the cluster holds.
    sent: HashMap<String, u64>,
    /// Requests sent whose outcome is not known yet.
    pending: Vec<Pending>,
    /// The local commit (opstamp) the cluster was last brought up to date with.
    #[serde(default)]
    synced: Option<u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    batch: String,
    ids: Vec<(String, u64)>,
}

/// What a batch whose fate was unknown turned out to be.
enum Fate {
    Committed,
    Absent,
    Partial,
}

fn state_path(store: &Store, client: &Client) -> (PathBuf, String) {
    let t = &client.target;
    let h = xxhash_rust::xxh3::xxh3_64(t.url.as_bytes());
    (
        store.dir.join("remote"),
        format!("{}-{:08x}.json", t.index, h as u32),
    )
}

fn load(store: &Store, client: &Client) -> Result<State, RemoteError> {
    let (dir, name) = state_path(store, client);
    let path = dir.join(&name);
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| RemoteError::State {
            path,
            reason: format!("{e}; delete it to send every article again"),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(State {
            cluster: client.target.url.clone(),
            index: client.target.index.clone(),
            ..State::default()
        }),
        Err(e) => Err(RemoteError::State {
            path,
            reason: e.to_string(),
        }),
    }
}

fn save(store: &Store, client: &Client, state: &State) -> Result<(), RemoteError> {
    let (dir, name) = state_path(store, client);
    let bytes = serde_json::to_vec(state).unwrap_or_default();
    std::fs::create_dir_all(&dir)
        .and_then(|()| crate::fsutil::write_atomic(&dir, &name, &bytes))
        .map_err(|e| RemoteError::State {
            path: dir.join(name),
            reason: e.to_string(),
        })
}

/// A batch id no other run, here or on another machine, will use.
fn batch_id(seq: u64) -> String {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let host = std::fs::read_to_string("/etc/hostname").unwrap_or_default();
    let seed = format!("{host}|{}|{nanos}|{seq}", std::process::id());
    format!("b{:016x}", xxhash_rust::xxh3::xxh3_64(seed.as_bytes()))
}

/// `field:"value"` with the value escaped for the query grammar.
fn quoted(field: &str, value: &str) -> String {
    let v = value.replace('\\', "\\\\").replace('"', "\\\"");
    format!("{field}:\"{v}\"")
}

/// Looks a batch up until its count is all of it, or has stayed the same for
/// `settle` (a restarted node replays what it had accepted within its commit time).
fn fate(client: &Client, p: &Pending, settle: Duration) -> Result<Fate, RemoteError> {
    client.wait_ready()?;
    let q = quoted(BATCH_FIELD, &p.batch);
    let want = p.ids.len() as u64;
    let mut last = client.count(&q)?;
    let mut since = Instant::now();
    while last < want && since.elapsed() < settle {
        std::thread::sleep(Duration::from_millis(500));
        let n = client.count(&q)?;
        if n != last {
            last = n;
            since = Instant::now();
        }
    }
    Ok(match last {
        0 => Fate::Absent,
        n if n >= want => Fate::Committed,
        _ => Fate::Partial,
    })
}

/// Sends what `store` holds and the cluster does not (see the module notes).
/// `progress` hears the number of articles sent so far.
pub fn sync(
    store: &Store,
    client: &Client,
    opts: &SyncOptions,
    cancel: &AtomicBool,
    progress: &dyn Fn(u64, u64),
) -> Result<SyncSummary, RemoteError> {
    let started = Instant::now();
    let mut summary = SyncSummary {
        cluster: client.target.url.clone(),
        index: client.target.index.clone(),
        ..SyncSummary::default()
    };
    client.wait_ready()?;
    summary.created_index = client.ensure_index(&store.spec)?;
    let mut state = load(store, client)?;
    if summary.created_index {
        // A new index holds nothing, whatever was sent to an earlier one.
        state.sent.clear();
        state.pending.clear();
        state.synced = None;
    }

    // Requests of an earlier run that may or may not have landed.
    for p in std::mem::take(&mut state.pending) {
        match fate(client, &p, opts.settle)? {
            Fate::Committed => {
                state.sent.extend(p.ids);
                summary.recovered_batches += 1;
            }
            Fate::Absent => {}
            Fate::Partial => client.delete_matching(&quoted(BATCH_FIELD, &p.batch))?,
        }
        save(store, client, &state)?;
    }

    // Nothing committed locally since the cluster was last brought up to date.
    let opstamp = store
        .index
        .load_metas()
        .map_err(RemoteError::Index)?
        .opstamp;
    if state.pending.is_empty() && state.synced == Some(opstamp) {
        summary.unchanged = state.sent.len() as u64;
        summary.seconds = started.elapsed().as_secs_f64();
        return Ok(summary);
    }
    state.synced = None;

    // What the local index holds, and what of it the cluster lacks.
    let searcher = store.searcher().map_err(RemoteError::Index)?;
    let schema = store.index.schema();
    let mut todo: Vec<DocAddress> = Vec::new();
    let mut stale: Vec<String> = Vec::new();
    let mut local: HashSet<String> = HashSet::new();
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let alive = reader.alive_bitset();
        for doc in 0..reader.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            let addr = DocAddress::new(ord as u32, doc);
            let d: TantivyDocument = searcher.doc(addr).map_err(RemoteError::Index)?;
            let json = to_json(&store.spec, &schema, &d);
            let id = json
                .get("id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_lowercase();
            let fp = fingerprint(&json);
            match state.sent.get(&id) {
                Some(old) if *old == fp => summary.unchanged += 1,
                Some(_) => {
                    stale.push(id.clone());
                    todo.push(addr);
                }
                None => todo.push(addr),
            }
            local.insert(id);
        }
    }
    stale.extend(state.sent.keys().filter(|id| !local.contains(*id)).cloned());

    // Old versions and gone articles first: a delete applies to what was committed
    // before it, never to what is sent after.
    for chunk in stale.chunks(200) {
        let q = chunk
            .iter()
            .map(|id| quoted("id", id))
            .collect::<Vec<_>>()
            .join(" OR ");
        client.delete_matching(&q)?;
        for id in chunk {
            state.sent.remove(id);
        }
        summary.deleted += chunk.len() as u64;
        save(store, client, &state)?;
    }

    let action = match client.target.dialect {
        Dialect::Quickwit => None,
        Dialect::Elasticsearch => Some(()),
    };
    let mut body: Vec<u8> = Vec::new();
    let mut ids: Vec<(String, u64)> = Vec::new();
    let total = todo.len() as u64;
    let flush = |body: &mut Vec<u8>,
                 ids: &mut Vec<(String, u64)>,
                 batch: &str,
                 state: &mut State,
                 summary: &mut SyncSummary|
     -> Result<(), RemoteError> {
        if ids.is_empty() {
            return Ok(());
        }
        let mut p = Pending {
            batch: batch.to_string(),
            ids: std::mem::take(ids),
        };
        let mut payload = std::mem::take(body);
        state.pending.push(p.clone());
        save(store, client, state)?;
        let mut attempts = 0;
        loop {
            attempts += 1;
            summary.requests += 1;
            summary.bytes += payload.len() as u64;
            match client.bulk_once(&payload) {
                Ok(None) => break,
                Ok(Some(reason)) => {
                    return Err(RemoteError::Refused {
                        url: client.target.url.clone(),
                        reason,
                    })
                }
                Err(e) if attempts >= 5 => return Err(e),
                Err(_) => match fate(client, &p, opts.settle)? {
                    Fate::Committed => break,
                    Fate::Absent => summary.resent_batches += 1,
                    Fate::Partial => {
                        client.delete_matching(&quoted(BATCH_FIELD, &p.batch))?;
                        // The copy sent again must not match the delete.
                        let fresh = batch_id(attempts);
                        let old = format!("\"{}\":\"{}\"", BATCH_FIELD, p.batch);
                        let new = format!("\"{}\":\"{}\"", BATCH_FIELD, fresh);
                        payload = String::from_utf8_lossy(&payload)
                            .replace(&old, &new)
                            .into_bytes();
                        state.pending.retain(|x| x.batch != p.batch);
                        p.batch = fresh;
                        state.pending.push(p.clone());
                        save(store, client, state)?;
                        summary.resent_batches += 1;
                    }
                },
            }
        }
        // A cluster may accept a request and then drop documents its mapping
        // refuses (Quickwit only says so in its log): count what arrived.
        let want = p.ids.len() as u64;
        if client.count(&quoted(BATCH_FIELD, &p.batch))? < want {
            let there = client.ids_matching(&quoted(BATCH_FIELD, &p.batch), p.ids.len())?;
            p.ids.retain(|(id, _)| {
                let kept = there.contains(id);
                if !kept {
                    summary.dropped += 1;
                    if summary.dropped_ids.len() < 20 {
                        summary.dropped_ids.push(id.clone());
                    }
                }
                kept
            });
        }
        state.pending.retain(|x| x.batch != p.batch);
        summary.sent += p.ids.len() as u64;
        state.sent.extend(p.ids);
        save(store, client, state)?;
        progress(summary.sent, total);
        Ok(())
    };

    let mut seq = 0u64;
    let mut batch = batch_id(seq);
    for addr in todo {
        if cancel.load(Ordering::Relaxed) {
            summary.interrupted = true;
            break;
        }
        let d: TantivyDocument = searcher.doc(addr).map_err(RemoteError::Index)?;
        let mut json = to_json(&store.spec, &schema, &d);
        let id = json
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let fp = fingerprint(&json);
        json.insert(BATCH_FIELD.into(), Value::from(batch.clone()));
        let line = match action {
            None => serde_json::json!({"create": {"_index": client.target.index}}),
            Some(()) => serde_json::json!({"index": {"_index": client.target.index, "_id": id}}),
        };
        let _ = serde_json::to_writer(&mut body, &line);
        body.push(b'\n');
        let _ = serde_json::to_writer(&mut body, &json);
        body.push(b'\n');
        ids.push((id.to_lowercase(), fp));
        if body.len() >= opts.batch_bytes {
            flush(&mut body, &mut ids, &batch, &mut state, &mut summary)?;
            seq += 1;
            batch = batch_id(seq);
        }
    }
    flush(&mut body, &mut ids, &batch, &mut state, &mut summary)?;
    if !summary.interrupted && summary.dropped == 0 {
        state.synced = Some(opstamp);
    }
    save(store, client, &state)?;
    summary.seconds = started.elapsed().as_secs_f64();
    if summary.seconds > 0.0 {
        summary.articles_per_second = summary.sent as f64 / summary.seconds;
    }
    Ok(summary)
}

/// A document's fingerprint: what changes when anything sent would.
fn fingerprint(json: &serde_json::Map<String, Value>) -> u64 {
    let bytes = serde_json::to_vec(json).unwrap_or_default();
    xxhash_rust::xxh3::xxh3_64(&bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_ids_differ_and_values_are_quoted() {
        assert_ne!(batch_id(1), batch_id(1));
        assert_eq!(quoted("id", r#"a"b\c"#), r#"id:"a\"b\\c""#);
    }
}
