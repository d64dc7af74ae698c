//! Lowercasing and English stemming in one token filter, with a cache of the words
//! already seen.
//!
//! News text repeats its words (a few thousand make up most tokens), and the Snowball
//! stemmer was a quarter of all indexing time. Each copy of the filter (tantivy keeps
//! one per field per indexing thread) remembers [`CACHE_WORDS`] recent words, so most
//! tokens cost one hash and one memory read. The output is exactly `LowerCaser` then
//! `Stemmer::new(Language::English)`: a test holds it to that.

use std::hash::Hasher;

use rustc_hash::FxHasher;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered per filter copy (a power of two; 48 bytes each, 768 KB).
const CACHE_WORDS: usize = 1 << 14;

/// Token filter: lowercase, then stem (English), through a cache.
#[derive(Clone, Copy, Default)]
pub struct LowerStem;

impl TokenFilter for LowerStem {
    type Tokenizer<T: Tokenizer> = LowerStemFilter<T>;

    fn transform<T: Tokenizer>(self, inner: T) -> LowerStemFilter<T> {
        LowerStemFilter {
            inner,
            cache: Cache::default(),
        }
    }
}

pub struct LowerStemFilter<T> {
    inner: T,
    cache: Cache,
}

// A copy starts with an empty cache: copies are made for each new indexing thread or
// query, and a full cache is not worth copying.
impl<T: Clone> Clone for LowerStemFilter<T> {
    fn clone(&self) -> Self {
        LowerStemFilter {
            inner: self.inner.clone(),
            cache: Cache::default(),
        }
    }
}

/// Remembers the stems of recent words: a direct-mapped table (a word's hash picks
/// its one slot; a new word takes the slot over) holding short words inline, so a
/// hit costs one hash and one cache line.
struct Cache {
    stemmer: frostem::Stemmer,
    /// [`FIRST_WORDS`] slots, then [`CACHE_WORDS`] once [`CACHE_AFTER`] words have
    /// been seen.
    slots: Vec<Slot>,
    seen: usize,
    lower: String,
}

/// Slots of the first, small table (48 KB): a query or the snippets of a page of
/// hits do not pay for a big table they would barely use.
const FIRST_WORDS: usize = 1 << 10;

/// Words seen before the big table is made (indexing gets there in a hundred
/// articles).
const CACHE_AFTER: usize = 50_000;

/// Longest word (in bytes) and stem the cache holds.
const WIDTH: usize = 23;

/// A word and its stem (`stem_len` 0: the word is its own stem).
#[derive(Clone, Copy)]
struct Slot {
    word_len: u8,
    word: [u8; WIDTH],
    stem_len: u8,
    stem: [u8; WIDTH],
}

const EMPTY: Slot = Slot {
    word_len: 0,
    word: [0; WIDTH],
    stem_len: 0,
    stem: [0; WIDTH],
};

impl Default for Cache {
    fn default() -> Self {
        Cache {
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            slots: Vec::new(),
            seen: 0,
            lower: String::new(),
        }
    }
}

impl Cache {
    /// Replaces `text` by its lowercased stem.
    fn apply(&mut self, text: &mut String) {
        let word = text.as_bytes();
        // Words the stemmer leaves as they are, without a lookup: numbers, and words
        // of one or two letters (English Snowball: "if the word has two letters or
        // less, leave it as it is").
        if word.iter().all(u8::is_ascii_digit) {
            return;
        }
        if word.len() <= 2 && word.is_ascii() {
            text.make_ascii_lowercase();
            return;
        }
        if self.slots.len() < CACHE_WORDS {
            self.seen += 1;
            if self.seen >= CACHE_AFTER {
                self.slots = vec![EMPTY; CACHE_WORDS];
            } else if self.slots.is_empty() {
                self.slots = vec![EMPTY; FIRST_WORDS];
            }
        }
        let cacheable = !word.is_empty() && word.len() <= WIDTH;
        let at = if cacheable {
            let mut h = FxHasher::default();
            h.write(word);
            let at = (h.finish() as usize) & (self.slots.len() - 1);
            let slot = &self.slots[at];
            if &slot.word[..slot.word_len as usize] == word {
                // Most words are their own stem.
                if slot.stem_len == 0 {
                    return;
                }
                if let Ok(stem) = std::str::from_utf8(&slot.stem[..slot.stem_len as usize]) {
                    text.clear();
                    text.push_str(stem);
                    return;
                }
            }
            Some(at)
        } else {
            None
        };
        self.lower.clear();
        if text.is_ascii() {
            self.lower.push_str(text);
            self.lower.make_ascii_lowercase();
        } else {
            self.lower.extend(text.chars().flat_map(char::to_lowercase));
        }
        let stem = self.stemmer.stem(&self.lower);
        if let Some(at) = at.filter(|_| !stem.is_empty() && stem.len() <= WIDTH) {
            let slot = &mut self.slots[at];
            slot.word_len = word.len() as u8;
            slot.word[..word.len()].copy_from_slice(word);
            if stem.as_bytes() == word {
                slot.stem_len = 0;
            } else {
                slot.stem_len = stem.len() as u8;
                slot.stem[..stem.len()].copy_from_slice(stem.as_bytes());
            }
        }
        let stem = stem.into_owned();
        *text = stem;
    }
}

impl<T: Tokenizer> Tokenizer for LowerStemFilter<T> {
    type TokenStream<'a> = LowerStemStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        LowerStemStream {
            tail: self.inner.token_stream(text),
            cache: &mut self.cache,
        }
    }
}

pub struct LowerStemStream<'a, S> {
    tail: S,
    cache: &'a mut Cache,
}

impl<S: TokenStream> TokenStream for LowerStemStream<'_, S> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        self.cache.apply(&mut self.tail.token_mut().text);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::{
        Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer, TextAnalyzer,
    };

    fn tokens(analyzer: &mut TextAnalyzer, text: &str) -> Vec<(String, usize, usize, usize)> {
        let mut out = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(t) = stream.next() {
            out.push((t.text.clone(), t.offset_from, t.offset_to, t.position));
        }
        out
    }

    #[test]
    fn same_tokens_as_lowercaser_then_stemmer() {
        let mut plain = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerCaser)
            .filter(Stemmer::new(Language::English))
            .build();
        let mut cached = TextAnalyzer::builder(SimpleTokenizer::default())
            .filter(RemoveLongFilter::limit(40))
            .filter(LowerStem)
            .build();
        let texts = [
            "Foreign forces' WITHDRAWAL withdrawals: Withdrawing troops, running ran runs.",
            "A US ox is at it; Is IS in 1987 1980s 2,500 007 0 12th As AS as Oh",
            "ÉTATS-UNIS Straße İstanbul ΣΟΦΙΑ Größe naïve café DŽungla ǅ",
            "Generalizations generalization GENERALIZATIONS; 1,000 troops in 2005-11-07",
            "",
            "x",
        ];
        // Enough words to make the cache, then again from it.
        let warm = "word ".repeat(CACHE_AFTER);
        assert_eq!(tokens(&mut cached, &warm).len(), CACHE_AFTER);
        for _ in 0..2 {
            for text in texts {
                assert_eq!(
                    tokens(&mut plain, text),
                    tokens(&mut cached, text),
                    "{text}"
                );
            }
        }
    }
}
