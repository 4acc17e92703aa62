"""``gnu.rewrite`` finds what it rewrites with a sparse scan
(``_CANDIDATE``, ``_starts_identifier``), and ``strip_function_bodies``
looks only for braces inside braces (``_BRACE``); both must act exactly
where the token-by-token scans they replaced did.  The references below
are those scans, as they stood (``_TOKEN`` is gnu's own token regex); the
two are compared on crafted corners, on generated texts, and on real
preprocessed headers."""
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
    return gnu._hoist_bitfield_attributes(_reference_strip(text))


def _reference_strip(text: str) -> str:
    """strip_function_bodies() with the scan that looked at every token."""
    out: list[str] = []
    pos = depth = 0
    prev: list[str] = []
    body_start = -1
    for m in gnu._TOKEN.finditer(text):
        if m.lastgroup in ("marker", "str"):
            continue
        tok = m.group(0)
        if tok == "{":
            if depth == 0 and gnu._ends_declarator(prev):
                body_start = m.start()
            depth += 1
        elif tok == "}":
            depth -= 1
            if depth == 0 and body_start >= 0:
                out += [text[pos:body_start], ";" + gnu._blank(text[body_start:m.end()])]
                pos = m.end()
                body_start = -1
                prev = [";"]
                continue
        if depth == 0:
            prev.append(tok)
            if len(prev) > 64:
                del prev[:32]
    out.append(text[pos:])
    return "".join(out)


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


@pytest.mark.parametrize("text", [
    "int f(void) { return 0; }", "} int f(void) { }", "}} { int f() { } }", "{ { } int f() { x; }",
    "int f() [[gnu::aligned(8)]] { }", "int f() [[a]] [[b]] {}", "int f()\n# 3 \"x.h\"\n{ }",
    'int f() "s" { }', "int f() 5 * { }", "struct s { int (*p)(void); } x; int g(int) { { } }",
    "int f() { #x { \n}\n}", 'int f() { "}" }', "int f() { '}' }", "int f() {\n# 1 \"}\"\n}",
    "a # { b", "int f() { } }", "}{ int f() { }", ") {" * 3, "int f() [[ { ]] ]] { }",
    "int f()" + " [[a]]" * 10 + " { }", "int f()" + " [[a(b,c)]]" * 12 + " { }",
    "x;" * 70 + "int f() [[a]] [[b]] [[c]] [[d]] [[e]] [[f]] { }",
    "x;" * 60 + "int f()" + " [[a]]" * 8 + " { }",
])
def test_strip_corners(text):
    assert gnu.strip_function_bodies(text) == _reference_strip(text)


@pytest.mark.parametrize("groups", [4, 6, 8, 10, 12])
@pytest.mark.parametrize("group", ["[[a]]", "[[a{}]]", "[[{a}]]"])
def test_strip_the_window_of_recent_tokens(group, groups):
    """The tokens noted at file scope are a window (the last 33 to 64):
    attribute lists longer than it before a ``{`` read as the old scan
    read them, whatever came before (braces inside the lists count too)."""
    for lead in range(0, 80, 3):
        text = "x;" * lead + "int f()" + (" " + group) * groups + " { body; }"
        assert gnu.strip_function_bodies(text) == _reference_strip(text), (lead, text)


_BODY_PIECES = st.sampled_from([
    "{", "}", "(", ")", "[[", "]]", "[", "]", ";", "x", "f", "=", ",", " ", "\n", "\n#", "#",
    '"', "'", "5", "*", "int f(void)", "[[a]]",
])


@settings(max_examples=400, deadline=None)
@given(st.lists(_BODY_PIECES, max_size=120).map("".join))
def test_strip_generated(text):
    assert gnu.strip_function_bodies(text) == _reference_strip(text)


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
