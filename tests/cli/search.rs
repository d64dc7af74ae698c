//! Search features on fixtures written for the project (tests/fixtures/search):
//! query syntax, ranking, snippets, facets against a brute-force count, multi-select,
//! timeline, near-duplicates, similar articles, did-you-mean.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::util::{corpus, newswire, search};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/search")
}

/// The shipped corpus plus the search fixtures, indexed.
fn indexed() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp");
    newswire(dir.path())
        .args(["index", "--quiet"])
        .arg(corpus())
        .arg(fixtures())
        .assert()
        .success();
    dir
}

fn ids(s: &super::util::Search) -> Vec<String> {
    s.hits.iter().map(|h| h.id.clone()).collect()
}

#[test]
fn the_exact_phrase_ranks_above_scattered_words() {
    let dir = indexed();
    let s = search(dir.path(), &["foreign forces", "--limit", "50"]);
    let pos = |needle: &str| ids(&s).iter().position(|i| i.contains(needle));
    let exact = pos("parliament-debate").expect("phrase article found");
    let scattered = pos("border-talks").expect("scattered-words article found");
    assert!(exact < scattered, "{:?}", ids(&s));
}

#[test]
fn phrases_proximity_booleans_and_fields() {
    let dir = indexed();
    let phrase = search(dir.path(), &["\"nine-day strike\""]);
    assert!(phrase.total() >= 1);
    assert_eq!(search(dir.path(), &["\"strike nine-day\""]).total(), 0);
    assert!(search(dir.path(), &["\"talks border\"~3"]).total() >= 1);
    let both = search(dir.path(), &["+grain +strike"]);
    let not = search(dir.path(), &["strike -grain"]);
    // Every "strike" story here also mentions grain.
    assert_eq!(both.total(), search(dir.path(), &["strike"]).total());
    assert_eq!(not.total(), 0);
    assert!(search(dir.path(), &["+timber +wheat"]).total() == 0);
    assert!(search(dir.path(), &["(grain OR timber) AND NOT wheat"]).total() >= 1);
    let headline = search(dir.path(), &["headline:grain"]);
    assert_eq!(headline.total(), 1, "only one headline says grain");
    assert!(search(dir.path(), &["dateline:\"port ellis\""]).total() >= 1);
}

#[test]
fn prefix_and_typo_tolerance() {
    let dir = indexed();
    let prefix = search(dir.path(), &["withdr*"]);
    assert!(prefix.total() >= 3);
    for h in &prefix.hits {
        for [a, b] in &h.highlights {
            assert!(h.snippet[*a..*b].to_lowercase().starts_with("withdr"));
        }
    }
    assert!(prefix.hits.iter().any(|h| !h.highlights.is_empty()));
    let typo = search(dir.path(), &["harbuor~1"]);
    assert!(typo.hits.iter().any(|h| !h.highlights.is_empty()));
    assert_eq!(search(dir.path(), &["harbuor"]).total(), 0);
    assert!(search(dir.path(), &["harbuor~1"]).total() >= 1);
    assert!(search(dir.path(), &["harbuor", "--fuzzy"]).total() >= 1);
}

#[test]
fn did_you_mean_comes_from_the_index() {
    let dir = indexed();
    let out = newswire(dir.path())
        .args(["search", "timbr strke", "--json"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    let last: serde_json::Value =
        serde_json::from_str(text.lines().last().expect("summary")).expect("JSON");
    assert_eq!(last["did_you_mean"], "timber strike", "{last}");
}

#[test]
fn near_duplicates_collapse_onto_one_hit_unless_shown() {
    let dir = indexed();
    let collapsed = search(dir.path(), &["dock workers strike"]);
    let dock: Vec<_> = collapsed
        .hits
        .iter()
        .filter(|h| {
            h.headline
                .as_deref()
                .unwrap_or("")
                .starts_with("Dock workers")
        })
        .collect();
    assert_eq!(dock.len(), 1, "{:?}", ids(&collapsed));
    assert_eq!(dock[0].duplicates.len(), 1);
    let shown = search(dir.path(), &["dock workers strike", "--duplicates", "show"]);
    let n = shown
        .hits
        .iter()
        .filter(|h| {
            h.headline
                .as_deref()
                .unwrap_or("")
                .starts_with("Dock workers")
        })
        .count();
    assert_eq!(n, 2);
}

#[test]
fn similar_lists_related_stories_not_copies() {
    let dir = indexed();
    let out = newswire(dir.path())
        .args(["similar", "search/2022-03-03-port-strike", "--json"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let first: serde_json::Value =
        serde_json::from_str(text.lines().next().expect("a hit")).expect("JSON");
    assert_eq!(first["id"], "search/2022-03-05-grain-prices", "{text}");
    assert!(
        !text.contains("port-strike-reprint"),
        "copies are not 'similar'"
    );
}

#[test]
fn snippets_highlight_every_query_term_on_boundaries() {
    let dir = indexed();
    let s = search(dir.path(), &["harbour backlog"]);
    for h in &s.hits {
        for [a, b] in &h.highlights {
            assert!(h.snippet.is_char_boundary(*a) && h.snippet.is_char_boundary(*b));
            let w = h.snippet[*a..*b].to_lowercase();
            assert!(w.starts_with("harbour") || w.starts_with("backlog"), "{w}");
        }
    }
    assert!(s.hits.iter().any(|h| h.highlights.len() >= 2));
}

#[derive(Debug, Deserialize)]
struct Parsed {
    id: String,
    headline: Option<String>,
    body: String,
    position: Option<u64>,
    source: Option<String>,
    published: Option<String>,
    dateline: Option<super::util::Dateline>,
    org: Vec<String>,
    person: Vec<String>,
    place: Vec<String>,
    #[serde(default)]
    topic: Vec<String>,
    category: Option<String>,
}

impl Parsed {
    /// What makes two whole-file articles the same story (multi-article files are
    /// told apart by their ids).
    fn content_key(&self) -> Option<String> {
        if self.position.is_some() || self.body.trim().is_empty() {
            return None;
        }
        Some(format!(
            "{:?}\0{}\0{:?}\0{:?}",
            self.headline, self.body, self.published, self.source
        ))
    }
}

/// Every facet's counts equal a brute-force count over `newswire parse` output.
#[test]
fn facet_counts_match_a_brute_force_count() {
    check_facets_against_parse(&[corpus(), fixtures()]);
}

/// The same check on the real corpora, when they are present:
/// `cargo test --release -- --ignored facet_counts_on_the_corpora`.
#[test]
#[ignore = "needs ../shared/corpora; takes a minute in release mode"]
fn facet_counts_on_the_corpora() {
    let corpora = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora");
    if !corpora.exists() {
        eprintln!("skipped: {} is not present", corpora.display());
        return;
    }
    check_facets_against_parse(&[corpora]);
}

fn check_facets_against_parse(inputs: &[PathBuf]) {
    let dir = tempfile::tempdir().expect("temp");
    newswire(dir.path())
        .args(["index", "--quiet"])
        .args(inputs)
        .assert()
        .success();
    let out = newswire(dir.path())
        .args(["parse", "--json"])
        .args(inputs)
        .output()
        .expect("runs");
    let mut articles: Vec<Parsed> = Vec::new();
    let mut seen_ids = std::collections::HashSet::new();
    let mut seen_content = std::collections::HashSet::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let a: Parsed = serde_json::from_str(line).expect("article JSON");
        // The index stores an article once per id and once per identical content.
        let new_content = a.content_key().is_none_or(|k| seen_content.insert(k));
        if seen_ids.insert(a.id.clone()) && new_content {
            articles.push(a);
        }
    }
    let mut expected: HashMap<&str, HashMap<String, u64>> = HashMap::new();
    let mut add = |facet: &'static str, values: Vec<String>| {
        // Each value once per article, whatever its case (first spelling kept).
        let mut seen = std::collections::HashSet::new();
        for v in values {
            if seen.insert(v.to_lowercase()) {
                *expected.entry(facet).or_default().entry(v).or_insert(0) += 1;
            }
        }
    };
    for a in &articles {
        add("org", a.org.clone());
        add("person", a.person.clone());
        add("place", a.place.clone());
        add("topic", a.topic.clone());
        add("source", a.source.iter().cloned().collect());
        add("category", a.category.iter().cloned().collect());
        add(
            "dateline",
            a.dateline
                .as_ref()
                .and_then(|d| d.place.clone())
                .into_iter()
                .collect(),
        );
        if let Some(d) = &a.published {
            add("year", vec![d[..4].to_string()]);
            add("month", vec![d[..7].to_string()]);
            add("day", vec![d.clone()]);
        }
    }
    let facets = [
        "org", "person", "place", "topic", "source", "category", "dateline", "year", "month", "day",
    ];
    let mut args = vec!["", "--limit", "0", "--facet-size", "100000"];
    for f in facets {
        args.push("--facet");
        args.push(f);
    }
    let s = search(dir.path(), &args);
    assert_eq!(s.total(), articles.len() as u64);
    for f in facets {
        let got: HashMap<String, u64> = s
            .facet(f)
            .counts
            .iter()
            .map(|c| (c.value.clone(), c.count))
            .collect();
        let want = expected.remove(f).unwrap_or_default();
        let mut diff: Vec<String> = want
            .iter()
            .filter(|(v, n)| got.get(*v) != Some(n))
            .map(|(v, n)| format!("{v:?}: index {:?}, parsed {n}", got.get(v)))
            .chain(
                got.iter()
                    .filter(|(v, _)| !want.contains_key(*v))
                    .map(|(v, n)| format!("{v:?}: index {n}, parsed none")),
            )
            .collect();
        diff.sort();
        diff.truncate(20);
        assert!(diff.is_empty(), "facet {f} differs: {diff:#?}");
    }
}

#[test]
fn multi_select_ors_one_field_ands_fields_and_keeps_other_values() {
    let dir = indexed();
    let one = search(dir.path(), &["", "--source", "AFP"]).total();
    let two = search(dir.path(), &["", "--source", "AFP", "--source", "Xinhua"]).total();
    assert_eq!(two, one + 1, "values of one field are OR-ed");
    let and = search(
        dir.path(),
        &[
            "", "--source", "AFP", "--source", "Xinhua", "--place", "Iraq",
        ],
    );
    assert!(and.total() < two, "different fields are AND-ed");
    let s = search(dir.path(), &["", "--source", "AFP", "--facet", "source"]);
    let values: Vec<&str> = s
        .facet("source")
        .counts
        .iter()
        .map(|c| c.value.as_str())
        .collect();
    assert!(
        values.contains(&"Xinhua"),
        "other sources still offered: {values:?}"
    );
}

#[derive(Debug, Deserialize)]
struct Bucket {
    label: String,
    count: u64,
}

#[test]
fn timeline_counts_per_period_with_gaps_filled() {
    let dir = indexed();
    let out = newswire(dir.path())
        .args(["timeline", "strike OR grain", "--by", "day", "--json"])
        .output()
        .expect("runs");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    let mut buckets = Vec::new();
    let mut summary = None;
    for line in text.lines() {
        let v: serde_json::Value = serde_json::from_str(line).expect("JSON");
        match v["type"].as_str() {
            Some("bucket") => buckets.push(serde_json::from_value::<Bucket>(v).expect("bucket")),
            Some("summary") => summary = Some(v),
            other => panic!("unexpected line type {other:?}"),
        }
    }
    let labels: Vec<&str> = buckets.iter().map(|b| b.label.as_str()).collect();
    assert_eq!(labels, ["2022-03-03", "2022-03-04", "2022-03-05"]);
    assert_eq!(buckets.iter().map(|b| b.count).sum::<u64>(), 3);
    assert_eq!(summary.expect("summary")["peak"], "2022-03-03");
    let chart = newswire(dir.path())
        .args(["timeline", "", "--by", "year"])
        .output()
        .expect("runs");
    let chart = String::from_utf8_lossy(&chart.stdout);
    assert!(chart.contains("2021") && chart.contains("peak"), "{chart}");
}

#[test]
fn recent_prefers_newer_articles() {
    let dir = indexed();
    // The 1989 story has "troops" in its headline and wins on relevance alone.
    let plain = search(dir.path(), &["troops"]);
    let recent = search(dir.path(), &["troops", "--recent"]);
    assert_eq!(plain.total(), recent.total());
    assert_eq!(plain.hits[0].published.as_deref(), Some("1989-12-04"));
    assert_eq!(
        recent.hits.last().and_then(|h| h.published.as_deref()),
        Some("1989-12-04")
    );
}
