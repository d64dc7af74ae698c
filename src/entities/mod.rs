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
//!   possessives, demonyms) and aliases;
//! - [`aliases`]: the built-in table of canonical names across articles (`S&P` and
//!   `Standard and Poor's` are `Standard & Poor's`), applied after tagging;
//! - [`names`]: the index's own `names.toml` (the user's aliases and stop-names),
//!   applied by indexing after the built-in table.
//!
//! The model is `models/ner.bin`, embedded in the binary, with the word clusters
//! ([`clusters`]) it was trained with. `src/bin/train_ner/main.rs` gives the commands
//! that rebuild it (deterministic: the same corpora give the same bytes), the options
//! and the evaluation mode.

pub mod aliases;
pub mod canon;
pub mod clusters;
pub mod features;
pub mod gazetteer;
pub mod model;
pub mod names;
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
        let mut spans = self.spans(src, &tok);
        if !headline.is_empty() {
            canon::drop_title_case_guesses(src, &tok, headline.len(), &mut spans);
        }
        canon::build(src, &tok, &spans)
    }

    /// Tags a tokenized text: entity spans (MISC included), made consistent within
    /// the document.
    pub fn spans(&self, text: &str, tok: &tokenize::Tokenized) -> Vec<Span> {
        let df = DocFeatures::with_clusters(text, tok, !self.model.fast, self.model.clusters());
        let tags = self.model.tag(&df);
        let mut spans = Vec::new();
        let mut i = 0;
        while i < tags.len() {
            match model::tag_type(tags[i]) {
                Some(ty) => {
                    let mut j = i + 1;
                    while j < tags.len()
                        && !model::is_begin(tags[j])
                        && model::tag_type(tags[j]) == Some(ty)
                    {
                        j += 1;
                    }
                    spans.push(Span {
                        start: i,
                        end: j,
                        ty,
                    });
                    i = j;
                }
                None => i += 1,
            }
        }
        canon::fix_spans(text, tok, &mut spans);
        aliases::builtin().join_known(text, tok, &mut spans);
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
        // The dateline city (`BAGHDAD, Dec. 1 (Xinhua) --`, which parsers take out of
        // the body) is a place of the story too.
        if let Some(p) = article.dateline.as_ref().and_then(|d| d.place.as_deref()) {
            let p = p.trim();
            if !p.is_empty() && p.chars().any(char::is_alphabetic) {
                let h = gazetteer::phrase_hash(p);
                let name = gazetteer::gazetteer().place_canonical(h).unwrap_or(p);
                merge(&mut article.place, vec![name.to_string()]);
            }
        }
        merge(&mut article.aliases.org, found.aliases.org);
        merge(&mut article.aliases.person, found.aliases.person);
        merge(&mut article.aliases.place, found.aliases.place);
        article.entities = found.mentions;
        // One name per organization or place across articles, also for the
        // entities the source gave.
        aliases::builtin().canonicalize(article);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn ex() -> &'static Extractor {
        static EX: once_cell::sync::Lazy<Extractor> = once_cell::sync::Lazy::new(Extractor::new);
        &EX
    }

    fn has(v: &[String], s: &str) -> bool {
        v.iter().any(|x| x == s)
    }

    #[test]
    fn extractor_is_shared_across_threads() {
        fn check<T: Send + Sync>() {}
        check::<Extractor>();
    }

    #[test]
    fn embedded_model_is_a_trained_model() {
        assert!(
            Model::from_bytes(MODEL_BYTES).is_ok(),
            "models/ner.bin is not a model: retrain it"
        );
        let e = ex().extract(
            "",
            "Prime Minister John Kemp arrived in Canberra on Monday.",
        );
        assert!(!e.person.is_empty() && !e.place.is_empty(), "{e:?}");
    }

    #[test]
    fn acronym_definition_gives_acronym_with_long_form_alias() {
        let e = ex().extract(
            "Alliance to expand mission",
            "The head of the North Atlantic Treaty Organization (NATO) mission said on Friday that \
             NATO would send more trainers.",
        );
        assert!(has(&e.org, "NATO"), "{e:?}");
        assert!(!has(&e.org, "North Atlantic Treaty Organization"), "{e:?}");
        assert!(
            has(&e.aliases.org, "North Atlantic Treaty Organization"),
            "{e:?}"
        );
    }

    #[test]
    fn two_letter_acronym_used_once_keeps_the_long_form() {
        let e = ex().extract(
            "",
            "The army said it had defeated the militants of the Islamic State (IS) group in the province.",
        );
        assert!(has(&e.org, "Islamic State"), "{e:?}");
        assert!(has(&e.aliases.org, "IS"), "{e:?}");
    }

    #[test]
    fn well_known_long_form_maps_to_its_short_name() {
        let e = ex().extract(
            "",
            "Officials of the World Health Organization visited the camp in Chad.",
        );
        assert!(has(&e.org, "WHO"), "{e:?}");
        assert!(has(&e.aliases.org, "World Health Organization"), "{e:?}");
    }

    #[test]
    fn short_names_resolve_to_the_full_name() {
        let e = ex().extract(
            "",
            "Adviser Qasim al-Araji met Michael Anker in the capital on Monday. Al-Araji said the \
             talks went well, and Anker agreed.",
        );
        assert!(has(&e.person, "Qasim al-Araji"), "{e:?}");
        assert!(has(&e.person, "Michael Anker"), "{e:?}");
        assert!(
            !has(&e.person, "Anker") && !has(&e.person, "Al-Araji"),
            "{e:?}"
        );
        assert!(has(&e.aliases.person, "Anker"), "{e:?}");
        let e = ex().extract(
            "",
            "Patricia Hewitt spoke in London on Monday. Ms Hewitt said the plan would work.",
        );
        assert!(has(&e.person, "Patricia Hewitt"), "{e:?}");
        let e = ex().extract(
            "Hu meets Bush",
            "Chinese President Hu Jintao met US President George W. Bush on Sunday. Hu Jintao \
             said the talks were fruitful. Hu also invited Bush to visit Beijing.",
        );
        assert!(has(&e.person, "Hu Jintao"), "{e:?}");
        assert!(!has(&e.person, "Hu"), "{e:?}");
        assert!(!e.person.iter().any(|p| p.starts_with("Ms")), "{e:?}");
    }

    #[test]
    fn capitals_are_recased_and_possessives_dropped() {
        let e = ex().extract(
            "",
            "BAGHDAD, Dec. 1 (Xinhua) -- Iraq's government said on Wednesday that U.S. troops would leave.",
        );
        assert!(has(&e.place, "Baghdad"), "{e:?}");
        assert!(!has(&e.place, "BAGHDAD"), "{e:?}");
        assert!(has(&e.place, "Iraq"), "{e:?}");
        assert!(has(&e.place, "United States"), "{e:?}");
        assert!(has(&e.aliases.place, "U.S."), "{e:?}");
        // Neither the date nor the agency credit is an entity.
        assert!(
            !e.mentions
                .iter()
                .any(|m| m.text == "Dec." || m.text == "Xinhua"),
            "{e:?}"
        );
    }

    #[test]
    fn title_case_headline_words_are_not_names() {
        let e = ex().extract(
            "University Erects A Factory Of The Future In Ohio",
            "Engineers at Ohio State University opened a test plant on Monday, said Professor Ann Clark.",
        );
        assert!(
            !has(&e.org, "University Erects") && !has(&e.org, "Factory Of The Future"),
            "{e:?}"
        );
        assert!(has(&e.place, "Ohio"), "{e:?}");
        assert!(has(&e.person, "Ann Clark"), "{e:?}");
    }

    #[test]
    fn demonyms_are_not_places() {
        let e = ex().extract(
            "",
            "Iraqi forces and Syrian officials met in Damascus on Sunday.",
        );
        assert!(has(&e.place, "Damascus"), "{e:?}");
        assert!(!has(&e.place, "Iraqi") && !has(&e.place, "Syrian"), "{e:?}");
    }

    #[test]
    fn page_furniture_never_becomes_an_entity() {
        let body = "0 Comment(s)Print E-mail Xinhua, December 02, 2021\nAdjust font size:\n\
                    SEOUL, Nov. 1 (Xinhua) -- South Korea's President Kim Dae-ho visited Tokyo.\n\
                    Print E-mail Bookmark and Share\nGo to Forum >>0 Comment(s)\nNo comments.\n\
                    Add your comments...\nUser Name Required\nYour Comment\n\
                    Send your storiesGet more from China.org.cnMobileRSSNewsletter";
        let e = ex().extract("Seoul and Tokyo hold talks", body);
        let all: Vec<&String> = e.org.iter().chain(&e.person).chain(&e.place).collect();
        for bad in [
            "Print",
            "E-mail",
            "Bookmark",
            "Share",
            "Comment",
            "Forum",
            "RSS",
            "Newsletter",
            "Mobile",
        ] {
            assert!(!all.iter().any(|x| x.contains(bad)), "{bad} in {all:?}");
        }
        assert!(
            !e.mentions.iter().any(|m| m.text.contains("China.org.cn")),
            "{e:?}"
        );
        assert!(has(&e.place, "Tokyo"), "{e:?}");
        // Prose that happens to use a furniture phrase is kept.
        let e = ex().extract(
            "",
            "Countries that subscribe to the treaty met in Geneva on Monday, and France said \
             it would share this burden with Germany and Italy over the next decade.",
        );
        assert!(has(&e.place, "Geneva") && has(&e.place, "France"), "{e:?}");
    }

    #[test]
    fn annotate_merges_without_duplicates() {
        let mut a = Article {
            headline: Some("Talks in Paris".into()),
            body: "French officials met in Paris on Monday.".into(),
            place: vec!["paris".into()],
            ..Article::default()
        };
        ex().annotate(&mut a);
        assert_eq!(
            a.place
                .iter()
                .filter(|p| p.eq_ignore_ascii_case("paris"))
                .count(),
            1,
            "{a:?}"
        );
        assert!(!a.entities.is_empty());
    }

    #[test]
    fn sample_article_entities_with_dateline_place() {
        let mut a = Article {
            headline: Some("Iraq confirms commitment to withdrawing foreign forces".into()),
            dateline: Some(crate::article::Dateline {
                place: Some("Baghdad".into()),
                ..Default::default()
            }),
            body: "The Iraqi government confirmed on Wednesday its commitment to implement the \
                   decision of the Iraqi parliament to withdraw foreign combat forces from Iraq.\n\
                   A statement by the media office of Iraqi National Security Adviser Qasim \
                   al-Araji said al-Araji met with Michael Anker, head of the North Atlantic \
                   Treaty Organization (NATO) mission in Iraq, to discuss cooperation between \
                   Iraq and NATO.\n\
                   The Iraqi forces can defeat the militants of the extremist Islamic State (IS) \
                   group, he added.\n\
                   On Nov. 24, Spokesman of Iraqi Joint Operations Command Tahseen al-Khafaji \
                   said the forces would leave Iraq, except for limited presence in the western \
                   province of Anbar. The United States and Iraq agreed in July."
                .into(),
            ..Article::default()
        };
        ex().annotate(&mut a);
        for o in ["NATO", "Islamic State", "Iraqi Joint Operations Command"] {
            assert!(has(&a.org, o), "{o}: {a:?}");
        }
        for p in ["Qasim al-Araji", "Michael Anker", "Tahseen al-Khafaji"] {
            assert!(has(&a.person, p), "{p}: {a:?}");
        }
        for p in ["Baghdad", "Iraq", "United States", "Anbar"] {
            assert!(has(&a.place, p), "{p}: {a:?}");
        }
        assert!(
            has(&a.aliases.org, "North Atlantic Treaty Organization"),
            "{a:?}"
        );
        assert!(!has(&a.place, "Iraqi"), "{a:?}");
    }

    /// Per-document set precision/recall/F1 over (label, text) pairs, as
    /// `ner_score.py score` computes it.
    fn set_f1(
        gold: &[BTreeSet<(String, String)>],
        pred: &[BTreeSet<(String, String)>],
    ) -> (f64, f64, f64) {
        let (mut tp, mut np, mut ng) = (0usize, 0usize, 0usize);
        for (g, p) in gold.iter().zip(pred) {
            tp += g.intersection(p).count();
            np += p.len();
            ng += g.len();
        }
        let p = tp as f64 / np.max(1) as f64;
        let r = tp as f64 / ng.max(1) as f64;
        (
            p,
            r,
            if p + r > 0.0 {
                2.0 * p * r / (p + r)
            } else {
                0.0
            },
        )
    }

    const FIXTURE: &str = include_str!("../../tests/fixtures/ner/news.jsonl");

    #[test]
    fn hand_annotated_fixture_scores_well() {
        let mut gold = Vec::new();
        let mut pred = Vec::new();
        let mut pred_lines = String::new();
        for line in FIXTURE.lines().filter(|l| !l.trim().is_empty()) {
            let v: serde_json::Value = serde_json::from_str(line).expect("fixture line is JSON");
            let text = v["text"].as_str().expect("text");
            let g: BTreeSet<(String, String)> = v["entities"]
                .as_array()
                .expect("entities")
                .iter()
                .map(|e| {
                    (
                        e["label"].as_str().unwrap_or("").to_string(),
                        e["text"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect();
            let m = ex().mentions(text);
            let p: BTreeSet<(String, String)> = m
                .iter()
                .map(|m| (m.label.clone(), m.text.clone()))
                .collect();
            let ents: Vec<_> = m
                .iter()
                .map(|m| serde_json::json!({"text": m.text, "label": m.label}))
                .collect();
            pred_lines.push_str(
                &serde_json::json!({"doc_index": v["doc_index"], "entities": ents}).to_string(),
            );
            pred_lines.push('\n');
            gold.push(g);
            pred.push(p);
        }
        let (p, r, f) = set_f1(&gold, &pred);
        println!("fixture: P={p:.3} R={r:.3} F1={f:.3}");
        for (g, q) in gold.iter().zip(&pred) {
            println!(
                "missed {:?}\nspurious {:?}",
                g.difference(q).collect::<Vec<_>>(),
                q.difference(g).collect::<Vec<_>>()
            );
        }
        assert!(f >= 0.85 && p >= 0.85, "fixture set F1 {f:.3} P {p:.3}");

        // Cross-check with the project's reference scorer when it is there.
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let scorer = root.join("../shared/tools/ner_score.py");
        if !scorer.exists() {
            println!(
                "skipping ner_score.py cross-check: {} not found",
                scorer.display()
            );
            return;
        }
        let dir = std::env::temp_dir().join(format!("newswire-ner-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let pred_path = dir.join("pred.jsonl");
        std::fs::write(&pred_path, pred_lines).expect("write predictions");
        let gold_path = root.join("tests/fixtures/ner/news.jsonl");
        let out = std::process::Command::new("python3")
            .arg(&scorer)
            .args(["score", "--gold"])
            .arg(&gold_path)
            .arg("--pred")
            .arg(&pred_path)
            .output();
        let _ = std::fs::remove_dir_all(&dir);
        match out {
            Err(e) => println!("skipping ner_score.py cross-check: cannot run python3: {e}"),
            Ok(o) => {
                let s = String::from_utf8_lossy(&o.stdout);
                assert!(
                    o.status.success(),
                    "scorer failed: {}",
                    String::from_utf8_lossy(&o.stderr)
                );
                // First `ALL` row is the set metric: `ALL gold pred tp P R F1`.
                let row = s
                    .lines()
                    .find(|l| l.trim_start().starts_with("ALL"))
                    .expect("ALL row");
                let f_ref: f64 = row
                    .split_whitespace()
                    .last()
                    .and_then(|x| x.parse().ok())
                    .expect("F1");
                assert!((f_ref - f).abs() < 1e-3, "scorer F1 {f_ref} vs ours {f}");
            }
        }
    }
}
