//! Word clusters: words that occur in the same contexts in unlabelled news get the same
//! cluster, so the tagger can treat a word it never saw in training like the words of
//! its cluster that it did see (`Kaduna` like `Kano`, `Bypass` like `Road`).
//!
//! The table also says how often the word is capitalized inside a sentence in that
//! text (`Government` in a story is a name less often than `Kano` is), and whether it is
//! a place name, or part of one, in an open list of places (e.g. GeoNames' cities),
//! stored as hashes only.
//!
//! In: a lowercase word hash ([`hash_lower`](super::features::hash_lower)). Out: a fine
//! and a coarse cluster id and a capitalization level, or nothing for a word outside
//! the vocabulary. The table is
//! learned by `train_ner --make-clusters` (see `src/bin/train_ner/clusters.rs`) and
//! stored inside the model file, so a model always travels with the clusters it was
//! trained with.

use super::features::HashMapU64;

/// What the table knows of a word: cluster ids, fine (`< 1024`) and coarse (`< 64`),
/// and how often it is capitalized inside a sentence (`caps`, `0..=4`: under 10%, under
/// 50%, under 90%, under 99%, more; 5: never seen inside a sentence), and place bits
/// ([`PLACE`], [`PLACE_PART`]). A listed place the text never showed has the clusters
/// [`NONE_FINE`] and [`NONE_COARSE`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cluster {
    pub fine: u16,
    pub coarse: u16,
    pub caps: u16,
    pub place: u16,
}

/// The word is a place name by itself (`Kano`).
pub const PLACE: u16 = 1;
/// The word is part of a longer place name (`Harcourt` of `Port Harcourt`).
pub const PLACE_PART: u16 = 2;
/// Fine cluster of a word known only from the place list.
pub const NONE_FINE: u16 = 1023;
/// Coarse cluster of a word known only from the place list.
pub const NONE_COARSE: u16 = 63;

/// The table: word hash -> packed [`Cluster`].
#[derive(Clone, Default)]
pub struct Clusters {
    map: HashMapU64<u32>,
}

impl std::fmt::Debug for Clusters {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Clusters")
            .field("words", &self.map.len())
            .finish()
    }
}

/// Only the high 32 bits of a word hash are stored (collisions among a few tens of
/// thousands of words are negligible).
#[inline]
fn key(h: u64) -> u64 {
    h >> 32
}

impl Clusters {
    /// A table from (word hash, what is known of the word) pairs.
    pub fn from_entries(entries: impl IntoIterator<Item = (u64, Cluster)>) -> Self {
        let mut map = HashMapU64::default();
        for (h, c) in entries {
            let v = (c.fine as u32 & 0x3FF) << 6
                | (c.coarse as u32 & 0x3F)
                | (c.caps as u32 & 0xF) << 16
                | (c.place as u32 & 0xF) << 20;
            map.insert(key(h), v);
        }
        Clusters { map }
    }

    /// Number of words in the table.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// Clusters of the word whose lowercase hash is `h`.
    #[inline]
    pub fn get(&self, h: u64) -> Option<Cluster> {
        self.map.get(&key(h)).map(|&v| Cluster {
            fine: (v >> 6 & 0x3FF) as u16,
            coarse: (v & 0x3F) as u16,
            caps: (v >> 16 & 0xF) as u16,
            place: (v >> 20 & 0xF) as u16,
        })
    }

    /// Serialized: word count, then the u32 keys sorted, then the packed values as
    /// u16 (clusters) and u8 (caps, place) columns (deterministic; columns compress better than
    /// rows).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut e: Vec<(u64, u32)> = self.map.iter().map(|(&k, &v)| (k, v)).collect();
        e.sort_unstable();
        let mut out = Vec::with_capacity(4 + e.len() * 7);
        out.extend_from_slice(&(e.len() as u32).to_le_bytes());
        for (k, _) in &e {
            out.extend_from_slice(&(*k as u32).to_le_bytes());
        }
        for (_, v) in &e {
            out.extend_from_slice(&(*v as u16).to_le_bytes());
        }
        for (_, v) in &e {
            out.push((v >> 16) as u8);
        }
        out
    }

    /// Reads [`Clusters::to_bytes`]; returns the table and the bytes read.
    pub fn from_bytes(b: &[u8]) -> Option<(Self, usize)> {
        let n = u32::from_le_bytes(b.get(..4)?.try_into().ok()?) as usize;
        let keys = b.get(4..4 + n * 4)?;
        let vals = b.get(4 + n * 4..4 + n * 6)?;
        let caps = b.get(4 + n * 6..4 + n * 7)?;
        let mut map = HashMapU64::with_capacity_and_hasher(n, Default::default());
        for ((k, v), &c) in keys.chunks_exact(4).zip(vals.chunks_exact(2)).zip(caps) {
            map.insert(
                u32::from_le_bytes([k[0], k[1], k[2], k[3]]) as u64,
                u16::from_le_bytes([v[0], v[1]]) as u32 | (c as u32) << 16,
            );
        }
        Some((Clusters { map }, 4 + n * 7))
    }
}

#[cfg(test)]
mod tests {
    use super::super::features::hash_lower;
    use super::*;

    #[test]
    fn clusters_round_trip_through_bytes() {
        let c = |fine, coarse, caps, place| Cluster {
            fine,
            coarse,
            caps,
            place,
        };
        let c = Clusters::from_entries([
            (hash_lower("kano"), c(513, 7, 4, PLACE)),
            (hash_lower("kaduna"), c(513, 7, 4, 0)),
            (hash_lower("road"), c(2, 63, 1, PLACE_PART)),
        ]);
        let b = c.to_bytes();
        let (d, n) = Clusters::from_bytes(&b).expect("round trip");
        assert_eq!(n, b.len());
        assert_eq!(
            d.get(hash_lower("Kaduna")),
            Some(Cluster {
                fine: 513,
                coarse: 7,
                caps: 4,
                place: 0
            })
        );
        assert_eq!(
            d.get(hash_lower("road"))
                .map(|c| (c.coarse, c.caps, c.place)),
            Some((63, 1, PLACE_PART))
        );
        assert_eq!(d.get(hash_lower("KANO")).map(|c| c.place), Some(PLACE));
        assert_eq!(d.get(hash_lower("nowhere")), None);
    }
}
