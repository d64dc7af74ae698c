//! Fixtures shared by the benchmarks: synthetic articles in every input format, written
//! to a temporary folder at run time, and (when present) real files from
//! `../shared/corpora`, which are read in place and never copied into the repository.

#![allow(dead_code)] // each bench uses a part of this module

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

const WORDS: &[&str] = &[
    "government",
    "said",
    "the",
    "minister",
    "prices",
    "oil",
    "market",
    "bank",
    "rates",
    "interest",
    "trade",
    "exports",
    "talks",
    "police",
    "army",
    "election",
    "vote",
    "court",
    "company",
    "shares",
    "profit",
    "quarter",
    "growth",
    "economy",
    "percent",
    "billion",
    "dollars",
    "officials",
    "week",
    "year",
    "country",
    "capital",
    "city",
    "report",
    "new",
    "agreement",
    "security",
    "council",
    "president",
    "party",
    "workers",
    "strike",
    "union",
    "coffee",
    "cocoa",
    "wheat",
    "gold",
    "yen",
    "inflation",
    "deficit",
    "budget",
    "plan",
    "on",
    "in",
    "of",
    "and",
    "to",
    "a",
    "for",
    "with",
    "by",
    "after",
    "before",
    "from",
];
pub const ORGS: &[&str] = &[
    "United Nations",
    "NATO",
    "World Bank",
    "OPEC",
    "European Union",
    "IMF",
    "Bank of Japan",
    "Federal Reserve",
    "Xinhua",
    "Reuters",
    "Red Cross",
    "World Health Organization",
    "Toyota",
    "General Motors",
    "Microsoft",
    "Google",
    "BBC",
    "Arsenal",
    "Chelsea",
    "FIFA",
];
pub const PEOPLE: &[&str] = &[
    "John Smith",
    "Tony Blair",
    "George Bush",
    "Kofi Annan",
    "Hu Jintao",
    "Gordon Brown",
    "Maria Lopez",
    "Ahmed Hassan",
    "Li Wei",
    "Anna Schmidt",
];
pub const PLACES: &[&str] = &[
    "Baghdad",
    "Beijing",
    "London",
    "Washington",
    "Tokyo",
    "Paris",
    "Seoul",
    "Kuala Lumpur",
    "Moscow",
    "Cairo",
    "Brazil",
    "Japan",
    "Iraq",
    "China",
];
const MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// A small deterministic generator (no `rand` dependency, same text on every run).
pub struct Lcg(u64);

impl Lcg {
    pub fn new(seed: u64) -> Self {
        Lcg(seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407))
    }
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    pub fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

/// One synthetic story: headline, paragraphs naming organizations, people and places.
pub struct Story {
    pub headline: String,
    pub paragraphs: Vec<String>,
    pub orgs: Vec<String>,
    pub places: Vec<String>,
    pub people: Vec<String>,
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Story {
    pub fn body(&self) -> String {
        self.paragraphs.join("\n\n")
    }
}

pub fn story(i: u64) -> Story {
    let mut r = Lcg::new(i);
    let sentence = |r: &mut Lcg, n: usize| {
        let mut s = String::new();
        for k in 0..n {
            let w = r.pick(WORDS);
            if k == 0 {
                let mut c = w.chars();
                if let Some(f) = c.next() {
                    s.extend(f.to_uppercase());
                    s.push_str(c.as_str());
                }
            } else {
                s.push(' ');
                s.push_str(w);
            }
        }
        s
    };
    let org = r.pick(ORGS).to_string();
    let person = r.pick(PEOPLE).to_string();
    let place = r.pick(PLACES).to_string();
    let mut paragraphs = Vec::new();
    for p in 0..(3 + r.next() % 5) {
        let mut para = String::new();
        for s in 0..(2 + r.next() % 3) {
            let len = 8 + (r.next() % 14) as usize;
            let mut text = sentence(&mut r, len);
            if (p + s) % 3 == 0 {
                let _ = write!(text, ", {person} of the {org} said in {place}");
            }
            para.push_str(&text);
            para.push_str(". ");
        }
        paragraphs.push(para.trim_end().to_string());
    }
    Story {
        headline: format!(
            "{} {} {}",
            r.pick(PLACES),
            sentence(&mut r, 5).to_lowercase(),
            r.pick(WORDS)
        ),
        paragraphs,
        orgs: vec![org],
        places: vec![place],
        people: vec![person],
        year: 1987 + (r.next() % 20) as i32,
        month: 1 + (r.next() % 12) as u8,
        day: 1 + (r.next() % 28) as u8,
    }
}

fn month_name(m: u8) -> &'static str {
    MONTHS[usize::from(m - 1)]
}

/// A Xinhua page scrape (china.org.cn layout).
pub fn page_text(s: &Story) -> String {
    let mut t = format!(
        "{}\n\n0 Comment(s)Print E-mail Xinhua, {} {:02}, {}\n\n{}, {}. {} (Xinhua) -- ",
        s.headline,
        month_name(s.month),
        s.day,
        s.year,
        s.places[0].to_uppercase(),
        &month_name(s.month)[..3],
        s.day,
    );
    t.push_str(&s.paragraphs.join("\n\n"));
    t.push_str(" Enditem\n\nPrint E-mail Bookmark and Share\n\nGo to Forum >>0 Comment(s)\n\nNo comments.\n\nAdd your comments...\n");
    t
}

/// An AFP wire story.
pub fn wire_text(s: &Story) -> String {
    format!(
        "{}\n\n{}, {} {} (AFP) - {}\n",
        s.headline,
        s.places[0].to_uppercase(),
        month_name(s.month),
        s.day,
        s.paragraphs.join("\n\n")
    )
}

/// Reuters-21578 SGML with `n` documents.
pub fn reuters_text(first: u64, n: u64) -> String {
    let mut t = String::from("<!DOCTYPE lewis SYSTEM \"lewis.dtd\">\n");
    for i in first..first + n {
        let s = story(i);
        let _ = write!(
            t,
            "<REUTERS TOPICS=\"YES\" LEWISSPLIT=\"TRAIN\" CGISPLIT=\"TRAINING-SET\" OLDID=\"{}\" NEWID=\"{}\">\n\
             <DATE>{:2}-{}-{} 15:01:01.79</DATE>\n<TOPICS><D>trade</D></TOPICS>\n\
             <PLACES><D>{}</D></PLACES>\n<PEOPLE></PEOPLE>\n<ORGS><D>{}</D></ORGS>\n\
             <EXCHANGES></EXCHANGES>\n<COMPANIES></COMPANIES>\n<UNKNOWN>&#5;&#5;&#5;C T</UNKNOWN>\n\
             <TEXT>&#2;\n<TITLE>{}</TITLE>\n<DATELINE>    {}, {} {} - </DATELINE><BODY>{}\n Reuter\n&#3;</BODY></TEXT>\n</REUTERS>\n",
            i + 5000,
            i + 1,
            s.day,
            month_name(s.month)[..3].to_uppercase(),
            s.year,
            s.places[0].to_lowercase(),
            s.orgs[0].to_lowercase(),
            s.headline.to_uppercase(),
            s.places[0].to_uppercase(),
            &month_name(s.month)[..3],
            s.day,
            s.paragraphs.join("\n    "),
        );
    }
    t
}

/// TREC (AP89) SGML with `n` documents.
pub fn trec_text(first: u64, n: u64) -> String {
    let mut t = String::new();
    for i in first..first + n {
        let s = story(i);
        let yy = s.year % 100;
        let _ = write!(
            t,
            "<DOC>\n<DOCNO> AP{yy:02}{:02}{:02}-{:04} </DOCNO>\n<FILEID>AP-NR-{:02}-{:02}-{yy:02} 2358EST</FILEID>\n\
             <HEAD>{}</HEAD>\n<BYLINE>By {}</BYLINE>\n<BYLINE>Associated Press Writer</BYLINE>\n\
             <DATELINE>{} (AP) </DATELINE>\n<TEXT>\n   {}\n</TEXT>\n</DOC>\n",
            s.month,
            s.day,
            i % 10_000,
            s.month,
            s.day,
            s.headline,
            s.people[0].to_uppercase(),
            s.places[0].to_uppercase(),
            s.paragraphs.join("\n   "),
        );
    }
    t
}

/// JSON Lines in the peers' shape, `n` articles.
pub fn json_lines(first: u64, n: u64) -> String {
    let mut t = String::new();
    for i in first..first + n {
        let s = story(i);
        let line = serde_json::json!({
            "id": format!("syn-{i}"),
            "headline": s.headline,
            "body": s.body(),
            "date": format!("{:04}-{:02}-{:02}", s.year, s.month, s.day),
            "orgs": s.orgs,
            "places": s.places,
            "people": s.people,
        });
        t.push_str(&line.to_string());
        t.push('\n');
    }
    t
}

/// A news web page with navigation and footer around the article.
pub fn html_text(s: &Story) -> String {
    let mut t = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{} - Example News</title>\n\
         <meta property=\"og:title\" content=\"{}\">\n\
         <meta property=\"article:published_time\" content=\"{:04}-{:02}-{:02}T08:00:00Z\">\n\
         <link rel=\"canonical\" href=\"https://news.example.com/{:04}/{:02}/story.html\"></head>\n<body>\n\
         <nav><ul><li><a href=\"/\">Home</a></li><li><a href=\"/world\">World</a></li><li><a href=\"/business\">Business</a></li></ul></nav>\n\
         <article><h1>{}</h1><p class=\"byline\">By {}</p>\n",
        s.headline, s.headline, s.year, s.month, s.day, s.year, s.month, s.headline, s.people[0]
    );
    for p in &s.paragraphs {
        let _ = writeln!(t, "<p>{p}</p>");
    }
    t.push_str("</article>\n<aside><h2>Most read</h2><ul><li><a href=\"/a\">Other story</a></li></ul></aside>\n<footer>Copyright Example News. All rights reserved.</footer>\n</body></html>\n");
    t
}

/// Synthetic fixtures, one per format, written into `dir`: (label, path).
pub fn write_fixtures(dir: &Path) -> Vec<(String, PathBuf)> {
    let s = story(42);
    let mut out = Vec::new();
    let mut put = |label: &str, rel: &str, text: String| {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("temp dir is writable");
        }
        std::fs::write(&path, text).expect("temp dir is writable");
        out.push((label.to_string(), path));
    };
    put(
        "page",
        "xinhua-pages/XIN_ENG_20051101.0011.txt",
        page_text(&s),
    );
    put("wire", "afp-wire/AFP_ENG_19970401.0006.txt", wire_text(&s));
    put(
        "reuters_x200",
        "reuters/reut2-000.sgm",
        reuters_text(0, 200),
    );
    put("trec_x200", "ap89/ap890101", trec_text(0, 200));
    put("json_x200", "export/articles.jsonl", json_lines(0, 200));
    put("html", "html-pages/story.html", html_text(&s));
    out
}

/// Where the shared real corpora are, if this checkout has them.
pub fn corpora() -> Option<PathBuf> {
    let dir = std::env::var_os("NEWSWIRE_CORPORA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpora"));
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: no real corpora at {} (set NEWSWIRE_CORPORA): benchmarking synthetic fixtures only",
            dir.display()
        );
        None
    }
}

/// One real file per format from the shared corpora (read in place): (label, path).
pub fn real_files(corpora: &Path) -> Vec<(String, PathBuf)> {
    let first = |sub: &str, pred: &dyn Fn(&str) -> bool| -> Option<PathBuf> {
        let mut names: Vec<_> = std::fs::read_dir(corpora.join(sub))
            .ok()?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_file() && p.file_name().and_then(|n| n.to_str()).is_some_and(pred))
            .collect();
        names.sort();
        names.into_iter().next()
    };
    let mut out = Vec::new();
    type Pick<'a> = (&'a str, &'a str, &'a dyn Fn(&str) -> bool);
    let picks: [Pick; 6] = [
        ("real_page_xinhua", "xinhua-pages", &|n| {
            n.starts_with("XIN_ENG_")
        }),
        ("real_wire_afp", "afp-wire", &|n| n.starts_with("AFP_ENG_")),
        ("real_reuters_sgm", "reuters21578", &|n| {
            n == "reut2-000.sgm"
        }),
        ("real_trec_ap89", "ap89", &|n| n.starts_with("ap89")),
        ("real_text_bbc", "bbc/business", &|n| n.ends_with(".txt")),
        ("real_html_gz", "html-pages/html", &|n| {
            n.ends_with(".html.gz")
        }),
    ];
    for (label, sub, pred) in picks {
        if let Some(p) = first(sub, pred) {
            out.push((label.to_string(), p));
        }
    }
    out
}
