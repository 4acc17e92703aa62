"""A declaration's model built once and replayed (frontend/replay.py) is
the model a fresh build gives, in every context that can change it.

The reference is the whole-text parse (fresh nodes, so nothing is
replayed), which every other test checks against compilers; each text is
parsed after the ones before it, as a process meets headers, so the later
ones replay what the earlier ones built.  Units are compared as the cache
stores them (every field, the order of the tables, and which objects are
shared)."""
from __future__ import annotations

from unittest import mock

import pytest

from abicheck import model as m
from abicheck.cache import units
from abicheck.errors import ParseError
from abicheck.frontend import builder, chunks, parse, replay


def _whole(text: str):
    with mock.patch.object(chunks, "parse", side_effect=chunks.Unusual("off")):
        return _outcome(text)


def _outcome(text: str):
    try:
        return units.dumps(parse.parse(text))
    except ParseError as e:
        return ("error", e.msg, e.loc)


def _in_order(*texts: str) -> list:
    """Each text's outcome, parsed in order, each checked against the whole parse."""
    out = []
    for text in texts:
        got = _outcome(text)
        assert got == _whole(text), text
        out.append(got)
    return out


@pytest.fixture(autouse=True)
def _fresh():
    parse.clear_memo()
    yield
    parse.clear_memo()


def _builds(*texts: str) -> int:
    """How many file-scope declarations were built (not replayed) for ``texts``."""
    real = builder.Builder._declare
    n = 0

    def counting(self, node):
        nonlocal n
        n += 1
        return real(self, node)
    with mock.patch.object(builder.Builder, "_declare", counting):
        for t in texts:
            parse.parse(t)
    return n


INC = ('# 1 "types.h"\ntypedef unsigned int u32;\ntypedef u32 w32;\n'
       'struct pair { u32 a; w32 b; } __p;\nenum e { A, B = A + 3, C };\n')


def test_a_shared_include_is_built_once():
    one = INC + '# 1 "one.h"\nstruct one { struct pair p; enum e v; };\n'
    two = INC + '# 1 "two.h"\nstruct two { struct pair p; };\n'
    assert _builds(one) == 5
    assert _builds(two) == 1                  # only struct two
    _in_order(one, two, one)


def test_attribute_argument_read_with_the_units_typedefs():
    """``aligned(N)`` is text to pycparser, so the parse of the struct is
    the same node whether ``N`` is a typedef or an enumerator; the model
    differs (a type where an expression belongs is an error)."""
    s = '# 1 "s.h"\nstruct s { char c; int a [[gnu::aligned(N)]]; };\n'
    as_type = '# 1 "a.h"\ntypedef int N;\n' + s
    as_value = '# 1 "a.h"\nenum { N = 16 };\n' + s
    for order in ((as_type, as_value), (as_value, as_type), (as_value, as_value)):
        parse.clear_memo()
        got = _in_order(*order)
        assert (got[0] == got[1]) == (order[0] == order[1])
    unit = parse.parse(as_value)
    assert unit.records[("struct", "s")].fields[1].attrs.aligned.name == "N"


def test_the_pack_value_in_force():
    s = '# 1 "s.h"\nstruct s { char c; long l; };\n'
    packed = '# 1 "p.h"\n#pragma pack(push, 2)\n' + s + '# 1 "p.h"\n#pragma pack(pop)\n'
    got = _in_order(s, packed, s, packed)
    assert got[0] == got[2] != got[1] == got[3]
    assert parse.parse(packed).records[("struct", "s")].max_align == 2


def test_a_declaration_holding_a_pragma_is_built_each_time():
    s = '# 1 "s.h"\nstruct s {\n#pragma pack(1)\n char c; long l; };\nstruct t { char c; long l; };\n'
    assert _builds(s) == 2
    assert _builds(s) == 1
    _in_order(s, s)
    unit = parse.parse(s)
    assert unit.records[("struct", "t")].max_align == 1


def test_registrations_replay_with_the_first_builds_rules():
    """A definition replaces a forward declaration whichever came first
    in the unit; the first typedef and enum constant of a name stay."""
    fwd = '# 1 "f.h"\nstruct later *p;\n'
    dfn = '# 1 "d.h"\nstruct later { int x; };\n'
    td = '# 1 "t.h"\ntypedef struct later L;\nenum { K = 1 };\n'
    td2 = '# 1 "u.h"\ntypedef struct later L;\nenum { K = 2 };\n'
    texts = (fwd + dfn + td, dfn + fwd + td, td + fwd + td2 + dfn, fwd + td2 + td + dfn)
    got = _in_order(*texts, *texts)
    assert got[:4] == got[4:]
    unit = parse.parse(texts[0])
    assert unit.records[("struct", "later")].fields is not None
    assert list(unit.records) == [("struct", "later")]


def test_a_declaration_met_twice_in_one_unit_shares_no_object():
    """The same file at the same lines twice (no include guard): the
    second meeting registers nothing, so the unit pickles as before."""
    inc = '# 1 "noguard.h"\nstruct g { int a[4]; };\ntypedef struct g G;\n'
    text = inc + '# 1 "main.h"\nG x;\n' + inc
    _in_order(text, text)


def test_a_failing_declaration_is_not_remembered():
    bad = '# 1 "b.h"\nstruct b { int x [[gnu::aligned(sizeof(int) +)]]; };\n'
    first = _in_order(bad)[0]
    assert first[0] == "error"
    assert _in_order(bad) == [first]
    kept = [op for variants in replay._BUILT.values() for v in variants for op in v[3]]
    assert ("struct", "b") not in [op[1] for op in kept]        # nothing half-kept


def test_the_memo_is_bounded(monkeypatch):
    monkeypatch.setattr(replay, "_LIMIT", 3)
    text = "".join(f'# 1 "h{i}.h"\nstruct s{i} {{ int a; }};\n' for i in range(10))
    _in_order(text, text)
    assert len(replay._BUILT) <= 3


def test_builtin_names_and_typedef_refs():
    text = ('# 1 "f.h"\ntypedef __float128 q;\nstruct f { q a; _Float64 b; __builtin_va_list c; };\n'
            'typedef struct f F;\nstruct h { F f; const F *p; };\n')
    a, b = _in_order(text, text)
    assert a == b
    h = parse.parse(text).records[("struct", "h")]
    assert h.fields[0].type == m.TypedefRef("F")
    assert h.fields[1].type.to.quals == "const"
