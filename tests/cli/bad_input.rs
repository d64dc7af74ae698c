//! Bad input and bad requests: clear messages, no panics, nothing good lost.

use predicates::prelude::*;
use serde::Deserialize;

use super::util::{corpus, indexed_corpus, newswire, search};

#[derive(Debug, Deserialize)]
struct Skip {
    path: String,
    reason: String,
}

#[derive(Debug, Deserialize)]
struct IndexSummary {
    articles: u64,
    files_skipped: u64,
    skipped: Vec<Skip>,
}

#[test]
fn broken_files_are_reported_and_the_rest_indexed() {
    let dir = tempfile::tempdir().expect("temp");
    let input = dir.path().join("input");
    std::fs::create_dir(&input).expect("mkdir");
    std::fs::write(input.join("empty.txt"), "").expect("write");
    std::fs::write(
        input.join("blob.bin"),
        [0u8, 159, 146, 150, 0, 0, 7, 255, 0, 1],
    )
    .expect("write");
    // Latin-1 bytes (invalid UTF-8) in an otherwise fine plain article.
    let mut latin1 = b"Prices rise at the caf\xe9\n\nLONDON, March 2 - Coffee prices rose by 5 percent, \xa3 figures showed.\n".to_vec();
    latin1.extend_from_slice(b"Traders said demand was strong.\n");
    std::fs::write(input.join("latin1.txt"), latin1).expect("write");
    std::fs::copy(
        corpus().join("000_8db9994a1fd0b2b3.txt"),
        input.join("good.txt"),
    )
    .expect("copy");

    let out = newswire(dir.path())
        .args(["index", "--json"])
        .arg(&input)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let s: IndexSummary = serde_json::from_slice(&out.stdout).expect("summary JSON");
    assert_eq!(s.articles, 2, "the good and the Latin-1 article: {s:?}");
    assert_eq!(s.files_skipped, 2);
    let reasons: Vec<String> = s
        .skipped
        .iter()
        .map(|k| format!("{} {}", k.path, k.reason))
        .collect();
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("empty.txt") && r.contains("empty")),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|r| r.contains("blob.bin") && r.contains("binary")),
        "{reasons:?}"
    );
    let cafe = search(dir.path(), &["coffee"]);
    assert_eq!(cafe.total(), 1);
    assert!(cafe.hits[0]
        .headline
        .as_deref()
        .unwrap_or("")
        .contains("café"));
}

#[test]
fn nothing_indexable_exits_1() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::write(dir.path().join("empty.txt"), "").expect("write");
    newswire(dir.path())
        .args(["index", "--quiet"])
        .arg(dir.path().join("empty.txt"))
        .assert()
        .code(1);
}

#[test]
fn a_mistyped_path_on_an_existing_index_exits_1() {
    let dir = super::util::indexed_corpus();
    newswire(dir.path())
        .args(["index"])
        .arg(dir.path().join("corpsu"))
        .assert()
        .code(1)
        .stdout(predicate::str::contains("no readable file"))
        .stderr(predicate::str::contains("corpsu"));
}

#[test]
fn missing_input_is_named() {
    let dir = tempfile::tempdir().expect("temp");
    newswire(dir.path())
        .args(["index"])
        .arg(dir.path().join("nope"))
        .assert()
        .code(1)
        .stderr(predicate::str::contains("nope").and(predicate::str::contains("no such file")));
}

#[test]
fn unknown_flag_and_bad_values_exit_2() {
    let dir = indexed_corpus();
    newswire(dir.path())
        .args(["search", "iraq", "--colour"])
        .assert()
        .code(2);
    newswire(dir.path())
        .args(["search", "iraq", "--facet", "flavour"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown facet \"flavour\""));
    newswire(dir.path())
        .args(["search", "iraq", "--from", "last tuesday"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("YYYY-MM-DD"));
    newswire(dir.path())
        .args(["index", "--format", "klingon", "x"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("unknown format"));
}

#[test]
fn malformed_query_is_explained_and_lenient_runs_the_rest() {
    let dir = indexed_corpus();
    newswire(dir.path())
        .args(["search", "colour:red"])
        .assert()
        .code(2)
        .stderr(
            predicate::str::contains("colour")
                .and(predicate::str::contains("fields you can search")),
        );
    newswire(dir.path())
        .args(["search", "published:[2021-01-01 TO"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("cannot understand the query"));
    let s = search(dir.path(), &["iraq colour:red", "--lenient"]);
    assert!(s.total() >= 1);
}

#[test]
fn date_range_in_the_query() {
    let dir = indexed_corpus();
    let s = search(
        dir.path(),
        &["published:[2021-12-01 TO 2021-12-31]", "--limit", "50"],
    );
    assert!(s.total() >= 3);
    assert!(s.hits.iter().all(|h| h
        .published
        .as_deref()
        .is_some_and(|d| d.starts_with("2021-12"))));
}

#[test]
fn search_without_an_index_says_how_to_build_one() {
    let dir = tempfile::tempdir().expect("temp");
    newswire(dir.path())
        .args(["search", "iraq"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("newswire index"));
}

#[test]
fn an_index_from_another_schema_asks_for_a_rebuild() {
    let dir = indexed_corpus();
    let meta = dir.path().join("index").join("newswire.json");
    let text = std::fs::read_to_string(&meta).expect("meta");
    let mut v: serde_json::Value = serde_json::from_str(&text).expect("json");
    v["schema_fingerprint"] = "0000000000000000".into();
    v["schema_version"] = 0.into();
    std::fs::write(&meta, v.to_string()).expect("write");
    newswire(dir.path())
        .args(["search", "iraq"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--rebuild"));
    newswire(dir.path())
        .args(["index", "--rebuild", "--quiet"])
        .arg(corpus())
        .assert()
        .success();
    assert!(search(dir.path(), &["iraq"]).total() >= 1);
}

#[test]
fn refuses_to_overwrite_a_folder_that_is_not_an_index() {
    let dir = tempfile::tempdir().expect("temp");
    std::fs::create_dir(dir.path().join("index")).expect("mkdir");
    std::fs::write(dir.path().join("index").join("notes.txt"), "mine").expect("write");
    newswire(dir.path())
        .args(["index", "--rebuild"])
        .arg(corpus().join("wire"))
        .assert()
        .code(2)
        .stderr(predicate::str::contains("not a newswire index"));
    assert!(dir.path().join("index").join("notes.txt").exists());
}
