#!/usr/bin/env bash
# Article-body extraction from pages saved as text: scores the `body` that
# `newswire parse --json` gives for every page of ../shared/corpora/text-scrapes against
# its ground-truth.json, with ../shared/tools/body_score.py (word 4-gram shingles, mean
# precision and recall over pages, F1 of the means).
#
#   bench/body_score.sh                  # dev, held-out and all pages (release binary)
#   NW=target/debug/newswire bench/body_score.sh
#   WORST=10 bench/body_score.sh         # also the 10 worst pages of each set
#   PAGES=DIR bench/body_score.sh        # another folder of dumps + ground-truth.json
#                                        # (read the `all` line)
#
# The pages are split once, by sorted file name: every third page (the 3rd, 6th, ...)
# is held out and was never looked at while tuning `src/formats/page/`;
# the others are the development set. Research data: nothing of it enters the repository.
# Without ../shared (a fresh clone) the script says so and exits 0.
set -euo pipefail
ROOT="$(cd "$(dirname "$(readlink -f "$0")")/.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
PAGES="${PAGES:-$SHARED/corpora/text-scrapes}"
SCORE="$SHARED/tools/body_score.py"
if [ ! -d "$PAGES" ] || [ ! -f "$SCORE" ]; then
  echo "body_score: skipped, $PAGES or $SCORE not found (the research corpora are not in this checkout)"
  exit 0
fi
NW="${NW:-$ROOT/target/release/newswire}"
if [ ! -x "$NW" ]; then
  (cd "$ROOT" && cargo build --release --bin newswire >&2)
fi
WORST="${WORST:-0}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# One file at a time, so a page that is skipped counts as an empty body, not a gap.
for f in "$PAGES"/*.txt; do
  "$NW" parse --json --no-entities "$f" 2>/dev/null || true
done >"$tmp/parsed.jsonl"
python3 - "$PAGES/ground-truth.json" "$tmp" <<'EOF'
import json, os, sys
gold = json.load(open(sys.argv[1], encoding="utf-8"))
out = sys.argv[2]
pred = {}
for line in open(os.path.join(out, "parsed.jsonl"), encoding="utf-8"):
    o = json.loads(line)
    if o.get("type") == "article":
        key = os.path.basename(o["path"])[: -len(".txt")]
        pred[key] = {"articleBody": o.get("body", "")}
keys = sorted(gold)
sets = {
    "dev": [k for i, k in enumerate(keys) if i % 3 != 2],
    "held-out": [k for i, k in enumerate(keys) if i % 3 == 2],
    "all": keys,
}
for name, ks in sets.items():
    json.dump({k: gold[k] for k in ks}, open(os.path.join(out, f"gold-{name}.json"), "w"))
    json.dump({k: pred[k] for k in ks if k in pred}, open(os.path.join(out, f"pred-{name}.json"), "w"))
EOF
for set in dev held-out all; do
  printf '%-9s ' "$set"
  if [ "$WORST" -gt 0 ]; then
    python3 "$SCORE" "$tmp/gold-$set.json" "$tmp/pred-$set.json" --worst "$WORST"
  else
    python3 "$SCORE" "$tmp/gold-$set.json" "$tmp/pred-$set.json"
  fi
done
