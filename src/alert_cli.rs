//! `newswire alert ...` and the alert deliveries of `newswire index`.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use newswire::alerts::{self, Alerts};
use newswire::store::Store;

use crate::cli::AlertCommand;
use crate::output::{self, Style};
use crate::settings;

/// Where the matches of a check go.
pub enum Target {
    /// Printed (human or JSON Lines).
    Print { json: bool, style: Style },
    /// Appended to a JSON Lines file.
    File(PathBuf),
    /// Piped to a command.
    Exec(String),
}

pub fn run(cmd: AlertCommand, index_dir: &Path, out: &mut dyn Write, style: Style) -> Result<u8> {
    let store = Store::open(index_dir).context("cannot use alerts")?;
    let alerts = Alerts::new(&store);
    match cmd {
        AlertCommand::Add(a) => {
            let pairs = settings::filter_pairs(&a.filters)?;
            let alert = alerts.add(&store, &a.name, &a.query, pairs)?;
            writeln!(
                out,
                "saved alert {:?}: {} (articles indexed from now on that match it will be reported)",
                alert.name,
                describe(&alert)
            )?;
            Ok(0)
        }
        AlertCommand::List { json } => {
            let list = alerts.list()?;
            for a in &list {
                let state = alerts.state(&a.name)?;
                output::alert(out, json, a, &state)?;
            }
            if list.is_empty() && !json {
                writeln!(
                    out,
                    "no alerts (add one with `newswire alert add NAME QUERY`)"
                )?;
            }
            Ok(u8::from(list.is_empty()))
        }
        AlertCommand::Remove { name } => {
            alerts.remove(&name)?;
            writeln!(out, "removed alert {name:?}")?;
            Ok(0)
        }
        AlertCommand::Check(a) => {
            let target = match (a.to, a.exec) {
                (Some(f), _) => Target::File(f),
                (None, Some(c)) => Target::Exec(c),
                (None, None) => Target::Print {
                    json: a.json,
                    style,
                },
            };
            let n = check(&store, a.name.as_deref(), &target, out)?;
            Ok(u8::from(n == 0))
        }
    }
}

fn describe(a: &alerts::Alert) -> String {
    let mut s = format!("{:?}", a.query);
    for (k, v) in &a.filters {
        s.push_str(&format!(" {k}={v}"));
    }
    s
}

/// Checks every alert (or the one named) and delivers its new matches; returns how
/// many matches were delivered. A failed delivery is reported and stays pending.
pub fn check(
    store: &Store,
    only: Option<&str>,
    target: &Target,
    out: &mut dyn Write,
) -> Result<usize> {
    let alerts = Alerts::new(store);
    let list = alerts.list()?;
    if let Some(name) = only {
        if !list.iter().any(|a| a.name == name) {
            return Err(alerts::AlertError::Unknown(name.to_string()).into());
        }
    }
    let mut total = 0;
    let mut failed = None;
    for alert in list.iter().filter(|a| only.is_none_or(|n| n == a.name)) {
        let mut deliver =
            |a: &alerts::Alert, delivery: u64, hits: &[newswire::search::Hit]| match target {
                Target::Print { json, style } => {
                    for hit in hits {
                        output::alert_match(out, *json, *style, a, delivery, hit)
                            .map_err(|e| e.to_string())?;
                    }
                    out.flush().map_err(|e| e.to_string())
                }
                Target::File(path) => alerts::append_to_file(path, a, delivery, hits),
                Target::Exec(cmd) => alerts::run_command(cmd, a, delivery, hits),
            };
        match alerts.check(store, alert, &mut deliver) {
            Ok(hits) => total += hits.len(),
            Err(e @ alerts::AlertError::Delivery { .. }) => {
                eprintln!("newswire: {e}");
                failed = Some(e);
            }
            Err(e) => return Err(e.into()),
        }
    }
    if let Some(e) = failed {
        return Err(e.into());
    }
    Ok(total)
}
