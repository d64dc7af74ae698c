#!/usr/bin/env bash
# newswire on a Quickwit node against the local index, on the same articles, in one run.
#
# usage: QUICKWIT_BIN=/path/to/quickwit bench/quickwit.sh [CORPUS_DIR]
#   CORPUS_DIR defaults to ../shared/corpora (its news folders, as bench/run.sh reads
#   them). Env: CMD_REPEAT (default 2),
#   WORK (scratch folder, default /tmp/newswire-qw-bench; deleted first),
#   INDEX (an existing local index of CORPUS_DIR, e.g. the one `KEEP=1 bench/scale.sh N`
#   keeps: the local step then only finds it up to date; default a new one in WORK).
#
# Measures: local index build (raw files -> parse -> entities -> index); sending the
# indexed articles to a one-node Quickwit (`newswire index --quickwit`: everything
# after the local index); search + 3 facets (org, place, month) per command over
# bench/queries.txt, local and through the node; then the same through a second node
# that joined the first. Quickwit is started here on loopback ports, telemetry off.
set -euo pipefail
cd "$(dirname "$0")/.."
: "${QUICKWIT_BIN:?set QUICKWIT_BIN to a quickwit binary}"
CORPUS="${1:-../shared/corpora}"
RAW=()
for d in xinhua-pages afp-wire reuters21578 ap89 bbc html-pages; do
  [ -e "$CORPUS/$d" ] && RAW+=("$CORPUS/$d")
done
[ ${#RAW[@]} -gt 0 ] || RAW=("$CORPUS")
CMD_REPEAT="${CMD_REPEAT:-2}"
WORK="${WORK:-/tmp/newswire-qw-bench}"
rm -rf "$WORK" && mkdir -p "$WORK/cluster"
cargo build --release --quiet
NW="$PWD/target/release/newswire"

node() { # name rest_port [seed_port]
  local dir="$WORK/cluster/$1"; mkdir -p "$dir"
  {
    echo "version: 0.8"; echo "node_id: $1"; echo "cluster_id: newswire-bench"
    echo "listen_address: 127.0.0.1"; echo "rest:"; echo "  listen_port: $2"
    echo "data_dir: $dir"; echo "metastore_uri: file://$WORK/cluster/metastore"
    echo "default_index_root_uri: file://$WORK/cluster/indexes"
    if [ -n "${3:-}" ]; then echo "peer_seeds: [127.0.0.1:$3]"; fi
  } > "$dir/node.yaml"
  QW_DISABLE_TELEMETRY=1 "$QUICKWIT_BIN" run --config "$dir/node.yaml" > "$dir/node.log" 2>&1 &
  echo $! > "$dir/pid"
  for _ in $(seq 1 300); do
    curl -sf "http://127.0.0.1:$2/health/readyz" > /dev/null && return 0
    sleep 0.2
  done
  echo "node $1 did not start; see $dir/node.log" >&2; exit 1
}
cleanup() { for p in "$WORK"/cluster/*/pid; do [ -f "$p" ] && kill "$(cat "$p")" 2>/dev/null || true; done; }
trap cleanup EXIT

node node-1 17280
Q=http://127.0.0.1:17280
IDX="${INDEX:-$WORK/index}"

echo "== commit $(git rev-parse --short HEAD), $(date -u +%F), corpus $CORPUS"
t0=$(date +%s.%N)
"$NW" --index "$IDX" index --quiet --json "${RAW[@]}" > "$WORK/local.json" || true
t1=$(date +%s.%N)
"$NW" --index "$IDX" --quickwit "$Q" index --quiet --json "${RAW[@]}" > "$WORK/send.json"
t2=$(date +%s.%N)
python3 - "$WORK/local.json" "$WORK/send.json" "$t0" "$t1" "$t2" <<'PY'
import json, sys
local = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
send = [json.loads(l) for l in open(sys.argv[2]) if l.startswith("{")]
s = next(x for x in local if x.get("type") == "summary")
c = next(x for x in send if x.get("type") == "cluster")
t0, t1, t2 = map(float, sys.argv[3:6])
n = s["index_articles"]
print(f"local index: {n} articles in {t1-t0:.1f} s ({n/(t1-t0):.0f}/s)")
print(f"send to Quickwit: {c['sent']} articles in {t2-t1:.1f} s ({c['sent']/(t2-t1):.0f}/s), "
      f"{c['requests']} requests, {c['bytes']/1e6:.0f} MB")
print(f"whole way to a searchable cluster: {n/(t2-t0):.0f} articles/s")
PY
lat() { python3 bench/cmd_latency.py "$NW" "$IDX" bench/queries.txt --repeat "$CMD_REPEAT" --facets org,place,month "$@" | grep 'kind=all'; }
echo "local:          $(lat)"
echo "quickwit 1 node: $(lat --cluster "$Q")"
node node-2 17290 17280
sleep 3
echo "quickwit 2 nodes, via node-2: $(lat --cluster http://127.0.0.1:17290)"
echo "quickwit 2 nodes, via node-1: $(lat --cluster "$Q")"
