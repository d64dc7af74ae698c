//! An indexed article as the JSON document a cluster stores.
//!
//! Written from the local index's stored fields, schema-driven: every stored field
//! under its own name, dates as RFC 3339, multi-valued fields as arrays, plus the
//! date keywords (`year`, `month`, `day`) and the SimHash fingerprint (kept only in a
//! fast column locally, so computed again from the body).

use serde_json::{Map, Value};
use tantivy::schema::{Schema, Value as _};
use tantivy::TantivyDocument;

use super::mapping::{MULTI_VALUED, TIME_FIELD};
use crate::schema::{Kind, SchemaSpec};

/// Fields that only the local index needs (what re-tagging starts from).
pub const INTERNAL: &[&str] = &["tagged"];

/// `2003-03-20T00:00:00Z` for a tantivy date.
pub fn rfc3339(d: tantivy::DateTime) -> Option<String> {
    let t = time::OffsetDateTime::from_unix_timestamp(d.into_timestamp_secs()).ok()?;
    t.format(&time::format_description::well_known::Rfc3339)
        .ok()
}

/// The JSON document for one stored article.
pub fn to_json(spec: &SchemaSpec, schema: &Schema, doc: &TantivyDocument) -> Map<String, Value> {
    let mut out = Map::new();
    for f in &spec.fields {
        if INTERNAL.contains(&f.name.as_str()) {
            continue;
        }
        let Ok(field) = schema.get_field(&f.name) else {
            continue;
        };
        let mut values: Vec<Value> = Vec::new();
        for v in doc.get_all(field) {
            let v = match f.kind {
                Kind::Text | Kind::Keyword => v.as_str().map(|s| Value::from(s.to_string())),
                Kind::Date => v.as_datetime().and_then(rfc3339).map(Value::from),
                Kind::U64 => v.as_u64().map(Value::from),
            };
            values.extend(v);
        }
        if values.is_empty() {
            continue;
        }
        let value = if MULTI_VALUED.contains(&f.name.as_str()) {
            Value::Array(values)
        } else {
            values.swap_remove(0)
        };
        out.insert(f.name.clone(), value);
    }
    let time = match out.get("published") {
        Some(Value::String(p)) => p.clone(),
        _ => "1970-01-01T00:00:00Z".to_string(),
    };
    out.insert(TIME_FIELD.into(), Value::from(time));
    if let Some(Value::String(p)) = out.get("published").cloned() {
        // `2003-03-20T00:00:00Z` -> 2003, 2003-03, 2003-03-20.
        if p.len() >= 10 {
            out.insert("year".into(), Value::from(&p[..4]));
            out.insert("month".into(), Value::from(&p[..7]));
            out.insert("day".into(), Value::from(&p[..10]));
        }
    }
    if let Some(body) = out.get("body").and_then(Value::as_str) {
        let h = crate::search::simhash(body);
        if h != 0 {
            out.insert("simhash".into(), Value::from(h));
        }
    }
    out
}

/// Calls `f` with the document of every article in `store`, in index order. The
/// number of articles.
pub fn for_each(
    store: &crate::store::Store,
    f: &mut dyn FnMut(&Map<String, Value>) -> std::io::Result<()>,
) -> std::io::Result<u64> {
    let searcher = store.searcher().map_err(std::io::Error::other)?;
    let schema = store.index.schema();
    let mut n = 0;
    for (ord, reader) in searcher.segment_readers().iter().enumerate() {
        let alive = reader.alive_bitset();
        for doc in 0..reader.max_doc() {
            if alive.is_some_and(|a| !a.is_alive(doc)) {
                continue;
            }
            let d: TantivyDocument = searcher
                .doc(tantivy::DocAddress::new(ord as u32, doc))
                .map_err(std::io::Error::other)?;
            f(&to_json(&store.spec, &schema, &d))?;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::article::Article;
    use crate::store::Store;

    #[test]
    fn a_stored_article_becomes_a_document_with_date_keywords() {
        let store = Store::in_memory().expect("store");
        let mut a = Article {
            id: "a1".into(),
            path: "x.txt".into(),
            format: "page".into(),
            ..Article::default()
        };
        a.headline = Some("Troops leave".into());
        a.body = "Foreign forces began to withdraw.".into();
        a.org = vec!["UN".into(), "NATO".into()];
        a.published = crate::article::parse_ymd("2003-03-20");
        let doc = crate::ingest::to_document(store.fields, &a);
        let json = to_json(&store.spec, &store.index.schema(), &doc);
        assert_eq!(json["id"], "a1");
        assert_eq!(json["org"], serde_json::json!(["UN", "NATO"]));
        assert_eq!(json["published"], "2003-03-20T00:00:00Z");
        assert_eq!(json["month"], "2003-03");
        assert_eq!(json["headline"], "Troops leave");
        assert!(!json.contains_key("person"));
        assert_eq!(json[TIME_FIELD], "2003-03-20T00:00:00Z");
    }
}
