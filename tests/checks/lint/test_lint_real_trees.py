"""The layout rules over the machine's real uapi trees: no crash, and every
finding well-formed (in the header linted, on the ABIs asked for, a
severity the rule declares).

Trees: the host's ``/usr/include/linux`` and ``/usr/include/asm-generic``
(x86_64, and its compat ABIs i386 and x32, which the host's asm headers
serve through compiler macros) and Debian's arm64 cross tree
``/usr/aarch64-linux-gnu/include/linux`` (aarch64).  By default a
deterministic 1-in-``ABICHECK_LINT_TREE_SAMPLE`` (default 40) sample of each
tree runs; ``ABICHECK_FULL_TREES=1`` (the knob of test_real_trees.py) runs
every header, which takes about 18 s per tree and ABI here (README, "Lint on
real trees").
"""
from __future__ import annotations

import os

import pytest

from abicheck.checks.lint import run_lint
from abicheck.checks.lint.rules import RULES
from abicheck.targets import select_targets
from real_trees import sample

FULL = os.environ.get("ABICHECK_FULL_TREES") == "1"
EVERY = 1 if FULL else int(os.environ.get("ABICHECK_LINT_TREE_SAMPLE", "40"))
MINE = sorted(r for r in RULES if r[:5] in ("ABI31", "ABI32", "ABI33", "ABI34", "ABI35", "ABI36"))

#: The host's <asm/...> live in its multiarch folder (Debian).
HOST = ("/usr/include/x86_64-linux-gnu", "/usr/include")
TREES = [
    pytest.param("/usr/include/linux", HOST, "x86_64,i386,x32", id="host-linux"),
    pytest.param("/usr/include/asm-generic", HOST, "x86_64,i386,x32", id="host-asm-generic"),
    pytest.param("/usr/aarch64-linux-gnu/include/linux", ("/usr/aarch64-linux-gnu/include",),
                 "aarch64", id="arm64-linux"),
]


def headers(folder: str) -> list[str]:
    out = []
    for root, dirs, files in os.walk(folder):
        dirs.sort()
        out.extend(os.path.join(root, f) for f in sorted(files) if f.endswith(".h"))
    return out


@pytest.mark.parametrize("folder,inc,targets", TREES)
def test_layout_rules_run_over_a_real_tree(folder, inc, targets):
    if not all(os.path.isdir(d) for d in (folder, *inc)):
        pytest.skip(f"{folder} (with {', '.join(inc)}) is not installed")
    ts = select_targets([targets])
    chosen = sample(headers(folder), EVERY)
    rep = run_lint(chosen, ts, include_dirs=list(inc), rules=MINE)
    names = {t.name for t in ts}
    findings = [f for r in rep.results for f in r.findings]
    for f in findings:
        assert set(f.targets) <= names and f.targets, (f.id, f.message)
        assert f.severity == RULES[f.id].severity
        assert f.loc is not None and str(f.loc.file).startswith(folder), (f.id, f.loc)
        assert f.message and "\n" not in f.message
    assert rep.meta["headers"] == len(chosen)
