//! Reuters-21578 SGML: many `<REUTERS>` stories per file.
//!
//! In: `reut2-NNN.sgm` text (streamed in chunks of whole stories). Out: one article per
//! story with id `reuters-<NEWID>`, `DATE` as the published date, `TITLE` as headline,
//! the `DATELINE` place, `BODY` (or the raw `TEXT` of `TYPE="UNPROC"` stories; `BRIEF`
//! stories are a title only), character entities decoded and control characters
//! removed, and the gold `ORGS`, `PLACES`, `PEOPLE` and `TOPICS` codes kept as
//! metadata. A story with no text at all, or cut short at the end of the file, is
//! reported as a per-article error; the others still come out.

use std::path::Path;

use once_cell::sync::Lazy;
use regex::Regex;

use super::re;

use time::Date;

use super::dateline::{self, month_from_name};
use super::sgml::{self, attr, clean, one_line, open_tag, tag, tags};
use super::{Cursor, Format, ParseError};
use crate::article::{Article, DateOrigin};

pub(crate) struct Reuters;

const OPEN: &str = "<REUTERS";
const CLOSE: &str = "</REUTERS>";

static DATE: Lazy<Regex> = Lazy::new(|| re(r"(\d{1,2})-([A-Za-z]{3})-(\d{4})"));
static SIGN_OFF: Lazy<Regex> = Lazy::new(|| re(r"\s*\bReuter\s*$"));

impl Format for Reuters {
    fn name(&self) -> &'static str {
        "reuters"
    }

    fn detect(&self, head: &str, _path: &Path) -> u8 {
        if head.contains("<REUTERS ") || head.contains("<REUTERS>") {
            95
        } else if head.contains("<!DOCTYPE lewis") {
            80
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
            let newid = open_tag(block.text, "REUTERS")
                .and_then(|t| attr(t, "NEWID"))
                .map(str::to_string);
            let (line, n) = (block.line, block.position + 1);
            let at = match &newid {
                Some(id) => format!("line {line}, story {n} (NEWID {id})"),
                None => format!("line {line}, story {n}"),
            };
            if !block.complete {
                sink(Err(cursor.error(
                    &at,
                    "story cut short: no closing </REUTERS> (truncated file)",
                )));
                return;
            }
            let article = story(block.text, newid, block.position, cursor);
            sink(article.map_err(|reason| cursor.error(&at, reason)));
        });
        Ok(())
    }
}

fn story(
    doc: &str,
    newid: Option<String>,
    position: u64,
    cursor: &Cursor,
) -> Result<Article, String> {
    let id = match &newid {
        Some(n) => format!("reuters-{n}"),
        None => format!("{}#{position}", cursor.id_base),
    };
    let mut art = cursor.article("reuters", id, Some(position));
    art.source = Some("Reuters".into());
    art.published = tag(doc, "DATE").and_then(parse_date);
    if art.published.is_some() {
        art.published_from = Some(DateOrigin::Text);
    }
    let codes = |name: &str| -> Vec<String> {
        tag(doc, name)
            .map(|list| {
                tags(list, "D")
                    .map(|d| one_line(&clean(d)))
                    .filter(|d| !d.is_empty())
                    .collect()
            })
            .unwrap_or_default()
    };
    // Topics stay codes (`grain`, `money-fx`); entity codes become names, so they
    // merge with the entities found in the text.
    art.topic = codes("TOPICS");
    art.place = codes("PLACES").iter().map(|c| place_name(c)).collect();
    art.person = codes("PEOPLE").iter().map(|c| words_name(c)).collect();
    art.org = codes("ORGS").iter().map(|c| org_name(c)).collect();

    let text_open = open_tag(doc, "TEXT").unwrap_or("");
    let kind = attr(text_open, "TYPE")
        .unwrap_or("NORM")
        .to_ascii_uppercase();
    let text = tag(doc, "TEXT").unwrap_or("");
    art.headline = tag(text, "TITLE")
        .map(|t| one_line(&clean(t)))
        .filter(|t| !t.is_empty());
    if let Some(dl) = tag(text, "DATELINE") {
        let dl = one_line(&clean(dl));
        let dl = dl.trim_end_matches(|c: char| c == '-' || c.is_whitespace());
        if let Some(mut found) = dateline::parse_prefix(dl) {
            found.resolve_date(art.published);
            art.dateline = Some(found.dateline);
        }
    }
    let body = if kind == "UNPROC" {
        clean(text).trim().to_string()
    } else {
        tag(text, "BODY")
            .map(|b| sgml::reflow(&clean(b)))
            .unwrap_or_default()
    };
    art.body = SIGN_OFF.replace(&body, "").trim_end().to_string();
    if art.headline.is_none() && art.body.is_empty() {
        return Err("empty story: no title and no text".into());
    }
    Ok(art)
}

/// `26-FEB-1987 15:01:01.79` -> 1987-02-26.
/// `opec` -> `OPEC`; the few codes that are not acronyms get their names.
fn org_name(code: &str) -> String {
    match code {
        "worldbank" => "World Bank".into(),
        "adb-africa" => "African Development Bank".into(),
        "adb-asia" => "Asian Development Bank".into(),
        "ico-coffee" => "International Coffee Organization".into(),
        "ico-islam" => "Organisation of the Islamic Conference".into(),
        "iwc-whale" => "International Whaling Commission".into(),
        "iwc-wheat" => "International Wheat Council".into(),
        _ => code.to_uppercase(),
    }
}

/// `west-germany` -> `West Germany`, with the names news text uses for the codes
/// that are abbreviations.
fn place_name(code: &str) -> String {
    match code {
        "usa" => "United States".into(),
        "uk" => "Britain".into(),
        "ussr" => "Soviet Union".into(),
        "uae" => "United Arab Emirates".into(),
        "us-virgin-islands" => "U.S. Virgin Islands".into(),
        "trinidad-tobago" => "Trinidad and Tobago".into(),
        "yemen-arab-republic" => "North Yemen".into(),
        "yemen-demo-republic" => "South Yemen".into(),
        _ => words_name(code),
    }
}

/// `james-baker` -> `James Baker`, `de-larosiere` -> `de Larosiere`.
fn words_name(code: &str) -> String {
    code.split('-')
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, w)| {
            // Name particles stay lower case, except a lone word (`de` alone).
            let particle = ["de", "la", "del", "du", "van", "von", "al"].contains(&w);
            if particle && (i > 0 || code.contains('-')) {
                w.to_string()
            } else {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                    .unwrap_or_default()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn parse_date(s: &str) -> Option<Date> {
    let c = DATE.captures(s)?;
    let month = month_from_name(&c[2])?;
    Date::from_calendar_date(c[3].parse().ok()?, month, c[1].parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::{parse_bytes, parse_text};
    use time::macros::date;

    const FIXTURE: &str = include_str!("../../tests/fixtures/formats/reuters.sgm");

    #[test]
    fn stories_briefs_unproc_and_the_cut() {
        let out = parse_text(&Reuters, FIXTURE, "r/reut2-900.sgm");
        assert_eq!(out.len(), 5);
        let a = out[0].as_ref().expect("story");
        assert_eq!(a.id, "reuters-501");
        assert_eq!(
            a.headline.as_deref(),
            Some("PRAIRIE WHEAT <PWC> STOCKS SEEN HIGHER")
        );
        assert_eq!(a.published, Some(date!(2031 - 03 - 03)));
        assert_eq!(a.source.as_deref(), Some("Reuters"));
        let d = a.dateline.as_ref().expect("dateline");
        assert_eq!(d.place.as_deref(), Some("Winnipeg"));
        assert_eq!(d.date, Some(date!(2031 - 03 - 03)));
        assert_eq!(a.topic, vec!["grain", "wheat"]);
        assert_eq!(a.place, vec!["Canada", "United States"]);
        assert_eq!(a.person, vec!["Harper"]);
        assert_eq!(a.org, vec!["EC"]);
        assert_eq!(words_name("james-baker"), "James Baker");
        assert_eq!(words_name("de-larosiere"), "de Larosiere");
        assert_eq!(place_name("west-germany"), "West Germany");
        assert_eq!(org_name("worldbank"), "World Bank");
        assert!(
            a.body.starts_with("Wheat stocks held by prairie elevators"),
            "{}",
            a.body
        );
        assert!(a.body.contains("<Prairie Wheat Co>"));
        assert!(
            a.body.ends_with("It said exports to the EC were steady."),
            "{}",
            a.body
        );
        assert!(!a.body.chars().any(|c| c.is_control() && c != '\n'));

        let brief = out[1].as_ref().expect("brief");
        assert_eq!(
            brief.headline.as_deref(),
            Some("HARBOUR BANK RAISES PRIME RATE TO 9.5 PCT")
        );
        assert_eq!(brief.body, "");

        let unproc = out[2].as_ref().expect("unproc");
        assert_eq!(unproc.headline, None);
        assert!(unproc.body.starts_with("FERRY TRAFFIC REPORT"));

        let empty = out[3].as_ref().expect_err("empty story");
        assert!(empty.to_string().contains("NEWID 504"), "{empty}");

        let cut = out[4].as_ref().expect_err("truncated story");
        assert!(cut.to_string().contains("truncated"), "{cut}");
    }

    #[test]
    fn whole_file_streams_and_keeps_stories_before_the_cut() {
        let (info, out) = parse_bytes("reut2-900.sgm", FIXTURE.as_bytes(), None);
        assert_eq!(info.expect("parses").format, "reuters");
        assert_eq!(out.iter().filter(|r| r.is_ok()).count(), 3);
        assert_eq!(out.len(), 5);
        assert_eq!(out[2].as_ref().expect("story").position, Some(2));
    }
}
