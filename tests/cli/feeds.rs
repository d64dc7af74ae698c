//! News feeds (RSS 2.0, RSS 1.0, Atom): indexed one article per item, searched, read
//! again when the feed file changes, and damaged feeds reported by file and item.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::util::{newswire, search};

#[derive(Debug, Deserialize)]
struct Problem {
    path: String,
    at: Option<String>,
    reason: String,
}

#[derive(Debug, Deserialize)]
struct IndexSummary {
    articles: u64,
    files_skipped: u64,
    articles_skipped: u64,
    index_articles: u64,
    skipped: Vec<Problem>,
    #[serde(default)]
    warnings: Vec<Problem>,
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats")
        .join(name)
}

fn index(dir: &Path, input: &Path) -> IndexSummary {
    let out = newswire(dir)
        .args(["index", "--json", "--no-entities"])
        .arg(input)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("summary JSON")
}

/// A temp dir with `input/` holding the named fixtures.
fn input_with(names: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("input");
    fs::create_dir(&input).expect("mkdir");
    for name in names {
        fs::copy(fixture(name), input.join(name)).expect("copy fixture");
    }
    (dir, input)
}

#[test]
fn feeds_are_indexed_one_article_per_item_and_searched() {
    let (dir, input) = input_with(&[
        "rss2.xml",
        "rdf.rdf",
        "atom.xml",
        "feed-damaged.xml",
        "feed-empty.xml",
    ]);
    let s = index(dir.path(), &input);
    // 3 + 2 + 2 items, and 2 of the 3 in the damaged feed.
    assert_eq!(s.articles, 9, "{s:?}");
    assert_eq!(s.index_articles, 9);
    // The empty channel is a file with nothing in it; the cut item is one article lost.
    assert_eq!((s.files_skipped, s.articles_skipped), (1, 1), "{s:?}");
    let problems: Vec<String> = s
        .skipped
        .iter()
        .chain(&s.warnings)
        .map(|p| format!("{} {} {}", p.path, p.at.as_deref().unwrap_or(""), p.reason))
        .collect();
    assert!(
        problems.iter().any(|p| p.contains("feed-empty.xml")
            && p.contains("\"Quiet Valley Notices\" holds no items")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("feed-damaged.xml")
            && p.contains("item 3 (line 22)")
            && p.contains("truncated")),
        "{problems:?}"
    );
    assert_eq!(s.warnings.len(), 1, "{problems:?}");
    assert!(
        s.warnings[0].path.ends_with("feed-damaged.xml")
            && s.warnings[0]
                .at
                .as_deref()
                .unwrap_or("")
                .ends_with("item 2 (line 14)")
            && s.warnings[0].reason.contains("not understood"),
        "{problems:?}"
    );

    let glacier = search(dir.path(), &["glacier melt", "--facet", "topic"]);
    assert_eq!(glacier.total(), 1);
    let hit = &glacier.hits[0];
    assert_eq!(hit.id, "tag:sciencedesk.example,2030:glacier-survey");
    assert_eq!(
        hit.headline.as_deref(),
        Some("Glacier survey finds faster melt")
    );
    assert_eq!(hit.published.as_deref(), Some("2030-06-11"));
    assert_eq!(hit.source.as_deref(), Some("Northern Science Desk"));
    let topics: Vec<&str> = glacier
        .facet("topic")
        .counts
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert!(topics.contains(&"climate"), "{topics:?}");

    // HTML in the items is text now: no markup or entities to find.
    assert_eq!(search(dir.path(), &["nbsp"]).total(), 0);
    assert_eq!(search(dir.path(), &["trackRead"]).total(), 0);
    let ferry = search(
        dir.path(),
        &["ferry", "--source", "Harbour Gazette – Business"],
    );
    assert_eq!(ferry.total(), 1);
    assert_eq!(
        ferry.hits[0]
            .dateline
            .as_ref()
            .and_then(|d| d.place.as_deref()),
        Some("Lisbon")
    );
    // The damaged feed's readable items are in, the one cut short is not.
    assert_eq!(search(dir.path(), &["kayakers"]).total(), 1);
    assert_eq!(search(dir.path(), &["timetable"]).total(), 0);
}

#[test]
fn an_updated_copy_of_a_feed_replaces_changed_items_and_adds_new_ones() {
    let (dir, input) = input_with(&["rss2.xml"]);
    let feed = input.join("rss2.xml");
    assert_eq!(index(dir.path(), &input).index_articles, 3);
    assert_eq!(search(dir.path(), &["freeze"]).total(), 1);

    // The next fetch of the feed: the tariff story rewritten, one new story on top.
    let old = fs::read_to_string(&feed).expect("read");
    let new_item = "<item>\n      <title>Shipyard hires 200 welders</title>\n      \
        <guid isPermaLink=\"false\">48230</guid>\n      \
        <pubDate>Tue, 05 Mar 2030 07:30:00 GMT</pubDate>\n      \
        <description>The shipyard will hire 200 welders for the hybrid ferry order.</description>\n    </item>\n    <item>";
    let updated = old.replacen("<item>", new_item, 1).replace(
        "Container lines had asked for a freeze.",
        "Container lines called the rise a blow to the harbour&apos;s moratorium talks.",
    );
    assert_ne!(updated, old);
    fs::write(&feed, updated).expect("write");

    let s = index(dir.path(), &input);
    assert_eq!(
        s.articles, 4,
        "every item of the changed file is read: {s:?}"
    );
    assert_eq!(s.index_articles, 4, "{s:?}");
    assert_eq!(search(dir.path(), &["freeze"]).total(), 0);
    let tariffs = search(dir.path(), &["moratorium"]);
    assert_eq!(tariffs.total(), 1);
    assert_eq!(
        tariffs.hits[0].id,
        "https://harbourgazette.example/?p=48190"
    );
    assert_eq!(search(dir.path(), &["welders"]).total(), 1);
    assert_eq!(search(dir.path(), &["tariffs"]).total(), 1);

    // Another copy of the same feed next to it: each item is still stored once.
    fs::copy(&feed, input.join("rss2-copy.xml")).expect("copy");
    let s = index(dir.path(), &input);
    assert_eq!(s.index_articles, 4, "{s:?}");
    assert_eq!(search(dir.path(), &["moratorium"]).total(), 1);
}

#[test]
fn parse_reports_damage_by_file_and_item() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = newswire(dir.path())
        .args(["parse", "--no-entities", "--json"])
        .arg(fixture("feed-damaged.xml"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let formats: Vec<String> = stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("JSON line");
            v["format"].as_str().unwrap_or("").to_string()
        })
        .collect();
    assert_eq!(formats, vec!["feed", "feed"]);
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].starts_with("newswire: warning: ")
            && lines[0].contains("feed-damaged.xml: item 2 (line 14): date"),
        "{stderr}"
    );
    assert!(
        lines[1].starts_with("newswire: skipped ")
            && lines[1].contains("feed-damaged.xml: item 3 (line 22): the file ends at line 28"),
        "{stderr}"
    );
    // The file is named once.
    assert_eq!(lines[1].matches("feed-damaged.xml").count(), 1, "{stderr}");
}
