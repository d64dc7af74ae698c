//! Near-duplicate detection: the same wire story republished, lightly edited.
//!
//! At index time each body gets a 64-bit SimHash over its word 3-shingles; two
//! articles whose fingerprints differ in at most [`NEAR_BITS`] bits are treated as
//! the same story. At search time hits are collapsed onto the best-ranked copy,
//! which carries the count and ids of the others.

use xxhash_rust::xxh3::xxh3_64;

/// Fingerprints this close (in differing bits) are the same story. Unrelated texts
/// differ in about 32 bits (standard deviation 4); one changed word in a 100-word
/// story moves about 5.
pub const NEAR_BITS: u32 = 8;
/// Bodies shorter than this many words get no fingerprint (too little to compare).
const MIN_WORDS: usize = 25;

/// SimHash of `body`, or 0 (no fingerprint) for very short texts.
pub fn simhash(body: &str) -> u64 {
    // Hash each lowercased word once (ASCII text is split and lowercased as bytes,
    // into a reused buffer and only for words with capitals), then each 3-shingle
    // from its three word hashes: no string per word or per shingle.
    let mut hashes: Vec<u64> = Vec::with_capacity(body.len() / 6);
    let mut word: Vec<u8> = Vec::new();
    if body.is_ascii() {
        for w in body
            .as_bytes()
            .split(|b| !b.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            hashes.push(if w.iter().any(u8::is_ascii_uppercase) {
                word.clear();
                word.extend(w.iter().map(u8::to_ascii_lowercase));
                xxh3_64(&word)
            } else {
                xxh3_64(w)
            });
        }
    } else {
        let mut lower = String::new();
        for w in body
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            lower.clear();
            lower.extend(w.chars().flat_map(char::to_lowercase));
            hashes.push(xxh3_64(lower.as_bytes()));
        }
    }
    if hashes.len() < MIN_WORDS {
        return 0;
    }
    // Bit i of the fingerprint is set when more than half the shingle hashes have
    // it. Ones are counted eight bits at a time: each byte of a hash is spread into
    // the eight byte-wide counters of one u64 (a table lookup and an add instead of
    // eight shifts), flushed to u32 counters before a byte can overflow.
    let mut ones = [0u32; 64];
    let mut lanes = [0u64; 8];
    let mut pending = 0u32;
    let mut shingles = 0u32;
    for w in hashes.windows(3) {
        let mut shingle = [0u8; 24];
        for (i, h) in w.iter().enumerate() {
            shingle[i * 8..i * 8 + 8].copy_from_slice(&h.to_le_bytes());
        }
        let h = xxh3_64(&shingle);
        for (lane, byte) in lanes.iter_mut().zip(h.to_le_bytes()) {
            *lane += SPREAD[byte as usize];
        }
        shingles += 1;
        pending += 1;
        if pending == 255 {
            flush(&mut lanes, &mut ones);
            pending = 0;
        }
    }
    flush(&mut lanes, &mut ones);
    let mut out = 0u64;
    for (bit, n) in ones.iter().enumerate() {
        if 2 * n > shingles {
            out |= 1 << bit;
        }
    }
    // 0 means "no fingerprint"; a real all-zero hash is vanishingly rare.
    out.max(1)
}

/// `SPREAD[b]` has byte i set to bit i of `b`.
const SPREAD: [u64; 256] = {
    let mut t = [0u64; 256];
    let mut b = 0;
    while b < 256 {
        let mut i = 0;
        while i < 8 {
            t[b] |= ((b as u64 >> i) & 1) << (8 * i);
            i += 1;
        }
        b += 1;
    }
    t
};

/// Adds the byte counters of `lanes` (lane j, byte i: bit 8j+i) to `ones`.
fn flush(lanes: &mut [u64; 8], ones: &mut [u32; 64]) {
    for (j, lane) in lanes.iter_mut().enumerate() {
        for (i, n) in lane.to_le_bytes().iter().enumerate() {
            ones[8 * j + i] += u32::from(*n);
        }
        *lane = 0;
    }
}

/// Whether two fingerprints are of the same story.
pub fn near(a: u64, b: u64) -> bool {
    a != 0 && b != 0 && (a ^ b).count_ones() <= NEAR_BITS
}

#[cfg(test)]
mod tests {
    use super::*;

    const STORY: &str =
        "The harbour at Port Ellis reopened to fishing boats on Monday after three \
        weeks of repairs to the sea wall damaged in last month's storm. Harbour master Colin \
        Drummond said the repairs had cost less than expected and thanked the crews who worked \
        through the night to finish them. The coastguard said it would inspect the new wall \
        again in the spring, and fishermen said they were glad to be back at sea before the \
        winter season began in earnest across the whole of the northern coast.";

    #[test]
    fn a_lightly_edited_copy_is_near_and_another_story_is_not() {
        let edited = STORY.replace("on Monday", "on Monday morning");
        assert!(near(simhash(STORY), simhash(&edited)));
        let other = "Central bank holds interest rates steady as inflation climbs, saying the \
            recent rise would prove temporary; the president told reporters in Frankfurt that \
            net purchases under the emergency programme would end in March and that wages \
            were rising faster than expected in several member states this year.";
        assert!(!near(simhash(STORY), simhash(other)));
        assert_eq!(simhash("too short"), 0);
        assert!(!near(0, 0));
    }

    /// SimHash as defined: lowercased words, 3-shingles, +1/-1 per bit.
    fn by_definition(body: &str) -> u64 {
        let words: Vec<String> = body
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
            .map(|w| w.chars().flat_map(char::to_lowercase).collect())
            .collect();
        if words.len() < MIN_WORDS {
            return 0;
        }
        let mut weights = [0i32; 64];
        for w in words.windows(3) {
            let mut shingle = Vec::new();
            for word in w {
                shingle.extend_from_slice(&xxh3_64(word.as_bytes()).to_le_bytes());
            }
            let h = xxh3_64(&shingle);
            for (bit, weight) in weights.iter_mut().enumerate() {
                *weight += if h >> bit & 1 == 1 { 1 } else { -1 };
            }
        }
        let out = (0..64)
            .filter(|&b| weights[b] > 0)
            .fold(0u64, |o, b| o | 1 << b);
        out.max(1)
    }

    #[test]
    fn fast_fingerprint_equals_the_definition() {
        let mixed = format!("{STORY} ÉTATS-UNIS Größe İstanbul naïve CAFÉ");
        let shouting = STORY.to_uppercase();
        // Past 255 shingles (the byte counters are flushed).
        let long = format!("{STORY} {}", shouting.repeat(9));
        for text in [STORY, &mixed, &shouting, &long, "too short"] {
            assert_eq!(simhash(text), by_definition(text), "{text}");
        }
    }
}
