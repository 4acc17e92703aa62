"""ABI360-361 (checks/lint/reserved_rules.py): reserved bytes not named so,
and union bytes no member owns.

"Only fills alignment padding" is measured by the compilers: the fixture
is compiled again without the member, and the member is padding on exactly
the ABIs where every other member keeps its offset and the record its size.
A union's unowned bytes are where the compilers' union size exceeds every
member's size.
"""
from __future__ import annotations

import re

import pytest

from . import lint_oracle as lo

pytestmark = pytest.mark.oracle


def _without(src: str, member: str) -> str:
    out = re.sub(rf"^\s*__u8 {member}\[\d+\];\n", "", src, flags=re.M)
    assert out != src
    return out


def test_a_byte_array_is_padding_where_removing_it_moves_nothing():
    src = lo.text("ABI360", "bad.h")
    with_it = lo.measured(src, ("struct slot",))
    without = lo.measured(_without(src, "extra"), ("struct slot",))
    want = set()
    for t in with_it:
        a, b = with_it[t]["struct slot"], without[t]["struct slot"]
        keep = {m["path"]: m["offset"] for m in a["members"] if m["path"] != "extra"}
        if keep == {m["path"]: m["offset"] for m in b["members"]} and a["size"] == b["size"]:
            want.add(t)
    assert want and want != set(with_it)          # the premise: only some ABIs
    hits = {s: ts for s, ts, _, _ in lo.lint(lo.fixture("ABI360", "bad.h"), "ABI362")}
    assert hits == {"struct slot.extra reserved name": want}


def test_a_member_named_as_filler_is_reported_everywhere():
    hits = {s: (ts, m) for s, ts, m, _ in lo.lint(lo.fixture("ABI360", "bad.h"), "ABI360")}
    ts, msg = hits["struct addr.dummy reserved name"]
    assert ts == {t.name for t in lo.oracle_targets()} and "filler" in msg
    assert set(hits) == {"struct addr.dummy reserved name"}


@pytest.mark.parametrize("rule", ["ABI360", "ABI362"])
def test_reserved_names_pass(rule):
    assert lo.lint(lo.fixture("ABI360", "good.h"), rule) == []


def test_fill_as_a_word_is_not_filler():
    # found on the real trees: xdp's rx_fill_ring_empty_descs is a counter
    from abicheck.checks.lint.reserved_rules import FILLER
    assert not FILLER.search("rx_fill_ring_empty_descs")
    assert FILLER.search("dummy2") and FILLER.search("_dummy_bnd") and FILLER.search("align")


@pytest.mark.parametrize("side", ["bad.h", "good.h"])
def test_union_bytes_without_an_owner_are_named_where_the_union_outgrows_its_members(side):
    lays = lo.measured(lo.text("ABI361", side), ("union val",))
    want = {t for t, lay in lays.items()
            if lay["union val"]["size"] > max(m["size"] for m in lay["union val"]["members"])}
    assert lo.hit_targets(lo.fixture("ABI361", side), "ABI361") == want
    assert bool(want) == (side == "bad.h")


def test_an_unnamed_bitfield_owns_the_bytes_it_spans():
    # found on the real trees (bpf.h's __bpf_md_ptr): the premise, from the
    # compilers, is that the union outgrows its named member on some ABI
    lays = lo.measured(lo.text("ABI361", "padded_by_bitfield.h"), ("union md_ptr",))
    outgrows = {t for t, lay in lays.items()
                if lay["union md_ptr"]["size"] > max(m["size"] for m in lay["union md_ptr"]["members"])}
    assert outgrows
    assert lo.lint(lo.fixture("ABI361", "padded_by_bitfield.h"), "ABI361") == []
