//! Timelines: how many matching articles appeared per day, week, month or year,
//! with empty periods filled in, so a chart shows when a story broke and peaked.

use serde::{Deserialize, Serialize};
use time::{Date, Duration, Month};

use super::{build_query, FacetCounter, Filters, QueryOptions, SearchError};
use crate::article::format_date;
use crate::store::Store;

/// Bucket size.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    Day,
    /// Weeks start on Monday.
    Week,
    Month,
    Year,
}

/// Articles in one period.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Bucket {
    /// First day of the period.
    pub start: String,
    /// How the period is written (`2021-12-02`, `2021-W48`, `2021-12`, `2021`).
    pub label: String,
    pub count: u64,
    /// Articles in the whole index in this period (matching or not).
    pub total: u64,
    /// `count / total`: the share of the period's news that matches, as
    /// news-attention tools chart it (0 when the period has no articles).
    pub share: f64,
}

/// A timeline of matching articles.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Timeline {
    pub interval: Interval,
    pub buckets: Vec<Bucket>,
    /// Matching articles with a date.
    pub dated: u64,
    /// Matching articles without one (not in any bucket).
    pub undated: u64,
    /// Label of the busiest period.
    pub peak: Option<String>,
}

/// Longest timeline drawn; coarser intervals are needed beyond it.
const MAX_BUCKETS: usize = 5_000;

fn bucket_start(d: Date, interval: Interval) -> Date {
    match interval {
        Interval::Day => d,
        Interval::Week => d - Duration::days(i64::from(d.weekday().number_days_from_monday())),
        Interval::Month => d.replace_day(1).unwrap_or(d),
        Interval::Year => Date::from_calendar_date(d.year(), Month::January, 1).unwrap_or(d),
    }
}

fn next(d: Date, interval: Interval) -> Date {
    match interval {
        Interval::Day => d + Duration::days(1),
        Interval::Week => d + Duration::days(7),
        Interval::Month => {
            let (y, m) = if d.month() == Month::December {
                (d.year() + 1, Month::January)
            } else {
                (d.year(), d.month().next())
            };
            Date::from_calendar_date(y, m, 1).unwrap_or(Date::MAX)
        }
        Interval::Year => {
            Date::from_calendar_date(d.year() + 1, Month::January, 1).unwrap_or(Date::MAX)
        }
    }
}

fn label(d: Date, interval: Interval) -> String {
    match interval {
        Interval::Day => format_date(d),
        Interval::Week => {
            let (y, w, _) = d.to_iso_week_date();
            format!("{y}-W{w:02}")
        }
        Interval::Month => format!("{:04}-{:02}", d.year(), u8::from(d.month())),
        Interval::Year => format!("{:04}", d.year()),
    }
}

/// Article counts per day (days since 1970-01-01) summed per period.
fn by_bucket(
    days: &std::collections::BTreeMap<i64, u64>,
    interval: Interval,
) -> std::collections::BTreeMap<Date, u64> {
    let mut out = std::collections::BTreeMap::new();
    for (day, n) in days {
        let Ok(t) = time::OffsetDateTime::from_unix_timestamp(day * 86_400) else {
            continue;
        };
        *out.entry(bucket_start(t.date(), interval)).or_insert(0) += n;
    }
    out
}

/// Counts articles matching `query` and `filters` per `interval`.
pub fn timeline(
    store: &Store,
    query: &str,
    filters: &Filters,
    interval: Interval,
    opts: QueryOptions,
) -> Result<Timeline, SearchError> {
    let searcher = store.searcher()?;
    let built = build_query(store, query, filters, opts)?;
    let counter = FacetCounter {
        keyword_fields: Vec::new(),
        date_field: Some("published".into()),
        size: 0,
    };
    let (total, raw) =
        searcher.search(&*built.full, &(tantivy::collector::Count, counter.clone()))?;
    let everything = searcher.search(&tantivy::query::AllQuery, &counter)?;
    Ok(assemble(
        &raw.days,
        &everything.days,
        interval,
        total as u64,
    ))
}

/// A timeline from article counts per day (days since 1970-01-01): `days` of the
/// matching articles, `all_days` of every article; `total` matching articles in all,
/// dated or not.
pub fn assemble(
    days: &std::collections::BTreeMap<i64, u64>,
    all_days: &std::collections::BTreeMap<i64, u64>,
    interval: Interval,
    total: u64,
) -> Timeline {
    let per_bucket = by_bucket(days, interval);
    let all_per_bucket = by_bucket(all_days, interval);
    let dated: u64 = per_bucket.values().sum();
    let mut buckets = Vec::new();
    if let (Some(first), Some(last)) = (per_bucket.keys().next(), per_bucket.keys().next_back()) {
        let mut d = *first;
        while d <= *last && buckets.len() < MAX_BUCKETS {
            let count = per_bucket.get(&d).copied().unwrap_or(0);
            let all = all_per_bucket.get(&d).copied().unwrap_or(0);
            buckets.push(Bucket {
                start: format_date(d),
                label: label(d, interval),
                count,
                total: all,
                share: if all == 0 {
                    0.0
                } else {
                    count as f64 / all as f64
                },
            });
            d = next(d, interval);
        }
    }
    let peak = buckets
        .iter()
        .max_by(|a, b| a.count.cmp(&b.count).then_with(|| b.start.cmp(&a.start)))
        .filter(|b| b.count > 0)
        .map(|b| b.label.clone());
    Timeline {
        interval,
        buckets,
        dated,
        undated: total.saturating_sub(dated),
        peak,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        crate::article::parse_ymd(s).expect("date")
    }

    #[test]
    fn buckets_start_where_they_should() {
        assert_eq!(
            bucket_start(d("2021-12-02"), Interval::Week),
            d("2021-11-29")
        );
        assert_eq!(
            bucket_start(d("2021-12-02"), Interval::Month),
            d("2021-12-01")
        );
        assert_eq!(next(d("2021-12-01"), Interval::Month), d("2022-01-01"));
        assert_eq!(label(d("2021-11-29"), Interval::Week), "2021-W48");
    }
}
