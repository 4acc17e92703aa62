"""``fastdecl`` reads a declaration as pycparser does, node for node.

The oracle is pycparser itself (``chunks._ChunkParser.parse_piece``, what
``chunks.parse`` asked before ``fastdecl``): every declaration ``fastdecl``
accepts must give the same nodes (class, every attribute, every child,
the coordinate of each), the same declared names, and answers for at least
every name pycparser asked about; a declaration pycparser refuses must be
refused.  Three sources: the distinct declarations of real headers (the
host's and Debian's cross headers, ``debian_headers``; a sample by
default, every ``linux/*.h`` and ``asm/*.h`` of every ABI with
``ABICHECK_SLOW=1``), generated declarations of the shapes it reads and of
shapes near them, and whole units as the cache stores them, with the fast
path on and off.
"""
from __future__ import annotations

import collections
import functools
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from pycparser import c_ast
from pycparser.c_parser import Coord

from abicheck.cache import units
from abicheck.errors import ParseError
from abicheck.frontend import chunks, clear_memo, fastdecl, gnu, parse, translate_each
from abicheck.targets import all_targets, get_target
from debian_headers import uapi_headers

SLOW = bool(os.environ.get("ABICHECK_SLOW"))


def _diff(a, b, path: str = "ext") -> str | None:
    """Where ``a`` and ``b`` differ (None: nowhere): node classes, every slot
    of every node (attributes, children, coord), recursively."""
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} != {type(b).__name__}"
    if isinstance(a, c_ast.Node):
        for slot in a.__slots__:
            if slot != "__weakref__":
                d = _diff(getattr(a, slot), getattr(b, slot), f"{path}.{slot}")
                if d:
                    return d
        return None
    if isinstance(a, Coord):
        same = (a.file, a.line, a.column) == (b.file, b.line, b.column)
        return None if same else f"{path}: {a} != {b}"
    if isinstance(a, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b)):
            d = _diff(x, y, f"{path}[{i}]")
            if d:
                return d
        return None
    return None if a == b else f"{path}: {a!r} != {b!r}"


def _reference(src: str, file: str, line: int, col: int, outer: dict):
    """What pycparser gives, as ``chunks.parse`` asks it (or the exception)."""
    try:
        return chunks.parser().parse_piece(f'# {line} "{file}"\n{" " * (col - 1)}{src}', outer)
    except Exception as e:
        return e


def _compare(got, ref, src: str, outer: dict) -> str | None:
    """What is wrong with ``fastdecl``'s answer ``got`` (not None), pycparser's being ``ref``."""
    if isinstance(ref, Exception):
        return f"accepted what pycparser refuses ({ref!r})"
    nodes, own, asked = got
    d = _diff(ref[0], nodes)
    if d:
        return d
    if own != ref[1]:
        return f"declared {own} != {ref[1]}"
    missing = set(ref[2]) - set(asked)
    if missing:
        return f"did not ask {missing}"
    wrong = [(n, a) for n, a in asked if outer.get(n) != a]
    if wrong:
        return f"wrong answers {wrong}"
    return None


def _check(src: str, file: str, line: int, col: int, outer: dict):
    """``fastdecl``'s answer, asserted to be pycparser's when it is not None."""
    got = fastdecl.parse(src, file, line, col, outer)
    if got is not None:
        problem = _compare(got, _reference(src, file, line, col, outer), src, outer)
        assert problem is None, (problem, src)
    return got


def _kind(src: str) -> str:
    body = re.sub(r"^(?:(?:typedef|const|volatile)\s+)*", "", src)
    word = body.split(None, 1)[0] if body else ""
    if word in ("struct", "union", "enum"):
        return word
    return "typedef" if src.startswith("typedef") else "other"


# --- real headers ------------------------------------------------------------------

_SEEN: dict[tuple[str, int], tuple] = {}


def _translate(name: str, every: int):
    """Translate every ``every``-th header of ``name``'s corpus as the front
    end does (cache off, fresh memo), holding each declaration ``fastdecl``
    accepts to pycparser's parse of it.  Returns (accepted and met per
    kind, the problems found, the texts parsed with their folders)."""
    key = (name, every)
    if key in _SEEN:
        return _SEEN[key]
    target = get_target(name)
    found = uapi_headers(target)
    if found is None:
        pytest.skip(f"no Debian headers for {name} (linux-libc-dev-*-cross)")
    dirs, headers = found
    real_fast, real_parse = fastdecl.parse, parse.parse_preprocessed
    met: collections.Counter = collections.Counter()
    accepted: collections.Counter = collections.Counter()
    problems: list = []
    texts: list = []

    def checking(src, file, line, col, outer):
        got = real_fast(src, file, line, col, outer)
        k = _kind(src)
        met[k] += 1
        if got is not None:
            accepted[k] += 1
            problem = _compare(got, _reference(src, file, line, col, outer), src, outer)
            if problem:
                problems.append((problem, src))
        return got

    def recording(text, dirs=(), rewrite=gnu.rewrite):
        texts.append((gnu.rewrite(text), tuple(dirs)))
        return real_parse(text, dirs, rewrite)
    saved = os.environ.get("ABICHECK_CACHE")
    os.environ["ABICHECK_CACHE"] = "0"
    fastdecl.parse, parse.parse_preprocessed = checking, recording
    try:
        clear_memo()
        translate_each([([h], target, dirs) for h in headers[::every]])
    finally:
        fastdecl.parse, parse.parse_preprocessed = real_fast, real_parse
        if saved is None:
            os.environ.pop("ABICHECK_CACHE", None)
        else:
            os.environ["ABICHECK_CACHE"] = saved
        clear_memo()
    _SEEN[key] = out = ({k: (accepted[k], met[k]) for k in met}, problems, texts)
    return out


SAMPLED = ("x86_64", "aarch64", "i386", "s390x", "mips", "armel")
EVERY = 1 if SLOW else 7
TARGETS = [t.name for t in all_targets()] if SLOW else list(SAMPLED)


@pytest.mark.parametrize("target", TARGETS)
def test_real_declarations_read_as_pycparser_reads_them(target):
    """Every distinct declaration piece of the headers that ``fastdecl``
    accepts is pycparser's parse of it; and it accepts nearly every
    struct, union and enum definition (it must not quietly leave them
    all to pycparser)."""
    counts, problems, _ = _translate(target, EVERY)
    assert not problems, problems[:3]
    records = [sum(x) for x in zip(*(counts.get(k, (0, 0)) for k in ("struct", "union")))]
    enums = counts.get("enum", (0, 0))
    assert records[1] >= 50 and enums[1] >= 20, counts
    assert records[0] >= 0.95 * records[1], counts
    assert enums[0] >= 0.95 * enums[1], counts
    typedefs = counts.get("typedef", (0, 0))
    assert typedefs[0] >= 0.8 * typedefs[1], counts


def _outcome(text: str, dirs):
    """The unit as the cache stores it, or the error as the user reads it."""
    try:
        return units.dumps(parse.parse(text, "<headers>", (), dirs))
    except ParseError as e:
        return ("error", e.msg, e.loc)


@pytest.mark.parametrize("target", ["x86_64", "mips"] if not SLOW else TARGETS)
def test_whole_units_with_and_without_the_fast_path(target):
    """``units.dumps`` of every text (one after another, as a process meets
    them) is the same, byte for byte, with ``fastdecl`` on and off."""
    _, _, texts = _translate(target, EVERY)
    assert len(texts) > 10

    def outcomes(fast: bool) -> list:
        saved = fastdecl.ENABLED
        fastdecl.ENABLED = fast
        clear_memo()
        try:
            return [_outcome(text, dirs) for text, dirs in texts]
        finally:
            fastdecl.ENABLED = saved
            clear_memo()
    on, off = outcomes(True), outcomes(False)
    for (text, _), a, b in zip(texts, on, off):
        assert a == b, text[:300]


def test_the_real_pieces_were_read_by_fastdecl_at_all():
    """The whole-unit comparison means something only if the fast path
    took part: with it off, no declaration is handed to it."""
    counts, _, _ = _translate("x86_64", EVERY)
    assert sum(a for a, _ in counts.values()) > 100
    seen: list = []
    real = fastdecl.parse
    fastdecl.parse = lambda *a: seen.append(a)
    fastdecl.ENABLED = False
    try:
        clear_memo()
        parse.parse("struct s { int a; };\n")
    finally:
        fastdecl.parse, fastdecl.ENABLED = real, True
        clear_memo()
    assert not seen


# --- generated declarations -----------------------------------------------------------

#: names that are typedef names, ordinary identifiers or undeclared, as the scope says
NAMES = ("a", "b", "T", "U", "s", "E", "x", "gnu", "packed", "u64")
_name = st.sampled_from(NAMES)
_INTS = ("0", "1", "7", "42", "0x10", "0x10UL", "0XffU", "010", "0b101", "1u", "2LL", "3ull",
         "4Lu", "5lu", "6llU", "'a'", "'\\n'", "'\\0'", "'\\x41'", "'\\''", "true", "false")
#: what fastdecl must leave to pycparser, or read exactly as pycparser does
_NEAR_INTS = ("1.5", "1e3", "0x1p3", "09", "1lL", "0b12", "1uu", "1'000", "0x", "'ab'", "L'a'",
              "u8'a'", "'\\u0041'", "'\\8'", "\"s\"", "1wb", ".5", "0x1.8p1", "1234567890123456789012")


@functools.lru_cache(maxsize=None)
def _exprs(near: bool):
    leaf = st.one_of(st.sampled_from(_INTS + (_NEAR_INTS if near else ())), _name.map(lambda n: [n]))
    leaf = leaf.map(lambda x: x if isinstance(x, list) else [x])

    def grow(inner):
        ops = ["||", "&&", "|", "^", "&", "==", "!=", "<", ">", "<=", ">=", "<<", ">>", "+", "-",
               "*", "/", "%"]
        parts = [
            st.tuples(st.sampled_from(["-", "+", "~", "!", "&", "*"]), inner).map(lambda t: [t[0], *t[1]]),
            st.tuples(inner, st.sampled_from(ops), inner).map(lambda t: [*t[0], t[1], *t[2]]),
            inner.map(lambda e: ["(", *e, ")"]),
            st.tuples(inner, inner, inner).map(lambda t: [*t[0], "?", *t[1], ":", *t[2]]),
            _type_name(near).map(lambda t: ["sizeof", "(", *t, ")"]),
            # a cast (to a name only near the shapes: ``(a)(0)`` is a call when a is no type)
            st.tuples(_type_name(near, near), inner).map(lambda t: ["(", *t[0], ")", *t[1]]),
            inner.map(lambda e: ["sizeof", *e]),
        ]
        if near:
            parts += [
                inner.map(lambda e: ["f", "(", *e, ")"]),
                st.tuples(inner, inner).map(lambda t: [*t[0], "[", *t[1], "]"]),
                st.tuples(inner, inner).map(lambda t: [*t[0], ",", *t[1]]),
                st.tuples(inner, inner).map(lambda t: [*t[0], "=", *t[1]]),
                inner.map(lambda e: ["_Alignof", "(", "int", ")"]),
                inner.map(lambda e: [*e, ".", "x"]),
                inner.map(lambda e: ["--", *e]),
            ]
        return st.one_of(parts)
    return st.recursive(leaf, grow, max_leaves=6)


_BASIC = ("int", "unsigned int", "long long", "char", "unsigned char", "signed short", "long long long",
          "_Bool", "bool", "double", "void", "unsigned", "long unsigned int", "int int")
_ATTRS = ("[[gnu::packed]]", "[[gnu::aligned(8)]]", "[[gnu::aligned(sizeof(long))]]",
          "[[gnu::packed, gnu::aligned(4)]]", "[[ gnu :: mode ( __DI__ ) ]]", "[[deprecated]]",
          "[[gnu::aligned]] [[gnu::packed]]", "[[]]", "[[,]]", "[\n[gnu::packed]\n]")
_NEAR_ATTRS = ("[[gnu::x(\"s\")]]", "[[gnu::x(a[1])]]", "[[1]]", "[[a b]]", "[[a::]]", "[[a: :b]]",
               "__attribute__((packed))", "[[a(((((1)))))]]")


@functools.lru_cache(maxsize=None)
def _attr(near: bool):
    return st.sampled_from(_ATTRS + (_NEAR_ATTRS if near else ()))


def _maybe(s):
    return st.one_of(st.just([]), s)


def _quals():
    return st.lists(st.sampled_from(["const", "volatile", "restrict"]), max_size=2)


@st.composite
def _type_name(draw, near: bool, names: bool = True):
    spec = draw(st.one_of(st.sampled_from(_BASIC).map(str.split),
                          _name.map(lambda n: [n]) if names else st.sampled_from(["int"]).map(str.split),
                          st.tuples(st.sampled_from(["struct", "union", "enum"]), _name).map(list)))
    q = draw(_quals())
    stars = draw(st.lists(st.sampled_from([["*"], ["*", "const"]]), max_size=2))
    out = [*q, *spec, *[t for s in stars for t in s]]
    if near and draw(st.booleans()):
        out += draw(st.sampled_from([["[", "2", "]"], ["(", ")"], ["(", "*", ")", "(", "int", ")"]]))
    return out


@st.composite
def _param(draw, near: bool):
    if draw(st.integers(0, 6)) == 0:
        return ["void"]
    spec = draw(st.one_of(st.sampled_from(_BASIC).map(str.split), _name.map(lambda n: [n]),
                          st.tuples(st.sampled_from(["struct", "union", "enum"]), _name).map(list)))
    out = [*draw(_quals()), *spec, *draw(_quals())]
    if draw(st.booleans()):
        return out + draw(_declarator(near, False, False))
    for _ in range(draw(st.integers(0, 2))):
        out += ["*", *draw(_quals())]
    if near and draw(st.integers(0, 4)) == 0:
        out += draw(st.sampled_from([["[", "]"], ["(", "*", ")", "(", ")"], ["register"]]))
    return out


@st.composite
def _params(draw, near: bool):
    params = draw(st.lists(_param(near), max_size=3))
    out = ["("]
    for i, p in enumerate(params):
        out += ([","] if i else []) + p
    if (params or near) and draw(st.integers(0, 3)) == 0:
        out += [",", "..."] if params else ["..."]
    if near and draw(st.integers(0, 6)) == 0:
        out += draw(st.sampled_from([["a", ",", "b"], ["[[gnu::x]]", "int"], ["static", "int"]]))
    return out + [")"]


@st.composite
def _declarator(draw, near: bool, bitfield: bool, function: bool = True):
    out: list = []
    for _ in range(draw(st.integers(0, 2))):
        out += ["*", *draw(_maybe(_attr(near).map(lambda a: [a]))), *draw(_quals())]
    if bitfield and draw(st.integers(0, 4)) == 0:
        return [":", *draw(_exprs(near))]          # an unnamed bit-field
    out.append(draw(_name))
    out += draw(_maybe(_attr(near).map(lambda a: [a])))
    if function and draw(st.integers(0, 3)) == 0:
        out += [*draw(_params(near)), *draw(_maybe(_attr(near).map(lambda a: [a])))]
        if near and draw(st.integers(0, 4)) == 0:
            out += draw(st.sampled_from([["[", "2", "]"], ["(", ")"]]))
        return out
    for _ in range(draw(st.integers(0, 2))):
        dim = draw(st.one_of(st.just([]), _exprs(near)))
        out += ["[", *dim, "]", *draw(_maybe(_attr(near).map(lambda a: [a])))]
    if bitfield and draw(st.integers(0, 3)) == 0:
        out += [":", *draw(_exprs(near))]
    if near and draw(st.integers(0, 5)) == 0:
        out += draw(st.sampled_from([["(", "int", ")"], ["=", "1"], ["(", ")"]]))
    if near and draw(st.integers(0, 8)) == 0:
        out = ["(", *out, ")", "(", ")"]
    return out


@st.composite
def _specifiers(draw, near: bool, depth: int, top: bool):
    choices = [st.sampled_from(_BASIC).map(str.split), _name.map(lambda n: [n]),
               st.tuples(st.sampled_from(["struct", "union", "enum"]), _name).map(list)]
    if depth < 2:
        choices += [_record(near, depth + 1), _enum(near)]
    spec = draw(st.one_of(choices))
    words = [*draw(_quals()), spec, *draw(_quals())]     # a struct body is one of them
    if top and draw(st.booleans()):
        words.insert(draw(st.integers(0, len(words))), "typedef")
    if top and draw(st.integers(0, 3)) == 0:
        words.insert(draw(st.integers(0, len(words))), draw(st.sampled_from(["static", "extern", "inline"])))
    out = [t for w in words for t in (w if isinstance(w, list) else [w])]
    if near and draw(st.integers(0, 5)) == 0:
        out.insert(draw(st.integers(0, len(out))), draw(st.sampled_from(["typedef", "static"])))
    if draw(st.integers(0, 3)) == 0:
        out.append(draw(_attr(near)))
    if near and draw(st.integers(0, 6)) == 0:
        out.insert(0, draw(st.sampled_from(["register", "auto", "_Alignas(8)", "_Atomic",
                                            "typeof(int)", "_Noreturn", "[[gnu::packed]]"])))
    return out


@st.composite
def _member(draw, near: bool, depth: int):
    if draw(st.integers(0, 12)) == 0:
        return [";"]
    spec = draw(_specifiers(near, depth, False))
    decls = draw(st.lists(_declarator(near, True), max_size=3))
    out = [*spec]
    for i, d in enumerate(decls):
        out += ([","] if i else []) + d
    out.append(";")
    if draw(st.integers(0, 8)) == 0:
        out.insert(0, draw(st.sampled_from(['\n# 40 "other.h"\n', '\n# 7 "x.h" 1 3\n', '\n # 9 "y.h"\n']
                                           + (['\n#pragma pack(1)\n', '\n# 5\n', '\n#define X\n']
                                              if near else []))))
    return out


@st.composite
def _record(draw, near: bool, depth: int = 0):
    out = [draw(st.sampled_from(["struct", "union"]))]
    out += draw(_maybe(_attr(near).map(lambda a: [a])))
    tag = draw(st.one_of(st.none(), _name))
    if tag:
        out.append(tag)
    if tag is None or draw(st.integers(0, 5)):
        out.append("{")
        for _ in range(draw(st.integers(0, 4))):
            out += draw(_member(near, depth))
        out.append("}")
    return out


@st.composite
def _enum(draw, near: bool):
    out = ["enum", *draw(_maybe(_attr(near).map(lambda a: [a])))]
    tag = draw(st.one_of(st.none(), _name))
    if tag:
        out.append(tag)
    if near and draw(st.integers(0, 8)) == 0:
        out += [":", "int"]
    if tag is None or draw(st.integers(0, 5)):
        out.append("{")
        n = draw(st.integers(0 if near else 1, 4))
        for i in range(n):
            out += ([","] if i else []) + [draw(_name)]
            out += draw(_maybe(_attr(near).map(lambda a: [a])))
            if draw(st.booleans()):
                out += ["=", *draw(_exprs(near))]
        if n and draw(st.booleans()):
            out.append(",")
        out.append("}")
    return out


@st.composite
def _declaration(draw, near: bool):
    spec = draw(_specifiers(near, 0, True))
    decls = draw(st.lists(_declarator(near, False), max_size=3))
    out = [*spec]
    for i, d in enumerate(decls):
        out += ([","] if i else []) + d
    return out + [";"]


_GLUE = frozenset("()[]{};,")


@st.composite
def _text(draw, tokens):
    """The tokens with blanks between them (none, at times, next to a bracket)."""
    toks = draw(tokens)
    out = [toks[0]]
    for prev, tok in zip(toks, toks[1:]):
        if (prev in _GLUE or tok in _GLUE) and draw(st.integers(0, 2)) == 0:
            sep = ""
        else:
            sep = draw(st.sampled_from([" ", " ", "\n", "  ", "\t", " \n  ", "\n\n", "\f", "\v "]))
        out += [sep, tok]
    return "".join(out)


_scope = st.dictionaries(_name, st.booleans(), max_size=len(NAMES))
_where = st.tuples(st.sampled_from(["<abicheck-piece><abicheck-dir-1>/linux/a.h", "a b.h"]),
                   st.integers(1, 100_000), st.integers(1, 40))


EXAMPLES = 3000 if SLOW else 250


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_text(_declaration(False)), _scope, _where)
def test_generated_declarations_of_the_shapes_read(src, outer, where):
    """A declaration of the shapes ``fastdecl`` reads: it gives pycparser's
    nodes, and it reads it whenever pycparser does."""
    file, line, col = where
    got = _check(src, file, line, col, outer)
    if got is None:
        ref = _reference(src, file, line, col, outer)
        assert isinstance(ref, Exception), ("left to pycparser", src)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_text(_declaration(True)), _scope, _where)
def test_generated_declarations_near_the_shapes_read(src, outer, where):
    """Declarations with what it does not read mixed in: whatever it
    accepts, it reads as pycparser does."""
    file, line, col = where
    _check(src, file, line, col, outer)


@pytest.mark.parametrize("src", [
    "struct s { int a; };", "enum { A = 1 << 3, B = A | 2 };", "typedef unsigned int u32;",
    "struct s { int a : 3, : 0; unsigned b [[gnu::aligned(8)]]; } [[gnu::packed]];",
    "extern int access (const char *__name, int __type);", "static inline unsigned f(unsigned val);",
    "int printf(const char *restrict, ...);", "extern char *strcpy(char *, const char *), x;",
    "void f(void), g(), h(int a[], struct s *p, unsigned);",
    "int f(unsigned int, ...);", "void g(const, volatile x, const *);",
    "union { struct { char c[2][3]; } in; };", "typedef struct { long x; } S, *PS;",
    "enum e { X = (1 ? 2 : 3), Y = sizeof(struct s) / sizeof(int *), Z = (long)-1 };",
    'struct s {\n int a;\n# 40 "other.h" 1\n int b;\n};',
])
def test_examples_are_read(src):
    """Shapes the profile says matter are read (not left to pycparser)."""
    assert _check(src, "a.h", 3, 5, {}) is not None


_BINARY = ("||", "&&", "|", "^", "&", "==", "!=", "<", ">", "<=", ">=", "<<", ">>", "+", "-",
           "*", "/", "%")


@pytest.mark.parametrize("op", _BINARY)
def test_operator_precedence_and_grouping(op):
    """Every pair of binary operators both ways, and each after a unary
    operator, a cast, ``sizeof`` and a ``?:``: grouped as pycparser groups them."""
    outer = {"T": True}
    for other in _BINARY:
        for src in (f"enum {{ A = a {op} b {other} c }};", f"enum {{ A = a {other} b {op} c }};",
                    f"enum {{ A = - a {op} b }};", f"enum {{ A = (T) a {op} b }};",
                    f"enum {{ A = sizeof a {op} b }};", f"enum {{ A = a ? b : c {op} d }};",
                    f"enum {{ A = a {op} b ? c : d }};", f"enum {{ A = ! (a {op} b) {other} c }};"):
            assert _check(src, "a.h", 2, 3, outer) is not None, src


@pytest.mark.parametrize("src, outer", [
    ("int f(a, b);", {}), ("struct s { void (*f)(int); };", {}), ("int x = 1;", {}),
    ("int f(...);", {}), ("int f(int [2]);", {}), ("int f(int (*)(void));", {}), ("int f(T);", {"T": False}),
    ("int f(int)[2];", {}), ("int f(register int a);", {}), ("int T(void);", {"T": True}),
    ("typedef int T;", {"T": False}), ("enum { T };", {"T": True}), ("struct s { T a; };", {}),
    ("struct s { int a; }", {}), ("struct s { int a; };;", {}), ('char c[] = "x";', {}),
    ("struct s { int a[1.5]; };", {}), ("struct s {\n#pragma pack(1)\n int a; };", {}),
    ("enum e : int { A };", {}), ("struct s { _Alignas(8) int a; };", {}),
    ("enum { A = " + "(" * 60 + "1" + ")" * 60 + " };", {}), ("int a[*];", {}),
    ("enum { A = " + "a ? b : " * 60 + "c };", {}), ("enum { A = " + "- " * 60 + "c };", {}),
    ("struct s { " + "struct { " * 45 + "int a; " + "} b; " * 45 + "};", {}),
    ("struct s { int a[* 0]; };", {}), ("struct s { int a[*x]; };", {}), ("enum { A = B[1] };", {}),
    ("enum { A = f(1) };", {}), ("enum { A = --B };", {}), ("enum { A = (int){1} };", {}),
    ("[[gnu::packed]] struct s { int a; };", {}), ("struct s { [[gnu::packed]] int a; };", {}),
])
def test_what_is_left_to_pycparser(src, outer):
    assert _check(src, "a.h", 1, 1, outer) is None
