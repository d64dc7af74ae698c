#!/usr/bin/env python3
"""Tables for a bench/run.sh result folder (Markdown on stdout).

usage: report.py OUT_DIR ENGINE...   (newswire first if present)
Ratios: indexing throughput is newswire / peer (above 1 = newswire faster); latency and
size are newswire / peer (below 1 = newswire faster / smaller).
"""
import json
import os
import re
import sys


def kv(path, tag):
    out = {}
    if not os.path.exists(path):
        return out
    for line in open(path, encoding="utf-8"):
        p = line.rstrip("\n").split("\t")
        if p[0] == tag:
            out.update(x.split("=", 1) for x in p[1:] if "=" in x)
    return out


def tagged(path, tag):
    rows = []
    if not os.path.exists(path):
        return rows
    for line in open(path, encoding="utf-8"):
        p = line.rstrip("\n").split("\t")
        if p[0] == tag:
            rows.append(dict(x.split("=", 1) for x in p[1:] if "=" in x))
    return rows


def timev(path):
    """Peak RSS (MiB) and wall seconds from /usr/bin/time -v output."""
    rss = wall = None
    if os.path.exists(path):
        for line in open(path, encoding="utf-8", errors="replace"):
            if "Maximum resident set size" in line:
                rss = int(line.rsplit(":", 1)[1]) / 1024.0
            elif "Elapsed (wall clock)" in line:
                t = line.rsplit(": ", 1)[1].strip().split(":")
                wall = sum(float(x) * 60 ** i for i, x in enumerate(reversed(t)))
    return rss, wall


def qlines(path):
    out = {}
    if not os.path.exists(path):
        return out
    for line in open(path, encoding="utf-8"):
        p = line.rstrip("\n").split("\t")
        if p[0] == "Q":
            out[p[1]] = (int(p[2]), float(p[3]), p[4].split(",") if p[4] else [])
    return out


def flines(path):
    out = {}
    if not os.path.exists(path):
        return out
    for line in open(path, encoding="utf-8"):
        p = line.rstrip("\n").split("\t")
        if p[0] == "F":
            out[(p[1], p[2])] = p[3]
    return out


def pct(v, p):
    if not v:
        return float("nan")
    v = sorted(v)
    k = max(1, min(len(v), -(-int(p * len(v)) // 100)))
    return v[k - 1]


def mib(b):
    return f"{b / 2**20:.1f} MiB"


def fmt(x, nd=1):
    return "n/a" if x is None or x != x else f"{x:,.{nd}f}"


def main():
    d = sys.argv[1]
    engines = sys.argv[2:]
    env = open(os.path.join(d, "env.txt"), encoding="utf-8").read().strip()
    corpus_bytes = int(open(os.path.join(d, "corpus.bytes")).read())
    print("## Environment\n\n```\n" + env + "\n```\n")

    # Indexing
    rows = {}
    for e in engines:
        ix = kv(f"{d}/{e}.index.txt", "INDEX")
        if not ix:
            continue
        rss, wall = timev(f"{d}/{e}.index.time")
        docs, ms, size = int(ix["docs"]), float(ix["index_ms"]), int(ix["size_bytes"])
        rows[e] = dict(docs=docs, s=ms / 1000, aps=docs / (ms / 1000), mbps=corpus_bytes / 1e6 / (ms / 1000),
                       rss=rss, wall=wall, size=size)
    nw = rows.get("newswire")
    print(f"## Indexing identical JSON Lines ({corpus_bytes / 1e6:.1f} MB)\n")
    print("| engine | docs | index s | articles/s | MB/s | peak RSS | index size | newswire/peer throughput | newswire/peer size |")
    print("|---|---|---|---|---|---|---|---|---|")
    for e, r in rows.items():
        tr = f"{nw['aps'] / r['aps']:.2f}x" if nw else "n/a"
        sr = f"{nw['size'] / r['size']:.2f}x" if nw else "n/a"
        print(f"| {e} | {r['docs']:,} | {r['s']:.2f} | {r['aps']:,.0f} | {r['mbps']:.1f} | "
              f"{fmt(r['rss'], 0)} MiB | {mib(r['size'])} | {tr} | {sr} |")

    # Raw pipeline
    raw = {}
    for name in ("newswire-raw", "newswire-raw-noent"):
        p = f"{d}/{name}.index.json"
        if os.path.exists(p) and os.path.getsize(p):
            s = json.loads(open(p, encoding="utf-8").read().strip().splitlines()[-1])
            rss, wall = timev(f"{d}/{name}.index.time")
            raw[name] = (s, rss, wall)
    if raw:
        print("\n## newswire on the raw files\n")
        print("| run | articles | bytes read | wall s | articles/s | MB/s | peak RSS | index size | throughput / newswire JSONL (--no-entities) |")
        print("|---|---|---|---|---|---|---|---|---|")
        for name, (s, rss, wall) in raw.items():
            aps = s["articles"] / wall
            size = ""
            if os.path.exists(f"{d}/{name}.size"):
                size = mib(int(open(f"{d}/{name}.size").read()))
            ratio = f"{aps / nw['aps']:.2f}x" if nw else "n/a"
            label = "parse + entities + index" if name == "newswire-raw" else "parse + index (--no-entities)"
            print(f"| {label} | {s['articles']:,} | {s['bytes'] / 1e6:.1f} MB | {wall:.2f} | {aps:,.0f} | "
                  f"{s['bytes'] / 1e6 / wall:.1f} | {fmt(rss, 0)} MiB | {size} | {ratio} |")

    # Search vs peers
    print("\n## Search, plain-word queries (OR), per query: top 10 + exact count (+ facets)\n")
    print("| engine | queries | best pass ms | p50 ms | p95 ms | p99 ms | +facets best pass ms | +facets p50 | "
          "+facets p95 | +facets p99 | newswire/peer p50 | newswire/peer p50 with facets |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    lat = {}
    for e in engines:
        q, f = qlines(f"{d}/{e}.query.txt"), qlines(f"{d}/{e}.facets.txt")
        if not q:
            continue
        tq, tf = kv(f"{d}/{e}.query.txt", "TOTAL"), kv(f"{d}/{e}.facets.txt", "TOTAL")
        qs = [v[1] for v in q.values()]
        fs = [v[1] for v in f.values()]
        facet_note = "facet_procs_ms" in tf
        lat[e] = (pct(qs, 50), None if facet_note else pct(fs, 50))
        lat[e] += (qs, fs, tq, tf, facet_note)
    for e, (p50, fp50, qs, fs, tq, tf, facet_note) in lat.items():
        r1 = f"{lat['newswire'][0] / p50:.2f}x" if "newswire" in lat and p50 else "n/a"
        r2 = (f"{lat['newswire'][1] / fp50:.2f}x" if "newswire" in lat and fp50 and lat["newswire"][1] else "n/a")
        if facet_note:
            fcols = f"n/a ¹ | n/a | n/a | n/a"
        else:
            fcols = f"{tf.get('best_pass_ms')} | {pct(fs, 50):.3f} | {pct(fs, 95):.3f} | {pct(fs, 99):.3f}"
        print(f"| {e} | {len(qs)} | {tq.get('best_pass_ms')} | {p50:.3f} | {pct(qs, 95):.3f} | {pct(qs, 99):.3f} | "
              f"{fcols} | {r1} | {r2} |")
    if "tantivy-cli" in lat:
        print("\n¹ tantivy-cli has no in-process facet path: one `tantivy search -a` process per query "
              f"({kv(f'{d}/tantivy-cli.facets.txt', 'TOTAL').get('facet_procs_ms')} ms for all). tantivy-cli's "
              "per-query time is `tantivy bench` (searcher.search only: no parsing, no doc fetch). "
              "newswire's covers parsing, top 10, count, stored fields and snippets of the 10 hits.")

    # newswire latency per kind
    print("\n## newswire search latency by query kind (ms; first pass is warm-up)\n")
    print("| kind | in-process p50 | p95 | p99 | + 3 facets p50 | p95 | p99 | command p50 | p95 | p99 | command + 3 facets p50 | p95 | p99 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    src = [tagged(f"{d}/newswire-lat.txt", "LAT"), tagged(f"{d}/newswire-lat-facets.txt", "LAT"),
           tagged(f"{d}/newswire-cmd.txt", "CMD"), tagged(f"{d}/newswire-cmd-facets.txt", "CMD")]
    kinds = []
    for rowsx in src:
        for r in rowsx:
            if r["kind"] not in kinds:
                kinds.append(r["kind"])
    for k in kinds:
        cells = []
        for rowsx in src:
            r = next((x for x in rowsx if x["kind"] == k), None)
            cells += [r["p50"], r["p95"], r["p99"]] if r else ["", "", ""]
        print(f"| {k} | " + " | ".join(cells) + " |")
    print("\n3 facets = org, place, month (exact counts over all hits).")

    # Agreement
    print("\n## Agreement with the peers (same documents, plain-word queries)\n")
    print("| newswire run | vs | hit counts equal | mean top-10 overlap | identical top-10 lists | identical facet lines |")
    print("|---|---|---|---|---|---|")
    for mine, label in (("newswire.query.txt", "unboosted (headline = body), duplicates kept"),
                        ("newswire-boosted.query.txt", "default (headline x2, tiers, duplicates collapsed)")):
        mq = qlines(f"{d}/{mine}")
        mf = flines(f"{d}/newswire.facets.txt")
        if not mq:
            continue
        for peer in [e for e in engines if e != "newswire"]:
            pq, pf = qlines(f"{d}/{peer}.query.txt"), flines(f"{d}/{peer}.facets.txt")
            common = [k for k in mq if k in pq]
            if not common:
                continue
            eq = sum(mq[k][0] == pq[k][0] for k in common)
            ov = sum(len(set(mq[k][2]) & set(pq[k][2])) / max(1, len(pq[k][2])) for k in common) / len(common)
            same = sum(mq[k][2] == pq[k][2] for k in common)
            fk = [k for k in pf if k in mf]
            feq = sum(mf[k] == pf[k] for k in fk) if mine == "newswire.query.txt" else None
            print(f"| {label} | {peer} | {eq}/{len(common)} | {ov:.2f} | {same}/{len(common)} | "
                  f"{'' if feq is None else f'{feq}/{len(fk)}'} |")
    mq, mf = qlines(f"{d}/newswire.query.txt"), flines(f"{d}/newswire.facets.txt")
    for peer in ("tantivy-cli", "lucene"):
        pq, pf = qlines(f"{d}/{peer}.query.txt"), flines(f"{d}/{peer}.facets.txt")
        diffs = [k for k in mq if k in pq and (mq[k][0] != pq[k][0] or mq[k][2] != pq[k][2])]
        fdiffs = [k for k in pf if k in mf and mf[k] != pf[k]]
        if diffs or fdiffs:
            print(f"\nDifferences vs {peer} (unboosted run):")
        for k in diffs:
            a, b = mq[k], pq[k]
            print(f"- `{k}`: hits {a[0]} vs {b[0]}; top-10 overlap {len(set(a[2]) & set(b[2]))}/10; "
                  f"first difference at rank {next((i + 1 for i, (x, y) in enumerate(zip(a[2], b[2])) if x != y), min(len(a[2]), len(b[2])) + 1)}")
        for k in fdiffs[:10]:
            print(f"- facet `{k[0]}` {k[1]}: newswire `{mf[k][:120]}` vs `{pf[k][:120]}`")


if __name__ == "__main__":
    main()
