//! Saved searches and alerts: each new matching article is reported once, across
//! failed deliveries, a killed watcher and a restart.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::util::newswire;

fn story(dir: &Path, name: &str, headline: &str, body: &str) {
    std::fs::write(
        dir.join(name),
        format!("{headline}\n\nPERTH, March 3 (AFP) - {body}\n"),
    )
    .expect("write");
}

fn index(dir: &Path) {
    newswire(dir)
        .args(["index", "--quiet", "--no-entities", "spool"])
        .assert()
        .success();
}

fn lines(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let spool = dir.path().join("spool");
    std::fs::create_dir(&spool).expect("spool");
    story(
        &spool,
        "old.txt",
        "Quokka census",
        "An old story about quokkas.",
    );
    index(dir.path());
    newswire(dir.path())
        .args(["alert", "add", "quokkas", "quokka"])
        .assert()
        .success();
    dir
}

#[test]
fn an_alert_reports_each_new_match_once() {
    let dir = setup();
    let spool = dir.path().join("spool");
    // Nothing new yet: the article indexed before the alert does not count.
    newswire(dir.path())
        .args(["alert", "check"])
        .assert()
        .code(1);
    story(
        &spool,
        "new.txt",
        "Quokkas counted again",
        "Quokkas were counted again.",
    );
    story(&spool, "other.txt", "Wombat news", "Wombats only.");
    index(dir.path());
    let out = newswire(dir.path())
        .args(["alert", "check", "--json"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let matches: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON"))
        .collect();
    assert_eq!(matches.len(), 1, "{text}");
    assert_eq!(matches[0]["type"], "alert");
    assert_eq!(matches[0]["alert"], "quokkas");
    assert_eq!(matches[0]["headline"], "Quokkas counted again");
    // Never again.
    newswire(dir.path())
        .args(["alert", "check"])
        .assert()
        .code(1);
    // Not even when its file is touched or re-indexed.
    story(
        &spool,
        "new.txt",
        "Quokkas counted again",
        "Quokkas were counted again, and again.",
    );
    index(dir.path());
    newswire(dir.path())
        .args(["alert", "check"])
        .assert()
        .code(1);

    newswire(dir.path())
        .args(["alert", "list", "--json"])
        .assert()
        .success()
        .stdout(predicates::str::contains("\"recent\":[\"spool/new\"]"));
    newswire(dir.path())
        .args(["alert", "remove", "quokkas"])
        .assert()
        .success();
    newswire(dir.path())
        .args(["alert", "check", "quokkas"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no alert named"));
    newswire(dir.path())
        .args(["alert", "add", "bad name", "x"])
        .assert()
        .code(2);
}

#[test]
fn a_failed_or_interrupted_delivery_is_delivered_later_exactly_once() {
    let dir = setup();
    let spool = dir.path().join("spool");
    let file = dir.path().join("alerts.jsonl");
    story(
        &spool,
        "new.txt",
        "Quokkas counted again",
        "Quokkas were counted again.",
    );
    index(dir.path());
    // The command appends the delivery, then fails: as if killed before the check
    // could record that it delivered.
    let cmd = format!("cat >> '{}'; exit 1", file.display());
    newswire(dir.path())
        .args(["alert", "check", "--exec", &cmd])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("stay pending"));
    assert_eq!(lines(&file).len(), 1);
    // The next check delivers the pending match to the file, which holds it already.
    newswire(dir.path())
        .args(["alert", "check", "--to"])
        .arg(&file)
        .assert()
        .success();
    assert_eq!(lines(&file).len(), 1, "the file keeps one copy");
    newswire(dir.path())
        .args(["alert", "check", "--to"])
        .arg(&file)
        .assert()
        .code(1);
    assert_eq!(lines(&file).len(), 1);
}

#[test]
fn a_watcher_fires_an_alert_once_across_a_kill_and_a_restart() {
    let dir = setup();
    let spool = dir.path().join("spool");
    let file = dir.path().join("alerts.jsonl");
    let start = || {
        Command::new(assert_cmd::cargo::cargo_bin("newswire"))
            .arg("--index")
            .arg(dir.path().join("index"))
            .args([
                "index",
                "--watch",
                "--settle",
                "0.3",
                "--no-entities",
                "--quiet",
            ])
            .arg("--alerts-to")
            .arg(&file)
            .arg(&spool)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("watch starts")
    };
    let until = |n: usize| {
        let started = Instant::now();
        while lines(&file).len() < n {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "no alert in the file"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    };
    let mut watcher = start();
    std::thread::sleep(Duration::from_millis(500));
    story(
        &spool,
        "first.txt",
        "Quokka ferry",
        "A ferry full of quokkas.",
    );
    until(1);
    // Killed without warning, then started again.
    watcher.kill().expect("kill");
    watcher.wait().expect("wait");
    story(
        &spool,
        "second.txt",
        "Quokka bridge",
        "A bridge for quokkas.",
    );
    let mut watcher = start();
    until(2);
    std::thread::sleep(Duration::from_millis(1500));
    watcher.kill().expect("kill");
    watcher.wait().expect("wait");
    let got = lines(&file);
    let heads: Vec<&str> = got.iter().filter_map(|l| l["headline"].as_str()).collect();
    assert_eq!(
        heads,
        ["Quokka ferry", "Quokka bridge"],
        "each once, in order"
    );
}
