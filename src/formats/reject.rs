//! Files met when walking a corpus that hold no articles.
//!
//! In: the decoded head of a file and its path. Out: the reason to skip it, when it is
//! plainly not news articles: CoNLL-2003 NER data, README/licence files, SGML DTDs,
//! lists of lowercase code strings. Indexing a whole corpus folder then reports them
//! with that reason instead of indexing them as garbage.

use std::path::Path;

/// Why the file is not articles, or `None` when it may be.
pub(crate) fn not_articles(head: &str, path: &Path) -> Option<String> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name).to_string();
    if is_conll(head) {
        return Some("CoNLL-2003 NER training data, not articles".into());
    }
    let stem = name.split('.').next().unwrap_or("");
    const DOC_WORDS: &[&str] = &[
        "readme",
        "license",
        "licence",
        "copying",
        "changelog",
        "description",
        "contributing",
    ];
    let doc_name = matches!(stem, "notice" | "authors" | "install" | "todo")
        || DOC_WORDS.iter().any(|w| stem.contains(w));
    if doc_name && !super::looks_like_markup(head) {
        return Some(format!("documentation file ({name}), not an article"));
    }
    let t = head.trim_start();
    if name.ends_with(".dtd")
        || t.starts_with("<!ELEMENT")
        || t.starts_with("<!ENTITY")
        || t.starts_with("<!ATTLIST")
    {
        return Some("SGML/XML document type definition (DTD), not articles".into());
    }
    if is_code_list(head) {
        return Some("list of lowercase code strings (category list), not articles".into());
    }
    None
}

/// `-DOCSTART- -X- -X- O` then `token POS chunk NER` lines.
fn is_conll(head: &str) -> bool {
    let mut lines = head.lines().filter(|l| !l.trim().is_empty()).take(40);
    let Some(first) = lines.next() else {
        return false;
    };
    let docstart = first.starts_with("-DOCSTART-");
    // Fast exit for prose: a CoNLL line has at most a handful of columns.
    if !docstart && first.split_whitespace().nth(5).is_some() {
        return false;
    }
    let rest: Vec<&str> = lines.collect();
    let tagged = rest
        .iter()
        .filter(|l| {
            let cols: Vec<&str> = l.split_whitespace().take(7).collect();
            cols.len() >= 2
                && cols.len() <= 5
                && cols.last().is_some_and(|t| {
                    *t == "O"
                        || t.starts_with("B-")
                        || t.starts_with("I-")
                        || t.starts_with("E-")
                        || t.starts_with("S-")
                })
        })
        .count();
    (docstart && tagged * 2 >= rest.len()) || (rest.len() >= 20 && tagged * 10 >= rest.len() * 9)
}

/// Many short lines, each a single lowercase token (`all-orgs-strings.lc.txt`).
fn is_code_list(head: &str) -> bool {
    let lines: Vec<&str> = head
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .take(200)
        .collect();
    lines.len() >= 5
        && lines.iter().all(|l| {
            l.len() <= 40
                && !l.contains(' ')
                && l.chars()
                    .all(|c| c.is_lowercase() || c.is_ascii_digit() || "-_.'&/".contains(c))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conll_data_is_rejected() {
        let conll = "-DOCSTART- -X- -X- O\n\nHARBOUR NNP B-NP B-ORG\nBANK NNP I-NP I-ORG\nwins VBZ B-VP O\n. . O O\n";
        let why = not_articles(conll, Path::new("train.txt")).expect("rejected");
        assert!(why.contains("CoNLL-2003"));
    }

    #[test]
    fn readme_dtd_and_code_lists() {
        assert!(not_articles("This dataset holds...", Path::new("data/README.txt")).is_some());
        assert!(not_articles(
            "Some notes on the categories",
            Path::new("cat-descriptions_1203.txt")
        )
        .is_some());
        assert!(not_articles("<!ENTITY % x \"y\">", Path::new("lewis.dtd")).is_some());
        assert!(not_articles(
            "acq\nalum\nbarley\nbop\ncarcass\ncocoa\n",
            Path::new("topics.txt")
        )
        .is_some());
        // Feeds are articles (the feed format reads them).
        assert!(not_articles(
            "<?xml version=\"1.0\"?><rss version=\"2.0\"><channel>",
            Path::new("f.xml")
        )
        .is_none());
        assert!(not_articles("Harbour wins\n\nThe harbour won.", Path::new("a.txt")).is_none());
    }
}
