"""(e) A whole-tree ``abicheck diff`` of two linux-libc-dev versions
(tools/debian_trees.sh) against laying out one of the trees (the diff's
own per-revision step, every header on every ABI, in one process)."""
from __future__ import annotations

import os

from benchmarks.common import PYTHON, Row, abicheck_cli, env, timed_run

_ONE_TREE = """
import sys
from contextlib import ExitStack
from abicheck.checks.diff import snapshots
from abicheck.revision import load_revision
from abicheck.targets import select_targets
with ExitStack() as st:
    rev = load_revision(sys.argv[1], "OLD", (), st)
    snapshots(rev, select_targets([sys.argv[2]]), (), ())
"""


def run(quick: bool, tmp: str, log, trees: str | None, targets: str | None = None) -> list[Row]:
    trees = trees or os.environ.get("ABICHECK_BENCH_TREES", "/tmp/dtrees")
    old, new = os.path.join(trees, "bookworm"), os.path.join(trees, "trixie")
    if not (os.path.isdir(old) and os.path.isdir(new)):
        return [Row("trees", f"skipped: no trees under {trees} (run tools/debian_trees.sh "
                    f"{trees})", 0, "s", "-", None, "skipped")]
    targets = targets or ("x86_64,aarch64" if quick else "all")
    log(f"trees: diff {old} {new} on {targets}")
    one, _ = timed_run([PYTHON, "-c", _ONE_TREE, old, targets], env(cache=False))
    diff, _ = timed_run(abicheck_cli("diff", old, new, "-t", targets, "--exit-zero",
                                     "--format", "json"), env(cache=False))
    return [Row("trees", f"diff of two linux-libc-dev trees, {targets} (goal <= 2x one tree)",
                diff, "s", "laying out one tree", one)]
