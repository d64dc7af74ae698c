#!/usr/bin/env python3
"""SYNTHETIC scale corpus for benchmarks: N articles in the raw formats, built from the
real stories in ../shared/corpora.

    python3 bench/make_scale_corpus.py N OUT_DIR [--corpora DIR]

Copy 0 is the real corpus as it is (Xinhua pages, AFP wire, Reuters-21578 SGML, AP89
TREC, BBC text, HTML pages: about 27,800 articles). Copy k >= 1 re-uses the same stories
with new ids and dates shifted k years back, written in the same raw formats (not
pre-parsed), so `newswire index` does all of its work (decoding, format detection,
parsing, entities):
  Xinhua  XIN_ENG_YYYYMMDD.NNNN.txt file name and the page date `Xinhua, Month DD, YYYY`
  AFP     AFP_ENG_YYYYMMDD.NNNN.txt file name
  Reuters NEWID + k*100000, <DATE> year
  AP89    DOCNO APyyMMDD-NNNN and FILEID year (two digits: 89-k)
  BBC     file name cKKK-NNN.txt in the same category folder; BBC stories carry no
          date, so the headline line gets ` [synthetic copy k]` (newswire would
          otherwise, rightly, index an identical story only once)
  HTML    file name HASH-cKKK.html.gz, ISO dates (YYYY-MM-DD, years 1900-2100) in the
          page shifted k years back
The last copy is partial: the same share of every format, so the mix stays the same.
Articles go to OUT_DIR/articles/ (index that folder); OUT_DIR/README.txt says what it is.
Never write it inside the repository: use target/scale/ or any folder outside.
"""
import argparse
import gzip
import math
import os
import re
import sys

SOURCES = ["xinhua-pages", "afp-wire", "reuters21578", "ap89", "bbc", "html-pages"]
REUTERS_DOC = re.compile(r"<REUTERS\b.*?</REUTERS>\n?", re.S)
TREC_DOC = re.compile(r"<DOC>.*?</DOC>\n?", re.S)


def load(corpora):
    src = {"xinhua": [], "afp": [], "reuters": [], "ap": [], "bbc": [], "html": []}
    d = os.path.join(corpora, "xinhua-pages")
    for fn in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if fn.startswith("XIN_ENG_"):
            src["xinhua"].append((fn, open(os.path.join(d, fn), "rb").read()))
    d = os.path.join(corpora, "afp-wire")
    for fn in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if fn.startswith("AFP_ENG_"):
            src["afp"].append((fn, open(os.path.join(d, fn), "rb").read()))
    d = os.path.join(corpora, "reuters21578")
    for fn in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if fn.endswith(".sgm"):
            text = open(os.path.join(d, fn), "rb").read().decode("latin-1")
            src["reuters"] += [(fn, m.group(0)) for m in REUTERS_DOC.finditer(text)]
    d = os.path.join(corpora, "ap89")
    for fn in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        text = open(os.path.join(d, fn), "rb").read().decode("latin-1")
        src["ap"] += [(fn, m.group(0)) for m in TREC_DOC.finditer(text)]
    d = os.path.join(corpora, "bbc")
    for cat in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if os.path.isdir(os.path.join(d, cat)):
            for fn in sorted(os.listdir(os.path.join(d, cat))):
                if fn.endswith(".txt"):
                    src["bbc"].append((f"{cat}/{fn}", open(os.path.join(d, cat, fn), "rb").read()))
    d = os.path.join(corpora, "html-pages", "html")
    for fn in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        if fn.endswith(".html.gz"):
            src["html"].append((fn, open(os.path.join(d, fn), "rb").read()))
    return src


def shift_ymd(ymd, k):
    """'20051101' -> year - k."""
    return f"{int(ymd[:4]) - k:04d}{ymd[4:]}"


XIN_PAGE_DATE = re.compile(rb"(Xinhua, [A-Z][a-z]+ \d{1,2}, )(\d{4})")
REUTERS_NEWID = re.compile(r'NEWID="(\d+)"')
REUTERS_DATE = re.compile(r"(<DATE>\s*\d{1,2}-[A-Z]{3}-)(\d{4})")
AP_DOCNO = re.compile(r"(<DOCNO>\s*AP)(\d\d)(\d{4}-\d+)")
AP_FILEID = re.compile(r"(<FILEID>AP-[A-Z]+-\d\d-\d\d-)(\d\d)")
ISO_DATE = re.compile(rb"\b(19\d\d|20\d\d|2100)-(\d\d)-(\d\d)")


def shift_iso(data, k):
    return ISO_DATE.sub(lambda x: str(int(x.group(1)) - k).encode() + b"-" + x.group(2) + b"-" + x.group(3), data)


def take(items, frac):
    """The first share `frac` of `items`, spread evenly over the list."""
    if frac >= 1.0:
        return items
    n = int(math.ceil(len(items) * frac))
    if n == 0:
        return []
    step = len(items) / n
    return [items[int(i * step)] for i in range(n)]


def write(path, data):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(data)


def write_copy(src, out, k, frac):
    base = os.path.join(out, "articles", f"c{k:03d}")
    n = 0
    for fn, data in take(src["xinhua"], frac):
        m = re.match(r"XIN_ENG_(\d{8})(\..*)", fn)
        name = f"XIN_ENG_{shift_ymd(m.group(1), k)}{m.group(2)}" if m else fn
        data = XIN_PAGE_DATE.sub(lambda x: x.group(1) + str(int(x.group(2)) - k).encode(), data)
        write(os.path.join(base, "xinhua-pages", name), data)
        n += 1
    for fn, data in take(src["afp"], frac):
        m = re.match(r"AFP_ENG_(\d{8})(\..*)", fn)
        name = f"AFP_ENG_{shift_ymd(m.group(1), k)}{m.group(2)}" if m else fn
        write(os.path.join(base, "afp-wire", name), data)
        n += 1
    files = {}
    for fn, doc in take(src["reuters"], frac):
        doc = REUTERS_NEWID.sub(lambda x: f'NEWID="{int(x.group(1)) + k * 100000}"', doc)
        doc = REUTERS_DATE.sub(lambda x: x.group(1) + str(int(x.group(2)) - k), doc)
        files.setdefault(fn, []).append(doc)
        n += 1
    for fn, docs in files.items():
        text = '<!DOCTYPE lewis SYSTEM "lewis.dtd">\n' + "".join(docs)
        write(os.path.join(base, "reuters21578", fn), text.encode("latin-1"))
    files = {}
    for fn, doc in take(src["ap"], frac):
        yy = lambda x: x.group(1) + f"{(int(x.group(2)) - k) % 100:02d}"  # noqa: E731
        doc = AP_DOCNO.sub(lambda x: yy(x) + x.group(3), doc)
        doc = AP_FILEID.sub(yy, doc)
        files.setdefault(fn, []).append(doc)
        n += 1
    for fn, docs in files.items():
        name = f"ap{(89 - k) % 100:02d}{fn[4:]}" if re.match(r"ap89\d{4}$", fn) else fn
        write(os.path.join(base, "ap89", name), "".join(docs).encode("latin-1"))
    for rel, data in take(src["bbc"], frac):
        cat, fn = rel.split("/", 1)
        name = fn
        if k > 0:
            name = f"c{k:03d}-{fn}"
            first, nl, rest = data.partition(b"\n")
            data = first.rstrip(b"\r") + f" [synthetic copy {k}]".encode() + nl + rest
        write(os.path.join(base, "bbc", cat, name), data)
        n += 1
    for fn, data in take(src["html"], frac):
        name = fn
        if k > 0:
            name = fn.replace(".html.gz", f"-c{k:03d}.html.gz")
            data = gzip.compress(shift_iso(gzip.decompress(data), k), compresslevel=6, mtime=0)
        write(os.path.join(base, "html-pages", name), data)
        n += 1
    return n


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", type=int, help="number of articles (source records) to write, up to 1,000,000")
    ap.add_argument("out")
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--corpora", default=os.path.join(here, "..", "..", "shared", "corpora"))
    a = ap.parse_args()
    if not os.path.isdir(a.corpora):
        sys.exit(f"no corpora at {a.corpora}: pass --corpora DIR")
    repo = os.path.realpath(os.path.join(here, ".."))
    out = os.path.realpath(a.out)
    if out.startswith(repo + os.sep) and not out.startswith(os.path.join(repo, "target") + os.sep):
        sys.exit("refusing to write a corpus inside the repository (use target/scale or a folder outside)")
    if os.path.exists(os.path.join(out, "articles")):
        sys.exit(f"{out}/articles exists: remove it first")
    src = load(a.corpora)
    per_copy = sum(len(v) for v in src.values())
    print(f"source: {per_copy} records ({', '.join(f'{k} {len(v)}' for k, v in src.items())})", file=sys.stderr)
    written, k = 0, 0
    while written < a.n:
        frac = min(1.0, (a.n - written) / per_copy)
        written += write_copy(src, out, k, frac)
        k += 1
        print(f"copy {k}: {written} records", file=sys.stderr)
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "README.txt"), "w", encoding="utf-8") as f:
        f.write(
            "SYNTHETIC benchmark corpus made by newswire's bench/make_scale_corpus.py.\n"
            f"{written} source records (requested {a.n}) in {k} copies of the real corpora in {a.corpora}:\n"
            "copy 0 is the real corpus; copy k re-uses the same real stories with new ids and dates\n"
            "shifted k years back. It is not real news chronology: use it for timing only.\n"
            "Index the articles/ folder.\n"
        )
    print(f"wrote {written} records in {k} copies to {out}/articles", file=sys.stderr)


if __name__ == "__main__":
    main()
