//! Tagger features: for each token, a few dozen hashed feature ids built from the
//! word, its shape, affixes, neighbours, gazetteer matches and document-level
//! evidence (how the same word is written elsewhere in the article).
//!
//! In: a tokenized text. Out: feature hashes, handed one at a time to a callback, so
//! nothing is allocated per token beyond one small struct.

use std::collections::HashMap;

use xxhash_rust::xxh3::xxh3_64_with_seed;

use super::clusters::Clusters;
use super::gazetteer::{
    self, G_DEMONYM, G_FIRST, G_LOC, G_LOCKEY, G_ORG, G_ORGKEY, G_TITLE, MAX_LEN,
};
use super::tokenize::Tokenized;

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// Combines two hashes (order matters).
#[inline]
pub fn mix(a: u64, b: u64) -> u64 {
    let x = (a.rotate_left(23) ^ b).wrapping_mul(K);
    x ^ (x >> 29)
}

/// Hash of a word's ASCII-lowercased bytes.
#[inline]
pub fn hash_lower(w: &str) -> u64 {
    let b = w.as_bytes();
    if b.len() <= 64 {
        let mut buf = [0u8; 64];
        for (d, s) in buf.iter_mut().zip(b) {
            *d = s.to_ascii_lowercase();
        }
        xxh3_64_with_seed(&buf[..b.len()], 1)
    } else {
        xxh3_64_with_seed(w.to_ascii_lowercase().as_bytes(), 1)
    }
}

#[inline]
fn hash_raw(w: &str) -> u64 {
    xxh3_64_with_seed(w.as_bytes(), 2)
}

/// Word shape: `Xxxx` classes (X upper, x lower, d digit, other kept), long form
/// truncated, short form with repeats collapsed.
fn shapes(w: &str) -> (u64, u64) {
    let mut long = [0u8; 16];
    let mut nl = 0;
    let mut short = [0u8; 16];
    let mut ns = 0;
    for c in w.chars() {
        let s = if c.is_uppercase() {
            b'X'
        } else if c.is_lowercase() {
            b'x'
        } else if c.is_ascii_digit() {
            b'd'
        } else if c.is_ascii() {
            c as u8
        } else {
            b'~'
        };
        if nl < long.len() {
            long[nl] = s;
            nl += 1;
        }
        if (ns == 0 || short[ns - 1] != s) && ns < short.len() {
            short[ns] = s;
            ns += 1;
        }
    }
    (
        xxh3_64_with_seed(&long[..nl], 3),
        xxh3_64_with_seed(&short[..ns], 4),
    )
}

/// A hasher for keys that are already well-mixed 64-bit hashes.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = mix(self.0, b as u64);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// `HashMap` keyed by hashes, without re-hashing them.
pub type HashMapU64<V> = HashMap<u64, V, std::hash::BuildHasherDefault<IdHasher>>;

/// Per-token facts computed once per document.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokInfo {
    pub low: u64,
    pub raw: u64,
    pub shape: u64,
    pub sshape: u64,
    /// First character is uppercase.
    pub cap: bool,
    /// Has letters, all uppercase.
    pub upper: bool,
    /// Has a letter and no uppercase letters.
    pub lower: bool,
    /// Has no uppercase letter (lowercase words, numbers, punctuation).
    pub no_upper: bool,
    /// First token of its sentence.
    pub initial: bool,
    /// Its sentence is written in capitals (a headline).
    pub caps_sent: bool,
    /// Gazetteer: kinds of the longest match starting here, and its length.
    pub gaz_start: u8,
    pub gaz_len: u8,
    /// Gazetteer kinds of matches covering this token but not starting here.
    pub gaz_inside: u8,
    /// Document evidence: the lowercase word occurs elsewhere in lowercase; in
    /// title case in the middle of a mixed-case sentence.
    pub doc_lower: bool,
    pub doc_title: bool,
    /// Word clusters (fine, coarse) and capitalization level; [`NO_CLUSTER`] for a
    /// word outside the table.
    pub cfine: u16,
    pub ccoarse: u16,
    pub ccaps: u16,
    /// Place-list bits of the word (see [`super::clusters::PLACE`]).
    pub cplace: u16,
}

/// Cluster id of a word the cluster table does not hold.
pub const NO_CLUSTER: u16 = u16::MAX;

/// See [`DocFeatures::surely_outside`].
#[inline]
fn outside(info: &[TokInfo], i: usize) -> bool {
    if !info[i].no_upper {
        return false;
    }
    let cap = |j: usize| info.get(j).is_some_and(|y| !y.no_upper);
    !(cap(i + 1) || (i > 0 && cap(i - 1)))
}

/// A document ready for feature extraction.
pub struct DocFeatures<'a> {
    pub text: &'a str,
    pub tok: &'a Tokenized,
    pub info: Vec<TokInfo>,
    /// Whether word-cluster features are on (the model was trained with clusters).
    clusters: bool,
}

fn is_word(w: &str) -> bool {
    w.chars().next().is_some_and(|c| c.is_alphanumeric())
}

impl<'a> DocFeatures<'a> {
    /// Facts of every token (training, and tagging without the fast path).
    pub fn new(text: &'a str, tok: &'a Tokenized) -> Self {
        Self::build(text, tok, true, None)
    }

    /// Facts needed to score the tokens that are not [`surely_outside`] (the rest get
    /// only what their neighbours' features read).
    ///
    /// [`surely_outside`]: DocFeatures::surely_outside
    pub fn new_lazy(text: &'a str, tok: &'a Tokenized) -> Self {
        Self::build(text, tok, false, None)
    }

    /// Facts of the tokens, with word clusters when the model has them; `full` as
    /// [`DocFeatures::new`], otherwise as [`DocFeatures::new_lazy`].
    pub fn with_clusters(
        text: &'a str,
        tok: &'a Tokenized,
        full: bool,
        clusters: Option<&Clusters>,
    ) -> Self {
        Self::build(text, tok, full, clusters)
    }

    fn build(text: &'a str, tok: &'a Tokenized, full: bool, clusters: Option<&Clusters>) -> Self {
        let n = tok.tokens.len();
        let mut info = Vec::with_capacity(n);
        for t in &tok.tokens {
            let w = t.text(text);
            let mut has_upper = false;
            let mut has_lower = false;
            for c in w.chars() {
                has_upper |= c.is_uppercase();
                has_lower |= c.is_lowercase();
            }
            info.push(TokInfo {
                low: hash_lower(w),
                cap: w.chars().next().is_some_and(|c| c.is_uppercase()),
                upper: has_upper && !has_lower,
                lower: has_lower && !has_upper,
                no_upper: !has_upper,
                ..TokInfo::default()
            });
        }
        for i in 0..n {
            let near_slow =
                full || (i.saturating_sub(1)..(i + 2).min(n)).any(|j| !outside(&info, j));
            if near_slow {
                let w = tok.tokens[i].text(text);
                let (shape, sshape) = shapes(w);
                info[i].shape = shape;
                info[i].sshape = sshape;
                info[i].raw = hash_raw(w);
                if let Some(c) = clusters {
                    let (f, k, a, p) = c
                        .get(info[i].low)
                        .map_or((NO_CLUSTER, NO_CLUSTER, NO_CLUSTER, 0), |c| {
                            (c.fine, c.coarse, c.caps, c.place)
                        });
                    info[i].cfine = f;
                    info[i].ccoarse = k;
                    info[i].ccaps = a;
                    info[i].cplace = p;
                }
            }
        }
        // Sentence facts.
        for r in tok.sentence_ranges() {
            if r.is_empty() {
                continue;
            }
            info[r.start].initial = true;
            let (mut words, mut upper) = (0, 0);
            for i in r.clone() {
                let w = tok.tokens[i].text(text);
                if is_word(w) && w.chars().any(|c| c.is_alphabetic()) {
                    words += 1;
                    if info[i].upper && w.len() > 1 {
                        upper += 1;
                    }
                }
            }
            let caps = words >= 2 && upper * 10 >= words * 7;
            for i in r {
                info[i].caps_sent = caps;
            }
        }
        // Gazetteer matches (capitalized starts only).
        let g = gazetteer::gazetteer();
        for i in 0..n {
            if !info[i].cap {
                continue;
            }
            let mut h = 0u64;
            let mut best = (0u8, 0usize);
            for l in 1..=MAX_LEN.min(n - i) {
                h = mix(h, info[i + l - 1].low);
                let k = g.kinds(h);
                if k != 0 {
                    best = (k, l);
                }
                if !g.is_prefix(h) {
                    break;
                }
            }
            if best.1 > 0 {
                info[i].gaz_start = best.0;
                info[i].gaz_len = best.1 as u8;
                for x in &mut info[i + 1..i + best.1] {
                    x.gaz_inside |= best.0;
                }
            }
        }
        // Document evidence.
        // (Only words not in plain lowercase read it, so only they are keyed.)
        let mut seen: HashMapU64<(bool, bool)> =
            HashMapU64::with_capacity_and_hasher(n / 4 + 1, Default::default());
        for x in info.iter().filter(|x| !x.lower) {
            let e = seen.entry(x.low).or_default();
            e.1 |= x.cap && !x.initial && !x.caps_sent && !x.upper;
        }
        for x in info.iter().filter(|x| x.lower) {
            if let Some(e) = seen.get_mut(&x.low) {
                e.0 = true;
            }
        }
        for x in info.iter_mut().filter(|x| !x.lower) {
            if let Some(&(l, t)) = seen.get(&x.low) {
                x.doc_lower = l;
                x.doc_title = t;
            }
        }
        DocFeatures {
            text,
            tok,
            info,
            clusters: clusters.is_some(),
        }
    }

    /// A word without capitals (or a number, or punctuation) between words without
    /// capitals is never part of a name in practice: the fast path tags it `O` without
    /// looking at its features.
    #[inline]
    pub fn surely_outside(&self, i: usize) -> bool {
        outside(&self.info, i)
    }

    /// Calls `f` with every feature hash of token `i`.
    #[inline]
    pub fn features(&self, i: usize, mut f: impl FnMut(u64)) {
        const PAD: TokInfo = TokInfo {
            low: 0xABCD,
            raw: 0xABCD,
            shape: 0xABCD,
            sshape: 0xABCD,
            cap: false,
            upper: false,
            lower: false,
            no_upper: true,
            initial: false,
            caps_sent: false,
            gaz_start: 0,
            gaz_len: 0,
            gaz_inside: 0,
            doc_lower: false,
            doc_title: false,
            cfine: NO_CLUSTER - 1,
            ccoarse: NO_CLUSTER - 1,
            ccaps: NO_CLUSTER - 1,
            cplace: 0,
        };
        let n = self.info.len();
        let at = |j: isize| -> &TokInfo {
            if j < 0 || j as usize >= n {
                &PAD
            } else {
                &self.info[j as usize]
            }
        };
        let ii = i as isize;
        let x = &self.info[i];
        let (p1, p2, n1, n2) = (at(ii - 1), at(ii - 2), at(ii + 1), at(ii + 2));
        let t = |id: u64, h: u64| mix(h, id.wrapping_mul(0x1000_0000_01B3));
        let ctx = (x.initial as u64) | (x.caps_sent as u64) << 1;
        f(t(0, 0));
        f(t(1, x.low));
        f(t(2, x.raw));
        f(t(3, p1.low));
        f(t(4, n1.low));
        f(t(5, p2.low));
        f(t(6, n2.low));
        f(t(7, mix(p1.low, x.low)));
        f(t(8, mix(x.low, n1.low)));
        f(t(9, x.shape));
        f(t(10, mix(x.sshape, ctx)));
        f(t(11, mix(p1.sshape, x.sshape)));
        f(t(12, mix(x.sshape, n1.sshape)));
        f(t(13, mix(mix(p1.sshape, x.sshape), n1.sshape)));
        f(t(14, mix(p1.low, x.sshape)));
        f(t(15, mix(x.sshape, n1.low)));
        f(t(16, mix(x.low, ctx)));
        // Affixes.
        let w = self.tok.tokens[i].text(self.text).as_bytes();
        if w.len() > 2 && w.len() <= 64 {
            let mut buf = [0u8; 64];
            for (d, s) in buf.iter_mut().zip(w) {
                *d = s.to_ascii_lowercase();
            }
            let lw = &buf[..w.len()];
            for k in 1..=4.min(w.len() - 1) {
                f(t(20 + k as u64, xxh3_64_with_seed(&lw[w.len() - k..], 5)));
            }
            for k in 1..=3.min(w.len() - 1) {
                f(t(30 + k as u64, xxh3_64_with_seed(&lw[..k], 6)));
            }
        }
        // Gazetteer.
        for (bit, id) in [
            (G_LOC, 40u64),
            (G_ORG, 41),
            (G_FIRST, 42),
            (G_TITLE, 43),
            (G_ORGKEY, 44),
            (G_DEMONYM, 45),
            (G_LOCKEY, 46),
        ] {
            if x.gaz_start & bit != 0 {
                f(t(id, (x.gaz_len.min(3) as u64) | (x.caps_sent as u64) << 4));
            }
            if x.gaz_inside & bit != 0 {
                f(t(id + 10, 1));
            }
            if p1.gaz_start & bit != 0 || p1.gaz_inside & bit != 0 {
                f(t(id + 20, 1));
            }
            if n1.gaz_start & bit != 0 {
                f(t(id + 30, 1));
            }
        }
        // Document evidence, for words not in plain lowercase.
        if !x.lower {
            let d = (x.doc_lower as u64) | (x.doc_title as u64) << 1;
            f(t(80, mix(d, ctx | (x.upper as u64) << 2)));
            f(t(81, mix(d, x.sshape)));
        }
        // Word clusters: this word's, its neighbours', and with its shape.
        if self.clusters {
            let (cf, cc) = (x.cfine as u64, x.ccoarse as u64);
            f(t(90, cf));
            f(t(91, cc));
            f(t(92, p1.cfine as u64));
            f(t(93, n1.cfine as u64));
            f(t(94, mix(p1.ccoarse as u64, cc)));
            f(t(95, mix(cc, n1.ccoarse as u64)));
            f(t(96, mix(cf, x.sshape)));
            // How often the word is capitalized in running text, against how it is
            // written here.
            let here = (x.cap as u64) | (x.upper as u64) << 1 | ctx << 2;
            f(t(97, mix(x.ccaps as u64, here)));
            f(t(98, mix(mix(x.ccaps as u64, here), n1.ccaps as u64)));
            f(t(99, mix(p1.ccaps as u64, x.ccaps as u64)));
            // In the place list, alone or with its neighbours.
            if x.cplace != 0 {
                f(t(100, mix(x.cplace as u64, here)));
                f(t(
                    101,
                    mix(x.cplace as u64, p1.cplace as u64 | (n1.cplace as u64) << 4),
                ));
            }
        }
    }
}
