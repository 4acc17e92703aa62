"""Stretch by stretch (frontend/segments.py) gives, piece for piece, what
rewriting and splitting the whole text gives (``chunks.split`` of
``gnu.rewrite``), or nothing: the whole-text route is the oracle, and it is
the route every text took before.  Held on the real uapi corpus, on texts
made to reach across a stretch's end in each way the module guards
against, and on random texts of such fragments."""
from __future__ import annotations

import os

import pytest
from hypothesis import given, settings, strategies as st

from abicheck.frontend import chunks, gnu, segments

SLOW = bool(os.environ.get("ABICHECK_SLOW"))


def whole(text: str, name: str = "<headers>"):
    try:
        return chunks.split(gnu.rewrite(text), name)
    except chunks.Unusual:
        return None


def check(text: str, name: str = "<headers>"):
    """The stretch-wise pieces, which must be the whole text's when given."""
    got = segments.pieces(text, name)
    if got is not None:
        assert got == whole(text, name)
    return got


@pytest.fixture(autouse=True)
def fresh():
    segments.clear()
    yield
    segments.clear()


# --- the real corpus ---------------------------------------------------------

ABIS = ("x86_64", "armhf", "s390x", "mips64el") if not SLOW else None


def _corpus_texts(target_name: str):
    from debian_headers import uapi_headers

    from abicheck import api, frontend
    from abicheck.targets import all_targets, get_target
    names = [target_name] if target_name != "*" else [t.name for t in all_targets()]
    for n in names:
        t = get_target(n)
        found = uapi_headers(t)
        if not found:
            continue
        dirs, headers = found
        if not SLOW:
            headers = headers[::3]
        for tr in api.translate_each([([h], t, dirs) for h in headers]):
            if hasattr(tr, "pre"):
                yield frontend._main_part(tr.pre.text)


@pytest.mark.parametrize("abi", ABIS or ("*",))
def test_real_texts_give_the_whole_texts_pieces(abi, monkeypatch):
    monkeypatch.setenv("ABICHECK_CACHE", "0")
    texts = list(_corpus_texts(abi))
    if not texts:
        pytest.skip(f"no Debian uapi headers for {abi}")
    taken = sum(check(x) is not None for x in texts)
    # the point of it: nearly every real text goes stretch by stretch
    assert taken >= 0.95 * len(texts)


# --- each way of reaching across a stretch's end ------------------------------

M1 = '# 1 "/inc/a.h" 1\n'
M2 = '# 5 "/inc/b.h" 1\n'
M3 = '# 9 "/inc/a.h" 2\n'

REACHING = {
    # an attribute group opened in one stretch, closed in the next
    "attribute": M1 + "int x __attribute__((aligned(\n" + M2 + "8)));\n" + M3 + "int y;\n",
    # a function body across an #include
    "body": M1 + "static int f(void)\n" + M2 + "{ return 0; }\n" + M3 + "int y;\n",
    "body-open": M1 + "static int f(void) {\n" + M2 + "int z;\n" + M3 + "return 1; }\nint y;\n",
    # a record defined across stretches, declarator after the return
    "record": M1 + "struct s {\n" + M2 + "int a;\n" + M3 + "} v;\n",
    # the bitfield attribute hoisting reaching from a ';' into the next stretch
    "hoist": M1 + "int a;\n" + M2 + "int b : 3 __attribute__((packed));\n" + M3 + "int y;\n",
    "hoist-path": M1 + "int a;\n" + '# 5 "/inc/c:d.h" 1\n' + "int b [[gnu::packed]];\n" + M3,
    # an attribute list of its own before a brace
    "list-brace": M1 + "int f(void) [[gnu::unused]]\n" + M2 + "{ return 0; }\n" + M3,
    "list-own": M1 + "[[gnu::aligned(4)]] int c;\n" + M2 + "int d;\n",
    # brackets that balance but pair up as lists only with the stretch before
    "list-history": M1 + "int f(int) [[ ] ];\n" + M2 + "int [a[]] { } ;\n",
    "list-history-number": M1 + "int f(int) [[ ] ];\n" + M2 + "int [a[]] 5 { } ;\n",
    # text after the last declaration, a lone quote or hash
    "tail": M1 + "int a\n" + M2 + ";\n",
    "quote": M1 + "int a; '\n" + M2 + "int b;\n",
    "hash": M1 + "int a; #\n" + M2 + "int b;\n",
    # not a marker as cpp writes one
    "odd-marker": M1 + "int a;\n#line 7 \"/inc/e.h\"\nint b;\n" + M3 + "int c;\n",
    "pragma": M1 + "#pragma pack(push, 4)\nstruct p { char c; int i; };\n" + M2 + "#pragma pack(pop)\n",
    "asm": M1 + "int x __asm__(\n" + M2 + "\"y\");\n",
    "complex": M1 + "_Complex\n" + M2 + "_Float32 z;\n",
    "string": M1 + 'char s[] = "a;b{";\n' + M2 + "int b;\n",
}


@pytest.mark.parametrize("case", sorted(REACHING))
def test_what_reaches_across_a_stretch_gets_the_whole_texts_pieces(case):
    check(REACHING[case])


def test_a_long_list_of_attributes_before_a_brace():
    """Whether a ``{`` opens a body is read from the tokens before it, of
    which ``strip_function_bodies`` keeps the last 33 to 64: with more list
    tokens than that before the brace, the answer would depend on how many
    tokens came before the stretch."""
    attrs = " __attribute__((aligned(8)))" * 6         # 36 tokens
    for n in range(40):
        # (the list's '::' must not come before the stretch's first ';': that
        # alone takes the stretch together with the one before)
        check(M1 + "int a;\n" * n + M2 + f"int z;\nint f(void){attrs}\n{{ return 0; }}\n"
              + M3 + "int y;\n")


def test_a_clean_text_goes_stretch_by_stretch_and_a_stretch_met_again_moves():
    first = M1 + "struct s { int a; };\n" + M2 + "typedef int t;\n" + M3 + "int y;\n"
    assert check(first) is not None
    # the same stretches at other lines: taken from the memo, numbered anew
    again = first.replace("# 1 ", "# 40 ").replace("# 5 ", "# 50 ")
    got = check(again)
    assert got is not None
    # a marker numbers the line after it (cpp's "# N" convention)
    assert [p[2] for p in got] == [40, 50, 9]


def test_too_many_stretches_that_cannot_stand_alone_go_whole():
    text = M1 + "struct s {\n" + "".join(f'# {k} "/inc/x{k}.h" 1\nint a{k};\n'
                                          for k in range(2, 3 + segments._LONGEST))
    text += M3 + "};\n"
    assert segments.pieces(text, "<headers>") is None
    assert whole(text) is not None


def test_off_means_whole(monkeypatch):
    monkeypatch.setattr(segments, "ENABLED", False)
    assert segments.pieces(M1 + "int a;\n", "<headers>") is None


def test_a_name_the_split_refuses_goes_whole():
    assert check('int a;\n', 'bad"name') is None
    # also when the text's first stretch was met before under a good name
    assert check(M1 + "int a;\n") is not None
    assert check(M1 + "int a;\n", 'bad"name') is None


_FRAGMENTS = st.sampled_from([
    M1.rstrip("\n"), M2.rstrip("\n"), M3.rstrip("\n"), '# 3 "/inc/c:d.h" 2', '#pragma pack(2)',
    "int a;", "struct s {", "};", "} v;", "int f(void)", "{ return 0; }", "{", "}",
    "__attribute__((aligned(8)))", "__attribute__((packed))", "int b : 2", "[[gnu::packed]]",
    "[[", "]]", ":", ";", "x", "typedef int T;", "T v;", '"s;{"', "';'", "'", "#",
    "static inline int g(int x) { return x; }", "__asm__(\"n\")", "(", ")",
    "struct q { int a : 3 __attribute__((packed)); } __attribute__((aligned(4)));",
    "enum e { A = 1 ? 2 : 3 };", "int (*fp)(int);", "_Complex", "_Float64 z;"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_FRAGMENTS, max_size=24), st.booleans())
def test_random_texts_of_such_fragments(frags, keep_memo):
    if not keep_memo:
        segments.clear()
    check("\n".join(frags) + "\n")
