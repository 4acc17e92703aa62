"""ABI350 (checks/lint/compat_rules.py): sizes that differ between a 64-bit
ABI and its compat ABI.

The pairs are the ABI table's ``compat`` rows (data); the member sizes are
the compilers'.  The rule must name exactly the ABIs of the pairs where some
member's size differs, and each member that differs.
"""
from __future__ import annotations

import pytest

from . import lint_oracle as lo

pytestmark = pytest.mark.oracle


def _pairs(lays):
    return [(t.name, c) for t in lo.oracle_targets() for c in t.compat if c in lays]


@pytest.mark.parametrize("side", ["bad.h", "good.h"])
def test_compat_hazards_are_named_on_the_pairs_where_sizes_differ(side):
    lays = lo.measured(lo.text("ABI350", side), ("struct buf_req",))
    assert _pairs(lays), "no compat pair has an oracle"
    want_members: dict[str, set[str]] = {}
    for a, b in _pairs(lays):
        sa = {m["path"]: m["size"] for m in lays[a]["struct buf_req"]["members"]}
        sb = {m["path"]: m["size"] for m in lays[b]["struct buf_req"]["members"]}
        for p in sa:
            if sa[p] != sb.get(p):
                want_members.setdefault(p, set()).update((a, b))
    hits = {s: ts for s, ts, _, _ in lo.lint(lo.fixture("ABI350", side), "ABI350")}
    assert hits == {f"struct buf_req.{p} compat size": ts for p, ts in want_members.items()}
    assert bool(hits) == (side == "bad.h")
