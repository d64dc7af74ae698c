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
//! with the headline and date shown around them, or `None` when the
//! page holds no prose at all.
//!
//! How (a body-text-extraction scheme over lines instead of tokens and tags):
//! 1. every line gets a score ([`super::lines`] says what each line is): a prose line
//!    earns its word count (halved when it does not end like a sentence, a fifth of it
//!    when it stands alone between non-prose lines, as teasers do); any other line costs
//!    a little, a menu-like one more, and a section heading that ends stories ("Most
//!    read", "Related", "Comments") a lot; legal and subscription small print costs
//!    however long it is;
//! 2. the runs of earning lines are blocks; a gap between two blocks that costs more
//!    than [`WALL`] is a wall (boxes of other stories, footers), unless both blocks are
//!    solid prose and the gap is not huge (an inline "most read" box inside a story);
//! 3. the story is the stretch of lines with the highest total score that crosses no
//!    wall (the maximum-sum subarray);
//! 4. the stretch goes on past its last prose line while short lines that carry content
//!    (sentences, table rows) keep coming, at most [`CONTENT_GAP`] lines apart, and no
//!    section heading, menu, rule or menu-like list comes first: an article that ends in
//!    a list, a table or questions and answers keeps them;
//! 5. its repeated, caption, byline and link lines are dropped; the headline and the date
//!    are read from the lines around it ([`super::meta`]).

use time::Date;

use super::lines::{analyse, Line, BULLET, JUNK, MENU};
use super::meta;

/// Cost of a short, non-prose line; of one repeated elsewhere on the page; of a short
/// line with a menu word; of a heading that opens a section of other stories.
const SHORT: f64 = -4.0;
const REPEATED: f64 = -3.0;
const MENU_LINE: f64 = -6.0;
const SECTION_HEADING: f64 = -25.0;
/// Share of its words a prose line earns when it does not end like a sentence, and when
/// no prose line stands next to it (a teaser's blurb); share of its words a line of small
/// print costs.
const UNFINISHED: f64 = 0.5;
const ALONE: f64 = 0.2;
const SMALL_PRINT: f64 = -0.5;
/// A gap between blocks costing more than this is a wall the story does not cross ...
const WALL: f64 = 40.0;
/// ... unless the blocks on both sides hold this many prose lines and the gap costs
/// less than [`WIDE_WALL`].
const SOLID_BLOCK: usize = 3;
const WIDE_WALL: f64 = 120.0;
/// At most this many lines without content between two lines with content when the
/// story is followed past its last prose line.
const CONTENT_GAP: usize = 2;
/// A run of at least this many list items, none a sentence, of at most
/// [`MENU_ITEM_WORDS`] words on average, is a menu.
const MENU_ITEMS: usize = 3;
const MENU_ITEM_WORDS: usize = 3;

/// The article found in a page.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    /// The title-like line above the story, if there is one.
    pub headline: Option<String>,
    /// The date the page shows next to the headline or byline, if any.
    pub published: Option<Date>,
    /// The story's paragraphs, separated by blank lines.
    pub body: String,
}

/// Finds the article in `text`, or `None` if no line of it reads as prose.
pub(crate) fn find(text: &str) -> Option<Found> {
    let lines = analyse(text);
    let scores = score(&lines);
    let (start, end) = best_stretch(&lines, &scores)?;
    let end = follow_content(&lines, end);
    let body: Vec<&str> = lines[start..end]
        .iter()
        .filter(|l| l.kept())
        .map(|l| l.core)
        .collect();
    if body.is_empty() {
        return None;
    }
    Some(Found {
        headline: meta::headline(&lines, start),
        published: meta::date(&lines, start, end),
        body: body.join("\n\n"),
    })
}

/// Whether a (trimmed) line is plainly site furniture: a list item, a button, image or
/// form field, or a line with a menu word.
pub(crate) fn is_furniture(line: &str) -> bool {
    BULLET.is_match(line) || JUNK.is_match(line) || MENU.is_match(line)
}

/// Step 1: each line's score; blank lines score 0.
fn score(lines: &[Line]) -> Vec<f64> {
    let filled: Vec<usize> = (0..lines.len()).filter(|&i| !lines[i].blank).collect();
    let mut scores = vec![0.0; lines.len()];
    for (j, &i) in filled.iter().enumerate() {
        let line = &lines[i];
        scores[i] = if line.prose && line.legal {
            SMALL_PRINT * line.words as f64
        } else if line.prose {
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
        } else if line.section() {
            SECTION_HEADING
        } else if line.menu() {
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

/// Step 4: where the story ends when it is followed past `end`, its last prose line,
/// over short lines that carry content.
fn follow_content(lines: &[Line], end: usize) -> usize {
    let mut last = end;
    let mut gap = 0;
    for (i, line) in lines.iter().enumerate().skip(end) {
        if line.blank {
            continue;
        }
        if ends_story(lines, i) {
            break;
        }
        if line.content() {
            last = i + 1;
            gap = 0;
        } else {
            gap += 1;
            if gap > CONTENT_GAP {
                break;
            }
        }
    }
    last
}

/// Whether line `i` is where a story followed past its prose must stop: a section
/// heading, a menu line, a rule, small print, or the first item of a menu-like list.
fn ends_story(lines: &[Line], i: usize) -> bool {
    let line = &lines[i];
    if line.section() || line.menu() || line.core.starts_with("____") || (line.prose && line.legal)
    {
        return true;
    }
    if !line.bullet {
        return false;
    }
    let items: Vec<&Line> = lines[i..]
        .iter()
        .take_while(|l| l.blank || l.bullet)
        .filter(|l| !l.blank)
        .collect();
    let words: usize = items.iter().map(|l| l.words).sum();
    items.len() >= MENU_ITEMS
        && !items.iter().any(|l| l.ends_sentence)
        && words <= MENU_ITEM_WORDS * items.len()
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
    fn an_article_ending_in_a_table_keeps_it_up_to_the_next_section() {
        let mut page =
            String::from("   * Home\n   * Sport\n\nValley rowing regatta ends in a dead heat\n\n");
        for crew in ["Millbrook", "Eastford", "Harrow Cross"] {
            page.push_str(&format!(
                "   The {crew} crew rowed the last heat of the season on a flat river under a clear sky, the umpires said.\n\n"
            ));
        }
        page.push_str("Final times\n\n");
        page.push_str("   Crew           Heat    Time\n   Millbrook      1       6:41\n");
        page.push_str("   Eastford       1       6:41\n   Harrow Cross   2       6:55\n\n");
        page.push_str("   Ask the umpire\n\n   Q: Who decides a dead heat?\n\n   A: The finish judge alone.\n\n");
        page.push_str("Related stories\n\n   Boathouse roof mended in time for spring\n\n");
        page.push_str("   * Facebook\n   * Twitter\n   * Email\n");
        let found = find(&page).expect("a story");
        for kept in [
            "Millbrook      1       6:41",
            "Harrow Cross   2",
            "Final times",
            "A: The finish judge alone.",
        ] {
            assert!(
                found.body.contains(kept),
                "{kept:?} lost from {:?}",
                found.body
            );
        }
        for left in ["Related", "Boathouse", "Facebook", "Home"] {
            assert!(!found.body.contains(left), "{left:?} in {:?}", found.body);
        }
    }

    #[test]
    fn a_menu_list_ends_a_story_followed_past_its_prose() {
        let mut page = String::from("Ferry timetable changes for the winter season\n\n");
        for n in ["first", "second", "third"] {
            page.push_str(&format!(
                "   The {n} change moves the early sailing half an hour later to match the new train times.\n\n"
            ));
        }
        page.push_str("   Tickets bought before the change stay valid.\n\n");
        page.push_str("   * News\n   * Travel\n   * Weather\n\n   Tickets are sold at the quay office only.\n");
        let found = find(&page).expect("a story");
        assert!(found.body.ends_with("stay valid."), "{}", found.body);
        assert!(!found.body.contains("Travel"), "{}", found.body);
    }

    #[test]
    fn small_print_is_not_the_story() {
        let mut page = String::from("Lighthouse keeper retires after forty years\n\n");
        page.push_str("   Agnes Moor climbed the 112 steps of the lighthouse for the last time on Sunday morning.\n\n");
        page.push_str(
            "   She will stay in the keeper's cottage, which the trust has given her for life.\n\n",
        );
        page.push_str("Contact us\n\nAbout us\n\nJobs\n\n");
        for n in ["first", "second", "third"] {
            page.push_str(&format!("   {n}: © 2030 Coast Courier Ltd. Use of this site means you accept our terms of use and our use of cookies on every page you visit.\n\n"));
        }
        let found = find(&page).expect("a story");
        assert!(found.body.starts_with("Agnes Moor"), "{}", found.body);
        assert!(!found.body.contains("rights reserved"), "{}", found.body);
    }
}
