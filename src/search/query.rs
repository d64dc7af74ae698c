//! From the user's query text and filters to a tantivy query.
//!
//! The query language is tantivy's (words, `"phrases"~N`, `AND`/`OR`/`NOT`, `+`/`-`,
//! parentheses, `field:value`, ranges, `prefix*`), searched over the headline
//! (weighted higher) and the body by default, with plain dates accepted in date
//! ranges (`published:[2021-01-01 TO 2021-12-31]`). Filters are added as clauses that
//! must match but do not change scores.

use std::ops::Bound;

use once_cell::sync::Lazy;
use regex::Regex;
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, Occur, Query, QueryParser, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;
use time::Date;

use super::Filters;
use crate::ingest::date_to_tantivy;
use crate::store::Store;

/// A query the user must fix.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// The query text does not parse.
    #[error("cannot understand the query {query:?}: {reason}{hint}")]
    Syntax {
        query: String,
        reason: String,
        hint: String,
    },
    /// `--from` is after `--to`.
    #[error("--from {from} is after --to {to}")]
    EmptyDateRange { from: String, to: String },
}

/// The query to run, and the part of it that comes from the user's text (used to
/// pick and highlight snippets).
pub struct Built {
    pub full: Box<dyn Query>,
    pub text: Box<dyn Query>,
    pub warnings: Vec<String>,
}

static RANGE_DATE: Lazy<Regex> = Lazy::new(|| {
    // A date field followed by a range or a single date.
    Regex::new(
        r"(?P<field>\b(?:published|dateline_date):)(?P<rest>[\[{][^\]}]*[\]}]|\d{4}-\d{2}-\d{2}\b)",
    )
    .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});
static PLAIN_DATE: Lazy<Regex> = Lazy::new(|| {
    Regex::new(r"\b(\d{4}-\d{2}-\d{2})\b(T[0-9:.]+Z?)?")
        .unwrap_or_else(|e| unreachable!("static regex: {e}"))
});

/// Rewrites plain dates in date-field clauses to the RFC 3339 form tantivy expects.
fn normalize_dates(q: &str) -> String {
    RANGE_DATE
        .replace_all(q, |c: &regex::Captures| {
            let rest = PLAIN_DATE.replace_all(&c["rest"], |d: &regex::Captures| {
                if d.get(2).is_some() {
                    d[0].to_string()
                } else {
                    format!("{}T00:00:00Z", &d[1])
                }
            });
            format!("{}{}", &c["field"], rest)
        })
        .into_owned()
}

/// Explains a tantivy parser error in the user's terms.
fn hint_for(reason: &str, fields: &[String]) -> String {
    if reason.contains("Field does not exist") {
        format!("; fields you can search: {}", fields.join(", "))
    } else if reason.contains("Syntax") {
        "; check quotes, parentheses and brackets are balanced (see `newswire search --help`)"
            .to_string()
    } else if reason.contains("date") || reason.contains("Date") {
        "; dates are written YYYY-MM-DD, e.g. published:[2021-01-01 TO 2021-12-31]".to_string()
    } else {
        String::new()
    }
}

/// Builds the query for `text` and `filters`.
pub fn build_query(
    store: &Store,
    text: &str,
    filters: &Filters,
    lenient: bool,
) -> Result<Built, QueryError> {
    let f = &store.fields;
    let mut warnings = Vec::new();
    let trimmed = text.trim();
    let user: Box<dyn Query> = if trimmed.is_empty() || trimmed == "*" {
        Box::new(AllQuery)
    } else {
        let defaults: Vec<(Field, f32)> = store
            .spec
            .default_search_fields()
            .into_iter()
            .filter_map(|(name, boost)| {
                store
                    .index
                    .schema()
                    .get_field(name)
                    .ok()
                    .map(|f| (f, boost))
            })
            .collect();
        let mut parser =
            QueryParser::for_index(&store.index, defaults.iter().map(|(f, _)| *f).collect());
        for (field, boost) in &defaults {
            parser.set_field_boost(*field, *boost);
        }
        let normalized = normalize_dates(trimmed);
        if lenient {
            let (q, errs) = parser.parse_query_lenient(&normalized);
            warnings.extend(errs.into_iter().map(|e| e.to_string()));
            q
        } else {
            parser.parse_query(&normalized).map_err(|e| {
                let reason = e.to_string();
                let searchable: Vec<String> = store
                    .spec
                    .fields
                    .iter()
                    .filter(|f| !f.name.ends_with("_alias") && f.name != "path")
                    .map(|f| f.name.clone())
                    .collect();
                QueryError::Syntax {
                    query: text.to_string(),
                    hint: hint_for(&reason, &searchable),
                    reason,
                }
            })?
        }
    };

    let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, user.box_clone())];
    let mut keyword = |values: &[String], main: Field, alias: Option<Field>| {
        if values.is_empty() {
            return;
        }
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for v in values {
            let v = v.trim().to_lowercase();
            for field in std::iter::once(main).chain(alias) {
                let term = Term::from_field_text(field, &v);
                any.push((
                    Occur::Should,
                    Box::new(TermQuery::new(term, IndexRecordOption::Basic)),
                ));
            }
        }
        let q: Box<dyn Query> = Box::new(BooleanQuery::new(any));
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0))));
    };
    keyword(&filters.org, f.org, Some(f.org_alias));
    keyword(&filters.person, f.person, Some(f.person_alias));
    keyword(&filters.place, f.place, Some(f.place_alias));
    keyword(&filters.source, f.source, None);
    keyword(&filters.topic, f.topic, None);
    keyword(&filters.category, f.category, None);
    keyword(&filters.dateline, f.dateline, None);

    if let (Some(a), Some(b)) = (filters.from, filters.to) {
        if a > b {
            return Err(QueryError::EmptyDateRange {
                from: crate::article::format_date(a),
                to: crate::article::format_date(b),
            });
        }
    }
    if filters.from.is_some() || filters.to.is_some() {
        let bound = |d: Option<Date>| match d {
            None => Bound::Unbounded,
            Some(d) => {
                // Dates are stored at midnight UTC, so an inclusive bound on the day
                // itself covers it at both ends.
                Bound::Included(Term::from_field_date_for_search(
                    f.published,
                    date_to_tantivy(d),
                ))
            }
        };
        let range: Box<dyn Query> =
            Box::new(RangeQuery::new(bound(filters.from), bound(filters.to)));
        clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(range, 0.0))));
    }

    let full: Box<dyn Query> = if clauses.len() == 1 {
        user.box_clone()
    } else {
        Box::new(BooleanQuery::new(clauses))
    };
    Ok(Built {
        full,
        text: user,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_dates_in_ranges_become_rfc3339() {
        assert_eq!(
            normalize_dates("iraq published:[2021-01-01 TO 2021-12-31]"),
            "iraq published:[2021-01-01T00:00:00Z TO 2021-12-31T00:00:00Z]"
        );
        assert_eq!(
            normalize_dates("published:2021-12-02"),
            "published:2021-12-02T00:00:00Z"
        );
        // Dates outside date fields are left alone.
        assert_eq!(normalize_dates("body:2021-12-02"), "body:2021-12-02");
    }
}
