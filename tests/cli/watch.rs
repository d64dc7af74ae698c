//! `newswire index --watch`: files that appear, change, vanish or arrive half-written
//! under a watched folder are reflected in the index within seconds; Ctrl-C stops it
//! with everything committed.

use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::util::{newswire, search};

struct Watcher(Child);

impl Drop for Watcher {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn story(headline: &str, body: &str) -> String {
    format!("{headline}\n\nPERTH, March 3 (AFP) - {body}\n")
}

/// Waits until `newswire search QUERY` finds `n` articles.
fn until_found(dir: &Path, query: &str, n: u64) {
    let started = Instant::now();
    loop {
        // Until the first commit there is no index to search.
        let out = newswire(dir)
            .args(["search", query, "-n", "0", "--json"])
            .output()
            .expect("runs");
        let found = String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .and_then(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .and_then(|v| v["total_hits"].as_u64());
        if found == Some(n) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{query:?} never found {n} times"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn a_watched_folder_stays_in_step_with_the_index() {
    let dir = tempfile::tempdir().expect("temp dir");
    let spool = dir.path().join("spool");
    std::fs::create_dir(&spool).expect("spool");
    std::fs::write(
        spool.join("first.txt"),
        story(
            "Quokka census",
            "A census of quokkas found more of them than expected.",
        ),
    )
    .expect("write");
    let bin = assert_cmd::cargo::cargo_bin("newswire");
    let child = Command::new(&bin)
        .arg("--index")
        .arg(dir.path().join("index"))
        .args([
            "index",
            "--watch",
            "--settle",
            "0.5",
            "--no-entities",
            "--json",
        ])
        .arg(&spool)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("watch starts");
    let mut watcher = Watcher(child);
    until_found(dir.path(), "quokka", 1);

    // A file appears.
    std::fs::write(
        spool.join("second.txt"),
        story("Wombat crossing", "Wombats crossed the road at dawn."),
    )
    .expect("write");
    until_found(dir.path(), "wombat", 1);

    // A file changes: its new text replaces the old.
    std::fs::write(
        spool.join("second.txt"),
        story("Echidna crossing", "Echidnas crossed the road at dusk."),
    )
    .expect("write");
    until_found(dir.path(), "echidna", 1);
    until_found(dir.path(), "wombat", 0);

    // A file arrives half-written: its first half, a pause shorter than the settle
    // time, then the rest. Only the whole file is ever read.
    let mut f = std::fs::File::create(spool.join("third.txt")).expect("create");
    f.write_all(b"Platypus sighting\n\nPERTH, March 4 (AFP) - A platypus was seen ")
        .expect("write");
    f.flush().expect("flush");
    std::thread::sleep(Duration::from_millis(200));
    f.write_all(b"swimming in the river near the bridge.\n")
        .expect("write");
    drop(f);
    until_found(dir.path(), "platypus", 1);
    let whole = search(dir.path(), &["platypus", "-n", "1"]);
    assert!(
        whole.hits[0].snippet.contains("bridge"),
        "the whole file was read: {:?}",
        whole.hits[0].snippet
    );

    // A file vanishes: its article goes.
    std::fs::remove_file(spool.join("first.txt")).expect("remove");
    until_found(dir.path(), "quokka", 0);

    // Ctrl-C: the watcher commits and exits.
    let pid = watcher.0.id().to_string();
    let status = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(status.success());
    let started = Instant::now();
    let exit = loop {
        if let Some(s) = watcher.0.try_wait().expect("wait") {
            break s;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "Ctrl-C stops the watcher"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(exit.code(), Some(0));
    let mut out = String::new();
    std::io::Read::read_to_string(watcher.0.stdout.as_mut().expect("stdout"), &mut out)
        .expect("read");
    let runs: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON summary"))
        .collect();
    assert!(
        runs.len() >= 5,
        "one summary per run that changed something: {out}"
    );
    // The half-written file was read once, whole: no run saw it change afterwards.
    let changed: u64 = runs
        .iter()
        .map(|r| r["files_changed"].as_u64().unwrap_or(0))
        .sum();
    assert_eq!(changed, 1, "only second.txt changed: {out}");
    newswire(dir.path())
        .args(["search", "echidna", "--json"])
        .assert()
        .success();
}
