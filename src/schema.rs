//! The index schema, as data.
//!
//! `schema/newswire.toml` declares every field (kind, tokenizer, stored, fast, facet,
//! default-search boost). It is embedded in the binary, parsed and validated here,
//! and turned into a tantivy [`Schema`]. [`Fields`] gives the rest of the code typed
//! handles to the fields it relies on, so a schema file missing one fails at load
//! time with a clear message rather than at search time.

use std::collections::HashSet;

use serde::Deserialize;
use tantivy::schema::{
    DateOptions, DateTimePrecision, Field, IndexRecordOption, NumericOptions, Schema,
    TextFieldIndexing, TextOptions,
};
use tantivy::tokenizer::{
    LowerCaser, RawTokenizer, RemoveLongFilter, SimpleTokenizer, TextAnalyzer, TokenizerManager,
};

/// The schema file shipped with newswire.
pub const SCHEMA_TOML: &str = include_str!("../schema/newswire.toml");

/// A schema file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The TOML does not parse or has unknown keys.
    #[error("schema file is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    /// A field is declared twice.
    #[error("field `{0}` is declared twice")]
    Duplicate(String),
    /// A field's options contradict each other or name an unknown tokenizer.
    #[error("field `{field}`: {reason}")]
    Invalid { field: String, reason: String },
    /// A field newswire needs is missing or of the wrong kind.
    #[error("field `{field}` must be declared with kind `{kind}`")]
    Required { field: String, kind: &'static str },
}

/// The kinds of field a schema may declare.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Text,
    Keyword,
    Date,
    U64,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Text => "text",
            Kind::Keyword => "keyword",
            Kind::Date => "date",
            Kind::U64 => "u64",
        }
    }
}

/// One declared field.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldSpec {
    pub name: String,
    pub kind: Kind,
    #[serde(default)]
    pub tokenizer: Option<String>,
    #[serde(default)]
    pub stored: bool,
    #[serde(default)]
    pub fast: bool,
    #[serde(default)]
    pub facet: bool,
    #[serde(default)]
    pub boost: f32,
    #[serde(default)]
    pub doc: String,
}

/// The parsed schema file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaSpec {
    pub name: String,
    pub version: u32,
    #[serde(rename = "field")]
    pub fields: Vec<FieldSpec>,
}

const TOKENIZERS: &[&str] = &["news", "words", "keyword"];

impl SchemaSpec {
    /// Parses and validates a schema file.
    pub fn parse(toml_text: &str) -> Result<Self, SchemaError> {
        let spec: SchemaSpec = toml::from_str(toml_text)?;
        spec.validate()?;
        Ok(spec)
    }

    /// The schema embedded in this binary.
    pub fn builtin() -> Result<Self, SchemaError> {
        Self::parse(SCHEMA_TOML)
    }

    fn validate(&self) -> Result<(), SchemaError> {
        let mut seen = HashSet::new();
        for f in &self.fields {
            if !seen.insert(f.name.as_str()) {
                return Err(SchemaError::Duplicate(f.name.clone()));
            }
            let invalid = |reason: &str| SchemaError::Invalid {
                field: f.name.clone(),
                reason: reason.to_string(),
            };
            match (&f.kind, &f.tokenizer) {
                (Kind::Text, None) => return Err(invalid("a text field needs a `tokenizer`")),
                (Kind::Text, Some(t)) if !TOKENIZERS.contains(&t.as_str()) => {
                    return Err(invalid(&format!(
                        "unknown tokenizer `{t}` (known: {})",
                        TOKENIZERS.join(", ")
                    )))
                }
                (Kind::Text, Some(_)) => {}
                (_, Some(_)) => return Err(invalid("only text fields take a `tokenizer`")),
                (_, None) => {}
            }
            if f.facet && !(f.kind == Kind::Keyword && f.fast) {
                return Err(invalid(
                    "a facet must be a `keyword` field with `fast = true`",
                ));
            }
            if f.boost < 0.0 || !f.boost.is_finite() {
                return Err(invalid("`boost` must be a non-negative number"));
            }
            if f.kind == Kind::U64 && !f.stored && !f.fast {
                return Err(invalid("a u64 field must be `stored`, `fast` or both"));
            }
            if f.boost > 0.0 && f.kind != Kind::Text {
                return Err(invalid(
                    "only text fields are searched by default (`boost`)",
                ));
            }
        }
        for (name, kind) in REQUIRED {
            if !self
                .fields
                .iter()
                .any(|f| f.name == *name && f.kind == *kind)
            {
                return Err(SchemaError::Required {
                    field: name.to_string(),
                    kind: kind.name(),
                });
            }
        }
        Ok(())
    }

    /// A short fingerprint of the schema (name, version and every field), recorded in
    /// each index so a mismatch is caught when it is opened.
    pub fn fingerprint(&self) -> String {
        let mut text = format!("{}:{}", self.name, self.version);
        for f in &self.fields {
            text.push_str(&format!(
                "|{}:{}:{:?}:{}:{}:{}",
                f.name,
                f.kind.name(),
                f.tokenizer,
                f.stored,
                f.fast,
                f.facet
            ));
        }
        format!("{:016x}", xxhash_rust::xxh3::xxh3_64(text.as_bytes()))
    }

    /// Builds the tantivy schema.
    pub fn to_tantivy(&self) -> Schema {
        let mut b = Schema::builder();
        for f in &self.fields {
            match f.kind {
                Kind::Text => {
                    let tokenizer = f.tokenizer.as_deref().unwrap_or("news");
                    let indexing = TextFieldIndexing::default()
                        .set_tokenizer(tokenizer)
                        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
                    let mut opts = TextOptions::default().set_indexing_options(indexing);
                    if f.stored {
                        opts = opts.set_stored();
                    }
                    b.add_text_field(&f.name, opts);
                }
                Kind::Keyword => {
                    let indexing = TextFieldIndexing::default()
                        .set_tokenizer("keyword")
                        .set_fieldnorms(false)
                        .set_index_option(IndexRecordOption::Basic);
                    let mut opts = TextOptions::default().set_indexing_options(indexing);
                    if f.stored {
                        opts = opts.set_stored();
                    }
                    if f.fast {
                        opts = opts.set_fast("raw");
                    }
                    b.add_text_field(&f.name, opts);
                }
                Kind::Date => {
                    let mut opts = DateOptions::default()
                        .set_indexed()
                        .set_fast()
                        .set_precision(DateTimePrecision::Seconds);
                    if f.stored {
                        opts = opts.set_stored();
                    }
                    b.add_date_field(&f.name, opts);
                }
                Kind::U64 => {
                    // Numbers are never searched by term, only read back: stored
                    // and/or fast as declared.
                    let mut opts = NumericOptions::default();
                    if f.fast {
                        opts = opts.set_fast();
                    }
                    if f.stored {
                        opts = opts.set_stored();
                    }
                    b.add_u64_field(&f.name, opts);
                }
            }
        }
        b.build()
    }

    /// Fields searched when a query names none, with their boosts.
    pub fn default_search_fields(&self) -> Vec<(&str, f32)> {
        self.fields
            .iter()
            .filter(|f| f.boost > 0.0)
            .map(|f| (f.name.as_str(), f.boost))
            .collect()
    }

    /// Names of the fields that can be faceted.
    pub fn facet_fields(&self) -> Vec<&str> {
        self.fields
            .iter()
            .filter(|f| f.facet)
            .map(|f| f.name.as_str())
            .collect()
    }

    pub fn field(&self, name: &str) -> Option<&FieldSpec> {
        self.fields.iter().find(|f| f.name == name)
    }
}

/// Fields the code relies on, with the kind it expects.
const REQUIRED: &[(&str, Kind)] = &[
    ("id", Kind::Keyword),
    ("headline", Kind::Text),
    ("body", Kind::Text),
    ("source", Kind::Keyword),
    ("published", Kind::Date),
    ("dateline", Kind::Keyword),
    ("dateline_date", Kind::Date),
    ("agency", Kind::Keyword),
    ("org", Kind::Keyword),
    ("person", Kind::Keyword),
    ("place", Kind::Keyword),
    ("org_alias", Kind::Keyword),
    ("person_alias", Kind::Keyword),
    ("place_alias", Kind::Keyword),
    ("tagged", Kind::Keyword),
    ("topic", Kind::Keyword),
    ("category", Kind::Keyword),
    ("byline", Kind::Text),
    ("url", Kind::Keyword),
    ("path", Kind::Keyword),
    ("position", Kind::U64),
    ("format", Kind::Keyword),
    ("simhash", Kind::U64),
];

/// Typed handles to the fields newswire reads and writes.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub headline: Field,
    pub body: Field,
    pub source: Field,
    pub published: Field,
    pub dateline: Field,
    pub dateline_date: Field,
    pub agency: Field,
    pub org: Field,
    pub person: Field,
    pub place: Field,
    pub org_alias: Field,
    pub person_alias: Field,
    pub place_alias: Field,
    pub tagged: Field,
    pub topic: Field,
    pub category: Field,
    pub byline: Field,
    pub url: Field,
    pub path: Field,
    pub position: Field,
    pub format: Field,
    pub simhash: Field,
}

impl Fields {
    /// Looks the fields up in a schema built from a validated [`SchemaSpec`].
    pub fn new(schema: &Schema) -> tantivy::Result<Self> {
        let f = |name: &str| schema.get_field(name);
        Ok(Fields {
            id: f("id")?,
            headline: f("headline")?,
            body: f("body")?,
            source: f("source")?,
            published: f("published")?,
            dateline: f("dateline")?,
            dateline_date: f("dateline_date")?,
            agency: f("agency")?,
            org: f("org")?,
            person: f("person")?,
            place: f("place")?,
            org_alias: f("org_alias")?,
            person_alias: f("person_alias")?,
            place_alias: f("place_alias")?,
            tagged: f("tagged")?,
            topic: f("topic")?,
            category: f("category")?,
            byline: f("byline")?,
            url: f("url")?,
            path: f("path")?,
            position: f("position")?,
            format: f("format")?,
            simhash: f("simhash")?,
        })
    }
}

/// The tokenizers the schema may name, registered on every index newswire opens.
pub fn tokenizers() -> TokenizerManager {
    let manager = TokenizerManager::default();
    manager.register(
        "news",
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(crate::stem::LowerStem)
            .build(),
    );
    manager.register(
        "words",
        TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .build(),
    );
    manager.register(
        "keyword",
        TextAnalyzer::builder(RawTokenizer::default())
            .filter(LowerCaser)
            .build(),
    );
    manager
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_schema_is_valid_and_complete() {
        let spec = SchemaSpec::builtin().expect("the shipped schema is valid");
        let schema = spec.to_tantivy();
        Fields::new(&schema).expect("every required field exists");
        let facets = spec.facet_fields();
        for f in [
            "org", "person", "place", "source", "topic", "category", "dateline",
        ] {
            assert!(facets.contains(&f), "{f} should be a facet");
        }
        assert_eq!(spec.default_search_fields()[0], ("headline", 2.0));
    }

    #[test]
    fn rejects_bad_schemas() {
        let dup = "name='x'\nversion=1\n[[field]]\nname='a'\nkind='u64'\nstored=true\n[[field]]\nname='a'\nkind='u64'\nstored=true\n";
        assert!(matches!(
            SchemaSpec::parse(dup),
            Err(SchemaError::Duplicate(_))
        ));
        let tok = "name='x'\nversion=1\n[[field]]\nname='a'\nkind='text'\ntokenizer='klingon'\n";
        let err = SchemaSpec::parse(tok).expect_err("unknown tokenizer");
        assert!(err.to_string().contains("klingon"));
        let missing = "name='x'\nversion=1\n[[field]]\nname='a'\nkind='u64'\nstored=true\n";
        let unread = "name='x'\nversion=1\n[[field]]\nname='a'\nkind='u64'\n";
        assert!(matches!(
            SchemaSpec::parse(unread),
            Err(SchemaError::Invalid { .. })
        ));
        assert!(matches!(
            SchemaSpec::parse(missing),
            Err(SchemaError::Required { .. })
        ));
        let unknown_key = "name='x'\nversion=1\n[[field]]\nname='a'\nkind='u64'\ncolour='red'\n";
        assert!(matches!(
            SchemaSpec::parse(unknown_key),
            Err(SchemaError::Toml(_))
        ));
    }

    #[test]
    fn fingerprint_changes_with_the_schema() {
        let a = SchemaSpec::builtin().expect("valid");
        let mut b = a.clone();
        b.fields[1].stored = !b.fields[1].stored;
        assert_ne!(a.fingerprint(), b.fingerprint());
    }
}
