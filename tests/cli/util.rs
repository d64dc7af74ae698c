//! Helpers: a clean command per test, typed JSON output.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde::Deserialize;

/// The project's shipped sample corpus.
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus")
}

/// `newswire` with a cleared environment, run in `dir`, indexing into `dir/index`.
pub fn newswire(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("newswire").expect("binary is built");
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .arg("--index")
        .arg(dir.join("index"));
    cmd
}

/// A temp dir with `corpus/` indexed into `index/`.
pub fn indexed_corpus() -> tempfile::TempDir {
    indexed_corpus_with(&[])
}

/// A temp dir with `corpus/` indexed into `index/`, with `extra` index flags.
pub fn indexed_corpus_with(extra: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    newswire(dir.path())
        .arg("index")
        .arg("--quiet")
        .arg(corpus())
        .args(extra)
        .assert()
        .success();
    dir
}

#[derive(Debug, Deserialize, Clone)]
pub struct Dateline {
    pub place: Option<String>,
    pub date: Option<String>,
    pub agency: Option<String>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct Hit {
    pub id: String,
    pub score: Option<f32>,
    pub headline: Option<String>,
    pub published: Option<String>,
    pub source: Option<String>,
    pub dateline: Option<Dateline>,
    pub path: String,
    pub snippet: String,
    pub highlights: Vec<[usize; 2]>,
    pub org: Vec<String>,
    pub person: Vec<String>,
    pub place: Vec<String>,
    #[serde(default)]
    pub duplicates: Vec<String>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct FacetValue {
    pub value: String,
    pub count: u64,
}

#[derive(Debug, Deserialize, Clone)]
pub struct Facet {
    pub field: String,
    pub counts: Vec<FacetValue>,
}

#[derive(Debug, Deserialize, Clone)]
pub struct Summary {
    pub total_hits: u64,
    pub returned: usize,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Line {
    Hit(Box<Hit>),
    Facet(Facet),
    Summary(Summary),
}

/// Parsed `search --json` output.
#[derive(Debug, Default)]
pub struct Search {
    pub hits: Vec<Hit>,
    pub facets: Vec<Facet>,
    pub summary: Option<Summary>,
}

impl Search {
    pub fn facet(&self, name: &str) -> &Facet {
        self.facets
            .iter()
            .find(|f| f.field == name)
            .unwrap_or_else(|| panic!("no facet {name} in {:?}", self.facets))
    }
    pub fn total(&self) -> u64 {
        self.summary.as_ref().expect("summary line").total_hits
    }
}

/// Runs `search --json` with `args` and parses every line into typed structs.
pub fn search(dir: &Path, args: &[&str]) -> Search {
    let out = newswire(dir)
        .arg("search")
        .args(args)
        .arg("--json")
        .output()
        .expect("runs");
    let stdout = String::from_utf8(out.stdout).expect("UTF-8 output");
    assert!(
        out.status.code() == Some(0) || out.status.code() == Some(1),
        "search {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut s = Search::default();
    let lines: Vec<&str> = stdout.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        match serde_json::from_str::<Line>(line).unwrap_or_else(|e| panic!("{e}: {line}")) {
            Line::Hit(h) => s.hits.push(*h),
            Line::Facet(f) => s.facets.push(f),
            Line::Summary(x) => {
                assert_eq!(i, lines.len() - 1, "summary is the last line");
                assert_eq!(x.returned, s.hits.len(), "summary counts the hits shown");
                s.summary = Some(x)
            }
        }
    }
    s
}
