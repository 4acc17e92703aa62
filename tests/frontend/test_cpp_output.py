"""Reading cpp's output (frontend/cpp_output._split_defines): the text the
parser sees and the files cpp entered, with the #include line of each.

The marker loop reads a marker's place only when a file is entered; the
reference below is the loop that tracked every marker's place (as it
stood), compared on crafted outputs and on real cpp output, down to which
strings the entries share (the cpp cache pickles them)."""
from __future__ import annotations

import os
import pickle
import re
import sys

import pytest

from abicheck.errors import SourceLoc
from abicheck.frontend import cpp_output as co
from abicheck.frontend.preprocess import preprocess
from abicheck.targets import get_target
from debian_headers import include_dirs

_CANDIDATE = re.compile(r"\n(#[^\S\n]*(?:line[^\S\n]+)?\d[^\n]*)")


def _reference(output: str):
    entries, pieces = [], []
    src = "\n" + output
    last = pos = 1
    idx = 0
    file, base_line, base_idx = "<built-in>", 0, 0
    for hm in _CANDIDATE.finditer(src):
        m = co._MARKER.match(hm.group(1))
        if not m:
            continue
        start = hm.start(1)
        idx += src.count("\n", pos, start)
        pos = start
        new = co._unescape(m.group(2))
        if " 1" in m.group(3) and not new.startswith("<"):
            entries.append((new, SourceLoc(file, max(base_line + idx - base_idx, 1), 1)))
        file, base_line, base_idx = new, int(m.group(1)), idx + 1
        if file == "<stdin>":
            file = co.MAIN
            pieces += [src[last:start], f'# {m.group(1)} "{co.MAIN}"']
            last = hm.end()
    pieces.append(src[last:])
    text = co._BLANKED.sub("\n", "\n" + "".join(pieces))[1:]
    return text, tuple(entries)


def _same(output: str) -> None:
    got = co._split_defines(output, "main")
    text, entries = _reference(output)
    assert (got.text, got.entries) == (text, entries)
    shared = lambda es: pickle.dumps(tuple((c, a.file, a.line, a.col) for c, a in es))  # noqa: E731
    assert shared(got.entries) == shared(entries)


@pytest.mark.parametrize("output", [
    '# 1 "<stdin>"\n# 1 "<built-in>"\n#define X 1\n# 1 "<command-line>"\n# 1 "<stdin>"\n'
    '# 1 "/i/a.h" 1\nint a;\n# 1 "/i/b.h" 1\nint b;\n# 3 "/i/a.h" 2\n\n# 9 "/i/a.h"\n'
    '# 1 "/i/c.h" 1 3 4\n# 2 "<stdin>" 2\n',
    '# 1 "/i/a.h" 1\n',                                        # entered before any other marker
    'int x;\n\n# 1 "/i/a.h" 1\n',
    '# 1 "<stdin>"   trailing words\n# 1 "a\\"b.h" 1\n# 7 "c\\\\d.h"\n# 1 "e.h" 1\n',
    '#line 5 "<stdin>"\n#line 1 "f.h" 1\n# 12 "g.h" 12\n#\t3\t"h.h"\t1\n',
    '# 1 "x.h" 2\n# 1 "y.h" 1\n# 1 "y.h" 1\n# 1 "<z>" 1\n',
    '#1"no-space.h" 1\n# 1 "unterminated.h 1\n# one "word.h" 1\n#pragma once\n# 1 "ok.h" 1\n',
    '#define A 1\n#undef A\n#pragma pack(1)\n#pragma GCC visibility push(default)\n# 4 "<stdin>"\n',
    '# 1 "<stdin>"\n# 1 "<stdin>" 1\n# 1 "k.h" 1\nint k;',
])
def test_crafted(output):
    _same(output)


def _real_outputs(monkeypatch) -> list[str]:
    """cpp's own -dD output of every 10th linux/*.h of the host."""
    t = get_target("x86_64")
    dirs = include_dirs(t)
    if not dirs or not any(os.path.isdir(os.path.join(d, "linux")) for d in dirs):
        pytest.skip("no x86_64 linux headers")
    linux = next(os.path.join(d, "linux") for d in dirs if os.path.isdir(os.path.join(d, "linux")))
    seen: list[str] = []
    real = co._split_defines

    def spy(output, main):
        seen.append(output)
        return real(output, main)
    from abicheck.cache import preprocessed
    monkeypatch.setenv("ABICHECK_CACHE", "0")
    preprocessed.clear_memo()
    monkeypatch.setattr(sys.modules["abicheck.frontend.preprocess"], "_split_defines", spy)
    for h in sorted(f"linux/{f}" for f in os.listdir(linux) if f.endswith(".h"))[::10]:
        try:
            preprocess([h], t, dirs)
        except Exception:
            continue
    assert len(seen) > 10
    return seen


def test_real_output(monkeypatch):
    for output in _real_outputs(monkeypatch):
        _same(output)


def _joined(output: str) -> tuple[str, str] | None:
    """``output`` cut where a batch cuts it: before its main file's first
    line marker (the predefined macros' part without its last line break,
    and the rest)."""
    cut = output.find('\n# 1 "<stdin>"\n')
    return None if cut < 0 else (output[:cut], output[cut + 1:])


def _same_after(output: str) -> None:
    """``split_after`` (the head read once, the rest alone) gives what one
    read of the whole output gives, down to the strings entries share."""
    head, rest = _joined(output)
    whole = co._split_defines(output, "main")
    got = co.split_after(co._split_defines(head, ""), rest, "main")
    assert (got.text, got.entries, got.main_source, got._raw) == \
        (whole.text, whole.entries, whole.main_source, output)
    shared = lambda es: pickle.dumps(tuple((c, a.file, a.line, a.col) for c, a in es))  # noqa: E731
    assert shared(got.entries) == shared(whole.entries)


def test_split_after_real_output(monkeypatch):
    """Real cpp output (each opens with the predefined macros, as a
    batch's parts share them)."""
    seen = [s for s in _real_outputs(monkeypatch) if _joined(s)]
    assert len(seen) > 10
    for output in seen:
        _same_after(output)


@pytest.mark.parametrize("output", [
    # entries in the head, an entry right after the main file's marker,
    # a <stdin> marker later, blanked lines at both sides of the cut
    '# 0 "<stdin>"\n# 0 "<built-in>"\n#define X 1\n# 1 "/i/pre.h" 1\n#pragma weak x\n'
    '# 1 "<stdin>"\n# 1 "/i/a.h" 1\n#undef X\nint a;\n# 2 "<stdin>" 2\n# 1 "/i/b.h" 1\n',
    '#define X 1\n# 1 "<stdin>"\n',                         # nothing after the marker
    '# 1 "<stdin>"\n# 1 "<stdin>"\n# 3 "/i/c.h" 1\n',
])
def test_split_after_crafted(output):
    _same_after(output)


@pytest.mark.parametrize("rest", [
    # not opening with a <stdin> marker: the whole is read again
    '# 1 "/i/a.h" 1\nint a;\n', 'int x;\n# 1 "/i/a.h" 1\n', '# 1 "<built-in>"\n# 1 "/i/a.h" 1\n', '',
    '# 1 "<stdin>"',
])
def test_split_after_other_openings(rest):
    head = '# 0 "<stdin>"\n# 0 "<built-in>"\n#define X 1\nint h;'
    whole = co._split_defines(head + "\n" + rest, "main")
    got = co.split_after(co._split_defines(head, ""), rest, "main")
    assert (got.text, got.entries, got._raw) == (whole.text, whole.entries, head + "\n" + rest)
