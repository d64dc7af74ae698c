//! Input formats: from a file's bytes to articles.
//!
//! Each format is a module of its own implementing [`Format`]. [`parse_file`] reads a
//! file (decompressing and decoding it, see `decode`), detects its format by content
//! (the extension is only a hint) unless one is forced, and hands every article, or the
//! reason one could not be read, to a sink. A bad article never stops the file: the
//! articles before and after it still come out.
//!
//! Formats holding many articles (SGML archives, JSON Lines) are streamed record by
//! record, so memory stays flat on large files; the others read the whole file (up to
//! [`MAX_WHOLE_FILE`] bytes of text).

use std::path::Path;

use time::Date;

use crate::article::Article;

mod dateline;
mod decode;
mod feed;
mod html;
mod json;
mod page;
mod reject;
mod reuters;
mod sgml;
mod trec;
mod wire;

#[cfg(test)]
mod corpus_check;

/// Why one article (or a whole file) could not be read.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ParseError {
    /// The file could not be opened or read.
    #[error("cannot read file: {0}")]
    Io(String),
    /// The file holds no text at all.
    #[error("file is empty")]
    Empty,
    /// The file is not text (binary data).
    #[error("not a text file (binary data)")]
    Binary,
    /// No format recognised the content.
    #[error("no known article format recognised")]
    Unrecognised,
    /// The file was recognised as something that holds no articles (NER training
    /// data, a README or licence, a DTD, a JSON file without article fields), or is
    /// too large to read as a single article; the reason says which.
    #[error("{0}")]
    Skipped(String),
    /// An article inside the file is malformed; `at` says where (line, article number).
    #[error("{at}: {reason}")]
    Article { at: String, reason: String },
    /// Something in the file was off, but nothing was lost by it: the articles were
    /// read (a date not understood, a feed cut short after its last whole item). `at`
    /// says where.
    #[error("{at}: {reason}")]
    Warning { at: String, reason: String },
}

/// What [`parse_file`] learnt about a file.
#[derive(Debug, Clone, Default)]
pub struct FileInfo {
    /// Format used (detected or forced).
    pub format: String,
    /// Bytes read from disk.
    pub bytes: u64,
}

/// Names of the formats that can be forced with `--format`.
pub const FORMAT_NAMES: &[&str] = &["page", "wire", "reuters", "trec", "json", "html", "feed"];

/// Largest text read at once for a format that is not streamed (one article per
/// file): 64 MiB. JSON documents (not lines) may be up to 256 MiB.
pub const MAX_WHOLE_FILE: usize = 64 * 1024 * 1024;

/// Largest single record (an SGML story, a JSON line) in a streamed file: 64 MiB.
/// A longer one is reported and skipped, and reading goes on after its end.
pub const MAX_RECORD: usize = 64 * 1024 * 1024;

/// One input format.
pub(crate) trait Format: Sync {
    /// Name shown in `Article::format` and accepted by `--format`.
    fn name(&self) -> &'static str;
    /// How sure the format is that `head` (the decoded start of the file) is its own,
    /// 0 (not at all) to 100 (certain). `path` is only a hint.
    fn detect(&self, head: &str, path: &Path) -> u8;
    /// For formats that can be streamed: the text ending one record (`</DOC>`, a line
    /// break). The file is then handed to [`Format::parse`] in chunks of whole records.
    fn record_end(&self, _head: &str) -> Option<&'static str> {
        None
    }
    /// Largest text read whole, for formats that are not streamed.
    fn max_whole_file(&self) -> usize {
        MAX_WHOLE_FILE
    }
    /// Parses `text` (the whole file, or a chunk of whole records) and sends each
    /// article or per-article error to `sink`. `cursor` carries positions across chunks.
    /// `Err` means the file as a whole is not this format's articles (for example JSON
    /// data without article fields); it is returned by [`parse_file`].
    fn parse(
        &self,
        text: &str,
        cursor: &mut Cursor,
        sink: &mut dyn FnMut(Result<Article, ParseError>),
    ) -> Result<(), ParseError>;
}

/// What a parser knows about the file it reads, and where it is in it.
pub(crate) struct Cursor {
    /// Path as given, for `Article::path` and error messages.
    pub path: String,
    /// Base of derived ids: `<parent folder>/<file stem>`.
    pub id_base: String,
    /// Date written in the path, if any.
    pub path_date: Option<Date>,
    /// Category suggested by the parent folder (`bbc/sport/199.txt` -> `sport`).
    pub folder_category: Option<String>,
    /// Number of the next article in the file (0-based).
    pub position: u64,
    /// Line number (1-based) of the start of the current chunk.
    pub line: u64,
    /// Whether this is the last chunk (a record cut short is truncated, not pending).
    pub last_chunk: bool,
    /// Whether the file is read record by record ([`Format::record_end`]).
    pub streamed: bool,
}

impl Cursor {
    pub(crate) fn new(path: &Path) -> Cursor {
        let path_str = path.to_string_lossy().into_owned();
        let stem = file_stem(path);
        let parent = path
            .parent()
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().into_owned());
        let id_base = match &parent {
            Some(p) if !p.is_empty() => format!("{p}/{stem}"),
            _ => stem,
        };
        Cursor {
            path_date: dateline::date_from_path(&path_str),
            folder_category: parent.as_deref().and_then(category_from_folder),
            path: path_str,
            id_base,
            position: 0,
            line: 1,
            last_chunk: true,
            streamed: false,
        }
    }

    /// A new article with the bookkeeping fields filled.
    pub(crate) fn article(&self, format: &str, id: String, position: Option<u64>) -> Article {
        Article {
            id,
            format: format.to_string(),
            path: self.path.clone(),
            position,
            ..Article::default()
        }
    }

    /// A per-article error located at `at` (e.g. `line 12`, `article 3 (NEWID 12793)`).
    pub(crate) fn error(&self, at: &str, reason: impl Into<String>) -> ParseError {
        ParseError::Article {
            at: format!("{}: {at}", self.path),
            reason: reason.into(),
        }
    }

    /// A warning located at `at`: the articles were read, but something was off.
    pub(crate) fn warning(&self, at: &str, reason: impl Into<String>) -> ParseError {
        ParseError::Warning {
            at: format!("{}: {at}", self.path),
            reason: reason.into(),
        }
    }
}

/// File name without `.gz` and without its last extension.
fn file_stem(path: &Path) -> String {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    match name.rfind('.') {
        Some(i) if i > 0 && name.len() - i <= 6 => name[..i].to_string(),
        _ => name.to_string(),
    }
}

/// Folder names that are news sections, so `bbc/sport/199.txt` is in `sport`.
fn category_from_folder(name: &str) -> Option<String> {
    const SECTIONS: &[&str] = &[
        "business",
        "entertainment",
        "politics",
        "sport",
        "sports",
        "tech",
        "technology",
        "science",
        "health",
        "world",
        "national",
        "nation",
        "local",
        "metro",
        "opinion",
        "culture",
        "arts",
        "economy",
        "economics",
        "finance",
        "markets",
        "money",
        "travel",
        "lifestyle",
        "education",
        "environment",
        "climate",
        "weather",
        "crime",
        "justice",
        "law",
        "media",
        "music",
        "film",
        "movies",
        "books",
        "fashion",
        "food",
        "religion",
        "society",
        "military",
        "defense",
        "defence",
        "energy",
        "agriculture",
        "asia",
        "europe",
        "africa",
        "americas",
        "middle-east",
        "mideast",
        "us",
        "uk",
        "china",
        "international",
        "domestic",
        "regional",
        "style",
        "auto",
        "autos",
        "motoring",
        "games",
        "gaming",
        "obituaries",
        "editorial",
        "editorials",
        "features",
        "analysis",
        "commentary",
        "real-estate",
        "property",
        "jobs",
        "careers",
        "space",
        "medicine",
        "football",
        "soccer",
        "cricket",
        "tennis",
        "golf",
        "rugby",
        "baseball",
        "basketball",
    ];
    let lower = name.to_ascii_lowercase();
    SECTIONS.contains(&lower.as_str()).then_some(lower)
}

fn formats() -> [&'static dyn Format; 7] {
    [
        &reuters::Reuters,
        &trec::Trec,
        &json::Json,
        &feed::Feed,
        &html::Html,
        &page::Page,
        &wire::Wire,
    ]
}

/// The format named `name`, if any.
fn format_named(name: &str) -> Option<&'static dyn Format> {
    formats()
        .into_iter()
        .find(|f| f.name().eq_ignore_ascii_case(name))
}

/// The format most confident about `head`, if any is at all.
fn detect(head: &str, path: &Path) -> Option<&'static dyn Format> {
    let mut best: Option<(u8, &'static dyn Format)> = None;
    for f in formats() {
        let score = f.detect(head, path);
        if score > 0 && best.is_none_or(|(b, _)| score > b) {
            best = Some((score, f));
        }
    }
    best.map(|(_, f)| f)
}

/// Reads `path`, detects its format (or uses `forced`) and sends each article, or the
/// error that kept one from being read, to `sink`. Returns `Err` only when nothing in
/// the file could be read at all.
pub fn parse_file(
    path: &Path,
    forced: Option<&str>,
    sink: &mut dyn FnMut(Result<Article, ParseError>),
) -> Result<FileInfo, ParseError> {
    let forced = match forced {
        Some(name) => Some(format_named(name).ok_or_else(|| {
            ParseError::Skipped(format!(
                "unknown format {name:?} (known: {})",
                FORMAT_NAMES.join(", ")
            ))
        })?),
        None => None,
    };
    let (mut stream, head) = decode::TextStream::open(path)?;
    if head.trim().is_empty() {
        return Err(ParseError::Empty);
    }
    let format = match forced {
        Some(f) => f,
        None => {
            if let Some(reason) = reject::not_articles(&head, path) {
                return Err(ParseError::Skipped(reason));
            }
            detect(&head, path).ok_or(ParseError::Unrecognised)?
        }
    };
    let mut cursor = Cursor::new(path);
    match format.record_end(&head) {
        Some(end) => {
            cursor.streamed = true;
            let mut buffer = head;
            let mut discarding = false;
            // Bytes of `buffer` already known to hold no record end.
            let mut searched: usize = 0;
            loop {
                let next = stream.next_chunk()?;
                let last = next.is_none();
                if let Some(chunk) = next {
                    buffer.push_str(&chunk);
                }
                if discarding {
                    // Inside an oversized record: drop text up to the next record end.
                    let drop_to = buffer.find(end).map(|i| i + end.len());
                    let dropped = drop_to.unwrap_or(buffer.len());
                    cursor.line +=
                        memchr::memchr_iter(b'\n', &buffer.as_bytes()[..dropped]).count() as u64;
                    buffer.drain(..dropped);
                    discarding = drop_to.is_none();
                    if last {
                        break;
                    }
                    continue;
                }
                let cut = if last {
                    buffer.len()
                } else {
                    let from = floor_char_boundary(&buffer, searched.saturating_sub(end.len()));
                    match buffer[from..].rfind(end) {
                        Some(i) => from + i + end.len(),
                        None if buffer.len() > MAX_RECORD => {
                            cursor.position += 1;
                            sink(Err(cursor.error(
                                &format!("line {}", cursor.line),
                                format!(
                                    "record longer than {} MiB without an end, skipped",
                                    MAX_RECORD >> 20
                                ),
                            )));
                            discarding = true;
                            cursor.line +=
                                memchr::memchr_iter(b'\n', buffer.as_bytes()).count() as u64;
                            buffer.clear();
                            searched = 0;
                            continue;
                        }
                        None => {
                            searched = buffer.len();
                            continue;
                        }
                    }
                };
                searched = 0;
                cursor.last_chunk = last;
                let rest = buffer.split_off(cut);
                format.parse(&buffer, &mut cursor, sink)?;
                cursor.line += memchr::memchr_iter(b'\n', buffer.as_bytes()).count() as u64;
                buffer = rest;
                if last {
                    break;
                }
            }
        }
        None => {
            let limit = format.max_whole_file();
            let mut text = head;
            while let Some(chunk) = stream.next_chunk()? {
                text.push_str(&chunk);
                if text.len() > limit {
                    return Err(ParseError::Skipped(format!(
                        "too large for the {} format (over {} MiB of text)",
                        format.name(),
                        limit >> 20
                    )));
                }
            }
            format.parse(&text, &mut cursor, sink)?;
        }
    }
    Ok(FileInfo {
        format: format.name().to_string(),
        bytes: stream.disk_bytes,
    })
}

fn floor_char_boundary(s: &str, i: usize) -> usize {
    dateline::floor_char(s, i.min(s.len()))
}

/// Compiles one of the parsers' constant patterns. They are fixed at build time and
/// every one is compiled by the unit tests, so a failure here is a programming error
/// caught by `cargo test`, never a runtime condition: the `expect` cannot fire in use.
pub(crate) fn re(pattern: &str) -> regex::Regex {
    regex::Regex::new(pattern).expect("constant pattern compiles (checked by tests)")
}

/// Whether text starts like markup or JSON (`<`, `{`, `[{`, `[]`), which the plain-text
/// formats leave to the others. `[Updated] Headline` is still plain text, and so is a
/// page saved as text that opens with an empty check box (`[ ]` then more text).
pub(crate) fn looks_like_markup(head: &str) -> bool {
    let t = head.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    match t.chars().next() {
        Some('<') | Some('{') => true,
        Some('[') => {
            t[1..].trim_start().starts_with(['{', '[', '"'])
                || empty_array(t)
                || t[1..]
                    .trim_start()
                    .starts_with(|c: char| c.is_ascii_digit())
        }
        _ => false,
    }
}

/// Whether `t` (starting with `[`) is a JSON empty array and nothing else.
pub(crate) fn empty_array(t: &str) -> bool {
    t[1..]
        .trim_start()
        .strip_prefix(']')
        .is_some_and(|rest| rest.trim().is_empty())
}

/// Removes control characters (keeping `\n` and `\t`) from `s`.
pub(crate) fn strip_controls(s: &str) -> String {
    s.chars()
        .filter(|&c| c == '\n' || c == '\t' || !(c.is_control() || c == '\u{feff}'))
        .collect()
}

/// Collapses runs of blank lines and trims each line's trailing spaces; keeps
/// paragraphs separated by one blank line.
pub(crate) fn tidy_paragraphs(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut blank = false;
    for line in s.lines() {
        let line = line.trim_end();
        if line.trim().is_empty() {
            blank = !out.is_empty();
            continue;
        }
        if !out.is_empty() {
            out.push_str(if blank { "\n\n" } else { "\n" });
        }
        blank = false;
        out.push_str(line);
    }
    out
}

#[cfg(test)]
pub(crate) mod testutil {
    use super::*;

    /// Parses a text with `format` as if it were the file at `path`.
    pub(crate) fn parse_text(
        format: &dyn Format,
        text: &str,
        path: &str,
    ) -> Vec<Result<Article, ParseError>> {
        let mut out = Vec::new();
        let mut cursor = Cursor::new(Path::new(path));
        if let Err(e) = format.parse(text, &mut cursor, &mut |r| out.push(r)) {
            out.push(Err(e));
        }
        out
    }

    /// Only the articles, panicking on errors.
    pub(crate) fn articles(format: &dyn Format, text: &str, path: &str) -> Vec<Article> {
        parse_text(format, text, path)
            .into_iter()
            .map(|r| r.expect("article parses"))
            .collect()
    }

    /// Writes `bytes` to a fresh temp file named `name` and runs [`parse_file`] on it.
    pub(crate) fn parse_bytes(
        name: &str,
        bytes: &[u8],
        forced: Option<&str>,
    ) -> (
        Result<FileInfo, ParseError>,
        Vec<Result<Article, ParseError>>,
    ) {
        let dir = std::env::temp_dir().join(format!(
            "newswire-formats-{}-{:x}",
            std::process::id(),
            xxhash_rust::xxh3::xxh3_64(bytes)
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("temp dir");
        }
        std::fs::write(&path, bytes).expect("write temp file");
        let mut out = Vec::new();
        let info = parse_file(&path, forced, &mut |r| out.push(r));
        let _ = std::fs::remove_dir_all(&dir);
        (info, out)
    }
}

#[cfg(test)]
mod tests {
    use super::testutil::parse_bytes;
    use super::*;

    #[test]
    fn detects_each_format_by_content_not_extension() {
        let cases: &[(&str, &[u8], &str)] = &[
            (
                "a.dat",
                include_bytes!("../../tests/fixtures/formats/page.txt"),
                "page",
            ),
            (
                "a.dat",
                include_bytes!("../../tests/fixtures/formats/wire.txt"),
                "wire",
            ),
            (
                "a.txt",
                include_bytes!("../../tests/fixtures/formats/reuters.sgm"),
                "reuters",
            ),
            (
                "a.txt",
                include_bytes!("../../tests/fixtures/formats/trec.sgml"),
                "trec",
            ),
            (
                "a.txt",
                include_bytes!("../../tests/fixtures/formats/articles.jsonl"),
                "json",
            ),
            (
                "a.txt",
                include_bytes!("../../tests/fixtures/formats/article.html"),
                "html",
            ),
            (
                "a.txt",
                include_bytes!("../../tests/fixtures/formats/rss2.xml"),
                "feed",
            ),
            (
                "a",
                include_bytes!("../../tests/fixtures/formats/rdf.rdf"),
                "feed",
            ),
            (
                "a.html",
                include_bytes!("../../tests/fixtures/formats/atom.xml"),
                "feed",
            ),
        ];
        for (name, bytes, want) in cases {
            let (info, _) = parse_bytes(name, bytes, None);
            assert_eq!(info.expect("parses").format, *want, "fixture for {want}");
        }
    }

    #[test]
    fn gzip_of_any_format() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(include_bytes!("../../tests/fixtures/formats/trec.sgml"))
            .expect("gzip");
        let gz = enc.finish().expect("gzip");
        let (info, arts) = parse_bytes("ap.gz", &gz, None);
        assert_eq!(info.expect("parses").format, "trec");
        assert!(arts.iter().all(|a| a.is_ok()));
        assert!(arts.len() >= 2);
    }

    #[test]
    fn bad_files_are_refused_with_a_reason() {
        assert!(matches!(
            parse_bytes("e.txt", b"", None).0,
            Err(ParseError::Empty)
        ));
        assert!(matches!(
            parse_bytes("b.bin", b"\x00\x01PK\x03\x04\x00\x00", None).0,
            Err(ParseError::Binary)
        ));
        let missing = parse_file(Path::new("/nonexistent/newswire/x.txt"), None, &mut |_| {});
        assert!(matches!(missing, Err(ParseError::Io(_))));
        let (r, _) = parse_bytes("a.txt", b"x", Some("nosuch"));
        assert!(matches!(r, Err(ParseError::Skipped(_))));
    }

    #[test]
    fn forced_format_wins_over_detection() {
        let (info, arts) = parse_bytes(
            "p.txt",
            include_bytes!("../../tests/fixtures/formats/page.txt"),
            Some("wire"),
        );
        assert_eq!(info.expect("parses").format, "wire");
        assert_eq!(arts[0].as_ref().expect("article").format, "wire");
    }

    #[test]
    fn ids_and_categories_from_the_path() {
        let c = Cursor::new(Path::new("corpora/bbc/sport/199.txt"));
        assert_eq!(c.id_base, "sport/199");
        assert_eq!(c.folder_category.as_deref(), Some("sport"));
        let c = Cursor::new(Path::new("afp-wire/AFP_ENG_19970401.0006.txt"));
        assert_eq!(c.id_base, "afp-wire/AFP_ENG_19970401.0006");
        assert_eq!(c.folder_category, None);
        let c = Cursor::new(Path::new("x.html.gz"));
        assert_eq!(c.id_base, "x");
    }

    #[test]
    fn long_multi_record_files_stream_in_chunks() {
        // Many JSON lines, well past one read chunk: every line comes out, numbered.
        let mut text = String::new();
        for i in 0..30_000 {
            text.push_str(&format!(
                "{{\"id\":\"n{i}\",\"title\":\"Story {i}\",\"text\":\"Body of story number {i}, padded with words.\"}}\n"
            ));
        }
        text.push_str("{not json\n");
        let (info, out) = parse_bytes("big.jsonl", text.as_bytes(), None);
        assert_eq!(info.expect("parses").format, "json");
        assert_eq!(out.iter().filter(|r| r.is_ok()).count(), 30_000);
        let err = out
            .iter()
            .find_map(|r| r.as_ref().err())
            .expect("one error")
            .to_string();
        assert!(err.contains("line 30001"), "{err}");
        let last = out[29_999].as_ref().expect("article");
        assert_eq!(last.id, "n29999");
        assert_eq!(last.position, Some(29_999));
    }

    #[test]
    fn mangled_input_never_panics() {
        // Deterministic byte mutations of every fixture, run through detection and
        // every parser: truncations, deleted spans, flipped and injected bytes.
        let fixtures: &[&[u8]] = &[
            include_bytes!("../../tests/fixtures/formats/page.txt"),
            include_bytes!("../../tests/fixtures/formats/page-scrape.txt"),
            include_bytes!("../../tests/fixtures/formats/wire.txt"),
            include_bytes!("../../tests/fixtures/formats/reuters.sgm"),
            include_bytes!("../../tests/fixtures/formats/trec.sgml"),
            include_bytes!("../../tests/fixtures/formats/articles.jsonl"),
            include_bytes!("../../tests/fixtures/formats/article.html"),
            include_bytes!("../../tests/fixtures/formats/rss2.xml"),
            include_bytes!("../../tests/fixtures/formats/atom.xml"),
            include_bytes!("../../tests/fixtures/formats/feed-damaged.xml"),
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = |n: usize| {
            seed = xxhash_rust::xxh3::xxh3_64(&seed.to_le_bytes());
            (seed % n.max(1) as u64) as usize
        };
        for fixture in fixtures {
            for round in 0..40 {
                let mut bytes = fixture.to_vec();
                match round % 4 {
                    0 => bytes.truncate(next(bytes.len())),
                    1 => {
                        let a = next(bytes.len());
                        let b = (a + next(200)).min(bytes.len());
                        bytes.drain(a..b);
                    }
                    2 => {
                        for _ in 0..20 {
                            let i = next(bytes.len());
                            if let Some(b) = bytes.get_mut(i) {
                                *b = next(256) as u8;
                            }
                        }
                    }
                    _ => {
                        let i = next(bytes.len());
                        let junk: &[u8] = [
                            b"<DOC>".as_slice(),
                            b"</REUTERS>",
                            b"{\"title\": [",
                            b"<div class=\"comment\">",
                            b"\xff\xfe",
                            b"&#",
                            b"\n\n",
                            b"<item><![CDATA[",
                            b"</entry>",
                        ][next(9)];
                        bytes.splice(i..i, junk.iter().copied());
                    }
                }
                let text = String::from_utf8_lossy(&bytes);
                for f in formats() {
                    let _ = f.detect(&text, Path::new("x"));
                    let mut cursor = Cursor::new(Path::new("x/y.txt"));
                    let _ = f.parse(&text, &mut cursor, &mut |_| {});
                }
                let _ = parse_bytes("m.txt", &bytes, None);
            }
        }
    }
}
