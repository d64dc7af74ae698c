//! JSON and JSON Lines exports of articles.
//!
//! In: a JSON Lines file (one object per line, streamed line by line), a JSON array of
//! objects, a wrapper object holding such an array (`articles`, `data`, `items`,
//! `@graph`...), or one article object. Out: one article per object, read through the
//! key names common scrapers and datasets use (news-please, NewsAPI, JSON-LD, the
//! project's benchmark and the NER scorer's `{"doc_index", "text"}` dump). A malformed
//! line is a per-article error naming its line; the other lines still come out. JSON
//! whose objects carry no article fields (a ground-truth table, scorer output) is
//! refused as a whole.

use std::path::Path;

use serde_json::{Map, Value};

use super::dateline::{self, parse_date_text};
use super::{Cursor, Format, ParseError};
use crate::article::{Article, DateOrigin};

pub(crate) struct Json;

const HEADLINE: &[&str] = &["title", "headline", "Title", "Headline", "name_headline"];
const BODY: &[&str] = &[
    "text",
    "body",
    "maintext",
    "content",
    "articleBody",
    "article_body",
    "article",
    "full_text",
    "fulltext",
    "Text",
    "Body",
    "Content",
];
const SUMMARY: &[&str] = &["description", "summary", "abstract", "lead"];
const DATE: &[&str] = &[
    "date",
    "date_publish",
    "published",
    "publishedAt",
    "datePublished",
    "published_at",
    "pubDate",
    "publication_date",
    "publish_date",
    "date_published",
    "pub_date",
    "datetime",
    "timestamp",
    "created_at",
    "dateCreated",
    "Date",
];
const URL: &[&str] = &["url", "link", "canonical_url", "source_url", "uri", "URL"];
const SOURCE: &[&str] = &[
    "source",
    "source_domain",
    "publisher",
    "site_name",
    "sourceName",
    "outlet",
    "agency",
];
const AUTHORS: &[&str] = &["authors", "author", "byline", "creator", "writer"];
const SECTION: &[&str] = &[
    "section",
    "category",
    "articleSection",
    "categories",
    "section_name",
];
const ORGS: &[&str] = &[
    "orgs",
    "organizations",
    "organisations",
    "org",
    "organization",
    "ORG",
];
const PEOPLE: &[&str] = &["people", "persons", "person", "per", "PER"];
const PLACES: &[&str] = &["places", "locations", "location", "loc", "gpe", "LOC"];
const TOPICS: &[&str] = &["topics", "topic", "subjects"];
const ID: &[&str] = &[
    "id",
    "_id",
    "doc_id",
    "docid",
    "uuid",
    "guid",
    "article_id",
    "DOCNO",
];
const WRAPPERS: &[&str] = &[
    "articles",
    "data",
    "items",
    "documents",
    "docs",
    "results",
    "records",
    "posts",
    "entries",
    "stories",
    "news",
    "@graph",
    "response",
];

impl Format for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn detect(&self, head: &str, path: &Path) -> u8 {
        let t = head.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_ascii_lowercase();
        match t.chars().next() {
            Some('{') => 90,
            Some('[') if t[1..].trim_start().starts_with('{') || super::empty_array(t) => 90,
            Some('[') if matches!(ext.as_str(), "json" | "jsonl" | "ndjson") => 60,
            _ => 0,
        }
    }

    fn max_whole_file(&self) -> usize {
        4 * super::MAX_WHOLE_FILE
    }

    fn record_end(&self, head: &str) -> Option<&'static str> {
        is_json_lines(head).then_some("\n")
    }

    fn parse(
        &self,
        text: &str,
        cursor: &mut Cursor,
        sink: &mut dyn FnMut(Result<Article, ParseError>),
    ) -> Result<(), ParseError> {
        if cursor.streamed {
            parse_lines(text, cursor, sink)
        } else {
            parse_document(text, cursor, sink)
        }
    }
}

/// Whether the text starts with a complete JSON object on its first line (JSON Lines).
fn is_json_lines(head: &str) -> bool {
    let first = head
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    first.starts_with('{')
        && serde_json::from_str::<Value>(first).is_ok()
        && first.len() < head.trim_end().len()
}

fn parse_lines(
    text: &str,
    cursor: &mut Cursor,
    sink: &mut dyn FnMut(Result<Article, ParseError>),
) -> Result<(), ParseError> {
    let first_line = cursor.line;
    for (this_line, line) in (first_line..).zip(text.split('\n')) {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let at = format!("line {this_line}");
        let position = cursor.position;
        let value = match serde_json::from_str::<Value>(line) {
            Ok(v) => v,
            Err(e) => {
                cursor.position += 1;
                sink(Err(cursor.error(&at, format!("malformed JSON: {e}"))));
                continue;
            }
        };
        let Value::Object(obj) = value else {
            cursor.position += 1;
            sink(Err(cursor.error(&at, "not a JSON object")));
            continue;
        };
        if position == 0 && !has_article_fields(&obj) {
            return Err(ParseError::Skipped(format!(
                "JSON Lines without article fields (first object has keys {}), not articles",
                key_list(&obj)
            )));
        }
        cursor.position += 1;
        sink(to_article(&obj, cursor, Some(position)).map_err(|r| cursor.error(&at, r)));
    }
    Ok(())
}

fn parse_document(
    text: &str,
    cursor: &mut Cursor,
    sink: &mut dyn FnMut(Result<Article, ParseError>),
) -> Result<(), ParseError> {
    let value: Value = match serde_json::from_str(text.trim_start_matches('\u{feff}')) {
        Ok(v) => v,
        Err(e) => {
            // Perhaps JSON Lines whose first line is broken.
            if text
                .lines()
                .filter(|l| l.trim_start().starts_with('{'))
                .count()
                > 1
            {
                return parse_lines(text, cursor, sink);
            }
            return Err(ParseError::Skipped(format!("malformed JSON: {e}")));
        }
    };
    let items: Vec<&Map<String, Value>> = match &value {
        Value::Array(a) => a.iter().filter_map(Value::as_object).collect(),
        Value::Object(o) if has_article_fields(o) => {
            cursor.position += 1;
            sink(to_article(o, cursor, None).map_err(|r| cursor.error("object", r)));
            return Ok(());
        }
        Value::Object(o) => match wrapped_list(o) {
            Some(list) => list,
            None => {
                return Err(ParseError::Skipped(format!(
                    "JSON without article fields (keys {}), not articles",
                    key_list(o)
                )))
            }
        },
        _ => {
            return Err(ParseError::Skipped(
                "JSON value is not an object or array of objects".into(),
            ))
        }
    };
    if items.is_empty() {
        return Err(ParseError::Skipped(
            "JSON array without objects, not articles".into(),
        ));
    }
    if items.first().is_some_and(|o| !has_article_fields(o)) {
        return Err(ParseError::Skipped(format!(
            "JSON array without article fields (first object has keys {}), not articles",
            key_list(items[0])
        )));
    }
    for (i, obj) in items.into_iter().enumerate() {
        let position = cursor.position;
        cursor.position += 1;
        sink(
            to_article(obj, cursor, Some(position))
                .map_err(|r| cursor.error(&format!("element {}", i + 1), r)),
        );
    }
    Ok(())
}

/// The article list inside a wrapper object (`{"articles": [...]}`,
/// `{"response": {"docs": [...]}}`).
fn wrapped_list(o: &Map<String, Value>) -> Option<Vec<&Map<String, Value>>> {
    for key in WRAPPERS {
        match o.get(*key) {
            Some(Value::Array(a))
                if a.iter()
                    .any(|v| v.as_object().is_some_and(has_article_fields)) =>
            {
                return Some(a.iter().filter_map(Value::as_object).collect());
            }
            Some(Value::Object(inner)) => {
                if let Some(list) = wrapped_list(inner) {
                    return Some(list);
                }
            }
            _ => {}
        }
    }
    None
}

fn key_list(o: &Map<String, Value>) -> String {
    let short = |k: &String| match k.char_indices().nth(24) {
        Some((i, _)) => format!("{}...", &k[..i]),
        None => k.clone(),
    };
    let keys: Vec<String> = o.keys().take(4).map(short).collect();
    let more = if o.len() > 4 { ", ..." } else { "" };
    format!("{}{more}", keys.join(", "))
}

fn has_article_fields(o: &Map<String, Value>) -> bool {
    HEADLINE
        .iter()
        .chain(BODY)
        .any(|k| o.get(*k).is_some_and(|v| !text_of(v).is_empty()))
}

/// First key of `keys` present in `o` with a non-null value.
fn first<'a>(o: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Value> {
    keys.iter().find_map(|k| o.get(*k).filter(|v| !v.is_null()))
}

/// A string value, or the strings of a list joined by blank lines, or an object's
/// `name`/`text`.
fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a
            .iter()
            .map(text_of)
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n\n"),
        Value::Object(o) => first(o, &["name", "text", "value", "@value", "title"])
            .map(text_of)
            .unwrap_or_default(),
        _ => String::new(),
    }
}

/// Names from a string, a list of strings or a list of objects with `name`/`text`.
fn names_of(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        let s = s.trim().to_string();
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    };
    match v {
        Value::Array(a) => a.iter().map(text_of).for_each(&mut push),
        Value::String(s) if s.contains(';') => s.split(';').map(str::to_string).for_each(&mut push),
        other => push(text_of(other)),
    }
    out
}

fn to_article(
    o: &Map<String, Value>,
    cursor: &Cursor,
    position: Option<u64>,
) -> Result<Article, String> {
    let doc_index = o.get("doc_index").and_then(Value::as_u64);
    let id = first(o, ID)
        .map(text_of)
        .filter(|s| !s.is_empty())
        .or_else(|| doc_index.map(|n| n.to_string()))
        .unwrap_or_else(|| match position {
            Some(p) => format!("{}#{p}", cursor.id_base),
            None => cursor.id_base.clone(),
        });
    let mut art = cursor.article("json", id, position);
    art.doc_index = doc_index;
    art.headline = first(o, HEADLINE)
        .map(text_of)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    art.body = first(o, BODY)
        .map(text_of)
        .filter(|s| !s.is_empty())
        .or_else(|| first(o, SUMMARY).map(text_of))
        .unwrap_or_default();
    if art.headline.is_none() && art.body.trim().is_empty() {
        return Err(format!(
            "no article fields (title or text) among keys {}",
            key_list(o)
        ));
    }
    if let Some(d) = first(o, DATE)
        .map(text_of)
        .and_then(|s| parse_date_text(&s))
    {
        art.published = Some(d);
        art.published_from = Some(DateOrigin::Text);
    }
    art.url = first(o, URL).map(text_of).filter(|s| !s.is_empty());
    art.source = first(o, SOURCE)
        .map(text_of)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    art.byline = first(o, AUTHORS)
        .map(|v| names_of(v).join(", "))
        .filter(|s| !s.is_empty());
    art.category = first(o, SECTION).and_then(|v| names_of(v).into_iter().next());
    art.org = first(o, ORGS).map(names_of).unwrap_or_default();
    art.person = first(o, PEOPLE).map(names_of).unwrap_or_default();
    art.place = first(o, PLACES).map(names_of).unwrap_or_default();
    art.topic = first(o, TOPICS).map(names_of).unwrap_or_default();
    // A dateline given as a field, or opening the text (the body is kept as given).
    let given = o.get("dateline").map(text_of).and_then(|d| {
        let d = d
            .trim()
            .trim_end_matches(|c: char| c == '-' || c == '\u{2014}' || c.is_whitespace())
            .to_string();
        dateline::parse_prefix(&d)
    });
    if let Some(mut found) = given.or_else(|| dateline::find(&art.body)) {
        found.resolve_date(art.published);
        art.dateline = Some(found.dateline);
    }
    Ok(art)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::{parse_bytes, parse_text};
    use time::macros::date;

    const LINES: &str = include_str!("../../tests/fixtures/formats/articles.jsonl");

    #[test]
    fn json_lines_with_common_keys() {
        let out = parse_text(&Json, LINES, "x/articles.jsonl");
        assert_eq!(out.len(), 5);
        let a = out[0].as_ref().expect("benchmark line");
        assert_eq!(a.id, "bench-1");
        assert_eq!(
            a.headline.as_deref(),
            Some("Port authority approves new container terminal")
        );
        assert_eq!(a.published, Some(date!(2030 - 06 - 02)));
        assert_eq!(a.org, vec!["Port Authority"]);
        assert_eq!(a.place, vec!["Rotterdam"]);
        assert_eq!(a.person, vec!["Jan de Vries"]);

        let b = out[1].as_ref().expect("news-please line");
        assert_eq!(b.published, Some(date!(2030 - 06 - 03)));
        assert_eq!(
            b.url.as_deref(),
            Some("https://news.example.org/2030/06/03/night-trains")
        );
        assert_eq!(b.source.as_deref(), Some("news.example.org"));
        assert_eq!(b.byline.as_deref(), Some("Ana Ruiz, Tom Berg"));
        assert_eq!(b.category.as_deref(), Some("travel"));
        assert_eq!(b.id, "x/articles#1");

        assert_eq!(b.dateline, None);

        let c = out[2].as_ref().expect("scorer dump line");
        assert_eq!(c.id, "7");
        assert_eq!(c.doc_index, Some(7));
        assert_eq!(c.headline, None);
        assert_eq!(
            c.body,
            "Ferry Co said on Tuesday it would add two ships .\nThe ships enter service in May ."
        );

        let bad = out[3].as_ref().expect_err("malformed line").to_string();
        assert!(
            bad.contains("x/articles.jsonl") && bad.contains("line 4"),
            "{bad}"
        );

        let e = out[4].as_ref().expect("json-ld-ish line");
        assert_eq!(e.source.as_deref(), Some("City Gazette"));
        assert_eq!(e.byline.as_deref(), Some("Lee Park"));
        assert_eq!(e.body, "The city library will open until midnight.");
        assert_eq!(e.org, vec!["City Library"]);
        assert_eq!(e.position, Some(4));
    }

    #[test]
    fn lines_are_numbered_even_when_the_first_chunk_holds_one_line() {
        let long = "word ".repeat(30_000);
        let text = format!(
            "{{\"title\":\"a\",\"text\":\"one\"}}\n{{\"title\":\"b\",\"text\":\"{long}\"}}\n"
        );
        let (info, out) = parse_bytes("two.jsonl", text.as_bytes(), None);
        assert_eq!(info.expect("parses").format, "json");
        let first = out[0].as_ref().expect("first line");
        assert!(first.id.ends_with("/two#0"), "{}", first.id);
        assert_eq!(first.position, Some(0));
        assert_eq!(out[1].as_ref().expect("second line").position, Some(1));
    }

    #[test]
    fn datelines_from_a_field_or_the_text() {
        let text = r#"[{"title":"A","text":"GENEVA, May 4 (Reuters) - Talks resumed.","date":"2030-05-04"},{"title":"B","text":"Talks resumed.","dateline":"NAIROBI (AP) \u2014"}]"#;
        let out = parse_text(&Json, text, "d.json");
        let a = out[0].as_ref().expect("a");
        let d = a.dateline.as_ref().expect("dateline in text");
        assert_eq!(d.place.as_deref(), Some("Geneva"));
        assert_eq!(d.date, Some(date!(2030 - 05 - 04)));
        assert!(a.body.starts_with("GENEVA, May 4"));
        let b = out[1].as_ref().expect("b");
        assert_eq!(
            b.dateline.as_ref().and_then(|d| d.place.as_deref()),
            Some("Nairobi")
        );
    }

    #[test]
    fn arrays_wrappers_and_single_objects() {
        let arr = r#"[{"title":"A","text":"one"},{"headline":"B","content":["p1","p2"]}]"#;
        let out = parse_text(&Json, arr, "a.json");
        assert_eq!(out.len(), 2);
        assert_eq!(out[1].as_ref().expect("b").body, "p1\n\np2");
        let wrapped = r#"{"status":"ok","articles":[{"title":"A","description":"d","publishedAt":"2030-01-02T00:00:00Z","source":{"id":null,"name":"Wire"}}]}"#;
        let a = parse_text(&Json, wrapped, "w.json")
            .remove(0)
            .expect("article");
        assert_eq!(a.source.as_deref(), Some("Wire"));
        assert_eq!(a.published, Some(date!(2030 - 01 - 02)));
        let single = "{\n  \"headline\": \"One\",\n  \"articleBody\": \"Text.\"\n}\n";
        let (info, out) = parse_bytes("one.json", single.as_bytes(), None);
        assert_eq!(info.expect("parses").format, "json");
        assert_eq!(out.len(), 1);
        assert!(out[0].as_ref().expect("article").id.ends_with("/one"));
    }

    #[test]
    fn json_that_is_not_articles_is_refused() {
        let table = r#"{"0a1b": {"articleBody": "x", "url": "u"}, "2c3d": {"articleBody": "y", "url": "v"}}"#;
        let (r, _) = parse_bytes("ground-truth.json", table.as_bytes(), None);
        assert!(matches!(r, Err(ParseError::Skipped(_))), "{r:?}");
        let preds = "{\"doc_index\": 0, \"entities\": []}\n{\"doc_index\": 1, \"entities\": []}\n";
        let (r, out) = parse_bytes("pred.jsonl", preds.as_bytes(), None);
        assert!(matches!(r, Err(ParseError::Skipped(_))), "{r:?}");
        assert!(out.is_empty());
        let (r, _) = parse_bytes("numbers.json", b"[1, 2, 3]", None);
        assert!(matches!(r, Err(ParseError::Skipped(_))), "{r:?}");
        let (r, _) = parse_bytes("broken.json", b"{\"title\": \"x\", ", None);
        assert!(matches!(r, Err(ParseError::Skipped(_))), "{r:?}");
    }
}
