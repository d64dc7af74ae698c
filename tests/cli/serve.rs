//! `newswire serve` over a real socket: every API endpoint checked against the
//! OpenAPI description it serves, paging, exclusions, CSV, the token, limits, and a
//! running `newswire index` seen without a restart.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::util::{indexed_corpus_with, newswire};

/// A `newswire serve` child, killed on drop.
pub struct Server {
    child: Child,
    pub url: String,
}

impl Server {
    /// Starts `serve` on a free loopback port with `extra` arguments.
    pub fn start(index: &Path, extra: &[&str]) -> Server {
        let mut child = Command::new(assert_cmd::cargo::cargo_bin("newswire"))
            .arg("--index")
            .arg(index)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .args(extra)
            .env_remove("NEWSWIRE_TOKEN")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("serve starts");
        let stderr = child.stderr.take().expect("stderr");
        let mut line = String::new();
        BufReader::new(stderr)
            .read_line(&mut line)
            .expect("serve prints its address");
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in {line:?}"))
            .trim_end_matches('/')
            .to_string();
        Server { child, url }
    }

    pub fn get(&self, path: &str) -> (u16, Value) {
        let resp = match ureq::get(&format!("{}{path}", self.url)).call() {
            Ok(r) => r,
            Err(ureq::Error::Status(_, r)) => r,
            Err(e) => panic!("GET {path}: {e}"),
        };
        let status = resp.status();
        let body: Value = resp
            .into_json()
            .unwrap_or_else(|e| panic!("GET {path}: not JSON: {e}"));
        (status, body)
    }

    pub fn ok(&self, path: &str) -> Value {
        let (status, body) = self.get(path);
        assert_eq!(status, 200, "GET {path}: {body}");
        body
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The OpenAPI file the server serves, and a check of a value against one of its
/// schemas.
struct Spec(Value);

impl Spec {
    fn check(&self, schema: &str, value: &Value) {
        let mut root = self.0.clone();
        root["$ref"] = Value::String(format!("#/components/schemas/{schema}"));
        let validator = jsonschema::validator_for(&root).expect("the OpenAPI schemas compile");
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "response does not match {schema}: {errors:#?}\n{value:#}"
        );
    }
}

#[test]
fn every_endpoint_answers_in_the_documented_shape() {
    let dir = indexed_corpus_with(&[]);
    newswire(dir.path())
        .args([
            "alert",
            "add",
            "nato-watch",
            "nato",
            "--exclude",
            "source=AP",
        ])
        .assert()
        .success();
    let server = Server::start(&dir.path().join("index"), &[]);
    let spec = Spec(server.ok("/api/v1/openapi.json"));
    assert_eq!(spec.0["openapi"], "3.1.0");

    let search = server
        .ok("/api/v1/search?q=iraq&facet=org&facet=person&facet=place&facet=source&facet=month");
    spec.check("SearchResponse", &search);
    assert!(search["total_hits"].as_u64().expect("count") >= 2);
    let first = &search["hits"][0];
    assert_eq!(first["type"], "hit");
    let id = first["id"].as_str().expect("id").to_string();
    let quoted = |s: &str| s.replace('/', "%2F");

    for (path, schema) in [
        (
            "/api/v1/search?q=*&sort=-date&limit=3".to_string(),
            "SearchResponse",
        ),
        (
            "/api/v1/search?q=nato&recent=true&duplicates=show".to_string(),
            "SearchResponse",
        ),
        ("/api/v1/timeline?q=iraq&by=week".to_string(), "Timeline"),
        (format!("/api/v1/articles/{}", quoted(&id)), "Article"),
        (
            format!("/api/v1/articles/{}/similar?limit=3", quoted(&id)),
            "SimilarResponse",
        ),
        ("/api/v1/entities/org/NATO".to_string(), "Entity"),
        ("/api/v1/suggest?q=irak".to_string(), "Suggestion"),
        ("/api/v1/stats".to_string(), "Stats"),
        ("/api/v1/alerts".to_string(), "Alerts"),
    ] {
        let body = server.ok(&path);
        spec.check(schema, &body);
    }
    for (path, status) in [
        ("/api/v1/search?q=%22unclosed", 400),
        ("/api/v1/search?limit=100000", 400),
        ("/api/v1/search?nope=1", 400),
        ("/api/v1/articles/no-such-id", 404),
        ("/api/v1/entities/weapon/x", 404),
        ("/api/v1/search?cursor=garbage", 400),
        ("/api/v1/nothing", 404),
    ] {
        let (got, body) = server.get(path);
        assert_eq!(got, status, "GET {path}: {body}");
        spec.check("Error", &body);
    }

    let timeline = server.ok("/api/v1/timeline?q=*&by=month");
    for b in timeline["buckets"].as_array().expect("buckets") {
        let (count, total) = (b["count"].as_u64(), b["total"].as_u64());
        assert_eq!(count, total, "every article matches *: share 1 in {b}");
    }

    let nato = server.ok("/api/v1/entities/org/NATO");
    assert!(nato["count"].as_u64().expect("count") >= 2);
    let related = nato["related"].as_array().expect("related");
    let count = nato["count"].as_u64().expect("count");
    for facet in related {
        for v in facet["counts"].as_array().expect("counts") {
            assert!(
                v["count"].as_u64().expect("count") <= count,
                "named with NATO in more articles than NATO is: {v}"
            );
        }
    }
    let orgs = related
        .iter()
        .find(|f| f["field"] == "org")
        .expect("org facet");
    assert!(
        orgs["counts"]
            .as_array()
            .expect("counts")
            .iter()
            .all(|v| v["value"] != "NATO"),
        "the entity itself is not among its related entities: {orgs}"
    );
}

#[test]
fn a_cursor_walks_every_hit_once_and_exclusions_leave_articles_out() {
    let dir = indexed_corpus_with(&[]);
    let server = Server::start(&dir.path().join("index"), &[]);
    let all = server.ok("/api/v1/search?q=*&limit=0");
    let total = all["total_hits"].as_u64().expect("total") as usize;
    assert!(total >= 10);

    for sort in ["relevance", "date", "-date"] {
        let mut seen = std::collections::BTreeSet::new();
        let mut next = "start".to_string();
        let mut pages = 0;
        loop {
            let page = server.ok(&format!(
                "/api/v1/search?q=*&sort={sort}&limit=3&cursor={next}"
            ));
            for h in page["hits"].as_array().expect("hits") {
                assert!(
                    seen.insert(h["id"].as_str().expect("id").to_string()),
                    "{h} twice"
                );
            }
            pages += 1;
            match page["next_cursor"].as_str() {
                Some(c) => next = c.to_string(),
                None => break,
            }
            assert!(pages < 100, "the walk ends");
        }
        assert_eq!(seen.len(), total, "sort={sort}: every hit once");
    }
    // A cursor only continues its own walk.
    let page = server.ok("/api/v1/search?q=*&limit=2&cursor=start");
    let c = page["next_cursor"].as_str().expect("more pages");
    let (status, _) = server.get(&format!("/api/v1/search?q=iraq&limit=2&cursor={c}"));
    assert_eq!(status, 400);

    let with = server.ok("/api/v1/search?q=*&limit=0&facet=org");
    let nato = with["facets"][0]["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .find(|v| v["value"] == "NATO")
        .expect("NATO is named")["count"]
        .as_u64()
        .expect("count");
    let without = server.ok("/api/v1/search?q=*&limit=50&not_org=NATO");
    assert_eq!(
        without["total_hits"].as_u64().expect("total"),
        total as u64 - nato
    );
    for h in without["hits"].as_array().expect("hits") {
        assert!(
            !h["org"]
                .as_array()
                .expect("org")
                .iter()
                .any(|o| o == "NATO"),
            "{h}"
        );
    }
    // The CLI takes the same exclusion.
    let cli = super::util::search(dir.path(), &["*", "--exclude", "org=NATO", "-n", "0"]);
    assert_eq!(cli.total(), total as u64 - nato);
}

#[test]
fn csv_export_lists_every_hit_with_formulas_defused() {
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("export.jsonl");
    let mut lines = String::new();
    for i in 0..1200 {
        lines.push_str(&format!(
            "{{\"id\":\"a{i}\",\"headline\":\"=HYPERLINK(\\\"http://x\\\") story {i}\",\"body\":\"Harbour story number {i}, with words of its own: w{i}x.\",\"date\":\"2020-01-0{}\"}}\n",
            1 + i % 9
        ));
    }
    std::fs::write(&input, lines).expect("write");
    newswire(dir.path())
        .args(["index", "--quiet", "--no-entities"])
        .arg(&input)
        .assert()
        .success();
    let server = Server::start(&dir.path().join("index"), &[]);
    let resp = ureq::get(&format!("{}/api/v1/export.csv?q=harbour", server.url))
        .call()
        .expect("export");
    assert_eq!(resp.header("content-type"), Some("text/csv; charset=utf-8"));
    let text = resp.into_string().expect("text");
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let headers = reader.headers().expect("header").clone();
    assert_eq!(&headers[0], "id");
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("row")).collect();
    assert_eq!(rows.len(), 1200, "every hit, past one page of the walk");
    let ids: std::collections::BTreeSet<&str> = rows.iter().map(|r| &r[0]).collect();
    assert_eq!(ids.len(), 1200);
    assert!(
        rows.iter().all(|r| r[3].starts_with("'=HYPERLINK")),
        "{:?}",
        rows[0]
    );
}

#[test]
fn a_token_is_required_off_loopback_and_checked_on_every_request() {
    let dir = indexed_corpus_with(&["--no-entities"]);
    let index = dir.path().join("index");
    let out = newswire(dir.path())
        .args(["serve", "--bind", "0.0.0.0:0"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("without a token") && err.contains("--token"),
        "{err}"
    );

    let server = Server::start(&index, &["--token", "s3cret-token"]);
    let (status, body) = server.get("/api/v1/stats");
    assert_eq!(status, 401, "{body}");
    let (status, _) = server.get("/");
    assert_eq!(status, 401);
    let authed = ureq::get(&format!("{}/api/v1/stats", server.url))
        .set("Authorization", "Bearer s3cret-token")
        .call()
        .expect("with the token");
    assert_eq!(authed.status(), 200);
    let wrong = ureq::get(&format!("{}/api/v1/stats", server.url))
        .set("Authorization", "Bearer s3cret-tokem")
        .call();
    assert!(matches!(wrong, Err(ureq::Error::Status(401, _))));
    // A browser's first visit: a cookie, and the token leaves the address.
    let agent = ureq::AgentBuilder::new().redirects(0).build();
    let first = match agent
        .get(&format!("{}/?q=iraq&token=s3cret-token", server.url))
        .call()
    {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(first.status(), 303);
    assert_eq!(first.header("location"), Some("/?q=iraq"));
    let cookie = first.header("set-cookie").expect("cookie").to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"));
    let pair = cookie.split(';').next().expect("pair");
    let page = agent
        .get(&format!("{}/api/v1/stats", server.url))
        .set("Cookie", pair)
        .call()
        .expect("the cookie lets the browser in");
    assert_eq!(page.status(), 200);
}

#[test]
fn the_server_is_read_only_serves_only_its_assets_and_sets_a_strict_policy() {
    let dir = indexed_corpus_with(&["--no-entities"]);
    let server = Server::start(&dir.path().join("index"), &[]);
    for method in ["POST", "PUT", "DELETE", "PATCH"] {
        let r = ureq::request(method, &format!("{}/api/v1/search?q=iraq", server.url)).call();
        let status = match r {
            Ok(r) => r.status(),
            Err(ureq::Error::Status(s, _)) => s,
            Err(e) => panic!("{e}"),
        };
        assert_eq!(status, 405, "{method} is refused");
    }
    for path in [
        "/assets/../Cargo.toml",
        "/assets/%2e%2e%2fCargo.toml",
        "/assets/app.js.map",
        "/../../etc/passwd",
    ] {
        let (status, _) = server.get(path);
        assert_eq!(status, 404, "{path}");
    }
    let page = ureq::get(&format!("{}/", server.url)).call().expect("page");
    let csp = page
        .header("content-security-policy")
        .expect("CSP")
        .to_string();
    assert!(
        csp.contains("script-src 'self'") && csp.contains("default-src 'none'"),
        "{csp}"
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    let html = page.into_string().expect("html");
    assert!(!html.contains("<script>"), "no inline script in the page");
    let long = "a".repeat(20_000);
    let (status, body) = server.get(&format!("/api/v1/search?q={long}"));
    assert_eq!(status, 400, "{body}");
}

#[test]
fn commits_of_a_running_index_are_seen_without_a_restart() {
    let dir = indexed_corpus_with(&["--no-entities"]);
    let index = dir.path().join("index");
    let server = Server::start(&index, &[]);
    let before = server.ok("/api/v1/search?q=zanzibarian")["total_hits"].as_u64();
    assert_eq!(before, Some(0));
    let more = dir.path().join("more");
    std::fs::create_dir(&more).expect("dir");
    std::fs::write(
        more.join("late.txt"),
        "Zanzibarian ferry resumes\n\nSTONE TOWN, May 3 (AFP) - The zanzibarian ferry resumed \
         its crossings on Monday after a week of repairs to its engines.\n",
    )
    .expect("write");
    newswire(dir.path())
        .args(["index", "--quiet", "--no-entities"])
        .arg(&more)
        .assert()
        .success();
    let started = Instant::now();
    loop {
        let n = server.ok("/api/v1/search?q=zanzibarian")["total_hits"].as_u64();
        if n == Some(1) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the new commit is never seen"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}
