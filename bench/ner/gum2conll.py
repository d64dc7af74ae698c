"""GUM (amir-zeldes/gum, dep/*.conllu, Wikinews news + interviews) -> CoNLL NER
(token TAG), PER/ORG/LOC/MISC, derived from GUM's entity mentions:
a person/place/organization mention whose head is a proper noun is a name; its name
span is the capitalized run around the head (connectors of/and/&/de/for inside),
leading titles dropped for people; place lists split at commas; outermost span wins.
Named mentions of other types -> MISC. Split: every other document by sorted name
(tune / test). Evaluation only."""
import os, re, subprocess, sys
repo, out = sys.argv[1], sys.argv[2]
genres = sys.argv[3].split(",") if len(sys.argv) > 3 else ["news", "interview"]
TYPES = {"person": "PER", "organization": "ORG", "place": "LOC"}
TITLES = set("""president vice prime minister secretary senator sen. sen governor gov. gov mayor
king queen prince princess pope mr mr. mrs mrs. ms ms. dr dr. general gen. gen col. colonel lt.
captain capt. sgt. sergeant chairman chairwoman ceo judge justice rep. representative congressman
congresswoman chancellor premier ambassador director professor prof. bishop archbishop cardinal
father rev. reverend commissioner spokesman spokeswoman chief executive officer coach manager leader
state foreign defense defence deputy former then interior finance attorney admiral major commander
senior junior lieutenant sheriff inspector detective agent officer saint st. lady lord sir dame
president-elect candidate democrat republican democratic republican nominee speaker""".split())
CONNECT = {"of", "and", "&", "de", "for", "the", "du", "von", "van", "al", "-", "on", "upon", "da", "del", "la", "le", "bin", "'s", "."}
PCONNECT = {"-", "de", "van", "von", "bin", "al", "da", "del", "la", "le", "du", "."}
COUNTRIES = set()
for l in open(sys.argv[4] if len(sys.argv) > 4 else os.path.join(os.path.dirname(__file__), "../../src/entities/data/countries.txt")):
    if l.strip() and not l.startswith("#"):
        for f in l.strip().split("|"):
            COUNTRIES.add(f.lower())
def cap(w):
    return w[:1].isupper() or w[:1].isdigit()
files = subprocess.run(["git", "-C", repo, "ls-tree", "--name-only", "HEAD", "dep/"],
                       capture_output=True, text=True).stdout.split()
files = sorted(f for f in files if any(f.startswith(f"dep/GUM_{g}_") for g in genres))
outs = {k: open(f"{out}/gum_{k}.txt", "w") for k in ("tune", "test")}
ent_re = re.compile(r"\(([^()]+?)(\))?(?=\(|\)|$|\d)|(\d+)\)")
stats = {}
for k, f in enumerate(files):
    part = "tune" if k % 2 == 0 else "test"
    data = subprocess.run(["git", "-C", repo, "show", f"HEAD:{f}"], capture_output=True, text=True).stdout
    toks, xpos, heads, sents = [], [], [], []
    opens = {}  # eid -> list of (start, etype, named?)
    ments = []  # (start, end, etype, identity)
    sstart = 0
    for line in data.splitlines():
        if line.startswith("#"):
            continue
        if not line.strip():
            if len(toks) > sstart:
                sents.append((sstart, len(toks)))
            sstart = len(toks)
            continue
        c = line.split("\t")
        if "-" in c[0] or "." in c[0]:
            continue
        i = len(toks)
        toks.append(c[1]); xpos.append(c[4])
        heads.append(sstart + int(c[6]) - 1 if c[6] != "0" else -1)
        misc = dict(kv.split("=", 1) for kv in c[9].split("|") if "=" in kv)
        e = misc.get("Entity")
        if not e:
            continue
        pos = 0
        while pos < len(e):
            if e[pos] == "(":
                j = pos + 1
                while j < len(e) and e[j] not in "()":
                    j += 1
                body = e[pos + 1:j]
                fields = body.split("-")
                eid, etype = fields[0], fields[1] if len(fields) > 1 else ""
                ident = fields[7] if len(fields) > 7 else ""
                if j < len(e) and e[j] == ")":
                    ments.append((i, i + 1, etype, ident)); pos = j + 1
                else:
                    opens.setdefault(eid, []).append((i, etype, ident)); pos = j
            else:
                m = re.match(r"(\d+)\)", e[pos:])
                if not m:
                    pos += 1; continue
                eid = m.group(1)
                if opens.get(eid):
                    s, etype, ident = opens[eid].pop()
                    ments.append((s, i + 1, etype, ident))
                pos += len(m.group(0))
    if len(toks) > sstart:
        sents.append((sstart, len(toks)))
    # Candidate name spans.
    cands = []
    for s, e, etype, ident in ments:
        head = next((i for i in range(s, e) if not (s <= heads[i] < e)), s)
        if xpos[head] not in ("NNP", "NNPS"):
            # "Republican Party nominee Ken Cuccinelli": the name is the proper nouns
            # outside nested mentions.
            inner = set()
            for s2, e2, _, _ in ments:
                if s <= s2 and e2 <= e and (s2, e2) != (s, e):
                    inner.update(range(s2, e2))
            props = [i for i in range(s, e) if xpos[i] in ("NNP", "NNPS") and i not in inner]
            if not props:
                continue
            head = props[-1]
        if etype == "person" and e - s == 1 and xpos[head] == "NNPS":
            continue  # "Afghans", "Democrats"
        ty = TYPES.get(etype, "MISC")
        conn = PCONNECT if ty == "PER" else CONNECT
        if ty == "PER" and toks[head].lower() in TITLES:
            continue
        a = head
        while a - 1 >= s and (cap(toks[a - 1]) or (toks[a - 1].lower() in conn and a - 2 >= s and cap(toks[a - 2]))):
            a -= 1
        b = head + 1
        while b < e and (cap(toks[b]) or (toks[b].lower() in conn and b + 1 < e and cap(toks[b + 1]))):
            b += 1
        while a < b and (toks[a].lower() in CONNECT or toks[a] in ("The", "A", "An")):
            a += 1
        while b > a and toks[b - 1].lower() in CONNECT:
            b -= 1
        if ty == "PER":
            last = None
            for i in range(a, head):
                if toks[i].lower() in TITLES:
                    last = i
            if last is not None:
                a = last + 1
            while a < head and toks[a].lower() in TITLES | CONNECT:
                a += 1
        if a >= b or not any(cap(t) for t in toks[a:b]):
            continue
        if ty == "PER" and b - a == 1 and xpos[a] == "NNPS":
            continue
        if ty == "ORG" and " ".join(toks[a:b]).lower() in COUNTRIES:
            ty = "LOC"  # a country acting as a government: a place in CoNLL's convention
        cands.append((a, b, ty))
    cands.sort(key=lambda x: (-(x[1] - x[0]), x[0]))
    tags = ["O"] * len(toks)
    for a, b, ty in cands:
        if all(t == "O" for t in tags[a:b]):
            tags[a] = "B-" + ty
            for i in range(a + 1, b):
                tags[i] = "I-" + ty
            stats[ty] = stats.get(ty, 0) + 1
    o = outs[part]
    o.write("-DOCSTART- O\n\n")
    for s, e in sents:
        for i in range(s, e):
            o.write(f"{toks[i]} {tags[i]}\n")
        o.write("\n")
print(len(files), stats)
