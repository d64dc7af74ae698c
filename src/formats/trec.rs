//! TREC-style SGML (AP, WSJ, FT... collections): `<DOC>` blocks.
//!
//! In: text with `<DOC>`, `<DOCNO>`, `<HEAD>`, `<BYLINE>`, `<DATELINE>`, `<TEXT>` tags
//! (streamed in chunks of whole documents). Out: one article per `DOC`: id = `DOCNO`,
//! the date inside the `DOCNO` (`AP890101-0001` -> 1989-01-01) or a `DATE` tag, the
//! first `HEAD` as headline (editors' notes skipped; for the few documents without a
//! `HEAD`, the title the wire gives elsewhere), the byline in title case, the
//! dateline place and agency, and the text with hard-wrapped lines re-joined.

use std::path::Path;

use once_cell::sync::Lazy;
use regex::Regex;

use super::re;

use time::{Date, Month};

use super::dateline::{self, title_case_name};
use super::sgml::{self, clean, one_line, reflow, strip_tags, tag, tags};
use super::{Cursor, Format, ParseError};
use crate::article::{Article, DateOrigin};

pub(crate) struct Trec;

const OPEN: &str = "<DOC>";
const CLOSE: &str = "</DOC>";

static DOCNO_DATE: Lazy<Regex> = Lazy::new(|| re(r"^([A-Z]+)(\d{2})(\d{2})(\d{2})"));
static ISO_DATE: Lazy<Regex> = Lazy::new(|| re(r"(\d{4})-(\d{2})-(\d{2})"));
static YYMMDD: Lazy<Regex> = Lazy::new(|| re(r"^\s*(\d{2})(\d{2})(\d{2})\b"));
static EDITORS_NOTE: Lazy<Regex> = Lazy::new(|| {
    re(r"(?i)^(?:eds?\b|editors?\b|with\s|by\s|associated press|ap\s.*writer|urgent|advisory)")
});

impl Format for Trec {
    fn name(&self) -> &'static str {
        "trec"
    }

    fn detect(&self, head: &str, _path: &Path) -> u8 {
        if head.contains(OPEN) && head.contains("<DOCNO>") {
            95
        } else {
            0
        }
    }

    fn record_end(&self, _head: &str) -> Option<&'static str> {
        Some(CLOSE)
    }

    fn parse(
        &self,
        text: &str,
        cursor: &mut Cursor,
        sink: &mut dyn FnMut(Result<Article, ParseError>),
    ) -> Result<(), ParseError> {
        sgml::for_each_block(text, OPEN, CLOSE, cursor, |block, cursor| {
            let doc = &block.text[OPEN.len()..];
            let docno = tag(doc, "DOCNO")
                .map(|d| d.trim().to_string())
                .filter(|d| !d.is_empty());
            let (line, n) = (block.line, block.position + 1);
            let at = match &docno {
                Some(id) => format!("line {line}, document {n} ({id})"),
                None => format!("line {line}, document {n}"),
            };
            if !block.complete {
                sink(Err(cursor.error(
                    &at,
                    "document cut short: no closing </DOC> (truncated file)",
                )));
                return;
            }
            let article = document(doc, docno, block.position, cursor);
            sink(article.map_err(|reason| cursor.error(&at, reason)));
        });
        Ok(())
    }
}

fn document(
    doc: &str,
    docno: Option<String>,
    position: u64,
    cursor: &Cursor,
) -> Result<Article, String> {
    let id = docno
        .clone()
        .unwrap_or_else(|| format!("{}#{position}", cursor.id_base));
    let mut art = cursor.article("trec", id, Some(position));
    let docno = docno.unwrap_or_default();
    art.published = tag(doc, "DATE")
        .and_then(date_tag)
        .or_else(|| docno_date(&docno));
    if art.published.is_some() {
        art.published_from = Some(DateOrigin::Text);
    }
    art.source = source_of(&docno).map(str::to_string);
    art.headline = headline(doc);
    art.byline = byline(doc);
    if let Some(dl) = tag(doc, "DATELINE") {
        let dl = one_line(&clean(dl));
        let dl = dl.trim_end_matches(|c: char| c == '-' || c == '_' || c.is_whitespace());
        if let Some(mut found) = dateline::parse_prefix(dl) {
            found.resolve_date(art.published);
            art.dateline = Some(found.dateline);
        }
    }
    let text: Vec<String> = tags(doc, "TEXT")
        .map(|t| reflow(&clean(&strip_tags(t))))
        .filter(|t| !t.is_empty())
        .collect();
    art.body = text.join("\n\n");
    if art.headline.is_none() && art.body.is_empty() {
        return Err("empty document: no headline and no text".into());
    }
    Ok(art)
}

/// First `HEAD` that is not an editors' note; else the title the wire gives in `UNK`,
/// before `^By` in a `BYLINE`, in a `NOTE`, or (last) the story slug in `SECOND`.
fn headline(doc: &str) -> Option<String> {
    let usable = |s: &str| {
        let s = one_line(&clean(&strip_tags(s)));
        (!s.is_empty() && !EDITORS_NOTE.is_match(&s)).then_some(s)
    };
    tags(doc, "HEAD")
        .chain(tags(doc, "HL"))
        .chain(tags(doc, "HEADLINE"))
        .chain(tags(doc, "TITLE"))
        .chain(tags(doc, "UNK"))
        .find_map(usable)
        .or_else(|| {
            tags(doc, "BYLINE").find_map(|b| b.split_once('^').and_then(|(h, _)| usable(h)))
        })
        .or_else(|| {
            // A title-like note before the text (`<NOTE>Reagan Speaks to Leaders</NOTE>`),
            // not the `MORE` or state names of lists.
            let before_text = &doc[..doc.find("<TEXT>").unwrap_or(doc.len())];
            tags(before_text, "NOTE").find_map(|n| {
                usable(n).filter(|t| {
                    t.split_whitespace().count() >= 3 && t.chars().any(char::is_lowercase)
                })
            })
        })
        .or_else(|| {
            // `PM-Wall Street 10am,0320` -> `Wall Street 10am`
            let slug = one_line(&clean(tag(doc, "SECOND")?));
            let slug = slug.rsplit_once(',').map_or(slug.as_str(), |(s, n)| {
                if n.trim().chars().all(|c| c.is_ascii_digit()) {
                    s
                } else {
                    slug.as_str()
                }
            });
            let slug = ["AM-", "PM-", "BC-", "AP-"]
                .iter()
                .find_map(|p| slug.strip_prefix(p))
                .unwrap_or(slug);
            let slug = slug.trim().trim_end_matches(',').trim();
            (!slug.is_empty()).then(|| slug.to_string())
        })
}

/// `By HILLEL ITALIE` -> `Hillel Italie`; also after `^` in a headline-plus-byline tag.
fn byline(doc: &str) -> Option<String> {
    tags(doc, "BYLINE").chain(tags(doc, "NOTE")).find_map(|b| {
        let b = one_line(&clean(b));
        let b = b.rsplit_once('^').map_or(b.as_str(), |(_, by)| by).trim();
        let name = b
            .strip_prefix("By ")
            .or_else(|| b.strip_prefix("BY "))?
            .trim();
        (!name.is_empty()).then(|| title_case_name(name))
    })
}

/// `AP890101-0001` -> 1989-01-01 (`LA` documents write month, day, year).
fn docno_date(docno: &str) -> Option<Date> {
    let c = DOCNO_DATE.captures(docno)?;
    let (a, b, d) = (
        c[2].parse::<u8>().ok()?,
        c[3].parse::<u8>().ok()?,
        c[4].parse::<u8>().ok()?,
    );
    let (yy, mm, dd) = if &c[1] == "LA" { (d, a, b) } else { (a, b, d) };
    let year = if yy >= 50 {
        1900 + yy as i32
    } else {
        2000 + yy as i32
    };
    Date::from_calendar_date(year, Month::try_from(mm).ok()?, dd).ok()
}

/// A `<DATE>` tag: ISO `1994-03-02` or TREC `940302`.
fn date_tag(s: &str) -> Option<Date> {
    if let Some(c) = ISO_DATE.captures(s) {
        return Date::from_calendar_date(
            c[1].parse().ok()?,
            Month::try_from(c[2].parse::<u8>().ok()?).ok()?,
            c[3].parse().ok()?,
        )
        .ok();
    }
    let c = YYMMDD.captures(s)?;
    let yy: i32 = c[1].parse().ok()?;
    let year = if yy >= 50 { 1900 + yy } else { 2000 + yy };
    Date::from_calendar_date(
        year,
        Month::try_from(c[2].parse::<u8>().ok()?).ok()?,
        c[3].parse().ok()?,
    )
    .ok()
}

/// The collection a `DOCNO` prefix names.
fn source_of(docno: &str) -> Option<&'static str> {
    let prefix: String = docno
        .chars()
        .take_while(|c| c.is_ascii_alphabetic())
        .collect();
    Some(match prefix.as_str() {
        "AP" | "APW" => "AP",
        "WSJ" => "Wall Street Journal",
        "FT" => "Financial Times",
        "LA" => "Los Angeles Times",
        "SJM" => "San Jose Mercury News",
        "NYT" => "New York Times",
        "XIE" => "Xinhua",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::articles;
    use time::macros::date;

    const FIXTURE: &str = include_str!("../../tests/fixtures/formats/trec.sgml");

    #[test]
    fn ap_documents() {
        let arts = articles(&Trec, FIXTURE, "ap/ap300101");
        assert_eq!(arts.len(), 3);
        let a = &arts[0];
        assert_eq!(a.id, "AP300101-0001");
        assert_eq!(a.position, Some(0));
        assert_eq!(a.published, Some(date!(2030 - 01 - 01)));
        assert_eq!(
            a.headline.as_deref(),
            Some("Last Keeper Leaves the Lighthouse on Gull Rock")
        );
        assert_eq!(a.byline.as_deref(), Some("Margaret O'Connell"));
        assert_eq!(a.source.as_deref(), Some("AP"));
        let d = a.dateline.as_ref().expect("dateline");
        assert_eq!(d.place.as_deref(), Some("Portland"));
        assert_eq!(d.agency.as_deref(), Some("AP"));
        assert!(
            a.body.starts_with(
                "The last keeper of the Gull Rock lighthouse climbed down its 104 steps"
            ),
            "{}",
            a.body
        );
        assert!(a.body.contains("\n\n``It's quiet out there,''"));
    }

    #[test]
    fn documents_without_head_still_get_a_headline() {
        let arts = articles(&Trec, FIXTURE, "ap/ap300101");
        assert_eq!(arts[1].headline.as_deref(), Some("Wall Street 10am"));
        assert!(arts[1].body.contains("today & bond prices"));
        assert_eq!(
            arts[2].headline.as_deref(),
            Some("Island Ferry Service Resumes")
        );
        assert_eq!(arts[2].byline.as_deref(), Some("John T. Baker"));
        assert_eq!(
            arts[2].dateline.as_ref().and_then(|d| d.place.as_deref()),
            Some("St. John's")
        );
    }

    #[test]
    fn other_collections_with_inner_tags() {
        let la = "<DOC>\n<DOCNO> LA010189-0001 </DOCNO>\n<HEADLINE>\n<P>\nHarbor Dredging Plan Approved\n</P>\n</HEADLINE>\n<TEXT>\n<P>\nThe harbor commission approved the plan.\n</P>\n<P>\nWork starts in spring.\n</P>\n</TEXT>\n</DOC>\n";
        let a = &articles(&Trec, la, "la/la010189")[0];
        assert_eq!(a.headline.as_deref(), Some("Harbor Dredging Plan Approved"));
        assert_eq!(a.published, Some(date!(1989 - 01 - 01)));
        assert_eq!(a.source.as_deref(), Some("Los Angeles Times"));
        assert_eq!(
            a.body,
            "The harbor commission approved the plan.\n\nWork starts in spring."
        );
    }

    #[test]
    fn docno_dates() {
        assert_eq!(docno_date("AP890101-0001"), Some(date!(1989 - 01 - 01)));
        assert_eq!(docno_date("WSJ870324-0001"), Some(date!(1987 - 03 - 24)));
        assert_eq!(docno_date("LA010189-0001"), Some(date!(1989 - 01 - 01)));
        assert_eq!(docno_date("FT911-1"), None);
    }
}
