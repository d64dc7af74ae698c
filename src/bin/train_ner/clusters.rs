//! Learns word clusters from unlabelled text (`train_ner --make-clusters`).
//!
//! Every word seen at least `min_count` times (lowercased, tokenized as the tagger
//! tokenizes) is described by the words just before and just after it (the most
//! frequent `contexts` words, positive pointwise mutual information, unit length),
//! and grouped by spherical k-means twice: `fine` clusters and `coarse` clusters. The
//! share of its occurrences inside a sentence (not first) that are capitalized is
//! kept too, in five levels.
//! Deterministic: the same files in the same order give the same table. SGML/HTML tags
//! are skipped; nothing of the text is kept, only word hashes and cluster ids.

use rustc_hash::FxHashMap as HashMap;

use newswire::entities::clusters::{Cluster, Clusters, NONE_COARSE, NONE_FINE, PLACE, PLACE_PART};
use newswire::entities::features::hash_lower;
use newswire::entities::tokenize::tokenize;

/// Settings of [`make_clusters`].
#[derive(Debug, Clone)]
pub struct ClusterConfig {
    pub fine: usize,
    pub coarse: usize,
    pub min_count: u32,
    pub contexts: usize,
    pub iterations: usize,
}

impl Default for ClusterConfig {
    fn default() -> Self {
        ClusterConfig {
            fine: 512,
            coarse: 48,
            min_count: 10,
            contexts: 600,
            iterations: 12,
        }
    }
}

/// The text of a file without `<...>` tags.
fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        match rest[i..].find('>') {
            Some(j) if j < 300 => {
                out.push(' ');
                rest = &rest[i + j + 1..];
            }
            _ => {
                out.push('<');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Sparse unit vector: (dimension, value), sorted by dimension.
type Row = Vec<(u32, f32)>;

/// Spherical k-means of `rows` into `k` clusters (deterministic seeding).
fn kmeans(rows: &[Row], dims: usize, k: usize, iterations: usize, seed: u64) -> Vec<u16> {
    let n = rows.len();
    if n == 0 {
        return Vec::new();
    }
    let k = k.min(n).max(1);
    // Seeds: k distinct rows picked by xorshift.
    let mut rng = seed | 1;
    let mut picked = vec![false; n];
    let mut cent_t = vec![0f32; dims * k]; // dimension-major: cent_t[d * k + c]
    let mut c = 0;
    while c < k {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let r = (rng % n as u64) as usize;
        if picked[r] {
            continue;
        }
        picked[r] = true;
        for &(d, v) in &rows[r] {
            cent_t[d as usize * k + c] = v;
        }
        c += 1;
    }
    let mut assign = vec![u16::MAX; n];
    let mut scores = vec![0f32; k];
    for _ in 0..iterations {
        let mut changed = 0usize;
        for (i, row) in rows.iter().enumerate() {
            scores.iter_mut().for_each(|s| *s = 0.0);
            for &(d, v) in row {
                let col = &cent_t[d as usize * k..d as usize * k + k];
                for (s, &x) in scores.iter_mut().zip(col) {
                    *s += v * x;
                }
            }
            let mut best = 0;
            for (j, &s) in scores.iter().enumerate() {
                if s > scores[best] {
                    best = j;
                }
            }
            if assign[i] != best as u16 {
                changed += 1;
                assign[i] = best as u16;
            }
        }
        // New centroids: the normalized sum of their rows (an empty one keeps its place).
        let mut sum = vec![0f32; dims * k];
        let mut count = vec![0usize; k];
        for (row, &a) in rows.iter().zip(&assign) {
            count[a as usize] += 1;
            for &(d, v) in row {
                sum[d as usize * k + a as usize] += v;
            }
        }
        for c in 0..k {
            if count[c] == 0 {
                continue;
            }
            let norm = (0..dims)
                .map(|d| sum[d * k + c] * sum[d * k + c])
                .sum::<f32>()
                .sqrt()
                .max(1e-12);
            for d in 0..dims {
                cent_t[d * k + c] = sum[d * k + c] / norm;
            }
        }
        if changed == 0 {
            break;
        }
    }
    assign
}

/// Place names of a list: a CSV file's `name`, `country` and `subcountry` columns
/// (the layout of datasets/world-cities, from GeoNames), or one name a line.
pub fn read_places(path: &str) -> Result<Vec<String>, String> {
    let data = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    if !path.ends_with(".csv") {
        return Ok(data
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(String::from)
            .collect());
    }
    let mut rd = csv::Reader::from_reader(data.as_bytes());
    let mut out = Vec::new();
    for rec in rd.records() {
        let rec = rec.map_err(|e| format!("{path}: {e}"))?;
        for i in 0..3 {
            if let Some(v) = rec.get(i).filter(|v| !v.is_empty() && *v != "N/A") {
                out.push(v.to_string());
            }
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

/// Learns the cluster table from raw text files, with the place bits of `places`.
pub fn make_clusters(
    files: &[String],
    places: &[String],
    cfg: &ClusterConfig,
    mut log: impl FnMut(&str),
) -> Result<Clusters, String> {
    // Token hashes of every file, in order.
    let mut seqs: Vec<Vec<u64>> = Vec::with_capacity(files.len());
    let mut freq: HashMap<u64, u32> = HashMap::default();
    // Occurrences inside a sentence: (all, capitalized).
    let mut caps: HashMap<u64, (u32, u32)> = HashMap::default();
    let mut ntok = 0usize;
    for f in files {
        let b = std::fs::read(f).map_err(|e| format!("{f}: {e}"))?;
        let text = strip_tags(&String::from_utf8_lossy(&b));
        let tok = tokenize(&text);
        let seq: Vec<u64> = tok
            .tokens
            .iter()
            .map(|t| hash_lower(t.text(&text)))
            .collect();
        for &h in &seq {
            *freq.entry(h).or_default() += 1;
        }
        for r in tok.sentence_ranges() {
            // Headlines in capitals say nothing of how a word is written.
            let (mut words, mut upper) = (0, 0);
            for i in r.clone() {
                let w = tok.tokens[i].text(&text);
                if w.chars().any(char::is_alphabetic) {
                    words += 1;
                    upper += !w.chars().any(char::is_lowercase) as usize;
                }
            }
            if upper * 10 >= words * 5 {
                continue;
            }
            for i in r.clone().skip(1) {
                let w = tok.tokens[i].text(&text);
                if !w.starts_with(char::is_alphabetic) {
                    continue;
                }
                let prev = tok.tokens[i - 1].text(&text);
                if matches!(prev, "\"" | "'" | "`" | "``" | ":" | "(" | "-" | "--") {
                    continue;
                }
                let e = caps.entry(seq[i]).or_default();
                e.0 += 1;
                e.1 += w.starts_with(char::is_uppercase) as u32;
            }
        }
        ntok += seq.len();
        seqs.push(seq);
    }
    let mut by_count: Vec<(u64, u32)> = freq.iter().map(|(&h, &c)| (h, c)).collect();
    by_count.sort_unstable_by_key(|&(h, c)| (std::cmp::Reverse(c), h));
    let vocab: Vec<u64> = by_count
        .iter()
        .take_while(|&&(_, c)| c >= cfg.min_count)
        .map(|&(h, _)| h)
        .collect();
    let index: HashMap<u64, u32> = vocab
        .iter()
        .enumerate()
        .map(|(i, &h)| (h, i as u32))
        .collect();
    let ctx: HashMap<u64, u32> = by_count
        .iter()
        .take(cfg.contexts)
        .enumerate()
        .map(|(i, &(h, _))| (h, i as u32))
        .collect();
    log(&format!(
        "{} files, {ntok} tokens, {} distinct words, {} with at least {} occurrences",
        files.len(),
        freq.len(),
        vocab.len(),
        cfg.min_count
    ));
    // Co-occurrence counts: left neighbours in [0, C), right ones in [C, 2C).
    let c = cfg.contexts as u32;
    let mut co: Vec<HashMap<u32, u32>> = vec![HashMap::default(); vocab.len()];
    for seq in &seqs {
        for (i, h) in seq.iter().enumerate() {
            let Some(&w) = index.get(h) else { continue };
            let row = &mut co[w as usize];
            if let Some(&l) = i.checked_sub(1).and_then(|j| ctx.get(&seq[j])) {
                *row.entry(l).or_default() += 1;
            }
            if let Some(&r) = seq.get(i + 1).and_then(|x| ctx.get(x)) {
                *row.entry(c + r).or_default() += 1;
            }
        }
    }
    let dims = 2 * cfg.contexts;
    let mut col = vec![0f64; dims];
    let mut total = 0f64;
    for row in &co {
        for (&d, &n) in row {
            col[d as usize] += n as f64;
            total += n as f64;
        }
    }
    let rows: Vec<Row> = co
        .iter()
        .map(|row| {
            let rs: f64 = row.values().map(|&n| n as f64).sum();
            let mut r: Row = row
                .iter()
                .filter_map(|(&d, &n)| {
                    let pmi = ((n as f64 * total) / (rs * col[d as usize])).ln();
                    (pmi > 0.0).then_some((d, pmi as f32))
                })
                .collect();
            r.sort_unstable_by_key(|x| x.0);
            let norm = r.iter().map(|x| x.1 * x.1).sum::<f32>().sqrt().max(1e-12);
            r.iter_mut().for_each(|x| x.1 /= norm);
            r
        })
        .collect();
    let fine = kmeans(&rows, dims, cfg.fine, cfg.iterations, 0x636c_7573);
    log(&format!("{} fine clusters", cfg.fine));
    let coarse = kmeans(&rows, dims, cfg.coarse, cfg.iterations, 0x7465_7273);
    log(&format!("{} coarse clusters", cfg.coarse));
    let level = |h: &u64| match caps.get(h) {
        Some(&(n, c)) if n > 0 => {
            let r = c as f64 / n as f64;
            [0.1, 0.5, 0.9, 0.99].iter().filter(|&&x| r >= x).count() as u16
        }
        _ => 5,
    };
    // Place bits: a one-word name is a place, the capitalized words of a longer one
    // are parts of one.
    let mut place: HashMap<u64, u16> = HashMap::default();
    for p in places {
        let tok = tokenize(p);
        let words: Vec<&str> = tok.tokens.iter().map(|t| t.text(p)).collect();
        if words.len() == 1 {
            *place.entry(hash_lower(words[0])).or_default() |= PLACE;
        } else {
            for w in words.iter().filter(|w| w.starts_with(char::is_uppercase)) {
                *place.entry(hash_lower(w)).or_default() |= PLACE_PART;
            }
        }
    }
    let mut entries: Vec<(u64, Cluster)> = vocab
        .iter()
        .zip(fine.iter().zip(&coarse))
        .map(|(h, (&fine, &coarse))| {
            let c = Cluster {
                fine,
                coarse,
                caps: level(h),
                place: place.get(h).copied().unwrap_or(0),
            };
            (*h, c)
        })
        .collect();
    let mut only_listed: Vec<(u64, u16)> = place
        .iter()
        .filter(|(h, _)| !index.contains_key(*h))
        .map(|(&h, &p)| (h, p))
        .collect();
    only_listed.sort_unstable();
    log(&format!(
        "{} place names: {} words, {} of them not in the text",
        places.len(),
        place.len(),
        only_listed.len()
    ));
    entries.extend(only_listed.into_iter().map(|(h, p)| {
        let c = Cluster {
            fine: NONE_FINE,
            coarse: NONE_COARSE,
            caps: level(&h),
            place: p,
        };
        (h, c)
    }));
    Ok(Clusters::from_entries(entries))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_in_the_same_contexts_share_a_cluster() {
        let dir = std::env::temp_dir().join(format!("nw-clusters-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let mut text = String::new();
        for i in 0..50 {
            let city = ["Kano", "Kaduna", "Lagos"][i % 3];
            let verb = ["ate", "drank", "cooked"][i % 3];
            text.push_str(&format!(
                "<p>He lives in {city} now . She {verb} the soup today .</p>\n"
            ));
        }
        let f = dir.join("a.txt");
        std::fs::write(&f, text).expect("write");
        let cfg = ClusterConfig {
            fine: 4,
            coarse: 2,
            min_count: 5,
            contexts: 10,
            iterations: 10,
        };
        let places = vec!["Kano".to_string(), "Port Harcourt".to_string()];
        let c = make_clusters(&[f.display().to_string()], &places, &cfg, |_| {}).expect("clusters");
        let _ = std::fs::remove_dir_all(&dir);
        let get = |w: &str| c.get(hash_lower(w)).expect(w).fine;
        assert_eq!(get("kano"), get("Kaduna"));
        assert_eq!(get("lagos"), get("kano"));
        assert_eq!(get("ate"), get("cooked"));
        assert!(c.get(hash_lower("p")).is_none(), "tags are skipped");
        assert_eq!(c.get(hash_lower("kano")).map(|c| c.caps), Some(4));
        assert_eq!(c.get(hash_lower("soup")).map(|c| c.caps), Some(0));
        assert_eq!(c.get(hash_lower("kano")).map(|c| c.place), Some(PLACE));
        assert_eq!(c.get(hash_lower("lagos")).map(|c| c.place), Some(0));
        let h = c.get(hash_lower("harcourt")).expect("listed place");
        assert_eq!((h.fine, h.place, h.caps), (NONE_FINE, PLACE_PART, 5));
    }
}
