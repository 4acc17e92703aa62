"""``python -m benchmarks``: every benchmark, each figure next to its
baseline measured in the same run, as a table (and ``--json FILE``).

    python -m benchmarks [--quick] [--only corpus,siginfo,blobs,startup,trees]
                         [--json FILE] [--trees DIR]

Sections: corpus (a), siginfo (b), blobs (c), startup (d), trees (e); see
each module.  The "speed" column is how many times faster than its baseline
a figure is (below 1: slower), whatever the unit.  ``--quick`` takes a sample (5 targets, every 15th header, 3
matrix commands, 2 ABIs of the tree diff) to see a change's effect in a
minute; the README's numbers come from a full run.  Run it from the
checkout root: it measures this checkout's abicheck, with the cache in a
temporary folder (never ~/.cache).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time

from benchmarks import blobs, corpus, siginfo, startup, trees
from benchmarks.common import ROOT, TESTS

SECTIONS = ("corpus", "siginfo", "blobs", "startup", "trees")


def _fmt(v: float | None, unit: str) -> str:
    if v is None:
        return "-"
    if unit == "s":
        return f"{v * 1000:.0f} ms" if v < 10 else f"{v:.1f} s"
    return f"{v:,.0f}/s"


def table(rows) -> str:
    head = ("section", "measurement", "value", "baseline", "baseline value", "speed")
    body = [(r.section, r.what, _fmt(r.value, r.unit), r.baseline, _fmt(r.base_value, r.unit),
             f"{r.speed:.3g}x" if r.speed else "-") for r in rows]
    widths = [max(len(x[i]) for x in [head, *body]) for i in range(len(head))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(line, widths)).rstrip() for line in [head, *body]]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"  {r.section}: {r.what}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + (["", "notes:"] + notes if notes else [])) + "\n"


def machine() -> dict:
    import subprocess
    gcc = subprocess.run(["gcc", "--version"], capture_output=True, text=True).stdout.split("\n")[0]
    return {"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "machine": platform.machine(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "system": platform.platform(), "gcc": gcc,
            "load": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="a sample of each section")
    ap.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    ap.add_argument("--json", metavar="FILE", help="write the rows as JSON")
    ap.add_argument("--trees", metavar="DIR", help="tools/debian_trees.sh output (default "
                    "$ABICHECK_BENCH_TREES or /tmp/dtrees)")
    ap.add_argument("--tree-targets", metavar="T,T", help="the ABIs of the tree diff (default: "
                    "all; x86_64,aarch64 with --quick)")
    args = ap.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    bad = [s for s in only if s not in SECTIONS]
    if bad:
        ap.error(f"unknown section {', '.join(bad)} (sections: {', '.join(SECTIONS)})")
    os.chdir(ROOT)
    sys.path[:0] = [ROOT, TESTS]
    os.environ["PYTHONPATH"] = os.pathsep.join([ROOT, TESTS])
    rows = []
    log = lambda msg: print(msg, file=sys.stderr, flush=True)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="abicheck-bench-") as tmp:
        os.environ["XDG_CACHE_HOME"] = tmp          # nothing measured writes ~/.cache
        for s in SECTIONS:
            if s not in only:
                continue
            t0 = time.perf_counter()
            mod = {"corpus": corpus, "siginfo": siginfo, "blobs": blobs, "startup": startup}.get(s)
            got = trees.run(args.quick, tmp, log, args.trees, args.tree_targets) if s == "trees" else \
                mod.run(args.quick, tmp, log)
            rows += got
            log(f"{s}: {time.perf_counter() - t0:.0f} s")
    info = machine()
    info["quick"] = args.quick
    info["seconds"] = round(time.perf_counter() - started, 1)
    out = table(rows)
    print(f"abicheck benchmarks, {info['date']}, {info['machine']}, {info['cpus']} CPUs, "
          f"Python {info['python']}, {info['gcc']}{', quick' if args.quick else ''}\n")
    print(out, end="")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"run": info, "rows": [r.to_json() for r in rows]}, f, indent=1)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
