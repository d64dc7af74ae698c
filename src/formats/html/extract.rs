//! Finding the article body in a web page (boilerplate removal).
//!
//! In: a parsed page. Out: the article text, paragraphs separated by blank lines.
//! A readability-style scorer over the DOM: page furniture is dropped by tag (`nav`,
//! `aside`, `footer`, scripts, forms' controls) and by class/id hints (`comment`,
//! `share`, `related`, `sidebar`...); every paragraph scores by its length and commas
//! and passes the score to its ancestors; the best container, weighed by its link
//! density and class hints, is the article, joined by sibling blocks that look like
//! article text; inside it, blocks that look like boilerplate (link lists, image
//! galleries, widgets) are cleaned out. The page's JSON-LD `articleBody` is used when
//! the DOM yields much less text than it.
//!
//! The DOM is copied into a flat arena (`Dom`) and walked iteratively, so deeply
//! nested pages cannot overflow the stack.

use once_cell::sync::Lazy;
use regex::Regex;

use crate::formats::re;

use scraper::{Html, Node};

const NONE: usize = usize::MAX;

struct El {
    /// Lowercase tag name; empty for text nodes.
    tag: String,
    /// `class` and `id` (and `role`, `itemprop`), lowercased, for hints.
    hints: String,
    text: Option<String>,
    parent: usize,
    children: Vec<usize>,
    hidden: bool,
}

#[derive(Default, Clone, Copy)]
struct Stats {
    text: usize,
    links: usize,
    commas: usize,
    p: usize,
    img: usize,
    li: usize,
    input: usize,
    embeds: usize,
}

struct Dom {
    nodes: Vec<El>,
    skip: Vec<bool>,
    stats: Vec<Stats>,
}

static UNLIKELY: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)-ad-|\bads?\b|\bad-|advert|banner|breadcrumb|combx|comment|community|cover-wrap|disqus|extra|footer|gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|sponsor|supplemental|ad-break|agegate|pagination|\bpager\b|popup|yom-remote|share|sharing|newsletter|subscri|promo|outbrain|taboola|recommend|trending|popular|cookie|modal|signup|sign-up|navbar|\bnav\b|toolbar|\btags?\b|author-bio|byline|caption|credit|\bprint\b|skip|most-read|more-stories|read-more|readmore|jump-link|overlay|paywall|login|teaser",
    )
});
static STRONG_UNLIKELY: Lazy<Regex> = Lazy::new(|| {
    re(r"(?i)comment|disqus|replies|respond|related|recommend|outbrain|taboola|newsletter|cookie")
});
static MAYBE: Lazy<Regex> = Lazy::new(|| {
    re(r"(?i)\band\b|article|body|column|content|main|shadow|story|entry|post-?text|text")
});
static POSITIVE: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|prose|rich-?text",
    )
});
static NEGATIVE: Lazy<Regex> = Lazy::new(|| {
    re(
        r"(?i)-ad-|hidden|^hid$| hid$| hid |^hid |banner|combx|comment|com-|contact|foot|footer|footnote|gdpr|masthead|media|meta|outbrain|promo|related|scroll|share|shoutbox|sidebar|skyscraper|sponsor|shopping|tags|tool|widget|newsletter|subscri|recommend|byline|author|caption|credit|social",
    )
});

/// Tags whose whole subtree is never article text.
const JUNK_TAGS: &[&str] = &[
    "script",
    "style",
    "noscript",
    "iframe",
    "svg",
    "canvas",
    "button",
    "select",
    "input",
    "textarea",
    "nav",
    "aside",
    "footer",
    "header",
    "template",
    "object",
    "embed",
    "video",
    "audio",
    "figure",
    "figcaption",
    "menu",
    "dialog",
    "head",
    "title",
    "meta",
    "link",
    "label",
    "option",
    "picture",
    "math",
];

/// Tags that start a new block of text.
const BLOCK_TAGS: &[&str] = &[
    "p",
    "div",
    "section",
    "article",
    "main",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "pre",
    "form",
    "header",
    "footer",
    "aside",
    "nav",
    "figure",
    "dl",
    "dt",
    "dd",
    "hr",
    "br",
    "address",
    "center",
    "details",
    "summary",
    "fieldset",
    "tbody",
    "thead",
];

fn is_block(tag: &str) -> bool {
    BLOCK_TAGS.contains(&tag)
}

fn build(doc: &Html) -> Dom {
    let mut nodes: Vec<El> = Vec::new();
    let mut index = std::collections::HashMap::new();
    for node in doc.tree.root().descendants() {
        let parent = node
            .parent()
            .and_then(|p| index.get(&p.id()).copied())
            .unwrap_or(NONE);
        let el = match node.value() {
            Node::Document | Node::Fragment => El {
                tag: "#document".into(),
                hints: String::new(),
                text: None,
                parent,
                children: Vec::new(),
                hidden: false,
            },
            Node::Element(e) => {
                let mut hints = String::new();
                for key in ["class", "id", "role", "itemprop"] {
                    if let Some(v) = e.attr(key) {
                        hints.push_str(v);
                        hints.push(' ');
                    }
                }
                let style = e
                    .attr("style")
                    .unwrap_or("")
                    .to_ascii_lowercase()
                    .replace(' ', "");
                let hidden = e.attr("hidden").is_some()
                    || e.attr("aria-hidden") == Some("true")
                    || style.contains("display:none")
                    || style.contains("visibility:hidden");
                El {
                    tag: e.name().to_ascii_lowercase(),
                    hints: hints.trim().to_ascii_lowercase(),
                    text: None,
                    parent,
                    children: Vec::new(),
                    hidden,
                }
            }
            Node::Text(t) => El {
                tag: String::new(),
                hints: String::new(),
                text: Some(t.text.to_string()),
                parent,
                children: Vec::new(),
                hidden: false,
            },
            _ => continue,
        };
        let i = nodes.len();
        index.insert(node.id(), i);
        if parent != NONE {
            nodes[parent].children.push(i);
        }
        nodes.push(el);
    }
    let n = nodes.len();
    let mut dom = Dom {
        nodes,
        skip: vec![false; n],
        stats: vec![Stats::default(); n],
    };
    // First pass: only tags and hidden elements are dropped, to measure the page.
    for i in 0..n {
        let el = &dom.nodes[i];
        let inherited = el.parent != NONE && dom.skip[el.parent];
        dom.skip[i] = inherited
            || (!el.tag.is_empty() && (JUNK_TAGS.contains(&el.tag.as_str()) || el.hidden));
    }
    dom.compute_stats();
    let total = dom.stats.first().map_or(0, |s| s.text).max(1);
    // Second pass: class/id hints too, except on a block holding much of the page's
    // paragraph text (sites put `widget` or `pager` classes around whole articles).
    let raw = dom.stats.clone();
    for (i, raw) in raw.iter().enumerate() {
        let el = &dom.nodes[i];
        let inherited = el.parent != NONE && dom.skip[el.parent];
        let unlikely = !el.tag.is_empty()
            && !matches!(
                el.tag.as_str(),
                "body" | "html" | "article" | "main" | "#document" | "a"
            )
            && !el.hints.is_empty()
            && UNLIKELY.is_match(&el.hints)
            && !MAYBE.is_match(&el.hints);
        let rescued = unlikely
            && !STRONG_UNLIKELY.is_match(&el.hints)
            && raw.p >= 3
            && raw.text * 10 > total * 3;
        dom.skip[i] = inherited || dom.skip[i] || (unlikely && !rescued);
    }
    dom.compute_stats();
    dom
}

impl Dom {
    /// Text, link, comma and tag counts per node, over the nodes not skipped.
    fn compute_stats(&mut self) {
        let n = self.nodes.len();
        self.stats = vec![Stats::default(); n];
        // Reverse pre-order: children before parents.
        for i in (0..n).rev() {
            let el = &self.nodes[i];
            let mut s = self.stats[i];
            if let Some(t) = &el.text {
                let words: Vec<&str> = t.split_whitespace().collect();
                s.text = words.iter().map(|w| w.chars().count()).sum::<usize>()
                    + words.len().saturating_sub(1);
                s.commas = t.matches([',', '\u{ff0c}', '\u{3001}']).count();
            }
            match el.tag.as_str() {
                "a" => s.links = s.text,
                "p" => s.p += 1,
                "img" => s.img += 1,
                "li" => s.li += 1,
                "input" => s.input += 1,
                "embed" | "object" | "iframe" => s.embeds += 1,
                _ => {}
            }
            self.stats[i] = s;
            let parent = el.parent;
            if parent != NONE && !self.skip[i] {
                let p = &mut self.stats[parent];
                p.text += s.text;
                p.links += s.links;
                p.commas += s.commas;
                p.p += s.p;
                p.img += s.img;
                p.li += s.li;
                p.input += s.input;
                p.embeds += s.embeds;
            }
        }
    }

    fn link_density(&self, i: usize) -> f64 {
        let s = self.stats[i];
        if s.text == 0 {
            0.0
        } else {
            s.links as f64 / s.text as f64
        }
    }

    fn class_weight(&self, i: usize) -> f64 {
        let h = &self.nodes[i].hints;
        if h.is_empty() {
            return 0.0;
        }
        let mut w = 0.0;
        if NEGATIVE.is_match(h) {
            w -= 25.0;
        }
        if POSITIVE.is_match(h) {
            w += 25.0;
        }
        w
    }

    /// Whether a child starts a block (line breaks do not: text split by `<br>`s is
    /// one paragraph-like block, as on older pages).
    fn has_block_child(&self, i: usize) -> bool {
        self.nodes[i].children.iter().any(|&c| {
            let tag = self.nodes[c].tag.as_str();
            is_block(tag) && tag != "br" && tag != "hr" && !self.skip[c]
        })
    }

    /// Paragraph-like nodes: `p`, `pre`, `td`, and blocks holding only inline content.
    fn is_paragraph(&self, i: usize) -> bool {
        match self.nodes[i].tag.as_str() {
            "p" | "pre" | "td" | "blockquote" => true,
            "div" | "section" | "article" | "span" | "li" | "dd" | "font" | "center" => {
                !self.has_block_child(i)
                    && self.nodes[i]
                        .children
                        .iter()
                        .any(|&c| self.nodes[c].text.is_some())
            }
            _ => false,
        }
    }

    fn base_score(&self, i: usize) -> f64 {
        let tag_score = match self.nodes[i].tag.as_str() {
            "div" | "article" | "main" | "section" => 5.0,
            "pre" | "td" | "blockquote" => 3.0,
            "address" | "ol" | "ul" | "dl" | "dd" | "dt" | "li" | "form" => -3.0,
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "th" => -5.0,
            _ => 0.0,
        };
        tag_score + self.class_weight(i)
    }

    /// Whole text of a node (no cleaning), whitespace collapsed.
    fn plain_text(&self, i: usize) -> String {
        let mut out = String::new();
        let mut stack = vec![i];
        while let Some(n) = stack.pop() {
            if self.skip[n] && n != i {
                continue;
            }
            if let Some(t) = &self.nodes[n].text {
                out.push_str(t);
                out.push(' ');
            }
            stack.extend(self.nodes[n].children.iter().rev());
        }
        out.split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

/// The article body of `doc`. `ld_body` is the page's JSON-LD `articleBody`, if any;
/// `headline` is left out of the body when the page repeats it.
pub(super) fn article_body(doc: &Html, ld_body: Option<&str>, headline: Option<&str>) -> String {
    let dom = build(doc);
    let body = extract(&dom, headline);
    match ld_body.map(fragment_text) {
        Some(ld) if word_count(&ld) >= 150 && word_count(&body) * 10 < word_count(&ld) * 6 => ld,
        _ => body,
    }
}

fn word_count(s: &str) -> usize {
    s.split_whitespace().count()
}

/// Text of an HTML fragment (a JSON-LD `articleBody`, a feed item's content), or of
/// plain text with entities: paragraphs separated by blank lines, scripts and page
/// furniture left out.
pub(in crate::formats) fn fragment_text(s: &str) -> String {
    let text = if s.contains('<') && s.contains('>') {
        let frag = Html::parse_fragment(s);
        let dom = build(&frag);
        render(&dom, &[0], None, &vec![f64::NAN; dom.nodes.len()])
    } else {
        html_escape::decode_html_entities(s).into_owned()
    };
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn extract(dom: &Dom, headline: Option<&str>) -> String {
    let n = dom.nodes.len();
    let mut score = vec![f64::NAN; n];
    let mut candidates: Vec<usize> = Vec::new();
    for i in 0..n {
        if dom.skip[i] || !dom.is_paragraph(i) {
            continue;
        }
        let len = dom.stats[i].text;
        if len < 25 {
            continue;
        }
        let s = 1.0 + dom.stats[i].commas as f64 + (len / 100).min(3) as f64;
        let mut anc = dom.nodes[i].parent;
        let mut level = 0;
        while anc != NONE && level < 5 {
            if dom.nodes[anc].tag == "#document" {
                break;
            }
            if score[anc].is_nan() {
                score[anc] = dom.base_score(anc);
                candidates.push(anc);
            }
            let div = match level {
                0 => 1.0,
                1 => 2.0,
                l => (l * 3) as f64,
            };
            score[anc] += s / div;
            anc = dom.nodes[anc].parent;
            level += 1;
        }
    }
    let final_score = |i: usize| score[i] * (1.0 - dom.link_density(i));
    let top = candidates
        .iter()
        .copied()
        .filter(|&c| !dom.skip[c])
        .max_by(|&a, &b| final_score(a).total_cmp(&final_score(b)));
    let Some(mut top) = top else {
        // No paragraphs at all: the body's text.
        let body = (0..n).find(|&i| dom.nodes[i].tag == "body").unwrap_or(0);
        return render(dom, &[body], headline, &score);
    };
    let best = final_score(top);
    // A container whose only real content is the top candidate is the same block.
    loop {
        let p = dom.nodes[top].parent;
        if p == NONE || dom.nodes[p].tag == "body" || dom.nodes[p].tag == "#document" {
            break;
        }
        let siblings_text: usize = dom.nodes[p]
            .children
            .iter()
            .filter(|&&c| c != top && !dom.skip[c])
            .map(|&c| dom.stats[c].text)
            .sum();
        if siblings_text == 0 && !dom.skip[p] {
            top = p;
        } else {
            break;
        }
    }
    let top_score = best;
    let threshold = (top_score * 0.2).max(10.0);
    let parent = dom.nodes[top].parent;
    let mut parts: Vec<usize> = Vec::new();
    if parent == NONE {
        parts.push(top);
    } else {
        for &s in &dom.nodes[parent].children {
            if s == top {
                parts.push(s);
                continue;
            }
            if dom.skip[s] || dom.nodes[s].tag.is_empty() || dom.link_density(s) > 0.5 {
                continue;
            }
            let mut bonus = 0.0;
            if !dom.nodes[s].hints.is_empty() && dom.nodes[s].hints == dom.nodes[top].hints {
                bonus += top_score * 0.2;
            }
            let sc = if score[s].is_nan() {
                0.0
            } else {
                score[s] * (1.0 - dom.link_density(s))
            };
            let append = if sc + bonus >= threshold {
                true
            } else if dom.is_paragraph(s) || dom.nodes[s].tag == "p" {
                let len = dom.stats[s].text;
                let ld = dom.link_density(s);
                let text = dom.plain_text(s);
                (len > 80 && ld < 0.25)
                    || (len < 80
                        && len > 0
                        && ld == 0.0
                        && text.trim_end().ends_with(['.', '!', '?', '"', '\u{201d}']))
            } else {
                false
            };
            if append {
                parts.push(s);
            }
        }
    }
    render(dom, &parts, headline, &score)
}

/// Whether a block inside the article is boilerplate (readability's conditional clean).
fn clean_out(dom: &Dom, i: usize, score: &[f64]) -> bool {
    let tag = dom.nodes[i].tag.as_str();
    let s = dom.stats[i];
    let ld = dom.link_density(i);
    match tag {
        "h1" => true,
        // A publication date standing alone in the article block, not inside a sentence.
        "time" => {
            let parent = dom.nodes[i].parent;
            parent != NONE
                && matches!(
                    dom.nodes[parent].tag.as_str(),
                    "div" | "article" | "section" | "main" | "header" | "body"
                )
        }
        "p" => s.text > 0 && ld > 0.6,
        "div" | "section" | "ul" | "ol" | "table" | "form" | "dl" | "center" => {
            let weight = dom.class_weight(i);
            let sc = if score[i].is_nan() { 0.0 } else { score[i] };
            if weight + sc < 0.0 {
                return true;
            }
            if s.commas >= 10 {
                return false;
            }
            let p = s.p as f64;
            let img = s.img as f64;
            let li = s.li as f64 - 100.0;
            let is_list = matches!(tag, "ul" | "ol");
            (img > 1.0 && p / img < 0.5 && s.text < 200)
                || (!is_list && li > p)
                || (s.input as f64 > (p / 3.0).floor())
                || (s.text < 25 && (s.img == 0 || s.img > 2) && !is_list)
                || (weight < 25.0 && ld > 0.2 && s.text < 1000 * (1 + s.p) && (is_list || s.p < 3))
                || (weight >= 25.0 && ld > 0.5)
                || ((s.embeds == 1 && s.text < 75) || s.embeds > 1)
        }
        _ => false,
    }
}

/// Text of `roots`, blocks on lines of their own, paragraphs separated by blank lines.
fn render(dom: &Dom, roots: &[usize], headline: Option<&str>, score: &[f64]) -> String {
    enum Step {
        Enter(usize),
        Exit(usize),
    }
    let mut out = String::new();
    for &root in roots {
        let mut stack = vec![Step::Enter(root)];
        while let Some(step) = stack.pop() {
            match step {
                Step::Enter(i) => {
                    let el = &dom.nodes[i];
                    if let Some(t) = &el.text {
                        let inside_pre = el.parent != NONE && dom.nodes[el.parent].tag == "pre";
                        if inside_pre {
                            out.push_str(t);
                        } else {
                            if t.starts_with(char::is_whitespace) {
                                out.push(' ');
                            }
                            out.push_str(&t.split_whitespace().collect::<Vec<_>>().join(" "));
                            if t.ends_with(char::is_whitespace) {
                                out.push(' ');
                            }
                        }
                        continue;
                    }
                    if i != root && (dom.skip[i] || clean_out(dom, i, score)) {
                        continue;
                    }
                    if dom.skip[i] && i == root && dom.nodes[i].tag != "#document" {
                        continue;
                    }
                    if let (Some(h), true) =
                        (headline, el.tag.starts_with('h') && el.tag.len() == 2)
                    {
                        if dom.plain_text(i) == h {
                            continue;
                        }
                    }
                    let block = is_block(&el.tag);
                    if block {
                        out.push('\n');
                    } else if el.tag == "td" || el.tag == "th" {
                        out.push(' ');
                    }
                    stack.push(Step::Exit(i));
                    for &c in el.children.iter().rev() {
                        stack.push(Step::Enter(c));
                    }
                }
                Step::Exit(i) => {
                    if is_block(&dom.nodes[i].tag) {
                        out.push('\n');
                    }
                }
            }
        }
        out.push('\n');
    }
    out.lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deeply_nested_page_does_not_overflow() {
        let mut page = String::from("<html><body>");
        for _ in 0..20_000 {
            page.push_str("<div>");
        }
        page.push_str(
            "<p>Deep text, with commas, that is long enough to count as a paragraph.</p>",
        );
        let doc = Html::parse_document(&page);
        let body = article_body(&doc, None, None);
        assert!(body.contains("Deep text"));
    }

    #[test]
    fn text_split_by_line_breaks_counts_as_paragraphs() {
        let page = "<html><body><div class=\"nav\"><a href=\"/\">Home</a></div><div id=\"story\">First part of an old-style story, with commas, and enough words to count.<br><br>Second part of the story, also long enough, with commas, to count as text.<br><br>Third part, the end.</div><div class=\"footer\">Contact us</div></body></html>";
        let body = article_body(&Html::parse_document(page), None, None);
        assert!(body.starts_with("First part"), "{body}");
        assert!(
            body.contains("Second part") && body.contains("Third part"),
            "{body}"
        );
        assert!(
            !body.contains("Home") && !body.contains("Contact"),
            "{body}"
        );
    }

    #[test]
    fn link_lists_and_comments_are_left_out() {
        let page = "<html><body><div id=\"content\"><p>First paragraph of the story, long enough, with a comma, to score well here.</p><ul><li><a href=\"/1\">Other story one</a></li><li><a href=\"/2\">Other story two</a></li></ul><p>Second paragraph of the story, also long enough, with a comma, to score.</p></div><div class=\"comments\"><p>I disagree with this article, strongly, and at length, for many reasons.</p></div></body></html>";
        let body = article_body(&Html::parse_document(page), None, None);
        assert!(body.starts_with("First paragraph"), "{body}");
        assert!(body.contains("Second paragraph"));
        assert!(!body.contains("Other story"));
        assert!(!body.contains("disagree"));
    }
}

#[cfg(test)]
mod debug {
    use super::*;

    /// Prints the ancestors of the text node holding `NEWSWIRE_SNIPPET` in the page
    /// `NEWSWIRE_PAGE` (a `.html.gz`), with skip flags, hints and stats: for tuning.
    #[test]
    #[ignore]
    fn explain_snippet() {
        use std::io::Read;
        let (Some(page), Some(snippet)) = (
            std::env::var_os("NEWSWIRE_PAGE"),
            std::env::var("NEWSWIRE_SNIPPET").ok(),
        ) else {
            println!("skipped: set NEWSWIRE_PAGE and NEWSWIRE_SNIPPET");
            return;
        };
        let bytes = std::fs::read(page).expect("page");
        let mut text = String::new();
        flate2::read::MultiGzDecoder::new(&bytes[..])
            .read_to_string(&mut text)
            .expect("gzip utf-8");
        let doc = Html::parse_document(&text);
        let dom = build(&doc);
        let Some(mut i) = (0..dom.nodes.len()).find(|&i| {
            !dom.skip[i]
                && dom.nodes[i]
                    .text
                    .as_deref()
                    .is_some_and(|t| t.contains(&snippet))
        }) else {
            println!("snippet not found");
            return;
        };
        while i != NONE {
            let e = &dom.nodes[i];
            let s = dom.stats[i];
            println!(
                "{:>6} {:<10} skip={} text={} p={} ld={:.2} w={} hints={:?}",
                i,
                e.tag,
                dom.skip[i],
                s.text,
                s.p,
                dom.link_density(i),
                dom.class_weight(i),
                e.hints.chars().take(80).collect::<String>()
            );
            i = e.parent;
        }
    }
}
