//! Loopback load generator for `newswire serve` (and any HTTP search API), used by
//! `bench/serve_load.sh`: CLIENTS threads, each with its own keep-alive connection,
//! send GET requests round-robin over a query list (each client starting at its own
//! query) for SECS seconds, one request at a time, and report requests/s, latency
//! percentiles, errors (any non-200 answer or transport error) and, with `--pid`, the
//! server's peak RSS (VmRSS sampled every 100 ms, and VmHWM) and CPU use.
//!
//! ```text
//! cargo run --release --example serve_load -- \
//!     --url 'http://127.0.0.1:7700/api/v1/search?q={q}&limit=10' \
//!     --queries words.txt --clients 8 --secs 30 [--pid SERVER_PID] [--label newswire]
//! ```
//!
//! `{q}` in the URL is replaced by the percent-encoded query. Each query is sent once,
//! untimed, before the clock starts (warm-up). Prints one tab-separated `LOAD` line on
//! stdout (`key=value` fields) and the first few errors on stderr. `took_ms` is the
//! mean of the `"took_ms"` numbers in the answers (newswire's own search time; 0 when
//! absent); `server_cpu_pct` is -1 without `--pid`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// What one client thread saw.
#[derive(Default)]
struct Tally {
    latencies_us: Vec<u32>,
    errors: u64,
    bytes: u64,
    took_ms_sum: f64,
    took_n: u64,
}

struct Config {
    url: String,
    queries: Vec<String>,
    clients: usize,
    secs: f64,
    pid: Option<u32>,
    label: String,
}

fn main() {
    let cfg = parse_args().unwrap_or_else(|e| {
        eprintln!("serve_load: {e}");
        std::process::exit(2)
    });
    let urls: Arc<Vec<String>> = Arc::new(
        cfg.queries
            .iter()
            .map(|q| cfg.url.replace("{q}", &encode(q)))
            .collect(),
    );
    let warm = ureq::AgentBuilder::new().build();
    for u in urls.iter() {
        let answer = warm.get(u).call().map_err(|e| e.to_string());
        if let Err(e) = answer.and_then(|r| r.into_string().map_err(|e| e.to_string())) {
            eprintln!("serve_load: warm-up request {u} failed: {e}");
        }
    }
    let done = Arc::new(AtomicBool::new(false));
    let sampler = cfg.pid.map(|pid| {
        let done = done.clone();
        std::thread::spawn(move || sample_rss(pid, &done))
    });
    let cpu0 = cfg.pid.and_then(cpu_ticks);
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(cfg.secs);
    let threads: Vec<_> = (0..cfg.clients)
        .map(|c| {
            let urls = urls.clone();
            std::thread::spawn(move || client(c, &urls, deadline))
        })
        .collect();
    let mut all = Tally::default();
    for t in threads {
        let Ok(t) = t.join() else {
            eprintln!("serve_load: a client thread panicked");
            std::process::exit(2);
        };
        all.latencies_us.extend(t.latencies_us);
        all.errors += t.errors;
        all.bytes += t.bytes;
        all.took_ms_sum += t.took_ms_sum;
        all.took_n += t.took_n;
    }
    let wall = start.elapsed().as_secs_f64();
    let cpu1 = cfg.pid.and_then(cpu_ticks);
    done.store(true, Ordering::Relaxed);
    let (rss_kb, hwm_kb) = sampler.and_then(|s| s.join().ok()).unwrap_or((0, 0));
    let lat = &mut all.latencies_us;
    lat.sort_unstable();
    let ok = lat.len() as u64;
    let pct = |p: f64| {
        let rank = ((p / 100.0) * lat.len() as f64).ceil() as usize;
        lat.get(rank.max(1) - 1)
            .map_or(f64::NAN, |&x| f64::from(x) / 1000.0)
    };
    let mean_ms = lat.iter().map(|&x| f64::from(x)).sum::<f64>() / ok.max(1) as f64 / 1000.0;
    // Linux counts CPU time in ticks of 1/100 s on every common platform.
    let cpu_pct = cpu0.zip(cpu1).map_or(-1.0, |(a, b)| (b - a) as f64 / wall);
    let took = all.took_ms_sum / all.took_n.max(1) as f64;
    println!(
        "LOAD\tlabel={}\tclients={}\tsecs={wall:.1}\trequests={}\terrors={}\trps={:.1}\t\
         mean_ms={mean_ms:.3}\tp50_ms={:.3}\tp90_ms={:.3}\tp99_ms={:.3}\tmax_ms={:.3}\t\
         mean_bytes={}\ttook_ms={took:.3}\trss_max_mib={:.0}\thwm_mib={:.0}\tserver_cpu_pct={cpu_pct:.0}",
        cfg.label,
        cfg.clients,
        ok + all.errors,
        all.errors,
        ok as f64 / wall,
        pct(50.0),
        pct(90.0),
        pct(99.0),
        pct(100.0),
        all.bytes / ok.max(1),
        rss_kb as f64 / 1024.0,
        hwm_kb as f64 / 1024.0,
    );
}

/// One client: requests back to back until the deadline.
fn client(c: usize, urls: &[String], deadline: Instant) -> Tally {
    let agent = ureq::AgentBuilder::new()
        .timeout(Duration::from_secs(60))
        .build();
    let mut t = Tally::default();
    let mut i = c % urls.len();
    while Instant::now() < deadline {
        let url = &urls[i];
        i = (i + 1) % urls.len();
        let t0 = Instant::now();
        match agent.get(url).call() {
            Ok(resp) if resp.status() == 200 => match resp.into_string() {
                Ok(body) => {
                    let us = t0.elapsed().as_micros();
                    t.latencies_us.push(u32::try_from(us).unwrap_or(u32::MAX));
                    t.bytes += body.len() as u64;
                    if let Some(ms) = took_ms(&body) {
                        t.took_ms_sum += ms;
                        t.took_n += 1;
                    }
                }
                Err(e) => error(&mut t, url, &e.to_string()),
            },
            Ok(resp) => error(&mut t, url, &format!("status {}", resp.status())),
            Err(e) => error(&mut t, url, &e.to_string()),
        }
    }
    t
}

fn error(t: &mut Tally, url: &str, what: &str) {
    t.errors += 1;
    if t.errors <= 3 {
        eprintln!("serve_load: {url}: {what}");
    }
}

/// The number after the first `"took_ms":` in a JSON answer.
fn took_ms(body: &str) -> Option<f64> {
    let rest = &body[body.find("\"took_ms\":")? + 10..];
    let end = rest
        .find(|ch: char| !(ch.is_ascii_digit() || ch == '.' || ch == '-' || ch == 'e'))
        .unwrap_or(rest.len());
    rest[..end].parse().ok()
}

/// Percent-encodes everything but unreserved characters (RFC 3986).
fn encode(q: &str) -> String {
    let mut out = String::new();
    for b in q.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Samples VmRSS every 100 ms until `done`; returns (max VmRSS, last VmHWM) in KiB.
fn sample_rss(pid: u32, done: &AtomicBool) -> (u64, u64) {
    let (mut max_rss, mut hwm) = (0, 0);
    loop {
        let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
            return (max_rss, hwm);
        };
        for line in status.lines() {
            let kb = |l: &str| l.split_whitespace().nth(1).and_then(|v| v.parse().ok());
            if line.starts_with("VmRSS:") {
                max_rss = max_rss.max(kb(line).unwrap_or(0));
            } else if line.starts_with("VmHWM:") {
                hwm = kb(line).unwrap_or(hwm);
            }
        }
        if done.load(Ordering::Relaxed) {
            return (max_rss, hwm);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// User + system CPU ticks of a process (all its threads), from /proc/PID/stat.
fn cpu_ticks(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the command name, which is in parentheses and may hold spaces.
    let fields: Vec<&str> = stat[stat.rfind(')')? + 2..].split(' ').collect();
    Some(fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?)
}

fn parse_args() -> Result<Config, String> {
    let (mut url, mut path) = (String::new(), String::new());
    let (mut clients, mut secs, mut pid, mut label) = (1, 30.0, None, "load".to_string());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let v = args.next().ok_or(format!("{a} needs a value"))?;
        let bad = |e: String| format!("{a} {v}: {e}");
        match a.as_str() {
            "--url" => url = v,
            "--queries" => path = v,
            "--clients" => clients = v.parse().map_err(|e| bad(format!("{e}")))?,
            "--secs" => secs = v.parse().map_err(|e| bad(format!("{e}")))?,
            "--pid" => pid = Some(v.parse().map_err(|e| bad(format!("{e}")))?),
            "--label" => label = v,
            _ => return Err(format!("unknown argument {a} (see examples/serve_load.rs)")),
        }
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("--queries {path:?}: {e}"))?;
    let queries: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect();
    if url.is_empty() || queries.is_empty() || clients == 0 {
        return Err(
            "need --url, a --queries file with a query a line, and --clients >= 1".to_string(),
        );
    }
    Ok(Config {
        url,
        queries,
        clients,
        secs,
        pid,
        label,
    })
}
