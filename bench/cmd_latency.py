#!/usr/bin/env python3
"""Latency of the whole `newswire search` command (process start, index open, search,
printing JSON to a pipe) for every query of a query file.

usage: cmd_latency.py NEWSWIRE_BIN INDEX_DIR QUERIES.txt [--repeat N] [--facets org,place,month]
                      [--cluster URL]   (answer from a Quickwit cluster instead of INDEX_DIR)
Prints one CMD line per query kind and one for all queries: n, p50, p95, p99, max (ms),
over every pass but the first (a warm-up).
"""
import argparse
import subprocess
import sys
import time


def percentile(v, p):
    if not v:
        return float("nan")
    v = sorted(v)
    k = max(1, min(len(v), int(-(-p / 100.0 * len(v) // 1))))
    return v[k - 1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("bin")
    ap.add_argument("index")
    ap.add_argument("queries")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--facets", default="")
    ap.add_argument("--cluster", default="")
    a = ap.parse_args()
    queries = []
    for line in open(a.queries, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, q = line.partition("\t") if "\t" in line else ("word", "", line)
        queries.append((kind.strip(), q.strip()))
    facet_args = []
    for f in filter(None, a.facets.split(",")):
        facet_args += ["--facet", f]
    lat = {}
    for p in range(max(2, a.repeat)):
        for kind, q in queries:
            cmd = [a.bin, "search", q, "--index", a.index, "--json"] + facet_args
            if a.cluster:
                cmd += ["--quickwit", a.cluster]
            t0 = time.perf_counter()
            r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            ms = (time.perf_counter() - t0) * 1000.0
            if r.returncode not in (0, 1):
                sys.exit(f"failed ({r.returncode}): {cmd}\n{r.stderr.decode(errors='replace')}")
            if p > 0:
                lat.setdefault(kind, []).append(ms)
                lat.setdefault("all", []).append(ms)
    for kind in sorted(lat):
        v = lat[kind]
        print(f"CMD\tkind={kind}\tfacets={a.facets or 'none'}\tn={len(v)}\tp50={percentile(v, 50):.3f}"
              f"\tp95={percentile(v, 95):.3f}\tp99={percentile(v, 99):.3f}\tmax={max(v):.3f}")


if __name__ == "__main__":
    main()
