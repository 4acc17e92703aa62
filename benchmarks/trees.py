"""(e) A whole-tree ``abicheck diff`` of two linux-libc-dev versions
(tools/debian_trees.sh) against laying out one tree.

The baseline is what ``abicheck layout`` does for every header of a tree
on the same ABIs, in one process as the diff runs (a few headers at a
time on every ABI in one ``translate_each``, as the diff takes them, so
both batch their cpp runs alike): translate the header on each ABI that
has it, lay out the records it defines (else its typedefs), and turn
each layout into its JSON.  Both trees are laid out and "one tree" is the
mean of the two: the diff lays out both, and the newer tree is the larger.
The baseline ends as the CLI does (``cli.entry``: exit hooks, then no
freeing of objects one by one).  Measured twice: with the cache off, and
with the default cache starting empty for every process.
The baseline is not the diff's own per-revision step, which also values
every macro constant and accessor: laying out a tree gives no constants,
and counting them in the baseline would flatter the diff."""
from __future__ import annotations

import os

from benchmarks.common import PYTHON, Row, abicheck_cli, cpu_timed_run, env

_ONE_TREE = """
import sys
from contextlib import ExitStack
from abicheck import api
from abicheck.errors import AbicheckError
from abicheck.revision import load_revision
from abicheck.targets import select_targets
from abicheck.views.json import type_json
from abicheck.checks.diff import EXPANSION_BATCH as BATCH
targets = select_targets(sys.argv[2].split(","))
laid = 0
with ExitStack() as st:
    rev = load_revision(sys.argv[1], "OLD", (), st)
    for at in range(0, len(rev.headers), BATCH):
        here = [(h, t, v) for h in rev.headers[at:at + BATCH] for t in targets
                if (v := rev.view(t)) is not None and h in v.header_set]
        jobs = [([v.file_of(h)], t, v.include_dirs, v.roots) for h, t, v in here]
        for (header, t, v), tr in zip(here, api.translate_each(jobs)):
            if isinstance(tr, AbicheckError):
                continue
            files = [v.file_of(header)]
            for name in api.declared_records(tr, files) or api.declared_typedefs(tr, files):
                try:
                    type_json(api.layout_translation(tr, [name])[0], ())
                    laid += 1
                except AbicheckError:
                    pass
print(laid)
# the CLI's way out (``cli.entry``): exit hooks, then no freeing one by one
sys.stdout.flush()
import atexit, os
atexit._run_exitfuncs()
os._exit(0)
"""


def _timed(args: list[str], environ: dict[str, str]) -> tuple[float, float]:
    wall, cpu, _ = cpu_timed_run(args, environ)
    return wall, cpu


def _measure(old: str, new: str, targets: str, environ) -> tuple[list, list, tuple]:
    """(laying out OLD, laying out NEW, the diff): (wall, CPU) each, CPU
    of the process and its children, cpp included (on a shared machine
    the steadier figure); ``environ()`` gives each run its environment (a
    cache of its own)."""
    lay_old = _timed([PYTHON, "-c", _ONE_TREE, old, targets], environ())
    lay_new = _timed([PYTHON, "-c", _ONE_TREE, new, targets], environ())
    diff = _timed(abicheck_cli("diff", old, new, "-t", targets, "--exit-zero",
                                 "--format", "json"), environ())
    return lay_old, lay_new, diff


def run(quick: bool, tmp: str, log, trees: str | None, targets: str | None = None) -> list[Row]:
    trees = trees or os.environ.get("ABICHECK_BENCH_TREES", "/tmp/dtrees")
    old, new = os.path.join(trees, "bookworm"), os.path.join(trees, "trixie")
    if not (os.path.isdir(old) and os.path.isdir(new)):
        return [Row("trees", f"skipped: no trees under {trees} (run tools/debian_trees.sh "
                    f"{trees})", 0, "s", "-", None, "skipped")]
    targets = targets or ("x86_64,aarch64" if quick else "all")
    log(f"trees: diff {old} {new} on {targets}")
    rows = []
    fresh = iter(range(1_000_000))
    # cache off, and the default (the cache on) starting empty for every
    # run: a CI job's first run; within the run the diff's two trees share
    # what they preprocess to alike (paths written relative to the include
    # folders), a one-tree run has nothing to share and pays the writes
    for label, environ in (
            ("cache off", lambda: env(cache=False)),
            ("default cache, empty at start",
             lambda: env(os.path.join(tmp, f"cache-trees-{next(fresh)}"), cache=True))):
        lay_old, lay_new, diff = _measure(old, new, targets, environ)
        # "one tree" is the mean of the two: the diff lays out both, and NEW
        # is the larger (trixie: 12% more headers, 30% more records on x86_64)
        one = [(a + b) / 2 for a, b in zip(lay_old, lay_new)]
        note = (f"CPU seconds (cpp included): diff {diff[1]:.1f}, laying out OLD {lay_old[1]:.1f}, "
                f"NEW {lay_new[1]:.1f} ({diff[1] / one[1]:.2f}x their mean); wall: OLD "
                f"{lay_old[0]:.1f} s, NEW {lay_new[0]:.1f} s")
        rows.append(Row("trees", f"diff of two linux-libc-dev trees, {targets}, {label} (goal <= 2x "
                        "one tree)", diff[0], "s", "laying out one tree (abicheck layout of each "
                        f"header; mean of OLD and NEW), {label}", one[0], note))
        log(f"  {label}: done")
    return rows
