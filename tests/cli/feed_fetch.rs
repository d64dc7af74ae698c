//! Feeds by URL, against a feed server the test runs on loopback: items indexed,
//! conditional requests answered 304 on the next fetch, an updated item replacing its
//! earlier version, a failing feed reported with its URL.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use super::util::{newswire, search};

fn rss(items: &[(&str, &str, &str)]) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel>\
         <title>Harbour Gazette</title><link>http://127.0.0.1/</link>",
    );
    for (guid, title, body) in items {
        s.push_str(&format!(
            "<item><guid>{guid}</guid><title>{title}</title>\
             <pubDate>Mon, 06 Dec 2021 09:00:00 GMT</pubDate>\
             <description>{body}</description></item>"
        ));
    }
    s.push_str("</channel></rss>\n");
    s
}

struct FeedServer {
    url: String,
    body: Arc<Mutex<String>>,
    not_modified: Arc<AtomicUsize>,
    _thread: std::thread::JoinHandle<()>,
}

fn serve(initial: String) -> FeedServer {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("loopback server");
    let port = server.server_addr().to_ip().expect("ip").port();
    let body = Arc::new(Mutex::new(initial));
    let not_modified = Arc::new(AtomicUsize::new(0));
    let (b, n) = (Arc::clone(&body), Arc::clone(&not_modified));
    let thread = std::thread::spawn(move || {
        for req in server.incoming_requests() {
            if req.url() == "/broken.xml" {
                let _ = req.respond(tiny_http::Response::from_string("no").with_status_code(500));
                continue;
            }
            let text = b.lock().expect("lock").clone();
            let etag = format!(
                "\"{:x}\"",
                text.len() * 31 + text.bytes().map(usize::from).sum::<usize>()
            );
            let matches = req
                .headers()
                .iter()
                .any(|h| h.field.equiv("If-None-Match") && h.value.as_str() == etag);
            if matches {
                n.fetch_add(1, Ordering::SeqCst);
                let _ = req.respond(tiny_http::Response::empty(304));
                continue;
            }
            let header = tiny_http::Header::from_bytes("ETag", etag.as_bytes()).expect("header");
            let _ = req.respond(tiny_http::Response::from_string(text).with_header(header));
        }
    });
    FeedServer {
        url: format!("http://127.0.0.1:{port}"),
        body,
        not_modified,
        _thread: thread,
    }
}

#[test]
fn feeds_are_fetched_politely_and_items_stored_once() {
    let feed = serve(rss(&[
        (
            "g1",
            "Ferry timetable changes",
            "The ferry timetable changes on Monday.",
        ),
        (
            "g2",
            "Quay repairs begin",
            "Repairs to the quay begin next week.",
        ),
    ]));
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("{}/rss.xml", feed.url);
    let index = |extra: &[&str]| {
        newswire(dir.path())
            .args(["index", "--quiet", "--no-entities", "--feed", &url])
            .args(extra)
            .output()
            .expect("runs")
    };
    let out = index(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(search(dir.path(), &["*", "-n", "0"]).total(), 2);
    assert_eq!(
        search(dir.path(), &["ferry"]).hits[0].source.as_deref(),
        Some("Harbour Gazette")
    );

    // Fetched again: the server answers 304, nothing changes.
    index(&[]);
    assert_eq!(feed.not_modified.load(Ordering::SeqCst), 1);
    assert_eq!(search(dir.path(), &["*", "-n", "0"]).total(), 2);

    // The next copy of the feed: one item updated, one new, one gone from the feed.
    *feed.body.lock().expect("lock") = rss(&[
        (
            "g1",
            "Ferry timetable changes again",
            "The ferry timetable changes on Tuesday.",
        ),
        (
            "g3",
            "Lighthouse repainted",
            "The lighthouse was repainted white.",
        ),
    ]);
    index(&[]);
    assert_eq!(search(dir.path(), &["tuesday", "-n", "0"]).total(), 1);
    assert_eq!(
        search(dir.path(), &["monday", "-n", "0"]).total(),
        0,
        "the update replaced it"
    );
    assert_eq!(search(dir.path(), &["lighthouse", "-n", "0"]).total(), 1);
    assert_eq!(
        search(dir.path(), &["quay", "-n", "0"]).total(),
        1,
        "an item that left the feed stays in the archive"
    );
    assert_eq!(search(dir.path(), &["*", "-n", "0"]).total(), 3);

    // A failing feed is named with its reason; the run goes on.
    let broken = format!("{}/broken.xml", feed.url);
    let out = newswire(dir.path())
        .args(["index", "--no-entities", "--feed", &broken, "--feed", &url])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&broken) && err.contains("500"), "{err}");
    let out = newswire(dir.path())
        .args(["index", "--no-entities", "--feed", "file:///etc/passwd"])
        .output()
        .expect("runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("http or https only"), "{err}");
}
