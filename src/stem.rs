//! Lowercasing and English stemming in one token filter, with a cache of the words
//! already seen.
//!
//! News text repeats its words (a few thousand make up most tokens), and the Snowball
//! stemmer was a quarter of all indexing time. Each copy of the filter (tantivy keeps
//! one per field per indexing thread) remembers up to [`CACHE_WORDS`] words, so most
//! tokens cost one hash lookup. The output is exactly `LowerCaser` then
//! `Stemmer::new(Language::English)`: a test holds it to that.

use rustc_hash::FxHashMap;
use tantivy::tokenizer::{Token, TokenFilter, TokenStream, Tokenizer};

/// Words remembered per filter copy (about 4 MB at most); later new words are stemmed
/// each time they come.
const CACHE_WORDS: usize = 50_000;

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

struct Cache {
    stemmer: frostem::Stemmer,
    words: FxHashMap<Box<str>, Box<str>>,
    lower: String,
}

impl Default for Cache {
    fn default() -> Self {
        Cache {
            stemmer: frostem::Stemmer::new(frostem::Algorithm::English),
            words: FxHashMap::default(),
            lower: String::new(),
        }
    }
}

impl Cache {
    /// Replaces `text` by its lowercased stem.
    fn apply(&mut self, text: &mut String) {
        if let Some(stem) = self.words.get(text.as_str()) {
            text.clear();
            text.push_str(stem);
            return;
        }
        self.lower.clear();
        if text.is_ascii() {
            self.lower.push_str(text);
            self.lower.make_ascii_lowercase();
        } else {
            self.lower.extend(text.chars().flat_map(char::to_lowercase));
        }
        let stem = self.stemmer.stem(&self.lower);
        if self.words.len() < CACHE_WORDS {
            self.words
                .insert(Box::from(text.as_str()), Box::from(stem.as_ref()));
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
            "ÉTATS-UNIS Straße İstanbul ΣΟΦΙΑ Größe naïve café DŽungla ǅ",
            "Generalizations generalization GENERALIZATIONS; 1,000 troops in 2005-11-07",
            "",
            "x",
        ];
        // Twice through the same analyzer: the second pass comes from the cache.
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
