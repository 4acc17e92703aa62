"""ABI330-331 (checks/lint/padding_rules.py): implicit and tail padding.

Holes and tail padding are measured by the compilers (member offsets and
sizes, the record's size: ``tests/oracle``) on every ABI with an oracle; the
rules must name exactly the ABIs where the compilers' numbers show them.
"""
from __future__ import annotations

import pytest

from . import lint_oracle as lo

pytestmark = pytest.mark.oracle


@pytest.mark.parametrize("side", ["bad.h", "good.h"])
def test_implicit_padding_is_named_where_the_compilers_leave_holes(side):
    lays = lo.measured(lo.text("ABI330", side), ("struct req",))
    want = {t for t, lay in lays.items() if lo.flat_holes(lay["struct req"])}
    assert lo.hit_targets(lo.fixture("ABI330", side), "ABI330") == want
    assert bool(want) == (side == "bad.h")


def test_each_hole_is_reported_with_its_bytes_on_its_abis():
    lays = lo.measured(lo.text("ABI330", "bad.h"), ("struct req",))
    hits = lo.lint(lo.fixture("ABI330", "bad.h"), "ABI330")
    for subject, ts, msg, _ in hits:
        after = subject.rsplit(" ", 1)[-1]
        for t, lay in lays.items():
            rec = lay["struct req"]
            end = next(m["offset"] + m["size"] for m in rec["members"] if m["path"] == after)
            holes = [h for h in lo.flat_holes(rec) if h[0] == end]
            assert (t in ts) == bool(holes), (subject, t)
            if holes:
                lo_, hi = holes[0]
                assert f"bytes {lo_}-{hi - 1}" in msg, (t, msg)


@pytest.mark.parametrize("side", ["bad.h", "good.h"])
def test_tail_padding_that_differs_is_named_where_it_is_larger(side):
    lays = lo.measured(lo.text("ABI331", side), ("struct ev",))
    tails = {t: lo.tail(lay["struct ev"]) for t, lay in lays.items()}
    want = set() if len(set(tails.values())) < 2 else \
        {t for t, p in tails.items() if p > min(tails.values())}
    assert lo.hit_targets(lo.fixture("ABI331", side), "ABI331") == want
    assert bool(want) == (side == "bad.h")


def _arm_hole(lay: dict) -> tuple[int, int] | None:
    """The compilers' gap after fault.code in a union arm, or None."""
    m = {x["path"]: x for x in lay["members"]}
    start = m["fault.code"]["offset"] + m["fault.code"]["size"]
    nxt = min(x["offset"] for p, x in m.items() if p.startswith("fault.") and x["offset"] >= start)
    return (start, nxt) if nxt > start else None


def _owned(lay: dict, hole: tuple[int, int]) -> bool:
    return any(x["offset"] <= hole[0] and hole[1] <= x["offset"] + x["size"]
               for x in lay["members"] if not x["path"].startswith("fault"))


@pytest.mark.parametrize("side", ["bad.h", "good.h"])
def test_a_hole_a_union_sibling_owns_is_a_note_not_implicit_padding(side):
    lays = lo.measured(lo.text("ABI332", side), ("union ev", "union ev_bare"))
    want = {"ABI332": set(), "ABI330": set()}
    for t, lay in lays.items():
        for name in ("union ev", "union ev_bare"):
            hole = _arm_hole(lay[name])
            if hole:
                want["ABI332" if _owned(lay[name], hole) else "ABI330"].add(t)
    for rid in ("ABI332", "ABI330"):
        assert lo.hit_targets(lo.fixture("ABI332", side), rid) == want[rid], rid
    assert bool(want["ABI332"]) == bool(want["ABI330"]) == (side == "bad.h")
