//! Small hand-written name lists (countries, places, well-known organizations, given
//! names, demonyms, organization words and titles) used as tagger features and by the
//! canonical-name rules.
//!
//! In: the lists in `data/` (written for this project from general knowledge, see
//! the header of each file). Out: [`Gazetteer`], answering "which lists hold this
//! token sequence" by hash, so lookups never allocate.

use once_cell::sync::Lazy;

use super::features::{hash_lower, mix, HashMapU64};

use super::tokenize::tokenize;

pub const G_LOC: u8 = 1;
pub const G_ORG: u8 = 2;
pub const G_FIRST: u8 = 4;
pub const G_TITLE: u8 = 8;
pub const G_ORGKEY: u8 = 16;
pub const G_DEMONYM: u8 = 32;
pub const G_LOCKEY: u8 = 64;

/// Longest entry, in tokens.
pub const MAX_LEN: usize = 6;

/// The lists, keyed by the hash of the lowercased token sequence.
pub struct Gazetteer {
    kinds: HashMapU64<u8>,
    /// Hashes of the proper prefixes of multi-word entries (`united` for `United
    /// States`), so matching stops as soon as no entry can continue.
    prefixes: HashMapU64<()>,
    /// Short form of a well-known organization, by hash of any of its forms.
    org_short: HashMapU64<&'static str>,
    /// Canonical spelling of each place and organization, by lowercase hash.
    spelling: HashMapU64<&'static str>,
    /// Canonical name of a place, by hash of any of its forms (`U.S.` -> `United States`).
    place_canonical: HashMapU64<&'static str>,
}

static GAZ: Lazy<Gazetteer> = Lazy::new(Gazetteer::build);

/// The built-in gazetteer (built once).
pub fn gazetteer() -> &'static Gazetteer {
    &GAZ
}

/// Hash of a phrase's tokens, the same way the tagger hashes token sequences.
pub fn phrase_hash(phrase: &str) -> u64 {
    phrase_hashes(phrase).last().copied().unwrap_or(0)
}

/// Hashes of every prefix of a phrase's tokens (the last one is the whole phrase).
fn phrase_hashes(phrase: &str) -> Vec<u64> {
    let t = tokenize(phrase);
    let mut h = 0u64;
    t.tokens
        .iter()
        .map(|tok| {
            h = mix(h, hash_lower(tok.text(phrase)));
            h
        })
        .collect()
}

fn lines(data: &'static str) -> impl Iterator<Item = &'static str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl Gazetteer {
    fn build() -> Self {
        let mut g = Gazetteer {
            kinds: HashMapU64::default(),
            prefixes: HashMapU64::default(),
            org_short: HashMapU64::default(),
            spelling: HashMapU64::default(),
            place_canonical: HashMapU64::default(),
        };
        for l in
            lines(include_str!("data/countries.txt")).chain(lines(include_str!("data/places.txt")))
        {
            let first = l.split('|').next().unwrap_or(l);
            for f in l.split('|') {
                let h = phrase_hash(f);
                *g.kinds.entry(h).or_default() |= G_LOC;
                g.spelling.entry(h).or_insert(f);
                g.place_canonical.entry(h).or_insert(first);
            }
        }
        for l in lines(include_str!("data/orgs.txt")) {
            let mut forms = l.split('|');
            let first = forms.next().unwrap_or(l);
            for f in l.split('|') {
                let h = phrase_hash(f);
                *g.kinds.entry(h).or_default() |= G_ORG;
                g.org_short.insert(h, first);
                g.spelling.entry(h).or_insert(f);
            }
        }
        let words = |data: &'static str| lines(data).flat_map(|l| l.split_whitespace());
        for w in words(include_str!("data/first_names.txt")) {
            *g.kinds.entry(phrase_hash(w)).or_default() |= G_FIRST;
        }
        for w in words(include_str!("data/demonyms.txt")) {
            *g.kinds.entry(phrase_hash(w)).or_default() |= G_DEMONYM;
        }
        for l in lines(include_str!("data/keywords.txt")) {
            let (kind, rest) = match l.split_once(':') {
                Some(("org", r)) => (G_ORGKEY, r),
                Some(("title", r)) => (G_TITLE, r),
                Some(("loc", r)) => (G_LOCKEY, r),
                _ => continue,
            };
            for w in rest.split_whitespace() {
                *g.kinds.entry(phrase_hash(w)).or_default() |= kind;
            }
        }
        for l in lines(include_str!("data/countries.txt"))
            .chain(lines(include_str!("data/places.txt")))
            .chain(lines(include_str!("data/orgs.txt")))
        {
            for f in l.split('|') {
                let hs = phrase_hashes(f);
                for &h in &hs[..hs.len().saturating_sub(1)] {
                    g.prefixes.insert(h, ());
                }
            }
        }
        g
    }

    /// Whether some multi-word entry starts with the token sequence hashed to `h`.
    #[inline]
    pub fn is_prefix(&self, h: u64) -> bool {
        self.prefixes.contains_key(&h)
    }

    /// Lists holding the phrase whose token-sequence hash is `h`.
    #[inline]
    pub fn kinds(&self, h: u64) -> u8 {
        self.kinds.get(&h).copied().unwrap_or(0)
    }

    /// Short (canonical) form of a well-known organization.
    pub fn org_short(&self, h: u64) -> Option<&'static str> {
        self.org_short.get(&h).copied()
    }

    /// Canonical name of a place (`U.S.` -> `United States`, `BAGHDAD` -> `Baghdad`).
    pub fn place_canonical(&self, h: u64) -> Option<&'static str> {
        self.place_canonical.get(&h).copied()
    }

    /// The list's spelling of a place or organization (`BAGHDAD` -> `Baghdad`).
    pub fn spelling(&self, h: u64) -> Option<&'static str> {
        self.spelling.get(&h).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_loaded_and_matched_case_insensitively() {
        let g = gazetteer();
        assert_ne!(g.kinds(phrase_hash("IRAQ")) & G_LOC, 0);
        assert_ne!(g.kinds(phrase_hash("United States")) & G_LOC, 0);
        assert_ne!(g.kinds(phrase_hash("Iraqi")) & G_DEMONYM, 0);
        assert_eq!(
            g.org_short(phrase_hash("North Atlantic Treaty Organization")),
            Some("NATO")
        );
        assert_eq!(g.spelling(phrase_hash("BAGHDAD")), Some("Baghdad"));
        assert_eq!(
            g.place_canonical(phrase_hash("U.S.")),
            Some("United States")
        );
        assert_eq!(g.kinds(phrase_hash("Print E-mail")), 0);
        assert_ne!(g.kinds(phrase_hash("Spokesman")) & G_TITLE, 0);
        assert_ne!(g.kinds(phrase_hash("Michael")) & G_FIRST, 0);
        assert_ne!(g.kinds(phrase_hash("Roundabout")) & G_LOCKEY, 0);
    }
}
