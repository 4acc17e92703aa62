"""A layout and a parse leave no reference cycle behind: what they make is
freed the moment it is dropped, without the cycle collector, which a run
that freezes what it keeps (``collector.growing``, as ``translate_each``
does) defers to its end.  A cold corpus run made ~180,000 such objects per
ABI before (a self-calling closure per ``members()`` call and per layout's
holes, a pycparser parser per whole-text parse)."""
from __future__ import annotations

import gc
import weakref

import pytest

from abicheck import api
from abicheck.frontend import collector, parse
from abicheck.layout import Layouter
from abicheck.targets import get_target

# levels in levels (struct in union in struct) with holes at each level,
# so both walks go down more than one level
SRC = """
struct inner { char c; int i; };
struct outer {
    char a;
    union { struct { char x; long y; } s; int z; } u;
    struct inner in;
    char tail;
};
"""


@pytest.fixture
def no_collector():
    gc.collect()
    gc.disable()
    yield
    gc.enable()


def test_a_layout_walked_leaves_no_cycle(no_collector):
    tr = api.translate((), get_target("x86_64"), source=SRC)
    eng = Layouter(tr.unit, tr.target)
    lay = eng.layout("struct outer")
    assert [m.path for m in lay.members()] == ["a", "u", "u.s", "u.s.x", "u.s.y", "u.z", "in",
                                                "in.c", "in.i", "tail"]
    # gcc on x86_64: a hole of 7 after a, 7 after u.s.x, 3 after in.c, tail padding 7
    assert [(h.after, h.bits // 8) for h in lay.holes] == [("a", 7), ("u.s.x", 7), ("in.c", 3)]
    assert lay.padding == 7
    lay.to_json()
    probe = weakref.ref(eng)            # every member's facts hold the engine
    del eng, lay
    assert probe() is None


def test_a_whole_text_parse_leaves_its_parser_to_refcounting(no_collector, monkeypatch):
    made = []

    class Spy(parse.c_parser.CParser):
        def __init__(self, *a, **k):
            super().__init__(*a, **k)
            made.append(weakref.ref(self))
    monkeypatch.setattr(parse.c_parser, "CParser", Spy)
    # a '#line' directive is not for the piecewise parse: the text goes
    # whole, to a parser of its own; so does one that fails
    parse.parse('#line 3 "x.h"\nstruct s { my_t a; };\n', assume_types=("my_t",))
    with pytest.raises(Exception):
        parse.parse("struct s { int a }\n")
    assert len(made) == 2
    assert [r() for r in made] == [None, None]


def test_translate_each_freezes_each_translation_and_hands_all_back(tmp_path, monkeypatch):
    from abicheck.frontend import translate_each
    monkeypatch.setenv("ABICHECK_CACHE", "0")
    for n in range(3):
        (tmp_path / f"h{n}.h").write_text(f"struct h{n} {{ int a; }};\n")
    steps, thresholds = [], []
    real = collector._Growth.step
    monkeypatch.setattr(collector._Growth, "step",
                        lambda self: (steps.append(gc.get_freeze_count()),
                                      thresholds.append(gc.get_threshold()[0]), real(self)))
    before = gc.get_threshold()
    gc.set_threshold(700, *before[1:])
    try:
        assert gc.get_freeze_count() == 0
        got = translate_each([([f"h{n}.h"], get_target("x86_64"), [str(tmp_path)])
                              for n in range(3)])
        assert len(got) == 3 and len(steps) == 3
        assert steps[1] > 0                     # the first translation's objects were frozen
        assert gc.get_freeze_count() == 0       # and handed back at the end
        # raised between the parses too (each parse's end set off a collection)
        assert thresholds == [collector.THRESHOLD] * 3
        assert gc.get_threshold()[0] == 700
    finally:
        gc.set_threshold(*before)
