//! Wire datelines and the dates around them, shared by every text format.
//!
//! In: the opening of a story (`BAGHDAD, Dec. 1 (Xinhua) -- The Iraqi ...`), a year to
//! complete a month-and-day, a file path. Out: the place in title case, the full date
//! when the year is known, the agency, and where the story text starts. Also dates
//! found in file paths (`AFP_ENG_19970401`, `2021/12/02/`, `2021-12-02-slug`).

use once_cell::sync::Lazy;
use regex::Regex;

use super::re;

use time::{Date, Month};

use crate::article::Dateline;

/// A dateline found at the start of a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    pub dateline: Dateline,
    /// Month and day from the dateline, when it gives them.
    pub month_day: Option<(Month, u8)>,
    /// Year written in the dateline, if any.
    pub year: Option<i32>,
    /// Byte offset in the text where the story itself starts.
    pub body_start: usize,
}

static SEPARATOR: Lazy<Regex> = Lazy::new(|| re(r"\s*(?:--+|-|\u{2013}|\u{2014}|_|:)(?:\s+|$)"));
static AGENCY: Lazy<Regex> =
    Lazy::new(|| re(r"\(\s*([A-Z][A-Za-z&\-]*(?: [A-Z][A-Za-z&\-]*){0,3})\s*\)\s*$"));
static MONTH_DAY: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)(?:^|[\s,.])(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?\s+(\d{1,2})(?:\s*,\s*(\d{4}))?\s*,?$",
    )
});
static DAY_MONTH: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)(?:^|[\s,.])(\d{1,2})\s+(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?(?:\s+(\d{4}))?\s*,?$",
    )
});
static PLACE_OK: Lazy<Regex> =
    Lazy::new(|| re(r"^[A-Z][A-Za-z\u{c0}-\u{17f}'\u{2019}.\- ]*[A-Za-z.\u{c0}-\u{17f}]$"));

/// Parses a month name or abbreviation (`Dec`, `Dec.`, `December`, `Sept`).
pub(crate) fn month_from_name(name: &str) -> Option<Month> {
    const MONTHS: [(&str, Month); 12] = [
        ("january", Month::January),
        ("february", Month::February),
        ("march", Month::March),
        ("april", Month::April),
        ("may", Month::May),
        ("june", Month::June),
        ("july", Month::July),
        ("august", Month::August),
        ("september", Month::September),
        ("october", Month::October),
        ("november", Month::November),
        ("december", Month::December),
    ];
    let n = name.trim_end_matches('.').to_ascii_lowercase();
    if n.len() < 3 {
        return None;
    }
    MONTHS
        .iter()
        .find(|(full, _)| full.starts_with(&n))
        .map(|(_, m)| *m)
}

/// Looks for a dateline at the start of `text` (after leading whitespace).
///
/// Accepts `PLACE, Month D (AGENCY) --`, `PLACE (AGENCY) --`, `PLACE, Month D -`,
/// `PLACE, State, Month D -`, `PLACE, Month D, YYYY (AGENCY) -` and the odd shapes wire
/// archives hold (`SEOUL. April 11, April 11 (AFP) -`). A dateline needs an agency or a
/// date, and ends with a dash-like separator; the place must look like a place written
/// in capitals (or title case when an agency or date vouches for it).
pub(crate) fn find(text: &str) -> Option<Found> {
    let lead = text.len() - text.trim_start().len();
    let window_end = floor_char(text, (lead + 160).min(text.len()));
    let window = &text[lead..window_end];
    // The first line only: a dateline never spans lines.
    let window = window.split('\n').next().unwrap_or(window);
    for sep in SEPARATOR.find_iter(window) {
        let prefix = window[..sep.start()].trim();
        if prefix.is_empty() || prefix.len() > 100 {
            continue;
        }
        if let Some(mut found) = parse_prefix(prefix) {
            found.body_start = lead + sep.end();
            return Some(found);
        }
        // Only the first plausible separator is considered for long prefixes: a later
        // dash is inside the story.
        if prefix.split_whitespace().count() > 12 {
            break;
        }
    }
    None
}

/// Parses a dateline without its separator: `BAGHDAD, Dec. 1 (Xinhua)`.
pub(crate) fn parse_prefix(prefix: &str) -> Option<Found> {
    let mut rest = prefix.trim();
    let mut agency = None;
    if let Some(c) = AGENCY.captures(rest) {
        agency = Some(c[1].to_string());
        rest = rest[..c.get(0).map_or(rest.len(), |m| m.start())].trim_end();
    }
    let mut month_day = None;
    let mut year = None;
    let month_first = MONTH_DAY.captures(rest).map(|c| {
        (
            c.get(0).map_or(0, |m| m.start()),
            c[1].to_string(),
            c[2].to_string(),
            c.get(3).map(|y| y.as_str().to_string()),
        )
    });
    let day_first = || {
        DAY_MONTH.captures(rest).map(|c| {
            (
                c.get(0).map_or(0, |m| m.start()),
                c[2].to_string(),
                c[1].to_string(),
                c.get(3).map(|y| y.as_str().to_string()),
            )
        })
    };
    if let Some((start, month, day, y)) = month_first.or_else(day_first) {
        let month = month_from_name(&month)?;
        let day: u8 = day.parse().ok()?;
        if !(1..=31).contains(&day) {
            return None;
        }
        month_day = Some((month, day));
        year = y.and_then(|y| y.parse().ok());
        rest = rest[..start].trim_end_matches([',', '.', ' ']);
        // `SEOUL. April 11, April 11`: a second month-day before the first.
        if let Some(c2) = MONTH_DAY.captures(rest) {
            let start = c2.get(0).map_or(rest.len(), |m| m.start());
            rest = rest[..start].trim_end_matches([',', '.', ' ']);
        }
    }
    if agency.is_none() && month_day.is_none() {
        return None;
    }
    // The place: the first comma- or period-separated part (`PORTLAND, Ore.` -> PORTLAND).
    let place_raw = first_part(rest.split(',').next().unwrap_or(""))
        .trim()
        .trim_end_matches('.');
    let place = if place_raw.is_empty() {
        None
    } else {
        let words = place_raw.split_whitespace().count();
        let upper = place_raw.chars().any(|c| c.is_uppercase())
            && !place_raw.chars().any(|c| c.is_lowercase());
        if !PLACE_OK.is_match(place_raw) || words > 5 || (!upper && words > 3) {
            return None;
        }
        if !upper && agency.is_none() {
            // `Tokyo, March 2 -` is accepted only in capitals without an agency: a
            // title-case "Word, May 5 -" is too often an ordinary sentence.
            return None;
        }
        Some(if upper {
            title_case_place(place_raw)
        } else {
            place_raw.to_string()
        })
    };
    Some(Found {
        dateline: Dateline {
            place,
            date: None,
            agency,
        },
        month_day,
        year,
        body_start: 0,
    })
}

/// The part before a `. ` that ends a place (`SEOUL. April 11`), keeping
/// abbreviations inside names (`ST. LOUIS`, `MT. VERNON`).
fn first_part(s: &str) -> &str {
    let mut from = 0;
    while let Some(i) = s[from..].find(". ") {
        let at = from + i;
        let word = s[..at].rsplit(' ').next().unwrap_or("");
        if !matches!(
            word.to_ascii_uppercase().as_str(),
            "ST" | "STE" | "MT" | "FT" | "PT" | "N" | "S" | "E" | "W"
        ) {
            return &s[..at];
        }
        from = at + 2;
    }
    s
}

impl Found {
    /// Completes the dateline date: with its own year, or the year of `context`
    /// (a page or path date) nearest to it, so a `Dec. 31` story on a `January 1`
    /// page belongs to the year before.
    pub(crate) fn resolve_date(&mut self, context: Option<Date>) -> Option<Date> {
        let (month, day) = self.month_day?;
        let date = match (self.year, context) {
            (Some(y), _) => Date::from_calendar_date(y, month, day).ok(),
            (None, Some(ctx)) => nearest_year(month, day, ctx),
            (None, None) => None,
        };
        self.dateline.date = date;
        date
    }
}

/// The date with `month` and `day` nearest to `ctx` (same, previous or next year).
pub(crate) fn nearest_year(month: Month, day: u8, ctx: Date) -> Option<Date> {
    [ctx.year(), ctx.year() - 1, ctx.year() + 1]
        .iter()
        .filter_map(|&y| Date::from_calendar_date(y, month, day).ok())
        .min_by_key(|d| (*d - ctx).whole_days().abs())
}

/// Title case for a place written in capitals: `KUALA LUMPUR` -> `Kuala Lumpur`,
/// `RIO DE JANEIRO` -> `Rio de Janeiro`, `XI'AN` -> `Xi'an`, `PORT-AU-PRINCE` ->
/// `Port-au-Prince`, `ST. LOUIS` -> `St. Louis`.
pub(crate) fn title_case_place(s: &str) -> String {
    const PARTICLES: &[&str] = &[
        "de", "da", "del", "des", "di", "du", "la", "le", "of", "the", "and", "es", "au", "en",
        "sur", "aux",
    ];
    let mut out = String::with_capacity(s.len());
    let mut word_index = 0;
    for (i, word) in s.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        if word.is_empty() {
            continue;
        }
        for (j, part) in word.split('-').enumerate() {
            if j > 0 {
                out.push('-');
            }
            let lower = part.to_lowercase();
            if word_index > 0 && PARTICLES.contains(&lower.as_str()) {
                out.push_str(&lower);
            } else {
                out.push_str(&capitalise(&lower));
            }
            word_index += 1;
        }
    }
    out
}

/// `hillel` -> `Hillel`; `o'neill` -> `O'Neill`; `xi'an` -> `Xi'an`.
pub(crate) fn capitalise(lower: &str) -> String {
    let mut out = String::with_capacity(lower.len());
    let mut chars = lower.chars();
    if let Some(c) = chars.next() {
        out.extend(c.to_uppercase());
    }
    let rest: String = chars.collect();
    // A one-letter prefix before an apostrophe (O', D', L') capitalises what follows.
    if let Some(r) = rest
        .strip_prefix('\'')
        .or_else(|| rest.strip_prefix('\u{2019}'))
    {
        out.push_str(&rest[..rest.len() - r.len()]);
        out.push_str(&capitalise(r));
    } else {
        out.push_str(&rest);
    }
    out
}

/// Title case for a name in capitals: `HILLEL ITALIE` -> `Hillel Italie`,
/// `W. DALE NELSON` -> `W. Dale Nelson`. Words already in mixed case are kept.
pub(crate) fn title_case_name(s: &str) -> String {
    s.split_whitespace()
        .map(|w| {
            if w.chars().any(|c| c.is_lowercase()) {
                w.to_string()
            } else {
                w.split('-')
                    .map(|p| capitalise(&p.to_lowercase()))
                    .collect::<Vec<_>>()
                    .join("-")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

static PATH_YMD: Lazy<Regex> =
    Lazy::new(|| re(r"(?:^|[^0-9])((?:19|20)\d{2})([01]\d)([0-3]\d)(?:[^0-9]|$)"));
static PATH_SEP: Lazy<Regex> = Lazy::new(|| {
    re(r"(?:^|[^0-9])((?:19|20)\d{2})([/\\_\-.])([01]?\d)([/\\_\-.])([0-3]?\d)(?:[^0-9]|$)")
});

/// A date written in a file path: `AFP_ENG_19970401.0006`, `2021/12/02/`,
/// `2021-12-02-slug`. The last one in the path wins (file names are more specific than
/// folders). Impossible dates are ignored.
pub(crate) fn date_from_path(path: &str) -> Option<Date> {
    let mut best: Option<(usize, Date)> = None;
    let mut consider = |at: usize, y: &str, m: &str, d: &str| {
        let (Ok(y), Ok(m), Ok(d)) = (y.parse::<i32>(), m.parse::<u8>(), d.parse::<u8>()) else {
            return;
        };
        let Ok(month) = Month::try_from(m) else {
            return;
        };
        if let Ok(date) = Date::from_calendar_date(y, month, d) {
            if best.is_none_or(|(b, _)| at >= b) {
                best = Some((at, date));
            }
        }
    };
    for c in PATH_SEP.captures_iter(path) {
        if c[2] == c[4] {
            consider(c.get(1).map_or(0, |m| m.start()), &c[1], &c[3], &c[5]);
        }
    }
    for c in PATH_YMD.captures_iter(path) {
        consider(c.get(1).map_or(0, |m| m.start()), &c[1], &c[2], &c[3]);
    }
    best.map(|(_, d)| d)
}

static ISO: Lazy<Regex> =
    Lazy::new(|| re(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T\s_]|[^0-9])"));
static ISO_COMPACT: Lazy<Regex> = Lazy::new(|| re(r"^\s*(\d{4})(\d{2})(\d{2})(?:T|$)"));
static MONTH_FIRST: Lazy<Regex> =
    Lazy::new(|| re(r"(?i)\b([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\b"));
static DAY_FIRST: Lazy<Regex> =
    Lazy::new(|| re(r"(?i)\b(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]{3,9})\.?,?\s+(\d{4})\b"));

/// A publication date written as text: ISO (`2021-12-02`, `2021-12-02T10:00:00Z`,
/// `2021/12/02`, `20211202`), `December 2, 2021`, `2 Dec 2021`,
/// `Thu, 02 Dec 2021 10:00:00 GMT`. The calendar date as written (no time-zone shift).
pub(crate) fn parse_date_text(s: &str) -> Option<Date> {
    let s = s.trim();
    let make = |y: &str, m: u8, d: &str| -> Option<Date> {
        Date::from_calendar_date(y.parse().ok()?, Month::try_from(m).ok()?, d.parse().ok()?).ok()
    };
    if let Some(c) = ISO.captures(s).or_else(|| ISO_COMPACT.captures(s)) {
        return make(&c[1], c[2].parse().ok()?, &c[3]);
    }
    if let Some(c) = MONTH_FIRST.captures(s) {
        if let Some(m) = month_from_name(&c[1]).filter(|_| c[1].len() <= 9) {
            return make(&c[3], m as u8, &c[2]);
        }
    }
    if let Some(c) = DAY_FIRST.captures(s) {
        if let Some(m) = month_from_name(&c[2]) {
            return make(&c[3], m as u8, &c[1]);
        }
    }
    None
}

/// Largest char boundary at or below `i`.
pub(crate) fn floor_char(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn place_of(text: &str) -> Option<String> {
        find(text).and_then(|f| f.dateline.place)
    }

    #[test]
    fn agency_styles() {
        let f = find("BAGHDAD, Dec. 1 (Xinhua) -- The Iraqi government").expect("dateline");
        assert_eq!(f.dateline.place.as_deref(), Some("Baghdad"));
        assert_eq!(f.dateline.agency.as_deref(), Some("Xinhua"));
        assert_eq!(f.month_day, Some((Month::December, 1)));
        assert_eq!(
            &"BAGHDAD, Dec. 1 (Xinhua) -- The Iraqi government"[f.body_start..],
            "The Iraqi government"
        );

        let f = find("KUALA LUMPUR, April 1 (AFP) - Shares fell").expect("dateline");
        assert_eq!(f.dateline.place.as_deref(), Some("Kuala Lumpur"));
        assert_eq!(f.dateline.agency.as_deref(), Some("AFP"));

        let f = find("NEW YORK (AP) -- Stocks rose").expect("dateline");
        assert_eq!(f.dateline.place.as_deref(), Some("New York"));
        assert_eq!(f.month_day, None);

        let f = find("LONDON, 2 December (AFP) - Shares").expect("day-first dateline");
        assert_eq!(f.dateline.place.as_deref(), Some("London"));
        assert_eq!(f.month_day, Some((Month::December, 2)));

        let f = find("TOKYO, March 2 - The yen").expect("dateline");
        assert_eq!(f.dateline.place.as_deref(), Some("Tokyo"));
        assert_eq!(f.dateline.agency, None);
    }

    #[test]
    fn odd_shapes_from_wire_archives() {
        assert_eq!(
            place_of("SEOUL. April 11, April 11 (AFP) - Share prices"),
            Some("Seoul".into())
        );
        assert_eq!(
            place_of("SARAJEVO April 13, April 13 (AFP) - Pope"),
            Some("Sarajevo".into())
        );
        let f = find("Dec 13, December 13 (AFP) - Highlights").expect("dateline without place");
        assert_eq!(f.dateline.place, None);
        assert_eq!(
            place_of("PORTLAND, Ore., Feb 26 - Shares"),
            Some("Portland".into())
        );
        assert_eq!(
            place_of("UNITED NATIONS, Nov. 3 (Xinhua) -- The"),
            Some("United Nations".into())
        );
        assert_eq!(
            place_of("XI'AN, Nov. 10 (Xinhua) -- About"),
            Some("Xi'an".into())
        );
        assert_eq!(
            place_of("RIO DE JANEIRO, Brazil (AP) -- A"),
            Some("Rio de Janeiro".into())
        );
    }

    #[test]
    fn ordinary_sentences_are_not_datelines() {
        assert_eq!(find("The minister said - again - that"), None);
        assert_eq!(find("Chelsea have sacked Adrian Mutu - he failed"), None);
        assert_eq!(find("Hello, May 5 - see you"), None);
    }

    #[test]
    fn year_wraps_around_new_year() {
        let mut f = find("BEIJING, Dec. 31 (Xinhua) -- x").expect("dateline");
        assert_eq!(
            f.resolve_date(Some(date!(2006 - 01 - 01))),
            Some(date!(2005 - 12 - 31))
        );
        let mut f = find("BEIJING, Jan. 1 (Xinhua) -- x").expect("dateline");
        assert_eq!(
            f.resolve_date(Some(date!(2005 - 12 - 31))),
            Some(date!(2006 - 01 - 01))
        );
        let mut f = find("BEIJING, Jan. 1 (Xinhua) -- x").expect("dateline");
        assert_eq!(f.resolve_date(None), None);
    }

    #[test]
    fn dates_in_paths() {
        assert_eq!(
            date_from_path("afp/AFP_ENG_19970401.0006.txt"),
            Some(date!(1997 - 04 - 01))
        );
        assert_eq!(
            date_from_path("news/2021/12/02/story.txt"),
            Some(date!(2021 - 12 - 02))
        );
        assert_eq!(
            date_from_path("2021-12-02-iraq-forces.txt"),
            Some(date!(2021 - 12 - 02))
        );
        assert_eq!(date_from_path("bbc/sport/199.txt"), None);
        assert_eq!(date_from_path("x/20211302.txt"), None);
    }

    #[test]
    fn dates_as_text() {
        assert_eq!(
            parse_date_text("2021-12-02T10:15:00+08:00"),
            Some(date!(2021 - 12 - 02))
        );
        assert_eq!(parse_date_text("2021/12/02"), Some(date!(2021 - 12 - 02)));
        assert_eq!(
            parse_date_text("December 2, 2021"),
            Some(date!(2021 - 12 - 02))
        );
        assert_eq!(
            parse_date_text("Thu, 02 Dec 2021 10:00:00 GMT"),
            Some(date!(2021 - 12 - 02))
        );
        assert_eq!(parse_date_text("2 days ago"), None);
        assert_eq!(parse_date_text("2021-02-30"), None);
    }

    #[test]
    fn names_in_capitals() {
        assert_eq!(title_case_name("HILLEL ITALIE"), "Hillel Italie");
        assert_eq!(title_case_name("W. DALE NELSON"), "W. Dale Nelson");
        assert_eq!(title_case_name("PATRICK O'NEILL"), "Patrick O'Neill");
    }
}
