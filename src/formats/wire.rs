//! Plain articles and wire copy: a headline line, then the body.
//!
//! In: text such as `Headline\n\nKUALA LUMPUR, April 1 (AFP) - Shares fell...` or a
//! BBC-style `Headline\n\nBody...`. Out: one article with the headline, the dateline
//! (place, date, agency) when the story opens with one, the body after the dateline,
//! the category from a section-named parent folder (`bbc/sport/199.txt`), and a date
//! from the text or, when the text gives none or no year, from the file path
//! (`AFP_ENG_19970401.0006`), marked as such. This is also the fallback for any text
//! file no other format claims.

use std::path::Path;

use once_cell::sync::Lazy;
use regex::Regex;

use super::dateline;
use super::{Cursor, Format, ParseError};
use crate::article::{Article, DateOrigin};

pub(crate) struct Wire;

impl Format for Wire {
    fn name(&self) -> &'static str {
        "wire"
    }

    fn detect(&self, head: &str, _path: &Path) -> u8 {
        let t = head.trim_start();
        if super::looks_like_markup(t) {
            return 0;
        }
        let mut paras = t.split("\n\n").map(str::trim).filter(|p| !p.is_empty());
        let first = paras.next().unwrap_or("");
        if dateline::find(first).is_some() {
            return 70;
        }
        let first_line = first.lines().next().unwrap_or("");
        if paras.take(3).any(|p| dateline::find(p).is_some()) && first_line.len() <= 300 {
            return 70;
        }
        // Any other text: one article, headline line then body.
        20
    }

    fn parse(
        &self,
        text: &str,
        cursor: &mut Cursor,
        sink: &mut dyn FnMut(Result<Article, ParseError>),
    ) -> Result<(), ParseError> {
        cursor.position += 1;
        sink(parse_wire(text, cursor));
        Ok(())
    }
}

fn parse_wire(text: &str, cursor: &Cursor) -> Result<Article, ParseError> {
    let mut art = cursor.article("wire", cursor.id_base.clone(), None);
    let text = super::tidy_paragraphs(text);
    // Desk notes (`ATTENTION - UPDATES, ADDS quotes ///`) are for editors, not readers.
    let text = strip_desk_notes(&text);
    if text.is_empty() {
        return Err(cursor.error("line 1", "no text"));
    }
    let (first_line, rest) = text.split_once('\n').unwrap_or((text.as_str(), ""));
    let mut body;
    let found;
    if let Some(f) = dateline::find(first_line).filter(|f| f.body_start < first_line.len()) {
        // No headline: the story opens with its dateline.
        found = Some(f);
        body = text.clone();
    } else {
        art.headline = Some(strip_headline_notes(first_line.trim()));
        body = rest.trim_start().to_string();
        // `By JANE DOE` on a line of its own between the headline and the story.
        let first_para = body.split("\n\n").next().unwrap_or("");
        if let Some(name) = byline_line(first_para) {
            art.byline = Some(name);
            body = body[first_para.len()..].trim_start().to_string();
        }
        found = dateline::find(&body);
    }
    if let Some(mut f) = found {
        let date = f.resolve_date(cursor.path_date);
        if let (Some(_), Some(d)) = (f.year, date) {
            art.published = Some(d);
            art.published_from = Some(DateOrigin::Text);
        }
        art.source = f.dateline.agency.clone();
        body = body[f.body_start..].trim_start().to_string();
        art.dateline = Some(f.dateline);
    }
    if art.published.is_none() {
        if let Some(d) = cursor.path_date {
            art.published = Some(d);
            art.published_from = Some(DateOrigin::Path);
        }
    }
    art.body = strip_end_marker(&body);
    art.category = cursor.folder_category.clone();
    Ok(art)
}

/// Drops desk-note lines such as `ATTENTION - UPDATES, ADDS quotes ///` and
/// `=(PICTURE)=`.
fn strip_desk_notes(text: &str) -> String {
    static NOTE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(r"^\s*(?:ATTENTION\b.*|.*///\s*|=\s*\([A-Z+ ]+\)\s*=)$")
            .unwrap_or_else(|e| unreachable!("static regex: {e}"))
    });
    if !text.lines().any(|l| NOTE.is_match(l)) {
        return text.to_string();
    }
    let kept: Vec<&str> = text.lines().filter(|l| !NOTE.is_match(l)).collect();
    kept.join("\n").trim().to_string()
}

/// Drops editors' notes at the end of a headline: `(pictures)`, `(ADDS details)`,
/// `(UPDATES with ...)`, `(CORRECTS ...)`.
fn strip_headline_notes(headline: &str) -> String {
    static NOTE: Lazy<Regex> = Lazy::new(|| {
        Regex::new(
            r"(?:\s*\((?:pictures?|photos?|graphics?|video|map|ADDS?\b[^)]*|UPDATES?\b[^)]*|RECASTS?\b[^)]*|CORRECTS?\b[^)]*|REFILES?\b[^)]*|WRAPUP\b[^)]*|EDITS?\b[^)]*|REPEATS?\b[^)]*)\))+\s*$",
        )
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
    });
    let cut = NOTE.replace(headline, "");
    if cut.trim().is_empty() {
        headline.to_string()
    } else {
        cut.trim().to_string()
    }
}

/// `By JANE DOE` / `By Jane Doe, Staff Writer` -> the name, when `line` is only that.
fn byline_line(line: &str) -> Option<String> {
    let line = line.trim();
    let name = line
        .strip_prefix("By ")
        .or_else(|| line.strip_prefix("BY "))?
        .trim();
    let short = !name.is_empty() && name.len() <= 80 && !name.contains('\n');
    let starts_upper = name.chars().next().is_some_and(char::is_uppercase);
    (short && starts_upper && !name.ends_with('.')).then(|| dateline::title_case_name(name))
}

/// Drops a closing `Enditem` / `(End)` / `(AFP)`-style sign-off marker.
fn strip_end_marker(body: &str) -> String {
    let t = body.trim_end();
    for marker in [" Enditem", "Enditem", "(End)", "(END)", "[End]"] {
        if let Some(s) = t.strip_suffix(marker) {
            return s.trim_end().to_string();
        }
    }
    t.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::{articles, parse_bytes};
    use time::macros::date;

    const AFP: &str = include_str!("../../tests/fixtures/formats/wire.txt");
    const AP: &str = include_str!("../../tests/fixtures/formats/wire-ap.txt");
    const PLAIN: &str = include_str!("../../tests/fixtures/formats/plain.txt");

    #[test]
    fn desk_notes_are_not_headlines_or_text() {
        let text = "ATTENTION - UPDATES, ADDS quotes ///\n\nOSLO, March 3 (AFP) - Ferries ran again on Tuesday.\n";
        let a = &articles(&Wire, text, "afp/AFP_ENG_20300303.0001.txt")[0];
        assert_eq!(a.headline, None, "the file has no headline");
        assert_eq!(a.body, "Ferries ran again on Tuesday.");
        let text =
            "Ferries run again (pictures) (ADDS quotes)\n\nOSLO, March 3 (AFP) - Ferries ran.\n";
        let a = &articles(&Wire, text, "afp/AFP_ENG_20300303.0002.txt")[0];
        assert_eq!(a.headline.as_deref(), Some("Ferries run again"));
        assert_eq!(strip_headline_notes("(ADDS quotes)"), "(ADDS quotes)");
        let text = "= (PICTURES) =\n\nOSLO, March 3 (AFP) - Ferries ran.\n";
        let a = &articles(&Wire, text, "afp/AFP_ENG_20300303.0003.txt")[0];
        assert_eq!(
            (a.headline.as_deref(), a.body.as_str()),
            (None, "Ferries ran.")
        );
    }

    #[test]
    fn agency_wire_with_date_from_path() {
        let a = &articles(&Wire, AFP, "afp/AFP_ENG_20300401.0006.txt")[0];
        assert_eq!(
            a.headline.as_deref(),
            Some("Regional share markets slip at midday")
        );
        let d = a.dateline.as_ref().expect("dateline");
        assert_eq!(d.place.as_deref(), Some("Kuala Lumpur"));
        assert_eq!(d.agency.as_deref(), Some("AFP"));
        assert_eq!(d.date, Some(date!(2030 - 04 - 01)));
        assert_eq!(a.source.as_deref(), Some("AFP"));
        assert_eq!(a.published, Some(date!(2030 - 04 - 01)));
        assert_eq!(a.published_from, Some(DateOrigin::Path));
        assert!(
            a.body.starts_with("Share prices in the region"),
            "{}",
            a.body
        );
    }

    #[test]
    fn byline_line_before_the_dateline() {
        let text = "Ferry strike ends\n\nBy MARTA LOPEZ\n\nLISBON, May 3 (Reuters) - The ferry strike ended on Friday.\n";
        let a = &articles(&Wire, text, "w/x.txt")[0];
        assert_eq!(a.byline.as_deref(), Some("Marta Lopez"));
        assert_eq!(
            a.dateline.as_ref().and_then(|d| d.place.as_deref()),
            Some("Lisbon")
        );
        assert!(a.body.starts_with("The ferry strike"), "{}", a.body);
        let plain = "Why we walk\n\nBy the river, people walk at dawn.\n";
        assert_eq!(articles(&Wire, plain, "w/y.txt")[0].byline, None);
    }

    #[test]
    fn no_date_anywhere_means_no_date() {
        let a = &articles(&Wire, AFP, "afp/story.txt")[0];
        assert_eq!(a.published, None);
        assert_eq!(a.dateline.as_ref().and_then(|d| d.date), None);
    }

    #[test]
    fn ap_dateline_without_date() {
        let a = &articles(&Wire, AP, "2030/05/17/orchestra.txt")[0];
        let d = a.dateline.as_ref().expect("dateline");
        assert_eq!(d.place.as_deref(), Some("New York"));
        assert_eq!(d.agency.as_deref(), Some("AP"));
        assert_eq!(a.published, Some(date!(2030 - 05 - 17)));
        assert_eq!(a.published_from, Some(DateOrigin::Path));
    }

    #[test]
    fn plain_article_takes_its_category_from_the_folder() {
        let a = &articles(&Wire, PLAIN, "bbc/sport/042.txt")[0];
        assert_eq!(
            a.headline.as_deref(),
            Some("Harbourside club sign veteran keeper")
        );
        assert_eq!(a.category.as_deref(), Some("sport"));
        assert_eq!(a.dateline, None);
        assert_eq!(a.published, None);
        assert!(a.body.starts_with("Harbourside have signed"));
    }

    #[test]
    fn bracketed_first_word_is_still_plain_text() {
        assert!(
            Wire.detect(
                "[Updated] Ferry strike ends\n\nThe strike ended.",
                Path::new("a.txt")
            ) > 0
        );
        assert_eq!(Wire.detect("[{\"title\": \"x\"}]", Path::new("a.txt")), 0);
    }

    #[test]
    fn latin1_pound_sign_decodes() {
        let mut bytes =
            b"Club fined over ticket prices\n\nThe club was fined \xa3250,000 on Monday.\n"
                .to_vec();
        bytes.extend_from_slice(b"It will appeal.\n");
        let (info, arts) = parse_bytes("sport/7.txt", &bytes, None);
        assert_eq!(info.expect("parses").format, "wire");
        let a = arts[0].as_ref().expect("article");
        assert!(a.body.contains("\u{a3}250,000"), "{}", a.body);
        assert_eq!(a.category.as_deref(), Some("sport"));
    }
}
