"""``gnu.rewrite`` finds what it rewrites with a sparse scan
(``_CANDIDATE``, ``_starts_identifier``); it must act exactly where the
token-by-token scan it replaced did.  The reference below is that scan,
as it stood (``_TOKEN`` is gnu's own token regex), followed by the same
later passes; the two are compared on crafted corners, on generated
texts, and on real preprocessed headers."""
from __future__ import annotations

import os

import pytest
from hypothesis import given, settings, strategies as st

from abicheck.frontend import gnu
from abicheck.frontend.preprocess import preprocess
from abicheck.targets import get_target
from debian_headers import include_dirs


def _reference(text: str) -> str:
    """rewrite() with the scan that looked at every token."""
    import re
    out: list[str] = []
    pos = i = 0
    while True:
        m = gnu._TOKEN.search(text, i)
        if not m:
            break
        kind, tok = m.lastgroup, m.group(0)
        if kind != "id":
            i = m.end()
            continue
        if tok in gnu._SIMPLE:
            out += [text[pos:m.start()], gnu._SIMPLE[tok]]
            pos = i = m.end()
            continue
        if tok in gnu._ATTRIBUTE or tok in gnu._ASM:
            j = m.end()
            if tok in gnu._ASM:
                while True:
                    q = re.compile(r"\s*([A-Za-z_]\w*)").match(text, j)
                    if q and q.group(1) in gnu._ASM_QUALS:
                        j = q.end()
                    else:
                        break
            p = re.compile(r"\s*\(").match(text, j)
            end = gnu._balanced(text, p.end() - 1) if p else -1
            if end < 0:
                i = m.end()
                continue
            out.append(text[pos:m.start()])
            group = text[p.end() - 1:end]
            if tok in gnu._ATTRIBUTE:
                inner = group[1:-1].strip()
                if inner.startswith("(") and inner.endswith(")"):
                    inner = inner[1:-1]
                out.append(gnu._attribute_to_c23(inner) + gnu._blank(group))
            else:
                out.append(gnu._blank(group))
            pos = i = end
            continue
        i = m.end()
    out.append(text[pos:])
    text = gnu._COMPLEX_FLOAT.sub(lambda m: gnu.complex_name(m[1] or m[2]), "".join(out))
    return gnu._hoist_bitfield_attributes(gnu.strip_function_bodies(text))


@pytest.mark.parametrize("text", [
    "x__inline y", "1__inline y", "0x__inline", "é__inline", "aé__inline", "__inline1 __inline_",
    "___inline", "_ __inline", "__inline__inline", "#__inline\n__inline", " #__inline\n",
    "a #__inline b", "#\n__extension__", '"__inline" __inline', "'__inline' __const",
    '"unterminated __inline\n__inline', "'x __asm__(\"a\")", "asm(x) __asm__ volatile goto (y) z",
    "asmx (y) __asm (", "__attribute__ x", "__attribute__((packed)", "__attribute__((aligned(8))) ",
    "int a __attribute__((aligned(sizeof(__int128)))) __attribute((packed));",
    "__signed__ __signed __inline__ __restrict__ _Noreturn __thread _Thread_local __label__",
    "__alignof__(x) __alignof (y) __typeof__(z) __typeof(w) __builtin_offsetof(s, m)",
    "__complex__ float __complex double _Complex _Float32 __int128_t",
    "#pragma pack(push, 1)\nstruct s { int a; } __attribute__((packed));\n",
    "\\\n__inline \\__inline", "__inline\\\n", "\u00b2__inline \u0660__inline",
])
def test_corners(text):
    assert gnu.rewrite(text) == _reference(text)


_PIECES = st.sampled_from([
    "__inline", "__inline__", "__attribute__", "__attribute", "__asm__", "asm", "volatile",
    "__extension__", "__int128", "_Float32", "_Complex", "packed", "aligned", "(", ")", "((", "))",
    "x", "1", "0x", "é", "_", "__", '"', "'", "\\", "#", "\n", " ", ";", "{", "}", ",", "[[", "]]",
    ":", "3", "int", "struct s", "=",
])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_generated(text):
    assert gnu.rewrite(text) == _reference(text)


def test_real_headers():
    """Every 8th linux/*.h of the host as cpp gives it."""
    t = get_target("x86_64")
    dirs = include_dirs(t)
    if not dirs or not os.path.isdir(os.path.join(dirs[-1], "linux")):
        pytest.skip("no x86_64 linux headers")
    linux = next(os.path.join(d, "linux") for d in dirs if os.path.isdir(os.path.join(d, "linux")))
    headers = sorted(f"linux/{f}" for f in os.listdir(linux) if f.endswith(".h"))[::8]
    checked = 0
    for h in headers:
        try:
            text = preprocess([h], t, dirs).text
        except Exception:
            continue
        assert gnu.rewrite(text) == _reference(text), h
        checked += 1
    assert checked > len(headers) // 2
