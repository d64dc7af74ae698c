//! Training documents from the GUM corpus (Georgetown University Multilayer corpus,
//! <https://github.com/amir-zeldes/gum>, `dep/*.conllu`; annotations CC BY 4.0, texts
//! under the licence of each genre, see its `LICENSE.txt`).
//!
//! GUM marks every mention of an entity (named or not, nested) with a type; CoNLL-style
//! names are derived from it: a person, place or organization mention is a name when its
//! head is a proper noun (or, when the head is a common noun as in "Republican Party
//! nominee Ken Cuccinelli", when it holds proper nouns outside its nested mentions). The
//! name is the capitalized run around that proper noun (with `of`, `and`, `&` inside
//! organization and place names), without the titles before a person's name; a country
//! typed as an organization (a government acting) is a place, as CoNLL has it; named
//! mentions of other types are MISC; the outermost name wins. Text is written the way
//! `read_conll` writes it (tokens joined by spaces, one sentence a line).

use newswire::entities::gazetteer::{gazetteer, phrase_hash, G_LOC};
use newswire::entities::model::TrainDoc;

/// Words before a person's name that are not part of it.
const TITLES: &[&str] = &[
    "president",
    "vice",
    "prime",
    "minister",
    "secretary",
    "senator",
    "sen.",
    "sen",
    "governor",
    "gov.",
    "gov",
    "mayor",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "mr",
    "mr.",
    "mrs",
    "mrs.",
    "ms",
    "ms.",
    "dr",
    "dr.",
    "general",
    "gen.",
    "gen",
    "col.",
    "colonel",
    "lt.",
    "captain",
    "capt.",
    "sgt.",
    "sergeant",
    "chairman",
    "chairwoman",
    "ceo",
    "judge",
    "justice",
    "rep.",
    "representative",
    "congressman",
    "congresswoman",
    "chancellor",
    "premier",
    "ambassador",
    "director",
    "professor",
    "prof.",
    "bishop",
    "archbishop",
    "cardinal",
    "father",
    "rev.",
    "reverend",
    "commissioner",
    "spokesman",
    "spokeswoman",
    "chief",
    "executive",
    "officer",
    "coach",
    "manager",
    "leader",
    "state",
    "foreign",
    "defense",
    "defence",
    "deputy",
    "former",
    "then",
    "interior",
    "finance",
    "attorney",
    "admiral",
    "major",
    "commander",
    "senior",
    "junior",
    "lieutenant",
    "sheriff",
    "inspector",
    "detective",
    "agent",
    "saint",
    "st.",
    "lady",
    "lord",
    "sir",
    "dame",
    "president-elect",
    "candidate",
    "democrat",
    "republican",
    "democratic",
    "nominee",
    "speaker",
];

/// Words that may join the parts of an organization or place name.
const CONNECT: &[&str] = &[
    "of", "and", "&", "de", "for", "the", "du", "von", "van", "al", "-", "on", "upon", "da", "del",
    "la", "le", "bin", "'s", ".",
];

/// Words that may join the parts of a person's name.
const PER_CONNECT: &[&str] = &[
    "-", "de", "van", "von", "bin", "al", "da", "del", "la", "le", "du", ".",
];

struct Tok {
    form: String,
    proper: bool,
    /// A plural proper noun (`Afghans`, `Democrats`).
    plural: bool,
    /// Index of the syntactic head in the document (`None` for a root).
    head: Option<usize>,
}

fn cap(w: &str) -> bool {
    w.chars()
        .next()
        .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

fn is_in(list: &[&str], w: &str) -> bool {
    let w = w.to_lowercase();
    list.contains(&w.as_str())
}

/// A mention: first token, end token, GUM entity type.
type Mention = (usize, usize, String);

/// Tokens, sentences (token ranges) and mentions of one document.
fn parse(data: &str) -> (Vec<Tok>, Vec<std::ops::Range<usize>>, Vec<Mention>) {
    let mut toks: Vec<Tok> = Vec::new();
    let mut sents = Vec::new();
    let mut ments = Vec::new();
    let mut open: std::collections::HashMap<String, Vec<(usize, String)>> = Default::default();
    let mut sstart = 0;
    for line in data.lines() {
        if line.starts_with('#') {
            continue;
        }
        if line.trim().is_empty() {
            if toks.len() > sstart {
                sents.push(sstart..toks.len());
            }
            sstart = toks.len();
            continue;
        }
        let c: Vec<&str> = line.split('\t').collect();
        if c.len() < 10 || c[0].contains('-') || c[0].contains('.') {
            continue;
        }
        let i = toks.len();
        let head = c[6]
            .parse::<usize>()
            .ok()
            .filter(|&h| h > 0)
            .map(|h| sstart + h - 1);
        toks.push(Tok {
            form: c[1].to_string(),
            proper: c[4] == "NNP" || c[4] == "NNPS",
            plural: c[4] == "NNPS",
            head,
        });
        let Some(e) = c[9].split('|').find_map(|kv| kv.strip_prefix("Entity=")) else {
            continue;
        };
        // `(12-person-...` opens, `(12-person-...)` is one token, `12)` closes.
        let b = e.as_bytes();
        let mut p = 0;
        while p < b.len() {
            if b[p] == b'(' {
                let mut j = p + 1;
                while j < b.len() && b[j] != b'(' && b[j] != b')' {
                    j += 1;
                }
                let mut f = e[p + 1..j].split('-');
                let eid = f.next().unwrap_or("").to_string();
                let ty = f.next().unwrap_or("").to_string();
                if j < b.len() && b[j] == b')' {
                    ments.push((i, i + 1, ty));
                    p = j + 1;
                } else {
                    open.entry(eid).or_default().push((i, ty));
                    p = j;
                }
            } else {
                let mut j = p;
                while j < b.len() && b[j].is_ascii_digit() {
                    j += 1;
                }
                if j > p && j < b.len() && b[j] == b')' {
                    if let Some((s, ty)) = open.get_mut(&e[p..j]).and_then(|v| v.pop()) {
                        ments.push((s, i + 1, ty));
                    }
                    p = j + 1;
                } else {
                    p += 1;
                }
            }
        }
    }
    if toks.len() > sstart {
        sents.push(sstart..toks.len());
    }
    (toks, sents, ments)
}

/// Name spans (token range, type index into `TYPES`) of a document's mentions.
fn names(toks: &[Tok], ments: &[Mention]) -> Vec<(usize, usize, usize)> {
    let mut cands = Vec::new();
    for (s, e, ety) in ments {
        let (s, e) = (*s, *e);
        let ty = match ety.as_str() {
            "person" => 0,
            "organization" => 1,
            "place" => 2,
            _ => 3,
        };
        let mut head = (s..e)
            .find(|&i| !toks[i].head.is_some_and(|h| (s..e).contains(&h)))
            .unwrap_or(s);
        if !toks[head].proper {
            let inner: std::collections::HashSet<usize> = ments
                .iter()
                .filter(|m| s <= m.0 && m.1 <= e && (m.0, m.1) != (s, e))
                .flat_map(|m| m.0..m.1)
                .collect();
            match (s..e).rev().find(|i| toks[*i].proper && !inner.contains(i)) {
                Some(h) => head = h,
                None => continue,
            }
        }
        let conn = if ty == 0 { PER_CONNECT } else { CONNECT };
        if ty == 0 && is_in(TITLES, &toks[head].form) {
            continue;
        }
        let f = |i: usize| toks[i].form.as_str();
        let mut a = head;
        while a > s && (cap(f(a - 1)) || (is_in(conn, f(a - 1)) && a - 1 > s && cap(f(a - 2)))) {
            a -= 1;
        }
        let mut b = head + 1;
        while b < e && (cap(f(b)) || (is_in(conn, f(b)) && b + 1 < e && cap(f(b + 1)))) {
            b += 1;
        }
        while a < b && (is_in(CONNECT, f(a)) || matches!(f(a), "The" | "A" | "An")) {
            a += 1;
        }
        while b > a && is_in(CONNECT, f(b - 1)) {
            b -= 1;
        }
        if ty == 0 {
            if let Some(last) = (a..head).rev().find(|&i| is_in(TITLES, f(i))) {
                a = last + 1;
            }
            while a < head && (is_in(TITLES, f(a)) || is_in(CONNECT, f(a))) {
                a += 1;
            }
        }
        if a >= b || !(a..b).any(|i| cap(f(i))) {
            continue;
        }
        // "Afghans", "Democrats": a group, not a person.
        if ty == 0 && b - a == 1 && toks[a].plural {
            continue;
        }
        let mut ty = ty;
        if ty == 1 {
            let name: Vec<&str> = (a..b).map(f).collect();
            if gazetteer().kinds(phrase_hash(&name.join(" "))) & G_LOC != 0 {
                ty = 2;
            }
        }
        cands.push((a, b, ty));
    }
    cands.sort_by_key(|&(a, b, _)| (std::cmp::Reverse(b - a), a));
    let mut taken = vec![false; toks.len()];
    let mut out = Vec::new();
    for (a, b, ty) in cands {
        if taken[a..b].iter().all(|t| !t) {
            taken[a..b].iter_mut().for_each(|t| *t = true);
            out.push((a, b, ty));
        }
    }
    out.sort();
    out
}

/// One GUM `.conllu` file as a training document.
pub fn read_gum(path: &str) -> Result<TrainDoc, String> {
    let data = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let (toks, sents, ments) = parse(&data);
    let spans = names(&toks, &ments);
    let mut text = String::new();
    let mut at = vec![(0usize, 0usize); toks.len()];
    for r in sents {
        if !text.is_empty() {
            text.push('\n');
        }
        for i in r.clone() {
            if i > r.start {
                text.push(' ');
            }
            let s = text.len();
            text.push_str(&toks[i].form);
            at[i] = (s, text.len());
        }
    }
    Ok(TrainDoc {
        spans: spans
            .into_iter()
            .map(|(a, b, ty)| (at[a].0, at[b - 1].1, ty))
            .collect(),
        text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DOC: &str = "# newdoc id = x\n\
1\tRepublican\tRepublican\tADJ\tNNP\t_\t3\tamod\t_\tEntity=(1-person-new-x-cf1-1-coref(2-organization-new-x-cf2-1-coref\n\
2\tParty\tParty\tPROPN\tNNP\t_\t3\tcompound\t_\tEntity=2)\n\
3\tnominee\tnominee\tNOUN\tNN\t_\t0\troot\t_\t_\n\
4\tKen\tKen\tPROPN\tNNP\t_\t3\tflat\t_\t_\n\
5\tCuccinelli\tCuccinelli\tPROPN\tNNP\t_\t3\tflat\t_\tEntity=1)\n\
6\tvisited\tvisit\tVERB\tVBD\t_\t3\tacl\t_\t_\n\
7\tthe\tthe\tDET\tDT\t_\t8\tdet\t_\tEntity=(3-place-new-x-cf3-1-coref\n\
8\tUnited\tUnited\tPROPN\tNNP\t_\t6\tobj\t_\t_\n\
9\tStates\tStates\tPROPN\tNNP\t_\t8\tflat\t_\tEntity=3)\n";

    #[test]
    fn names_come_from_proper_noun_mentions_without_titles() {
        let (toks, _, ments) = parse(DOC);
        let n = names(&toks, &ments);
        assert_eq!(n, vec![(0, 2, 1), (3, 5, 0), (7, 9, 2)]);
    }
}
