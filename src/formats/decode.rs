//! From a file on disk to decoded text, streamed.
//!
//! Bytes flow in from the file (through a gzip decoder when the file starts with the
//! gzip magic, whatever its extension); out come UTF-8 text chunks with line endings
//! normalised to `\n`. The encoding is chosen once, from the first bytes: a BOM
//! (UTF-8, UTF-16LE/BE), an XML declaration's `encoding` when the bytes are not UTF-8
//! (feeds often declare ISO-8859-1 and send UTF-8), an HTML `<meta charset>`, else
//! UTF-8 where every byte that is
//! not part of a valid UTF-8 sequence is read as Windows-1252 (Latin-1), so legacy
//! single-byte files and UTF-8 files with a few stray legacy bytes both come out right.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

use super::ParseError;

/// Raw bytes read before choosing the encoding and detecting the format.
pub(crate) const HEAD_BYTES: usize = 64 * 1024;
/// Raw bytes read per chunk after the head.
const CHUNK_BYTES: usize = 1024 * 1024;

/// A decoded text stream over one file.
pub(crate) struct TextStream {
    reader: Box<dyn Read>,
    decoder: TextDecoder,
    /// A `\r` at the end of the previous chunk, held back so that `\r\n` split across
    /// two chunks still becomes one `\n`.
    held_cr: bool,
    eof: bool,
    /// Bytes read so far, decompressed.
    pub raw_bytes: u64,
    /// Size of the file on disk.
    pub disk_bytes: u64,
}

enum TextDecoder {
    /// UTF-8; bytes that are not valid UTF-8 are read as Windows-1252.
    Utf8Mixed {
        carry: Vec<u8>,
    },
    Legacy(encoding_rs::Decoder),
}

impl TextStream {
    /// Opens `path`, reads its head and decides the encoding. Returns the stream and the
    /// decoded head text.
    pub(crate) fn open(path: &Path) -> Result<(TextStream, String), ParseError> {
        // Checked before opening: opening a FIFO or device could block or never end.
        let meta = std::fs::metadata(path).map_err(|e| ParseError::Io(e.to_string()))?;
        if meta.is_dir() {
            return Err(ParseError::Io("is a directory".into()));
        }
        if !meta.is_file() {
            return Err(ParseError::Io("not a regular file".into()));
        }
        let file = File::open(path).map_err(|e| ParseError::Io(e.to_string()))?;
        let mut file = file;
        let mut magic = [0u8; 2];
        let n = read_full(&mut file, &mut magic).map_err(|e| ParseError::Io(e.to_string()))?;
        let prefix = io::Cursor::new(magic[..n].to_vec());
        let chained = prefix.chain(file);
        let mut reader: Box<dyn Read> = if n == 2 && magic == [0x1f, 0x8b] {
            Box::new(flate2::read::MultiGzDecoder::new(chained))
        } else {
            Box::new(chained)
        };
        let mut head = vec![0u8; HEAD_BYTES];
        let got = read_full(&mut reader, &mut head).map_err(|e| {
            ParseError::Io(if n == 2 && magic == [0x1f, 0x8b] {
                format!("invalid gzip data: {e}")
            } else {
                e.to_string()
            })
        })?;
        head.truncate(got);
        if head.iter().all(|b| b.is_ascii_whitespace()) {
            return Err(ParseError::Empty);
        }
        let (encoding, bom_len) = choose_encoding(&head);
        if bom_len != 2 && looks_binary(&head) {
            return Err(ParseError::Binary);
        }
        let decoder = match encoding {
            None => TextDecoder::Utf8Mixed { carry: Vec::new() },
            Some(enc) => TextDecoder::Legacy(enc.new_decoder_without_bom_handling()),
        };
        let mut stream = TextStream {
            reader,
            decoder,
            held_cr: false,
            eof: got < HEAD_BYTES,
            raw_bytes: got as u64,
            disk_bytes: meta.len(),
        };
        let eof = stream.eof;
        let text = stream.decode(&head[bom_len..], eof);
        Ok((stream, text))
    }

    /// Reads and decodes the next chunk; `None` at the end of the stream.
    pub(crate) fn next_chunk(&mut self) -> Result<Option<String>, ParseError> {
        if self.eof {
            return Ok(None);
        }
        let mut buf = vec![0u8; CHUNK_BYTES];
        let got =
            read_full(&mut self.reader, &mut buf).map_err(|e| ParseError::Io(e.to_string()))?;
        buf.truncate(got);
        self.raw_bytes += got as u64;
        if got < CHUNK_BYTES {
            self.eof = true;
        }
        let eof = self.eof;
        Ok(Some(self.decode(&buf, eof)))
    }

    fn decode(&mut self, bytes: &[u8], last: bool) -> String {
        let mut out = match &mut self.decoder {
            TextDecoder::Utf8Mixed { carry } => {
                let mut input = std::mem::take(carry);
                input.extend_from_slice(bytes);
                let mut out = String::with_capacity(input.len());
                let mut rest: &[u8] = &input;
                loop {
                    match std::str::from_utf8(rest) {
                        Ok(s) => {
                            out.push_str(s);
                            break;
                        }
                        Err(e) => {
                            let (good, bad) = rest.split_at(e.valid_up_to());
                            // `good` is valid UTF-8 by construction.
                            out.push_str(std::str::from_utf8(good).unwrap_or_default());
                            match e.error_len() {
                                Some(len) => {
                                    push_cp1252(&mut out, &bad[..len]);
                                    rest = &bad[len..];
                                }
                                None if last => {
                                    push_cp1252(&mut out, bad);
                                    break;
                                }
                                None => {
                                    *carry = bad.to_vec();
                                    break;
                                }
                            }
                        }
                    }
                }
                out
            }
            TextDecoder::Legacy(dec) => {
                let cap = dec
                    .max_utf8_buffer_length(bytes.len())
                    .unwrap_or(bytes.len() * 3 + 16);
                let mut out = String::with_capacity(cap);
                let _ = dec.decode_to_string(bytes, &mut out, last);
                out
            }
        };
        out = self.normalise_newlines(out, last);
        out
    }

    fn normalise_newlines(&mut self, s: String, last: bool) -> String {
        if !s.contains('\r') && !self.held_cr {
            return s;
        }
        let mut out = String::with_capacity(s.len() + 1);
        let mut chars = s.chars().peekable();
        if self.held_cr {
            self.held_cr = false;
            out.push('\n');
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
        }
        while let Some(c) = chars.next() {
            if c == '\r' {
                match chars.peek() {
                    Some('\n') => {
                        chars.next();
                        out.push('\n');
                    }
                    Some(_) => out.push('\n'),
                    None if last => out.push('\n'),
                    None => self.held_cr = true,
                }
            } else {
                out.push(c);
            }
        }
        out
    }
}

fn push_cp1252(out: &mut String, bytes: &[u8]) {
    let (s, _) = WINDOWS_1252.decode_without_bom_handling(bytes);
    out.push_str(&s);
}

fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// Picks the encoding from the head bytes: `None` means UTF-8 (with Windows-1252 for
/// stray invalid bytes). Also returns the length of the BOM to skip.
fn choose_encoding(head: &[u8]) -> (Option<&'static Encoding>, usize) {
    if head.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return (None, 3);
    }
    if head.starts_with(&[0xFF, 0xFE]) {
        return (Some(UTF_16LE), 2);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return (Some(UTF_16BE), 2);
    }
    if head.starts_with(b"<?xml") {
        // An XML document says its own encoding; the default is UTF-8. Text that is
        // valid UTF-8 is UTF-8 whatever the declaration says.
        return match xml_declared_encoding(head) {
            Some(enc) if enc != UTF_8 && enc != UTF_16LE && enc != UTF_16BE && !is_utf8(head) => {
                (Some(enc), 0)
            }
            _ => (None, 0),
        };
    }
    if let Some(enc) = html_meta_charset(head) {
        if enc == UTF_8 {
            return (None, 0);
        }
        // A UTF-16 label inside an ASCII-compatible page is a lie (WHATWG rule).
        if enc != UTF_16LE && enc != UTF_16BE {
            return (Some(enc), 0);
        }
    }
    // UTF-8, with Windows-1252 (a superset of Latin-1's printable range) for any
    // byte that is not part of a valid UTF-8 sequence. Statistical guessers such as
    // chardetng misread short English texts with one stray byte (a `\xa3` pound
    // sign becomes a Polish `Ł`), so the single-byte fallback is fixed.
    (None, 0)
}

/// Whether `head` is UTF-8 (a character cut by the end of the head counts as whole).
fn is_utf8(head: &[u8]) -> bool {
    match std::str::from_utf8(head) {
        Ok(_) => true,
        Err(e) => e.error_len().is_none(),
    }
}

/// The `encoding` of an XML declaration (`<?xml version="1.0" encoding="..."?>`).
fn xml_declared_encoding(head: &[u8]) -> Option<&'static Encoding> {
    let end = memchr::memmem::find(&head[..head.len().min(512)], b"?>")?;
    let decl = &head[..end];
    let i = memchr::memmem::find(decl, b"encoding")? + "encoding".len();
    let rest = &decl[i..];
    let start = rest.iter().position(|b| *b == b'"' || *b == b'\'')? + 1;
    let len = rest[start..]
        .iter()
        .position(|b| *b == b'"' || *b == b'\'')?;
    Encoding::for_label(&rest[start..start + len])
}

/// The encoding an HTML page declares in `<meta charset=..>` or
/// `<meta http-equiv="Content-Type" content="..; charset=..">`, within its head.
fn html_meta_charset(head: &[u8]) -> Option<&'static Encoding> {
    let probe = &head[..head.len().min(16 * 1024)];
    let lower: Vec<u8> = probe.iter().map(|b| b.to_ascii_lowercase()).collect();
    let is_html = memchr::memmem::find(&lower, b"<html").is_some()
        || memchr::memmem::find(&lower, b"<!doctype html").is_some()
        || memchr::memmem::find(&lower, b"<meta").is_some();
    if !is_html {
        return None;
    }
    let mut from = 0;
    while let Some(i) = memchr::memmem::find(&lower[from..], b"<meta") {
        let start = from + i;
        let end = memchr::memchr(b'>', &lower[start..]).map_or(lower.len(), |j| start + j);
        let tag = &lower[start..end];
        if let Some(j) = memchr::memmem::find(tag, b"charset") {
            let mut k = j + "charset".len();
            while k < tag.len()
                && (tag[k] == b' ' || tag[k] == b'=' || tag[k] == b'"' || tag[k] == b'\'')
            {
                k += 1;
            }
            let label_end = tag[k..]
                .iter()
                .position(|b| {
                    !(b.is_ascii_alphanumeric()
                        || *b == b'-'
                        || *b == b'_'
                        || *b == b':'
                        || *b == b'.')
                })
                .map_or(tag.len(), |p| k + p);
            if let Some(enc) = Encoding::for_label(&tag[k..label_end]) {
                return Some(enc);
            }
        }
        from = end;
    }
    None
}

/// Binary data: NUL bytes, or many control bytes, in the head.
fn looks_binary(head: &[u8]) -> bool {
    if memchr::memchr(0, head).is_some() {
        return true;
    }
    let control = head
        .iter()
        .filter(|&&b| b < 0x20 && !matches!(b, b'\n' | b'\r' | b'\t' | 0x0c | 0x1b))
        .count();
    control * 20 > head.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode_bytes(bytes: &[u8]) -> Result<String, ParseError> {
        let dir = std::env::temp_dir().join(format!("newswire-decode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(format!("{:x}.txt", xxhash_rust::xxh3::xxh3_64(bytes)));
        std::fs::write(&path, bytes).expect("write temp file");
        let (mut stream, mut text) = TextStream::open(&path)?;
        while let Some(chunk) = stream.next_chunk()? {
            text.push_str(&chunk);
        }
        let _ = std::fs::remove_file(&path);
        Ok(text)
    }

    #[test]
    fn utf8_with_and_without_bom() {
        assert_eq!(
            decode_bytes("caf\u{e9}\r\nok".as_bytes()).expect("text"),
            "caf\u{e9}\nok"
        );
        assert_eq!(decode_bytes(b"\xEF\xBB\xBFhello").expect("text"), "hello");
    }

    #[test]
    fn latin1_byte_in_ascii_text_is_windows_1252() {
        assert_eq!(
            decode_bytes(b"cost \xa3600m in total").expect("text"),
            "cost \u{a3}600m in total"
        );
    }

    #[test]
    fn stray_latin1_byte_in_utf8_text_keeps_the_utf8() {
        let text = decode_bytes(b"na\xc3\xafve \xa3 5").expect("text");
        assert_eq!(text, "na\u{ef}ve \u{a3} 5");
    }

    #[test]
    fn multibyte_characters_across_chunk_boundaries() {
        let text = "\u{20ac}".repeat(30_000) + "\r\n" + &"\u{20ac}x\r".repeat(40_000);
        let want = text.replace("\r\n", "\n").replace('\r', "\n");
        assert_eq!(decode_bytes(text.as_bytes()).expect("text"), want);
        let mut utf16 = vec![0xFE, 0xFF];
        for u in text.encode_utf16() {
            utf16.extend_from_slice(&u.to_be_bytes());
        }
        assert_eq!(decode_bytes(&utf16).expect("text"), want);
    }

    #[test]
    fn utf16_with_bom() {
        let mut bytes = vec![0xFF, 0xFE];
        for u in "Tokyo \u{2014} ok".encode_utf16() {
            bytes.extend_from_slice(&u.to_le_bytes());
        }
        assert_eq!(decode_bytes(&bytes).expect("text"), "Tokyo \u{2014} ok");
    }

    #[test]
    fn html_meta_charset_is_honoured() {
        let page =
            b"<html><head><meta charset=\"iso-8859-1\"></head><body>S\xe3o Paulo</body></html>";
        assert!(decode_bytes(page).expect("text").contains("S\u{e3}o Paulo"));
    }

    #[test]
    fn xml_encoding_declaration_is_honoured_unless_the_bytes_are_utf8() {
        let koi8 =
            b"<?xml version=\"1.0\" encoding=\"KOI8-R\"?><rss>\xf0\xd2\xc9\xd7\xc5\xd4</rss>";
        assert_eq!(
            decode_bytes(koi8).expect("text"),
            "<?xml version=\"1.0\" encoding=\"KOI8-R\"?><rss>\u{41f}\u{440}\u{438}\u{432}\u{435}\u{442}</rss>"
        );
        // Declared Latin-1, sent as UTF-8 (a wrong declaration): the UTF-8 wins.
        let wrong =
            "<?xml version='1.0' encoding='ISO-8859-1'?><rss>S\u{e3}o Paulo \u{2014} ok</rss>";
        assert_eq!(decode_bytes(wrong.as_bytes()).expect("text"), wrong);
        // Declared UTF-8, sent as Latin-1: each stray byte is read as Windows-1252.
        let latin1 = b"<?xml version=\"1.0\" encoding=\"utf-8\"?><rss>caf\xe9</rss>";
        assert!(decode_bytes(latin1)
            .expect("text")
            .ends_with("caf\u{e9}</rss>"));
    }

    #[test]
    fn empty_and_binary_files_are_refused() {
        assert!(matches!(decode_bytes(b"  \n\n"), Err(ParseError::Empty)));
        assert!(matches!(
            decode_bytes(b"\x00\x01\x02binary\x00\xff"),
            Err(ParseError::Binary)
        ));
    }

    #[test]
    fn gzip_is_detected_by_magic() {
        use std::io::Write;
        let mut enc = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        enc.write_all(b"Headline\n\nBody text.").expect("gzip");
        let gz = enc.finish().expect("gzip");
        assert_eq!(decode_bytes(&gz).expect("text"), "Headline\n\nBody text.");
    }
}
