//! The index's own naming rules, `names.toml` in the index folder: the user's
//! aliases (`"S and P" = "Standard & Poor's"`) and stop-names (names never reported
//! as entities, everywhere or only in one source's own stories: `Xinhua` in Xinhua's).
//!
//! In: the file's text. Out: [`NameRules`], applied to an article's entity lists
//! after the built-in table ([`super::aliases`]). Indexing applies them to each
//! article, and when the file changes, [`NameRules::changed_names`] says which
//! names to look for so that only the articles naming them are re-tagged.
//!
//! ```toml
//! [aliases]                       # other spelling = the name to report (as written)
//! "S and P" = "Standard & Poor's"
//!
//! [stop]
//! names = ["Reuters Staff"]       # never an entity
//! [stop.sources]                  # not an entity in this source's own stories
//! Xinhua = ["Xinhua"]
//! ```
//!
//! Names are matched as whole names, in any case, for organizations, people and
//! places alike.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::article::{Aliases, Article};

use super::aliases::{key, rename};

/// The file's name in the index folder.
pub const NAMES_FILE: &str = "names.toml";

/// Why a names file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum NamesError {
    /// The file is not valid (TOML syntax, an unknown key, an alias cycle).
    #[error("{path}, line {line}: {reason}")]
    Invalid {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    /// The file exists but cannot be read.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileSpec {
    #[serde(default)]
    aliases: BTreeMap<String, String>,
    #[serde(default)]
    stop: StopSpec,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct StopSpec {
    #[serde(default)]
    names: Vec<String>,
    #[serde(default)]
    sources: BTreeMap<String, Vec<String>>,
}

/// The user's naming rules (empty when the index has no `names.toml`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NameRules {
    /// [`key`] of a spelling -> the name to report, as the user wrote it.
    aliases: HashMap<String, String>,
    /// Keys of names never reported.
    stop: HashSet<String>,
    /// Key of a source -> keys of names not reported in its stories.
    stop_in: HashMap<String, HashSet<String>>,
}

/// The entity lists of an article before the user's rules: what re-tagging starts
/// from when the rules change.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Tagged {
    pub org: Vec<String>,
    pub person: Vec<String>,
    pub place: Vec<String>,
    pub aliases: Aliases,
}

impl Tagged {
    pub fn of(a: &Article) -> Tagged {
        Tagged {
            org: a.org.clone(),
            person: a.person.clone(),
            place: a.place.clone(),
            aliases: a.aliases.clone(),
        }
    }

    /// Puts these lists into `a`.
    pub fn restore(self, a: &mut Article) {
        a.org = self.org;
        a.person = self.person;
        a.place = self.place;
        a.aliases = self.aliases;
    }
}

impl NameRules {
    /// The rules in `dir/names.toml`, and the file's text (empty when there is none).
    pub fn load(dir: &Path) -> Result<(NameRules, String), NamesError> {
        let path = dir.join(NAMES_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(source) => return Err(NamesError::Io { path, source }),
        };
        let rules = NameRules::parse(&text, &path)?;
        Ok((rules, text))
    }

    /// Parses the text of a names file; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<NameRules, NamesError> {
        let invalid = |offset: usize, reason: String| NamesError::Invalid {
            path: path.to_path_buf(),
            line: text[..offset.min(text.len())].matches('\n').count() + 1,
            reason,
        };
        let spec: FileSpec = toml::from_str(text).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            invalid(at, e.message().trim().replace("\n", "; "))
        })?;
        // Where a quoted name first appears, for errors about it.
        let find = |name: &str| text.find(&format!("\"{name}\"")).unwrap_or(0);
        let mut rules = NameRules::default();
        for (from, to) in &spec.aliases {
            if key(to).is_empty() || key(from).is_empty() {
                return Err(invalid(
                    find(from),
                    "an alias and its name cannot be empty".into(),
                ));
            }
            rules.aliases.insert(key(from), to.trim().to_string());
        }
        // `A = B` and `B = C`: A is reported as C. A cycle is a mistake.
        let keys: Vec<String> = rules.aliases.keys().cloned().collect();
        for k in keys {
            let mut to = rules.aliases[&k].clone();
            let mut seen = vec![k.clone()];
            while let Some(next) = rules.aliases.get(&key(&to)) {
                if key(next) == key(&to) {
                    break;
                }
                if seen.contains(&key(&to)) {
                    let first = spec.aliases.keys().find(|f| key(f) == k).map_or("", |s| s);
                    return Err(invalid(
                        find(first),
                        format!("the aliases of \"{first}\" go round in a circle"),
                    ));
                }
                seen.push(key(&to));
                to = next.clone();
            }
            rules.aliases.insert(k, to);
        }
        rules.stop = spec.stop.names.iter().map(|n| key(n)).collect();
        for (source, names) in &spec.stop.sources {
            rules
                .stop_in
                .entry(key(source))
                .or_default()
                .extend(names.iter().map(|n| key(n)));
        }
        Ok(rules)
    }

    pub fn is_empty(&self) -> bool {
        self.aliases.is_empty() && self.stop.is_empty() && self.stop_in.is_empty()
    }

    fn stopped(&self, source: &str, k: &str) -> bool {
        self.stop.contains(k) || self.stop_in.get(source).is_some_and(|s| s.contains(k))
    }

    /// Applies the rules to an article's entity lists (after the built-in table).
    /// Returns the lists as they were when the rules changed anything, else `None`.
    pub fn apply(&self, a: &mut Article) -> Option<Tagged> {
        if self.is_empty() {
            return None;
        }
        let before = Tagged::of(a);
        let source = key(a.source.as_deref().unwrap_or(""));
        for (names, aliases) in [
            (&mut a.org, &mut a.aliases.org),
            (&mut a.person, &mut a.aliases.person),
            (&mut a.place, &mut a.aliases.place),
        ] {
            let mut dropped: Vec<String> = Vec::new();
            names.retain(|n| {
                let k = key(n);
                let to = self.aliases.get(&k).map_or(k.clone(), |t| key(t));
                let stop = self.stopped(&source, &k) || self.stopped(&source, &to);
                if stop {
                    dropped.push(k);
                }
                !stop
            });
            rename(names, aliases, |n| {
                let to = self.aliases.get(&key(n))?;
                (to != n).then(|| to.clone())
            });
            aliases.retain(|x| !dropped.contains(&key(x)) && !self.stopped(&source, &key(x)));
        }
        (Tagged::of(a) != before).then_some(before)
    }

    /// Keys of the names whose treatment differs between `self` and `other`: the
    /// articles to re-tag are among those naming one of them (before the rules).
    pub fn changed_names(&self, other: &NameRules) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        for k in self.aliases.keys().chain(other.aliases.keys()) {
            if self.aliases.get(k) != other.aliases.get(k) {
                out.insert(k.clone());
            }
        }
        out.extend(self.stop.symmetric_difference(&other.stop).cloned());
        let empty = HashSet::new();
        for s in self.stop_in.keys().chain(other.stop_in.keys()) {
            let a = self.stop_in.get(s).unwrap_or(&empty);
            let b = other.stop_in.get(s).unwrap_or(&empty);
            out.extend(a.symmetric_difference(b).cloned());
        }
        // A name an alias now leads to may be stopped by the other rules.
        let targets: Vec<String> = out
            .iter()
            .flat_map(|k| [self.aliases.get(k), other.aliases.get(k)])
            .flatten()
            .map(|t| key(t))
            .collect();
        out.extend(targets);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(text: &str) -> NameRules {
        NameRules::parse(text, Path::new("idx/names.toml")).expect("valid")
    }

    fn article(source: &str, org: &[&str]) -> Article {
        Article {
            source: Some(source.into()),
            org: org.iter().map(|s| s.to_string()).collect(),
            ..Article::default()
        }
    }

    const RULES: &str = r#"
[aliases]
"S and P" = "Standard & Poor's"
"Big Blue" = "IBM"

[stop]
names = ["Reuters Staff"]
[stop.sources]
Xinhua = ["Xinhua"]
"#;

    #[test]
    fn aliases_rename_and_keep_the_spelling_as_an_alias() {
        let mut a = article("AFP", &["s and p", "Standard & Poor's", "OPEC"]);
        let before = rules(RULES).apply(&mut a).expect("changed");
        assert_eq!(a.org, vec!["Standard & Poor's", "OPEC"]);
        assert_eq!(a.aliases.org, vec!["s and p"]);
        assert_eq!(before.org, vec!["s and p", "Standard & Poor's", "OPEC"]);
    }

    #[test]
    fn stop_names_go_everywhere_or_in_one_source_only() {
        let r = rules(RULES);
        let mut own = article("Xinhua", &["Xinhua", "UN"]);
        own.person = vec!["Reuters Staff".into()];
        assert!(r.apply(&mut own).is_some());
        assert_eq!(own.org, vec!["UN"]);
        assert!(own.person.is_empty());
        let mut other = article("AFP", &["XINHUA", "UN"]);
        assert_eq!(r.apply(&mut other), None, "Xinhua named by AFP stays");
        assert_eq!(other.org, vec!["XINHUA", "UN"]);
    }

    #[test]
    fn no_file_changes_nothing() {
        let mut a = article("AFP", &["S and P"]);
        assert_eq!(NameRules::default().apply(&mut a), None);
        assert_eq!(a.org, vec!["S and P"]);
    }

    #[test]
    fn chains_resolve_and_cycles_are_errors_with_their_line() {
        let r = rules("[aliases]\n\"A1\" = \"B1\"\n\"B1\" = \"C1\"\n");
        let mut a = article("X", &["a1"]);
        r.apply(&mut a);
        assert_eq!(a.org, vec!["C1"]);
        let e = NameRules::parse(
            "[aliases]\n\"A1\" = \"B1\"\n\"B1\" = \"A1\"\n",
            Path::new("idx/names.toml"),
        )
        .expect_err("cycle");
        let msg = e.to_string();
        assert!(
            msg.contains("idx/names.toml, line 2") && msg.contains("circle"),
            "{msg}"
        );
    }

    #[test]
    fn bad_files_name_the_file_and_line() {
        for (text, line) in [
            (
                "[aliases]\n\"S and P\" = \"Standard & Poor's\"\nbroken = \n",
                3,
            ),
            ("[stop]\nnames = [\"A\"]\nnmes = [\"B\"]\n", 3),
            ("\n\n[aliases]\n\"X\" = 3\n", 4),
        ] {
            let e = NameRules::parse(text, Path::new("idx/names.toml")).expect_err(text);
            let msg = e.to_string();
            assert!(
                msg.starts_with(&format!("idx/names.toml, line {line}:")),
                "{msg}"
            );
        }
    }

    #[test]
    fn changed_names_are_what_differs() {
        let old = rules(RULES);
        let new = rules(
            r#"
[aliases]
"S and P" = "Standard & Poor's"
"Big Blue" = "International Business Machines"
[stop]
names = ["Reuters Staff", "Enditem"]
[stop.sources]
Xinhua = []
"#,
        );
        let got: Vec<String> = old.changed_names(&new).into_iter().collect();
        assert_eq!(
            got,
            vec![
                "big blue",
                "enditem",
                "ibm",
                "international business machines",
                "xinhua"
            ]
        );
        assert!(old.changed_names(&old).is_empty());
    }
}
