//! Article -> tantivy document: the one place that maps article fields to index
//! fields.

use tantivy::schema::Field;
use tantivy::{DateTime, TantivyDocument};
use time::Date;

use crate::article::Article;
use crate::entities::names::Tagged;
use crate::schema::Fields;

/// Builds index documents for one schema.
#[derive(Debug, Clone, Copy)]
pub struct DocumentBuilder {
    f: Fields,
}

/// Seconds since the Unix epoch at the start of `d` (UTC), clamped to what tantivy
/// can represent (nanoseconds in an `i64`: the years 1678 to 2261), so a date from
/// a filter such as `--to 9999-12-31` cannot overflow.
pub fn date_to_tantivy(d: Date) -> DateTime {
    const LIMIT: i64 = i64::MAX / 1_000_000_000;
    let secs = d.midnight().assume_utc().unix_timestamp();
    DateTime::from_timestamp_secs(secs.clamp(-LIMIT, LIMIT))
}

/// Whether tantivy can store `d` exactly. Dates it cannot (a parser's misreading
/// such as the year 20051) are left out of the index rather than stored wrong.
pub fn storable_date(d: Date) -> bool {
    (1678..=2261).contains(&d.year())
}

impl DocumentBuilder {
    pub fn new(fields: Fields) -> Self {
        DocumentBuilder { f: fields }
    }

    pub fn build(&self, a: &Article) -> TantivyDocument {
        self.build_tagged(a, None)
    }

    /// The document of an article whose entities the index's `names.toml` changed
    /// from `tagged` (kept in the document, for re-tagging when the file changes).
    pub fn build_tagged(&self, a: &Article, tagged: Option<&Tagged>) -> TantivyDocument {
        let f = &self.f;
        let mut doc = TantivyDocument::default();
        doc.add_text(f.id, &a.id);
        let text = |doc: &mut TantivyDocument, field: Field, v: &Option<String>| {
            if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
                doc.add_text(field, v);
            }
        };
        text(&mut doc, f.headline, &a.headline);
        doc.add_text(f.body, &a.body);
        text(&mut doc, f.source, &a.source);
        if let Some(d) = a.published.filter(|d| storable_date(*d)) {
            doc.add_date(f.published, date_to_tantivy(d));
        }
        if let Some(dl) = &a.dateline {
            text(&mut doc, f.dateline, &dl.place);
            text(&mut doc, f.agency, &dl.agency);
            if let Some(d) = dl.date.filter(|d| storable_date(*d)) {
                doc.add_date(f.dateline_date, date_to_tantivy(d));
            }
        }
        self.add_entities(&mut doc, &Tagged::of(a), tagged);
        add_list(&mut doc, f.topic, &a.topic);
        text(&mut doc, f.category, &a.category);
        text(&mut doc, f.byline, &a.byline);
        text(&mut doc, f.url, &a.url);
        doc.add_text(f.path, &a.path);
        if let Some(p) = a.position {
            doc.add_u64(f.position, p);
        }
        doc.add_text(f.format, &a.format);
        doc.add_u64(f.simhash, crate::search::simhash(&a.body));
        doc
    }
}

impl DocumentBuilder {
    /// The fields [`add_entities`](Self::add_entities) writes.
    pub(super) fn entity_fields(&self) -> [Field; 7] {
        let f = &self.f;
        [
            f.org,
            f.person,
            f.place,
            f.org_alias,
            f.person_alias,
            f.place_alias,
            f.tagged,
        ]
    }

    /// Adds an article's entities, and what they were before the index's
    /// `names.toml` changed them, when it did.
    pub(super) fn add_entities(
        &self,
        doc: &mut TantivyDocument,
        e: &Tagged,
        tagged: Option<&Tagged>,
    ) {
        let f = &self.f;
        add_list(doc, f.org, &e.org);
        add_list(doc, f.person, &e.person);
        add_list(doc, f.place, &e.place);
        add_list(doc, f.org_alias, &e.aliases.org);
        add_list(doc, f.person_alias, &e.aliases.person);
        add_list(doc, f.place_alias, &e.aliases.place);
        if let Some(t) = tagged {
            let mut v = Vec::new();
            for (kind, names) in tagged_lists(t) {
                v.extend(names.iter().map(|n| format!("{kind}:{n}")));
            }
            // Even an article whose tagged lists were empty keeps the mark.
            if v.is_empty() {
                v.push(String::from("none:"));
            }
            for x in v {
                doc.add_text(f.tagged, x);
            }
        }
    }
}

/// The lists of [`Tagged`] by the name they have in the `tagged` field.
pub(super) fn tagged_lists(t: &Tagged) -> [(&'static str, &Vec<String>); 6] {
    [
        ("org", &t.org),
        ("person", &t.person),
        ("place", &t.place),
        ("org_alias", &t.aliases.org),
        ("person_alias", &t.aliases.person),
        ("place_alias", &t.aliases.place),
    ]
}

/// Adds each value once per article, whatever its case.
fn add_list(doc: &mut TantivyDocument, field: Field, v: &[String]) {
    for (i, x) in v.iter().enumerate() {
        if !x.is_empty() && !v[..i].iter().any(|y| y.eq_ignore_ascii_case(x)) {
            doc.add_text(field, x);
        }
    }
}

/// Convenience: one document from one article.
pub fn to_document(fields: Fields, a: &Article) -> TantivyDocument {
    DocumentBuilder::new(fields).build(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_tantivy_cannot_hold_do_not_overflow() {
        let far = Date::from_calendar_date(9999, time::Month::December, 31).expect("date");
        let _ = date_to_tantivy(far);
        let early = Date::from_calendar_date(-9999, time::Month::January, 1).expect("date");
        let _ = date_to_tantivy(early);
        assert!(!storable_date(far));
        assert!(storable_date(
            Date::from_calendar_date(2005, time::Month::November, 1).expect("date")
        ));
    }
}
