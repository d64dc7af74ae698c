#!/usr/bin/env python3
"""Map `newswire parse --json` output (stdin) to the peers' shared JSON Lines (stdout).

The peers' input is {"id","headline","body","date":"YYYY-MM-DD","orgs","places","people"}
(see ../shared/bench/peers/README.md). Every engine, newswire included, then indexes
exactly these documents. Articles whose id was already seen are dropped (and counted on
stderr), so ids stay unique for top-10 comparisons.
"""
import json
import sys


def main():
    seen = set()
    dup = 0
    out = sys.stdout
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        a = json.loads(line)
        if a.get("type") not in (None, "article"):
            continue
        aid = str(a.get("id", ""))
        if not aid or aid in seen:
            dup += 1
            continue
        seen.add(aid)
        d = {
            "id": aid,
            "headline": a.get("headline") or "",
            "body": a.get("body") or "",
            "orgs": a.get("org") or [],
            "places": a.get("place") or [],
            "people": a.get("person") or [],
        }
        if a.get("published"):
            d["date"] = str(a["published"])[:10]
        out.write(json.dumps(d, ensure_ascii=False) + "\n")
    print(f"to_peer_jsonl: {len(seen)} articles, {dup} dropped (duplicate or missing id)", file=sys.stderr)


if __name__ == "__main__":
    main()
