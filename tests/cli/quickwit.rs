//! newswire on a real Quickwit node: the node is started by the test from
//! `QUICKWIT_BIN` (or `quickwit` on the PATH), on loopback ports of its own, and the
//! tests are skipped, saying why, where there is none.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::util::{corpus, newswire, search};

fn quickwit_bin() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("QUICKWIT_BIN") {
        return Some(PathBuf::from(p));
    }
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join("quickwit"))
        .find(|p| p.is_file())
}

/// The Quickwit binary, or `None` after printing why the test is skipped.
fn bin_or_skip(test: &str) -> Option<PathBuf> {
    let bin = quickwit_bin();
    if bin.is_none() {
        eprintln!(
            "skipping {test}: no Quickwit node to test against (set QUICKWIT_BIN to a quickwit binary, or put one on the PATH)"
        );
    }
    bin
}

/// A port free for TCP (REST), TCP + 1 (gRPC) and UDP (gossip).
fn free_ports() -> u16 {
    loop {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        let p = l.local_addr().expect("addr").port();
        drop(l);
        if p < 65_000
            && TcpListener::bind(("127.0.0.1", p + 1)).is_ok()
            && UdpSocket::bind(("127.0.0.1", p)).is_ok()
        {
            return p;
        }
    }
}

/// One Quickwit node; killed when dropped.
struct Node {
    bin: PathBuf,
    config: PathBuf,
    log: PathBuf,
    child: Option<Child>,
    port: u16,
}

impl Node {
    /// A node whose metastore and splits live under `cluster`; `seed`: the REST port
    /// of a node to join.
    fn start(bin: &Path, cluster: &Path, name: &str, seed: Option<u16>) -> Node {
        let port = free_ports();
        let data = cluster.join(name);
        std::fs::create_dir_all(&data).expect("data dir");
        let seeds = seed.map_or(String::new(), |s| {
            format!("peer_seeds:\n  - 127.0.0.1:{s}\n")
        });
        let config = data.join("node.yaml");
        std::fs::write(
            &config,
            format!(
                "version: 0.8\nnode_id: {name}\ncluster_id: newswire-test\nlisten_address: 127.0.0.1\n\
                 rest:\n  listen_port: {port}\ndata_dir: {data}\n\
                 metastore_uri: file://{meta}\ndefault_index_root_uri: file://{indexes}\n{seeds}",
                data = data.display(),
                meta = cluster.join("metastore").display(),
                indexes = cluster.join("indexes").display(),
            ),
        )
        .expect("config");
        let mut node = Node {
            bin: bin.to_path_buf(),
            log: data.join("node.log"),
            config,
            child: None,
            port,
        };
        node.run();
        node
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn run(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log");
        let child = Command::new(&self.bin)
            .arg("run")
            .arg("--config")
            .arg(&self.config)
            .env("QW_DISABLE_TELEMETRY", "1")
            .env("NO_COLOR", "1")
            .stdout(Stdio::from(log.try_clone().expect("log")))
            .stderr(Stdio::from(log))
            .spawn()
            .expect("quickwit starts");
        self.child = Some(child);
        let started = Instant::now();
        while started.elapsed() < Duration::from_secs(90) {
            if get(&format!("{}/health/readyz", self.url())).is_some_and(|(s, _)| s == 200) {
                return;
            }
            std::thread::sleep(Duration::from_millis(300));
        }
        panic!(
            "the Quickwit node did not become ready; its log:\n{}",
            std::fs::read_to_string(&self.log).unwrap_or_default()
        );
    }

    fn kill(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        self.kill();
    }
}

fn get(url: &str) -> Option<(u16, String)> {
    match ureq::get(url).timeout(Duration::from_secs(5)).call() {
        Ok(r) => Some((r.status(), r.into_string().unwrap_or_default())),
        Err(ureq::Error::Status(s, r)) => Some((s, r.into_string().unwrap_or_default())),
        Err(_) => None,
    }
}

fn post_json(url: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    match ureq::post(url)
        .timeout(Duration::from_secs(30))
        .send_json(body)
    {
        Ok(r) => (r.status(), r.into_json().unwrap_or_default()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_json().unwrap_or_default()),
        Err(e) => panic!("{url}: {e}"),
    }
}

/// How many times each article id is on the cluster.
fn copies(node: &Node, index: &str) -> BTreeMap<String, u64> {
    let (status, v) = post_json(
        &format!("{}/api/v1/_elastic/{index}/_search", node.url()),
        &serde_json::json!({"size": 0, "aggs": {"ids": {"terms": {"field": "id", "size": 100000}}}}),
    );
    assert_eq!(status, 200, "{v}");
    v["aggregations"]["ids"]["buckets"]
        .as_array()
        .expect("buckets")
        .iter()
        .map(|b| {
            (
                b["key"].as_str().expect("key").to_lowercase(),
                b["doc_count"].as_u64().expect("count"),
            )
        })
        .collect()
}

/// Facet name -> (value, count) pairs, sorted.
type FacetTable = Vec<(String, Vec<(String, u64)>)>;

/// Hit ids, totals and facet counts of a search, to compare two answers.
fn answer(dir: &Path, args: &[&str]) -> (u64, BTreeSet<String>, FacetTable) {
    let mut all = args.to_vec();
    all.extend([
        "--limit",
        "1000",
        "--duplicates",
        "show",
        "--facet",
        "org",
        "--facet",
        "person",
        "--facet",
        "place",
        "--facet",
        "source",
        "--facet",
        "year",
        "--facet-size",
        "1000",
    ]);
    let s = search(dir, &all);
    let ids = s.hits.iter().map(|h| h.id.to_lowercase()).collect();
    let mut facets: FacetTable = s
        .facets
        .iter()
        .map(|f| {
            let mut c: Vec<(String, u64)> = f
                .counts
                .iter()
                .map(|v| (v.value.clone(), v.count))
                .collect();
            c.sort();
            (f.field.clone(), c)
        })
        .collect();
    facets.sort();
    (s.total(), ids, facets)
}

/// The local index and the cluster it was sent to give the same answers.
fn assert_same_answers(dir: &Path, url: &str) {
    for q in [
        "*",
        "iraq",
        "\"foreign forces\"",
        "oil OR troops",
        "+police -baghdad",
        "headline:china",
    ] {
        for filter in [
            &[][..],
            &["--place", "Iraq"][..],
            &["--org", "NATO", "--from", "2003-01-01"][..],
            &["--exclude", "source=Xinhua"][..],
        ] {
            let mut args = vec![q];
            args.extend_from_slice(filter);
            let local = answer(dir, &args);
            let mut remote_args = vec!["--quickwit", url];
            remote_args.extend_from_slice(&args);
            let remote = answer(dir, &remote_args);
            assert_eq!(local.0, remote.0, "total hits of {args:?}");
            assert_eq!(local.1, remote.1, "hits of {args:?}");
            assert_eq!(local.2, remote.2, "facets of {args:?}");
        }
    }
}

#[test]
fn the_corpus_sent_to_quickwit_answers_as_the_local_index_does_on_one_node_and_two() {
    let Some(bin) = bin_or_skip("quickwit tests") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let cluster = tmp.path().join("cluster");
    let first = Node::start(&bin, &cluster, "node-1", None);
    let out = newswire(tmp.path())
        .args(["--quickwit", &first.url(), "index", "--quiet"])
        .arg(corpus())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8_lossy(&out);
    assert!(text.contains("index created"), "{text}");
    let local = search(tmp.path(), &["*", "--limit", "0"]).total();
    assert!(local > 10, "the corpus holds articles");
    let held = copies(&first, "newswire");
    assert_eq!(held.len() as u64, local, "every article is on the cluster");
    assert!(held.values().all(|n| *n == 1), "each once: {held:?}");
    assert_same_answers(tmp.path(), &first.url());

    // Running it again sends nothing.
    let again = newswire(tmp.path())
        .args(["--quickwit", &first.url(), "index", "--json"])
        .arg(corpus())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let again = String::from_utf8_lossy(&again);
    let summary = again
        .lines()
        .find(|l| l.contains("\"type\":\"cluster\""))
        .expect("cluster summary line");
    let v: serde_json::Value = serde_json::from_str(summary).expect("json");
    assert_eq!(v["sent"], 0, "{summary}");
    assert_eq!(v["unchanged"].as_u64(), Some(local), "{summary}");

    // A second node joins the first: it answers the same.
    let second = Node::start(&bin, &cluster, "node-2", Some(first.port));
    assert_same_answers(tmp.path(), &second.url());

    // A server with no local index answers from the cluster.
    let port = free_ports();
    let empty = tempfile::tempdir().expect("tmp");
    let mut serve = std::process::Command::new(assert_cmd::cargo::cargo_bin("newswire"))
        .current_dir(empty.path())
        .args([
            "--quickwit",
            &second.url(),
            "serve",
            "--bind",
            &format!("127.0.0.1:{port}"),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("serve runs");
    let api = format!("http://127.0.0.1:{port}/api/v1");
    let started = Instant::now();
    let mut page = None;
    while page.is_none() && started.elapsed() < Duration::from_secs(30) {
        page = get(&format!("{api}/search?q=iraq&facet=org&limit=5"));
        std::thread::sleep(Duration::from_millis(200));
    }
    let (status, body) = page.expect("the server answers");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(status, 200, "{body}");
    let local = search(tmp.path(), &["iraq", "--limit", "0"]).total();
    assert_eq!(v["total_hits"].as_u64(), Some(local), "{body}");
    let local_ids: BTreeSet<String> = search(tmp.path(), &["iraq", "--limit", "5"])
        .hits
        .iter()
        .map(|h| h.id.clone())
        .collect();
    let served: BTreeSet<String> = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(served.len(), local_ids.len(), "{body}");
    let (status, _) = get(&format!("{api}/suggest?q=iraq")).expect("answer");
    assert_eq!(status, 501, "what a cluster cannot do says so");
    let _ = serve.kill();
    let _ = serve.wait();

    // show, stats and timeline answer from the cluster too.
    let id = search(tmp.path(), &["iraq", "--limit", "1"]).hits[0]
        .id
        .clone();
    let shown = newswire(tmp.path())
        .args(["--quickwit", &second.url(), "show", &id])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let local_show = newswire(tmp.path())
        .args(["show", &id])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&shown),
        String::from_utf8_lossy(&local_show)
    );
    for cmd in [
        &["timeline", "iraq", "--json"][..],
        &["stats", "--json"][..],
    ] {
        let remote = newswire(tmp.path())
            .args(["--quickwit", &first.url()])
            .args(cmd)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let local = newswire(tmp.path())
            .args(cmd)
            .assert()
            .success()
            .get_output()
            .stdout
            .clone();
        let strip = |b: &[u8]| -> Vec<serde_json::Value> {
            String::from_utf8_lossy(b)
                .lines()
                .map(|l| {
                    let mut v: serde_json::Value = serde_json::from_str(l).expect("json");
                    // Where the index is and how it is stored differ by design.
                    for k in [
                        "index_path",
                        "index_bytes",
                        "segments",
                        "built_by",
                        "took_ms",
                    ] {
                        v.as_object_mut().map(|o| o.remove(k));
                    }
                    v
                })
                .collect()
        };
        assert_eq!(strip(&local), strip(&remote), "{cmd:?}");
    }
}

/// Articles of our own, many enough for several requests.
fn write_articles(dir: &Path, prefix: &str, n: usize) {
    std::fs::create_dir_all(dir).expect("dir");
    let mut lines = String::new();
    for i in 0..n {
        lines.push_str(
            &serde_json::json!({
                "id": format!("{prefix}-{i}"),
                "headline": format!("Harbour report {i} from {prefix}"),
                "body": format!(
                    "The port authority of {prefix} said on Monday that cargo volumes rose {i} percent. \
                     Shipping lines expect the rise to continue through the winter season, officials said. \
                     Dock workers in the harbour district number {} this year.", i * 7
                ),
                "published": format!("2020-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
                "source": "Harbour Wire",
            })
            .to_string(),
        );
        lines.push('\n');
    }
    std::fs::write(dir.join("articles.jsonl"), lines).expect("write");
}

#[test]
fn a_node_killed_during_ingestion_ends_with_every_article_once() {
    let Some(bin) = bin_or_skip("quickwit tests") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let mut node = Node::start(&bin, &tmp.path().join("cluster"), "node-1", None);
    write_articles(&tmp.path().join("in"), "kill", 3000);
    let url = node.url();
    let mut run = std::process::Command::new(assert_cmd::cargo::cargo_bin("newswire"))
        .current_dir(tmp.path())
        .args([
            "--index",
            "index",
            "--quickwit",
            &url,
            "--cluster-batch-kb",
            "64",
        ])
        .args(["index", "--quiet", "in"])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("newswire runs");
    // Kill the node once some requests have landed, then bring it back.
    let state = tmp.path().join("index/remote");
    let started = Instant::now();
    while !state.exists() && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(1500));
    node.kill();
    std::thread::sleep(Duration::from_secs(2));
    node.run();
    let status = run.wait().expect("newswire ends");
    let mut err = String::new();
    std::io::Read::read_to_string(run.stderr.as_mut().expect("stderr"), &mut err).ok();
    assert!(status.success(), "{err}");
    let held = copies(&node, "newswire");
    assert_eq!(held.len(), 3000, "every article is there");
    let doubled: Vec<_> = held.iter().filter(|(_, n)| **n != 1).collect();
    assert!(doubled.is_empty(), "articles sent twice: {doubled:?}");
}

#[test]
fn a_run_killed_midway_and_run_again_sends_every_article_once() {
    let Some(bin) = bin_or_skip("quickwit tests") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let node = Node::start(&bin, &tmp.path().join("cluster"), "node-1", None);
    write_articles(&tmp.path().join("in"), "resume", 3000);
    let args = |cmd: &mut std::process::Command| {
        cmd.current_dir(tmp.path())
            .args([
                "--index",
                "index",
                "--quickwit",
                &node.url(),
                "--cluster-batch-kb",
                "64",
            ])
            .args(["index", "--quiet", "in"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
    };
    let mut first = std::process::Command::new(assert_cmd::cargo::cargo_bin("newswire"));
    args(&mut first);
    let mut first = first.spawn().expect("runs");
    let state = tmp.path().join("index/remote");
    let started = Instant::now();
    while !state.exists() && started.elapsed() < Duration::from_secs(120) {
        std::thread::sleep(Duration::from_millis(20));
    }
    std::thread::sleep(Duration::from_millis(700));
    let _ = first.kill();
    let _ = first.wait();
    let mut second = std::process::Command::new(assert_cmd::cargo::cargo_bin("newswire"));
    args(&mut second);
    assert!(second.status().expect("runs").success());
    let held = copies(&node, "newswire");
    assert_eq!(held.len(), 3000);
    assert!(held.values().all(|n| *n == 1), "each once");
}

#[test]
fn two_processes_on_different_folders_feed_one_index() {
    let Some(bin) = bin_or_skip("quickwit tests") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let node = Node::start(&bin, &tmp.path().join("cluster"), "node-1", None);
    let spawn = |name: &str| {
        let dir = tmp.path().join(name);
        write_articles(&dir.join("in"), name, 800);
        std::process::Command::new(assert_cmd::cargo::cargo_bin("newswire"))
            .current_dir(&dir)
            .args([
                "--index",
                "index",
                "--quickwit",
                &node.url(),
                "--cluster-batch-kb",
                "64",
            ])
            .args(["index", "--quiet", "in"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs")
    };
    let (a, b) = (spawn("desk-a"), spawn("desk-b"));
    for child in [a, b] {
        let out = child.wait_with_output().expect("ends");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let held = copies(&node, "newswire");
    assert_eq!(held.len(), 1600);
    assert!(held.values().all(|n| *n == 1));
}

#[test]
fn the_exported_quickwit_config_creates_an_index() {
    let Some(bin) = bin_or_skip("quickwit tests") else {
        return;
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let node = Node::start(&bin, &tmp.path().join("cluster"), "node-1", None);
    newswire(tmp.path())
        .args(["export", "--config-only", "--out", "export"])
        .assert()
        .success();
    let config: serde_json::Value = serde_json::from_slice(
        &std::fs::read(tmp.path().join("export/quickwit-index.json")).expect("config"),
    )
    .expect("json");
    let (status, body) = post_json(&format!("{}/api/v1/indexes", node.url()), &config);
    assert_eq!(status, 200, "{body}");
}

#[test]
fn export_writes_every_article_and_both_index_definitions() {
    let dir = super::util::indexed_corpus();
    newswire(dir.path())
        .args(["export", "--out", "export"])
        .assert()
        .success();
    let total = search(dir.path(), &["*", "--limit", "0"]).total();
    let text = std::fs::read_to_string(dir.path().join("export/articles.ndjson")).expect("ndjson");
    let docs: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
        .collect();
    assert_eq!(docs.len() as u64, total);
    assert!(docs
        .iter()
        .all(|d| d["id"].is_string() && d["body"].is_string()));
    assert!(docs
        .iter()
        .any(|d| d["org"].is_array() && d["month"].is_string()));
    for f in ["quickwit-index.json", "elasticsearch-index.json"] {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(dir.path().join("export").join(f)).expect(f))
                .expect("json");
        assert!(v.is_object(), "{f}");
    }
}

#[test]
fn a_search_on_an_unreachable_cluster_says_so_and_fails() {
    // A port nothing listens on: the search gives up after its short wait, naming
    // the cluster and the reason.
    let port = TcpListener::bind("127.0.0.1:0")
        .expect("a free port")
        .local_addr()
        .expect("addr")
        .port();
    let dir = tempfile::tempdir().expect("tempdir");
    let out = newswire(dir.path())
        .args([
            "search",
            "--quickwit",
            &format!("http://127.0.0.1:{port}"),
            "iraq",
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!(
            "cannot reach the cluster at http://127.0.0.1:{port}"
        )),
        "{err}"
    );
    assert!(err.contains("refused"), "{err}");
}
