#!/usr/bin/env python3
"""Landing-to-searchable latency of `newswire index --watch`, and its idle CPU.

    bench/watch_latency.py [--files 1000] [--rate 20] [--settle 1] [--bin target/release/newswire]

Starts `newswire index --watch SPOOL` and `newswire serve` on a fresh index in a
temporary folder, then lands FILES wire stories in SPOOL at RATE a second (each
written beside the spool and renamed into it, the way spool writers deliver), while
a searcher thread runs word queries against the server and a poller asks the server
every 100 ms which stories are searchable. Reports p50/p95/max of (first seen by a
search - landed), search errors, and the watcher's CPU time over 30 idle seconds.
Needs nothing but the binary (the stories are made up here).
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

WORDS = ("harbour ferry council budget election storm river bridge school hospital "
         "court police market farmers drought festival railway airport union strike").split()


def story(i):
    rnd = random.Random(i)
    body = " ".join(rnd.choice(WORDS) for _ in range(120))
    return (f"Probe story {i} landprobe p{i:05d}x\n\nPORT ELLIS, March 3 (AFP) - "
            f"The landprobe p{i:05d}x story. {body}.\n")


def get(url):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.load(r)


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--files", type=int, default=1000)
    ap.add_argument("--rate", type=float, default=20.0)
    ap.add_argument("--settle", type=float, default=1.0)
    ap.add_argument("--bin", default="target/release/newswire")
    ap.add_argument("--port", type=int, default=7788)
    a = ap.parse_args()
    nw = os.path.abspath(a.bin)
    if not os.path.exists(nw):
        sys.exit(f"no binary at {nw}: cargo build --release")
    work = tempfile.mkdtemp(prefix="nw-watch-")
    spool, stage, index = (os.path.join(work, d) for d in ("spool", "stage", "index"))
    os.makedirs(spool)
    os.makedirs(stage)
    # One story first, so the index exists before the server opens it.
    with open(os.path.join(spool, "seed.txt"), "w") as f:
        f.write(story(99999))
    watcher = subprocess.Popen([nw, "--index", index, "index", "--watch", spool, "--settle",
                                str(a.settle), "--quiet", "--json"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while not os.path.exists(os.path.join(index, "meta.json")):
        time.sleep(0.1)
    time.sleep(1)
    server = subprocess.Popen([nw, "--index", index, "serve", "--bind", f"127.0.0.1:{a.port}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{a.port}/api/v1"
    for _ in range(100):
        try:
            get(base + "/stats")
            break
        except Exception:
            time.sleep(0.1)
    landed, seen = {}, {}
    done = threading.Event()
    errors = [0]
    searches = [0]

    def poll():
        while not done.is_set():
            try:
                r = get(base + "/search?q=landprobe&limit=1000&duplicates=show")
                now = time.time()
                for h in r["hits"]:
                    seen.setdefault(h["id"], now)
            except Exception:
                errors[0] += 1
            time.sleep(0.1)

    def load():
        rnd = random.Random(7)
        while not done.is_set():
            try:
                get(base + f"/search?q={rnd.choice(WORDS)}&facet=org&facet=month&limit=10")
                searches[0] += 1
            except Exception:
                errors[0] += 1

    threads = [threading.Thread(target=poll), threading.Thread(target=load)]
    for t in threads:
        t.start()
    start = time.time()
    for i in range(a.files):
        due = start + i / a.rate
        time.sleep(max(0.0, due - time.time()))
        name = f"story-{i:05d}.txt"
        tmp = os.path.join(stage, name)
        with open(tmp, "w") as f:
            f.write(story(i))
        os.rename(tmp, os.path.join(spool, name))
        landed[f"spool/story-{i:05d}"] = time.time()
    deadline = time.time() + 60
    while time.time() < deadline and sum(1 for k in landed if k in seen) < len(landed):
        time.sleep(0.2)
    done.set()
    for t in threads:
        t.join()
    lat = sorted(seen[k] - landed[k] for k in landed if k in seen)
    missing = len(landed) - len(lat)
    # Idle: nothing lands for 30 s.
    c0 = cpu_seconds(watcher.pid)
    time.sleep(30)
    idle = cpu_seconds(watcher.pid) - c0
    for p in (watcher, server):
        p.send_signal(2)
    for p in (watcher, server):
        try:
            p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            p.kill()
    q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] if lat else float("nan")
    print(f"files={a.files} rate={a.rate}/s settle={a.settle}s loadavg_before={open('/proc/loadavg').read().split()[:3]}")
    print(f"landing -> searchable: p50 {q(0.5)*1000:.0f} ms, p95 {q(0.95)*1000:.0f} ms, "
          f"max {lat[-1]*1000 if lat else float('nan'):.0f} ms, never seen {missing}")
    print(f"searches during the run: {searches[0]} ({errors[0]} errors)")
    print(f"watcher CPU over 30 idle seconds: {idle:.2f} s ({idle/30*100:.2f}% of a core)")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
