//! The article: what every format parser produces and what the index stores.
//!
//! Parsers fill in what their source gives; entity extraction then merges its
//! organizations, people and places into the lists a source may already carry
//! (Reuters' gold `ORGS`, a JSON export's `orgs`). Unknown values stay `None`
//! or empty: nothing is ever invented.

use serde::{Deserialize, Serialize};
use time::Date;

/// One news article, as parsed from a file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Article {
    /// Stable identifier: the id the source gives (Reuters `NEWID`, TREC `DOCNO`,
    /// JSON `id`/`doc_index`), otherwise derived from the file path and position.
    pub id: String,
    /// Name of the format that parsed it (`page`, `wire`, `reuters`, `trec`, `json`,
    /// `html`, `feed`).
    pub format: String,
    /// Path of the file the article came from, as given on the command line.
    pub path: String,
    /// 0-based position of the article inside its file, for files holding many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub position: Option<u64>,
    pub headline: Option<String>,
    /// Publisher or agency the story is credited to (e.g. `Xinhua`, `AFP`).
    pub source: Option<String>,
    /// Publication date.
    #[serde(default, with = "crate::article::opt_date")]
    pub published: Option<Date>,
    /// Where `published` came from: `text` (the article itself) or `path` (a date in
    /// the file path, used only when the text gives none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_from: Option<DateOrigin>,
    pub dateline: Option<Dateline>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub byline: Option<String>,
    /// Section or category (BBC folder names, JSON `section`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// Subject codes given by the source (Reuters `TOPICS`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub topic: Vec<String>,
    pub body: String,
    /// Organizations, canonical names, deduplicated.
    #[serde(default)]
    pub org: Vec<String>,
    /// People, canonical names, deduplicated.
    #[serde(default)]
    pub person: Vec<String>,
    /// Places, canonical names, deduplicated.
    #[serde(default)]
    pub place: Vec<String>,
    /// Other names each entity goes by in this article (long forms of acronyms,
    /// surface spellings), so filters match any of them.
    #[serde(default, skip_serializing_if = "Aliases::is_empty")]
    pub aliases: Aliases,
    /// Entity mentions as they appear in the text (for scoring and debugging).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub entities: Vec<Mention>,
    /// Index of the document in a scorer's dump (`ner_score.py dump-text`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub doc_index: Option<u64>,
}

/// Alternative names per entity type.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Aliases {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub org: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub person: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub place: Vec<String>,
}

impl Aliases {
    pub fn is_empty(&self) -> bool {
        self.org.is_empty() && self.person.is_empty() && self.place.is_empty()
    }
}

/// One entity mention: surface text and label (`ORG`, `PER`, `LOC`), with
/// character offsets into `headline + "\n" + body` when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mention {
    pub text: String,
    pub label: String,
}

/// The dateline opening a wire story: `BAGHDAD, Dec. 1 (Xinhua) --`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dateline {
    /// Place, in title case (`Baghdad`, `Kuala Lumpur`).
    pub place: Option<String>,
    /// Full date, when the year is known (from the page date or file path).
    #[serde(default, with = "crate::article::opt_date")]
    pub date: Option<Date>,
    pub agency: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DateOrigin {
    Text,
    Path,
}

/// Formats `Date`s as `YYYY-MM-DD`.
pub fn format_date(d: Date) -> String {
    format!("{:04}-{:02}-{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Parses `YYYY-MM-DD`.
pub fn parse_ymd(s: &str) -> Option<Date> {
    let mut it = s.trim().splitn(3, '-');
    let y: i32 = it.next()?.parse().ok()?;
    let m: u8 = it.next()?.parse().ok()?;
    let d: u8 = it.next()?.parse().ok()?;
    Date::from_calendar_date(y, time::Month::try_from(m).ok()?, d).ok()
}

/// serde for `Option<Date>` as `"YYYY-MM-DD"` or `null`.
pub mod opt_date {
    use serde::{Deserialize, Deserializer, Serializer};
    use time::Date;

    pub fn serialize<S: Serializer>(d: &Option<Date>, s: S) -> Result<S::Ok, S::Error> {
        match d {
            Some(d) => s.serialize_str(&super::format_date(*d)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Date>, D::Error> {
        let s: Option<String> = Option::deserialize(d)?;
        match s {
            None => Ok(None),
            Some(s) => super::parse_ymd(&s)
                .map(Some)
                .ok_or_else(|| serde::de::Error::custom(format!("not a YYYY-MM-DD date: {s:?}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip() {
        let d = parse_ymd("2021-12-02").expect("valid date");
        assert_eq!(format_date(d), "2021-12-02");
        assert!(parse_ymd("2021-02-30").is_none());
        assert!(parse_ymd("yesterday").is_none());
    }
}
