"""The diff's own parse of plain macro expansions (``checks/diff_expr``)
against the front end's (``frontend.parse.parse_expr``, pycparser): on every
macro expansion of real uapi headers of several ABIs, and on texts built to
trip it, the same model expression (locations aside) or none of its own."""
from __future__ import annotations

import dataclasses
import glob
import os

import pytest

from abicheck import api
from abicheck import model as m
from abicheck.checks.diff_expr import comma_on_top, plain
from abicheck.checks.diff_expr import _IDENT, _rewritten
from abicheck.errors import AbicheckError
from abicheck.frontend.macros import MacroTable
from abicheck.frontend.parse import parse_expr
from abicheck.layout import Layouter
from abicheck.targets import get_target
from debian_headers import include_dirs


def _bare(e):
    """``e`` without the locations of its names (the parse of a text has none
    worth comparing)."""
    if isinstance(e, m.Ident):
        return m.Ident(e.name)
    if isinstance(e, tuple):
        return tuple(_bare(x) for x in e)
    if dataclasses.is_dataclass(e) and not isinstance(e, type):
        return type(e)(**{f.name: _bare(getattr(e, f.name)) for f in dataclasses.fields(e)})
    return e


def _front(text: str, typedefs: frozenset[str]):
    try:
        return parse_expr(text, typedefs)
    except (AbicheckError, RecursionError, KeyError, ValueError):
        return None


def _agrees(text: str, typedefs: frozenset[str] = frozenset()) -> bool:
    """Whether ``plain`` read ``text`` (it must then read it as the front end)."""
    got = plain(text, typedefs)
    if got is None:
        return False
    want = _front(text, typedefs)
    assert want is not None, text
    assert _bare(got) == _bare(want), text
    return True


@pytest.mark.parametrize("name", ("x86_64", "aarch64", "s390x", "mips"))
def test_every_expansion_of_real_headers(name):
    t = get_target(name)
    dirs = include_dirs(t)
    if dirs is None:
        pytest.skip(f"no Debian cross headers for {name}")
    linux = next(os.path.join(d, "linux") for d in dirs if os.path.isdir(os.path.join(d, "linux")))
    headers = sorted(glob.glob(os.path.join(linux, "*.h")))[1::9]
    texts, commas = set(), 0
    for tr in api.translate_each([([h], t, dirs) for h in headers]):
        if isinstance(tr, Exception):
            continue
        table = MacroTable(tr, Layouter(tr.unit, t))
        for n, text in {**{d.name: d.body for d in tr.macros if d.params is None},
                        **table.expansions()}.items():
            rewritten = _rewritten(text) if text else None
            if not rewritten:
                continue
            tds = frozenset(u for u in _IDENT.findall(rewritten) if u in tr.unit.typedefs)
            if comma_on_top(rewritten):
                commas += 1
                # no value, and the front end's parse (with the unit's typedefs) agrees
                assert _front(rewritten, tds) is None, rewritten
            texts.add((rewritten, tds))
    assert commas, "no expansion of these headers has a comma on top: the rule went untried"
    read = sum(_agrees(text, tds) for text, tds in sorted(texts))
    # most are plain: the shortcut is taken, and checked
    assert read > len(texts) // 2 and read > 200, (read, len(texts))


@pytest.mark.parametrize("text", [
    "1", "-1", "- -1", "~0U", "!0", "+3", "0x10UL", "0777", "1ULL << 63", "'a'", "'\\n'",
    "'\\x41'", "'\\0'", "(1 ? 2 : 3 ? 4 : 5)", "1 - 2 - 3", "1 << 2 + 3", "8 / 2 / 2",
    "1 < 2 == 3 > 4", "1 && 0 || 1", "(1 | 2 ^ 3 & 4)", "(((2U|1U) << 30) | (('d') << 8))",
    "sizeof(struct s)", "sizeof(union u *)", "sizeof(int)", "sizeof(unsigned long long)",
    "(unsigned char)-1", "(char)300", "(word_t)1 << 40", "sizeof(word_t) * 2",
    "(word_t) - 1", "(w) - 1", "ENUM_A + 1", "__IFLA_MAX - 1", "(x)",
    "sizeof(const volatile int)", "(struct s *)0", "1 ? 2 : 3",
])
def test_plain_texts(text):
    assert _agrees(text, frozenset({"word_t"}) & frozenset(_IDENT.findall(text)))


@pytest.mark.parametrize("text", [
    '"s"', "f(1)", "a.b", "a->b", "a[1]", "x++", "--x", "x = 1", "x += 1", "1, 2",
    "sizeof x", "sizeof(x)", "_Alignof(int)", "alignof(int)", "__alignof__(int)",
    "offsetof(struct s, a)", "__builtin_offsetof(struct s, a)", "1.5", "1e3", "08", "0x",
    "1 +", "(1", "1)", "'ab'", "L'a'", "__attribute__((x))", "_Bool", "(_Bool)1",
    "__int128", "true", "nullptr", "__builtin_va_list", "(int)", "1 ? 2", "a b", "1 2",
    "{1}", "#x", "(__typeof__(1))1", "sizeof(int[2])", "sizeof(int (*)(void))",
    "(word_t)", "word_t", "sizeof(word_t)(1)",
])
def test_what_it_leaves_to_the_front_end(text):
    tds = frozenset({"word_t"}) & frozenset(_IDENT.findall(text))
    got = plain(text, tds)
    if got is not None:                 # it may read one, as the front end does
        assert _bare(got) == _bare(parse_expr(text, tds)), text
    assert text not in ('"s"', "f(1)", "x++", "sizeof x", "1, 2", "1.5", "08") or got is None


@pytest.mark.parametrize("text", [
    "1, 2", "0,0,0,0", "(1), (2)", "1 ? 2, 3 : 4", "1 ? 2 : 3 ? 4, 5 : 6", "1 ? 2 : 3, 4",
    "sizeof(int), 2", "x = 1, 2", "(word_t)1, 2", "sizeof x, 1", "{1}, {2}", "a[1], f(2, 3)",
    "(1 ? (2, 3) : 4), 5", "1 , (2)",
])
def test_a_comma_on_top_has_no_value(text):
    """A comma outside every bracket: the front end's parse (the oracle)
    gives no value either, whatever else the text holds."""
    assert comma_on_top(text)
    assert _front(text, frozenset({"word_t"}) & frozenset(_IDENT.findall(text))) is None


@pytest.mark.parametrize("text", [
    "f(1, 2)", "(1, 2)", "a[1, 2]", "{1, 2}", "1", "(1 ? 2 : 3)",
    # brackets that close the array bound early: the comma would separate
    # declarators, and the last one's bound is what the parse returns
    "1)] , y[(3", "1)], y[(2), 3", "1)], y[(2, 3)], z[(4",
    # a quote may hide a bracket or a comma
    "',' + 1", "'(' , 1", '"a,b"', "'a', 1",
])
def test_what_it_leaves_to_the_parse(text):
    assert not comma_on_top(text)


def test_an_early_close_has_no_value():
    """Why unbalanced texts are left to the parse: counted from the start,
    this one has a comma at the outermost level, yet it is no comma
    expression; the parse must refuse it (gcc does: tests/frontend/
    test_macros.py), not read the last declarator's bound (4)."""
    assert _front("1)], y[(2, 3)], z[(4", frozenset()) is None
