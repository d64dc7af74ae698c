//! The progress bar: an indicatif implementation of the library's `Reporter`.

use std::sync::atomic::{AtomicU64, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use newswire::ingest::{Reporter, Skip};

/// Warnings printed on stderr before the rest are only counted.
const MAX_WARNINGS: u64 = 10;

pub struct BarReporter {
    bar: ProgressBar,
    warn: bool,
    articles: AtomicU64,
    warned: AtomicU64,
}

impl BarReporter {
    pub fn new(show_bar: bool, warn: bool) -> Self {
        let bar = if show_bar {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        BarReporter {
            bar,
            warn,
            articles: AtomicU64::new(0),
            warned: AtomicU64::new(0),
        }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
        let warned = self.warned.load(Ordering::Relaxed);
        if self.warn && warned > MAX_WARNINGS {
            eprintln!(
                "newswire: {} more skipped or warned about (see `--json` for all)",
                warned - MAX_WARNINGS
            );
        }
    }
}

impl Reporter for BarReporter {
    fn start(&self, _files: u64, bytes: u64) {
        self.bar.set_length(bytes);
    }

    fn file_done(&self, bytes: u64, articles: u64) {
        let n = self.articles.fetch_add(articles, Ordering::Relaxed) + articles;
        self.bar.inc(bytes);
        self.bar.set_message(format!("{n} articles"));
    }

    fn skipped(&self, skip: &Skip) {
        let n = self.warned.fetch_add(1, Ordering::Relaxed);
        if self.warn && n < MAX_WARNINGS {
            let at = place(skip);
            self.bar
                .suspend(|| eprintln!("newswire: skipped {}{at}: {}", skip.path, skip.reason));
        }
    }

    fn warned(&self, warning: &Skip) {
        let n = self.warned.fetch_add(1, Ordering::Relaxed);
        if self.warn && n < MAX_WARNINGS {
            let at = place(warning);
            self.bar.suspend(|| {
                eprintln!(
                    "newswire: warning: {}{at}: {}",
                    warning.path, warning.reason
                )
            });
        }
    }

    fn committed(&self, articles: u64) {
        self.bar
            .set_message(format!("{articles} articles committed"));
    }
}

/// ` (item 3 (line 41))`: where in the file, without the file's path again.
fn place(skip: &Skip) -> String {
    let Some(at) = skip.at.as_deref() else {
        return String::new();
    };
    let at = at
        .strip_prefix(skip.path.as_str())
        .and_then(|rest| rest.strip_prefix(": "))
        .unwrap_or(at);
    format!(" ({at})")
}
