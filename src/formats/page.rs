//! Page scrapes of wire stories: the text of a news page saved with its furniture.
//!
//! The china.org.cn layout (the project's sample) is the model: the headline line, a
//! line `0 Comment(s)Print E-mail Xinhua, December 02, 2021` giving the source and page
//! date, an optional `Adjust font size:`, the story opening with a dateline
//! (`BAGHDAD, Dec. 1 (Xinhua) -- `), paragraphs, ` Enditem`, then the page footer and a
//! comment form. Out comes one article: headline, source, page date, dateline, and the
//! body from the dateline to the end marker without any furniture. Other sites' scrapes
//! with the same kind of furniture (print/e-mail/share links, comment counts, font-size
//! controls, comment forms, `(End)` markers) are cleaned the same way.
//!
//! A page in no such layout (no source line, no end marker: any news site saved as
//! text) is handed to [`boilerplate`], which finds the story among the site's menus,
//! teasers, cookie notes and footers from the shape of its lines.

use std::path::Path;

use once_cell::sync::Lazy;
use regex::Regex;

use super::re;

use time::Date;

use super::dateline::{self, month_from_name};
use super::{Cursor, Format, ParseError};
use crate::article::{Article, DateOrigin};

mod boilerplate;
mod lines;
mod meta;

pub(crate) struct Page;

/// `0 Comment(s)Print E-mail Xinhua, December 02, 2021`
static SOURCE_LINE: Lazy<Regex> = Lazy::new(|| {
    re(
        r"^\s*(?:\d+\s*Comments?(?:\(s\))?\s*)?(?:Print\s*)?(?:E-?mail\s*)?(?P<source>[A-Z][A-Za-z.&' \-]{0,60}?)\s*,\s*(?P<month>[A-Z][a-z]+)\.?\s+(?P<day>\d{1,2}),\s*(?P<year>\d{4})\s*$",
    )
});

/// Lines that are page furniture wherever they appear.
static FURNITURE: Lazy<Regex> = Lazy::new(|| {
    re(r"(?ix)^\s*(?:
            \d+\s*comments?\(s\).*
          | \d+\s*comments?
          | (?:print\s*)?e-?mail(?:\s*bookmark\s*and\s*share)?(?:\s*print)?
          | print(?:\s*[|/]?\s*e-?mail)?(?:\s*bookmark\s*and\s*share)?
          | bookmark\s*and\s*share
          | share(?:\s*this(?:\s*(?:article|story))?)?:?
          | adjust\s*font\s*size:?.*
          | font\s*size:?\s*(?:[asml+\-]\s*)*
          | go\s*to\s*forum.*
          | no\s*comments\.?
          | add\s*your\s*comments?.*
          | [\u{2022}*\-]?\s*user\s*name\s*(?:required)?
          | [\u{2022}*\-]?\s*your\s*comment
          | [\u{2022}*\-]?\s*enter\s*the\s*words\s*you\s*see:?.*
          | racist,\s*abusive.*
          | send\s*your\s*stories.*
          | (?:comments?|leave\s*a\s*comment|post\s*a\s*comment|related\s*(?:news|stories|articles)|you\s*might\s*also\s*like)\s*:?
        )\s*$")
});

/// Lines after which nothing belongs to the story.
static TAIL: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)^\s*(?:print\s*e-?mail\s*bookmark|go\s*to\s*forum|add\s*your\s*comments|send\s*your\s*stories|no\s*comments\.?\s*$|related\s*(?:news|stories|articles)\s*:?\s*$)",
    )
});

/// ` Enditem` / `(End)` closing a story, with what follows on the same line.
static END_MARKER: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?:\s*\b(?:Enditem|ENDITEM|End\s*item)\b|\s*\((?:End|END|end)\)|\s*\[(?:End|END)\])\s*\.?\s*$",
    )
});

impl Format for Page {
    fn name(&self) -> &'static str {
        "page"
    }

    fn detect(&self, head: &str, _path: &Path) -> u8 {
        let scrape = looks_like_scrape(head);
        if super::looks_like_markup(head) {
            // A text dump may open with a stray tag; real markup is the HTML format's.
            return if scrape { 40 } else { 0 };
        }
        let first_lines: Vec<&str> = head.lines().take(12).collect();
        let mut score = 0u8;
        if first_lines
            .iter()
            .any(|l| SOURCE_LINE.is_match(l) && l.contains("Comment"))
        {
            score = 95;
        } else if first_lines.iter().any(|l| SOURCE_LINE.is_match(l)) {
            score = 60;
        }
        let furniture = head
            .lines()
            .filter(|l| FURNITURE.is_match(l) && !l.trim().is_empty())
            .count();
        if score == 0 && furniture >= 3 {
            score = 55;
        }
        if scrape {
            score = score.max(75);
        }
        score
    }

    fn parse(
        &self,
        text: &str,
        cursor: &mut Cursor,
        sink: &mut dyn FnMut(Result<Article, ParseError>),
    ) -> Result<(), ParseError> {
        let position = cursor.position;
        cursor.position += 1;
        sink(parse_page(text, cursor, position));
        Ok(())
    }
}

/// Whether `head` reads like a whole web page saved as text: many lines, most of them
/// short (menus, links, buttons) or list items, some of them site furniture, and hardly
/// any markup. (A plain article with a list of results has short lines but no furniture.)
fn looks_like_scrape(head: &str) -> bool {
    let (mut filled, mut short, mut tags, mut furniture) = (0usize, 0usize, 0usize, 0usize);
    for line in head.lines().take(400) {
        let t = line.trim();
        if t.is_empty() {
            continue;
        }
        filled += 1;
        if t.starts_with('<') {
            tags += 1;
        }
        if boilerplate::is_furniture(t) {
            furniture += 1;
        }
        let bullet = t.starts_with(['*', '+', '\u{2022}']);
        if bullet || t.split_whitespace().count() < 5 {
            short += 1;
        }
    }
    filled >= 30 && short * 2 >= filled && furniture >= 3 && tags * 10 < filled
}

/// A date like `December 02, 2021`.
fn page_date(month: &str, day: &str, year: &str) -> Option<Date> {
    let month = month_from_name(month)?;
    Date::from_calendar_date(year.parse().ok()?, month, day.parse().ok()?).ok()
}

fn parse_page(text: &str, cursor: &Cursor, position: u64) -> Result<Article, ParseError> {
    let mut art = cursor.article("page", cursor.id_base.clone(), None);
    let _ = position;
    let mut lines = text.lines().peekable();
    // Headline: the first non-empty line, exactly.
    let headline = loop {
        match lines.next() {
            Some(l) if l.trim().is_empty() => continue,
            Some(l) => break l.trim().to_string(),
            None => return Err(cursor.error("line 1", "no text")),
        }
    };
    art.headline = Some(headline);
    // Source line and furniture before the story.
    let mut rest: Vec<&str> = Vec::new();
    let mut seen_source = false;
    for line in lines.by_ref() {
        if !seen_source {
            if let Some(c) = SOURCE_LINE.captures(line) {
                seen_source = true;
                art.source = Some(c["source"].trim().to_string());
                if let Some(d) = page_date(&c["month"], &c["day"], &c["year"]) {
                    art.published = Some(d);
                    art.published_from = Some(DateOrigin::Text);
                }
                continue;
            }
        }
        if line.trim().is_empty() || FURNITURE.is_match(line) {
            continue;
        }
        rest.push(line);
        break;
    }
    rest.extend(lines);
    // The story: up to the end marker or the page footer.
    let mut paragraphs: Vec<String> = Vec::new();
    let mut ended = false;
    for line in rest {
        if TAIL.is_match(line) {
            break;
        }
        if FURNITURE.is_match(line) {
            continue;
        }
        if let Some(m) = END_MARKER.find(line) {
            let kept = line[..m.start()].trim_end();
            if !kept.is_empty() {
                paragraphs.push(kept.to_string());
            }
            ended = true;
            break;
        }
        paragraphs.push(line.trim_end().to_string());
    }
    let mut body = super::tidy_paragraphs(&paragraphs.join("\n"));
    // Not the wire-page layout: find the story among the page's furniture.
    if !seen_source && !ended {
        if let Some(found) = boilerplate::find(text) {
            if found.headline.is_some() {
                art.headline = found.headline;
            }
            if let Some(d) = found.published {
                art.published = Some(d);
                art.published_from = Some(DateOrigin::Text);
            }
            body = found.body;
        }
    }
    if let Some(mut found) = dateline::find(&body) {
        let context = art.published.or(cursor.path_date);
        let date = found.resolve_date(context);
        if art.published.is_none() {
            if let Some(d) = found.year.and(date) {
                art.published = Some(d);
                art.published_from = Some(DateOrigin::Text);
            } else if let Some(d) = cursor.path_date {
                art.published = Some(d);
                art.published_from = Some(DateOrigin::Path);
            }
        }
        if art.source.is_none() {
            art.source = found.dateline.agency.clone();
        }
        body = body[found.body_start..].trim_start().to_string();
        art.dateline = Some(found.dateline);
    } else if art.published.is_none() {
        if let Some(d) = cursor.path_date {
            art.published = Some(d);
            art.published_from = Some(DateOrigin::Path);
        }
    }
    art.category = cursor.folder_category.clone();
    art.body = body;
    if art.body.is_empty() && art.headline.is_none() {
        return Err(cursor.error("line 1", "no story text found"));
    }
    Ok(art)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::testutil::articles;
    use time::macros::date;

    const SAMPLE: &str = include_str!("../../tests/fixtures/formats/page.txt");
    const NEW_YEAR: &str = include_str!("../../tests/fixtures/formats/page-new-year.txt");
    const OTHER_SITE: &str = include_str!("../../tests/fixtures/formats/page-other-site.txt");
    const SCRAPE: &str = include_str!("../../tests/fixtures/formats/page-scrape.txt");

    #[test]
    fn china_org_cn_layout() {
        let a = &articles(&Page, SAMPLE, "pages/2030-harbour.txt")[0];
        assert_eq!(
            a.headline.as_deref(),
            Some("Harbour city opens floating solar farm")
        );
        assert_eq!(a.source.as_deref(), Some("Xinhua"));
        assert_eq!(a.published, Some(date!(2030 - 03 - 05)));
        assert_eq!(a.published_from, Some(DateOrigin::Text));
        let d = a.dateline.as_ref().expect("dateline");
        assert_eq!(d.place.as_deref(), Some("Port Louis"));
        assert_eq!(d.date, Some(date!(2030 - 03 - 04)));
        assert_eq!(d.agency.as_deref(), Some("Xinhua"));
        assert!(
            a.body.starts_with("The island's largest floating"),
            "{}",
            a.body
        );
        assert!(a.body.ends_with("by the end of the year."), "{}", a.body);
        for furniture in [
            "Enditem",
            "Comment(s)",
            "Print E-mail",
            "Adjust font size",
            "Bookmark",
            "Go to Forum",
            "User Name",
            "Send your stories",
            "Racist",
        ] {
            assert!(!a.body.contains(furniture), "{furniture} left in body");
        }
        assert_eq!(a.format, "page");
        assert_eq!(a.id, "pages/2030-harbour");
    }

    #[test]
    fn dateline_year_wraps_before_a_january_page() {
        let a = &articles(&Page, NEW_YEAR, "p/x.txt")[0];
        assert_eq!(a.published, Some(date!(2031 - 01 - 01)));
        let d = a.dateline.as_ref().expect("dateline");
        assert_eq!(d.date, Some(date!(2030 - 12 - 31)));
        assert_eq!(d.place.as_deref(), Some("United Nations"));
        assert!(a.body.ends_with("next week."), "{}", a.body);
    }

    #[test]
    fn other_site_furniture_and_end_marker() {
        let a = &articles(&Page, OTHER_SITE, "p/y.txt")[0];
        assert_eq!(
            a.headline.as_deref(),
            Some("Mountain railway reopens after landslide repairs")
        );
        let d = a.dateline.as_ref().expect("dateline");
        assert_eq!(d.place.as_deref(), Some("Kuala Lumpur"));
        assert!(!a.body.contains("(End)"));
        assert!(!a.body.contains("Share this"));
        assert!(a.body.ends_with("within a month."), "{}", a.body);
    }

    #[test]
    fn detection_prefers_the_page_layout() {
        assert!(Page.detect(SAMPLE, Path::new("a.txt")) >= 90);
        assert_eq!(
            Page.detect(
                "Headline\n\nSEOUL, Nov. 1 (Xinhua) -- Text.",
                Path::new("a.txt")
            ),
            0
        );
    }

    #[test]
    fn site_saved_as_text_gives_the_story_without_furniture() {
        let a = &articles(&Page, SCRAPE, "pages/millbrook.txt")[0];
        assert_eq!(
            a.headline.as_deref(),
            Some("Glasshouse village harvests its first winter tomatoes")
        );
        // Every paragraph and the subheading, in order, each once.
        let paragraphs = [
            "The glasshouses at Millbrook sent their first winter crop",
            "Forty households share the twelve glasshouses",
            "\"We were told it could not be done this far north,\"",
            "Cheaper heat, longer seasons",
            "The mill's owners pay nothing for the heat",
            "An engineer from the regional college measured the soil",
            "The association now plans a second row of glasshouses",
        ];
        let mut from = 0;
        for p in paragraphs {
            let at = a.body[from..]
                .find(p)
                .unwrap_or_else(|| panic!("{p:?} lost or out of order in {:?}", a.body));
            from += at + p.len();
            assert_eq!(a.body.matches(p).count(), 1, "{p:?} repeated");
        }
        assert!(a.body.starts_with(paragraphs[0]), "{}", a.body);
        assert!(a.body.ends_with("before the summer fair."), "{}", a.body);
        // The date the page shows by the byline.
        assert_eq!(a.published, Some(date!(2037 - 03 - 12)));
        assert_eq!(a.published_from, Some(DateOrigin::Text));
        for furniture in [
            "cookies",
            "Subscribe",
            "Sign In",
            "Newsletters",
            "Valley Courier",
            "Growers say heat",
            "By Orla Fenwick",
            "Photo:",
            "Advertisement",
            "Read more",
            "Share",
            "Farming",
            "Related stories",
            "Ferry timetable",
            "Library opens",
            "Most read",
            "Join the conversation",
            "Privacy policy",
            "All rights reserved",
        ] {
            assert!(!a.body.contains(furniture), "{furniture:?} left in body");
        }
        assert_eq!(a.format, "page");
    }

    #[test]
    fn a_site_saved_as_text_is_read_as_a_page() {
        let path = Path::new("a.txt");
        assert_eq!(
            crate::formats::detect(SCRAPE, path).map(|f| f.name()),
            Some("page")
        );
        // A dump that opens with a stray tag is still a page, not markup.
        let tagged = format!("<img src=\"pixel.gif\">\n{SCRAPE}");
        assert_eq!(
            crate::formats::detect(&tagged, path).map(|f| f.name()),
            Some("page")
        );
    }

    #[test]
    fn a_page_opening_with_an_empty_check_box_is_not_json() {
        // lynx draws an unticked check box as `[ ]`; an empty JSON array is `[ ]` alone.
        let boxed = format!("   [ ]\n\n   ____________________\n{SCRAPE}");
        let path = Path::new("a.txt");
        assert_eq!(
            crate::formats::detect(&boxed, path).map(|f| f.name()),
            Some("page")
        );
        assert_eq!(
            crate::formats::detect("[ ]\n", Path::new("a.json")).map(|f| f.name()),
            Some("json")
        );
    }

    #[test]
    fn plain_article_with_a_results_list_stays_plain_text() {
        // Short lines alone (a list of fixtures) do not make a saved web page.
        let mut text = String::from(
            "Harbour clubs learn their cup opponents\n\n\
             The draw for the third round was made on Monday evening in the town hall.\n\n",
        );
        for i in 0..40 {
            text.push_str(&format!("Club {i} v Club {}\n\n", i + 40));
        }
        assert!(!looks_like_scrape(&text));
        assert_ne!(
            crate::formats::detect(&text, Path::new("a.txt")).map(|f| f.name()),
            Some("page")
        );
    }

    #[test]
    fn wire_page_layouts_skip_the_furniture_finder() {
        // The china.org.cn layout keeps its own cleaning: the body is exactly the story,
        // even though its short lines would look like furniture to the finder.
        let a = &articles(&Page, SAMPLE, "pages/2030-harbour.txt")[0];
        let b = &articles(&Page, OTHER_SITE, "p/y.txt")[0];
        assert!(a.body.starts_with("The island's largest floating"));
        assert!(b.body.starts_with("The hill railway"), "{}", b.body);
    }
}
