"""The piecewise parse (frontend/chunks.py) gives what the whole-text parse
gives: the same unit, byte for byte as the cache stores it, and the same
error, word for word.

The reference is the whole-text parse, which every other test checks
against compilers; here it runs with the piecewise path switched off.  Over
real headers (the host's and Debian's cross headers, ``debian_headers``)
the default run takes a sample; ``ABICHECK_SLOW=1`` runs every
``linux/*.h`` and ``asm/*.h`` of every ABI with headers installed.
"""
from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
from unittest import mock

import pytest

from abicheck import model as m
from abicheck.cache import units
from abicheck.errors import ParseError, SourceLoc
from abicheck.frontend import chunks, clear_memo, fastdecl, gnu, parse, translate_each
from abicheck.targets import all_targets, get_target
from debian_headers import uapi_headers


def _whole(text: str, name: str = "<headers>"):
    """What ``parse.parse`` gave before chunks.py: the whole text at once."""
    with mock.patch.object(chunks, "parse", side_effect=chunks.Unusual("off")):
        return _outcome(text, name)


def _outcome(text: str, name: str = "<headers>", parse_fn=None):
    """The unit as the cache stores it, or the error as the user reads it."""
    try:
        return units.dumps((parse_fn or parse.parse)(text, name))
    except ParseError as e:
        return ("error", e.msg, e.loc)


def _piecewise(text: str, name: str = "<headers>") -> bool:
    """Whether ``text`` takes the piecewise path (no fallback)."""
    try:
        chunks.parse(text, name, parse._BUILTIN)
    except chunks.Unusual:
        return False
    return True


def _same_as_whole(*texts: str) -> list:
    """Parse ``texts`` in order (each after the ones before, as one process
    meets headers) and check each against the whole-text parse."""
    out = []
    for text in texts:
        got = _outcome(text)
        assert got == _whole(text), text
        out.append(got)
    return out


def _loc_of(text: str, token: str, file: str = "<headers>") -> SourceLoc:
    """Where ``token`` first stands in ``text`` (no line markers before it)."""
    i = text.index(token)
    return SourceLoc(file, text.count("\n", 0, i) + 1, i - text.rfind("\n", 0, i))


@pytest.fixture(autouse=True)
def _fresh_memo():
    chunks.clear()
    yield
    chunks.clear()


# --- the typedef state ---------------------------------------------------------

def test_a_name_that_is_a_typedef_in_one_header_and_a_variable_in_another():
    """``(T)-1`` is a cast when T names a type and a subtraction when T is a
    variable: the same declaration at the same place, parsed once for each."""
    common = '# 1 "common.h"\nenum { E = (T)-1 };\n'
    as_type, as_var = "typedef int T;\n" + common, "int T;\n" + common
    assert _piecewise(as_type) and _piecewise(as_var)
    _same_as_whole(as_type, as_var, as_type, as_var)
    assert isinstance(parse.parse(as_type).constants["E"].value, m.Cast)
    assert isinstance(parse.parse(as_var).constants["E"].value, m.Binary)


def test_undeclared_differs_from_declared_as_a_variable():
    """pycparser refuses ``typedef ... T`` after ``int T`` in one scope:
    the remembered parse of ``typedef int T;`` must not be reused there."""
    decl = '# 1 "t.h"\ntypedef int T;\n'
    alone, clash = decl, "int T;\n" + decl
    outs = _same_as_whole(alone, clash, alone)
    assert outs[1][0] == "error" and "'T'" in outs[1][1]
    assert outs[0] == outs[2] != outs[1]


def test_a_typedef_declared_in_one_declaration_is_a_type_in_the_next():
    text = ("typedef struct { int a; } S, *PS;\n"
            "struct t { PS p; S s; };\n"
            "typedef PS PPS[2], (*FP)(S);\n"
            "struct u { PPS q; FP f; };\n")
    assert _piecewise(text)
    (payload,) = _same_as_whole(text)
    fields = {f.name: f.type for f in units.loads(payload).records[("struct", "u")].fields}
    assert fields == {"q": m.TypedefRef("PPS"), "f": m.TypedefRef("FP")}


def test_shadowing_in_inner_scopes_does_not_leak_to_file_scope():
    """A parameter, a member and a block-scope variable named like a
    typedef leave it a type name at file scope."""
    text = ("typedef int T;\n"
            "void f(int T);\n"
            "struct s { T T; };\n"
            "int g(void) { int T; return T; }\n"
            "struct u { T a; };\n")
    assert _piecewise(text)
    (payload,) = _same_as_whole(text)
    (a,) = units.loads(payload).records[("struct", "u")].fields
    assert a.type == m.TypedefRef("T")


def test_enumerators_and_tags_that_reuse_a_name():
    text = ("struct T { int a; };\n"
            "typedef struct T T;\n"
            "enum { A, B = A + 1 };\n"
            "struct v { T t; char c[B]; };\n")
    _same_as_whole(text, text)


def test_k_and_r_definition_falls_back_to_the_whole_text():
    """K&R parameter declarations end in ``;`` before the body: the first
    piece does not parse alone, so the text is parsed whole."""
    text = "int f(a) int a; { return a; }\nstruct s { int x; };\n"
    assert not _piecewise(text)
    (payload,) = _same_as_whole(text)
    assert ("struct", "s") in units.loads(payload).records


def test_k_and_r_identifier_lists_declare_no_prototype():
    """GCC accepts ``int (*fp)(a, b)`` with a warning and takes it as
    ``int (*)()`` (asked below); the builder used to fail on it with an
    AttributeError."""
    text = "int f(a, b);\nint g();\nstruct s { int (*fp)(a, b); int (*gp)(); };\n"
    gcc = shutil.which("gcc")
    if gcc:
        probe = text + ("_Static_assert(__builtin_types_compatible_p(__typeof__(((struct s *)0)->fp),"
                        " int (*)()), \"unprototyped\");\n")
        res = subprocess.run([gcc, "-std=gnu17", "-fsyntax-only", "-x", "c", "-"], input=probe,
                             capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
    assert _piecewise(text)
    (payload,) = _same_as_whole(text)
    fp, gp = units.loads(payload).records[("struct", "s")].fields
    assert fp.type == gp.type == m.Pointer(m.Function(m.Scalar("int", spelling="int")))


# --- positions ------------------------------------------------------------------

@pytest.mark.parametrize("before", ["", "\n\n\n", "int x; ", "\t", "# 7 \"x.h\"\n"])
def test_the_same_text_at_another_line_or_column(before):
    """One declaration, moved: its locations follow it (and the one
    parsed first is not reused elsewhere)."""
    decl = "struct s {\n  int a; };\n"
    texts = [before + decl, decl, "\n" + decl, before + decl]
    for payload, text in zip(_same_as_whole(*texts), texts):
        rec = units.loads(payload).records[("struct", "s")]
        if text.startswith("# 7"):
            assert rec.loc == SourceLoc("x.h", 7, 8) and rec.fields[0].loc == SourceLoc("x.h", 8, 7)
        else:
            assert rec.loc == _loc_of(text, "s {")
            assert rec.fields[0].loc == _loc_of(text, "a;")


def test_a_file_included_twice_at_the_same_lines():
    """A header without include guards, included twice: the same
    declarations at the same places (some asked the same, some not)."""
    inc = '# 1 "noguard.h"\nstruct s { int a; };\nenum e { A = 1 };\nstruct s;\nstruct t *p;\n'
    text = inc + inc + '# 9 "main.h"\nstruct u { struct s x; enum e y; };\n'
    assert _piecewise(text)
    _same_as_whole(text, text)


def test_a_declaration_spanning_a_line_marker():
    """A member list with an ``#include`` inside: the declaration starts
    in one file, the marker inside moves what follows it."""
    text = ('struct s {\n int a;\n# 40 "other.h" 1\n int b;\n};\n'
            'struct t { int c; };\n')
    assert _piecewise(text)
    (payload,) = _same_as_whole(text)
    unit = units.loads(payload)
    a, b = unit.records[("struct", "s")].fields
    assert (a.loc, b.loc) == (SourceLoc("<headers>", 2, 6), SourceLoc("other.h", 40, 6))
    assert unit.records[("struct", "t")].loc == SourceLoc("other.h", 42, 8)


def test_the_name_given_to_the_text():
    text = "struct s { int a; };\n"
    for name in ("x.h", "dir with space/y.h", 'q"uote.h'):
        assert _outcome(text, name) == _whole(text, name)
    assert not _piecewise(text, 'q"uote.h')


# --- pragmas and the unusual ----------------------------------------------------

def test_pragmas_between_and_inside_declarations():
    text = ("#pragma pack(push, 1)\n"
            "struct p { char c; int i; };\n"
            "#pragma pack(pop)\n"
            "struct q { char c;\n#pragma pack(2)\n int i; };\n"
            "struct r { int a; }\n#pragma weak x\n;\n"
            "  #  pragma pack()\n"
            "struct z { char c; int i; };\n")
    assert _piecewise(text)
    (payload,) = _same_as_whole(text)
    recs = units.loads(payload).records
    # GCC: pack(push, 1) caps member alignment at 1; pack() restores the default
    assert recs[("struct", "p")].max_align == 1
    assert recs[("struct", "z")].max_align is None


@pytest.mark.parametrize("text", [
    pytest.param(";\nstruct s { int a; };\n;;\n", id="empty-declarations"),
    pytest.param('_Static_assert(sizeof(int) == 4, "int");\nstruct s { int a; };\n', id="static-assert"),
    pytest.param("[[gnu::packed]];\nstruct s { int a; };\n", id="attribute-declaration"),
    pytest.param("struct [[gnu::packed]] s { char c; int a[(2)]; } [[gnu::aligned(8)]];\n", id="attributes"),
    pytest.param('char x[] = "a;b{"; char y = \';\';\nstruct s { int a; };\n', id="literals"),
    pytest.param("struct s { int a:3, :0, b:5; };\n", id="bitfields"),
])
def test_unusual_declarations(text):
    assert _piecewise(text)
    _same_as_whole(text)


@pytest.mark.parametrize("text", [
    pytest.param('#ident "x"\nstruct s { int a; };\n', id="ident-directive"),
    pytest.param('struct s { int a; }; # 5 "x.h"\nstruct t { int b; };\n', id="marker-mid-line"),
    pytest.param('#line 5 "y.h"\nstruct s { int a; };\n', id="line-directive"),
    pytest.param("# 7\nstruct s { int a; };\n", id="marker-without-file"),
    pytest.param("struct s { int a; };\n#pragma pack(1)", id="pragma-at-end-of-input"),
    pytest.param("struct s { int a; } x", id="no-final-semicolon"),
    pytest.param("struct s { int a; };\n}\n", id="unbalanced"),
    pytest.param('char c[] = "abc\nstruct s { int a; };\n', id="unterminated-string"),
    pytest.param("struct s { int a; };\r\nstruct t { int b; };\r\n", id="carriage-return"),
    pytest.param("struct s { int a; };\x1c\nstruct t { int b; };\n", id="python-space"),
])
def test_what_the_piecewise_parse_leaves_to_the_whole_text(text):
    assert not _piecewise(text)
    _same_as_whole(text)


# --- errors ---------------------------------------------------------------------

@pytest.mark.parametrize("bad", [
    "struct t { foo_t a; };\n",
    "struct t { int a };\n",
    "int x = ;\n",
    "struct t { int a;\n",
    "struct t { int a @; };\n",
    "typedef int U; enum { U };\n",
    "struct t { long long long long a; };\n",
    "struct t { int a [[gnu::aligned(1 +)]]; };\n",
    "struct t { int a [[gnu::aligned(sizeof(no_type))]]; };\n",
    "f();\n",
    "I f(void) { return 0 }\n",
])
def test_errors_word_for_word(bad):
    """A text that fails fails as before, also when the declarations
    before the failing one were parsed (and remembered) already."""
    good = '# 1 "inc.h"\nstruct s { int a; };\ntypedef int I;\n'
    text = good + '# 1 "<headers>"\n' + bad
    outs = _same_as_whole(good, text)
    assert outs[1][0] == "error"


# --- sharing --------------------------------------------------------------------

def _shown(ast) -> str:
    buf = io.StringIO()
    ast.show(buf=buf, attrnames=True, nodenames=True, showcoord=True)
    return buf.getvalue()


def test_building_a_unit_leaves_the_shared_nodes_alone():
    text = ("typedef unsigned long long u64;\n"
            "#pragma pack(push, 2)\n"
            "struct [[gnu::packed]] s { u64 a [[gnu::aligned(sizeof(u64))]]; int b:3; "
            "char c[2][3]; struct { int x; } in; enum e { X = 1, Y } v; void (*f)(int, ...); };\n"
            "#pragma pack(pop)\n"
            "typedef struct s S [[gnu::aligned(16)]];\n"
            "enum { Z = sizeof(S) + _Alignof(u64) + offsetof(struct s, c) };\n")
    ast = chunks.parse(text, "<headers>", parse._BUILTIN)
    before = _shown(ast)
    first = units.dumps(parse._Builder().build(ast))
    assert _shown(ast) == before
    assert units.dumps(parse._Builder().build(ast)) == first == _whole(text)


@contextlib.contextmanager
def _counting_parses(seen: list[str]):
    """Note each declaration parsed, by ``fastdecl`` or by pycparser, as its text."""
    fast, piece = fastdecl.parse, chunks._ChunkParser.parse_piece

    def by_fastdecl(src, *args):
        got = fast(src, *args)
        if got is not None:
            seen.append(src)
        return got

    def by_pycparser(self, src, outer):
        seen.append(src.split("\n", 1)[1].lstrip(" "))
        return piece(self, src, outer)
    with mock.patch.object(fastdecl, "parse", by_fastdecl), \
            mock.patch.object(chunks._ChunkParser, "parse_piece", by_pycparser):
        yield


@pytest.mark.parametrize("fast", [True, False])
def test_each_distinct_declaration_is_parsed_once(fast, monkeypatch):
    """A second header sharing the first one's includes parses only its own part."""
    monkeypatch.setattr(fastdecl, "ENABLED", fast)
    inc = '# 1 "types.h"\ntypedef unsigned int u32;\nstruct pair { u32 a, b; };\n'
    one = inc + '# 1 "one.h"\nstruct one { struct pair p; };\n'
    two = inc + '# 1 "two.h"\nstruct two { struct pair p; };\n'
    seen: list[str] = []
    with _counting_parses(seen):
        _same_as_whole(one)
        n = len(seen)
        parse.parse(one)
        assert len(seen) == n
        parse.parse(two)
    assert seen[n:] == ["struct two { struct pair p; };"]


@pytest.mark.parametrize("fast", [True, False])
def test_a_file_of_another_tree_at_other_lines_is_not_parsed_again(fast, monkeypatch):
    """Two trees' copies of a header (another include folder, lines moved
    by an edit above): each declaration the edit left alone is parsed once,
    and every location is the one the whole-text parse of that tree gives."""
    def tree(root: str, extra: str) -> str:
        return (f'# 1 "{root}/linux/types.h"\n{extra}typedef unsigned int u32;\n'
                f'struct pair {{\n  u32 a,\n      b; }};\nenum {{ K = sizeof(struct pair) }};\n'
                f'# 1 "{root}/linux/foo.h"\nstruct foo {{ struct pair p; u32 n; }};\n')
    monkeypatch.setattr(fastdecl, "ENABLED", fast)
    old, new = tree("/t/old/include", ""), tree("/t/new/include", "typedef int added;\n\n")
    seen: list[str] = []
    with _counting_parses(seen):
        a = units.loads(_outcome_in(old, ("/t/old/include",)))
        n = len(seen)
        b = units.loads(_outcome_in(new, ("/t/new/include",)))
    assert seen[n:] == ["typedef int added;"]
    assert _outcome_in(old, ("/t/old/include",)) == _whole(old)
    assert _outcome_in(new, ("/t/new/include",)) == _whole(new)
    assert b.records[("struct", "pair")].fields[1].loc == SourceLoc("/t/new/include/linux/types.h", 6, 7)
    assert a.records[("struct", "pair")].fields[1].loc == SourceLoc("/t/old/include/linux/types.h", 4, 7)
    assert b.records[("struct", "foo")].loc == SourceLoc("/t/new/include/linux/foo.h", 1, 8)


def _outcome_in(text: str, dirs: tuple[str, ...]):
    return units.dumps(parse.parse(text, "<headers>", (), dirs))


def test_a_declaration_with_a_directive_inside_keeps_its_place():
    """A marker or a pragma inside a declaration places what follows it: such
    a declaration met at another line is parsed there, not moved."""
    decl = 'struct s {\n int a;\n# 40 "other.h"\n int b;\n#pragma pack(1)\n};\n'
    texts = ['# 1 "/i/a.h"\n' + decl, '# 1 "/j/a.h"\n\n\n' + decl]
    for text, d in zip(texts, ("/i", "/j")):
        assert _outcome_in(text, (d,)) == _whole(text)


@pytest.mark.parametrize("arg, names, loc", [
    ("sizeof(T)", {"T"}, SourceLoc("a.h", 3, 20)),
    ("sizeof(int) * 2", set(), SourceLoc("a.h", 3, 20)),
    ("T + 1", set(), SourceLoc("a.h", 3, 20)),
    ("sizeof(__float128)", set(), None),
    ("(T)1 << 3", {"T"}, SourceLoc("a.h", 9, 1)),
    ("_Alignof(struct s)", set(), SourceLoc("b.h", 1, 5)),
])
def test_attribute_arguments_parse_as_with_a_fresh_parser(arg, names, loc):
    """``parse_expr`` reads an argument with the remembered parser; the
    reference is a new pycparser parser behind a prelude of typedefs, as
    it was done before."""
    from pycparser import c_parser
    for _ in range(2):          # the second time from the memo
        expr = parse.parse_expr(arg, names, loc)
        where = f'# {loc.line - 1} "{loc.file}"\n' if loc else '# 1 "<attribute>"\n'
        pad = " " * (loc.col - 1) if loc else ""
        src = f"char __abicheck_expr[(\n{pad}{arg})];\n"
        prelude = "".join(f"typedef int {n};\n" for n in (*parse._BUILTIN, *sorted(names)))
        ref = c_parser.CParser(dialect="c23").parse(prelude + where + src).ext[-1]
        got = chunks.declarations(where + src, (*parse._BUILTIN, *sorted(names)))[-1]
        assert _shown(got) == _shown(ref)
        assert expr == parse._Builder(frozenset(names)).expr(ref.type.dim)


def test_a_pycparser_without_the_internals_parses_whole(monkeypatch):
    """Another pycparser (the scope methods renamed, say): every text and
    every attribute argument parses as before, none piecewise."""
    text = "typedef long L;\nstruct s { int a [[gnu::aligned(sizeof(L))]]; };\n"
    expected = _whole(text)
    monkeypatch.setattr(chunks, "_FITS", False)
    chunks.clear()
    assert not _piecewise(text)
    assert _outcome(text) == expected


# --- real headers ---------------------------------------------------------------

SLOW = bool(os.environ.get("ABICHECK_SLOW"))
SAMPLED = ("x86_64", "aarch64", "armel", "mips64", "s390x")


def _check_corpus(target, every: int, monkeypatch, fresh: bool = True) -> None:
    """Translate the headers as the front end does (no persistent cache);
    every text handed to the parser parses stretch by stretch and piecewise
    (the memos filled by the headers before) as its rewrite does whole."""
    found = uapi_headers(target)
    if found is None:
        pytest.skip(f"no Debian headers for {target.name} (linux-libc-dev-*-cross)")
    dirs, headers = found
    parsed: list[tuple[str, object]] = []
    real = parse.parse_preprocessed

    def recording(text, dirs=(), rewrite=gnu.rewrite):
        # as the front end parses it: stretch by stretch (segments), with the
        # folders its files are in; held to the whole rewritten text's parse
        parsed.append((gnu.rewrite(text), _outcome(text, "<headers>", lambda t, n: real(t, dirs))))
        return real(text, dirs, rewrite)
    monkeypatch.setenv("ABICHECK_CACHE", "0")
    monkeypatch.setattr(parse, "parse_preprocessed", recording)
    if fresh:
        clear_memo()
    translate_each([([h], target, dirs) for h in headers[::every]])
    monkeypatch.undo()
    if fresh:
        clear_memo()
    assert len(parsed) > len(headers[::every]) // 3, "too few texts parsed to mean anything"
    piecewise = sum(_piecewise(text) for text, _ in parsed)
    assert piecewise >= 0.9 * len(parsed), f"only {piecewise} of {len(parsed)} parsed piecewise"
    for text, got in parsed:
        assert got == _whole(text), (target.name, text[:200])


@pytest.mark.parametrize("target", SAMPLED)
def test_real_headers_sampled(target, monkeypatch):
    """Every 15th header of linux/ and asm/ on five ABIs (both byte
    orders, 32 and 64 bits)."""
    _check_corpus(get_target(target), 15, monkeypatch)


def test_real_headers_of_several_abis_in_one_process(monkeypatch):
    """Each ABI's own copy of the Debian headers (/usr/<triple>/include),
    one after another with the memo kept: a declaration of another ABI's
    copy of a file is reused at its own place in this one's, and every
    unit is still the whole-text parse of its own text."""
    clear_memo()
    try:
        for name in ("x86_64", "aarch64", "i386"):
            _check_corpus(get_target(name), 15, monkeypatch, fresh=False)
    finally:
        clear_memo()


@pytest.mark.slow
@pytest.mark.skipif(not SLOW, reason="slow: set ABICHECK_SLOW=1")
@pytest.mark.parametrize("target", [t.name for t in all_targets()])
def test_real_headers_every_one(target, monkeypatch):
    _check_corpus(get_target(target), 1, monkeypatch)
