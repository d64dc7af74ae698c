//! Canonical names across articles, and the index's own `names.toml`: one facet value
//! for an organization however articles spell it; stop-names and aliases applied by a
//! re-run that re-tags only the articles they change, without reading files again.

use std::fs;
use std::path::Path;

use serde::Deserialize;

use super::util::{newswire, search};

/// Wire stories written for this test: the same organizations under different
/// spellings, in different articles.
const STORIES: &[(&str, &str)] = &[
    (
        "vienna.txt",
        "Oil producers meet in Vienna\n\nVIENNA, March 3 (Xinhua) -- Ministers of the \
         Organization of the Petroleum Exporting Countries met in Vienna on Tuesday to discuss \
         output quotas. The U.S. government urged the group to raise production. Standard & \
         Poor's said the talks could affect credit ratings in the Gulf.\n",
    ),
    (
        "london.txt",
        "OPEC keeps output steady\n\nLONDON, March 4 (Reuters) - OPEC left its output target \
         unchanged on Wednesday, a move analysts at S&P said would keep prices firm. The US \
         Treasury said it was watching the market. Moody's Investors Service said the decision \
         was neutral for producers.\n",
    ),
    (
        "newyork.txt",
        "Rating agencies weigh Gulf debt\n\nNEW YORK, March 5 (AP) -- Moody's said on Thursday \
         it was reviewing the debt of three Gulf states, while Standard and Poor's kept its \
         outlook stable. The United States is the largest buyer of the bonds, and US Airways \
         said fuel costs would rise. OPEC ministers will meet again in June.\n",
    ),
    (
        "beijing.txt",
        "Xinhua opens new bureau\n\nBEIJING, March 6 (Xinhua) -- Xinhua News Agency opened a \
         new bureau in Nairobi on Friday. Xinhua said the bureau would cover East Africa. \
         Officials of the United States embassy attended.\n",
    ),
    (
        "paris.txt",
        "Agencies expand in Africa\n\nPARIS, March 7 (AFP) - Xinhua and Reuters have opened \
         bureaus in Nairobi this year, officials of the African Union said on Saturday.\n",
    ),
];

#[derive(Debug, Deserialize)]
struct IndexSummary {
    files: u64,
    files_unchanged: u64,
    names_changed: bool,
    retagged: u64,
}

fn index(dir: &Path) -> IndexSummary {
    let out = newswire(dir)
        .args(["index", "--json", "stories"])
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let last = stdout.lines().last().expect("summary line");
    serde_json::from_str(last).unwrap_or_else(|e| panic!("{e}: {last}"))
}

fn facet(dir: &Path, field: &str) -> Vec<(String, u64)> {
    search(dir, &["*", "--facet", field, "--facet-size", "50"])
        .facet(field)
        .counts
        .iter()
        .map(|v| (v.value.clone(), v.count))
        .collect()
}

fn count(values: &[(String, u64)], name: &str) -> u64 {
    values
        .iter()
        .find(|(v, _)| v == name)
        .map_or(0, |(_, n)| *n)
}

#[test]
fn one_facet_value_across_spellings_and_a_names_file_applied_by_a_re_run() {
    let tmp = tempfile::tempdir().expect("temp");
    let dir = tmp.path();
    fs::create_dir(dir.join("stories")).expect("mkdir");
    for (name, text) in STORIES {
        fs::write(dir.join("stories").join(name), text).expect("write");
    }
    let first = index(dir);
    assert_eq!((first.files, first.retagged), (5, 0));

    let org = facet(dir, "org");
    assert_eq!(count(&org, "Standard & Poor's"), 3, "{org:?}");
    assert_eq!(count(&org, "OPEC"), 3, "{org:?}");
    assert_eq!(count(&org, "Moody's"), 2, "{org:?}");
    assert_eq!(count(&org, "U.S. Treasury"), 1, "{org:?}");
    for spelling in [
        "S&P",
        "Standard",
        "Poor",
        "Standard & Poor",
        "Moody",
        "Xinhua News Agency",
    ] {
        assert_eq!(count(&org, spelling), 0, "{spelling} in {org:?}");
    }
    assert_eq!(count(&org, "US Airways"), 1, "a different company: {org:?}");
    assert_eq!(count(&org, "Xinhua"), 2, "{org:?}");
    let place = facet(dir, "place");
    assert_eq!(count(&place, "United States"), 3, "{place:?}");
    // A filter by any spelling finds every article of the organization.
    assert_eq!(search(dir, &["*", "--org", "S and P"]).total(), 0);
    for spelling in ["Standard and Poor's", "S&P"] {
        assert_eq!(
            search(dir, &["*", "--org", spelling]).total(),
            3,
            "{spelling}"
        );
    }
    assert_eq!(search(dir, &["*", "--place", "USA"]).total(), 3);

    // The index's own names: Xinhua is not an entity in Xinhua's own stories; an
    // alias of the user's.
    let names = dir.join("index").join("names.toml");
    fs::write(
        &names,
        "[aliases]\n\"US Airways\" = \"American Airlines Group\"\n\n\
         [stop.sources]\nXinhua = [\"Xinhua\"]\n",
    )
    .expect("write names");
    let second = index(dir);
    assert!(second.names_changed);
    assert_eq!(
        (second.files, second.files_unchanged),
        (0, 5),
        "no file read"
    );
    assert_eq!(
        second.retagged, 2,
        "the Xinhua story and the US Airways one"
    );
    let org = facet(dir, "org");
    assert_eq!(
        count(&org, "Xinhua"),
        1,
        "AFP naming Xinhua keeps it: {org:?}"
    );
    assert_eq!(count(&org, "American Airlines Group"), 1, "{org:?}");
    assert_eq!(count(&org, "US Airways"), 0, "{org:?}");
    assert_eq!(count(&org, "Standard & Poor's"), 3, "{org:?}");
    assert_eq!(
        search(dir, &["*", "--org", "US Airways"]).total(),
        1,
        "alias kept"
    );
    let again = index(dir);
    assert!(!again.names_changed && again.retagged == 0);

    // A bad file is an error naming the file and the line; nothing is lost.
    fs::write(&names, "[stop]\nnames = [\"A\"]\nnmes = [\"B\"]\n").expect("write");
    let out = newswire(dir)
        .args(["index", "stories"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("names.toml, line 3"), "{err}");
    assert_eq!(facet(dir, "org"), org);

    // Taking the stop-name out brings the name back, from what the index kept.
    fs::write(
        &names,
        "[aliases]\n\"US Airways\" = \"American Airlines Group\"\n",
    )
    .expect("write");
    let fourth = index(dir);
    assert_eq!((fourth.files, fourth.retagged), (0, 1));
    assert_eq!(count(&facet(dir, "org"), "Xinhua"), 2);
}
