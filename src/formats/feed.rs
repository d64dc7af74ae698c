//! News feeds: RSS 2.0 (and 0.9x), RSS 1.0 (RDF) and Atom.
//!
//! In: one feed file (whole; [`xml`] walks it). Out: one article per item or entry:
//! `title` the headline; `content:encoded` or Atom `content`, else `description` or
//! `summary`, the body (HTML turned into text by the HTML format's code); `pubDate`,
//! `published`, `dc:date` or `updated` the date; `link` the URL; `author`,
//! `dc:creator` or Atom `author/name` the byline; `category` (Atom `term`) the topics;
//! the item's `source`, else the channel's title, the source. The article id is the
//! item's `guid` or Atom `id` (else its link), so the same item read again from the
//! next copy of the feed is the same article; a bare `guid` that is only unique inside
//! its feed (`12345`) is prefixed with the feed's link.
//!
//! Damage is reported, never fatal: a date not understood is a warning and the item
//! stays undated; a file cut short keeps the items before the cut, and the cut is
//! reported with the item it fell in and its line.

use std::path::Path;

use super::dateline;
use super::{Cursor, Format, ParseError};
use crate::article::{Article, DateOrigin};

mod date;
mod xml;

use xml::{Field, Item};

pub(crate) struct Feed;

/// Item fields holding the date, best first.
const DATES: &[&str] = &[
    "pubDate",
    "published",
    "dc:date",
    "issued",
    "dc:issued",
    "dc:created",
    "created",
    "updated",
    "modified",
    "dc:modified",
];

impl Format for Feed {
    fn name(&self) -> &'static str {
        "feed"
    }

    fn detect(&self, head: &str, _path: &Path) -> u8 {
        let Some(root) = root_element(head) else {
            return 0;
        };
        let probe = &head[..dateline::floor_char(head, head.len().min(8192))];
        let local = root.rsplit(':').next().unwrap_or("");
        match local {
            "rss" => 97,
            "feed" if probe.contains("<entry") || probe.contains("/Atom") => 97,
            "RDF" if probe.contains("purl.org/rss/") || probe.contains("<item") => 97,
            "feed" | "RDF" => 40,
            _ => 0,
        }
    }

    fn parse(
        &self,
        text: &str,
        cursor: &mut Cursor,
        sink: &mut dyn FnMut(Result<Article, ParseError>),
    ) -> Result<(), ParseError> {
        let feed = xml::read(text, cursor.line);
        let channel = Channel::of(&feed.fields);
        if feed.items.is_empty() && feed.damage.is_empty() {
            let title = channel
                .title
                .as_deref()
                .map(|t| format!(" {t:?}"))
                .unwrap_or_default();
            return Err(ParseError::Skipped(format!("feed{title} holds no items")));
        }
        let mut damage = feed.damage.into_iter().peekable();
        let kept = feed.items.len();
        for item in feed.items {
            // Damage before this item is reported in file order.
            while let Some(d) = damage.next_if(|d| d.line < item.line) {
                sink(Err(damage_report(d, cursor, kept)));
            }
            cursor.position = item.number;
            let at = format!("item {} (line {})", item.number, item.line);
            match to_article(&item, &channel, cursor) {
                Ok((art, warning)) => {
                    sink(Ok(art));
                    if let Some(w) = warning {
                        sink(Err(cursor.warning(&at, w)));
                    }
                }
                Err(reason) => sink(Err(cursor.error(&at, reason))),
            }
        }
        for d in damage {
            sink(Err(damage_report(d, cursor, kept)));
        }
        Ok(())
    }
}

/// The damage as the file's reader sees it: an item lost is an article error, other
/// damage a warning.
fn damage_report(d: xml::Damage, cursor: &Cursor, kept: usize) -> ParseError {
    let at = match d.item {
        Some((number, line)) => format!("item {number} (line {line})"),
        None => format!("line {}", d.line),
    };
    let (items, verb) = match kept {
        0 => ("no item".to_string(), "is"),
        1 => ("the 1 item".to_string(), "is"),
        n => (format!("the {n} items"), "are"),
    };
    if d.lost {
        let reason = format!(
            "{}; this item is skipped, {items} before it {verb} kept",
            d.what
        );
        cursor.error(&at, reason)
    } else if d.item.is_some() {
        cursor.warning(&at, d.what)
    } else {
        cursor.warning(&at, format!("{}; {items} read {verb} kept", d.what))
    }
}

/// The first element name after the prolog (declaration, comments, doctype).
fn root_element(head: &str) -> Option<&str> {
    let mut t = head.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    loop {
        if let Some(rest) = t.strip_prefix("<?") {
            t = &rest[rest.find("?>")? + 2..];
        } else if let Some(rest) = t.strip_prefix("<!--") {
            t = &rest[rest.find("-->")? + 3..];
        } else if t.starts_with("<!") {
            // A doctype, perhaps with an internal subset.
            let close = match (t.find('['), t.find('>')) {
                (Some(b), Some(g)) if b < g => t.find("]>")? + 2,
                (_, Some(g)) => g + 1,
                _ => return None,
            };
            t = &t[close..];
        } else {
            break;
        }
        t = t.trim_start();
    }
    let name = t.strip_prefix('<')?;
    let end = name
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(name.len());
    Some(&name[..end]).filter(|n| !n.is_empty())
}

/// What the channel says about itself.
struct Channel {
    title: Option<String>,
    /// Its link (RSS `link`, Atom `link` or `id`), to qualify ids only unique in it.
    key: Option<String>,
}

impl Channel {
    fn of(fields: &[Field]) -> Channel {
        let title = first(fields, &["title"])
            .map(plain)
            .filter(|t| !t.is_empty());
        let key = link(fields)
            .or_else(|| first(fields, &["id"]).map(|f| f.content().trim().to_string()))
            .filter(|k| !k.is_empty())
            .or_else(|| title.clone());
        Channel { title, key }
    }
}

/// The first field named by `keys`, in the order of `keys`, with content or attributes.
fn first<'a>(fields: &'a [Field], keys: &[&str]) -> Option<&'a Field> {
    keys.iter().find_map(|k| {
        fields.iter().find(|f| {
            f.key.eq_ignore_ascii_case(k) && (!f.markup.trim().is_empty() || !f.attrs.is_empty())
        })
    })
}

/// Every field named `key`.
fn all<'a>(fields: &'a [Field], key: &'a str) -> impl Iterator<Item = &'a Field> + 'a {
    fields
        .iter()
        .filter(move |f| f.key.eq_ignore_ascii_case(key))
}

/// A field as one line of text: markup and entities (also doubly escaped ones) gone.
fn plain(f: &Field) -> String {
    let content = f.content();
    let text = if f.elements || content.contains(['<', '&']) {
        super::html::fragment_text(&content)
    } else {
        content
    };
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The link of an item or channel: RSS `<link>text</link>`, or the Atom
/// `<link rel="alternate" href>` (a link without `rel` is the alternate).
fn link(fields: &[Field]) -> Option<String> {
    all(fields, "link").find_map(|f| match f.attr("href") {
        Some(href) => matches!(f.attr("rel"), None | Some("alternate"))
            .then(|| href.trim().to_string())
            .filter(|h| !h.is_empty()),
        None => Some(f.content().trim().to_string()).filter(|l| !l.is_empty() && !f.elements),
    })
}

/// The body: full content first, then the summary. Atom content given only by
/// reference (`src`) or in a non-text type is passed over.
fn body(fields: &[Field]) -> String {
    let is_text = |f: &&Field| {
        f.attr("src").is_none()
            && f.attr("type").is_none_or(|t| {
                let t = t.to_ascii_lowercase();
                !t.contains('/')
                    || t.starts_with("text/")
                    || t.contains("html")
                    || t.contains("xml")
            })
    };
    [
        "content:encoded",
        "content",
        "description",
        "summary",
        "dc:description",
    ]
    .iter()
    .flat_map(|k| all(fields, k).filter(is_text))
    .map(|f| super::html::fragment_text(&f.content()))
    .find(|b| !b.trim().is_empty())
    .unwrap_or_default()
}

/// Authors: Atom `author/name`, RSS `author` (`jane@example.org (Jane Doe)`), or
/// `dc:creator`, joined by commas.
fn byline(fields: &[Field]) -> Option<String> {
    let atom: Vec<String> = all(fields, "author/name").map(plain).collect();
    let rss: Vec<String> = all(fields, "author")
        .filter(|f| !f.elements)
        .map(|f| {
            let t = plain(f);
            match (t.find('('), t.rfind(')')) {
                (Some(a), Some(b)) if a < b && t[..a].contains('@') => t[a + 1..b].trim().into(),
                _ => t,
            }
        })
        .collect();
    let dc: Vec<String> = all(fields, "dc:creator").map(plain).collect();
    let mut names: Vec<String> = Vec::new();
    for name in [atom, rss, dc]
        .into_iter()
        .find(|v| v.iter().any(|n| !n.is_empty()))?
    {
        let name = ["By ", "by ", "BY "]
            .iter()
            .find_map(|p| name.strip_prefix(p))
            .unwrap_or(&name)
            .trim()
            .to_string();
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    Some(names.join(", ")).filter(|n| !n.is_empty())
}

/// Categories: RSS `category` text, Atom `term` (or `label`), `dc:subject`.
fn topics(fields: &[Field]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for f in all(fields, "category").chain(all(fields, "dc:subject")) {
        let t = match f.attr("term").or_else(|| f.attr("label")) {
            Some(term) => term.split_whitespace().collect::<Vec<_>>().join(" "),
            None => plain(f),
        };
        if !t.is_empty() && !out.contains(&t) {
            out.push(t);
        }
    }
    out
}

/// The article id: `guid`, Atom `id`, RSS 1.0 `rdf:about`, else the link.
fn item_id(item: &Item, url: Option<&str>, channel: &Channel) -> Option<String> {
    let given = first(&item.fields, &["guid", "id"])
        .filter(|f| !f.elements)
        .map(|f| f.content().trim().to_string())
        .or_else(|| xml::attr_of(&item.attrs, "rdf:about").map(|a| a.trim().to_string()))
        .filter(|g| !g.is_empty());
    match given {
        Some(g) if is_global(&g) => Some(g),
        Some(g) => Some(match &channel.key {
            Some(k) => format!("{k}#{g}"),
            None => g,
        }),
        None => url.map(str::to_string),
    }
}

/// Whether an id names itself uniquely (a URL, `urn:`, `tag:` URI).
fn is_global(id: &str) -> bool {
    id.contains("://") || id.starts_with("urn:") || id.starts_with("tag:")
}

/// One item as an article, with a warning when something in it was not understood.
fn to_article(
    item: &Item,
    channel: &Channel,
    cursor: &Cursor,
) -> Result<(Article, Option<String>), String> {
    let fields = &item.fields;
    let position = item.number - 1;
    let url = link(fields).or_else(|| {
        first(fields, &["guid"])
            .filter(|g| g.attr("isPermaLink") != Some("false"))
            .map(|g| g.content().trim().to_string())
            .filter(|g| g.starts_with("http://") || g.starts_with("https://"))
    });
    let id = item_id(item, url.as_deref(), channel)
        .unwrap_or_else(|| format!("{}#{position}", cursor.id_base));
    let mut art = cursor.article("feed", id, Some(position));
    art.headline = first(fields, &["title", "dc:title"])
        .map(plain)
        .filter(|t| !t.is_empty());
    art.body = body(fields);
    if art.headline.is_none() && art.body.is_empty() {
        return Err("item without a title or any text".into());
    }
    let mut warning = None;
    let written: Vec<String> = DATES
        .iter()
        .filter_map(|k| first(fields, &[k]))
        .map(plain)
        .filter(|d| !d.is_empty())
        .collect();
    match written.iter().find_map(|d| date::parse(d)) {
        Some(d) => {
            art.published = Some(d);
            art.published_from = Some(DateOrigin::Text);
        }
        None => {
            if let Some(d) = cursor.path_date {
                art.published = Some(d);
                art.published_from = Some(DateOrigin::Path);
            }
            if let Some(bad) = written.first() {
                let bad: String = bad.chars().take(60).collect();
                let kept = match art.published {
                    Some(_) => "kept with the date in its path",
                    None => "kept undated",
                };
                warning = Some(format!("date {bad:?} not understood; the item is {kept}"));
            }
        }
    }
    art.url = url;
    art.byline = byline(fields);
    art.topic = topics(fields);
    art.category = cursor.folder_category.clone();
    art.source = ["source", "source/title"]
        .iter()
        .find_map(|k| all(fields, k).find(|f| !f.elements))
        .map(plain)
        .filter(|s| !s.is_empty())
        .or_else(|| channel.title.clone());
    if let Some(mut found) = dateline::find(&art.body) {
        found.resolve_date(art.published);
        art.dateline = Some(found.dateline);
    }
    Ok((art, warning))
}

#[cfg(test)]
mod tests;
