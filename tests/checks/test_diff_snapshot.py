"""``diff_snapshot.slots_of``: every named member in pre-order, with the
record it sits in; and no reference cycle left behind (a tree diff builds
tens of thousands of shapes, and a cycle per shape held its slots and the
layout engine until a full collection)."""
from __future__ import annotations

import gc
import weakref

from abicheck import api
from abicheck.checks.diff_snapshot import shape_of, slots_of
from abicheck.layout import Layouter
from abicheck.targets import get_target

SRC = ("struct in { short c; };\n"
       "struct outer { int a; union { long b; struct in i; struct { char d, e; }; } u;\n"
       "               struct { int f; } s[2]; int g; };\n")


def test_pre_order_with_the_enclosing_record():
    tr = api.translate((), get_target("x86_64"), source=SRC)
    lay = Layouter(tr.unit, tr.target)
    slots = slots_of(lay, lay.layout("struct outer"))
    assert [s.path for s in slots] == ["a", "u", "u.b", "u.i", "u.i.c", "u.d", "u.e", "s", "g"]
    assert [s.container for s in slots] == ["struct", "struct", "union", "union", "struct",
                                            "struct", "struct", "struct", "struct"]
    assert slots[2].cid == slots[3].cid != slots[0].cid


def test_a_shape_leaves_no_cycle():
    tr = api.translate((), get_target("x86_64"), source=SRC)
    gc.disable()
    try:
        lay = Layouter(tr.unit, tr.target)
        shape = shape_of(lay, "struct outer", "<src>")
        probe = weakref.ref(lay)
        del lay
        assert len(shape.slots) == 9
        assert probe() is None
    finally:
        gc.enable()
