#!/bin/bash
# Scale run on the SYNTHETIC corpus (bench/make_scale_corpus.py): index N raw articles
# end to end (parse + entities + index) with a memory budget, then search latency with
# and without 3 facets (org, place, month) in-process and for the whole command.
#
#   bench/scale.sh N [N2 ...]        e.g. bench/scale.sh 30000 300000 1000000
#
# Env: SCALE_DIR (default target/scale; corpora and indexes go there, outside git),
#      MEMORY (writer budget MB, default 512), REPEAT (default 5), CMD_REPEAT (default 2),
#      CORPORA (default ../shared/corpora), NO_ENTITIES=1 (adds --no-entities),
#      LUCENE=1 (also index the same articles as JSON Lines in Lucene and time its queries),
#      KEEP=1 (keep the index), BUILD_FROM=REV (benchmark a commit, not the working tree).
# Prints one SCALE line per N and writes SCALE_DIR/results-N-mMEMORY/ (index summary, time -v,
# LAT, CMD) and, with KEEP=1, the index SCALE_DIR/idx-N-mMEMORY.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$ROOT"
SCALE_DIR="${SCALE_DIR:-$ROOT/target/scale}"
MEMORY="${MEMORY:-512}"
REPEAT="${REPEAT:-5}"
CMD_REPEAT="${CMD_REPEAT:-2}"
CORPORA="${CORPORA:-$ROOT/../shared/corpora}"
[ $# -gt 0 ] || { echo "usage: $0 N [N ...]" >&2; exit 2; }
# shellcheck source=bench/build.sh
. "$ROOT/bench/build.sh"   # sets NW and BENCH_SEARCH_BIN (BUILD_FROM=REV builds a commit)
S="$BENCH_SEARCH_BIN"
export NEWSWIRE_BIN="$NW" BENCH_SEARCH_BIN   # for bench/newswire_peer.sh (LUCENE=1)
mkdir -p "$SCALE_DIR"
for N in "$@"; do
  C="$SCALE_DIR/corpus-$N"; I="$SCALE_DIR/idx-$N-m$MEMORY"; R="$SCALE_DIR/results-$N-m$MEMORY"
  mkdir -p "$R"
  if [ ! -d "$C/articles" ]; then
    echo "== generate $N synthetic articles in $C" >&2
    python3 bench/make_scale_corpus.py "$N" "$C" --corpora "$CORPORA" 2> "$R/generate.txt"
  fi
  bytes=$(du -sb "$C/articles" | cut -f1)
  extra=()
  [ "${NO_ENTITIES:-0}" = 1 ] && extra+=(--no-entities)
  echo "== index $N (memory $MEMORY MB ${extra[*]:-})" >&2
  sync
  /usr/bin/time -v -o "$R/index.time" "$NW" index "$C/articles" --index "$I" --rebuild --json --quiet \
    --memory "$MEMORY" "${extra[@]}" > "$R/index.json" || true
  size=$(du -sb "$I" | cut -f1)
  echo "== search $N" >&2
  "$S" "$I" bench/queries.txt --repeat "$REPEAT" > "$R/lat.txt"
  "$S" "$I" bench/queries.txt --repeat "$REPEAT" --facets org,place,month > "$R/lat-facets.txt"
  python3 bench/cmd_latency.py "$NW" "$I" bench/queries.txt --repeat "$CMD_REPEAT" \
    --facets org,place,month > "$R/cmd-facets.txt"
  if [ "${LUCENE:-0}" = 1 ]; then
    echo "== lucene $N" >&2
    "$NW" parse "$C/articles" --json 2>/dev/null | python3 bench/to_peer_jsonl.py > "$R/corpus.jsonl" 2> "$R/convert.txt"
    grep -P '^word\t' bench/queries.txt | cut -f2 > "$R/peer-queries.txt"
    /usr/bin/time -v -o "$R/lucene.index.time" target/peers/lucene/run.sh index "$R/corpus.jsonl" "$SCALE_DIR/lucene-$N" > "$R/lucene.index.txt"
    target/peers/lucene/run.sh query "$SCALE_DIR/lucene-$N" "$R/peer-queries.txt" --repeat 10 --facets > "$R/lucene.facets.txt"
    bench/newswire_peer.sh query "$I" "$R/peer-queries.txt" --repeat 10 --facets > "$R/newswire.facets.txt"
    rm -rf "$SCALE_DIR/lucene-$N" "$R/corpus.jsonl"
  fi
  python3 - "$N" "$R" "$bytes" "$size" "$MEMORY" <<'PY'
import json, sys
n, r, nbytes, size, mem = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
s = json.loads(open(f"{r}/index.json").read().strip().splitlines()[-1])
rss = wall = None
for line in open(f"{r}/index.time"):
    if "Maximum resident set size" in line:
        rss = int(line.rsplit(":", 1)[1]) / 1024
    if "Elapsed (wall clock)" in line:
        t = line.rsplit(": ", 1)[1].strip().split(":")
        wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(t)))
def lat(path, tag, kind):
    for line in open(path):
        p = line.rstrip("\n").split("\t")
        if p[0] == tag:
            d = dict(x.split("=", 1) for x in p[1:])
            if d["kind"] == kind:
                return d
    return {}
a = lat(f"{r}/lat.txt", "LAT", "all"); b = lat(f"{r}/lat-facets.txt", "LAT", "all")
c = lat(f"{r}/cmd-facets.txt", "CMD", "all")
print(f"SCALE\trequested={n}\tarticles={s['articles']}\tindex_articles={s['index_articles']}\tskipped={s['articles_skipped']}"
      f"\tbytes={nbytes}\twall_s={wall:.1f}\tarticles_per_s={s['articles'] / wall:.0f}\tmb_per_s={nbytes / 1e6 / wall:.1f}"
      f"\tpeak_rss_mib={rss:.0f}\tmemory_mb={mem}\tindex_bytes={size}"
      f"\tp50_ms={a.get('p50')}\tp95_ms={a.get('p95')}\tp50_3facets_ms={b.get('p50')}\tp95_3facets_ms={b.get('p95')}"
      f"\tcmd_p50_3facets_ms={c.get('p50')}\tcmd_p95_3facets_ms={c.get('p95')}")
PY
  if [ "${KEEP:-0}" != 1 ]; then rm -rf "$I"; fi
done | tee -a "$SCALE_DIR/scale-results.tsv"
