//! Naming articles again when the index's `names.toml` changed, without reading
//! their files again.
//!
//! In: the rules the index was named with, the new ones, and the last commit. Out:
//! the articles whose entities the change affects, deleted and added again with
//! their entities named by the new rules, through the run's one writer (so they are
//! committed with the manifest that records the new file).
//!
//! Only the names that the two versions treat differently are looked up in the
//! entity fields, and in the `tagged` field that keeps, in each article the rules
//! changed, its entities as tagged. That is where re-naming starts from, so taking a
//! stop-name out of the file brings the name back. Everything else of the article is
//! copied from what the index stores (every field but the SimHash is stored; that
//! one is computed again from the body).

use std::sync::atomic::{AtomicBool, Ordering};

use tantivy::collector::DocSetCollector;
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, TantivyDocument, Term};

use super::document::DocumentBuilder;
use super::writer::Writer;
use super::{write_error, IngestError};
use crate::article::Article;
use crate::entities::names::{NameRules, Tagged};
use crate::store::Store;

/// The entity lists stored in a document.
fn stored_lists(doc: &TantivyDocument, builder: &DocumentBuilder) -> (Tagged, Option<Tagged>) {
    let [org, person, place, org_alias, person_alias, place_alias, tagged] =
        builder.entity_fields();
    let all = |f| -> Vec<String> {
        doc.get_all(f)
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    };
    let mut now = Tagged {
        org: all(org),
        person: all(person),
        place: all(place),
        ..Tagged::default()
    };
    now.aliases.org = all(org_alias);
    now.aliases.person = all(person_alias);
    now.aliases.place = all(place_alias);
    let marks = all(tagged);
    if marks.is_empty() {
        return (now, None);
    }
    let mut before = Tagged::default();
    for m in marks {
        let Some((kind, name)) = m.split_once(':') else {
            continue;
        };
        let list = match kind {
            "org" => &mut before.org,
            "person" => &mut before.person,
            "place" => &mut before.place,
            "org_alias" => &mut before.aliases.org,
            "person_alias" => &mut before.aliases.person,
            "place_alias" => &mut before.aliases.place,
            _ => continue,
        };
        list.push(name.to_string());
    }
    (now, Some(before))
}

impl Writer<'_> {
    /// Names again the articles of the last commit whose entities `new` names
    /// differently from `old`; counts them in `summary.retagged`. Returns false when
    /// stopped by `cancel` (the manifest must then keep the old rules: the next run
    /// finishes the work).
    pub(super) fn retag(
        &mut self,
        store: &Store,
        builder: &DocumentBuilder,
        old: &NameRules,
        new: &NameRules,
        cancel: &AtomicBool,
    ) -> Result<bool, IngestError> {
        let changed = old.changed_names(new);
        if changed.is_empty() {
            return Ok(true);
        }
        let err = |source| write_error(&store.dir, source);
        let searcher = store.index.reader().map_err(err)?.searcher();
        let [org, person, place, .., tagged] = builder.entity_fields();
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut term = |field, text: &str| {
            any.push((
                Occur::Should,
                Box::new(TermQuery::new(
                    Term::from_field_text(field, text),
                    IndexRecordOption::Basic,
                )),
            ));
        };
        for k in &changed {
            // Names are compared with straight apostrophes; the text may curl them.
            let curly = k.replace('\'', "\u{2019}");
            for name in std::iter::once(k.as_str()).chain((curly != *k).then_some(curly.as_str())) {
                for (field, kind) in [(org, "org"), (person, "person"), (place, "place")] {
                    term(field, name);
                    term(tagged, &format!("{kind}:{name}"));
                }
            }
        }
        let mut docs: Vec<DocAddress> = searcher
            .search(&BooleanQuery::new(any), &DocSetCollector)
            .map_err(err)?
            .into_iter()
            .collect();
        docs.sort();
        let f = self.fields;
        for addr in docs {
            if cancel.load(Ordering::Relaxed) {
                return Ok(false);
            }
            let doc: TantivyDocument = searcher.doc(addr).map_err(err)?;
            let (now, before) = stored_lists(&doc, builder);
            let first = |field| {
                doc.get_first(field)
                    .and_then(|v| v.as_str().map(str::to_string))
            };
            let mut a = Article {
                id: first(f.id).unwrap_or_default(),
                source: first(f.source),
                ..Article::default()
            };
            before
                .clone()
                .unwrap_or_else(|| now.clone())
                .restore(&mut a);
            let changed_from = new.apply(&mut a);
            let renamed = Tagged::of(&a);
            if renamed == now && changed_from == before {
                continue;
            }
            let skip = builder.entity_fields();
            let mut out = TantivyDocument::default();
            for (field, value) in doc.field_values() {
                if !skip.contains(&field) {
                    out.add_field_value(field, value);
                }
            }
            let body = first(f.body).unwrap_or_default();
            out.add_u64(f.simhash, crate::search::simhash(&body));
            builder.add_entities(&mut out, &renamed, changed_from.as_ref());
            self.replace(&a.id, out)?;
            self.summary.retagged += 1;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schema::{Fields, SchemaSpec};

    #[test]
    fn entities_as_tagged_round_trip_through_a_document() {
        let schema = SchemaSpec::builtin().expect("schema").to_tantivy();
        let builder = DocumentBuilder::new(Fields::new(&schema).expect("fields"));
        let mut tagged = Tagged {
            org: vec!["Xinhua".into(), "Co: Ltd".into()],
            place: vec!["Nairobi".into()],
            ..Tagged::default()
        };
        tagged.aliases.org.push("Xinhua News Agency".into());
        let now = Tagged {
            org: vec!["Co: Ltd".into()],
            place: vec!["Nairobi".into()],
            ..Tagged::default()
        };
        let mut doc = TantivyDocument::default();
        builder.add_entities(&mut doc, &now, Some(&tagged));
        assert_eq!(stored_lists(&doc, &builder), (now.clone(), Some(tagged)));
        // An article the rules left alone has no tagged lists.
        let mut plain = TantivyDocument::default();
        builder.add_entities(&mut plain, &now, None);
        assert_eq!(stored_lists(&plain, &builder), (now.clone(), None));
        // Nor does one whose lists were all empty lose the mark.
        let mut empty = TantivyDocument::default();
        builder.add_entities(&mut empty, &now, Some(&Tagged::default()));
        assert_eq!(
            stored_lists(&empty, &builder),
            (now, Some(Tagged::default()))
        );
    }
}
