#!/usr/bin/env python3
"""Which FET constraint types do real schools use, and which of their files
does edugov import? (issue 16)

Over every example .fet that Debian's fet-data ships (FET's own
*_data_and_timetable.fet results excluded: they are outputs, not inputs),
lists each constraint type with how many files use it (active constraints
only: inactive ones are skipped at import), runs `edugov timetable check
--input FILE` on each file and records whether it imports and, if not, why.

    bench/timetable/fet-types.py [--tool build/src/cli/edugov] [--label after]
                                 [--examples /usr/share/doc/fet-data/examples]

Writes bench/results/fet-types-<label>-<stamp>.{md,csv}. Gzip'ed files
(.fet.gz) are decompressed to a temporary file first.
"""
import argparse
import collections
import csv
import datetime
import gzip
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.normpath(os.path.join(os.path.dirname(__file__), "..", ".."))


def example_files(base):
    out = []
    for d, _, files in os.walk(base):
        for f in files:
            if not (f.endswith(".fet") or f.endswith(".fet.gz")):
                continue
            if "_data_and_timetable" in f:
                continue
            out.append(os.path.join(d, f))
    return sorted(out)


def read_bytes(path):
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".gz") or data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data


def constraint_types(data):
    """Active constraint types of one file -> count."""
    counts = collections.Counter()
    root = ET.fromstring(data)
    for lst in ("Time_Constraints_List", "Space_Constraints_List"):
        node = root.find(lst)
        if node is None:
            continue
        for c in node:
            active = c.find("Active")
            if active is not None and (active.text or "").strip() == "false":
                continue
            counts[c.tag] += 1
    return counts


def try_import(tool, path, data):
    """(ok, error message) from `edugov timetable check`: exit 1 is a load
    error; 0 / 2 mean it imported (2: the file's locked times, if any, are
    not a complete timetable)."""
    with tempfile.TemporaryDirectory() as tmp:
        src = path
        if path.endswith(".gz"):
            src = os.path.join(tmp, os.path.basename(path)[:-3])
            with open(src, "wb") as f:
                f.write(data)
        try:
            p = subprocess.run([tool, "timetable", "check", "--input", src], cwd=ROOT,
                               capture_output=True, text=True, timeout=300,
                               env=dict(os.environ, LC_ALL="en_US.UTF-8"))
        except subprocess.TimeoutExpired:
            return False, "timeout (check > 300 s)"
    if p.returncode != 1 and "hard=" in p.stdout:
        return True, ""
    return False, (p.stderr.strip().splitlines() or ["exit %d" % p.returncode])[-1]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tool", default=os.path.join(ROOT, "build/src/cli/edugov"))
    ap.add_argument("--examples", default="/usr/share/doc/fet-data/examples")
    ap.add_argument("--label", default="run")
    ap.add_argument("--out", default=os.path.join(ROOT, "bench/results"))
    args = ap.parse_args()
    files = example_files(args.examples)
    if not files:
        sys.exit("no example files under %s (install fet-data: scripts/install-deps.sh --test)" % args.examples)
    stamp = datetime.datetime.utcnow().strftime("%Y%m%dT%H%M%SZ")
    rows = []
    used_by = collections.Counter()      # type -> files using it
    blocking = collections.Counter()     # unsupported type -> refused files naming it
    only_blocker = collections.Counter() # unsupported type -> files it alone blocks
    for i, path in enumerate(files):
        rel = os.path.relpath(path, args.examples)
        data = read_bytes(path)
        types = constraint_types(data)
        for t in types:
            used_by[t] += 1
        ok, err = try_import(args.tool, path, data)
        unsupported = []
        m = re.search(r"unsupported FET constraint types \(not imported\): (.*)$", err)
        if m:
            unsupported = [x.rsplit(" x", 1)[0] for x in m.group(1).split(", ")]
            for t in unsupported:
                blocking[t] += 1
            if len(unsupported) == 1:
                only_blocker[unsupported[0]] += 1
        rows.append({"file": rel, "imported": int(ok), "constraints": sum(types.values()),
                     "types": len(types), "unsupported": " ".join(unsupported),
                     "error": "" if ok or unsupported else err})
        print("%3d/%d %s %s" % (i + 1, len(files), "ok  " if ok else "FAIL", rel), file=sys.stderr)
    os.makedirs(args.out, exist_ok=True)
    base = os.path.join(args.out, "fet-types-%s-%s" % (args.label, stamp))
    with open(base + ".csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()))
        w.writeheader()
        w.writerows(rows)
    imported = sum(r["imported"] for r in rows)
    with open(base + ".md", "w") as f:
        f.write("# FET example files: constraint types and edugov import (%s)\n\n" % args.label)
        f.write("`bench/timetable/fet-types.py`, %s UTC, tool `%s`, examples `%s` "
                "(FET's `*_data_and_timetable.fet` outputs excluded).\n\n" %
                (stamp, os.path.relpath(args.tool, ROOT), args.examples))
        f.write("**Imported: %d of %d files.**\n\n" % (imported, len(files)))
        other = [r for r in rows if not r["imported"] and not r["unsupported"]]
        if other:
            f.write("Refused for another reason than unsupported types:\n\n")
            for r in other:
                f.write("- `%s`: %s\n" % (r["file"], r["error"]))
            f.write("\n")
        f.write("## Constraint types by files using them\n\n")
        f.write("| type | files using it | refused files naming it as unsupported | files it alone blocks |\n|---|---|---|---|\n")
        for t, n in sorted(used_by.items(), key=lambda x: (-x[1], x[0])):
            f.write("| %s | %d | %s | %s |\n" % (t, n, blocking.get(t, "") or "", only_blocker.get(t, "") or ""))
        f.write("\nPer file: `%s.csv`.\n" % os.path.basename(base))
    print("imported %d of %d; wrote %s.{md,csv}" % (imported, len(files), base))


if __name__ == "__main__":
    main()
