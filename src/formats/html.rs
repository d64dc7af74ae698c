//! Saved HTML news pages.
//!
//! In: one HTML page (its charset already honoured by `decode`). Out: one article with
//! the headline and date from the page's own metadata (JSON-LD `NewsArticle`, Open
//! Graph and `article:` meta tags, other date meta tags, `<time datetime>`), the
//! byline, section, publisher and canonical URL where given, and the article body
//! without navigation, ads, related links or comments, found by the extractor in
//! [`extract`].

use std::path::Path;

use once_cell::sync::Lazy;
use scraper::{Html as Document, Selector};
use serde_json::Value;

use super::dateline::parse_date_text;
use super::{Cursor, Format, ParseError};
use crate::article::{Article, DateOrigin};

mod extract;

pub(super) use extract::fragment_text;

pub(crate) struct Html;

impl Format for Html {
    fn name(&self) -> &'static str {
        "html"
    }

    fn detect(&self, head: &str, path: &Path) -> u8 {
        let probe = &head[..super::dateline::floor_char(head, head.len().min(4096))];
        let lower = probe.to_ascii_lowercase();
        let t = lower.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if t.starts_with("<!doctype html") || t.starts_with("<html") {
            return 95;
        }
        let tags = ["<html", "<head", "<body", "<meta", "<title", "<div", "<p>"];
        let hits = tags.iter().filter(|tag| lower.contains(*tag)).count();
        let ext = path.to_string_lossy().to_ascii_lowercase();
        let html_ext = ext.ends_with(".html")
            || ext.ends_with(".htm")
            || ext.ends_with(".html.gz")
            || ext.ends_with(".htm.gz");
        if t.starts_with('<') && (hits >= 2 || html_ext) {
            85
        } else if hits >= 3 {
            50
        } else {
            0
        }
    }

    fn max_whole_file(&self) -> usize {
        // A DOM takes several times its page's size in memory.
        super::MAX_WHOLE_FILE / 4
    }

    fn parse(
        &self,
        text: &str,
        cursor: &mut Cursor,
        sink: &mut dyn FnMut(Result<Article, ParseError>),
    ) -> Result<(), ParseError> {
        cursor.position += 1;
        sink(parse_page(text, cursor));
        Ok(())
    }
}

/// What the page says about itself.
#[derive(Debug, Default)]
struct Meta {
    headline: Option<String>,
    date: Option<String>,
    body: Option<String>,
    author: Option<String>,
    section: Option<String>,
    publisher: Option<String>,
    url: Option<String>,
}

static LD_JSON: Lazy<Selector> = Lazy::new(|| sel(r#"script[type="application/ld+json"]"#));
static META: Lazy<Selector> = Lazy::new(|| sel("meta"));
static TIME: Lazy<Selector> = Lazy::new(|| sel("time[datetime]"));
static H1: Lazy<Selector> = Lazy::new(|| sel("h1"));
static TITLE: Lazy<Selector> = Lazy::new(|| sel("title"));
static CANONICAL: Lazy<Selector> = Lazy::new(|| sel(r#"link[rel="canonical"]"#));

fn sel(s: &str) -> Selector {
    // The selectors above are constants known to be valid.
    Selector::parse(s).expect("valid selector")
}

fn parse_page(text: &str, cursor: &Cursor) -> Result<Article, ParseError> {
    let doc = Document::parse_document(text);
    let meta = metadata(&doc);
    let mut art = cursor.article("html", cursor.id_base.clone(), None);
    let h1 = doc
        .select(&H1)
        .map(|h| one_line(&h.text().collect::<String>()))
        .find(|h| !h.is_empty());
    let title = doc
        .select(&TITLE)
        .next()
        .map(|t| one_line(&t.text().collect::<String>()))
        .filter(|t| !t.is_empty());
    art.headline = meta
        .headline
        .as_deref()
        .and_then(clean_meta)
        .or(h1)
        .or(title);
    if let Some(d) = meta
        .date
        .as_deref()
        .and_then(parse_date_text)
        .filter(|d| (1800..2200).contains(&d.year()))
    {
        art.published = Some(d);
        art.published_from = Some(DateOrigin::Text);
    } else if let Some(d) = cursor.path_date {
        art.published = Some(d);
        art.published_from = Some(DateOrigin::Path);
    }
    art.byline = meta.author.as_deref().and_then(clean_meta).map(|b| {
        let b = b
            .strip_prefix("By ")
            .or_else(|| b.strip_prefix("by "))
            .or_else(|| b.strip_prefix("BY "))
            .unwrap_or(&b);
        b.to_string()
    });
    art.category = meta
        .section
        .as_deref()
        .and_then(clean_meta)
        .or_else(|| cursor.folder_category.clone());
    art.source = meta.publisher.as_deref().and_then(clean_meta);
    art.url = meta.url.clone();
    art.body = extract::article_body(&doc, meta.body.as_deref(), art.headline.as_deref());
    // A wire dateline opening the story (`BAGHDAD (Reuters) - `) is recorded; the body
    // keeps it, as the page shows it.
    if let Some(mut found) = super::dateline::find(&art.body) {
        found.resolve_date(art.published);
        art.dateline = Some(found.dateline);
    }
    if art.body.is_empty() && art.headline.is_none() {
        return Err(cursor.error("page", "no article text found in the page"));
    }
    Ok(art)
}

/// A metadata value for display: entities decoded, whitespace collapsed; `None` when
/// empty or only a URL (`"publisher": "https://..."`).
fn clean_meta(s: &str) -> Option<String> {
    let s = one_line(&html_escape::decode_html_entities(s));
    let url_like = s.starts_with("http://") || s.starts_with("https://") || s.starts_with("//");
    (!s.is_empty() && !url_like).then_some(s)
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn metadata(doc: &Document) -> Meta {
    let mut m = Meta::default();
    // `datePublished` of a non-article object (a Yoast `WebPage` in an `@graph`).
    let mut any_date: Option<String> = None;
    for script in doc.select(&LD_JSON) {
        let raw: String = script.text().collect();
        let Ok(v) = serde_json::from_str::<Value>(raw.trim().trim_end_matches(';')) else {
            continue;
        };
        let mut stack = vec![&v];
        while let Some(v) = stack.pop() {
            match v {
                Value::Array(a) => stack.extend(a.iter()),
                Value::Object(o) => {
                    if is_article_type(o.get("@type")) {
                        let s = |k: &str| o.get(k).map(ld_text).filter(|s| !s.is_empty());
                        m.headline = m
                            .headline
                            .take()
                            .or_else(|| s("headline").map(|h| one_line(&h)));
                        m.date = m
                            .date
                            .take()
                            .or_else(|| s("datePublished").and_then(ok_date))
                            .or_else(|| s("dateCreated").and_then(ok_date));
                        m.body = m.body.take().or_else(|| s("articleBody"));
                        m.author = m.author.take().or_else(|| s("author"));
                        m.section = m.section.take().or_else(|| s("articleSection"));
                        m.publisher = m.publisher.take().or_else(|| s("publisher"));
                        m.url = m.url.take().or_else(|| s("url"));
                    }
                    if any_date.is_none() {
                        any_date = o.get("datePublished").map(ld_text).and_then(ok_date);
                    }
                    stack.extend(o.values().filter(|v| v.is_object() || v.is_array()));
                }
                _ => {}
            }
        }
    }
    let mut metas: Vec<(String, String)> = Vec::new();
    for e in doc.select(&META) {
        let key = e
            .value()
            .attr("property")
            .or_else(|| e.value().attr("name"))
            .or_else(|| e.value().attr("itemprop"))
            .unwrap_or("")
            .to_ascii_lowercase();
        if let Some(content) = e.value().attr("content") {
            if !content.trim().is_empty() {
                metas.push((key, content.trim().to_string()));
            }
        }
    }
    let meta = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| metas.iter().find(|(mk, _)| mk == k).map(|(_, v)| v.clone()))
    };
    m.headline = m.headline.take().or_else(|| {
        meta(&["og:title", "twitter:title", "headline", "dc.title"]).map(|h| one_line(&h))
    });
    m.date = m.date.take().or_else(|| {
        meta(&[
            "article:published_time",
            "datepublished",
            "og:published_time",
            "article.published",
            "published_time",
            "pubdate",
            "publishdate",
            "publish-date",
            "publish_date",
            "date",
            "dc.date",
            "dc.date.issued",
            "dcterms.created",
            "dcterms.date",
            "sailthru.date",
            "parsely-pub-date",
            "citation_publication_date",
            "article:modified_time",
        ])
        .and_then(ok_date)
    });
    m.date = m.date.take().or(any_date).or_else(|| {
        doc.select(&TIME).find_map(|t| {
            t.value()
                .attr("datetime")
                .map(str::to_string)
                .and_then(ok_date)
        })
    });
    m.author = m.author.take().or_else(|| {
        meta(&[
            "author",
            "article:author",
            "byl",
            "dc.creator",
            "parsely-author",
            "sailthru.author",
        ])
        .filter(|a| !a.starts_with("http"))
        .map(|a| {
            a.trim_start_matches("By ")
                .trim_start_matches("by ")
                .to_string()
        })
    });
    m.section = m
        .section
        .take()
        .or_else(|| meta(&["article:section", "section", "parsely-section"]));
    m.publisher = m
        .publisher
        .take()
        .or_else(|| meta(&["og:site_name", "application-name", "publisher"]));
    m.url = m
        .url
        .take()
        .or_else(|| {
            doc.select(&CANONICAL)
                .find_map(|l| l.value().attr("href").map(str::to_string))
        })
        .or_else(|| meta(&["og:url"]));
    m
}

/// A date string that parses to a plausible publication date (not `0001-01-01`).
fn ok_date(s: String) -> Option<String> {
    parse_date_text(&s)
        .filter(|d| (1800..2200).contains(&d.year()))
        .map(|_| s)
}

fn is_article_type(t: Option<&Value>) -> bool {
    const TYPES: &[&str] = &[
        "NewsArticle",
        "Article",
        "ReportageNewsArticle",
        "AnalysisNewsArticle",
        "OpinionNewsArticle",
        "BackgroundNewsArticle",
        "ReviewNewsArticle",
        "BlogPosting",
        "LiveBlogPosting",
        "Report",
        "TechArticle",
        "SocialMediaPosting",
    ];
    match t {
        Some(Value::String(s)) => TYPES.contains(&s.trim_start_matches("schema:")),
        Some(Value::Array(a)) => a.iter().any(|v| is_article_type(Some(v))),
        _ => false,
    }
}

/// Text of a JSON-LD value: a string, a list (joined), or an object's `name`.
fn ld_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.trim().to_string(),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(ld_text).filter(|s| !s.is_empty()).collect();
            parts.join(", ")
        }
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("@id"))
            .map(ld_text)
            .unwrap_or_default(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::{articles, parse_bytes};
    use time::macros::date;

    const PAGE: &str = include_str!("../../tests/fixtures/formats/article.html");

    #[test]
    fn metadata_and_body() {
        let a = &articles(&Html, PAGE, "pages/tide.html")[0];
        assert_eq!(
            a.headline.as_deref(),
            Some("Tide power trial starts in the bay")
        );
        assert_eq!(a.published, Some(date!(2030 - 09 - 14)));
        assert_eq!(a.byline.as_deref(), Some("Rhian Morgan"));
        assert_eq!(a.source.as_deref(), Some("Coast Courier"));
        assert_eq!(a.category.as_deref(), Some("Science"));
        assert_eq!(
            a.url.as_deref(),
            Some("https://coastcourier.example/news/2030/09/14/tide-power")
        );
        assert!(
            a.body.starts_with("Engineers lowered the first"),
            "{}",
            a.body
        );
        assert!(a.body.contains("exclusion zone"), "{}", a.body);
        for junk in [
            "Advertisement",
            "Share on",
            "Related stories",
            "Wind farm",
            "Great news",
            "Copyright",
            "Home",
        ] {
            assert!(!a.body.contains(junk), "{junk} in body: {}", a.body);
        }
    }

    #[test]
    fn wire_dateline_in_a_page() {
        let page = "<html><body><article><time datetime=\"2030-02-03\">3 February 2030</time><p>OSLO, Feb 2 (Reuters) - Norway's wealth fund said on Monday it had sold its stakes in two mining companies.</p><p>The fund gave no reason for the sales.</p></article></body></html>";
        let a = &articles(&Html, page, "p/oslo.html")[0];
        let d = a.dateline.as_ref().expect("dateline");
        assert_eq!(d.place.as_deref(), Some("Oslo"));
        assert_eq!(d.agency.as_deref(), Some("Reuters"));
        assert_eq!(d.date, Some(date!(2030 - 02 - 02)));
        assert!(
            a.body.starts_with("OSLO, Feb 2 (Reuters) - Norway"),
            "{}",
            a.body
        );
        assert!(!a.body.contains("3 February"));
    }

    #[test]
    fn metadata_values_are_cleaned() {
        let page = r#"<html><head><meta property="og:title" content="&#8216;Tide&#8217; power &amp; light"><meta property="og:site_name" content="https://example.org/"><meta name="author" content="By RHIAN MORGAN"><meta property="article:published_time" content="0001-01-01T00:00:00Z"></head><body><p>Some text of the story that is long enough to count.</p></body></html>"#;
        let a = &articles(&Html, page, "p/meta.html")[0];
        assert_eq!(
            a.headline.as_deref(),
            Some("\u{2018}Tide\u{2019} power & light")
        );
        assert_eq!(a.source, None);
        assert_eq!(a.byline.as_deref(), Some("RHIAN MORGAN"));
        assert_eq!(a.published, None);
    }

    #[test]
    fn legacy_charset_page() {
        let page = b"<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=windows-1252\"><title>Caf\xe9 owners protest</title></head><body><article><p>Caf\xe9 owners in the old town protested on Monday against the new terrace tax, which they say will cost each of them \x80 2,000 a year.</p></article></body></html>";
        let (info, out) = parse_bytes("cafe.html", page, None);
        assert_eq!(info.expect("parses").format, "html");
        let a = out[0].as_ref().expect("article");
        assert_eq!(a.headline.as_deref(), Some("Caf\u{e9} owners protest"));
        assert!(a.body.contains("\u{20ac} 2,000"), "{}", a.body);
    }
}
