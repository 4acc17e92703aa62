"""ABI340-341 (checks/lint/align_rules.py): one declaration, several layouts
among ABIs of one word size.

The compilers lay each fixture out on every ABI with an oracle; ABIs are
grouped by the compilers' ``sizeof(void *)``.  ABI340 must name exactly the
groups where the record's size or a member's offset differs between ABIs of
the group; ABI341 exactly the groups where only the record's alignment
differs and exceeds the group's word.
"""
from __future__ import annotations

import pytest

from . import lint_oracle as lo

pytestmark = pytest.mark.oracle


def _shape(lay: dict) -> tuple:
    return (lay["size"], tuple((m["path"], m["offset"], m["bit_offset"]) for m in lay["members"]))


def expected(rule: str, side: str, rec: str) -> set[str]:
    lays = lo.measured(lo.text(rule, side), (rec,))
    out: set[str] = set()
    for word, ts in lo.by_word(lays).items():
        shapes = {_shape(lays[t][rec]) for t in ts}
        aligns = {lays[t][rec]["align"] for t in ts}
        if rule == "ABI340" and len(shapes) > 1:
            out |= set(ts)
        if rule == "ABI341" and len(shapes) == 1 and len(aligns) > 1 and max(aligns) > word:
            out |= set(ts)
    return out


CASES = [("ABI340", "struct ev"), ("ABI341", "struct key")]


@pytest.mark.parametrize("rule,rec", CASES)
@pytest.mark.parametrize("side", ["bad.h", "good.h"])
def test_alignment_rules_hold_on_the_word_size_groups_the_compilers_split(rule, rec, side):
    want = expected(rule, side, rec)
    assert lo.hit_targets(lo.fixture(rule, side), rule) == want
    assert bool(want) == (side == "bad.h")


def test_the_member_blamed_is_the_first_that_moves():
    lays = lo.measured(lo.text("ABI340", "bad.h"), ("struct ev",))
    offs = {t: {m["path"]: m["offset"] for m in lay["struct ev"]["members"]} for t, lay in lays.items()}
    first_moving = next(p for p in ("code", "time", "flags")
                        if len({o[p] for t, o in offs.items() if lays[t]["ptr"] == 4}) > 1)
    (hit,) = lo.lint(lo.fixture("ABI340", "bad.h"), "ABI340")
    assert hit[0].startswith(f"struct ev.{first_moving} ")
    assert f"member {first_moving} (__u64)" in hit[2]
