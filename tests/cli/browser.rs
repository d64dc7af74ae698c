//! The web page in a real headless browser (Chromium driven over WebDriver), as a
//! reporter uses it: type a query, tick a facet, drag the timeline, open an article,
//! follow an entity link, go back; and a hostile article shown as text with no script
//! run. Skips, saying why, where no `chromedriver` is installed (`.ci/run` installs
//! Debian's `chromium` and `chromium-driver`).
//!
//! Screenshots of the page land in `target/screenshots/` (the README's comes from
//! there).

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::actions::{InputSource, MouseActions, PointerAction, MOUSE_BUTTON_LEFT};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

use super::serve::Server;
use super::util::{corpus, newswire};

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn chromedriver() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CHROMEDRIVER") {
        return Some(PathBuf::from(p));
    }
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join("chromedriver"))
            .find(|p| p.is_file())
    })
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// A hostile article (markup and script in every field a page shows) and the corpus.
fn archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let hostile = json!({
        "id": "hostile-1",
        "headline": "Ferry <script>window.__pwned=1</script> board <img src=x onerror=\"window.__pwned=2\">",
        "body": "The ferry board met on Monday. <script>window.__pwned=3</script>\n\n\
                 Members voted <img src=x onerror=\"window.__pwned=4\"> to rebuild the sea wall \
                 <a href=\"javascript:window.__pwned=5\">link</a> before winter.",
        "date": "2021-12-03",
        "source": "<b>Evil</b> Gazette",
        "orgs": ["<img src=x onerror=window.__pwned=6>"],
    });
    std::fs::write(dir.path().join("hostile.jsonl"), format!("{hostile}\n")).expect("write");
    newswire(dir.path())
        .args(["index", "--quiet"])
        .arg(corpus())
        .arg(dir.path().join("hostile.jsonl"))
        .assert()
        .success();
    dir
}

fn screenshots() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

#[test]
fn a_reporter_searches_filters_reads_and_goes_back_in_a_real_browser() {
    let Some(driver_bin) = chromedriver() else {
        eprintln!(
            "skipped: no chromedriver on PATH (install Debian's chromium and chromium-driver, \
             or set CHROMEDRIVER)"
        );
        return;
    };
    let dir = archive();
    let server = Server::start(&dir.path().join("index"), &[]);
    let port = free_port();
    let driver = Driver(
        Command::new(driver_bin)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let client = connect(port).await;
        let result = walk_through(&client, &server.url).await;
        let _ = client.close().await;
        result
    });
    drop(driver);
}

async fn connect(port: u16) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({"args": ["--headless=new", "--no-sandbox", "--disable-gpu",
                        "--disable-dev-shm-usage", "--window-size=1280,900"]}),
    );
    let started = Instant::now();
    loop {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(caps.clone())
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => return c,
            Err(e) if started.elapsed() < Duration::from_secs(20) => {
                let _ = e;
                tokio::time::sleep(Duration::from_millis(200)).await;
            }
            Err(e) => panic!("cannot start a browser session: {e}"),
        }
    }
}

async fn js(client: &Client, script: &str) -> Value {
    client.execute(script, vec![]).await.expect("script runs")
}

/// Waits until `script` returns true.
async fn until(client: &Client, what: &str, script: &str) {
    let started = Instant::now();
    loop {
        if js(client, script).await == Value::Bool(true) {
            return;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let url = client
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            panic!("waited 10 s for {what} (at {url})");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn url(client: &Client) -> String {
    client.current_url().await.expect("url").to_string()
}

async fn walk_through(client: &Client, base: &str) {
    client.goto(&format!("{base}/")).await.expect("page opens");
    let q = client
        .wait()
        .for_element(Locator::Id("q"))
        .await
        .expect("search box");

    // Type a query.
    q.send_keys("harbour\n").await.expect("type");
    until(
        client,
        "hits",
        "return document.querySelectorAll('#hits li.hit').length > 0",
    )
    .await;
    assert!(
        url(client).await.contains("q=harbour"),
        "the query is in the address"
    );
    let all = js(
        client,
        "return document.querySelectorAll('#hits li.hit').length",
    )
    .await;
    // Highlighted snippets.
    until(
        client,
        "highlights",
        "return document.querySelectorAll('#hits mark').length > 0",
    )
    .await;

    // Tick a facet value.
    client
        .goto(&format!("{base}/?q=*"))
        .await
        .expect("all articles");
    until(
        client,
        "org facet",
        "return document.querySelectorAll('li.facet-value[data-field=\"org\"] input.facet-include').length > 0",
    )
    .await;
    let total_before = js(
        client,
        "return document.getElementById('summary').textContent",
    )
    .await;
    let first_org = client
        .find(Locator::Css(
            "li.facet-value[data-field=\"org\"] input.facet-include",
        ))
        .await
        .expect("a facet box");
    first_org.click().await.expect("tick");
    until(
        client,
        "org filter in the address",
        "return location.search.includes('org=')",
    )
    .await;
    until(
        client,
        "filtered hits",
        &format!(
            "return document.getElementById('summary').textContent !== {}",
            total_before
        ),
    )
    .await;
    assert!(
        js(
            client,
            "return document.querySelectorAll('#active-filters .chip').length > 0"
        )
        .await
            == Value::Bool(true),
        "the filter shows as a chip"
    );

    // Exclude a value.
    client
        .goto(&format!("{base}/?q=*"))
        .await
        .expect("back to all");
    until(
        client,
        "exclude buttons",
        "return document.querySelectorAll('li.facet-value[data-field=\"source\"] button.facet-exclude').length > 0",
    )
    .await;
    client
        .find(Locator::Css(
            "li.facet-value[data-field=\"source\"] button.facet-exclude",
        ))
        .await
        .expect("exclude")
        .click()
        .await
        .expect("exclude click");
    until(
        client,
        "exclusion in the address",
        "return location.search.includes('not_source=')",
    )
    .await;

    // Drag across the timeline.
    client
        .goto(&format!("{base}/?q=*&by=month"))
        .await
        .expect("timeline page");
    until(
        client,
        "timeline bars",
        "return document.querySelectorAll('#timeline rect.bar').length > 2",
    )
    .await;
    let bars = client
        .find_all(Locator::Css("#timeline rect.bar"))
        .await
        .expect("bars");
    let (first, last) = (bars[0].clone(), bars[bars.len() - 1].clone());
    let drag = MouseActions::new("mouse".into())
        .then(PointerAction::MoveToElement {
            element: first,
            duration: None,
            x: 0,
            y: 0,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::MoveToElement {
            element: last,
            duration: Some(Duration::from_millis(300)),
            x: 0,
            y: 0,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    client.perform_actions(drag).await.expect("drag");
    until(
        client,
        "a dragged date range in the address",
        "return location.search.includes('from=') && location.search.includes('to=')",
    )
    .await;
    // A click on one bar filters to that period.
    client
        .goto(&format!("{base}/?q=*&by=year"))
        .await
        .expect("years");
    until(
        client,
        "year bars",
        "return document.querySelectorAll('#timeline rect.bar').length > 0",
    )
    .await;
    let bar = client
        .find(Locator::Css("#timeline rect.bar"))
        .await
        .expect("a bar");
    let start = bar
        .attr("data-start")
        .await
        .expect("attr")
        .expect("data-start");
    bar.click().await.expect("click a bar");
    until(
        client,
        "the clicked period",
        &format!("return location.search.includes('from={start}')"),
    )
    .await;

    // Open an article, then follow an entity link, then go back twice.
    client
        .goto(&format!("{base}/?q=harbour"))
        .await
        .expect("search again");
    until(
        client,
        "hits",
        "return document.querySelectorAll('a.hit-link').length > 0",
    )
    .await;
    let _ = all;
    client
        .find(Locator::Css("a.hit-link"))
        .await
        .expect("a hit")
        .click()
        .await
        .expect("open");
    until(client, "the article", "return !!document.querySelector('#article h1') && location.pathname.startsWith('/article/')").await;
    let article_url = url(client).await;
    until(
        client,
        "entity links",
        "return document.querySelectorAll('#article a.entity').length > 0",
    )
    .await;
    client
        .find(Locator::Css("#article a.entity"))
        .await
        .expect("an entity")
        .click()
        .await
        .expect("follow");
    until(
        client,
        "the entity page",
        "return location.pathname.startsWith('/entity/') && !!document.querySelector('#entity')",
    )
    .await;
    until(
        client,
        "the entity's articles",
        "return document.querySelectorAll('#entity li.hit, #entity a.hit-link').length > 0",
    )
    .await;
    client.back().await.expect("back");
    until(client, "the article again", "return location.pathname.startsWith('/article/') && !!document.querySelector('#article h1')").await;
    assert_eq!(url(client).await, article_url);
    client.back().await.expect("back");
    until(client, "the hits again", "return location.search.includes('q=harbour') && document.querySelectorAll('#hits li.hit').length > 0").await;

    // The hostile article: its markup is text, nothing of it runs.
    client
        .goto(&format!("{base}/?q=harbour%20board"))
        .await
        .expect("search hostile");
    until(
        client,
        "hits",
        "return document.querySelectorAll('#hits li.hit').length > 0",
    )
    .await;
    client
        .goto(&format!("{base}/article/hostile-1"))
        .await
        .expect("hostile article");
    until(
        client,
        "the hostile article",
        "return !!document.querySelector('#article h1')",
    )
    .await;
    let headline = js(
        client,
        "return document.querySelector('#article h1').textContent",
    )
    .await;
    assert!(
        headline.as_str().unwrap_or("").contains("<script>"),
        "markup shows as text: {headline}"
    );
    let verdict = js(
        client,
        "return { pwned: window.__pwned === undefined ? null : window.__pwned, \
                  imgs: document.querySelectorAll('#main img, #article img').length, \
                  scripts: document.querySelectorAll('body script:not([src])').length, \
                  js_links: document.querySelectorAll('a[href^=\"javascript\"]').length }",
    )
    .await;
    assert_eq!(
        verdict,
        json!({"pwned": null, "imgs": 0, "scripts": 0, "js_links": 0}),
        "nothing from the article may run or become markup"
    );

    // The README's picture.
    client
        .goto(&format!("{base}/?q=foreign%20forces%20withdrawal"))
        .await
        .expect("page");
    until(client, "hits", "return document.querySelectorAll('#hits li.hit').length > 2 && document.querySelectorAll('#timeline rect.bar').length > 0").await;
    shot(client, "serve.png").await;

    // Keyboard: `/` focuses the search box.
    client.goto(&format!("{base}/?q=nato")).await.expect("page");
    until(
        client,
        "hits",
        "return document.querySelectorAll('#hits li.hit').length > 0",
    )
    .await;
    js(
        client,
        "document.activeElement && document.activeElement.blur(); return true",
    )
    .await;
    client
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .send_keys("/")
        .await
        .expect("key");
    until(
        client,
        "focus in the search box",
        "return document.activeElement && document.activeElement.id === 'q'",
    )
    .await;

    // Phone width: the page still works and nothing overflows sideways.
    client.set_window_size(390, 844).await.expect("phone size");
    client
        .goto(&format!("{base}/?q=harbour"))
        .await
        .expect("page");
    until(
        client,
        "hits",
        "return document.querySelectorAll('#hits li.hit').length > 0",
    )
    .await;
    let overflow = js(
        client,
        "return document.documentElement.scrollWidth <= window.innerWidth + 1",
    )
    .await;
    assert_eq!(
        overflow,
        Value::Bool(true),
        "no sideways scrolling at phone width"
    );
    shot(client, "serve-phone.png").await;
}

async fn shot(client: &Client, name: &str) {
    if let Ok(png) = client.screenshot().await {
        let _ = std::fs::write(screenshots().join(name), png);
    }
}
