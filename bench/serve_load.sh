#!/bin/bash
# Loopback load benchmark of `newswire serve` (a benchmark script: `cargo test` never runs it).
#
#   bench/serve_load.sh          # ~15 min on 2 cores; tables in target/serve-load/<time>/summary.md
#
# 1. builds `newswire` and examples/serve_load.rs (the load generator) in release, from the
#    commit BUILD_FROM (default HEAD, exported with `git archive` like bench/build.sh; the
#    working tree's examples/serve_load.rs is used if that commit has none; BUILD_FROM=worktree
#    builds the checkout) into CARGO_TARGET_DIR (default ../target-release, outside the repo's
#    target/ that other builds use);
# 2. indexes the raw corpora in ../shared/corpora with entities, and the same articles as the
#    peers' JSON Lines (bench/to_peer_jsonl.py) in tantivy-cli 0.24 (its peer runner);
# 3. A: `newswire serve` under 1, 8, 32 clients for SECS s each: the `word` queries of
#    bench/queries.txt, round-robin per client, `facet=org&facet=place&facet=month&limit=10`;
# 4. B: no facets, newswire `/api/v1/search?q=..&limit=10` against `tantivy serve`
#    `/api/?q=..&nhits=10`, one engine at a time, interleaved ROUNDS times;
# 5. C: A again while `newswire index` adds SYNTH synthetic articles (bench/make_scale_corpus.py,
#    copies 1.. only: copy 0 is the real corpus, already indexed) to the served index, a fresh
#    copy of the index per level; first the same indexing alone, for its throughput unloaded.
# Every level records requests/s, p50/p99 latency, errors (non-200 or transport), the server's
# peak RSS (VmRSS sampled every 100 ms, VmHWM) and CPU, and /proc/loadavg before it.
# Client and server share the machine. tantivy serve 0.24 (iron / hyper 0.10) answers a
# keep-alive client in ~44 ms whatever the query (Nagle + delayed ACK; its own timings say
# ~0.2 ms) and holds one of its 16 threads per open connection, so read phase B with that in
# mind (bench/RESULTS.md, "serve load").
#
# Env: SECS (30), CLIENTS ("1 8 32"), ROUNDS (2), SYNTH (100000), PHASES ("A B C"),
#      CORPORA (../shared/corpora), WORK (target/serve-load: indexes and the synthetic corpus,
#      kept between runs), OUT (WORK/<time>), TANTIVY_BIN (target/peers/tantivy-cli/bin/tantivy;
#      install per ../shared/bench/README.md; without it phase B runs newswire alone).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$ROOT"
CORPORA="${CORPORA:-$ROOT/../shared/corpora}"
if [ ! -d "$ROOT/../shared" ] || [ ! -d "$CORPORA" ]; then
  echo "serve_load: no shared corpora at $CORPORA (../shared is absent): nothing to measure, skipped"
  exit 0
fi
SECS="${SECS:-30}"
CLIENTS="${CLIENTS:-1 8 32}"
ROUNDS="${ROUNDS:-2}"
SYNTH="${SYNTH:-100000}"
PHASES="${PHASES:-A B C}"
WORK="${WORK:-$ROOT/target/serve-load}"
OUT="${OUT:-$WORK/$(date -u +%Y%m%d-%H%M%S)}"
TARGET="${CARGO_TARGET_DIR:-$(cd "$ROOT/.." && pwd)/target-release}"
TANTIVY_BIN="${TANTIVY_BIN:-$ROOT/target/peers/tantivy-cli/bin/tantivy}"
PEERS_DIR="$ROOT/target/peers"
mkdir -p "$OUT"
[ -x /usr/bin/time ] || { echo "/usr/bin/time missing: apt-get install time" >&2; exit 1; }

echo "== build" >&2
BUILD_FROM="${BUILD_FROM:-HEAD}"
if [ "$BUILD_FROM" = worktree ]; then
  src="$ROOT"
  BUILT_FROM="working tree at $(git rev-parse --short HEAD)$(git diff --quiet || echo ' (modified)')"
else
  rev="$(git rev-parse --short "$BUILD_FROM")"
  src="$ROOT/target/bench-src/$rev"
  if [ ! -f "$src/Cargo.toml" ]; then
    mkdir -p "$src"
    git archive "$rev" | tar -x -C "$src"
  fi
  git cat-file -e "$rev:examples/serve_load.rs" 2>/dev/null || cp examples/serve_load.rs "$src/examples/"
  BUILT_FROM="commit $rev"
fi
(cd "$src" && CARGO_TARGET_DIR="$TARGET" cargo build --release --bin newswire --example serve_load >&2)
NW="$TARGET/release/newswire"
LOAD="$TARGET/release/examples/serve_load"

RAW=()
for d in xinhua-pages afp-wire reuters21578 ap89 bbc html-pages; do
  [ -e "$CORPORA/$d" ] && RAW+=("$CORPORA/$d")
done
grep -P '^word\t' bench/queries.txt | cut -f2 > "$OUT/words.txt"
BASE="$WORK/idx-newswire"
TIDX="$WORK/idx-tantivy"
LIVE="$WORK/idx-live"
{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "built_from=$BUILT_FROM"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') nproc=$(nproc)"
  echo "rustc=$(rustc --version)"
  echo "secs=$SECS"; echo "clients=$CLIENTS"; echo "rounds=$ROUNDS"; echo "synth=$SYNTH"
  echo "queries=$(wc -l < "$OUT/words.txt")"
} > "$OUT/env.txt"

SPID=""; IPID=""   # the server and the indexer this script started and has not yet waited for
cleanup() { for p in $SPID $IPID; do kill "$p" 2>/dev/null || true; done; }
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
# start_server NAME READY_URL CMD...: sets SPID.
start_server() {
  local name="$1" ready="$2"; shift 2
  "$@" > "$OUT/$name.server.log" 2>&1 &
  SPID=$!
  for _ in $(seq 600); do
    curl -sf -o /dev/null "$ready" && return 0
    kill -0 "$SPID" 2>/dev/null || { cat "$OUT/$name.server.log" >&2; exit 1; }
    sleep 0.1
  done
  echo "$name did not answer $ready" >&2; exit 1
}
stop_server() { kill "$SPID" 2>/dev/null || true; wait "$SPID" 2>/dev/null || true; SPID=""; }
# level PHASE ROUND ENGINE CLIENTS URL: one load level against the server SPID, to load.tsv.
level() {
  local la line
  la="$(cut -d' ' -f1-3 /proc/loadavg)"
  line="$("$LOAD" --url "$5" --queries "$OUT/words.txt" --clients "$4" --secs "$SECS" \
    --pid "$SPID" --label "$3" 2>> "$OUT/load.stderr")"
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$la" "$line" >> "$OUT/load.tsv"
  echo "  $1 r$2 $3 x$4 (load $la): $(cut -f5-11 <<< "$line" | tr '\t' ' ')" >&2
}
articles() { curl -sf "$1/api/v1/stats" | python3 -c 'import json,sys; print(json.load(sys.stdin)["articles"])'; }
start_newswire() {
  PORT="$(free_port)"; URL="http://127.0.0.1:$PORT"
  start_server "newswire-$1" "$URL/api/v1/stats" "$NW" serve --index "$2" --bind "127.0.0.1:$PORT"
}
FACETS="facet=org&facet=place&facet=month"

echo "== index the corpora (newswire: raw files with entities)" >&2
/usr/bin/time -v -o "$OUT/base.index.time" "$NW" index "${RAW[@]}" --index "$BASE" --rebuild \
  --json --quiet > "$OUT/base.index.json"
HAVE_TANTIVY=0
if [[ " $PHASES " == *" B "* ]] && [ -x "$TANTIVY_BIN" ]; then
  echo "== index the same articles as JSON Lines in tantivy-cli" >&2
  [ -d "$PEERS_DIR/tantivy-cli" ] || cp -r "$ROOT/../shared/bench/peers" "$PEERS_DIR"
  "$NW" parse "${RAW[@]}" --json 2> /dev/null | python3 bench/to_peer_jsonl.py > "$WORK/corpus.jsonl" 2> "$OUT/convert.txt"
  TANTIVY_BIN="$TANTIVY_BIN" "$PEERS_DIR/tantivy-cli/run.sh" index "$WORK/corpus.jsonl" "$TIDX" > "$OUT/tantivy.index.txt"
  rm -f "$WORK/corpus.jsonl"
  "$TANTIVY_BIN" --version > "$OUT/tantivy.version" 2>&1 || true
  HAVE_TANTIVY=1
elif [[ " $PHASES " == *" B "* ]]; then
  echo "serve_load: no tantivy-cli at $TANTIVY_BIN: phase B runs newswire alone" >&2
fi

if [[ " $PHASES " == *" A "* ]]; then
  echo "== A: newswire serve, 3 facets" >&2
  start_newswire A "$BASE"
  for c in $CLIENTS; do level A 1 newswire "$c" "$URL/api/v1/search?q={q}&$FACETS&limit=10"; done
  stop_server
fi

if [[ " $PHASES " == *" B "* ]]; then
  echo "== B: no facets, newswire serve and tantivy serve, one at a time" >&2
  for r in $(seq "$ROUNDS"); do
    start_newswire "B$r" "$BASE"
    for c in $CLIENTS; do level B "$r" newswire "$c" "$URL/api/v1/search?q={q}&limit=10"; done
    stop_server
    if [ "$HAVE_TANTIVY" = 1 ]; then
      PORT="$(free_port)"
      start_server "tantivy-B$r" "http://127.0.0.1:$PORT/api/?q=oil&nhits=1" \
        "$TANTIVY_BIN" serve -i "$TIDX" --host 127.0.0.1 -p "$PORT"
      for c in $CLIENTS; do level B "$r" tantivy "$c" "http://127.0.0.1:$PORT/api/?q={q}&nhits=10"; done
      stop_server
    fi
  done
fi

if [[ " $PHASES " == *" C "* ]]; then
  SYN="$WORK/synth-$SYNTH"
  if [ ! -d "$SYN/articles" ]; then
    echo "== generate $SYNTH synthetic articles (after copy 0) in $SYN" >&2
    per_copy="$(python3 -c 'import sys; sys.path.insert(0, "bench"); import make_scale_corpus as m
print(sum(len(v) for v in m.load(sys.argv[1]).values()))' "$CORPORA")"
    python3 bench/make_scale_corpus.py "$((per_copy + SYNTH))" "$SYN" --corpora "$CORPORA" 2> "$OUT/generate.txt"
    rm -rf "$SYN/articles/c000"   # the real corpus, already in the served index
  fi
  SYN_DIRS=("$SYN"/articles/c*)
  fresh_copy() { rm -rf "$LIVE"; cp -a "$BASE" "$LIVE"; sync; }
  # index_into TAG: adds the synthetic articles to LIVE in the background (IPID).
  index_into() {
    /usr/bin/time -v -o "$OUT/index-$1.time" "$NW" index "${SYN_DIRS[@]}" --index "$LIVE" --json \
      --quiet > "$OUT/index-$1.json" 2> "$OUT/index-$1.stderr" &
    IPID=$!
  }
  wait_indexer() { local rc=0; wait "$IPID" || rc=$?; IPID=""; return "$rc"; }
  echo "== C0: the indexing alone (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
  echo "C0 $(cut -d' ' -f1-3 /proc/loadavg)" > "$OUT/index-load.txt"
  fresh_copy
  index_into alone
  wait_indexer || echo "indexer exit $?" >&2
  echo "== C: newswire serve, 3 facets, while newswire index adds the synthetic articles" >&2
  for c in $CLIENTS; do
    fresh_copy
    start_newswire "C$c" "$LIVE"
    before="$(articles "$URL")"
    index_into "c$c"
    level C 1 newswire "$c" "$URL/api/v1/search?q={q}&$FACETS&limit=10"
    at_end="$(articles "$URL")"
    rc=0; wait_indexer || rc=$?
    sleep 3   # the server sees the last commit within a second or two
    echo "c$c before=$before at_end_of_load=$at_end after=$(articles "$URL") indexer_rc=$rc" >> "$OUT/index-seen.txt"
    stop_server
  done
  rm -rf "$LIVE"
fi

python3 - "$OUT" "$SECS" <<'PY' | tee "$OUT/summary.md"
import json, os, statistics, sys
out, secs = sys.argv[1], sys.argv[2]
rows = []
for line in open(os.path.join(out, "load.tsv")):
    p = line.rstrip("\n").split("\t")
    d = dict(x.split("=", 1) for x in p[4:])
    d.update(phase=p[0], round=int(p[1]), la=p[2])
    rows.append(d)
env = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(out, "env.txt")) if "=" in l)
print(f"### serve load: {env['built_from']}, {env['date_utc']}\n")
print(f"{env['cpu']}; client and server on the same machine (loopback); {secs} s per level; "
      f"{env['queries']} word queries.\n")
HEAD = ("| engine | clients | req/s | p50 ms | p99 ms | errors | server RSS max (HWM) | server CPU | "
        "took_ms | bytes/answer | load avg before |\n|---|---|---|---|---|---|---|---|---|---|---|")
def row(d):
    took = d["took_ms"] if d["label"] == "newswire" else "n/a"
    return (f"| {d['label']} | {d['clients']} | {float(d['rps']):,.0f} | {d['p50_ms']} | {d['p99_ms']} | "
            f"{d['errors']} | {d['rss_max_mib']} ({d['hwm_mib']}) MiB | {d['server_cpu_pct']}% | {took} | "
            f"{int(d['mean_bytes']):,} | {d['la']} |")
for ph, title in [("A", "A. newswire, 3 facets (org, place, month), limit 10"),
                  ("C", "C. the same while `newswire index` adds the synthetic articles")]:
    sel = [d for d in rows if d["phase"] == ph]
    if sel:
        print(f"**{title}**\n\n{HEAD}")
        for d in sel:
            print(row(d))
        print()
def timev(path):
    r = {}
    for l in open(path):
        if "Maximum resident set size" in l:
            r["rss"] = int(l.rsplit(":", 1)[1]) / 1024
        if "Elapsed (wall clock)" in l:
            t = l.rsplit(": ", 1)[1].strip().split(":")
            r["wall"] = sum(float(x) * 60 ** i for i, x in enumerate(reversed(t)))
        if "Percent of CPU" in l:
            r["cpu"] = l.rsplit(":", 1)[1].strip()
    return r
if os.path.exists(os.path.join(out, "index-alone.time")):
    seen = {}
    if os.path.exists(os.path.join(out, "index-seen.txt")):
        for l in open(os.path.join(out, "index-seen.txt")):
            k, *kv = l.split()
            seen[k] = dict(x.split("=") for x in kv)
    print("**Indexer** (`newswire index` of the synthetic articles into a copy of the served index)\n")
    print("| run | articles | wall s | articles/s | CPU | peak RSS | served index: articles before / at end of load / after |")
    print("|---|---|---|---|---|---|---|")
    for tag in ["alone"] + [f"c{d['clients']}" for d in rows if d["phase"] == "C"]:
        try:
            s = json.loads(open(os.path.join(out, f"index-{tag}.json")).read().strip().splitlines()[-1])
        except (OSError, IndexError, ValueError):
            continue
        t = timev(os.path.join(out, f"index-{tag}.time"))
        sv = seen.get(tag, {})
        name = "alone (no server)" if tag == "alone" else f"under {tag[1:]} clients"
        sv_txt = f"{sv.get('before')} / {sv.get('at_end_of_load')} / {sv.get('after')}" if sv else "n/a"
        print(f"| {name} | {s['articles']:,} | {t['wall']:.1f} | {s['articles'] / t['wall']:,.0f} | "
              f"{t['cpu']} | {t['rss']:.0f} MiB | {sv_txt} |")
    print()
sel = [d for d in rows if d["phase"] == "B"]
if sel:
    print(f"**B. no facets, limit 10: newswire serve against tantivy serve**, interleaved by round\n\n{HEAD.replace('| engine |', '| round | engine |').replace('|---|', '|---|---|', 1)}")
    for d in sel:
        print(f"| {d['round']} " + row(d))
    print()
    levels = sorted({int(d["clients"]) for d in sel})
    if any(d["label"] == "tantivy" for d in sel):
        print("| clients | newswire req/s (median of rounds) | tantivy req/s | newswire/tantivy throughput | "
              "p50 newswire / tantivy | p99 newswire / tantivy |\n|---|---|---|---|---|---|")
        for c in levels:
            def med(eng, key):
                v = [float(d[key]) for d in sel if d["label"] == eng and int(d["clients"]) == c]
                return statistics.median(v) if v else float("nan")
            n, t = med("newswire", "rps"), med("tantivy", "rps")
            print(f"| {c} | {n:,.0f} | {t:,.0f} | **{n / t:.2f}x** | "
                  f"{med('newswire', 'p50_ms'):.2f} / {med('tantivy', 'p50_ms'):.2f} ms | "
                  f"{med('newswire', 'p99_ms'):.2f} / {med('tantivy', 'p99_ms'):.2f} ms |")
        print()
errs = sum(int(d["errors"]) for d in rows)
print(f"Errors over all levels: {errs}.")
PY
echo "results in $OUT" >&2
