//! The `newswire` command: parses arguments, runs the library, prints, and turns the
//! outcome into an exit code (0 success, 1 nothing found or indexed, 2 error).

mod alert_cli;
mod cli;
mod cluster_cli;
mod output;
mod progress;
mod serve;
mod settings;

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Parser;

use newswire::entities::Extractor;
use newswire::formats;
use newswire::ingest::{self, discover};
use newswire::search;
use newswire::store::Store;

use cli::{Cli, Command};
use output::Style;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let json = cli.command.json();
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("newswire: {e:#}");
            if json {
                let _ = output::error(&mut io::stdout(), &format!("{e:#}"));
            }
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn style() -> Style {
    let color = io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    Style { color }
}

fn run(cli: Cli) -> Result<u8> {
    let index_dir = settings::index_dir(cli.index.as_deref());
    let ingest = matches!(cli.command, Command::Index(_));
    let cluster = cluster_cli::client(&cli.cluster, ingest)?;
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let code = match cli.command {
        Command::Index(args) => {
            let mut opts = settings::index_options(&args)?;
            let store = Store::open_or_create(&index_dir, args.rebuild)?;
            let mut urls = args.feed.clone();
            if let Some(list) = &args.feeds {
                urls.extend(
                    newswire::feeds::read_list(list)
                        .with_context(|| format!("cannot read the feed list {}", list.display()))?,
                );
            }
            let mut fetcher = None;
            if !urls.is_empty() {
                let mut f = newswire::feeds::Fetcher::new(&store.dir, Default::default())
                    .context("cannot keep fetched feeds in the index folder")?;
                fetch_feeds(&mut f, &urls, args.quiet || args.json);
                opts.inputs.push(f.dir().to_path_buf());
                fetcher = Some(f);
            }
            let cancel = Arc::new(AtomicBool::new(false));
            {
                let cancel = Arc::clone(&cancel);
                // Without a handler Ctrl-C still stops the run; it just cannot commit first.
                // A second Ctrl-C stops at once: the index stays consistent either way.
                let _ = ctrlc::set_handler(move || {
                    if cancel.swap(true, Ordering::SeqCst) {
                        std::process::exit(130);
                    }
                });
            }
            let show_bar = !args.quiet && !args.json && io::stderr().is_terminal();
            let reporter = progress::BarReporter::new(show_bar, !args.quiet && !args.json);
            let alerts = match (&args.alerts_to, &args.alerts_exec) {
                (Some(f), _) => Some(alert_cli::Target::File(f.clone())),
                (None, Some(c)) => Some(alert_cli::Target::Exec(c.clone())),
                (None, None) => None,
            };
            if args.watch {
                if !(0.0..=3600.0).contains(&args.settle) {
                    anyhow::bail!(
                        "--settle {} is out of range (0 to 3600 seconds)",
                        args.settle
                    );
                }
                let settle = std::time::Duration::from_secs_f64(args.settle);
                if !args.quiet && !args.json {
                    eprintln!(
                        "newswire: watching {} (Ctrl-C to stop)",
                        opts.inputs
                            .iter()
                            .map(|p| p.display().to_string())
                            .collect::<Vec<_>>()
                            .join(", ")
                    );
                }
                // Feeds are fetched again on their interval; the watcher sees the
                // rewritten files like any other change.
                let fetching = fetcher.map(|mut f| {
                    let cancel = Arc::clone(&cancel);
                    let every = std::time::Duration::from_secs(args.feed_interval.max(10));
                    let quiet = args.quiet || args.json;
                    std::thread::spawn(move || loop {
                        let next = std::time::Instant::now() + every;
                        while std::time::Instant::now() < next {
                            if cancel.load(Ordering::SeqCst) {
                                return;
                            }
                            std::thread::sleep(std::time::Duration::from_millis(500));
                        }
                        fetch_feeds(&mut f, &urls, quiet);
                    })
                });
                let mut printed = Ok(());
                newswire::watch::watch(&store, &opts, &reporter, &cancel, settle, &mut |s| {
                    reporter.finish();
                    if printed.is_ok() {
                        printed = output::index_summary(&mut out, args.json, s)
                            .and_then(|()| out.flush());
                    }
                    if let Some(c) = &cluster {
                        // A cluster that is down is caught up with at the next change.
                        let _ = out.flush();
                        if let Err(e) =
                            cluster_cli::sync(&store, c, &cancel, args.json, args.quiet, &mut out)
                        {
                            eprintln!("newswire: {e:#}");
                        }
                    }
                    if let Some(target) = &alerts {
                        // A failed delivery stays pending; the watch goes on.
                        if let Err(e) = alert_cli::check(&store, None, target, &mut io::sink()) {
                            eprintln!("newswire: alerts: {e:#}");
                        }
                    }
                })?;
                printed?;
                if let Some(t) = fetching {
                    let _ = t.join();
                }
                // Ctrl-C is how a watch ends: what was seen is committed.
                return Ok(0);
            }
            let summary = ingest::run(&store, &opts, &reporter, &cancel)?;
            reporter.finish();
            if let Some(target) = &alerts {
                alert_cli::check(&store, None, target, &mut io::sink())?;
            }
            output::index_summary(&mut out, args.json, &summary)?;
            if let Some(c) = &cluster {
                if !summary.interrupted {
                    out.flush()?;
                    cluster_cli::sync(&store, c, &cancel, args.json, args.quiet, &mut out)?;
                }
            }
            if summary.interrupted {
                130
            } else if summary.articles == 0 && summary.index_articles == 0 {
                1
            } else if summary.seen_no_file() {
                // Every path given was missing or unreadable: almost always a typo.
                1
            } else {
                0
            }
        }
        Command::Search(args) => {
            let req = settings::search_request(&args)?;
            let result = match &cluster {
                Some((c, _)) => newswire::remote::search::search(c, &Store::in_memory()?, &req)?,
                None => search::search(&open(&index_dir)?, &req)?,
            };
            output::search(
                &mut out,
                args.json,
                style(),
                &req.query,
                req.offset,
                &result,
            )?;
            u8::from(result.total_hits == 0)
        }
        Command::Parse(args) => {
            if let Some(f) = &args.format {
                settings::check_format(f)?;
            }
            let extractor = (!args.no_entities).then(Extractor::new);
            let found = discover(&args.paths);
            for s in &found.errors {
                eprintln!("newswire: skipped {}: {}", s.path, s.reason);
            }
            let mut n = 0u64;
            let style = style();
            for (path, _) in &found.files {
                let mut failure = None;
                let res = formats::parse_file(path, args.format.as_deref(), &mut |item| {
                    if failure.is_some() {
                        return;
                    }
                    match item {
                        Ok(mut a) => {
                            if let Some(x) = &extractor {
                                x.annotate(&mut a);
                            }
                            n += 1;
                            if let Err(e) = output::article(&mut out, args.json, style, &a) {
                                failure = Some(e);
                            }
                        }
                        Err(e @ formats::ParseError::Warning { .. }) => {
                            eprintln!("newswire: warning: {e}")
                        }
                        // These name the file themselves.
                        Err(e @ formats::ParseError::Article { .. }) => {
                            eprintln!("newswire: skipped {e}")
                        }
                        Err(e) => eprintln!("newswire: skipped {}: {e}", path.display()),
                    }
                });
                if let Some(e) = failure {
                    return Err(e.into());
                }
                if let Err(e) = res {
                    eprintln!("newswire: skipped {}: {e}", path.display());
                }
            }
            u8::from(n == 0)
        }
        Command::Similar(args) => {
            cluster_cli::local_only(&cluster, "similar")?;
            let store = open(&index_dir)?;
            match search::similar(&store, &args.id, args.limit.min(1000))? {
                Some(result) => {
                    output::search(&mut out, args.json, style(), &args.id, 0, &result)?;
                    u8::from(result.hits.is_empty())
                }
                None => {
                    out.flush()?;
                    eprintln!(
                        "newswire: no article with id {:?} in {}",
                        args.id,
                        index_dir.display()
                    );
                    1
                }
            }
        }
        Command::Timeline(args) => {
            let req = settings::timeline_request(&args)?;
            let t = match &cluster {
                Some((c, _)) => newswire::remote::search::timeline(
                    c,
                    &Store::in_memory()?,
                    &req.query,
                    &req.filters,
                    req.interval,
                    req.options,
                )?,
                None => {
                    let store = open(&index_dir)?;
                    search::timeline(&store, &req.query, &req.filters, req.interval, req.options)?
                }
            };
            output::timeline(&mut out, args.json, style(), &req.query, &t)?;
            u8::from(t.dated + t.undated == 0)
        }
        Command::Alert(cmd) => {
            cluster_cli::local_only(&cluster, "alert")?;
            alert_cli::run(cmd, &index_dir, &mut out, style())?
        }
        Command::Export(args) => {
            cluster_cli::export(&index_dir, &args, &mut out)?;
            0
        }
        Command::Serve(args) => {
            let settings = serve::Settings::new(
                &index_dir,
                &args.bind,
                args.token.clone(),
                cluster.map(|(c, _)| c),
            )?;
            serve::run(
                settings,
                std::time::Duration::from_secs(args.timeout.max(1)),
            )?;
            0
        }
        Command::Stats(args) => {
            let stats = match &cluster {
                Some((c, _)) => newswire::remote::search::stats(c, &Store::in_memory()?, args.top)?,
                None => search::stats(&open(&index_dir)?, args.top)?,
            };
            output::stats(&mut out, args.json, style(), &stats)?;
            0
        }
        Command::Show(args) => {
            let found = match &cluster {
                Some((c, _)) => newswire::remote::search::show(c, &args.id)?,
                None => search::show(&open(&index_dir)?, &args.id)?,
            };
            match found {
                Some((hit, body)) => {
                    output::show(&mut out, args.json, style(), &hit, &body)?;
                    0
                }
                None => {
                    out.flush()?;
                    eprintln!(
                        "newswire: no article with id {:?} in {}",
                        args.id,
                        index_dir.display()
                    );
                    1
                }
            }
        }
    };
    out.flush()?;
    Ok(code)
}

/// Fetches feeds, saying on stderr which could not be fetched.
fn fetch_feeds(f: &mut newswire::feeds::Fetcher, urls: &[String], quiet: bool) {
    for (url, outcome) in f.fetch_all(urls) {
        if let newswire::feeds::Fetched::Failed { reason } = outcome {
            if !quiet {
                eprintln!("newswire: feed {url}: {reason}");
            }
        }
    }
}

fn open(dir: &std::path::Path) -> Result<Store> {
    Store::open(dir).with_context(|| "cannot search".to_string())
}
