"""``chunks.split`` finds its stops with a regex whose alternatives each
open with a literal character (directives matched from the line break
before them); it must cut every text where the regex it replaced did,
and refuse the same texts.  The reference is split() as it stood."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from abicheck.frontend import chunks

_OLD_STOP = re.compile(r'''
    (?P<dir>^[ \t]*\#[^\n]*)
  | (?P<semi>;)
  | (?P<lit>"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*')
  | (?P<odd>[\#"'])
''', re.VERBOSE | re.MULTILINE)


def _reference(text: str, name: str) -> list:
    """split() with the stop regex it had (every alternative a group,
    directives anchored at line starts)."""
    if '"' in name or "\\" in name or "\n" in name:
        raise chunks.Unusual(name)
    pieces: list[tuple[str, str, int, int]] = []
    file, line, base = f'"{name}"', 1, 0      # the line numbered ``line`` starts at ``base``
    depth = 0
    start = -1          # offset of the declaration being read
    at = (file, line, 1)
    pos = 0             # end of the last stop: text[pos:next stop] is plain code

    def place(s: int) -> tuple[str, int, int]:
        # lines are counted on from the last place asked (they are asked in order)
        nonlocal line, base
        head = text.rfind("\n", 0, s) + 1
        line += text.count("\n", base, head)
        base = head
        return file, line, s - head + 1

    for mt in _OLD_STOP.finditer(text):
        s0 = mt.start()
        if pos < s0:
            if start < 0:
                nb = chunks._NONBLANK.search(text, pos, s0)
                if nb:
                    start = nb.start()
                    at = place(start)   # before a marker inside the declaration moves it
            depth += (text.count("(", pos, s0) + text.count("[", pos, s0) + text.count("{", pos, s0)
                      - text.count(")", pos, s0) - text.count("]", pos, s0) - text.count("}", pos, s0))
            if depth < 0:
                raise chunks.Unusual("unbalanced")
        pos = mt.end()
        kind = mt.lastgroup
        if kind == "dir":
            d = mt.group()
            mk = chunks._MARKER.match(d)
            if mk:
                file, line, base = mk.group(2), int(mk.group(1)), pos + 1
            elif chunks._PRAGMA.match(d) and pos < len(text):
                if start < 0:
                    s = s0 + len(d) - len(d.lstrip())
                    pieces.append((text[s:pos + 1], *place(s)))
            else:
                raise chunks.Unusual(d)
            continue
        if kind == "odd":
            raise chunks.Unusual(mt.group())
        if start < 0:
            start = s0
            at = place(start)
        if kind == "semi" and depth == 0:
            pieces.append((text[start:pos], *at))
            start = -1
    if start >= 0 or chunks._NONBLANK.search(text, pos):
        raise chunks.Unusual("text after the last declaration")
    return pieces



def _outcome(fn, text):
    try:
        return fn(text, "<headers>")
    except chunks.Unusual:
        return "unusual"


@pytest.mark.parametrize("text", [
    "", "\n", "int a;", "#pragma pack(1)\nint a;", "  # 3 \"x.h\"\nint a;\n", "# 1 \"x.h\"",
    "int a;\n#pragma pack(pop)", "int a;\n#pragma pack(pop)\n", "int a; #", "int a;\n#define X",
    "char c = ';';", 'char *s = ";";', "char c = ';", "int a", "struct s { int a; int b[2]; } x;",
    "int a;\n\t #  7 \"y.h\" 1 3\nint b;\nint\n# 9 \"z.h\"\nc;", "f(a;b);", ") ;", "int a[(1;2)];",
    "\n\n  int a;\n  # 1 \"<headers>\"\n", "x;\n#pragma once\n", "int a;\f\v;", "'';", '"";',
    "int a;\r\n", "#pragma\n", "# pragma pack(2)\nstruct t { #pragma pack(1)\n int a; };",
])
def test_corners(text):
    assert _outcome(chunks.split, text) == _outcome(_reference, text)


_PIECES = st.sampled_from([
    ";", "\n", " ", "\t", "#", "# 1 \"a.h\"", "# 2 \"b.h\" 1", "#pragma pack(1)", "#define X", '"',
    "'", "'x'", '"s;"', "int", "a", "(", ")", "[", "]", "{", "}", "=", "1", "\\", "\f",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_generated(text):
    assert _outcome(chunks.split, text) == _outcome(_reference, text)
