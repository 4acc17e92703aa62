"""(e) A whole-tree ``abicheck diff`` of two linux-libc-dev versions
(tools/debian_trees.sh) against laying out one of the trees.

The baseline is what ``abicheck layout`` does for every header of the OLD
tree on the same ABIs, in one process as the diff runs (cpp runs
overlapped across the ABIs, parsing sequential): translate the header on
each ABI that has it, lay out the records it defines (else its typedefs),
and turn each layout into its JSON.  It is not the diff's own per-revision
step, which also evaluates every macro constant and accessor: a user who
lays out a tree gets no constants, so counting them in the baseline would
flatter the diff."""
from __future__ import annotations

import os

from benchmarks.common import PYTHON, Row, abicheck_cli, env, timed_run

_ONE_TREE = """
import sys
from contextlib import ExitStack
from abicheck import api
from abicheck.errors import AbicheckError
from abicheck.revision import load_revision
from abicheck.targets import select_targets
from abicheck.views.json import type_json
targets = select_targets(sys.argv[2].split(","))
laid = 0
with ExitStack() as st:
    rev = load_revision(sys.argv[1], "OLD", (), st)
    for header in rev.headers:
        here = [(t, v) for t in targets if (v := rev.view(t)) is not None and header in v.header_set]
        jobs = [([v.file_of(header)], t, v.include_dirs, v.roots) for t, v in here]
        for (t, v), tr in zip(here, api.translate_each(jobs)):
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
                diff, "s", "laying out one tree (abicheck layout of each header)", one)]
