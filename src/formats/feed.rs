//! News feeds: RSS 2.0 (and 0.9x), RSS 1.0 (RDF) and Atom.
//!
//! In: one feed file (whole; [`xml`] walks it). Out: one article per item or entry:
//! `title` the headline; `content:encoded` or Atom `content`, else `description` or
//! `summary`, the body (HTML turned into text by the HTML format's code); `pubDate`,
//! `published`, `dc:date` or `updated` the date; `link` the URL; `author`,
//! `dc:creator` or Atom `author/name` the byline; `category` (Atom `term`) the topics;
//! the item's `source`, else the channel's title, the source. The article id is the
//! item's `guid` or Atom `id` (else its link), so the same item read again from the
//! next copy of the feed is the same article; a bare `guid` that is only unique inside
//! its feed (`12345`) is prefixed with the feed's link.
//!
//! Damage is reported, never fatal: a date not understood is a warning and the item
//! stays undated; a file cut short keeps the items before the cut, and the cut is
//! reported with the item it fell in and its line.

use std::path::Path;

use super::dateline;
use super::{Cursor, Format, ParseError};
use crate::article::{Article, DateOrigin};

mod date;
mod xml;

use xml::{Field, Item};

pub(crate) struct Feed;

/// Item fields holding the date, best first.
const DATES: &[&str] = &[
    "pubDate",
    "published",
    "dc:date",
    "issued",
    "dc:issued",
    "dc:created",
    "created",
    "updated",
    "modified",
    "dc:modified",
];

impl Format for Feed {
    fn name(&self) -> &'static str {
        "feed"
    }

    fn detect(&self, head: &str, _path: &Path) -> u8 {
        let Some(root) = root_element(head) else {
            return 0;
        };
        let probe = &head[..dateline::floor_char(head, head.len().min(8192))];
        let local = root.rsplit(':').next().unwrap_or("");
        match local {
            "rss" => 97,
            "feed" if probe.contains("<entry") || probe.contains("/Atom") => 97,
            "RDF" if probe.contains("purl.org/rss/") || probe.contains("<item") => 97,
            "feed" | "RDF" => 40,
            _ => 0,
        }
    }

    fn parse(
        &self,
        text: &str,
        cursor: &mut Cursor,
        sink: &mut dyn FnMut(Result<Article, ParseError>),
    ) -> Result<(), ParseError> {
        let feed = xml::read(text, cursor.line);
        let channel = Channel::of(&feed.fields);
        if feed.items.is_empty() && feed.damage.is_empty() {
            let title = channel
                .title
                .as_deref()
                .map(|t| format!(" {t:?}"))
                .unwrap_or_default();
            return Err(ParseError::Skipped(format!("feed{title} holds no items")));
        }
        let mut damage = feed.damage.into_iter().peekable();
        let kept = feed.items.len();
        for item in feed.items {
            // Damage before this item is reported in file order.
            while let Some(d) = damage.next_if(|d| d.line < item.line) {
                sink(Err(damage_report(d, cursor, kept)));
            }
            cursor.position = item.number;
            let at = format!("item {} (line {})", item.number, item.line);
            match to_article(&item, &channel, cursor) {
                Ok((art, warning)) => {
                    sink(Ok(art));
                    if let Some(w) = warning {
                        sink(Err(cursor.warning(&at, w)));
                    }
                }
                Err(reason) => sink(Err(cursor.error(&at, reason))),
            }
        }
        for d in damage {
            sink(Err(damage_report(d, cursor, kept)));
        }
        Ok(())
    }
}

/// The damage as the file's reader sees it: an item lost is an article error, other
/// damage a warning.
fn damage_report(d: xml::Damage, cursor: &Cursor, kept: usize) -> ParseError {
    let at = match d.item {
        Some((number, line)) => format!("item {number} (line {line})"),
        None => format!("line {}", d.line),
    };
    let (items, verb) = match kept {
        0 => ("no item".to_string(), "is"),
        1 => ("the 1 item".to_string(), "is"),
        n => (format!("the {n} items"), "are"),
    };
    if d.lost {
        let reason = format!(
            "{}; this item is skipped, {items} before it {verb} kept",
            d.what
        );
        cursor.error(&at, reason)
    } else if d.item.is_some() {
        cursor.warning(&at, d.what)
    } else {
        cursor.warning(&at, format!("{}; {items} read {verb} kept", d.what))
    }
}

/// The first element name after the prolog (declaration, comments, doctype).
fn root_element(head: &str) -> Option<&str> {
    let mut t = head.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    loop {
        if let Some(rest) = t.strip_prefix("<?") {
            t = &rest[rest.find("?>")? + 2..];
        } else if let Some(rest) = t.strip_prefix("<!--") {
            t = &rest[rest.find("-->")? + 3..];
        } else if t.starts_with("<!") {
            // A doctype, perhaps with an internal subset.
            let close = match (t.find('['), t.find('>')) {
                (Some(b), Some(g)) if b < g => t.find("]>")? + 2,
                (_, Some(g)) => g + 1,
                _ => return None,
            };
            t = &t[close..];
        } else {
            break;
        }
        t = t.trim_start();
    }
    let name = t.strip_prefix('<')?;
    let end = name
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(name.len());
    Some(&name[..end]).filter(|n| !n.is_empty())
}

/// What the channel says about itself.
struct Channel {
    title: Option<String>,
    /// Its link (RSS `link`, Atom `link` or `id`), to qualify ids only unique in it.
    key: Option<String>,
}

impl Channel {
    fn of(fields: &[Field]) -> Channel {
        let title = first(fields, &["title"])
            .map(plain)
            .filter(|t| !t.is_empty());
        let key = link(fields)
            .or_else(|| first(fields, &["id"]).map(|f| f.content().trim().to_string()))
            .filter(|k| !k.is_empty())
            .or_else(|| title.clone());
        Channel { title, key }
    }
}

/// The first field named by `keys`, in the order of `keys`, with content or attributes.
fn first<'a>(fields: &'a [Field], keys: &[&str]) -> Option<&'a Field> {
    keys.iter().find_map(|k| {
        fields.iter().find(|f| {
            f.key.eq_ignore_ascii_case(k) && (!f.markup.trim().is_empty() || !f.attrs.is_empty())
        })
    })
}

/// Every field named `key`.
fn all<'a>(fields: &'a [Field], key: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
    fields
        .iter()
        .filter(move |f| f.key.eq_ignore_ascii_case(key))
}

/// A field as one line of text: markup and entities (also doubly escaped ones) gone.
fn plain(f: &Field) -> String {
    let content = f.content();
    let text = if f.elements || content.contains(['<', '&']) {
        super::html::fragment_text(&content)
    } else {
        content
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The link of an item or channel: RSS `<link>text</link>`, or the Atom
/// `<link rel="alternate" href>` (a link without `rel` is the alternate).
fn link(fields: &[Field]) -> Option<String> {
    all(fields, "link").find_map(|f| match f.attr("href") {
        Some(href) => matches!(f.attr("rel"), None | Some("alternate"))
            .then(|| href.trim().to_string())
            .filter(|h| !h.is_empty()),
        None => Some(f.content().trim().to_string()).filter(|l| !l.is_empty() && !f.elements),
    })
}

/// The body: full content first, then the summary. Atom content given only by
/// reference (`src`) or in a non-text type is passed over.
fn body(fields: &[Field]) -> String {
    let is_text = |f: &&Field| {
        f.attr("src").is_none()
            && f.attr("type").is_none_or(|t| {
                let t = t.to_ascii_lowercase();
                !t.contains('/')
                    || t.starts_with("text/")
                    || t.contains("html")
                    || t.contains("xml")
            })
    };
    [
        "content:encoded",
        "content",
        "description",
        "summary",
        "dc:description",
    ]
    .iter()
    .flat_map(|k| all(fields, k).filter(is_text))
    .map(|f| super::html::fragment_text(&f.content()))
    .find(|b| !b.trim().is_empty())
    .unwrap_or_default()
}

/// Authors: Atom `author/name`, RSS `author` (`jane@example.org (Jane Doe)`), or
/// `dc:creator`, joined by commas.
fn byline(fields: &[Field]) -> Option<String> {
    let atom: Vec<String> = all(fields, "author/name").map(plain).collect();
    let rss: Vec<String> = all(fields, "author")
        .filter(|f| !f.elements)
        .map(|f| {
            let t = plain(f);
            match (t.find('('), t.rfind(')')) {
                (Some(a), Some(b)) if a < b && t[..a].contains('@') => t[a + 1..b].trim().into(),
                _ => t,
            }
        })
        .collect();
    let dc: Vec<String> = all(fields, "dc:creator").map(plain).collect();
    let mut names: Vec<String> = Vec::new();
    for name in [atom, rss, dc]
        .into_iter()
        .find(|v| v.iter().any(|n| !n.is_empty()))?
    {
        let name = ["By ", "by ", "BY "]
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .unwrap_or(&name)
            .trim()
            .to_string();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    Some(names.join(", ")).filter(|n| !n.is_empty())
}

/// Categories: RSS `category` text, Atom `term` (or `label`), `dc:subject`.
fn topics(fields: &[Field]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in all(fields, "category").chain(all(fields, "dc:subject")) {
        let t = match f.attr("term").or_else(|| f.attr("label")) {
            Some(term) => term.split_whitespace().collect::<Vec<_>>().join(" "),
            None => plain(f),
        };
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The article id: `guid`, Atom `id`, RSS 1.0 `rdf:about`, else the link.
fn item_id(item: &Item, url: Option<&str>, channel: &Channel) -> Option<String> {
    let given = first(&item.fields, &["guid", "id"])
        .filter(|f| !f.elements)
        .map(|f| f.content().trim().to_string())
        .or_else(|| xml::attr_of(&item.attrs, "rdf:about").map(|a| a.trim().to_string()))
        .filter(|g| !g.is_empty());
    match given {
        Some(g) if is_global(&g) => Some(g),
        Some(g) => Some(match &channel.key {
            Some(k) => format!("{k}#{g}"),
            None => g,
        }),
        None => url.map(str::to_string),
    }
}

/// Whether an id names itself uniquely (a URL, `urn:`, `tag:` URI).
fn is_global(id: &str) -> bool {
    id.contains("://") || id.starts_with("urn:") || id.starts_with("tag:")
}

/// One item as an article, with a warning when something in it was not understood.
fn to_article(
    item: &Item,
    channel: &Channel,
    cursor: &Cursor,
) -> Result<(Article, Option<String>), String> {
    let fields = &item.fields;
    let position = item.number - 1;
    let url = link(fields).or_else(|| {
        first(fields, &["guid"])
            .filter(|g| g.attr("isPermaLink") != Some("false"))
            .map(|g| g.content().trim().to_string())
            .filter(|g| g.starts_with("http://") || g.starts_with("https://"))
    });
    let id = item_id(item, url.as_deref(), channel)
        .unwrap_or_else(|| format!("{}#{position}", cursor.id_base));
    let mut art = cursor.article("feed", id, Some(position));
    art.headline = first(fields, &["title", "dc:title"])
        .map(plain)
        .filter(|t| !t.is_empty());
    art.body = body(fields);
    if art.headline.is_none() && art.body.is_empty() {
        return Err("item without a title or any text".into());
    }
    let mut warning = None;
    let written: Vec<String> = DATES
        .iter()
        .filter_map(|k| first(fields, &[k]))
        .map(plain)
        .filter(|d| !d.is_empty())
        .collect();
    match written.iter().find_map(|d| date::parse(d)) {
        Some(d) => {
            art.published = Some(d);
            art.published_from = Some(DateOrigin::Text);
        }
        None => {
            if let Some(d) = cursor.path_date {
                art.published = Some(d);
                art.published_from = Some(DateOrigin::Path);
            }
            if let Some(bad) = written.first() {
                let bad: String = bad.chars().take(60).collect();
                let kept = match art.published {
                    Some(_) => "kept with the date in its path",
                    None => "kept undated",
                };
                warning = Some(format!("date {bad:?} not understood; the item is {kept}"));
            }
        }
    }
    art.url = url;
    art.byline = byline(fields);
    art.topic = topics(fields);
    art.category = cursor.folder_category.clone();
    art.source = ["source", "source/title"]
        .iter()
        .find_map(|k| all(fields, k).find(|f| !f.elements))
        .map(plain)
        .filter(|s| !s.is_empty())
        .or_else(|| channel.title.clone());
    if let Some(mut found) = dateline::find(&art.body) {
        found.resolve_date(art.published);
        art.dateline = Some(found.dateline);
    }
    Ok((art, warning))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::{articles, parse_bytes, parse_text};
    use time::macros::date;

    const RSS2: &str = include_str!("../../tests/fixtures/formats/rss2.xml");
    const RDF: &str = include_str!("../../tests/fixtures/formats/rdf.rdf");
    const ATOM: &str = include_str!("../../tests/fixtures/formats/atom.xml");
    const DAMAGED: &[u8] = include_bytes!("../../tests/fixtures/formats/feed-damaged.xml");

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
            include_bytes!("../../tests/fixtures/formats/feed-empty.xml"),
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
}
