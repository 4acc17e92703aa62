"""What ``batch_scan.file_facts`` reads from a file, against gcc and
against whole-text reference scans.

The guard: gcc itself says whether it found a file guarded (its
multiple-include optimisation enters a guarded file once, however often it
is included).  The names, includes and stateful directives: the scans run
with a line break put in front of the text and patterns that start with
it; the reference patterns below are the ``^``/``re.M`` ones they replace,
and the guard's reference makes every comment a space over the whole text
first."""
from __future__ import annotations

import re
import subprocess

import pytest

from abicheck.frontend import batch_scan
from abicheck.frontend.preprocess import _gcc

_NAME = re.compile(r"^[ \t]*#[ \t]*(?:define|undef)[ \t]+([A-Za-z_]\w*)", re.M)
_INCLUDE = re.compile(r'^[ \t]*#[ \t]*(include_next|include|import)[ \t]*([<"])([^>"\n]*)[>"]', re.M)
_STATEFUL = re.compile(r"^[ \t]*#[ \t]*(?:pragma[ \t]+(?!pack\b)|(?:un)?assert\b|import\b)", re.M)
#: ``_Pragma`` on a line that is no ``#define`` (comments gone first): one
#: in a macro's body is batch_pragma's to judge, per header
_PRAGMA_OUTSIDE = re.compile(r"^(?![ \t]*#[ \t]*define\b)[^\n]*\b_Pragma\b", re.M)

GUARDED = {
    "a.h": "/* SPDX */\n#ifndef A_H\n#define A_H\nint a;\n#endif\n",
    "b.h": "// one\n// two\n\n#ifndef B_H\n#define B_H\n#endif\n",
    "c.h": "/* multi\n line */ # /* in */ ifndef /* x */ C_H\n#define C_H\n#endif\n",
    "d.h": "#if !defined(D_H)\n#define D_H\n#endif\n",
    "e.h": "#if ! defined E_H\n#define E_H\n#endif\n",
    "g.h": "/* a */ /* b */\n/* c\n*/\n#ifndef G_H // trailing\n#define G_H\n#endif\n",
    "j.h": "#ifndef J_H /* c\n */\n#define J_H\n#endif\n",
    "k.h": "#/* a\n */ifndef K_H\n#define K_H\n#endif\n",
}
UNGUARDED = {
    "f.h": "int x;\n#ifndef F_H\n#define F_H\n#endif\n",
    "h.h": "#ifdef H_H\n#endif\n",
    "i.h": "/* c */ int y; /* d */\n#ifndef I_H\n#define I_H\n#endif\n",
    "l.h": "",
}


def _entered(path, tmp_path) -> int:
    """How often gcc enters ``path`` included twice."""
    main = f'#include "{path}"\n#include "{path}"\n'
    out = subprocess.run([_gcc(), "-E", "-x", "c", "-"], input=main, capture_output=True,
                         text=True, check=True, cwd=tmp_path).stdout
    return out.count(f'"{path}" 1\n')


@pytest.mark.skipif(not _gcc(), reason="needs gcc")
@pytest.mark.parametrize("name", sorted({**GUARDED, **UNGUARDED}))
def test_guard_is_what_gcc_finds(name, tmp_path):
    text = {**GUARDED, **UNGUARDED}[name]
    p = tmp_path / name
    p.write_text(text)
    batch_scan.file_facts.cache_clear()
    guard = batch_scan.file_facts(str(p)).guard
    assert (guard is not None) == (_entered(str(p), tmp_path) == 1)
    if guard is not None:
        assert re.search(rf"#define {guard}\b", text)


def _reference_guard(text: str) -> str | None:
    g = batch_scan._GUARD.match(batch_scan._COMMENT.sub(" ", text))
    return g and (g.group(1) or g.group(2) or g.group(3))


TEXTS = [*GUARDED.values(), *UNGUARDED.values(),
         "#define A 1\n  #  undef B\n\t#define C(x) x\nx #define D\n#defineE\n#include <a.h>\n"
         ' # include_next "b.h"\n#import <c.h>\n#pragma pack(1)\n',
         "#include<d.h>\n#pragma once\n", "int x = _Pragma(\"once\") 1;\n",
         "#define P _Pragma(\"once\")\nP\n", "# define W(m) \\\n  _Pragma(#m)\n", "/* _Pragma */ int y;\n",
         "#define Q 1 /* a\n */ _Pragma(\"once\")\n", "int z; // _Pragma\n", "# assert x(y)\n",
         "#unassert x\n", "#pragma  packed\n", "#define F \\\n 1\n#def\\\nine G 2\n",
         "/* unterminated\n#ifndef U_H\n", "// only\n", "/**/#ifndef V_H", "\n\n   \n#ifndef W_H\r\n",
         "#if !defined(X_H) || 1\n", "# ifndef Y_H\n/* */\n", "#\\\r\nifndef Z_H\n"]


@pytest.mark.parametrize("text", TEXTS)
def test_scans_match_the_references(text, tmp_path):
    p = tmp_path / "f.h"
    p.write_bytes(text.encode("latin-1"))
    batch_scan.file_facts.cache_clear()
    facts = batch_scan.file_facts(str(p))
    flat = text.replace("\\\r\n", "").replace("\\\n", "")
    assert facts.names == frozenset(_NAME.findall(flat))
    assert facts.includes == tuple(_INCLUDE.findall(flat))
    assert facts.stateful == (_STATEFUL.search(flat) is not None
                              or _PRAGMA_OUTSIDE.search(batch_scan._COMMENT.sub(" ", flat)) is not None)
    assert facts.guard == _reference_guard(flat)


# trees where every include is taken: the files reached two ways are the
# files gcc itself enters twice in a run alone (a guarded file reached one
# way is entered once, however often it is included)
TWO_WAYS = {
    "quoted and bracketed": {"sub/s.h": "#ifndef S\n#define S\n#endif\n", "sub/q.h": '#include "s.h"\n',
                             "top.h": "#include <sub/s.h>\n#include <sub/q.h>\n#include <sub/s.h>\n"},
    "same name, quoted and bracketed": {"s.h": "#ifndef S\n#define S\n#endif\n", "q.h": '#include "s.h"\n',
                                        "top.h": "#include <s.h>\n#include <q.h>\n"},
    "include_next chain": {"a/limits.h": "#ifndef LA\n#define LA\n#include_next <limits.h>\n#endif\n",
                           "b/limits.h": "#ifndef LB\n#define LB\n#include_next <limits.h>\n#endif\n",
                           "c/limits.h": "#ifndef LC\n#define LC\n#endif\n",
                           "top.h": "#include <limits.h>\n#include <limits.h>\n"},
    "next and bracketed": {"a/x.h": "#ifndef XA\n#define XA\n#include_next <x.h>\n#endif\n",
                           "b/x.h": "#ifndef XB\n#define XB\n#endif\n",
                           "b/y.h": '#include "x.h"\n', "top.h": "#include <x.h>\n#include <y.h>\n"},
    "one way, often": {"sub/s.h": "#ifndef S\n#define S\n#endif\n", "sub/q.h": "#include <sub/s.h>\n",
                       "top.h": "#include <sub/s.h>\n#include <sub/q.h>\n"},
}


@pytest.mark.skipif(not _gcc(), reason="needs gcc")
@pytest.mark.parametrize("case", sorted(TWO_WAYS))
def test_files_reached_two_ways_are_what_gcc_enters_twice(case, tmp_path):
    import collections
    import os

    from abicheck.frontend.preprocess import preprocess
    from abicheck.targets import get_target
    for name, text in TWO_WAYS[case].items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    dirs = [str(tmp_path / d) for d in ("a", "b", "c") if (tmp_path / d).is_dir()] + [str(tmp_path)]
    pre = preprocess(["top.h"], get_target("x86_64"), dirs)
    twice = {os.path.normpath(f) for f, n in collections.Counter(f for f, _ in pre.entries).items()
             if n > 1}
    assert batch_scan.closure(("top.h",), tuple(dirs)).entries == twice
    assert ("bracketed" in case) == bool(twice)         # what the tree was made to show


def test_answers_last_one_run(tmp_path):
    # inside a moment a file's facts are read once; the next run reads again
    from abicheck.frontend.moment import one_moment
    p = tmp_path / "o.h"
    p.write_text("int o;\n")
    with one_moment():
        assert not batch_scan.file_facts(str(p)).stateful
        p.write_text("#pragma once\n")
        assert not batch_scan.file_facts(str(p)).stateful     # as first read
    assert batch_scan.file_facts(str(p)).stateful
