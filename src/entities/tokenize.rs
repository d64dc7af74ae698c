//! Tokenizer and sentence splitter for the tagger.
//!
//! In: raw article text (or text that is already tokenized Reuters/CoNLL style,
//! `U.S. 's ( NATO )`). Out: tokens as byte ranges into the text, grouped into
//! sentences. No strings are allocated: every token is a `&text[start..end]`.
//!
//! The rules follow the Penn Treebank style the training data uses, so raw text and
//! pre-tokenized text come out the same way: brackets, quotes and sentence punctuation
//! are split off, a possessive `'s` is its own token, abbreviations (`U.S.`, `Dec.`,
//! `Corp.`) keep their period, hyphenated words (`al-Araji`) stay whole.

/// One token: a byte range into the text it was cut from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    pub start: u32,
    pub end: u32,
}

impl Token {
    pub fn text<'a>(&self, src: &'a str) -> &'a str {
        &src[self.start as usize..self.end as usize]
    }
}

/// Tokens of a text and where each sentence starts (indexes into `tokens`).
#[derive(Debug, Default, Clone)]
pub struct Tokenized {
    pub tokens: Vec<Token>,
    /// `sentences[i]..sentences[i + 1]` (or `..tokens.len()`) are the tokens of sentence i.
    pub sentences: Vec<usize>,
}

impl Tokenized {
    /// Token index ranges of the sentences.
    pub fn sentence_ranges(&self) -> impl Iterator<Item = std::ops::Range<usize>> + '_ {
        let n = self.tokens.len();
        self.sentences.iter().enumerate().map(move |(i, &s)| {
            let e = self.sentences.get(i + 1).copied().unwrap_or(n);
            s..e
        })
    }
}

/// Abbreviations that keep their final period (lowercase, without the period).
const ABBREVIATIONS: &[&str] = &[
    "mr", "mrs", "ms", "dr", "prof", "sr", "jr", "st", "mt", "ft", "gen", "col", "lt", "capt",
    "maj", "sgt", "sen", "rep", "gov", "rev", "hon", "pres", "inc", "corp", "co", "ltd", "plc",
    "bros", "no", "nos", "vs", "v", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec", "mon", "tue", "wed", "thu", "fri", "sat", "sun", "ave", "blvd", "dept",
    "est", "approx", "etc", "al", "cf", "e.g", "i.e", "ala", "ariz", "ark", "calif", "colo",
    "conn", "del", "fla", "ga", "ill", "ind", "kan", "ky", "la", "md", "mass", "mich", "minn",
    "miss", "mo", "mont", "neb", "nev", "okla", "ore", "pa", "tenn", "tex", "va", "vt", "wash",
    "wis", "wyo", "adm", "cmdr", "cpl", "pvt", "messrs", "mme", "mlle",
];

fn is_abbreviation(word: &str) -> bool {
    if word.len() > 8 {
        return false;
    }
    let mut buf = [0u8; 8];
    for (i, b) in word.bytes().enumerate() {
        buf[i] = b.to_ascii_lowercase();
    }
    let lw = &buf[..word.len()];
    ABBREVIATIONS.iter().any(|a| a.as_bytes() == lw)
}

fn is_open_punct(c: char) -> bool {
    matches!(
        c,
        '(' | '[' | '{' | '"' | '`' | '\u{201c}' | '\u{2018}' | '<' | '\u{ab}'
    )
}

fn is_close_punct(c: char) -> bool {
    matches!(
        c,
        ')' | ']'
            | '}'
            | '"'
            | ','
            | ';'
            | ':'
            | '!'
            | '?'
            | '\u{201d}'
            | '\u{2019}'
            | '>'
            | '\u{bb}'
    )
}

fn is_dash(c: char) -> bool {
    matches!(c, '\u{2014}' | '\u{2013}')
}

/// Tokenizes `text`, splitting sentences at line breaks and at sentence-final
/// punctuation followed by a token that can start a sentence.
pub fn tokenize(text: &str) -> Tokenized {
    let mut out = Tokenized {
        tokens: Vec::with_capacity(text.len() / 5 + 4),
        sentences: Vec::with_capacity(text.len() / 100 + 2),
    };
    let bytes = text.as_bytes();
    let mut pos = 0usize;
    let mut new_sentence = true;
    while pos < bytes.len() {
        // Skip whitespace, noting line breaks.
        let b = bytes[pos];
        if b == b'\n' {
            new_sentence = true;
            pos += 1;
            continue;
        }
        if b == b' ' || b == b'\t' || b == b'\r' {
            pos += 1;
            continue;
        }
        let rest = &text[pos..];
        let ch = rest.chars().next().unwrap_or(' ');
        if ch.is_whitespace() {
            pos += ch.len_utf8();
            continue;
        }
        // A chunk: up to the next whitespace.
        let chunk_len = rest
            .char_indices()
            .find(|&(_, c)| c.is_whitespace())
            .map(|(i, _)| i)
            .unwrap_or(rest.len());
        let chunk_end = pos + chunk_len;
        let before = out.tokens.len();
        split_chunk(text, pos, chunk_end, &mut out.tokens);
        if out.tokens.len() > before {
            if new_sentence || out.sentences.is_empty() {
                out.sentences.push(before);
                new_sentence = false;
            } else {
                // Sentence boundary after a final period/?/! when this chunk starts
                // with an uppercase letter, a quote or bracket.
                let prev = out.tokens[before - 1].text(text);
                if matches!(prev, "." | "?" | "!") {
                    let first = out.tokens[before].text(text);
                    let c0 = first.chars().next().unwrap_or(' ');
                    if c0.is_uppercase() || is_open_punct(c0) || c0.is_ascii_digit() {
                        out.sentences.push(before);
                    }
                }
            }
        }
        pos = chunk_end;
    }
    out
}

/// Splits one whitespace-free chunk `text[start..end]` into tokens.
fn split_chunk(text: &str, mut start: usize, mut end: usize, out: &mut Vec<Token>) {
    let mut tail: [Token; 8] = [Token { start: 0, end: 0 }; 8];
    let mut ntail = 0usize;
    // Leading punctuation.
    while start < end {
        let c = text[start..end].chars().next().unwrap_or(' ');
        if is_open_punct(c)
            || (c == '\'' && end - start > 1 && !starts_with_ci(&text[start..end], "'s"))
        {
            // `'` opening a quote, but not `'s`/`'90s`.
            if c == '\'' {
                let next = text[start + 1..end].chars().next().unwrap_or(' ');
                if next.is_ascii_digit() {
                    break;
                }
            }
            push(out, start, start + c.len_utf8());
            start += c.len_utf8();
        } else if c == '-' && text[start..end].starts_with("--") {
            let n = text[start..end].bytes().take_while(|&b| b == b'-').count();
            push(out, start, start + n);
            start += n;
        } else if is_dash(c) {
            push(out, start, start + c.len_utf8());
            start += c.len_utf8();
        } else {
            break;
        }
    }
    // Trailing punctuation, collected in reverse.
    loop {
        if start >= end || ntail >= tail.len() - 1 {
            break;
        }
        let s = &text[start..end];
        let c = s.chars().next_back().unwrap_or(' ');
        if s.len() == c.len_utf8() {
            break;
        }
        if is_close_punct(c) || is_dash(c) {
            // Closing brackets, quotes (`’` too: a plural possessive `Jones’` is split
            // like `'`), commas and the like.
            let l = c.len_utf8();
            tail[ntail] = Token {
                start: (end - l) as u32,
                end: end as u32,
            };
            ntail += 1;
            end -= l;
            continue;
        }
        if c == '-' && s.ends_with("--") {
            let n = s.bytes().rev().take_while(|&b| b == b'-').count();
            if n < s.len() {
                tail[ntail] = Token {
                    start: (end - n) as u32,
                    end: end as u32,
                };
                ntail += 1;
                end -= n;
                continue;
            }
            break;
        }
        if c == '.' {
            let word = &s[..s.len() - 1];
            if keeps_period(word, text, end) {
                break;
            }
            tail[ntail] = Token {
                start: (end - 1) as u32,
                end: end as u32,
            };
            ntail += 1;
            end -= 1;
            continue;
        }
        if c == '\'' {
            // Closing quote or plural possessive: split it off.
            tail[ntail] = Token {
                start: (end - 1) as u32,
                end: end as u32,
            };
            ntail += 1;
            end -= 1;
            continue;
        }
        break;
    }
    if start < end {
        // Possessive `'s` / `’s` at the end of the word.
        let s = &text[start..end];
        let cut = if s.len() > 2 && (s.ends_with("'s") || s.ends_with("'S")) {
            Some(end - 2)
        } else if s.len() > 4 && (s.ends_with("\u{2019}s") || s.ends_with("\u{2019}S")) {
            Some(end - 4)
        } else if s.len() > 3 && s.ends_with("n't") {
            Some(end - 3)
        } else {
            None
        };
        match cut {
            Some(c) => {
                push(out, start, c);
                push(out, c, end);
            }
            None => push(out, start, end),
        }
    }
    for t in tail[..ntail].iter().rev() {
        out.push(*t);
    }
}

fn starts_with_ci(s: &str, p: &str) -> bool {
    s.len() >= p.len() && s.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes())
}

/// Whether a word ending in a period keeps it (`U.S.`, `Dec.`, `J.`) rather than the
/// period ending the sentence.
fn keeps_period(word: &str, text: &str, end: usize) -> bool {
    if word.is_empty() {
        return false;
    }
    if word.contains('.') {
        // U.S., U.N., a.m.
        return word.chars().all(|c| c.is_alphabetic() || c == '.');
    }
    let nchars = word.chars().count();
    if nchars == 1 && word.chars().all(|c| c.is_alphabetic()) {
        return true; // an initial: J. Smith
    }
    if is_abbreviation(word) {
        return true;
    }
    // Mid-sentence: the next word starts with a lowercase letter or digit.
    let next = text[end..].trim_start_matches([' ', '\t']);
    match next.chars().next() {
        Some(c) => c.is_lowercase() || c == ',',
        None => false,
    }
}

fn push(out: &mut Vec<Token>, s: usize, e: usize) {
    if e > s {
        out.push(Token {
            start: s as u32,
            end: e as u32,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<&str> {
        tokenize(s).tokens.iter().map(|t| t.text(s)).collect()
    }

    #[test]
    fn raw_text_is_split_like_the_training_data() {
        assert_eq!(
            toks("the North Atlantic Treaty Organization (NATO) mission in Iraq."),
            vec![
                "the",
                "North",
                "Atlantic",
                "Treaty",
                "Organization",
                "(",
                "NATO",
                ")",
                "mission",
                "in",
                "Iraq",
                "."
            ]
        );
        assert_eq!(
            toks("the U.S.'s troops"),
            vec!["the", "U.S.", "'s", "troops"]
        );
        assert_eq!(toks("Al-Araji stressed"), vec!["Al-Araji", "stressed"]);
        assert_eq!(
            toks("\"Cooperation, he said\""),
            vec!["\"", "Cooperation", ",", "he", "said", "\""]
        );
        assert_eq!(toks("by Dec. 31."), vec!["by", "Dec.", "31", "."]);
        assert_eq!(
            toks("BAGHDAD, Dec. 1 (Xinhua) --"),
            vec!["BAGHDAD", ",", "Dec.", "1", "(", "Xinhua", ")", "--"]
        );
    }

    #[test]
    fn pre_tokenized_text_is_kept() {
        let s = "Germany 's ( NATO ) U.S. officials said .";
        assert_eq!(toks(s), s.split(' ').collect::<Vec<_>>());
    }

    #[test]
    fn sentences_split_at_final_periods_and_lines() {
        let t = tokenize("He left. She came\nNew line");
        let s: Vec<_> = t.sentence_ranges().collect();
        assert_eq!(s, vec![0..3, 3..5, 5..7]);
    }
}
