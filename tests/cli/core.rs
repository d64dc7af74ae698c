//! The end-to-end path on the shipped corpus: index, search, facets, filters,
//! parse, stats, show.

use serde::Deserialize;

use super::util::{corpus, indexed_corpus, newswire, search};

#[test]
fn ranked_search_puts_the_sample_article_first_with_highlights() {
    let dir = indexed_corpus();
    let s = search(dir.path(), &["foreign forces withdrawal"]);
    assert!(s.total() >= 3, "several articles mention foreign forces");
    let top = &s.hits[0];
    assert_eq!(
        top.headline.as_deref(),
        Some("Iraq confirms commitment to withdrawing foreign forces")
    );
    assert_eq!(top.published.as_deref(), Some("2021-12-02"));
    assert_eq!(top.source.as_deref(), Some("Xinhua"));
    let dl = top.dateline.as_ref().expect("dateline");
    assert_eq!(dl.place.as_deref(), Some("Baghdad"));
    assert_eq!(dl.date.as_deref(), Some("2021-12-01"));
    assert!(top.path.ends_with("000_8db9994a1fd0b2b3.txt"));
    assert!(top.org.iter().any(|o| o == "NATO"), "{:?}", top.org);
    assert!(
        top.person.iter().any(|p| p == "Qasim al-Araji"),
        "{:?}",
        top.person
    );
    assert!(top.place.iter().any(|p| p == "Baghdad"), "{:?}", top.place);
    assert!(!top.highlights.is_empty());
    for [a, b] in &top.highlights {
        let word = &top.snippet[*a..*b];
        assert!(
            ["foreign", "forces", "withdraw", "withdrawal"]
                .iter()
                .any(|w| word.to_lowercase().starts_with(w)),
            "highlighted {word:?}"
        );
    }
    // Scores are in decreasing order.
    let scores: Vec<f32> = s.hits.iter().map(|h| h.score.expect("scored")).collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]));
}

#[test]
fn headline_matches_outrank_body_matches() {
    let dir = indexed_corpus();
    // "harbour" is in one headline and in that article's body; "airport" only in
    // a headline and body of the Kabul story: both must come first for their word.
    let s = search(dir.path(), &["airport"]);
    assert!(s.hits[0]
        .headline
        .as_deref()
        .unwrap_or("")
        .contains("airport"));
}

#[test]
fn facets_count_all_matches_and_filters_narrow() {
    let dir = indexed_corpus();
    let all = search(
        dir.path(),
        &["", "--facet", "source", "--facet", "month", "--limit", "1"],
    );
    let total = all.total();
    assert!(total >= 10, "corpus has at least 10 articles, got {total}");
    assert_eq!(all.hits.len(), 1, "--limit 1 shows one hit");
    let sources: u64 = all.facet("source").counts.iter().map(|c| c.count).sum();
    assert!(sources <= total && sources >= total - 2);
    let months = &all.facet("month").counts;
    assert!(
        months.windows(2).all(|w| w[0].value < w[1].value),
        "months in time order"
    );
    let dec = months
        .iter()
        .find(|m| m.value == "2021-12")
        .expect("December 2021");

    // --from / --to narrow to that month exactly.
    let in_dec = search(
        dir.path(),
        &["", "--from", "2021-12-01", "--to", "2021-12-31"],
    );
    assert_eq!(in_dec.total(), dec.count);

    let xinhua = search(dir.path(), &["", "--source", "Xinhua"]);
    assert_eq!(xinhua.total(), 1);
    assert_eq!(xinhua.hits[0].source.as_deref(), Some("Xinhua"));
    // Filter values match any case.
    assert_eq!(search(dir.path(), &["", "--source", "xinhua"]).total(), 1);
}

#[test]
fn org_facet_on_the_sample_shows_nato_and_no_furniture() {
    let dir = indexed_corpus();
    let s = search(
        dir.path(),
        &[
            "foreign forces",
            "--facet",
            "org",
            "--facet",
            "month",
            "--org",
            "NATO",
            "--from",
            "2021-01-01",
        ],
    );
    assert!(s.total() >= 1);
    let orgs: Vec<&str> = s
        .facet("org")
        .counts
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert!(orgs.contains(&"NATO"), "orgs: {orgs:?}");
    for junk in [
        "Print E-mail",
        "Comment",
        "Bookmark",
        "China.org.cn",
        "Enditem",
    ] {
        assert!(!orgs.iter().any(|o| o.contains(junk)), "{junk} in {orgs:?}");
    }
    for hit in &s.hits {
        assert!(hit.org.iter().any(|o| o == "NATO"));
        assert!(hit.published.as_deref().unwrap_or("") >= "2021-01-01");
    }
}

#[test]
fn sort_by_date_orders_newest_first_with_minus_date() {
    let dir = indexed_corpus();
    let s = search(dir.path(), &["", "--sort=-date", "--limit", "50"]);
    let dates: Vec<String> = s.hits.iter().filter_map(|h| h.published.clone()).collect();
    assert!(dates.len() >= 5);
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "{dates:?}");
    let asc = search(dir.path(), &["", "--sort", "date", "--limit", "50"]);
    let d2: Vec<String> = asc
        .hits
        .iter()
        .filter_map(|h| h.published.clone())
        .collect();
    assert!(d2.windows(2).all(|w| w[0] <= w[1]), "{d2:?}");
}

#[test]
fn offset_pages_through_hits() {
    let dir = indexed_corpus();
    let first = search(dir.path(), &["", "--sort", "date", "--limit", "2"]);
    let second = search(
        dir.path(),
        &["", "--sort", "date", "--limit", "2", "--offset", "2"],
    );
    assert_eq!(first.hits.len(), 2);
    assert_eq!(second.hits.len(), 2);
    assert!(first
        .hits
        .iter()
        .all(|a| second.hits.iter().all(|b| a.id != b.id)));
}

#[test]
fn no_hits_exits_1() {
    let dir = indexed_corpus();
    newswire(dir.path())
        .args(["search", "zyzzyvaxq"])
        .assert()
        .code(1);
}

#[derive(Debug, Deserialize)]
struct Parsed {
    #[serde(rename = "type")]
    kind: String,
    format: String,
    headline: Option<String>,
    source: Option<String>,
    published: Option<String>,
    dateline: Option<super::util::Dateline>,
    body: String,
    org: Vec<String>,
}

#[test]
fn parse_shows_the_sample_fields_without_furniture() {
    let dir = tempfile::tempdir().expect("temp");
    let out = newswire(dir.path())
        .args(["parse", "--json"])
        .arg(corpus().join("000_8db9994a1fd0b2b3.txt"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<Parsed> = text
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(lines.len(), 1);
    let a = &lines[0];
    assert_eq!(a.kind, "article");
    assert_eq!(a.format, "page");
    assert_eq!(
        a.headline.as_deref(),
        Some("Iraq confirms commitment to withdrawing foreign forces")
    );
    assert_eq!(a.source.as_deref(), Some("Xinhua"));
    assert_eq!(a.published.as_deref(), Some("2021-12-02"));
    let dl = a.dateline.as_ref().expect("dateline");
    assert_eq!(dl.place.as_deref(), Some("Baghdad"));
    assert_eq!(dl.date.as_deref(), Some("2021-12-01"));
    assert_eq!(dl.agency.as_deref(), Some("Xinhua"));
    assert!(
        a.body.starts_with("The Iraqi government confirmed"),
        "{}",
        &a.body[..60]
    );
    assert!(
        a.body.ends_with("by Dec. 31."),
        "body ends: {:?}",
        &a.body[a.body.len() - 40..]
    );
    for junk in [
        "Enditem",
        "Comment(s)",
        "Print E-mail",
        "Adjust font size",
        "Bookmark",
        "Go to Forum",
        "Send your stories",
    ] {
        assert!(!a.body.contains(junk), "{junk} in body");
    }
    assert!(a.org.iter().any(|o| o == "NATO"), "orgs {:?}", a.org);
}

#[test]
fn parse_finds_the_story_in_a_site_saved_as_text() {
    let dir = tempfile::tempdir().expect("temp");
    let page = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/formats/page-scrape.txt");
    let out = newswire(dir.path())
        .args(["parse", "--json", "--no-entities"])
        .arg(page)
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("utf-8");
    let a: Parsed = serde_json::from_str(text.lines().next().expect("one line")).expect("JSON");
    assert_eq!(a.format, "page");
    assert_eq!(
        a.headline.as_deref(),
        Some("Glasshouse village harvests its first winter tomatoes")
    );
    assert!(
        a.body.starts_with("The glasshouses at Millbrook"),
        "{}",
        a.body
    );
    assert!(a.body.ends_with("before the summer fair."), "{}", a.body);
    for furniture in [
        "cookies",
        "Sign In",
        "Related stories",
        "All rights reserved",
    ] {
        assert!(!a.body.contains(furniture), "{furniture:?} left in body");
    }
}

#[test]
fn parse_reads_folders() {
    let dir = tempfile::tempdir().expect("temp");
    let out = newswire(dir.path())
        .args(["parse", "--json", "--no-entities"])
        .arg(corpus().join("wire"))
        .output()
        .expect("runs");
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
}

#[derive(Debug, Deserialize)]
struct StatsLine {
    #[serde(rename = "type")]
    kind: String,
    articles: u64,
    first_date: Option<String>,
    last_date: Option<String>,
    index_bytes: u64,
    schema_version: u32,
}

#[test]
fn stats_summarize_the_index() {
    let dir = indexed_corpus();
    let out = newswire(dir.path())
        .args(["stats", "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let s: StatsLine = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(s.kind, "stats");
    assert!(s.articles >= 10);
    assert!(s.first_date.as_deref() < s.last_date.as_deref());
    assert!(s.index_bytes > 0);
    assert_eq!(s.schema_version, 5);
}

#[test]
fn show_prints_a_whole_article() {
    let dir = indexed_corpus();
    let s = search(dir.path(), &["Anbar"]);
    let id = &s.hits[0].id;
    let out = newswire(dir.path())
        .args(["show", id])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Iraq confirms commitment"));
    assert!(text.contains("withdrawing all U.S. combat troops from Iraq by Dec. 31."));
    newswire(dir.path())
        .args(["show", "no-such-id"])
        .assert()
        .code(1);
}

#[test]
fn reindexing_the_same_folder_does_not_duplicate() {
    let dir = indexed_corpus();
    let before = search(dir.path(), &[""]).total();
    newswire(dir.path())
        .args(["index", "--quiet"])
        .arg(corpus())
        .assert()
        .success();
    assert_eq!(search(dir.path(), &[""]).total(), before);
}

#[test]
fn index_location_comes_from_the_environment() {
    let dir = tempfile::tempdir().expect("temp");
    let mut cmd = assert_cmd::Command::cargo_bin("newswire").expect("binary");
    cmd.env_clear()
        .env("NEWSWIRE_INDEX", dir.path().join("envindex"))
        .current_dir(dir.path())
        .args(["index", "--quiet"])
        .arg(corpus().join("wire"))
        .assert()
        .success();
    assert!(dir.path().join("envindex").join("newswire.json").exists());
}
