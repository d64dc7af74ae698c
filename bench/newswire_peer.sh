#!/bin/bash
# newswire as one more "peer": the same interface and output as the runners in
# ../shared/bench/peers (see its README), so summarize.py / compare.py work on it.
#   newswire_peer.sh index INPUT.jsonl INDEX_DIR
#   newswire_peer.sh query INDEX_DIR QUERIES.txt [--facets] [--repeat N]
# index: `newswire index INPUT --rebuild --no-entities` (the input's orgs/places/people
#        are taken as given); index_ms is the wall time of the whole command.
# query: examples/bench_search.rs (in-process, library call per query) with plain-word
#        queries searched unboosted in headline+body like tantivy-cli and Lucene, and
#        identical stories kept in the top 10 (--show-duplicates; the peers keep them);
#        --facets computes org, place and month (org and month are printed).
# Env: NEWSWIRE_BIN, BENCH_SEARCH_BIN (default: target/release/...), NEWSWIRE_MEMORY (MB).
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
BIN="${NEWSWIRE_BIN:-$ROOT/target/release/newswire}"
SEARCH="${BENCH_SEARCH_BIN:-$ROOT/target/release/examples/bench_search}"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
cmd="${1:-}"; shift || true
case "$cmd" in
  index)
    in="$1"; dir="$2"
    rm -rf "$dir"
    t0=$(now_ms)
    summary=$("$BIN" index "$in" --index "$dir" --rebuild --no-entities --json --quiet \
              --memory "${NEWSWIRE_MEMORY:-512}")
    t1=$(now_ms)
    docs=$(printf '%s' "$summary" | python3 -c 'import json,sys; print(json.loads(sys.stdin.read().strip().splitlines()[-1])["index_articles"])')
    size=$(du -sb "$dir" | cut -f1)
    printf 'INDEX\tpeer=newswire\tdocs=%s\tindex_ms=%s\tsize_bytes=%s\n' "$docs" "$((t1 - t0))" "$size"
    printf 'NOTE\tsummary %s\n' "$summary"
    ;;
  query)
    dir="$1"; q="$2"; shift 2
    facets=""; repeat=1
    while [ $# -gt 0 ]; do
      case "$1" in
        --facets) facets="--facets org,place,month" ;;
        --repeat) repeat="$2"; shift ;;
      esac
      shift
    done
    # Peers' query files hold plain words; bench_search reads lines without a tab as `word`.
    # shellcheck disable=SC2086
    "$SEARCH" "$dir" "$q" --repeat "$repeat" --unboosted --show-duplicates $facets
    ;;
  *) echo "usage: $0 index INPUT.jsonl INDEX_DIR | query INDEX_DIR QUERIES [--facets] [--repeat N]" >&2; exit 2 ;;
esac
