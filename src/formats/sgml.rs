//! Small helpers for the agency SGML archives (Reuters-21578, TREC).
//!
//! These files are not well-formed XML (unescaped `<`, unclosed tags, control
//! characters), so they are read with plain string search: the content of a tag,
//! every content of a repeated tag, an attribute of an opening tag, and text cleanup
//! (entities decoded, control characters removed, hard-wrapped lines re-joined).

use super::Cursor;

/// One `OPEN ... CLOSE` record of a multi-record SGML file.
pub(crate) struct Block<'a> {
    /// From the opening tag to just before the closing one.
    pub text: &'a str,
    /// False when the text ended before the closing tag (a truncated file).
    pub complete: bool,
    /// 0-based number of the record in the file.
    pub position: u64,
    /// 1-based line of the opening tag.
    pub line: u64,
}

/// Calls `each` for every record of `text` in order, numbering them with `cursor`.
/// A record cut short by the end of the text is the last one given.
pub(crate) fn for_each_block(
    text: &str,
    open: &str,
    close: &str,
    cursor: &mut Cursor,
    mut each: impl FnMut(Block<'_>, &Cursor),
) {
    let mut from = 0;
    let mut line = cursor.line;
    let mut counted = 0;
    while let Some(i) = text[from..].find(open) {
        let start = from + i;
        line += memchr::memchr_iter(b'\n', &text.as_bytes()[counted..start]).count() as u64;
        counted = start;
        let position = cursor.position;
        cursor.position += 1;
        let (block, complete) = match text[start..].find(close) {
            Some(j) => (&text[start..start + j], true),
            None => (&text[start..], false),
        };
        each(
            Block {
                text: block,
                complete,
                position,
                line,
            },
            cursor,
        );
        if !complete {
            break;
        }
        from = start + block.len() + close.len();
    }
}

/// Content of the first `<TAG>...</TAG>` (or `<TAG attr=..>...</TAG>`) in `doc`.
pub(crate) fn tag<'a>(doc: &'a str, name: &str) -> Option<&'a str> {
    tags(doc, name).next()
}

/// Contents of every `<TAG>...</TAG>` in `doc`, in order.
pub(crate) fn tags<'a, 'n>(doc: &'a str, name: &'n str) -> impl Iterator<Item = &'a str> + 'n
where
    'a: 'n,
{
    let open = format!("<{name}");
    let close = format!("</{name}>");
    let mut from = 0;
    std::iter::from_fn(move || loop {
        let i = from + doc.get(from..)?.find(&open)?;
        let after = i + open.len();
        let next = doc[after..].chars().next()?;
        if next != '>' && !next.is_whitespace() {
            from = after;
            continue;
        }
        let gt = after + doc[after..].find('>')?;
        let start = gt + 1;
        let end = doc[start..].find(&close).map_or(doc.len(), |j| start + j);
        from = end;
        return Some(&doc[start..end]);
    })
}

/// The opening tag `<TAG ...>` (without brackets' content after `>`), for attributes.
pub(crate) fn open_tag<'a>(doc: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}");
    let i = doc.find(&open)?;
    let end = doc[i..].find('>').map_or(doc.len(), |j| i + j);
    Some(&doc[i..end])
}

/// Value of `attr="value"` inside an opening tag.
pub(crate) fn attr<'a>(open_tag: &'a str, attr: &str) -> Option<&'a str> {
    let key = format!("{attr}=");
    let mut from = 0;
    while let Some(i) = open_tag[from..].find(&key) {
        let at = from + i;
        let ok_before = at == 0 || open_tag[..at].ends_with(|c: char| c.is_whitespace());
        let v = &open_tag[at + key.len()..];
        if ok_before {
            return Some(match v.strip_prefix('"') {
                Some(q) => q.split('"').next().unwrap_or(""),
                None => v
                    .split(|c: char| c.is_whitespace() || c == '>')
                    .next()
                    .unwrap_or(""),
            });
        }
        from = at + key.len();
    }
    None
}

/// Decodes character entities (`&#5;`, `&#x41;`, `&lt;`, `&amp;`) and removes control
/// characters.
pub(crate) fn clean(s: &str) -> String {
    super::strip_controls(&decode_entities(s))
}

/// Decodes numeric entities and the common named ones; anything else is kept as is.
pub(crate) fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let semi = after.find(';').filter(|&j| j <= 10);
        let decoded = semi.and_then(|j| {
            let name = &after[..j];
            let c = if let Some(num) = name.strip_prefix('#') {
                match num.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok().and_then(char::from_u32),
                    None => num.parse::<u32>().ok().and_then(char::from_u32),
                }
            } else {
                match name {
                    "lt" => Some('<'),
                    "gt" => Some('>'),
                    "amp" => Some('&'),
                    "quot" => Some('"'),
                    "apos" => Some('\''),
                    "nbsp" => Some('\u{a0}'),
                    _ => None,
                }
            };
            c.map(|c| (c, j + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(c);
                rest = &after[len..];
            }
            None => {
                out.push('&');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// Removes SGML tags written in capitals (`<P>`, `</P>`, `<F P=105>`) left inside a
/// field's text, keeping what they enclose; a paragraph tag becomes a line break.
pub(crate) fn strip_tags(s: &str) -> String {
    static TAG: once_cell::sync::Lazy<regex::Regex> =
        once_cell::sync::Lazy::new(|| super::re(r"</?([A-Z][A-Z0-9]*)(?:\s[^<>]*)?>"));
    if !s.contains('<') {
        return s.to_string();
    }
    TAG.replace_all(
        s,
        |c: &regex::Captures| if &c[1] == "P" { "\n   " } else { " " },
    )
    .into_owned()
}

/// Collapses all whitespace runs to single spaces (titles spread over lines).
pub(crate) fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Re-joins hard-wrapped lines: a line indented by whitespace starts a paragraph, the
/// others continue the one before. Table rows (columns aligned with runs of spaces)
/// stay one per line. Paragraphs are separated by a blank line.
pub(crate) fn reflow(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut para = String::new();
    let mut table = false;
    let flush = |para: &mut String, out: &mut String| {
        let p = para.trim_end();
        if !p.trim().is_empty() {
            if !out.is_empty() {
                out.push_str("\n\n");
            }
            out.push_str(p.trim_start_matches('\n'));
        }
        para.clear();
    };
    for line in s.lines() {
        if line.trim().is_empty() {
            flush(&mut para, &mut out);
            table = false;
            continue;
        }
        let row = line.trim().contains("   ") || line.contains("....");
        if row {
            if !table {
                flush(&mut para, &mut out);
                table = true;
            } else {
                para.push('\n');
            }
            para.push_str(line.trim_end());
            continue;
        }
        if table || line.starts_with([' ', '\t']) {
            flush(&mut para, &mut out);
            table = false;
        } else if !para.is_empty() {
            para.push(' ');
        }
        para.push_str(line.trim());
    }
    flush(&mut para, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_and_attributes() {
        let doc = "<X A=\"1\" NEWID=\"42\">\n<T>one</T><TOPICS><D>a</D><D>b</D></TOPICS><TEXT TYPE=\"BRIEF\">x</TEXT>";
        assert_eq!(tag(doc, "T"), Some("one"));
        assert_eq!(tags(doc, "D").collect::<Vec<_>>(), vec!["a", "b"]);
        assert_eq!(tag(doc, "TEXT"), Some("x"));
        assert_eq!(tag(doc, "TOPIC"), None);
        assert_eq!(attr(open_tag(doc, "X").expect("tag"), "NEWID"), Some("42"));
        assert_eq!(
            attr(open_tag(doc, "TEXT").expect("tag"), "TYPE"),
            Some("BRIEF")
        );
    }

    #[test]
    fn inner_tags() {
        assert_eq!(
            one_line(&strip_tags("<P> Quake hits <F P=105>coast</F> </P>")),
            "Quake hits coast"
        );
        assert_eq!(strip_tags("a < b and c > d"), "a < b and c > d");
    }

    #[test]
    fn cleanup() {
        assert_eq!(clean("&#2;A &lt;B> &amp; C&#3;\x05"), "A <B> & C");
        assert_eq!(
            reflow("   First para\nwraps here.\n   Second."),
            "First para wraps here.\n\nSecond."
        );
    }
}
