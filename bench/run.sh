#!/bin/bash
# Whole-corpus benchmark: newswire side by side with the peers, in one run.
#
#   bench/run.sh                 # everything, report in target/bench/<timestamp>/summary.md
#
# 1. builds newswire (release) and examples/bench_search;
# 2. parses the real corpora in ../shared/corpora with `newswire parse --json` and maps
#    the articles to the peers' JSON Lines (bench/to_peer_jsonl.py), so every engine
#    indexes identical documents;
# 3. one engine at a time: index the JSON Lines under /usr/bin/time -v (time, peak RSS,
#    index size), then run the plain-word queries of bench/queries.txt REPEAT times,
#    without and with facets (org + month; newswire also counts place);
# 4. newswire on the raw files (parse + entities + index) and without entities;
# 5. newswire search latency per query kind (words, phrases, fields, date ranges) with
#    and without 3 facets (org, place, month): in-process (bench_search) and for the
#    whole `newswire search` command (bench/cmd_latency.py);
# 6. bench/report.py prints the tables, ratios and top-10 / facet agreement.
#
# Needs the peers: bench/install_peers.sh (once). Env:
#   ENGINES   (default "newswire tantivy-cli lucene sqlite-fts5 xapian postgres")
#   CORPORA   (default ../shared/corpora)   OUT (default target/bench/<timestamp>)
#   REPEAT    query passes (default 10)     CMD_REPEAT command passes (default 3)
#   TANTIVY_THREADS  tantivy-cli indexing threads (default 2: both engines use both cores)
#   BUILD_FROM=REV   benchmark a commit (exported to target/bench-src) instead of the working tree
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
cd "$ROOT"
CORPORA="${CORPORA:-$ROOT/../shared/corpora}"
OUT="${OUT:-$ROOT/target/bench/$(date -u +%Y%m%d-%H%M%S)}"
REPEAT="${REPEAT:-10}"
CMD_REPEAT="${CMD_REPEAT:-3}"
ENGINES="${ENGINES:-newswire tantivy-cli lucene sqlite-fts5 xapian postgres}"
PEERS_DIR="$ROOT/target/peers"
IDX="$OUT/idx"
export TANTIVY_THREADS="${TANTIVY_THREADS:-2}"
export TANTIVY_BIN="${TANTIVY_BIN:-$PEERS_DIR/tantivy-cli/bin/tantivy}"
TIME=/usr/bin/time
mkdir -p "$OUT" "$IDX"
chmod 755 "$OUT" "$IDX"   # the PostgreSQL peer runs as user postgres

[ -d "$CORPORA" ] || { echo "no corpora at $CORPORA (set CORPORA)" >&2; exit 1; }
[ -x "$TIME" ] || { echo "$TIME missing: apt-get install time" >&2; exit 1; }
for e in $ENGINES; do
  [ "$e" = newswire ] || [ -d "$PEERS_DIR/$e" ] || { echo "peer $e missing: run bench/install_peers.sh" >&2; exit 1; }
done

echo "== build" >&2
# shellcheck source=bench/build.sh
. "$ROOT/bench/build.sh"   # sets NW and BENCH_SEARCH_BIN (BUILD_FROM=REV builds a commit)
export NEWSWIRE_BIN="$NW" BENCH_SEARCH_BIN

RAW=()
for d in xinhua-pages afp-wire reuters21578 ap89 bbc html-pages; do
  [ -e "$CORPORA/$d" ] && RAW+=("$CORPORA/$d")
done

{
  echo "date_utc=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "built_from=$BUILT_FROM"
  echo "cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //') nproc=$(nproc)"
  echo "mem=$(free -g | awk '/Mem:/{print $2}')GiB kernel=$(uname -r)"
  echo "rustc=$(rustc --version)"
  echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "repeat=$REPEAT cmd_repeat=$CMD_REPEAT tantivy_threads=$TANTIVY_THREADS"
  echo "raw_inputs=${RAW[*]}"
} > "$OUT/env.txt"

echo "== corpus -> JSON Lines" >&2
"$NW" parse "${RAW[@]}" --json 2> "$OUT/parse.stderr" \
  | python3 "$ROOT/bench/to_peer_jsonl.py" > "$OUT/corpus.jsonl" 2> "$OUT/convert.txt"
cat "$OUT/convert.txt" >&2
grep -P '^word\t' "$ROOT/bench/queries.txt" | cut -f2 > "$OUT/peer-queries.txt"
du -sb "$OUT/corpus.jsonl" | cut -f1 > "$OUT/corpus.bytes"
du -sbc "${RAW[@]}" | tail -1 | cut -f1 > "$OUT/raw.bytes"

runner() { if [ "$1" = newswire ]; then echo "$ROOT/bench/newswire_peer.sh"; else echo "$PEERS_DIR/$1/run.sh"; fi; }

for e in $ENGINES; do
  echo "== $e" >&2
  r="$(runner "$e")"
  sync
  "$TIME" -v -o "$OUT/$e.index.time" "$r" index "$OUT/corpus.jsonl" "$IDX/$e" > "$OUT/$e.index.txt"
  "$r" query "$IDX/$e" "$OUT/peer-queries.txt" --repeat "$REPEAT" > "$OUT/$e.query.txt"
  "$r" query "$IDX/$e" "$OUT/peer-queries.txt" --repeat "$REPEAT" --facets > "$OUT/$e.facets.txt"
  if [ "$e" != newswire ] && [ "$e" != tantivy-cli ] && [ "$e" != lucene ]; then
    rm -rf "${IDX:?}/$e"   # keep disk use down; tantivy-cli and Lucene stay for comparisons
  fi
done

if [[ " $ENGINES " == *" newswire "* ]]; then
  S="$BENCH_SEARCH_BIN"
  echo "== newswire: ranking with its own boosts (headline x2)" >&2
  "$S" "$IDX/newswire" "$OUT/peer-queries.txt" --repeat 2 > "$OUT/newswire-boosted.query.txt"
  echo "== newswire: raw files, parse + entities + index" >&2
  sync
  "$TIME" -v -o "$OUT/newswire-raw.index.time" "$NW" index "${RAW[@]}" --index "$IDX/newswire-raw" \
    --rebuild --json --quiet > "$OUT/newswire-raw.index.json"
  du -sb "$IDX/newswire-raw" | cut -f1 > "$OUT/newswire-raw.size"
  echo "== newswire: raw files without entities" >&2
  sync
  "$TIME" -v -o "$OUT/newswire-raw-noent.index.time" "$NW" index "${RAW[@]}" --index "$IDX/newswire-raw-noent" \
    --rebuild --no-entities --json --quiet > "$OUT/newswire-raw-noent.index.json"
  rm -rf "$IDX/newswire-raw-noent"
  echo "== newswire: latency per query kind (in-process, then the whole command)" >&2
  "$S" "$IDX/newswire" bench/queries.txt --repeat "$REPEAT" > "$OUT/newswire-lat.txt"
  "$S" "$IDX/newswire" bench/queries.txt --repeat "$REPEAT" --facets org,place,month > "$OUT/newswire-lat-facets.txt"
  python3 bench/cmd_latency.py "$NW" "$IDX/newswire" bench/queries.txt --repeat "$CMD_REPEAT" > "$OUT/newswire-cmd.txt"
  python3 bench/cmd_latency.py "$NW" "$IDX/newswire" bench/queries.txt --repeat "$CMD_REPEAT" \
    --facets org,place,month > "$OUT/newswire-cmd-facets.txt"
fi
echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$OUT/env.txt"

python3 "$ROOT/bench/report.py" "$OUT" $ENGINES | tee "$OUT/summary.md"
echo "results in $OUT" >&2
