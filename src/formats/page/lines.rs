//! What one line of a page saved as text looks like: the evidence the story finder
//! ([`super::boilerplate`]) and the headline and date finder ([`super::meta`]) weigh.
//!
//! In: the page text. Out: one [`Line`] per line of it, with its words (images, buttons,
//! links and tracking tokens not counted; a run of Chinese or Japanese characters counts
//! a word for every two characters, as those languages are written without spaces),
//! whether it ends like a sentence, is repeated elsewhere on the page, is a list item, a
//! table row, a caption, a byline or date line, a shouted promo, or legal and
//! subscription small print, and from that whether it reads as prose.

use std::collections::HashMap;

use once_cell::sync::Lazy;
use regex::Regex;

use crate::formats::re;

/// Words a line needs to be prose when it ends like a sentence ...
pub(super) const PROSE_WORDS: usize = 8;
/// ... and when it does not (a long line is prose anyway).
pub(super) const LONG_WORDS: usize = 15;
/// Characters of a line compared to find repeated lines.
const REPEAT_KEY_CHARS: usize = 60;
/// A "word" longer than this is a tracking token, a file name or an encoded blob.
const LONG_TOKEN_CHARS: usize = 30;
/// A byline or a date line has at most this many words.
const BYLINE_WORDS: usize = 14;
/// Letters a line in capitals needs to count as shouting rather than an acronym.
const SHOUT_LETTERS: usize = 8;

/// List bullets as text dumps draw them: `* `, `+ `, `o `, `# `, `• `, `- `, `1. `.
pub(super) static BULLET: Lazy<Regex> = Lazy::new(|| re(r"^\s*(?:[*+#o•·\-]|\d+\.)\s+"));

/// What a text dump leaves of images, buttons, form fields, frames and links.
pub(super) static JUNK: Lazy<Regex> =
    Lazy::new(|| re(r"\[[^\]]*\]|\(BUTTON\)|_{4,}|https?://\S+|IFRAME:\s*\S+"));

/// Words of site furniture: sharing, accounts, consent, legal lines. (ASCII word
/// boundaries: the Unicode ones send every line with a curly quote to a slow engine.)
pub(super) static MENU: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)(?-u:\b)(?:share|sign in|sign up|log in|subscribe|cookies?|newsletter|advertisement|read more|related|follow us|all rights reserved|copyright|privacy policy|terms of (?:use|service))(?-u:\b)",
    )
});

/// Headings of the sections that follow (or interrupt) a story.
pub(super) static SECTION: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)^(?:most (?:read|popular|viewed|shared)|more (?:from|in|on|stories|news)|related\b|read (?:these|this) next|recommended|trending|you (?:may|might) (?:also )?like|comments?\b|join the conversation|share (?:this|your)|around the web|editor'?s picks|latest (?:news|stories)|top stories|what to read next|read more|sponsored)",
    )
});

/// Photo captions and credits: `Getty Images`, `(Image: Reuters)`, `Photo by ...`, a
/// caption ending in its agency, `(AP)`.
static CAPTION: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)getty ?images|(?-u:\b)ap photo|(?-u:\b)photo:|(?-u:\b)credit:|\.jpe?g(?-u:\b)|\.png(?-u:\b)|^in this (?:photo|image|file)|\((?:image|photo|picture|pic|credit|source|foto|video)s?\s*:|(?-u:\b)image (?:copyright|caption|source)(?-u:\b)|(?-u:\b)photo(?:graph)?s? (?:by|courtesy)(?-u:\b)|\((?:AP|AFP|Reuters|Getty|EPA|File)(?-u:\b)[^)]*\)\s*$",
    )
});

/// A byline (`By Jane Doe`, `Von ...`, `Por ...`) or a date line (`Published ...`,
/// `Updated: ...`, `Posted on ...`).
static BYLINE: Lazy<Regex> = Lazy::new(|| {
    re(
        r"^(?:[Bb]y|BY|[Vv]on|[Pp]or|[Pp]ar)\s+\S|(?i:^(?:published|updated|posted|last updated|first published|modified)(?-u:\b))",
    )
});

/// Legal and subscription small print: one of these with `©`, or two of them, make a
/// footer or sign-up box, not a story, however long the line.
static LEGAL: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)(?-u:\b)copyright(?-u:\b)|(?-u:\b)all rights reserved(?-u:\b)|(?-u:\b)privacy policy(?-u:\b)|(?-u:\b)terms of (?:use|service)(?-u:\b)|(?-u:\b)unsubscribe(?-u:\b)|(?-u:\b)subscribe(?-u:\b)|(?-u:\b)newsletters?(?-u:\b)|(?-u:\b)sign up(?-u:\b)|(?-u:\b)cookies?(?-u:\b)",
    )
});

/// The gap between two cells of a table row as a text dump aligns them: two or more
/// spaces or a tab inside the (trimmed) line.
static CELL_GAP: Lazy<Regex> = Lazy::new(|| re(r" {2,}|\t"));

/// What one line of the page looks like.
pub(super) struct Line<'a> {
    /// The line as it stands in the page.
    pub raw: &'a str,
    /// The line without surrounding blanks and list bullet.
    pub core: &'a str,
    /// `core` without image names, buttons, form fields and links.
    pub plain: String,
    pub blank: bool,
    pub bullet: bool,
    /// Words, not counting image names, buttons, form fields, links and long tokens.
    pub words: usize,
    pub ends_sentence: bool,
    pub repeated: bool,
    /// A photo caption or credit.
    pub caption: bool,
    /// A caption, a byline or date line, or a promo in capitals: never story text.
    pub aside: bool,
    /// Legal or subscription small print.
    pub legal: bool,
    /// A row of a table (cells separated by runs of spaces).
    pub table_row: bool,
    pub prose: bool,
}

impl Line<'_> {
    /// A short line with a menu word: `Share`, `Sign in`, `Privacy policy`.
    pub fn menu(&self) -> bool {
        !self.prose && self.words < LONG_WORDS && MENU.is_match(&self.plain)
    }

    /// A heading that opens a section of other stories: `Most read`, `Related`.
    pub fn section(&self) -> bool {
        !self.prose && self.words < PROSE_WORDS && SECTION.is_match(&self.plain)
    }

    /// Whether the line is kept in the story when it lies inside it: headings and short
    /// lines between paragraphs are, furniture (an "Advertisement", a share bar) is not.
    pub fn kept(&self) -> bool {
        !(self.blank
            || self.repeated
            || self.aside
            || (self.bullet && (self.words < 2 || MENU.is_match(self.core)))
            || self.menu()
            || self.section()
            || self.plain.is_empty())
    }

    /// Whether the line carries story content even when it is short: a sentence, a
    /// table row (a list or a table can be the article).
    pub fn content(&self) -> bool {
        !self.aside
            && !self.legal
            && (self.prose
                || (self.words >= 3 && self.ends_sentence && !self.repeated)
                || self.table_row)
    }
}

/// Splits `text` into lines and describes each.
pub(super) fn analyse(text: &str) -> Vec<Line<'_>> {
    let raw: Vec<&str> = text.lines().collect();
    let keys: Vec<Option<String>> = raw
        .iter()
        .map(|l| (!l.trim().is_empty()).then(|| repeat_key(l)))
        .collect();
    let mut seen: HashMap<&str, u32> = HashMap::new();
    for key in keys.iter().flatten() {
        *seen.entry(key.as_str()).or_default() += 1;
    }
    raw.iter()
        .zip(&keys)
        .map(|(&raw, key)| {
            let bullet = BULLET.find(raw);
            let core = raw[bullet.map_or(0, |m| m.end())..].trim();
            let plain = JUNK.replace_all(core, " ").trim().to_string();
            let words = count_words(&plain);
            let ends_sentence = ends_sentence(core);
            let repeated = key.as_ref().is_some_and(|k| seen[k.as_str()] > 1);
            let blank = key.is_none();
            let caption = CAPTION.is_match(core);
            let aside = !blank
                && (caption
                    || (words <= BYLINE_WORDS && !ends_sentence && BYLINE.is_match(core))
                    || (!ends_sentence && shouting(core)));
            let legal = core.contains('©') || LEGAL.find_iter(core).nth(1).is_some();
            let table_row = CELL_GAP.find_iter(core).nth(1).is_some();
            // Prose: long enough, not repeated, not an aside, not a short list item.
            let excluded = blank || repeated || aside || (bullet.is_some() && words < LONG_WORDS);
            let prose =
                !excluded && ((words >= PROSE_WORDS && ends_sentence) || words >= LONG_WORDS);
            Line {
                raw,
                core,
                plain,
                blank,
                bullet: bullet.is_some(),
                words,
                ends_sentence,
                repeated,
                caption,
                aside,
                legal,
                table_row,
                prose,
            }
        })
        .collect()
}

/// The key under which a line counts as the same as another: its first characters,
/// blanks collapsed, lower case.
pub(super) fn repeat_key(line: &str) -> String {
    let mut key = String::new();
    for word in line.split_whitespace() {
        if !key.is_empty() {
            key.push(' ');
        }
        key.extend(word.chars().flat_map(char::to_lowercase));
        if key.len() >= REPEAT_KEY_CHARS * 4 {
            break;
        }
    }
    key.chars().take(REPEAT_KEY_CHARS).collect()
}

/// Chinese characters and Japanese kana, written without spaces between words.
fn unspaced_script(c: char) -> bool {
    matches!(c,
        '\u{3040}'..='\u{30ff}' | '\u{3400}'..='\u{4dbf}' | '\u{4e00}'..='\u{9fff}' | '\u{f900}'..='\u{faff}')
}

/// Words in `s`: runs of letters and digits, not counting tokens longer than
/// [`LONG_TOKEN_CHARS`]; Chinese and Japanese characters count one word per two.
pub(super) fn count_words(s: &str) -> usize {
    let (mut words, mut unspaced) = (0usize, 0usize);
    for token in s.split_whitespace() {
        if token.chars().count() > LONG_TOKEN_CHARS {
            continue;
        }
        let mut in_word = false;
        for c in token.chars() {
            if unspaced_script(c) {
                unspaced += 1;
                in_word = false;
                continue;
            }
            let w = c.is_alphanumeric() || c == '_';
            if w && !in_word {
                words += 1;
            }
            in_word = w;
        }
    }
    words + unspaced.div_ceil(2)
}

/// Whether `s` ends like a sentence: `.`, `!`, `?`, `:` or a Chinese or Japanese full
/// stop, then perhaps closing quotes or brackets; an ellipsis (a cut-off teaser) does not
/// count.
pub(super) fn ends_sentence(s: &str) -> bool {
    let s = s.trim_end_matches(['"', '\'', '”', '’', ')', ']', '」', '』', '）']);
    if s.ends_with("...") {
        return false;
    }
    s.ends_with(['.', '!', '?', ':', '。', '！', '？'])
}

/// A line in capitals (`CLICK HERE TO GET THE APP`): a promo or a teaser's kicker.
fn shouting(s: &str) -> bool {
    let mut letters = 0;
    for c in s.chars().filter(|c| c.is_alphabetic()) {
        if c.is_lowercase() {
            return false;
        }
        letters += usize::from(c.is_uppercase());
    }
    letters >= SHOUT_LETTERS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentence_endings_and_word_counts() {
        assert!(ends_sentence("It rained all day."));
        assert!(ends_sentence("\"Never,\" she said.\u{201d}"));
        assert!(ends_sentence("雨が一日中降った。"));
        assert!(!ends_sentence("Read the rest of this story..."));
        assert!(!ends_sentence("Sign in"));
        assert_eq!(count_words("[img.png] Two words"), 4);
        assert_eq!(
            count_words(&JUNK.replace_all("[img.png] Two words", " ")),
            2
        );
        assert_eq!(repeat_key("  Share   THIS  "), "share this");
    }

    #[test]
    fn unspaced_scripts_count_a_word_per_two_characters() {
        // Ten kanji and kana, then two Latin words.
        assert_eq!(count_words("東京の港に新しい橋が"), 5);
        assert_eq!(count_words("東京の港に新しい橋が open today"), 7);
    }

    #[test]
    fn tracking_tokens_are_not_words() {
        let token = "Xk9%2Fq3ZpL0aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789";
        assert_eq!(count_words(&format!("{token} {token} two words")), 2);
    }

    #[test]
    fn asides_tables_and_small_print() {
        let page = "   The harbour at dawn (Image: Harbour Trust)\n   By Tomas Reyes\n   \
            Updated 4 March 2030, 09:12\n   CLICK HERE FOR THE HARBOUR APP\n   \
            Tide     High    06:12\n   \
            © 2030 Harbour Post. Read our privacy policy.\n   \
            By the end of the week the quay will be open again to all ferries.\n";
        let lines = analyse(page);
        assert!(lines[0].aside && lines[1].aside && lines[2].aside && lines[3].aside);
        assert!(lines[4].table_row && lines[4].content());
        assert!(lines[5].legal && !lines[5].content());
        // A sentence that opens with "By" is not a byline.
        assert!(!lines[6].aside && lines[6].prose, "{}", lines[6].core);
    }
}
