//! Tests of the feed format on the fixtures in `tests/fixtures/formats/` and on
//! small feeds written inline.

use super::*;
use crate::formats::testutil::{articles, parse_bytes, parse_text};
use time::macros::date;

const RSS2: &str = include_str!("../../../tests/fixtures/formats/rss2.xml");
const RDF: &str = include_str!("../../../tests/fixtures/formats/rdf.rdf");
const ATOM: &str = include_str!("../../../tests/fixtures/formats/atom.xml");
const DAMAGED: &[u8] = include_bytes!("../../../tests/fixtures/formats/feed-damaged.xml");

fn warnings(out: &[Result<Article, ParseError>]) -> Vec<String> {
    out.iter()
        .filter_map(|r| match r {
            Err(e @ ParseError::Warning { .. }) => Some(e.to_string()),
            _ => None,
        })
        .collect()
}

#[test]
fn rss2_items_with_modules_and_escaped_html() {
    let arts = articles(&Feed, RSS2, "feeds/rss2.xml");
    assert_eq!(arts.len(), 3);
    let a = &arts[0];
    assert_eq!(a.format, "feed");
    assert_eq!(
        a.headline.as_deref(),
        Some("Ferry operator orders two hybrid vessels")
    );
    assert_eq!(a.published, Some(date!(2030 - 03 - 04)));
    assert_eq!(a.published_from, Some(DateOrigin::Text));
    assert_eq!(a.byline.as_deref(), Some("Marta Quint"));
    assert_eq!(a.topic, vec!["Shipping", "Energy"]);
    assert_eq!(
        a.source.as_deref(),
        Some("Harbour Gazette \u{2013} Business")
    );
    assert_eq!(
        a.url.as_deref(),
        Some("https://harbourgazette.example/business/2030/03/04/ferry-hybrid-order")
    );
    // A bare guid is only unique in its feed: qualified by the feed's link.
    assert_eq!(a.id, "https://harbourgazette.example/business#48213");
    assert_eq!(a.position, Some(0));
    // content:encoded wins over the description; entities, scripts, share links go.
    assert!(
        a.body
            .starts_with("LISBON, March 4 (Harbour Wire) - The island"),
        "{}",
        a.body
    );
    assert!(a.body.contains("84 million euros"), "{}", a.body);
    assert!(a.body.contains("\u{201c}Half of our fuel"), "{}", a.body);
    assert!(a.body.contains("\n\nThe ships"), "{}", a.body);
    for junk in ["Share on", "trackRead", "<p>", "&"] {
        assert!(!a.body.contains(junk), "{junk} in {}", a.body);
    }
    let d = a.dateline.as_ref().expect("dateline");
    assert_eq!(d.place.as_deref(), Some("Lisbon"));

    let b = &arts[1];
    assert_eq!(
        b.headline.as_deref(),
        Some("Port tariffs to rise 4% in April & May")
    );
    assert_eq!(b.id, "https://harbourgazette.example/?p=48190");
    assert_eq!(b.byline.as_deref(), Some("Owen Blake"));
    assert_eq!(
        b.body,
        "The port authority will raise berthing tariffs by 4% in two steps, it said on Sunday.\n\nContainer lines had asked for a freeze."
    );
    // Neither guid nor id: the link is the id.
    let c = &arts[2];
    assert_eq!(
        c.id,
        "https://harbourgazette.example/business/2030/03/02/fish-market"
    );
    assert_eq!(c.byline, None);
    assert!(c.topic.is_empty());
}

#[test]
fn rss1_rdf_items_outside_the_channel() {
    let arts = articles(&Feed, RDF, "feeds/valley.rdf");
    assert_eq!(arts.len(), 2);
    let a = &arts[0];
    assert_eq!(a.id, "https://valleytimes.example/2030/01/15/reservoir");
    assert_eq!(a.source.as_deref(), Some("Valley Times"));
    assert_eq!(a.published, Some(date!(2030 - 01 - 15)));
    assert_eq!(a.byline.as_deref(), Some("Ivo Brandt"));
    assert_eq!(a.topic, vec!["Water"]);
    assert!(a.body.starts_with("The upper reservoir holds 61 percent"));
    assert_eq!(arts[1].published, Some(date!(2030 - 01 - 14)));
}

#[test]
fn atom_entries_with_xhtml_and_html_content() {
    let arts = articles(&Feed, ATOM, "feeds/atom.xml");
    assert_eq!(arts.len(), 2);
    let a = &arts[0];
    assert_eq!(
        a.headline.as_deref(),
        Some("Glacier survey finds faster melt")
    );
    assert_eq!(a.id, "tag:sciencedesk.example,2030:glacier-survey");
    // `published` before `updated`.
    assert_eq!(a.published, Some(date!(2030 - 06 - 11)));
    assert_eq!(a.byline.as_deref(), Some("Sigrid Halvorsen, Tomas Ek"));
    assert_eq!(a.topic, vec!["climate", "glaciology"]);
    assert_eq!(a.source.as_deref(), Some("Northern Science Desk"));
    // The alternate link, not the enclosure.
    assert_eq!(
        a.url.as_deref(),
        Some("https://sciencedesk.example/2030/06/glacier-survey")
    );
    // The full xhtml content, not the summary.
    assert!(
        a.body.starts_with("Survey teams from the polar institute"),
        "{}",
        a.body
    );
    assert!(
        a.body
            .ends_with("autumn & share it with the national mapping agency."),
        "{}",
        a.body
    );
    let b = &arts[1];
    assert_eq!(b.published, Some(date!(2030 - 06 - 10)));
    assert_eq!(
        b.url.as_deref(),
        Some("https://sciencedesk.example/2030/06/observatory-schools")
    );
    // An entry's own source names the publisher.
    assert_eq!(b.source.as_deref(), Some("University Press Office"));
    assert_eq!(b.body, "The hill observatory will open its dome to school groups on weekday mornings from September.");
}

#[test]
fn damaged_feed_keeps_what_it_can_and_says_where() {
    // A BOM, a declaration of ISO-8859-1 over UTF-8 text, `&nbsp;` and friends
    // undeclared in XML, a `dc:` prefix never bound, an unknown namespace, a date
    // that is no date, and the file cut inside its third item.
    let (info, out) = parse_bytes("news/coast.dat", DAMAGED, None);
    assert_eq!(info.expect("parses").format, "feed");
    let arts: Vec<&Article> = out.iter().filter_map(|r| r.as_ref().ok()).collect();
    assert_eq!(arts.len(), 2);
    assert_eq!(
        arts[0].headline.as_deref(),
        Some("Lifeboat crew rescues two kayakers off Sandhead Point")
    );
    assert_eq!(arts[0].byline.as_deref(), Some("Niamh O'Rourke"));
    assert!(
        arts[0].body.contains("twenty minutes \u{2014} both"),
        "{}",
        arts[0].body
    );
    assert!(
        arts[0].body.contains("S\u{e3}o Miguel-born"),
        "{}",
        arts[0].body
    );
    assert_eq!(arts[1].published, None);
    assert!(arts[1].body.contains("\u{a3}3.1m wall"), "{}", arts[1].body);
    assert!(
        arts[1].body.contains("harbour\u{2019}s eastern quay"),
        "{}",
        arts[1].body
    );
    let w = warnings(&out);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("coast.dat: item 2 (line 14)")
            && w[0].contains("\"Thursday, the 31st of Sept.\" not understood")
            && w[0].contains("kept undated"),
        "{w:?}"
    );
    let lost: Vec<String> = out
        .iter()
        .filter_map(|r| match r {
            Err(e @ ParseError::Article { .. }) => Some(e.to_string()),
            _ => None,
        })
        .collect();
    assert_eq!(lost.len(), 1, "{lost:?}");
    assert!(
        lost[0].contains("coast.dat: item 3 (line 22)")
            && lost[0].contains("the file ends at line 28, inside this item (truncated file?)")
            && lost[0].contains("the 2 items before it are kept"),
        "{lost:?}"
    );
}

#[test]
fn a_feed_cut_between_items_keeps_them_all_with_a_warning() {
    let cut = &RSS2[..RSS2.find("  </channel>").expect("channel end")];
    let out = parse_text(&Feed, cut, "f/cut.xml");
    assert_eq!(out.iter().filter(|r| r.is_ok()).count(), 3);
    let w = warnings(&out);
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("before the feed is closed (truncated file?); the 3 items read are kept"),
        "{w:?}"
    );
    // Cut inside a tag: the XML reader's own error, same outcome.
    let cut = &RSS2[..RSS2.find("<title>Fish market").expect("item") + 4];
    let out = parse_text(&Feed, cut, "f/cut.xml");
    assert_eq!(out.iter().filter(|r| r.is_ok()).count(), 2);
    let err = out
        .iter()
        .find_map(|r| r.as_ref().err())
        .expect("error")
        .to_string();
    assert!(
        err.contains("item 3 (line 44)") && err.contains("breaks off"),
        "{err}"
    );
}

#[test]
fn an_empty_channel_is_no_articles() {
    let (r, out) = parse_bytes(
        "empty.xml",
        include_bytes!("../../../tests/fixtures/formats/feed-empty.xml"),
        None,
    );
    let e = r.expect_err("no items").to_string();
    assert_eq!(e, "feed \"Quiet Valley Notices\" holds no items");
    assert!(out.is_empty());
}

#[test]
fn prefixes_and_namespaces_in_any_spelling() {
    // Atom under a prefix of its own; the content module under another; an XML
    // declaration without its version (malformed: read past).
    let feed = r#"<?xml encoding="utf-8"?>
<a:feed xmlns:a="http://www.w3.org/2005/Atom" xmlns:c="http://purl.org/rss/1.0/modules/content/">
<a:title>Prefixed</a:title>
<a:entry><a:title>One</a:title><a:id>urn:x:1</a:id><a:updated>2030-02-01T00:00:00Z</a:updated>
<a:summary>Short.</a:summary><c:encoded>&lt;b&gt;Long&lt;/b&gt; text.</c:encoded></a:entry>
</a:feed>"#;
    let out = parse_text(&Feed, feed, "p.xml");
    let a = out.iter().find_map(|r| r.as_ref().ok()).expect("article");
    assert_eq!(a.headline.as_deref(), Some("One"));
    assert_eq!(a.source.as_deref(), Some("Prefixed"));
    assert_eq!(a.published, Some(date!(2030 - 02 - 01)));
    assert_eq!(a.body, "Long text.");
    assert_eq!(a.id, "urn:x:1");
    // RSS with a stray `&`, an unquoted-looking `<`, an entity in an attribute,
    // and elements of an unknown namespace carrying the same local names.
    let rss = "<rss><channel><title>T</title><item><title>AT&T cuts prices</title>\
<x:title xmlns:x=\"urn:other\">Not this</x:title>\
<link>https://e.example/a?x=1&amp;y=2</link>\
<description>Profit &amp; loss &copy; 2030</description>\
<category domain=\"a&nbsp;b\">Telecoms</category></item></channel></rss>";
    let a = articles(&Feed, rss, "r.xml").remove(0);
    assert_eq!(a.headline.as_deref(), Some("AT&T cuts prices"));
    assert_eq!(a.url.as_deref(), Some("https://e.example/a?x=1&y=2"));
    assert_eq!(a.body, "Profit & loss \u{a9} 2030");
    assert_eq!(a.topic, vec!["Telecoms"]);
}

#[test]
fn the_same_item_in_two_copies_has_one_id() {
    let first = articles(&Feed, RSS2, "feeds/monday/rss2.xml");
    let second = articles(&Feed, RSS2, "feeds/tuesday/rss2.xml");
    let ids = |v: &[Article]| v.iter().map(|a| a.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&first), ids(&second));
    // Without guid, id or link an item's id is its place in the file.
    let bare = "<rss><channel><item><title>A</title></item></channel></rss>";
    assert_eq!(articles(&Feed, bare, "f/x.xml")[0].id, "f/x#0");
}

#[test]
fn detected_by_content() {
    for text in [RSS2, RDF, ATOM] {
        assert_eq!(Feed.detect(text, Path::new("a.txt")), 97);
    }
    let doctype = "<?xml version=\"1.0\"?>\n<!-- generator -->\n<!DOCTYPE rss PUBLIC \"-//Netscape Communications//DTD RSS 0.91//EN\" \"x.dtd\">\n<rss version=\"0.91\"><channel>";
    assert_eq!(Feed.detect(doctype, Path::new("a")), 97);
    for other in [
        "<html><body><p>rss</p></body></html>",
        "<DOC><DOCNO>1</DOCNO></DOC>",
        "{\"title\": \"<rss>\"}",
        "Headline\n\nBody <rss> text.",
    ] {
        assert_eq!(Feed.detect(other, Path::new("a.xml")), 0, "{other}");
    }
}

#[test]
fn deep_or_endless_nesting_is_harmless() {
    let deep = format!(
        "<rss><channel><item><title>Deep</title><description>{}x{}</description></item></channel></rss>",
        "<div>".repeat(5000),
        "</div>".repeat(5000)
    );
    let a = articles(&Feed, &deep, "d.xml").remove(0);
    assert_eq!(a.headline.as_deref(), Some("Deep"));
    let unclosed = format!("<rss><channel><item><title>U</title>{}", "<p>".repeat(5000));
    let out = parse_text(&Feed, &unclosed, "u.xml");
    assert!(out.iter().all(|r| r.is_err()));
}
