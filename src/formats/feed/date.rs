//! Dates as feeds write them.
//!
//! In: the text of a `pubDate`, `published`, `updated` or `dc:date`. Out: the calendar
//! date as written (no time-zone shift, like every format's dates). RFC 822/1123
//! (`Thu, 02 Dec 2021 10:00:00 GMT`) and RFC 3339 (`2021-12-02T10:00:00Z`) go through
//! the shared date reader; on top of it, the broken variants feeds are known for: a
//! two-digit year (`02 Dec 21`), `ctime` order (`Thu Dec  2 10:00:00 2021`), a wrong
//! weekday or none, a lowercase or full month name, no time. Anything else is `None`,
//! and the item stays undated.

use once_cell::sync::Lazy;
use regex::Regex;
use time::{Date, Month};

use crate::formats::dateline::{month_from_name, parse_date_text};
use crate::formats::re;

static TWO_DIGIT_YEAR: Lazy<Regex> =
    Lazy::new(|| re(r"(?i)\b(\d{1,2})\s+([a-z]{3,9})\.?,?\s+(\d{2})(?:\s|$)"));
static CTIME: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)\b([a-z]{3,9})\.?\s+(\d{1,2}),?\s+\d{1,2}:\d{2}(?::\d{2})?\s+(?:[a-z]{1,5}\s+)?(\d{4})\b",
    )
});

/// The date `s` names, if it is a plausible publication date (years 1800 to 2199).
pub(super) fn parse(s: &str) -> Option<Date> {
    let s = s.trim();
    parse_date_text(s)
        .or_else(|| {
            let c = TWO_DIGIT_YEAR.captures(s)?;
            let yy: i32 = c[3].parse().ok()?;
            let year = if yy < 50 { 2000 + yy } else { 1900 + yy };
            make(year, &c[2], &c[1])
        })
        .or_else(|| {
            let c = CTIME.captures(s)?;
            make(c[3].parse().ok()?, &c[1], &c[2])
        })
        .filter(|d| (1800..2200).contains(&d.year()))
}

fn make(year: i32, month: &str, day: &str) -> Option<Date> {
    let month: Month = month_from_name(month)?;
    Date::from_calendar_date(year, month, day.parse().ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn rfc_822_and_3339_and_their_broken_variants() {
        let want = date!(2030 - 03 - 04);
        for s in [
            "Mon, 04 Mar 2030 09:15:00 GMT",
            "Mon, 4 Mar 2030 09:15:00 +0100",
            "Fri, 04 Mar 2030 09:15:00 EST",
            "04 Mar 2030 09:15 GMT",
            "Monday, 4 March 2030",
            "mon, 04 mar 2030 09:15:00 gmt",
            "Mon, 04 Mar 30 09:15:00 GMT",
            "Mon Mar  4 09:15:00 2030",
            "Mon Mar 4 09:15:00 UTC 2030",
            "2030-03-04T09:15:00Z",
            "2030-03-04T09:15:00.000+01:00",
            "2030-03-04 09:15:00",
            "2030-03-04",
            "March 4, 2030 9:15 am",
        ] {
            assert_eq!(parse(s), Some(want), "{s}");
        }
        assert_eq!(
            parse("Sat, 01 Jan 99 00:00:00 GMT"),
            Some(date!(1999 - 01 - 01))
        );
    }

    #[test]
    fn nonsense_is_no_date() {
        for s in [
            "",
            "yesterday",
            "Mon, 31 Feb 2030 09:15:00 GMT",
            "2030-13-01",
            "0001-01-01T00:00:00Z",
            "1709251200",
            "Mon, 04 Foo 2030",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
    }
}
