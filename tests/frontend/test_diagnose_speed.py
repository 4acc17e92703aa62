"""The shortcuts a failed header's diagnosis takes (frontend/diagnose.py,
frontend/parse.py) change nothing it finds:

- ``tu_order`` numbers the lines between two line markers in a run; it
  must give, line for line, what its definition says: each (file, line)
  maps to the first line of the text that stands for it, and a marker
  line for line N stands for line N - 1 of its file (what cpp consumed
  there sorts just before line N);
- a parse with assumed type names goes piecewise (``chunks``) and must
  build the very unit the whole-text parse builds (a ``typedef int T``
  for each assumed name, where the prelude has it).
"""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from abicheck.cache import units
from abicheck.frontend import chunks, diagnose, gnu, parse

_A_MARKER = re.compile(r'#\s*(?:line\s+)?(\d+)\s+"((?:\\.|[^"\\])*)"')


def _by_definition(text: str) -> dict[tuple[str, int], int]:
    """Line by line, as the docstring above words it."""
    order: dict[tuple[str, int], int] = {}
    file, line = "", 0
    for i, raw in enumerate(text.split("\n")):
        mk = _A_MARKER.match(raw)
        if mk:
            file, line = mk.group(2), int(mk.group(1))
            order.setdefault((file, line - 1), i)
        else:
            order.setdefault((file, line), i)
            line += 1
    return order


_LINES = st.sampled_from([
    "int a;", "", "  ", "#pragma pack(4)", "#", "# x", '# 1 "a.h"', '# 7 "a.h" 2',
    '#line 3 "b.h"', '#  12\t"b.h" 1 3 4', '# 5 "q\\"x.h"', '# 2 "a.h"\r', "struct s {",
    "};", '"# 1 \\"not\\""', " # 4 \"indented.h\"", '# 9 "unterminated'])


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=30), st.booleans())
def test_tu_order_is_its_definition(lines, trailing_break):
    text = "\n".join(lines) + ("\n" if trailing_break else "")
    got = diagnose.tu_order(text)
    want = _by_definition(text)
    assert list(got.items()) == list(want.items())


def test_tu_order_of_a_real_unit():
    from debian_headers import uapi_headers

    from abicheck import api
    from abicheck.targets import get_target
    t = get_target("x86_64")
    found = uapi_headers(t)
    if not found:
        pytest.skip("no Debian uapi headers for x86_64")
    pre = api.translate_each([(["linux/perf_event.h"], t, found[0])])[0].pre
    text = pre.text
    assert text.count("\n# ") > 5
    assert list(diagnose.tu_order(text).items()) == list(_by_definition(text).items())


TEXT = gnu.rewrite("""# 1 "x.h"
struct s { my_t a; other_t b[2]; };
typedef my_t alias_t;
struct t { alias_t c; };
""")


def test_an_assumed_parse_builds_what_the_whole_text_parse_builds(monkeypatch):
    names = ("my_t", "other_t")
    piecewise = parse.parse(TEXT, "<headers>", names)

    def refuse(*a, **k):
        raise chunks.Unusual("the whole-text route")
    monkeypatch.setattr(chunks, "parse", refuse)
    whole = parse.parse(TEXT, "<headers>", names)
    assert units.dumps(piecewise) == units.dumps(whole)
    # the assumed names are typedefs of int, at the prelude's place
    td = piecewise.typedefs["my_t"]
    assert td.loc.file == "<built-in>" and td.loc.line == len(parse._BUILTIN) + 1
    assert piecewise.typedefs["other_t"].loc.line == len(parse._BUILTIN) + 2
