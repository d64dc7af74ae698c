//! The headline and the date of a story found in a page saved as text, from the lines
//! around it.
//!
//! In: the page's lines ([`super::lines`]) and where the story starts and ends. Out: the
//! headline, the title-like line among the few just above the story (a heading the dump
//! sets flush left, where the page's text is indented, before any other; then the
//! longest), and the page date, the first date in a short line among those just above the
//! story or at its top (a byline or `Published ...` line), never in a caption.

use once_cell::sync::Lazy;
use regex::{Captures, Regex};
use time::{Date, Month};

use super::lines::{Line, JUNK, MENU, SECTION};
use crate::formats::dateline::month_from_name;
use crate::formats::re;

/// How far above the story the headline and the date are looked for, in non-blank lines.
const REACH: usize = 12;
/// How many lines at the top of the story may hold the date.
const DATE_LINES_IN_STORY: usize = 3;
/// Words of a headline, and at most of a line holding the date.
const HEADLINE_WORDS: std::ops::RangeInclusive<usize> = 4..=20;
const DATE_LINE_WORDS: usize = 20;

/// `2019-11-19`, `2019-11-19T12:48:14Z`.
static ISO: Lazy<Regex> = Lazy::new(|| re(r"\b((?:19|20)\d{2})-([01]\d)-([0-3]\d)(?:[^0-9]|$)"));
/// `November 19, 2019`, `Nov. 19 2019`, `Nov 19 20194:29 AM` (a year run into the time).
static MONTH_FIRST: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+((?:19|20)\d{2})(?:[^0-9]|$|\d{1,2}:)",
    )
});
/// `19 November 2019`, `19th Nov. 2019`.
static DAY_FIRST: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\.?,?\s+((?:19|20)\d{2})(?:[^0-9]|$|\d{1,2}:)",
    )
});

/// The headline of the story starting at line `start`.
pub(super) fn headline(lines: &[Line], start: usize) -> Option<String> {
    let filled: Vec<&Line> = lines.iter().filter(|l| !l.blank).collect();
    let indented = filled
        .iter()
        .filter(|l| l.raw.starts_with(char::is_whitespace))
        .count();
    let headings_flush_left = indented * 2 >= filled.len();
    let mut best: Option<(bool, usize, &Line)> = None;
    for line in lines[..start].iter().rev().filter(|l| !l.blank).take(REACH) {
        if !title_like(line) {
            continue;
        }
        let heading = headings_flush_left && !line.raw.starts_with(char::is_whitespace);
        // The nearest wins a tie.
        if best.is_none_or(|(h, w, _)| (heading, line.words) > (h, w)) {
            best = Some((heading, line.words, line));
        }
    }
    best.map(|(_, _, l)| l.core.to_string())
}

/// Whether the line could be the headline: a few words, not a sentence, not furniture,
/// not a date.
fn title_like(line: &Line) -> bool {
    HEADLINE_WORDS.contains(&line.words)
        && !line.bullet
        && !line.aside
        && !line.core.ends_with('.')
        && !MENU.is_match(line.core)
        && !SECTION.is_match(line.core)
        && !JUNK.is_match(line.core)
        && date_in(line.core).is_none()
}

/// The date the page shows for the story in lines `start..end`.
pub(super) fn date(lines: &[Line], start: usize, end: usize) -> Option<Date> {
    let mut above: Vec<&Line> = lines[..start]
        .iter()
        .rev()
        .filter(|l| !l.blank)
        .take(REACH)
        .collect();
    above.reverse();
    let top = lines[start..end]
        .iter()
        .filter(|l| !l.blank)
        .take(DATE_LINES_IN_STORY);
    above
        .into_iter()
        .chain(top)
        .filter(|l| l.words <= DATE_LINE_WORDS && !l.prose && !l.caption)
        .find_map(|l| date_in(l.core))
}

/// The first full date (day, month and year) written in `s`.
pub(super) fn date_in(s: &str) -> Option<Date> {
    let make = |y: &str, m: Month, d: &str| -> Option<Date> {
        Date::from_calendar_date(y.parse().ok()?, m, d.parse().ok()?).ok()
    };
    if let Some(c) = ISO.captures(s) {
        let m = Month::try_from(c[2].parse::<u8>().ok()?).ok()?;
        return make(&c[1], m, &c[3]);
    }
    let named = |c: Captures, month: usize, day: usize| -> Option<Date> {
        make(&c[3], month_from_name(&c[month])?, &c[day])
    };
    MONTH_FIRST
        .captures(s)
        .and_then(|c| named(c, 1, 2))
        .or_else(|| DAY_FIRST.captures(s).and_then(|c| named(c, 2, 1)))
}

#[cfg(test)]
mod tests {
    use super::super::lines::analyse;
    use super::*;
    use time::macros::date;

    #[test]
    fn dates_as_pages_write_them() {
        assert_eq!(
            date_in("Updated: 18 Nov 2019 9:38 pm"),
            Some(date!(2019 - 11 - 18))
        );
        assert_eq!(
            date_in("November 12, 2018 | BY: Staff"),
            Some(date!(2018 - 11 - 12))
        );
        assert_eq!(
            date_in("Published Wed, Nov 20 20194:29 AM EST"),
            Some(date!(2019 - 11 - 20))
        );
        assert_eq!(
            date_in("By Ann Lee - Contributor 2019-11-19T12:48:14Z"),
            Some(date!(2019 - 11 - 19))
        );
        assert_eq!(date_in("Posted on the 5th of never"), None);
        assert_eq!(date_in("Since 2019 the ferry runs daily"), None);
    }

    #[test]
    fn flush_left_heading_is_the_headline_and_the_byline_gives_the_date() {
        let page = "Harbour Post\n   Weather warnings for the whole coast this weekend\n\
            Quay reopens to ferries after storm repairs\n   By Tomas Reyes\n   \
            March 4, 2030\n   The harbour crane lifted the last concrete block into place on Monday, ending five months of repairs.\n   \
            Ferries will use the north quay again from Friday, the port authority said in a statement.\n   \
            A photo of the quay taken on March 1, 2030 (Image: Harbour Trust)\n";
        let lines = analyse(page);
        let start = lines.iter().position(|l| l.prose).expect("a story");
        assert_eq!(
            headline(&lines, start).as_deref(),
            Some("Quay reopens to ferries after storm repairs")
        );
        assert_eq!(
            date(&lines, start, lines.len()),
            Some(date!(2030 - 03 - 04))
        );
    }
}
