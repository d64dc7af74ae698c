//! The XML walk under the feed format: from a feed's text to its items' raw fields.
//!
//! In: the whole decoded feed. Out: a [`Feed`]: the fields directly under the channel
//! (or Atom `feed`), every item's (or entry's) fields as XML markup, and the damage met
//! on the way. Element names are reduced to what they mean, whatever prefix a feed
//! binds (`title`, `dc:creator`, `content:encoded`); a prefix no namespace declares is
//! kept as written, so `dc:creator` still reads without its `xmlns:dc`. The walk is
//! lenient where feeds are broken: entities XML does not declare (`&nbsp;`) are kept for
//! the HTML decoding, a stray `&` is text, a closing tag closes whatever it left open,
//! and after malformed markup reading goes on past it. Input that ends early ends the
//! walk: the items read before are kept and the open one is reported.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::NsReader;

/// Elements deeper than this are read as text only (a guard against nesting bombs).
const MAX_DEPTH: usize = 256;
/// Malformed spots read past before the rest of the file is given up.
const MAX_DAMAGE: usize = 100;

/// One element read under an item, or directly under the channel.
#[derive(Debug, Default, Clone)]
pub(super) struct Field {
    /// What the element is: its local name, with `dc:`, `content:` or `rdf:` for those
    /// modules and the written prefix for other namespaces; `parent/child` for an
    /// element inside one of the item's own (`author/name`).
    pub key: String,
    /// Attributes as written (`href`, `rdf:about`), entities decoded.
    pub attrs: Vec<(String, String)>,
    /// The content as XML markup: text still escaped, CDATA escaped, child elements
    /// written back as tags.
    pub markup: String,
    /// Whether the content holds child elements (Atom `type="xhtml"`, `author`).
    pub elements: bool,
}

impl Field {
    /// The attribute `name` (`href`, `rdf:about`); an unprefixed name also matches a
    /// prefixed attribute of that local name.
    pub fn attr(&self, name: &str) -> Option<&str> {
        attr_of(&self.attrs, name)
    }

    /// The content with XML's escaping undone: plain text or HTML (feeds escape HTML
    /// or wrap it in CDATA); for content with child elements, the markup itself.
    pub fn content(&self) -> String {
        if self.elements {
            self.markup.clone()
        } else {
            html_escape::decode_html_entities(&self.markup).into_owned()
        }
    }
}

pub(super) fn attr_of<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name || (!name.contains(':') && k.rsplit(':').next() == Some(name)))
        .map(|(_, v)| v.as_str())
}

/// One item (RSS) or entry (Atom), complete.
#[derive(Debug, Default)]
pub(super) struct Item {
    /// 1-based number in the file, counting damaged items too.
    pub number: u64,
    /// Line of its start tag.
    pub line: u64,
    /// The item element's own attributes (RSS 1.0 `rdf:about`).
    pub attrs: Vec<(String, String)>,
    pub fields: Vec<Field>,
}

/// Something wrong in the file, where it is, and the item it fell in (if any).
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Damage {
    pub line: u64,
    /// The item (number, line of its start) the damage is in.
    pub item: Option<(u64, u64)>,
    /// Whether that item was lost (the file ends inside it); otherwise it was read on.
    pub lost: bool,
    pub what: String,
}

/// What the walk found.
#[derive(Debug, Default)]
pub(super) struct Feed {
    /// Local name of the root element (`rss`, `feed`, `RDF`).
    pub root: Option<String>,
    /// Fields directly under `channel` or Atom `feed`.
    pub fields: Vec<Field>,
    pub items: Vec<Item>,
    pub damage: Vec<Damage>,
}

struct Frame {
    /// Name as written, to match the closing tag.
    qname: String,
    key: String,
    /// The start tag's inside (`a href="x"`), kept to write it back into a parent.
    raw: String,
    attrs: Vec<(String, String)>,
    markup: String,
    elements: bool,
    /// Whether the element's content is gathered (item fields and what is inside them,
    /// channel fields).
    collect: bool,
}

/// Line numbers of byte offsets, counted forward.
struct Lines<'a> {
    text: &'a str,
    offset: usize,
    line: u64,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> u64 {
        let offset = super::super::dateline::floor_char(self.text, offset.min(self.text.len()));
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        self.line +=
            memchr::memchr_iter(b'\n', &self.text.as_bytes()[self.offset..offset]).count() as u64;
        self.offset = offset;
        self.line
    }
}

/// The item being read.
struct OpenItem {
    /// Its index in the stack.
    depth: usize,
    number: u64,
    line: u64,
    fields: Vec<Field>,
}

struct Walk<'a> {
    feed: Feed,
    stack: Vec<Frame>,
    item: Option<OpenItem>,
    items_seen: u64,
    lines: Lines<'a>,
}

/// Reads the feed in `text`; line numbers start at `first_line`.
pub(super) fn read(text: &str, first_line: u64) -> Feed {
    let mut walk = Walk {
        feed: Feed::default(),
        stack: Vec::new(),
        item: None,
        items_seen: 0,
        lines: Lines {
            text,
            offset: 0,
            line: first_line,
        },
    };
    // A fresh reader after each malformed spot, from just past it.
    let mut from = 0usize;
    loop {
        let mut reader = NsReader::from_str(&text[from..]);
        let config = reader.config_mut();
        config.check_end_names = false;
        config.allow_unmatched_ends = true;
        config.allow_dangling_amp = true;
        let broken = loop {
            let pos = from + reader.buffer_position() as usize;
            match reader.read_resolved_event() {
                Ok((_, Event::Eof)) => break None,
                Ok((ns, event)) => {
                    let key = match &event {
                        Event::Start(e) | Event::Empty(e) => canonical(&ns, e.name().as_ref()),
                        _ => String::new(),
                    };
                    walk.event(event, key, pos);
                }
                Err(e) => {
                    let at = from + reader.error_position() as usize;
                    break Some((at, e));
                }
            }
        };
        let Some((at, error)) = broken else {
            walk.eof();
            break;
        };
        let line = walk.lines.at(at);
        let truncated = matches!(error, quick_xml::Error::Syntax(_));
        if truncated {
            walk.eof_at(line, &format!("the XML breaks off ({error})"));
            break;
        }
        if walk.feed.damage.len() >= MAX_DAMAGE {
            walk.eof_at(line, "too much malformed XML, reading stopped");
            break;
        }
        // Read on from past the malformed markup (a `>` is one byte: a char boundary).
        let at = super::super::dateline::floor_char(text, at.max(from));
        let next = text[at..].find('>').map_or(text.len(), |i| at + i + 1);
        let item = walk.item.as_ref().map(|i| (i.number, i.line));
        walk.feed.damage.push(Damage {
            line,
            item,
            lost: false,
            what: format!("malformed XML at line {line} ({error}), read on after it"),
        });
        if next >= text.len() {
            walk.eof();
            break;
        }
        from = next;
    }
    walk.feed
}

impl Walk<'_> {
    fn event(&mut self, event: Event, key: String, start: usize) {
        let collecting = self.stack.last().is_some_and(|f| f.collect);
        match event {
            Event::Start(e) => {
                self.open(&e, key, start);
            }
            Event::Empty(e) => {
                let kept = self.open(&e, key, start);
                if kept {
                    self.close_top(true);
                }
            }
            Event::End(e) => {
                let name = e.name();
                let name = name.as_ref();
                if let Some(i) = self.stack.iter().rposition(|f| f.qname == name) {
                    while self.stack.len() > i {
                        self.close_top(false);
                    }
                }
            }
            Event::Text(t) if collecting => push_top(&mut self.stack, &t),
            Event::CData(t) if collecting => {
                let escaped = html_escape::encode_text(&*t).into_owned();
                push_top(&mut self.stack, &escaped);
            }
            Event::GeneralRef(r) if collecting => {
                push_top(&mut self.stack, &format!("&{};", &*r));
            }
            _ => {}
        }
    }

    /// Opens an element; `false` when it is too deep to be kept.
    fn open(&mut self, e: &BytesStart, key: String, start: usize) -> bool {
        if self.stack.is_empty() && self.feed.root.is_none() {
            self.feed.root = Some(key.rsplit(':').next().unwrap_or("").to_string());
        }
        let parent_collects = self.stack.last().is_some_and(|f| f.collect);
        if self.stack.len() >= MAX_DEPTH {
            return false;
        }
        let is_item = self.item.is_none() && matches!(key.as_str(), "item" | "entry");
        let under_channel = self.item.is_none()
            && self
                .stack
                .last()
                .is_some_and(|f| matches!(f.key.as_str(), "channel" | "feed"));
        let in_item = self.item.is_some();
        let collect = !is_item && (parent_collects || in_item || under_channel);
        let attrs = if collect || is_item {
            e.attributes()
                .with_checks(false)
                .flatten()
                .map(|a| {
                    (
                        a.key.as_ref().to_string(),
                        html_escape::decode_html_entities(&a.value).into_owned(),
                    )
                })
                .collect()
        } else {
            Vec::new()
        };
        if is_item {
            self.items_seen += 1;
            let line = self.lines.at(start);
            self.item = Some(OpenItem {
                depth: self.stack.len(),
                number: self.items_seen,
                line,
                fields: Vec::new(),
            });
        }
        self.stack.push(Frame {
            qname: e.name().as_ref().to_string(),
            key,
            raw: if parent_collects {
                e.to_string()
            } else {
                String::new()
            },
            attrs,
            markup: String::new(),
            elements: false,
            collect,
        });
        true
    }

    fn close_top(&mut self, empty: bool) {
        let Some(frame) = self.stack.pop() else {
            return;
        };
        let depth = self.stack.len();
        if let Some(item) = self.item.take_if(|i| i.depth == depth) {
            self.feed.items.push(Item {
                number: item.number,
                line: item.line,
                attrs: frame.attrs,
                fields: item.fields,
            });
            return;
        }
        if let Some(parent) = self.stack.last_mut() {
            if parent.collect {
                parent.elements = true;
                parent.markup.push('<');
                parent.markup.push_str(&frame.raw);
                if empty {
                    parent.markup.push_str("/>");
                } else {
                    parent.markup.push('>');
                    parent.markup.push_str(&frame.markup);
                    parent.markup.push_str("</");
                    parent.markup.push_str(&frame.qname);
                    parent.markup.push('>');
                }
            }
        }
        let field = |key: String| Field {
            key,
            attrs: frame.attrs.clone(),
            markup: frame.markup.clone(),
            elements: frame.elements,
        };
        let parent_key = self.stack.last().map(|p| p.key.as_str()).unwrap_or("");
        match &mut self.item {
            Some(item) if depth == item.depth + 1 => item.fields.push(field(frame.key.clone())),
            Some(item) if depth == item.depth + 2 => {
                item.fields
                    .push(field(format!("{parent_key}/{}", frame.key)));
            }
            None if self
                .stack
                .last()
                .is_some_and(|p| matches!(p.key.as_str(), "channel" | "feed")) =>
            {
                self.feed.fields.push(field(frame.key.clone()));
            }
            _ => {}
        }
    }

    fn eof(&mut self) {
        let line = self.lines.at(self.lines.text.len());
        if !self.stack.is_empty() {
            self.eof_at(line, "the file ends");
        }
    }

    /// The input ends at `line` (`why` says how) with elements open.
    fn eof_at(&mut self, line: u64, why: &str) {
        let item = self.item.take().map(|i| (i.number, i.line));
        let what = match item {
            Some(_) => format!("{why} at line {line}, inside this item (truncated file?)"),
            None => format!("{why} at line {line}, before the feed is closed (truncated file?)"),
        };
        self.feed.damage.push(Damage {
            line,
            item,
            lost: item.is_some(),
            what,
        });
        self.stack.clear();
    }
}

fn push_top(stack: &mut [Frame], s: &str) {
    if let Some(top) = stack.last_mut() {
        top.markup.push_str(s);
    }
}

/// What an element is, whatever prefix the feed bound to its namespace.
fn canonical(ns: &ResolveResult, qname: &str) -> String {
    let (prefix, local) = match qname.split_once(':') {
        Some((p, l)) => (Some(p), l),
        None => (None, qname),
    };
    let module = match ns {
        ResolveResult::Bound(uri) => module_of(uri.as_ref()),
        _ => None,
    };
    match (module, prefix) {
        (Some(""), _) | (None, None) => local.to_string(),
        (Some(m), _) => format!("{m}:{local}"),
        (None, Some(p)) => match p.to_ascii_lowercase().as_str() {
            "atom" | "rss" => local.to_string(),
            "dcterms" | "dc" => format!("dc:{local}"),
            lower => format!("{lower}:{local}"),
        },
    }
}

/// The short name of a namespace the feed format reads: `""` for the feed vocabularies
/// themselves (RSS 1.0 and 0.9, Atom 1.0 and 0.3, XHTML), `dc`, `content`, `rdf`.
fn module_of(uri: &str) -> Option<&'static str> {
    let u = uri.trim().to_ascii_lowercase();
    let u = u
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches(['/', '#']);
    Some(match u {
        "www.w3.org/2005/atom"
        | "purl.org/atom/ns"
        | "purl.org/rss/1.0"
        | "my.netscape.com/rdf/simple/0.9"
        | "backend.userland.com/rss2"
        | "backend.userland.com/rss"
        | "www.w3.org/1999/xhtml" => "",
        "purl.org/rss/1.0/modules/content" => "content",
        "purl.org/dc/elements/1.1" | "purl.org/dc/terms" => "dc",
        "www.w3.org/1999/02/22-rdf-syntax-ns" => "rdf",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_mean_the_same_under_any_prefix() {
        let feed = "<r:RDF xmlns:r=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" \
            xmlns=\"http://purl.org/rss/1.0/\" xmlns:d=\"http://purl.org/dc/elements/1.1/\" \
            xmlns:c=\"http://purl.org/rss/1.0/modules/content/\" xmlns:m=\"http://search.yahoo.com/mrss/\">\n\
            <channel><title>T</title></channel>\n\
            <item r:about=\"u\"><d:date>d</d:date><c:encoded>e</c:encoded><m:title>m</m:title>\
            <dcterms:created>x</dcterms:created><atom:link href=\"h\"/></item></r:RDF>";
        let f = read(feed, 1);
        assert_eq!(f.root.as_deref(), Some("RDF"));
        assert_eq!(f.fields.len(), 1);
        assert_eq!(f.fields[0].key, "title");
        let item = &f.items[0];
        let keys: Vec<&str> = item.fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(
            keys,
            [
                "dc:date",
                "content:encoded",
                "m:title",
                "dc:created",
                "link"
            ]
        );
        assert_eq!(attr_of(&item.attrs, "r:about"), Some("u"));
        assert_eq!(item.fields[4].attr("href"), Some("h"));
        assert_eq!((item.number, item.line), (1, 3));
        assert!(f.damage.is_empty());
    }

    #[test]
    fn content_keeps_markup_for_the_html_decoding() {
        let feed = "<rss><channel><item>\
            <description>a &amp;lt;b&amp;gt; &nbsp;<![CDATA[<i>c</i> & d]]></description>\
            <content><div><p>x &amp; y</p><br/></div></content>\
            </item></channel></rss>";
        let f = read(feed, 1);
        let field = |key: &str| {
            f.items[0]
                .fields
                .iter()
                .find(|f| f.key == key)
                .expect("field")
        };
        assert!(!field("description").elements);
        assert_eq!(
            field("description").content(),
            "a &lt;b&gt; \u{a0}<i>c</i> & d"
        );
        assert!(field("content").elements);
        assert_eq!(
            field("content").content(),
            "<div><p>x &amp; y</p><br/></div>"
        );
        // A child's child is there too, by its path.
        assert_eq!(field("content/div").content(), "<p>x &amp; y</p><br/>");
    }

    #[test]
    fn an_end_tag_closes_what_was_left_open() {
        let feed = "<rss><channel><item><title>A</title><description><p>one<p>two</description>\
            <link>l</link></item><item><title>B</title></item></channel></rss>";
        let f = read(feed, 1);
        assert_eq!(f.items.len(), 2);
        let keys: Vec<&str> = f.items[0].fields.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["title", "description/p", "description", "link"]);
        assert_eq!(f.items[0].fields[2].markup, "<p>one<p>two</p></p>");
        assert!(f.damage.is_empty());
    }
}
