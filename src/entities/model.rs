//! The statistical tagger: a linear-chain model over BIO tags, decoded with Viterbi,
//! trained as an averaged structured perceptron on hashed features.
//!
//! In: [`DocFeatures`] of a document. Out: one tag per token. The model is a flat
//! table of `2^bits x NT` 16-bit weights (feature hash -> bucket) plus a tag
//! transition matrix, stored deflate-compressed (see [`Model::to_bytes`]).

use std::io::{Read, Write};

use super::clusters::Clusters;
use super::features::DocFeatures;
use super::tokenize::tokenize;

/// Tags: O, then B/I for PER, ORG, LOC, MISC.
pub const TAGS: [&str; 9] = [
    "O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC",
];
pub const NT: usize = TAGS.len();
/// Entity types, in tag order.
pub const TYPES: [&str; 4] = ["PER", "ORG", "LOC", "MISC"];

const MAGIC: &[u8; 8] = b"NWNER\x00\x01\x00";
/// Version 2: version 1 followed by the entity-start biases and the word-cluster table.
const MAGIC2: &[u8; 8] = b"NWNER\x00\x02\x00";

/// Type index of a tag (`None` for O).
#[inline]
pub fn tag_type(t: u8) -> Option<usize> {
    if t == 0 {
        None
    } else {
        Some((t as usize - 1) / 2)
    }
}

#[inline]
pub fn is_begin(t: u8) -> bool {
    t & 1 == 1
}

/// Whether tag `cur` may follow tag `prev` (`prev = None` at a sentence start).
#[inline]
fn allowed(prev: Option<usize>, cur: usize) -> bool {
    if cur == 0 || is_begin(cur as u8) {
        return true;
    }
    match prev {
        None => false,
        Some(p) => p != 0 && tag_type(p as u8) == tag_type(cur as u8),
    }
}

/// Emission scores that make a token `O`.
const OUTSIDE: [f32; NT] = {
    let mut e = [-1e6f32; NT];
    e[0] = 0.0;
    e
};

/// A trained model.
#[derive(Clone)]
pub struct Model {
    /// Skip the features of tokens that are surely outside any name (see
    /// [`DocFeatures::surely_outside`]); on by default.
    pub fast: bool,
    bits: u32,
    /// One row of `NT` weights per bucket.
    weights: Vec<[i16; NT]>,
    /// One bit per bucket: is its row non-zero? Small enough to stay in cache, it
    /// saves the memory load of the (many) empty rows rare features land on.
    nonzero: Vec<u64>,
    scale: f32,
    trans: [[f32; NT]; NT],
    start: [f32; NT],
    /// Word clusters the model was trained with (cluster features are off without).
    clusters: Option<Clusters>,
    /// Added to the score of starting an entity of each type (`B-` tags; 0 elsewhere):
    /// below zero, the tagger needs more evidence to report a name of that type.
    bias: [f32; NT],
}

impl std::fmt::Debug for Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Model")
            .field("bits", &self.bits)
            .field("clusters", &self.clusters)
            .finish_non_exhaustive()
    }
}

/// Why a model file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Not a newswire NER model, or a model of another version.
    #[error("not a newswire NER model (bad magic or version)")]
    Magic,
    /// The file ends early or does not decompress.
    #[error("model file is truncated or corrupt: {0}")]
    Corrupt(String),
}

#[inline]
fn bucket(h: u64, bits: u32) -> usize {
    (h.wrapping_mul(0xD6E8_FEB8_6659_FD93) >> (64 - bits)) as usize
}

impl Model {
    /// A model that tags nothing (all weights zero).
    pub fn empty() -> Self {
        Model {
            fast: true,
            bits: 1,
            weights: vec![[0; NT]; 2],
            nonzero: vec![0; 1],
            scale: 1.0,
            trans: [[0.0; NT]; NT],
            start: [0.0; NT],
            clusters: None,
            bias: [0.0; NT],
        }
    }

    /// Sets the entity-start bias of each type (indices into [`TYPES`]).
    pub fn set_bias(&mut self, by_type: [f32; 4]) {
        self.bias = [0.0; NT];
        for (ty, b) in by_type.into_iter().enumerate() {
            self.bias[1 + 2 * ty] = b;
        }
    }

    /// The word clusters of the model, if it was trained with them.
    pub fn clusters(&self) -> Option<&Clusters> {
        self.clusters.as_ref()
    }

    /// Emission scores of token `i`.
    #[inline]
    fn emissions(&self, doc: &DocFeatures<'_>, i: usize) -> [f32; NT] {
        let mut acc = [0i32; NT];
        let w = &self.weights;
        let bits = self.bits;
        let nz = &self.nonzero;
        doc.features(i, |h| {
            let b = bucket(h, bits);
            if nz[b >> 6] & (1 << (b & 63)) == 0 {
                return;
            }
            let row = &w[b];
            for (a, &x) in acc.iter_mut().zip(row) {
                *a += x as i32;
            }
        });
        let mut out = [0f32; NT];
        for ((o, a), b) in out.iter_mut().zip(acc).zip(self.bias) {
            *o = a as f32 * self.scale + b;
        }
        out
    }

    /// Tags every token of the document (one tag per token, sentence by sentence).
    pub fn tag(&self, doc: &DocFeatures<'_>) -> Vec<u8> {
        let n = doc.info.len();
        let mut tags = vec![0u8; n];
        let mut em: Vec<[f32; NT]> = Vec::new();
        let mut back: Vec<[u8; NT]> = Vec::new();
        for r in doc.tok.sentence_ranges() {
            em.clear();
            for i in r.clone() {
                em.push(if self.fast && doc.surely_outside(i) {
                    OUTSIDE
                } else {
                    self.emissions(doc, i)
                });
            }
            viterbi(&em, &self.trans, &self.start, &mut back, &mut tags[r]);
        }
        tags
    }

    /// Serializes the model (deflate-compressed, deterministic).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut raw = Vec::with_capacity(self.weights.len() * 2 + 1024);
        raw.extend_from_slice(&self.bits.to_le_bytes());
        raw.extend_from_slice(&(NT as u32).to_le_bytes());
        raw.extend_from_slice(&self.scale.to_le_bytes());
        for row in self.trans.iter().chain(std::iter::once(&self.start)) {
            for v in row {
                raw.extend_from_slice(&v.to_le_bytes());
            }
        }
        // Weights column by column (tag-major) compresses better than row by row.
        for t in 0..NT {
            for b in 0..(1usize << self.bits) {
                raw.extend_from_slice(&self.weights[b][t].to_le_bytes());
            }
        }
        let v2 = self.clusters.is_some() || self.bias.iter().any(|&b| b != 0.0);
        if v2 {
            for b in self.bias {
                raw.extend_from_slice(&b.to_le_bytes());
            }
            match &self.clusters {
                Some(c) => {
                    raw.push(1);
                    raw.extend(c.to_bytes());
                }
                None => raw.push(0),
            }
        }
        let mut enc = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::best());
        let mut out = if v2 { MAGIC2.to_vec() } else { MAGIC.to_vec() };
        // Writing into a Vec cannot fail.
        let _ = enc.write_all(&raw);
        out.extend(enc.finish().unwrap_or_default());
        out
    }

    /// Reads a model written by [`Model::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, ModelError> {
        if bytes.len() < MAGIC.len() {
            return Err(ModelError::Magic);
        }
        let v2 = &bytes[..MAGIC2.len()] == MAGIC2;
        if !v2 && &bytes[..MAGIC.len()] != MAGIC {
            return Err(ModelError::Magic);
        }
        let mut raw = Vec::new();
        flate2::read::DeflateDecoder::new(&bytes[MAGIC.len()..])
            .read_to_end(&mut raw)
            .map_err(|e| ModelError::Corrupt(e.to_string()))?;
        let mut pos = 0usize;
        let mut u32_at = |raw: &[u8]| -> Result<[u8; 4], ModelError> {
            let s = raw
                .get(pos..pos + 4)
                .ok_or_else(|| ModelError::Corrupt("header".into()))?;
            pos += 4;
            let mut a = [0u8; 4];
            a.copy_from_slice(s);
            Ok(a)
        };
        let bits = u32::from_le_bytes(u32_at(&raw)?);
        let nt = u32::from_le_bytes(u32_at(&raw)?) as usize;
        if nt != NT || !(1..=26).contains(&bits) {
            return Err(ModelError::Corrupt(format!("bits={bits} tags={nt}")));
        }
        let scale = f32::from_le_bytes(u32_at(&raw)?);
        let mut trans = [[0f32; NT]; NT];
        let mut start = [0f32; NT];
        for row in trans.iter_mut().chain(std::iter::once(&mut start)) {
            for v in row.iter_mut() {
                *v = f32::from_le_bytes(u32_at(&raw)?);
            }
        }
        let nb = 1usize << bits;
        let body = raw
            .get(pos..pos + nb * NT * 2)
            .ok_or_else(|| ModelError::Corrupt("weights".into()))?;
        let mut weights = vec![[0i16; NT]; nb];
        // Stored tag by tag (column-major): entry (t, b) is at byte (t * nb + b) * 2.
        for (b, row) in weights.iter_mut().enumerate() {
            for (t, v) in row.iter_mut().enumerate() {
                let k = (t * nb + b) * 2;
                *v = i16::from_le_bytes([body[k], body[k + 1]]);
            }
        }
        let mut bias = [0f32; NT];
        let mut clusters = None;
        if v2 {
            let rest = &raw[pos + nb * NT * 2..];
            let corrupt = || ModelError::Corrupt("biases or clusters".into());
            let bb = rest.get(..NT * 4).ok_or_else(corrupt)?;
            for (b, c) in bias.iter_mut().zip(bb.chunks_exact(4)) {
                *b = f32::from_le_bytes([c[0], c[1], c[2], c[3]]);
            }
            if rest.get(NT * 4) == Some(&1) {
                let (c, _) = Clusters::from_bytes(&rest[NT * 4 + 1..]).ok_or_else(corrupt)?;
                clusters = Some(c);
            }
        }
        Ok(Model {
            fast: true,
            bits,
            nonzero: nonzero_rows(&weights),
            weights,
            scale,
            trans,
            start,
            clusters,
            bias,
        })
    }
}

/// The non-zero-row bitmap of a weight table.
fn nonzero_rows(weights: &[[i16; NT]]) -> Vec<u64> {
    let mut bits = vec![0u64; weights.len().div_ceil(64)];
    for (b, row) in weights.iter().enumerate() {
        if row.iter().any(|&x| x != 0) {
            bits[b >> 6] |= 1 << (b & 63);
        }
    }
    bits
}

/// Best tag sequence for one sentence's emission scores, written into `out`.
fn viterbi(
    em: &[[f32; NT]],
    trans: &[[f32; NT]; NT],
    start: &[f32; NT],
    back: &mut Vec<[u8; NT]>,
    out: &mut [u8],
) {
    let n = em.len();
    if n == 0 {
        return;
    }
    const NEG: f32 = f32::NEG_INFINITY;
    // Disallowed transitions cost -inf: computed once, branch-free in the loop.
    let mut tr = [[0f32; NT]; NT];
    let mut st = [0f32; NT];
    for t in 0..NT {
        st[t] = if allowed(None, t) { start[t] } else { NEG };
        for p in 0..NT {
            tr[p][t] = if allowed(Some(p), t) {
                trans[p][t]
            } else {
                NEG
            };
        }
    }
    back.clear();
    back.resize(n, [0; NT]);
    let mut score = [0f32; NT];
    for t in 0..NT {
        score[t] = st[t] + em[0][t];
    }
    for i in 1..n {
        let mut next = [NEG; NT];
        let bi = &mut back[i];
        if em[i] == OUTSIDE {
            // Forced `O` (fast path): only the best way into `O` matters.
            let mut best = score[0] + tr[0][0];
            let mut arg = 0u8;
            for p in 1..NT {
                let s = score[p] + tr[p][0];
                if s > best {
                    best = s;
                    arg = p as u8;
                }
            }
            next[0] = best;
            bi[0] = arg;
            score = next;
            continue;
        }
        for t in 0..NT {
            let mut best = score[0] + tr[0][t];
            let mut arg = 0u8;
            for p in 1..NT {
                let s = score[p] + tr[p][t];
                if s > best {
                    best = s;
                    arg = p as u8;
                }
            }
            next[t] = best + em[i][t];
            bi[t] = arg;
        }
        score = next;
    }
    let mut best = 0usize;
    for t in 1..NT {
        if score[t] > score[best] {
            best = t;
        }
    }
    out[n - 1] = best as u8;
    for i in (1..n).rev() {
        best = back[i][best] as usize;
        out[i - 1] = best as u8;
    }
}

/// One training document: its text and a gold tag per character range.
pub struct TrainDoc {
    pub text: String,
    /// Gold entity spans: (byte start, byte end, type index into [`TYPES`]).
    pub spans: Vec<(usize, usize, usize)>,
}

/// Training settings.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    pub bits: u32,
    pub epochs: usize,
    pub seed: u64,
    /// Averaged weights smaller than this (absolute) are dropped before quantizing.
    pub prune: f32,
    /// Word clusters for the cluster features (stored in the model); none: no such
    /// features.
    pub clusters: Option<Clusters>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            bits: 20,
            epochs: 12,
            seed: 0x6e65_7773,
            prune: 0.0,
            clusters: None,
        }
    }
}

/// Gold BIO tags for the tokens of `doc` (tokenized the way the tagger will see it).
pub fn gold_tags(doc: &TrainDoc, tok: &super::tokenize::Tokenized) -> Vec<u8> {
    let mut tags = vec![0u8; tok.tokens.len()];
    for &(s, e, ty) in &doc.spans {
        let mut first = true;
        for (i, t) in tok.tokens.iter().enumerate() {
            let (ts, te) = (t.start as usize, t.end as usize);
            if ts >= s && te <= e {
                tags[i] = (1 + ty * 2 + if first { 0 } else { 1 }) as u8;
                first = false;
            } else if ts < e && te > s && first {
                // A token straddling the span start: tag it anyway.
                tags[i] = (1 + ty * 2) as u8;
                first = false;
            }
        }
    }
    tags
}

struct Prepared {
    /// Feature buckets of all tokens, flattened; `offsets[i]..offsets[i+1]` per token.
    feats: Vec<u32>,
    offsets: Vec<u32>,
    gold: Vec<u8>,
    sentences: Vec<std::ops::Range<usize>>,
}

fn prepare(doc: &TrainDoc, bits: u32, clusters: Option<&Clusters>) -> Prepared {
    let tok = tokenize(&doc.text);
    let df = DocFeatures::with_clusters(&doc.text, &tok, true, clusters);
    let mut feats = Vec::with_capacity(tok.tokens.len() * 48);
    let mut offsets = Vec::with_capacity(tok.tokens.len() + 1);
    offsets.push(0);
    for i in 0..tok.tokens.len() {
        df.features(i, |h| feats.push(bucket(h, bits) as u32));
        offsets.push(feats.len() as u32);
    }
    Prepared {
        feats,
        offsets,
        gold: gold_tags(doc, &tok),
        sentences: tok.sentence_ranges().collect(),
    }
}

/// Trains a model (deterministic: the same documents and config give the same model).
pub fn train(docs: &[TrainDoc], cfg: &TrainConfig, mut log: impl FnMut(&str)) -> Model {
    let prepared: Vec<Prepared> = docs
        .iter()
        .map(|d| prepare(d, cfg.bits, cfg.clusters.as_ref()))
        .collect();
    let nb = 1usize << cfg.bits;
    let mut w = vec![0f32; nb * NT];
    let mut u = vec![0f32; nb * NT];
    let mut tw = [[0f32; NT]; NT];
    let mut tu = [[0f32; NT]; NT];
    let mut sw = [0f32; NT];
    let mut su = [0f32; NT];
    let mut c = 1f32;
    let mut order: Vec<usize> = (0..prepared.len()).collect();
    let mut rng = cfg.seed | 1;
    let mut em: Vec<[f32; NT]> = Vec::new();
    let mut back = Vec::new();
    let mut pred = Vec::new();
    for epoch in 0..cfg.epochs {
        // Fisher-Yates with xorshift: deterministic.
        for i in (1..order.len()).rev() {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            order.swap(i, (rng % (i as u64 + 1)) as usize);
        }
        let (mut errors, mut total) = (0usize, 0usize);
        for &d in &order {
            let p = &prepared[d];
            for r in &p.sentences {
                em.clear();
                for i in r.clone() {
                    let mut e = [0f32; NT];
                    for &b in &p.feats[p.offsets[i] as usize..p.offsets[i + 1] as usize] {
                        let row = &w[b as usize * NT..b as usize * NT + NT];
                        for (x, y) in e.iter_mut().zip(row) {
                            *x += y;
                        }
                    }
                    em.push(e);
                }
                pred.clear();
                pred.resize(r.len(), 0u8);
                viterbi(&em, &tw, &sw, &mut back, &mut pred);
                let gold = &p.gold[r.clone()];
                total += r.len();
                for (k, i) in r.clone().enumerate() {
                    let (g, q) = (gold[k] as usize, pred[k] as usize);
                    if g != q {
                        errors += 1;
                        for &b in &p.feats[p.offsets[i] as usize..p.offsets[i + 1] as usize] {
                            let b = b as usize * NT;
                            w[b + g] += 1.0;
                            u[b + g] += c;
                            w[b + q] -= 1.0;
                            u[b + q] -= c;
                        }
                    }
                    let (gp, qp) = if k == 0 {
                        (None, None)
                    } else {
                        (Some(gold[k - 1] as usize), Some(pred[k - 1] as usize))
                    };
                    if (gp, g) != (qp, q) {
                        match gp {
                            Some(gp) => {
                                tw[gp][g] += 1.0;
                                tu[gp][g] += c;
                            }
                            None => {
                                sw[g] += 1.0;
                                su[g] += c;
                            }
                        }
                        match qp {
                            Some(qp) => {
                                tw[qp][q] -= 1.0;
                                tu[qp][q] -= c;
                            }
                            None => {
                                sw[q] -= 1.0;
                                su[q] -= c;
                            }
                        }
                    }
                }
                c += 1.0;
            }
        }
        log(&format!(
            "epoch {}: token errors {errors}/{total} ({:.2}%)",
            epoch + 1,
            100.0 * errors as f64 / total.max(1) as f64
        ));
    }
    // Average.
    let mut max = 0f32;
    for (a, b) in w.iter_mut().zip(&u) {
        *a -= b / c;
        if a.abs() < cfg.prune {
            *a = 0.0;
        }
        max = max.max(a.abs());
    }
    let mut trans = [[0f32; NT]; NT];
    let mut start = [0f32; NT];
    for p in 0..NT {
        for t in 0..NT {
            trans[p][t] = tw[p][t] - tu[p][t] / c;
        }
        start[p] = sw[p] - su[p] / c;
    }
    let scale = if max > 0.0 { max / 32767.0 } else { 1.0 };
    let weights: Vec<[i16; NT]> = w
        .chunks_exact(NT)
        .map(|c| {
            let mut row = [0i16; NT];
            for (r, &x) in row.iter_mut().zip(c) {
                *r = (x / scale).round() as i16;
            }
            row
        })
        .collect();
    let nz = weights.iter().flatten().filter(|&&x| x != 0).count();
    log(&format!(
        "weights: {} non-zero of {}",
        nz,
        weights.len() * NT
    ));
    Model {
        fast: true,
        bits: cfg.bits,
        nonzero: nonzero_rows(&weights),
        weights,
        scale,
        trans,
        start,
        clusters: cfg.clusters.clone(),
        bias: [0.0; NT],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viterbi_never_starts_inside_an_entity() {
        let mut em = vec![[0f32; NT]; 2];
        em[0][2] = 5.0; // I-PER first: not allowed
        em[1][2] = 5.0;
        let mut out = vec![0u8; 2];
        viterbi(&em, &[[0.0; NT]; NT], &[0.0; NT], &mut Vec::new(), &mut out);
        assert_ne!(out[0], 2);
    }

    #[test]
    fn model_round_trips_through_bytes() {
        let docs = vec![TrainDoc {
            text: "Michael Anker visited Baghdad .".into(),
            spans: vec![(0, 13, 0), (22, 29, 2)],
        }];
        let cfg = TrainConfig {
            bits: 10,
            epochs: 3,
            ..TrainConfig::default()
        };
        let m = train(&docs, &cfg, |_| {});
        let bytes = m.to_bytes();
        let m2 = Model::from_bytes(&bytes).expect("round trip");
        assert_eq!(m.weights, m2.weights);
        assert_eq!(bytes, m2.to_bytes());
        let text = "Michael Anker visited Baghdad .";
        let tok = tokenize(text);
        let df = DocFeatures::new(text, &tok);
        assert_eq!(m2.tag(&df), vec![1, 2, 0, 5, 0]);
    }

    #[test]
    fn model_with_clusters_keeps_them_through_bytes() {
        use super::super::clusters::Cluster;
        use super::super::features::hash_lower;
        let docs = vec![TrainDoc {
            text: "Michael Anker visited Baghdad .".into(),
            spans: vec![(0, 13, 0), (22, 29, 2)],
        }];
        let clusters = Clusters::from_entries([(
            hash_lower("baghdad"),
            Cluster {
                fine: 3,
                coarse: 1,
                caps: 4,
                place: 1,
            },
        )]);
        let cfg = TrainConfig {
            bits: 10,
            epochs: 3,
            clusters: Some(clusters),
            ..TrainConfig::default()
        };
        let mut m = train(&docs, &cfg, |_| {});
        m.set_bias([-0.5, -1.0, 0.0, 0.0]);
        let bytes = m.to_bytes();
        let m2 = Model::from_bytes(&bytes).expect("round trip");
        assert_eq!(bytes, m2.to_bytes());
        assert_eq!(m2.clusters().map(|c| c.len()), Some(1));
        assert_eq!(m2.bias[3], -1.0);
        let text = "Michael Anker visited Baghdad .";
        let tok = tokenize(text);
        let df = DocFeatures::with_clusters(text, &tok, true, m2.clusters());
        assert_eq!(m2.tag(&df), vec![1, 2, 0, 5, 0]);
    }
}
