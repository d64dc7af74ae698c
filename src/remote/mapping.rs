//! The index definition a cluster needs, written from `schema/newswire.toml`: a
//! Quickwit index config and an Elasticsearch / OpenSearch mapping. Index creation is
//! the one place where the engines' dialects differ; everything after it (`_bulk`,
//! `_search`) is the API they share.
//!
//! Field by field:
//! - `text` fields: words with positions, stored. Quickwit's `en_stem` (lowercase +
//!   English stemming) stands in for `news`, `default` for `words`.
//! - `keyword` fields: one lowercased term per value, so filters match whatever the
//!   case, and a fast column of the original spelling for facet counts (Quickwit:
//!   `fast: {normalizer: raw}`; Elasticsearch: a `keyword` field with a lowercased
//!   `lc` sub-field for filters).
//! - `date` fields: fast datetimes.
//! - `nw_time`: the publication date, or 1970-01-01 for an undated article (Quickwit
//!   refuses a document without its timestamp field); date filters go to it, so
//!   Quickwit skips whole splits outside the range, and an undated article stays
//!   outside every range, as locally.
//! - `year`, `month`, `day`: the publication date as keywords, written at export,
//!   because the engines' date histograms only take fixed intervals (a month is not
//!   one) and so date facets are plain terms counts.
//! - `nw_batch`: which bulk request brought the article, so a request whose fate is
//!   unknown (the node died while answering) can be checked before it is sent again.

use serde_json::{json, Map, Value};

use super::doc::INTERNAL;
use crate::schema::{Kind, SchemaSpec};

/// Keyword fields that hold several values per article.
pub const MULTI_VALUED: &[&str] = &[
    "org",
    "person",
    "place",
    "topic",
    "org_alias",
    "person_alias",
    "place_alias",
];

/// Date facets written as keywords (see the module notes).
pub const DATE_KEYWORDS: &[&str] = &["year", "month", "day"];

/// The timestamp field (see the module notes).
pub const TIME_FIELD: &str = "nw_time";

/// The field naming the bulk request an article came in.
pub const BATCH_FIELD: &str = "nw_batch";

/// Seconds Quickwit waits before committing what it was sent (also how long a
/// restarted node may take to make a replayed request searchable).
pub const COMMIT_TIMEOUT_SECS: u64 = 5;

/// A Quickwit index config (format version 0.8) for an index called `index_id`.
pub fn quickwit_index_config(spec: &SchemaSpec, index_id: &str) -> Value {
    let mut fields = Vec::new();
    for f in spec
        .fields
        .iter()
        .filter(|f| !INTERNAL.contains(&f.name.as_str()))
    {
        let multi = MULTI_VALUED.contains(&f.name.as_str());
        let mapping = match f.kind {
            Kind::Text => json!({
                "name": f.name,
                "type": "text",
                "tokenizer": if f.tokenizer.as_deref() == Some("words") { "default" } else { "en_stem" },
                "record": "position",
                "fieldnorms": true,
                "stored": true,
            }),
            Kind::Keyword => {
                let mut m = json!({
                    "name": f.name,
                    "type": if multi { "array<text>" } else { "text" },
                    "tokenizer": "lowercase",
                    "record": "basic",
                    "stored": f.stored || f.name == "id",
                });
                // Facets count original spellings; ids too, to check for copies.
                if f.fast || f.facet || f.name == "id" {
                    m["fast"] = json!({"normalizer": "raw"});
                }
                m
            }
            Kind::Date => json!({
                "name": f.name,
                "type": "datetime",
                "input_formats": ["rfc3339"],
                "output_format": "rfc3339",
                "fast_precision": "seconds",
                "fast": true,
                "stored": true,
            }),
            Kind::U64 => json!({
                "name": f.name,
                "type": "u64",
                "indexed": false,
                "stored": true,
                "fast": f.fast,
            }),
        };
        fields.push(mapping);
    }
    for name in DATE_KEYWORDS.iter().chain([&BATCH_FIELD]) {
        fields.push(json!({
            "name": name,
            "type": "text",
            "tokenizer": "raw",
            "record": "basic",
            "stored": false,
            "fast": *name != BATCH_FIELD,
        }));
    }
    fields.push(json!({
        "name": TIME_FIELD,
        "type": "datetime",
        "input_formats": ["rfc3339"],
        "output_format": "rfc3339",
        "fast_precision": "seconds",
        "fast": true,
        "stored": false,
    }));
    json!({
        "version": "0.8",
        "index_id": index_id,
        "doc_mapping": {
            "mode": "strict",
            "field_mappings": fields,
            "timestamp_field": TIME_FIELD,
        },
        "search_settings": {
            "default_search_fields": spec
                .default_search_fields()
                .into_iter()
                .map(|(f, _)| f)
                .collect::<Vec<_>>(),
        },
        "indexing_settings": {
            "commit_timeout_secs": COMMIT_TIMEOUT_SECS,
        },
    })
}

/// An Elasticsearch / OpenSearch index definition (settings and mappings).
pub fn elastic_mapping(spec: &SchemaSpec) -> Value {
    let mut props = Map::new();
    for f in spec
        .fields
        .iter()
        .filter(|f| !INTERNAL.contains(&f.name.as_str()))
    {
        let m = match f.kind {
            Kind::Text => {
                json!({"type": "text", "analyzer": if f.tokenizer.as_deref() == Some("words") { "standard" } else { "english" }})
            }
            Kind::Keyword => json!({
                "type": "keyword",
                "fields": {"lc": {"type": "keyword", "normalizer": "lowercase"}},
            }),
            Kind::Date => json!({"type": "date", "format": "strict_date_optional_time"}),
            Kind::U64 => json!({"type": "unsigned_long", "index": false}),
        };
        props.insert(f.name.clone(), m);
    }
    for name in DATE_KEYWORDS.iter().chain([&BATCH_FIELD]) {
        props.insert(name.to_string(), json!({"type": "keyword"}));
    }
    props.insert(
        TIME_FIELD.to_string(),
        json!({"type": "date", "format": "strict_date_optional_time"}),
    );
    json!({
        "settings": {"index": {"number_of_shards": 1}},
        "mappings": {"dynamic": "strict", "properties": props},
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_schema_field_is_mapped_once_with_fast_facets() {
        let spec = SchemaSpec::builtin().expect("schema");
        let qw = quickwit_index_config(&spec, "news");
        let fields = qw["doc_mapping"]["field_mappings"]
            .as_array()
            .expect("fields");
        for f in spec
            .fields
            .iter()
            .filter(|f| !INTERNAL.contains(&f.name.as_str()))
        {
            let found: Vec<_> = fields.iter().filter(|m| m["name"] == f.name).collect();
            assert_eq!(found.len(), 1, "{}", f.name);
            if f.facet {
                assert_eq!(found[0]["fast"]["normalizer"], "raw", "{}", f.name);
            }
        }
        assert_eq!(qw["doc_mapping"]["timestamp_field"], TIME_FIELD);
        let org = fields.iter().find(|m| m["name"] == "org").expect("org");
        assert_eq!(org["type"], "array<text>");
        let es = elastic_mapping(&spec);
        assert_eq!(es["mappings"]["properties"]["org"]["type"], "keyword");
        assert_eq!(es["mappings"]["properties"]["month"]["type"], "keyword");
    }
}
