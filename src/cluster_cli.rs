//! `--quickwit` / `--elasticsearch` and `newswire export`: the binary's side of the
//! library's [`remote`](newswire::remote) module.

use std::io::Write;
use std::path::Path;
use std::sync::atomic::AtomicBool;

use anyhow::{Context, Result};

use newswire::remote::{self, Client, Dialect, SyncOptions, SyncSummary, Target};
use newswire::store::Store;

use crate::cli::{ClusterArgs, ExportArgs};

/// How long a command that only reads (search, timeline, stats, show, serve) waits
/// for an unreachable or busy cluster before saying so; `index` waits out a node's
/// restart (the client's own, longer default).
const READ_RETRY_FOR: std::time::Duration = std::time::Duration::from_secs(10);

/// The cluster chosen on the command line or in the environment, if any; `ingest`
/// for a command that sends articles.
pub fn client(a: &ClusterArgs, ingest: bool) -> Result<Option<(Client, SyncOptions)>> {
    let (url, dialect) = match (&a.quickwit, &a.elasticsearch) {
        (Some(u), _) => (u, Dialect::Quickwit),
        (None, Some(u)) => (u, Dialect::Elasticsearch),
        (None, None) => return Ok(None),
    };
    let target = Target::new(url, &a.cluster_index, dialect).map_err(anyhow::Error::msg)?;
    let opts = SyncOptions {
        batch_bytes: (a.cluster_batch_kb as usize) << 10,
        ..SyncOptions::default()
    };
    let mut client = Client::new(target);
    if !ingest {
        client.retry_for = READ_RETRY_FOR;
    }
    Ok(Some((client, opts)))
}

/// Sends what the local index holds and the cluster lacks, and prints what was done.
pub fn sync(
    store: &Store,
    (client, opts): &(Client, SyncOptions),
    cancel: &AtomicBool,
    json: bool,
    quiet: bool,
    out: &mut dyn Write,
) -> Result<SyncSummary> {
    let show = !quiet && !json;
    let progress = |sent: u64, total: u64| {
        if show {
            eprint!("\rnewswire: sent {sent} of {total} articles to the cluster");
        }
    };
    let summary = remote::sync(store, client, opts, cancel, &progress).with_context(|| {
        format!(
            "sending articles to {}/{} (run the command again to go on where it stopped)",
            client.target.url, client.target.index
        )
    })?;
    if show && summary.sent > 0 {
        eprintln!();
    }
    if json {
        serde_json::to_writer(
            &mut *out,
            &newswire::jsonl::Tagged::new("cluster", &summary),
        )?;
        writeln!(out)?;
    } else {
        writeln!(
            out,
            "cluster {}/{}: {} articles sent in {:.1} s ({:.0}/s), {} deleted, {} already there{}",
            summary.cluster,
            summary.index,
            summary.sent,
            summary.seconds,
            summary.articles_per_second,
            summary.deleted,
            summary.unchanged,
            if summary.created_index {
                " (index created)"
            } else {
                ""
            }
        )?;
        if summary.dropped > 0 {
            writeln!(
                out,
                "  {} articles were accepted and then refused by the cluster (its log says why), e.g. {}",
                summary.dropped,
                summary.dropped_ids.join(", ")
            )?;
        }
        if summary.recovered_batches + summary.resent_batches > 0 {
            writeln!(
                out,
                "  {} requests of an interrupted run found committed, {} sent again",
                summary.recovered_batches, summary.resent_batches
            )?;
        }
    }
    Ok(summary)
}

/// Fails for the commands a cluster does not answer yet.
pub fn local_only(cluster: &Option<(Client, SyncOptions)>, command: &str) -> Result<()> {
    if let Some((c, _)) = cluster {
        anyhow::bail!(
            "`newswire {command}` works on the local index only; it cannot answer from the cluster at {} yet \
             (run it without --quickwit/--elasticsearch, or unset NEWSWIRE_QUICKWIT)",
            c.target.url
        );
    }
    Ok(())
}

/// `newswire export`: articles as NDJSON and the index definitions.
pub fn export(index_dir: &Path, a: &ExportArgs, out: &mut dyn Write) -> Result<()> {
    let spec = newswire::schema::SchemaSpec::builtin()?;
    std::fs::create_dir_all(&a.out)
        .with_context(|| format!("cannot create the folder {}", a.out.display()))?;
    let write = |name: &str, value: &serde_json::Value| -> Result<()> {
        let path = a.out.join(name);
        let mut text = serde_json::to_string_pretty(value)?;
        text.push('\n');
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))
    };
    write(
        "quickwit-index.json",
        &remote::mapping::quickwit_index_config(&spec, "newswire"),
    )?;
    write(
        "elasticsearch-index.json",
        &remote::mapping::elastic_mapping(&spec),
    )?;
    let mut n = 0u64;
    if !a.config_only {
        let store = Store::open(index_dir).context("cannot export")?;
        let path = a.out.join("articles.ndjson");
        let file = std::fs::File::create(&path)
            .with_context(|| format!("cannot write {}", path.display()))?;
        let mut w = std::io::BufWriter::new(file);
        n = remote::doc::for_each(&store, &mut |doc| {
            serde_json::to_writer(&mut w, doc)?;
            w.write_all(b"\n")
        })
        .with_context(|| format!("writing {}", path.display()))?;
        w.flush()?;
    }
    writeln!(
        out,
        "wrote {}{}quickwit-index.json and elasticsearch-index.json to {}",
        if a.config_only {
            ""
        } else {
            "articles.ndjson ("
        },
        if a.config_only {
            String::new()
        } else {
            format!("{n} articles), ")
        },
        a.out.display()
    )?;
    Ok(())
}
