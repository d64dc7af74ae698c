//! Finding the article in a web page saved as text, by line-level evidence only.
//!
//! A page saved as text (a browser's "save as text", `lynx -dump`) holds the story among
//! the site's furniture: menus, sign-in and cookie notes, teasers of other stories,
//! captions, tag lists, footers. There is no markup left to tell them apart, but the
//! lines still do: the story is a run of long lines of prose that end like sentences,
//! close to each other; furniture is short, title-cased or link-like, often repeated
//! elsewhere on the page, and teasers are lone prose lines between short ones.
//!
//! In: the page text. Out: the story's paragraphs (one per line of the page, in order)
//! and a headline guessed from the title-like line just above them, or `None` when the
//! page holds no prose at all.
//!
//! How (a body-text-extraction scheme over lines instead of tokens and tags):
//! 1. every line gets a score: a prose line earns its word count (halved when it does
//!    not end like a sentence, a fifth of it when it stands alone between non-prose
//!    lines, as teasers do); any other line costs a little, a menu-like one more, and a
//!    section heading that ends stories ("Most read", "Related", "Comments") a lot;
//! 2. the runs of earning lines are blocks; a gap between two blocks that costs more
//!    than [`WALL`] is a wall (boxes of other stories, footers), unless both blocks are
//!    solid prose and the gap is not huge (an inline "most read" box inside a story);
//! 3. the story is the stretch of lines with the highest total score that crosses no
//!    wall (the maximum-sum subarray), without its repeated, caption and link lines.

use std::collections::HashMap;

use once_cell::sync::Lazy;
use regex::Regex;

use crate::formats::re;

/// Words a line needs to be prose when it ends like a sentence ...
const PROSE_WORDS: usize = 8;
/// ... and when it does not (a long line is prose anyway).
const LONG_WORDS: usize = 15;
/// Cost of a short, non-prose line; of one repeated elsewhere on the page; of a short
/// line with a menu word; of a heading that opens a section of other stories.
const SHORT: f64 = -4.0;
const REPEATED: f64 = -3.0;
const MENU_LINE: f64 = -6.0;
const SECTION_HEADING: f64 = -25.0;
/// Share of its words a prose line earns when it does not end like a sentence, and when
/// no prose line stands next to it (a teaser's blurb).
const UNFINISHED: f64 = 0.5;
const ALONE: f64 = 0.2;
/// A gap between blocks costing more than this is a wall the story does not cross ...
const WALL: f64 = 40.0;
/// ... unless the blocks on both sides hold this many prose lines and the gap costs
/// less than [`WIDE_WALL`].
const SOLID_BLOCK: usize = 3;
const WIDE_WALL: f64 = 120.0;
/// Characters of a line compared to find repeated lines.
const REPEAT_KEY_CHARS: usize = 60;
/// How far above the story a headline is looked for, in non-blank lines.
const HEADLINE_REACH: usize = 12;

/// List bullets as text dumps draw them: `* `, `+ `, `o `, `# `, `• `, `- `, `1. `.
static BULLET: Lazy<Regex> = Lazy::new(|| re(r"^\s*(?:[*+#o•·\-]|\d+\.)\s+"));

/// What a text dump leaves of images, buttons, form fields, frames and links.
static JUNK: Lazy<Regex> =
    Lazy::new(|| re(r"\[[^\]]*\]|\(BUTTON\)|_{4,}|https?://\S+|IFRAME:\s*\S+"));

/// Words of site furniture: sharing, accounts, consent, legal lines.
static MENU: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)\b(?:share|sign in|sign up|log in|subscribe|cookies?|newsletter|advertisement|read more|related|follow us|all rights reserved|copyright|privacy policy|terms of (?:use|service))\b",
    )
});

/// Headings of the sections that follow (or interrupt) a story.
static SECTION: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)^(?:most (?:read|popular|viewed|shared)|more (?:from|in|on|stories|news)|related\b|read (?:these|this) next|recommended|trending|you (?:may|might) (?:also )?like|comments?\b|join the conversation|share (?:this|your)|around the web|editor'?s picks|latest (?:news|stories)|top stories|what to read next|read more|sponsored)",
    )
});

/// Photo captions and credits.
static CAPTION: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)getty ?images|\bap photo|\bphoto:|\bcredit:|\.jpe?g\b|\.png\b|^in this (?:photo|image|file)",
    )
});

/// The article found in a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    /// The title-like line above the story, if there is one.
    pub headline: Option<String>,
    /// The story's paragraphs, separated by blank lines.
    pub body: String,
}

/// What one line of the page looks like.
struct Line<'a> {
    /// The line without surrounding blanks and list bullet.
    core: &'a str,
    blank: bool,
    bullet: bool,
    /// Words, not counting image names, buttons, form fields and links.
    words: usize,
    ends_sentence: bool,
    repeated: bool,
    caption: bool,
    prose: bool,
}

impl Line<'_> {
    /// Whether the line is kept in the story when it lies inside it: headings and short
    /// lines between paragraphs are, furniture (an "Advertisement", a share bar) is not.
    fn kept(&self) -> bool {
        !(self.blank
            || self.repeated
            || self.caption
            || (self.bullet && (self.words < 2 || MENU.is_match(self.core)))
            || (!self.prose && self.words < LONG_WORDS && MENU.is_match(self.core))
            || (!self.prose && self.words < PROSE_WORDS && SECTION.is_match(self.core))
            || JUNK.replace_all(self.core, "").trim().is_empty())
    }

    /// Whether the line could be the headline: a few words, not a sentence, not furniture.
    fn title_like(&self) -> bool {
        (4..=20).contains(&self.words)
            && !self.blank
            && !self.bullet
            && !self.caption
            && !self.core.ends_with('.')
            && !MENU.is_match(self.core)
            && !SECTION.is_match(self.core)
            && JUNK.find(self.core).is_none()
    }
}

/// Finds the article in `text`, or `None` if no line of it reads as prose.
pub(crate) fn find(text: &str) -> Option<Found> {
    let lines = analyse(text);
    let scores = score(&lines);
    let (start, end) = best_stretch(&lines, &scores)?;
    let body: Vec<&str> = lines[start..end]
        .iter()
        .filter(|l| l.kept())
        .map(|l| l.core)
        .collect();
    if body.is_empty() {
        return None;
    }
    // The headline: the longest title-like line among the few just above the story.
    let headline = lines[..start]
        .iter()
        .rev()
        .filter(|l| !l.blank)
        .take(HEADLINE_REACH)
        .filter(|l| l.title_like())
        .max_by_key(|l| l.words)
        .map(|l| l.core.to_string());
    Some(Found {
        headline,
        body: body.join("\n\n"),
    })
}

/// Whether a (trimmed) line is plainly site furniture: a list item, a button, image or
/// form field, or a line with a menu word.
pub(crate) fn is_furniture(line: &str) -> bool {
    BULLET.is_match(line) || JUNK.is_match(line) || MENU.is_match(line)
}

/// The key under which a line counts as the same as another: its first characters,
/// blanks collapsed, lower case.
fn repeat_key(line: &str) -> String {
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

fn count_words(s: &str) -> usize {
    let mut words = 0;
    let mut in_word = false;
    for c in s.chars() {
        let w = c.is_alphanumeric() || c == '_';
        if w && !in_word {
            words += 1;
        }
        in_word = w;
    }
    words
}

/// Whether `s` ends like a sentence: `.`, `!`, `?` or `:`, then perhaps closing quotes or
/// brackets; an ellipsis (a cut-off teaser) does not count.
fn ends_sentence(s: &str) -> bool {
    let s = s.trim_end_matches(['"', '\'', '”', '’', ')', ']']);
    if s.ends_with("...") {
        return false;
    }
    s.ends_with(['.', '!', '?', ':'])
}

fn analyse(text: &str) -> Vec<Line<'_>> {
    let mut seen: HashMap<String, u32> = HashMap::new();
    let raw: Vec<&str> = text.lines().collect();
    let keys: Vec<Option<String>> = raw
        .iter()
        .map(|l| (!l.trim().is_empty()).then(|| repeat_key(l)))
        .collect();
    for key in keys.iter().flatten() {
        *seen.entry(key.clone()).or_default() += 1;
    }
    raw.iter()
        .zip(&keys)
        .map(|(raw, key)| {
            let bullet = BULLET.find(raw);
            let core = raw[bullet.map_or(0, |m| m.end())..].trim();
            let words = count_words(&JUNK.replace_all(core, " "));
            let ends_sentence = ends_sentence(core);
            let repeated = key.as_ref().is_some_and(|k| seen[k] > 1);
            let caption = CAPTION.is_match(core);
            let blank = key.is_none();
            // Prose: long enough, not repeated, not a caption, not a short list item.
            let excluded = blank || repeated || caption || (bullet.is_some() && words < LONG_WORDS);
            let prose =
                !excluded && ((words >= PROSE_WORDS && ends_sentence) || words >= LONG_WORDS);
            Line {
                core,
                blank,
                bullet: bullet.is_some(),
                words,
                ends_sentence,
                repeated,
                caption,
                prose,
            }
        })
        .collect()
}

/// Step 1: each line's score; blank lines score 0.
fn score(lines: &[Line]) -> Vec<f64> {
    let filled: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].blank).collect();
    let mut scores = vec![0.0; lines.len()];
    for (j, &i) in filled.iter().enumerate() {
        let line = &lines[i];
        scores[i] = if line.prose {
            let mut s = line.words as f64;
            if !line.ends_sentence {
                s *= UNFINISHED;
            }
            let prose_before = j > 0 && lines[filled[j - 1]].prose;
            let prose_after = filled.get(j + 1).is_some_and(|&k| lines[k].prose);
            if !prose_before && !prose_after {
                s *= ALONE;
            }
            s
        } else if line.words < PROSE_WORDS && SECTION.is_match(line.core) {
            SECTION_HEADING
        } else if line.words < LONG_WORDS && MENU.is_match(line.core) {
            MENU_LINE
        } else if line.repeated {
            REPEATED
        } else {
            SHORT
        };
    }
    scores
}

/// Steps 2 and 3: the half-open range of lines holding the story.
fn best_stretch(lines: &[Line], scores: &[f64]) -> Option<(usize, usize)> {
    // Blocks: (first line, end, prose lines); gaps[j] is the cost between block j and j+1.
    let mut blocks: Vec<(usize, usize, usize)> = Vec::new();
    let mut gaps: Vec<f64> = Vec::new();
    let mut gap = 0.0;
    let mut open = false;
    for (i, line) in lines.iter().enumerate() {
        if line.blank {
            continue;
        }
        if scores[i] > 0.0 {
            if !open {
                if !blocks.is_empty() {
                    gaps.push(gap);
                }
                blocks.push((i, i + 1, 0));
                gap = 0.0;
                open = true;
            }
            if let Some(b) = blocks.last_mut() {
                b.1 = i + 1;
                b.2 += 1;
            }
        } else {
            open = false;
            gap += scores[i];
        }
    }
    // A wall starts where the block before it ends.
    let mut wall = vec![false; lines.len() + 1];
    for (j, &g) in gaps.iter().enumerate() {
        let (before, after) = (blocks[j], blocks[j + 1]);
        let solid = before.2 >= SOLID_BLOCK && after.2 >= SOLID_BLOCK;
        if g < -WALL && !(solid && g >= -WIDE_WALL) {
            wall[before.1] = true;
        }
    }
    // Maximum-sum stretch that crosses no wall.
    let mut best: Option<(f64, usize, usize)> = None;
    let (mut sum, mut from) = (0.0, 0);
    for (i, &s) in scores.iter().enumerate() {
        if wall[i] || sum <= 0.0 {
            sum = 0.0;
            from = i;
        }
        sum += s;
        if sum > 0.0 && best.is_none_or(|(b, _, _)| sum > b) {
            best = Some((sum, from, i + 1));
        }
    }
    best.map(|(_, from, to)| (from, to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_between_menus_is_the_story() {
        let page = "Home\nNews\nSport\nWeather\n\nRiver ferry returns after winter repairs\n\n\
            The ferry across the estuary carried its first passengers of the year on Saturday after a winter in dry dock.\n\n\
            Its owners replaced both engines and the passenger deck, and say the crossing is now ten minutes shorter.\n\n\
            Contact us\nPrivacy policy\nCookie settings\n";
        let found = find(page).expect("a story");
        assert_eq!(
            found.headline.as_deref(),
            Some("River ferry returns after winter repairs")
        );
        assert!(found.body.starts_with("The ferry across"), "{}", found.body);
        assert!(
            found.body.ends_with("ten minutes shorter."),
            "{}",
            found.body
        );
        assert_eq!(found.body.matches("\n\n").count(), 1);
    }

    #[test]
    fn teasers_after_a_section_heading_stay_out() {
        let mut page = String::from("Menu\nSearch\n\n");
        for day in ["Monday", "Tuesday", "Wednesday", "Thursday"] {
            page.push_str(&format!(
                "The council agreed on {day} to keep the swimming pool open through the winter months after a petition.\n\n"
            ));
        }
        page.push_str("Most read\n\n");
        for i in 0..6 {
            page.push_str(&format!(
                "Teaser headline number {i}\n   A short blurb about another story that the site would like you to read next, with many words in it.\n\n"
            ));
        }
        let found = find(&page).expect("a story");
        assert_eq!(
            found.body.matches("swimming pool").count(),
            4,
            "{}",
            found.body
        );
        assert!(!found.body.contains("Teaser"), "{}", found.body);
        assert!(!found.body.contains("blurb"), "{}", found.body);
    }

    #[test]
    fn a_page_without_prose_has_no_story() {
        assert_eq!(find("Home\nNews\n\n* Sport\n* Weather\n"), None);
        assert_eq!(find(""), None);
    }

    #[test]
    fn sentence_endings_and_word_counts() {
        assert!(ends_sentence("It rained all day."));
        assert!(ends_sentence("\"Never,\" she said.\u{201d}"));
        assert!(!ends_sentence("Read the rest of this story..."));
        assert!(!ends_sentence("Sign in"));
        assert_eq!(count_words("[img.png] Two words"), 4);
        assert_eq!(
            count_words(&JUNK.replace_all("[img.png] Two words", " ")),
            2
        );
        assert_eq!(repeat_key("  Share   THIS  "), "share this");
    }
}
