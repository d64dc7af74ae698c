//! Named entities: organizations, people and places found in an article's text,
//! under canonical names.
//!
//! In: headline and body text. Out: [`Entities`], deduplicated per article, with the
//! other names each entity goes by (so filters match any of them) and the surface
//! mentions (for scoring).
//!
//! The pipeline, one module per step:
//! - [`tokenize`]: raw or pre-tokenized text -> tokens and sentences (no allocation
//!   per token);
//! - [`features`] + [`gazetteer`]: hashed features per token (word, shape, affixes,
//!   neighbours, list matches, how the word is written elsewhere in the article);
//! - [`model`]: an averaged-perceptron linear-chain tagger over BIO tags (PER, ORG,
//!   LOC, MISC), decoded with Viterbi; MISC is tagged so it is not confused with the
//!   others, and then dropped;
//! - [`canon`]: page furniture removed, mentions made consistent within the article,
//!   canonical names (acronym definitions, short forms of names, casing,
//!   possessives, demonyms) and aliases.
//!
//! The model is `models/ner.bin`, embedded in the binary. Retrain it with
//! `cargo run --release --bin train_ner -- /path/to/conll2003/train.txt -o models/ner.bin`
//! (deterministic: the same training file gives the same bytes); see
//! `src/bin/train_ner.rs` for the options and the evaluation mode.

pub mod canon;
pub mod features;
pub mod gazetteer;
pub mod model;
pub mod tokenize;

use crate::article::{Aliases, Article, Mention};

use self::features::DocFeatures;
use self::model::{Model, TYPES};

/// The embedded model (see the module docs for how it is trained).
static MODEL_BYTES: &[u8] = include_bytes!("../../models/ner.bin");

/// Entities found in one article.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entities {
    pub org: Vec<String>,
    pub person: Vec<String>,
    pub place: Vec<String>,
    pub aliases: Aliases,
    pub mentions: Vec<Mention>,
}

/// Entity extractor. Built once and shared by all indexing threads.
#[derive(Debug, Clone)]
pub struct Extractor {
    model: Model,
}

impl Default for Extractor {
    fn default() -> Self {
        Self::new()
    }
}

/// One tagged span: token range and type index into [`TYPES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub ty: usize,
}

impl Extractor {
    /// Loads the extractor with its built-in model (no network, no files needed).
    pub fn new() -> Self {
        // The embedded model is written by train_ner and checked by the tests; an
        // unreadable one (e.g. a placeholder before the first training) tags nothing.
        let model = Model::from_bytes(MODEL_BYTES).unwrap_or_else(|_| Model::empty());
        Extractor { model }
    }

    /// An extractor with a given model (for training and evaluation tools).
    pub fn with_model(model: Model) -> Self {
        Extractor { model }
    }

    /// Extracts the entities of an article from its headline and body.
    pub fn extract(&self, headline: &str, body: &str) -> Entities {
        let headline = headline.trim();
        let text: String;
        let src = if headline.is_empty() {
            body
        } else {
            text = format!("{headline}\n{body}");
            &text
        };
        let clean = canon::blank_furniture(src);
        let src = clean.as_deref().unwrap_or(src);
        let tok = tokenize::tokenize(src);
        let spans = self.spans(src, &tok);
        canon::build(src, &tok, &spans)
    }

    /// Tags a tokenized text: entity spans (MISC included), made consistent within
    /// the document.
    pub fn spans(&self, text: &str, tok: &tokenize::Tokenized) -> Vec<Span> {
        let df = DocFeatures::new(text, tok);
        let tags = self.model.tag(&df);
        let mut spans = Vec::new();
        let mut i = 0;
        while i < tags.len() {
            match model::tag_type(tags[i]) {
                Some(ty) => {
                    let mut j = i + 1;
                    while j < tags.len() && !model::is_begin(tags[j]) && model::tag_type(tags[j]) == Some(ty) {
                        j += 1;
                    }
                    spans.push(Span { start: i, end: j, ty });
                    i = j;
                }
                None => i += 1,
            }
        }
        canon::fix_spans(text, tok, &mut spans);
        canon::make_consistent(text, tok, &mut spans);
        spans
    }

    /// Surface mentions (ORG/PER/LOC) of a text, as the scorer sees them.
    pub fn mentions(&self, text: &str) -> Vec<Mention> {
        self.extract("", text).mentions
    }

    /// Extracts entities and merges them into the article's own lists (keeping what
    /// the source gave), deduplicating.
    pub fn annotate(&self, article: &mut Article) {
        let found = self.extract(article.headline.as_deref().unwrap_or(""), &article.body);
        merge(&mut article.org, found.org);
        merge(&mut article.person, found.person);
        merge(&mut article.place, found.place);
        merge(&mut article.aliases.org, found.aliases.org);
        merge(&mut article.aliases.person, found.aliases.person);
        merge(&mut article.aliases.place, found.aliases.place);
        article.entities = found.mentions;
    }
}

/// Scoring label of a type index (`None` for MISC).
pub fn label(ty: usize) -> Option<&'static str> {
    match TYPES[ty] {
        "PER" => Some("PER"),
        "ORG" => Some("ORG"),
        "LOC" => Some("LOC"),
        _ => None,
    }
}

fn merge(into: &mut Vec<String>, more: Vec<String>) {
    for m in more {
        if !into.iter().any(|x| x.eq_ignore_ascii_case(&m)) {
            into.push(m);
        }
    }
}
