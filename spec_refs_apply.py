"""Apply spec_refs.tsv (rows with status "todo"): each row replaces `old` by `new` on the given line,
or, if the line moved, on the line of the file holding `old` nearest to it. Prints what it could not
apply (a moved file, a changed line). Usage: python3 spec_refs_apply.py [spec_refs.tsv]"""
import csv, sys
from collections import defaultdict
rows = defaultdict(list)
with open(sys.argv[1] if len(sys.argv) > 1 else "spec_refs.tsv", newline="") as f:
    for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE):
        if r.get("status", "todo") == "todo":
            rows[r["file"]].append(r)
missing = 0
for path, items in rows.items():
    try:
        lines = open(path, encoding="utf-8").read().split("\n")
    except FileNotFoundError:
        print(f"{path}: file not found (moved?)"); missing += len(items); continue
    for r in items:
        i = int(r["line"]) - 1
        cands = [j for j, l in enumerate(lines) if r["old"] in l]
        if not cands:
            print(f"{path}:{r['line']}: not found: {r['old']}"); missing += 1; continue
        j = min(cands, key=lambda j: abs(j - i))
        lines[j] = lines[j].replace(r["old"], r["new"], 1)
    open(path, "w", encoding="utf-8").write("\n".join(lines))
print("not applied:", missing)
