"""English WorldWide newswire (stanfordnlp/en-worldwide-newswire, processed_annotated/*.tsv)
-> CoNLL (token TAG) files, PER/ORG/LOC/MISC. Split by a hash of the file name:
tune (hash even) / test (hash odd). Evaluation only: never used for training."""
import subprocess, sys, hashlib
repo = sys.argv[1]; out = sys.argv[2]
MAP = {"Person": "PER", "Organization": "ORG", "Location": "LOC", "Facility": "LOC",
       "NORP": "MISC", "Misc": "MISC", "Product": "MISC"}
files = subprocess.run(["git", "-C", repo, "ls-tree", "--name-only", "HEAD", "processed_annotated/"],
                       capture_output=True, text=True).stdout.split()
outs = {k: open(f"{out}/ww_{k}.txt", "w") for k in ("tune", "test")}
n = {"tune": 0, "test": 0}
for f in sorted(files):
    data = subprocess.run(["git", "-C", repo, "show", f"HEAD:{f}"], capture_output=True, text=True).stdout
    orig = subprocess.run(["git", "-C", repo, "show", "HEAD:original_articles/" + f.split("/")[-1][:-4]],
                          capture_output=True, text=True).stdout
    part = "tune" if int(hashlib.sha1(f.encode()).hexdigest(), 16) % 2 == 0 else "test"
    o = outs[part]; n[part] += 1
    o.write("-DOCSTART- O\n\n")
    sent = []
    def flush():
        # The annotation split hyphenated words ("al - Bashir"); join them back where
        # the original article writes them joined.
        k = 1
        while k + 1 < len(sent):
            a, b, c = sent[k - 1], sent[k], sent[k + 1]
            if b[0] == "-" and a[0][-1:].isalnum() and c[0][:1].isalnum() and f"{a[0]}-{c[0]}" in orig:
                tag = a[1] if a[1] != "O" else (c[1].replace("I-", "B-") if c[1] != "O" else "O")
                sent[k - 1:k + 2] = [(f"{a[0]}-{c[0]}", tag)]
            else:
                k += 1
        if sent and not sent[0][0].startswith("http"):
            for t, g in sent:
                o.write(f"{t} {g}\n")
            o.write("\n")
        sent.clear()
    for line in data.splitlines():
        if not line.strip():
            flush(); continue
        parts = line.split("\t")
        if len(parts) != 2:
            continue
        tok, tag = parts[0].strip(), parts[1].strip()
        if not tok or " " in tok:
            tok = tok.replace(" ", "_") or "_"
        if tag != "O":
            bio, ty = tag.split("-", 1)
            ty = MAP.get(ty)
            if ty is None:
                tag = "O"
            else:
                tag = f"{'B' if bio in 'BS' else 'I'}-{ty}"
        sent.append((tok, tag))
    flush()
print(n)
