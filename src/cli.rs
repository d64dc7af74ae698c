//! Command-line arguments (clap derive only; no work happens here).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

const EXIT_CODES: &str = "\
Exit codes:
  0  success (search: at least one hit)
  1  search found nothing; index: nothing could be indexed
  2  error (bad flag or query, unreadable index)
  130  index interrupted with Ctrl-C (what was done is committed)";

/// Full-text search for news archives: index a folder of articles, then ask it
/// ranked and faceted questions.
#[derive(Debug, Parser)]
#[command(name = "newswire", version, after_help = EXIT_CODES)]
pub struct Cli {
    /// Index directory [default: .newswire in the current folder]
    #[arg(long, global = true, env = "NEWSWIRE_INDEX", value_name = "DIR")]
    pub index: Option<PathBuf>,

    #[command(flatten)]
    pub cluster: ClusterArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Where a cluster keeps the articles, when one does.
#[derive(Debug, Args)]
pub struct ClusterArgs {
    /// Send indexed articles to this Quickwit cluster, and answer search, timeline,
    /// stats and show from it (e.g. http://127.0.0.1:7280)
    #[arg(long, global = true, env = "NEWSWIRE_QUICKWIT", value_name = "URL")]
    pub quickwit: Option<String>,
    /// The same with an Elasticsearch or OpenSearch cluster (e.g. http://127.0.0.1:9200)
    #[arg(
        long,
        global = true,
        env = "NEWSWIRE_ELASTICSEARCH",
        value_name = "URL",
        conflicts_with = "quickwit"
    )]
    pub elasticsearch: Option<String>,
    /// The index name on the cluster
    #[arg(
        long,
        global = true,
        env = "NEWSWIRE_CLUSTER_INDEX",
        value_name = "NAME",
        default_value = "newswire"
    )]
    pub cluster_index: String,
    /// Largest request sent to the cluster, in KiB
    #[arg(
        long,
        global = true,
        value_name = "KIB",
        default_value_t = 8192,
        value_parser = clap::value_parser!(u64).range(1..=1_048_576)
    )]
    pub cluster_batch_kb: u64,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Index files and folders of articles (recursively; formats detected by content)
    #[command(after_help = INDEX_HELP)]
    Index(IndexArgs),
    /// Search the index: ranked hits with snippets, facet counts, filters
    #[command(after_help = SEARCH_HELP)]
    Search(SearchArgs),
    /// Show what newswire extracts from files, without indexing them
    Parse(ParseArgs),
    /// Summarize what the index holds
    Stats(StatsArgs),
    /// Print one whole article by id
    Show(ShowArgs),
    /// List the articles most like one article (by id), near-duplicates collapsed
    Similar(SimilarArgs),
    /// Chart how many matching articles appeared per day, week, month or year
    #[command(after_help = TIMELINE_HELP)]
    Timeline(TimelineArgs),
    /// Serve the index to a browser and to scripts: a web page and a JSON API
    #[command(after_help = SERVE_HELP)]
    Serve(ServeArgs),
    /// Saved searches that report new matching articles once each
    #[command(subcommand, after_help = ALERT_HELP)]
    Alert(AlertCommand),
    /// Write the indexed articles as NDJSON, with a Quickwit index config and an
    /// Elasticsearch / OpenSearch index definition, for a pipeline of your own
    #[command(after_help = EXPORT_HELP)]
    Export(ExportArgs),
}

const EXPORT_HELP: &str = "\
Examples:
  newswire index corpus/ && newswire export --out export/
  quickwit index create --index-config export/quickwit-index.json
  quickwit index ingest --index newswire --input-path export/articles.ndjson

Writes articles.ndjson (one parsed, tagged article per line: the fields of
schema/newswire.toml, dates in RFC 3339, plus year/month/day keywords),
quickwit-index.json and elasticsearch-index.json (the same schema in each engine's
terms). To keep a cluster up to date instead, give `newswire index` --quickwit.";

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Folder to write into (created if needed)
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Only the index definitions, no articles
    #[arg(long)]
    pub config_only: bool,
}

const ALERT_HELP: &str = "\
Examples:
  newswire alert add iraq-troops '\"foreign forces\" iraq' --place Iraq
  newswire alert check                  # new matches since the last check, once each
  newswire index --watch spool/ --alerts-to alerts.jsonl
  newswire index --watch spool/ --alerts-exec 'mail -s \"newswire: $NEWSWIRE_ALERT\" desk@example.org'

An alert reports the articles indexed after it was added (or last checked) that match
it, each once. State is kept in the index folder.";

#[derive(Debug, Subcommand)]
pub enum AlertCommand {
    /// Save a search as an alert (articles already indexed do not count as new)
    Add(Box<AlertAddArgs>),
    /// List the saved alerts
    List {
        /// Print JSON Lines
        #[arg(long)]
        json: bool,
    },
    /// Remove an alert
    Remove {
        /// The alert's name
        name: String,
    },
    /// Print the articles indexed since the last check that match each alert
    Check(AlertCheckArgs),
}

#[derive(Debug, Args)]
pub struct AlertAddArgs {
    /// A name for it: letters, digits, '-' and '_'
    pub name: String,
    /// The query (same syntax as `newswire search`)
    #[arg(allow_hyphen_values = true)]
    pub query: String,
    #[command(flatten)]
    pub filters: FilterArgs,
}

#[derive(Debug, Args)]
pub struct AlertCheckArgs {
    /// Check only this alert
    pub name: Option<String>,
    /// Print JSON Lines (one object per match)
    #[arg(long)]
    pub json: bool,
    /// Append the matches to this JSON Lines file instead of printing them
    #[arg(long, value_name = "FILE")]
    pub to: Option<PathBuf>,
    /// Run this command (with `sh -c`) per alert with its matches as JSON Lines on
    /// its standard input, instead of printing them
    #[arg(long, value_name = "CMD", conflicts_with = "to")]
    pub exec: Option<String>,
}

impl Command {
    /// Whether the output asked for is JSON (errors are then printed as JSON too).
    pub fn json(&self) -> bool {
        match self {
            Command::Index(a) => a.json,
            Command::Search(a) => a.json,
            Command::Parse(a) => a.json,
            Command::Stats(a) => a.json,
            Command::Show(a) => a.json,
            Command::Similar(a) => a.json,
            Command::Timeline(a) => a.json,
            Command::Serve(_) | Command::Export(_) => false,
            Command::Alert(AlertCommand::List { json }) => *json,
            Command::Alert(AlertCommand::Check(a)) => a.json,
            Command::Alert(_) => false,
        }
    }
}

const SERVE_HELP: &str = "\
Examples:
  newswire serve                      # http://127.0.0.1:7700/ on this machine only
  newswire serve --bind 0.0.0.0:7700 --token \"$(openssl rand -hex 16)\"

The index is opened read-only: a `newswire index` run may keep adding articles, and
the page and the API see each commit within a second or two. The API is described at
/api/v1/openapi.json. Stop with Ctrl-C.

Binding an address other than loopback requires a token (--token or NEWSWIRE_TOKEN):
scripts send `Authorization: Bearer TOKEN`; a browser opens http://HOST:PORT/?token=TOKEN
once and keeps it in a cookie.";

/// Arguments of `newswire serve`.
#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (loopback by default: only this machine)
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:7700")]
    pub bind: String,
    /// Secret every request must carry; required to bind a non-loopback address
    #[arg(
        long,
        env = "NEWSWIRE_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub token: Option<String>,
    /// Longest time one request may take, in seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 10)]
    pub timeout: u64,
}

const TIMELINE_HELP: &str = "\
Examples:
  newswire timeline iraq
  newswire timeline \"oil prices\" --by week --from 1987-03-01 --to 1987-06-30
  newswire timeline iraq --json

Takes the same query syntax and filters as `newswire search`.";

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum IntervalArg {
    Day,
    Week,
    Month,
    Year,
}

#[derive(Debug, Args)]
pub struct TimelineArgs {
    /// The query; empty or * for every article
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    pub query: String,
    /// Period of each bar
    #[arg(long, value_enum, default_value_t = IntervalArg::Month)]
    pub by: IntervalArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Print JSON: one object per period, then a summary
    #[arg(long)]
    pub json: bool,
}

const INDEX_HELP: &str = "\
Examples:
  newswire index corpus/
  newswire index --index /data/news-index archive/2021 archive/2022
  newswire index --rebuild corpus/

Files that cannot be read are reported and skipped; the run goes on.

Runs are incremental: running the same command again reads only new files and files
whose content changed (their old articles are replaced, never duplicated), and
removes the articles of files that are gone from the folders given (add --prune to
also remove those of files gone from anywhere else). A file reached through two
paths is read once; an article found twice (same id, or a page or story file copied
elsewhere) is stored once. Progress is committed every --commit-every articles and
--commit-seconds seconds: running the command again after a killed run completes
the index (a file of many articles that was half read is read again). Ctrl-C commits what is done and stops (press it
twice to stop at once; the next run completes the index).

With --quickwit URL (or --elasticsearch URL), the articles are parsed and tagged here
as always, then the new and changed ones are sent to that cluster (the index is
created there if missing) and the ones gone are deleted from it, each exactly once
even when the cluster or this run dies midway: run the same command again.

Exit codes:
  0  the index is up to date and holds articles (some files may have been skipped)
  1  nothing could be indexed, or no readable file in the paths given
  2  error (bad flag, index locked or unwritable)
  130  interrupted with Ctrl-C (what was done is committed)";

const SEARCH_HELP: &str = "\
Query syntax:
  foreign forces            any of the words; articles with all of them rank first
  +foreign +forces          both words required (also: foreign AND forces)
  \"foreign forces\"          exact phrase;  \"foreign forces\"~3  words within 3 positions
  iraq -syria               exclude a word (also: iraq AND NOT syria)
  (iraq OR iran) AND oil    grouping
  withdr*                   prefix
  withdrawl~1               this word or one with one typo (also --fuzzy for all words)
  headline:iraq             a field: headline, body, org, person, place, source,
                            topic, category, dateline, byline, url
  org:NATO  org:\"Islamic State\"   entity fields match whole names, any case
  published:[2021-01-01 TO 2021-12-31]   date range ({ } excludes the bound)
  \"\" or *                   every article (useful with --facet)

Examples:
  newswire search \"foreign forces withdrawal\"
  newswire search \"foreign forces\" --facet org --facet month --org NATO --from 2021-01-01
  newswire search iraq --sort=-date --limit 5 --json     newest first
  newswire search \"oil prices\" --recent                 relevance, favouring recent news

Exit codes:
  0  at least one hit
  1  no hits
  2  error (bad flag or query, unreadable index)";

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// Files or folders to index
    #[arg(required_unless_present_any = ["feed", "feeds"], value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Fetch this RSS or Atom feed over HTTP(S) and index its items (repeatable)
    #[arg(long, value_name = "URL")]
    pub feed: Vec<String>,
    /// Fetch the feeds listed in this file (one URL per line, # for comments)
    #[arg(long, value_name = "FILE")]
    pub feeds: Option<PathBuf>,
    /// With --watch: fetch the feeds again every this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 900)]
    pub feed_interval: u64,
    /// Delete the index first and build it from scratch
    #[arg(long)]
    pub rebuild: bool,
    /// Also remove the articles of indexed files outside PATH that no longer exist
    /// (articles of files gone from inside PATH are always removed)
    #[arg(long)]
    pub prune: bool,
    /// Commit (make durable and visible to searches) after this many articles...
    #[arg(long, value_name = "N", default_value_t = 50_000)]
    pub commit_every: u64,
    /// ...or after this many seconds, whichever comes first
    #[arg(long, value_name = "SECONDS", default_value_t = 30)]
    pub commit_seconds: u64,
    /// Read every file as this format instead of detecting it
    #[arg(long, value_name = "NAME")]
    pub format: Option<String>,
    /// Skip entity extraction (keep only entities the source gives, e.g. JSON `orgs`)
    #[arg(long)]
    pub no_entities: bool,
    /// Memory budget of the index writer, in MB (a new index of up to twice this size
    /// is also merged into one segment at the end, for faster searches)
    #[arg(long, value_name = "MB", default_value_t = 512)]
    pub memory: usize,
    /// Keep running: index files that appear or change under PATH and remove the
    /// articles of files that vanish, a moment after each change (Ctrl-C stops)
    #[arg(long)]
    pub watch: bool,
    /// With --watch: how long the folders must stay quiet before a change is indexed,
    /// so a file still being written is read once it is whole
    #[arg(
        long,
        value_name = "SECONDS",
        default_value_t = 1.0,
        requires = "watch"
    )]
    pub settle: f64,
    /// After each commit, append the new matches of every alert to this JSON Lines
    /// file (see `newswire alert`)
    #[arg(long, value_name = "FILE")]
    pub alerts_to: Option<PathBuf>,
    /// After each commit, run this command per alert with new matches, the matches
    /// as JSON Lines on its standard input
    #[arg(long, value_name = "CMD", conflicts_with = "alerts_to")]
    pub alerts_exec: Option<String>,
    /// Print the summary as JSON (no progress bar)
    #[arg(long)]
    pub json: bool,
    /// No progress bar and no warnings on stderr
    #[arg(long, short)]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum SortArg {
    /// Best match first
    Relevance,
    /// Oldest first (chronological)
    Date,
    /// Newest first
    #[value(name = "-date")]
    DateDesc,
}

#[derive(Debug, Args)]
pub struct SearchArgs {
    /// The query (see the syntax below); empty or * matches every article
    #[arg(value_name = "QUERY", allow_hyphen_values = true)]
    pub query: String,
    /// Count matching articles by this field (repeatable): org, person, place, source,
    /// topic, category, dateline, year, month, day
    #[arg(long = "facet", value_name = "NAME")]
    pub facets: Vec<String>,
    /// Values shown per facet
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub facet_size: usize,
    /// Hits to show
    #[arg(long, short = 'n', value_name = "N", default_value_t = 10)]
    pub limit: usize,
    /// Hits to skip (for paging)
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub offset: usize,
    /// Order of hits (write `--sort=-date` for newest first)
    #[arg(long, value_enum, default_value_t = SortArg::Relevance)]
    pub sort: SortArg,
    #[command(flatten)]
    pub filters: FilterArgs,
    /// Run what can be understood of a malformed query instead of failing
    #[arg(long)]
    pub lenient: bool,
    /// Let every word match with one typo (`word~1` does it for one word)
    #[arg(long)]
    pub fuzzy: bool,
    /// Prefer recent articles: relevance is divided by 1 + (days older than the
    /// newest article in the index) / 30
    #[arg(long)]
    pub recent: bool,
    /// Near-duplicate copies of a story (the same wire story republished):
    /// collapse them onto the best-ranked copy, or show each as a hit
    #[arg(long, value_enum, default_value_t = DuplicatesArg::Collapse)]
    pub duplicates: DuplicatesArg,
    /// Print JSON Lines: one object per hit and facet, then a summary
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum DuplicatesArg {
    Collapse,
    Show,
}

#[derive(Debug, Args)]
pub struct ParseArgs {
    /// Files or folders to parse
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Read every file as this format instead of detecting it
    #[arg(long, value_name = "NAME")]
    pub format: Option<String>,
    /// Skip entity extraction
    #[arg(long)]
    pub no_entities: bool,
    /// Print one JSON object per article (JSON Lines)
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// Values shown per list
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub top: usize,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SimilarArgs {
    /// Article id (as printed by `search`)
    pub id: String,
    /// Articles to list
    #[arg(long, short = 'n', value_name = "N", default_value_t = 10)]
    pub limit: usize,
    /// Print JSON Lines
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Article id (as printed by `search`)
    pub id: String,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

/// Filters shared by `search` and `timeline`.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only articles naming this organization (repeatable: any of them)
    #[arg(long, value_name = "NAME")]
    pub org: Vec<String>,
    /// Only articles naming this person (repeatable)
    #[arg(long, value_name = "NAME")]
    pub person: Vec<String>,
    /// Only articles naming this place (repeatable)
    #[arg(long, value_name = "NAME")]
    pub place: Vec<String>,
    /// Only articles from this source (repeatable)
    #[arg(long, value_name = "NAME")]
    pub source: Vec<String>,
    /// Only articles with this topic code (repeatable)
    #[arg(long, value_name = "CODE")]
    pub topic: Vec<String>,
    /// Only articles in this category (repeatable)
    #[arg(long, value_name = "NAME")]
    pub category: Vec<String>,
    /// Only articles with this dateline place (repeatable)
    #[arg(long, value_name = "PLACE")]
    pub dateline: Vec<String>,
    /// Only articles published on or after this date
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub from: Option<String>,
    /// Only articles published on or before this date
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub to: Option<String>,
    /// Leave out articles with this value (repeatable), e.g. `--exclude org=Xinhua`;
    /// FIELD is org, person, place, source, topic, category or dateline
    #[arg(long, value_name = "FIELD=VALUE")]
    pub exclude: Vec<String>,
}
