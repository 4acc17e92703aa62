"""The diff's value of a macro's expansion (``macro_value``), parsed without
pycparser when it is plain.

A tree diff values some 3,300 distinct expansions per ABI (ioctl numbers
above all: ``(((2U) << 30) | ((('d')) << 8) | ((0x41)) | ((sizeof(struct
x)) << 16))``), and handing each to pycparser (``frontend.parse.parse_expr``)
cost 1.2 s of a 20 s x86_64 diff.  Most are integer and character literals,
names, parentheses, the unary, binary and conditional operators, casts and
``sizeof`` of a type: those are read here into the very model expression the
front end builds (the same node classes, shapes and literal values, the type
of each cast or ``sizeof`` parsed by the front end itself, once per type
name).  Anything else - a string, a call, a member, ``sizeof`` of an
expression, a comma, an assignment, a keyword or reserved name it does not
know, a literal it is not sure pycparser reads as one integer - is left to
``parse_expr``: ``plain`` returns None; a comma outside every bracket has no
value without either (``comma_on_top``).  tests/checks/test_diff_expr.py holds
both parses equal on every expansion of real uapi headers of several ABIs.
"""
from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING

from abicheck import model as m
from abicheck.errors import AbicheckError
from abicheck.frontend.gnu import rewrite
from abicheck.frontend.literal import char_literal, int_literal, literal_value
from abicheck.frontend.builder import BUILTIN as _PRELUDE, parse_expr

if TYPE_CHECKING:
    from abicheck.layout import Layouter

_TOKEN = re.compile(r"""[ \t]*(?:
    (?P<num>\.?[0-9](?:[eEpP][+-]|[\w.])*)
  | (?P<chr>'(?:[^'\\\n]|\\[ntrvfab0\\'"?]|\\x[0-9a-fA-F]{1,2}|\\[0-7]{1,3})')
  | (?P<id>[A-Za-z_]\w*)
  | (?P<bad><<=|>>=|\+\+|--|->|[-+*/%&|^]=|=(?!=))
  | (?P<op><<|>>|<=|>=|==|!=|&&|\|\||[-+*/%&|^~!<>?:()])
)""", re.X)
#: integer literals pycparser reads as one integer constant token
_INT = re.compile(r"(?:0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)(?:[uU](?:ll|LL|[lL])?|(?:ll|LL|[lL])[uU]?)?")
#: what may start a type name besides the unit's typedefs
_TYPE_WORDS = frozenset(
    "void char short int long float double signed unsigned struct union enum const volatile"
    .split())
#: C keywords (C23's included) and names pycparser may know: never a plain name here
_KEYWORDS = _TYPE_WORDS | frozenset(
    "auto break case continue default do else extern for goto if inline register restrict "
    "return sizeof static switch typedef while bool true false nullptr alignof typeof "
    "typeof_unqual constexpr static_assert thread_local offsetof asm".split())
_BINARY = {"||": 1, "&&": 2, "|": 3, "^": 4, "&": 5, "==": 6, "!=": 6, "<": 7, ">": 7,
           "<=": 7, ">=": 7, "<<": 8, ">>": 8, "+": 9, "-": 9, "*": 10, "/": 10, "%": 10}


#: GNU spellings a reserved name may be (the front end's ``gnu.rewrite`` turns
#: most into C23): never read as a plain name here
_GNU_WORDS = frozenset(
    "__int128 __inline __restrict __const __volatile __signed __asm __typeof __alignof "
    "__extension __label__ __real __imag __auto_type __thread __complex".split())


def _reserved(name: str) -> bool:
    """A name pycparser or GCC may give a meaning of its own (``_Bool``,
    ``__builtin_va_list``, ``__attribute__``); the kernel's enum sentinels
    (``__IFLA_MAX``) are not."""
    return (name in _GNU_WORDS or name in _PRELUDE or name.endswith("__")
            or name.startswith("__builtin") or re.match(r"_[A-Z]", name) is not None)


class _NotPlain(Exception):
    pass


def plain(text: str, typedefs: frozenset[str]) -> m.Expr | None:
    """``parse_expr(text, typedefs)``'s expression, when ``text`` is plain
    (see the module); None: ask ``parse_expr``."""
    toks = _tokens(text)
    if toks is None:
        return None
    p = _Parser(toks, typedefs)
    try:
        e = p.conditional()
        if p.at != len(toks):
            return None
        return e
    except (_NotPlain, RecursionError):
        return None


def _tokens(text: str) -> list[tuple[str, str]] | None:
    out = []
    pos, end = 0, len(text.rstrip())
    while pos < end:
        t = _TOKEN.match(text, pos)
        if t is None or t.lastgroup == "bad":
            return None
        out.append((t.lastgroup, t.group(t.lastgroup)))
        pos = t.end()
    return out


@functools.lru_cache(maxsize=4096)
def _type(name: str, typedefs: frozenset[str]) -> m.Type | None:
    """The front end's type for a type name, by its own parse of ``sizeof``."""
    try:
        e = parse_expr(f"sizeof({name})", typedefs)
    except (AbicheckError, RecursionError, KeyError, ValueError):
        return None
    return e.type if isinstance(e, m.SizeOf) else None


class _Parser:
    def __init__(self, toks: list[tuple[str, str]], typedefs: frozenset[str]) -> None:
        self.toks, self.typedefs, self.at = toks, typedefs, 0

    def _peek(self) -> tuple[str, str] | None:
        return self.toks[self.at] if self.at < len(self.toks) else None

    def _take(self, value: str) -> None:
        t = self._peek()
        if t is None or t != ("op", value):
            raise _NotPlain
        self.at += 1

    def conditional(self) -> m.Expr:
        cond = self.binary(1)
        if self._peek() == ("op", "?"):
            self.at += 1
            then = self.conditional()      # pycparser: an expression; no comma here
            self._take(":")
            return m.Cond(cond, then, self.conditional())
        return cond

    def binary(self, least: int) -> m.Expr:
        left = self.cast()
        while True:
            t = self._peek()
            prec = _BINARY.get(t[1]) if t is not None and t[0] == "op" else None
            if prec is None or prec < least:
                return left
            self.at += 1
            left = m.Binary(t[1], left, self.binary(prec + 1))

    def _type_start(self, k: int) -> bool:
        t = self.toks[k] if k < len(self.toks) else None
        return t is not None and t[0] == "id" and (t[1] in _TYPE_WORDS or t[1] in self.typedefs)

    def _type_name(self) -> m.Type:
        """The type name from here to its ')' (names and '*' only)."""
        words = []
        while True:
            t = self._peek()
            if t is None:
                raise _NotPlain
            if t == ("op", ")"):
                break
            if not (t[0] == "id" or t == ("op", "*")):
                raise _NotPlain
            words.append(t[1])
            self.at += 1
        self.at += 1
        typ = _type(" ".join(words), frozenset(w for w in words if w in self.typedefs))
        if typ is None:
            raise _NotPlain
        return typ

    def cast(self) -> m.Expr:
        if self._peek() == ("op", "(") and self._type_start(self.at + 1):
            self.at += 1
            typ = self._type_name()
            return m.Cast(typ, self.cast())
        return self.unary()

    def unary(self) -> m.Expr:
        t = self._peek()
        if t is None:
            raise _NotPlain
        if t[0] == "op" and t[1] in "-+~!" and len(t[1]) == 1:
            self.at += 1
            return m.Unary(t[1], self.cast())
        if t == ("id", "sizeof"):
            if self._peek_at(1) != ("op", "(") or not self._type_start(self.at + 2):
                raise _NotPlain                 # of an expression: parse_expr's error
            self.at += 2
            return m.SizeOf(self._type_name())
        return self.primary()

    def _peek_at(self, k: int):
        k += self.at
        return self.toks[k] if k < len(self.toks) else None

    def primary(self) -> m.Expr:
        kind, value = self._peek() or ("", "")
        self.at += 1
        if kind == "num":
            if len(value) > 140 or not _INT.fullmatch(value):
                raise _NotPlain
            e: m.Expr = m.Const(int_literal(value))
        elif kind == "chr":
            try:
                e = m.Const(char_literal(value))
            except (KeyError, ValueError, TypeError, IndexError):
                raise _NotPlain from None
        elif kind == "id":
            if value in _KEYWORDS or value in self.typedefs or _reserved(value):
                raise _NotPlain
            e = m.Ident(value)
        elif (kind, value) == ("op", "("):
            e = self.conditional()
            self._take(")")
        else:
            raise _NotPlain
        t = self._peek()
        if t is not None and t[0] != "op" or t in (("op", "("),):
            raise _NotPlain                     # a call, or two operands in a row
        return e


# --- a macro's value --------------------------------------------------------

_PATH = re.compile(r"^[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*$")
_IDENT = re.compile(r"[A-Za-z_]\w*")


def macro_value(expansion: str, unit: m.Unit, lay: Layouter) -> int | None:
    """The integer value of a macro's expansion on ``lay``'s target, as
    ``MacroTable.get`` computes it, with the parse of the expansion shared:
    a tree diff evaluates the same expansions on both revisions and every
    ABI, and parsing one (a small pycparser run, 1.9 ms) cost more than all
    else a constant needs.  The parsed expression depends only on the text
    and on which of its names are typedefs of the unit; its value is
    evaluated per unit (sizes, enum constants)."""
    fast = literal_value(expansion)
    if fast is not None:
        return fast
    if _PATH.match(expansion):
        # a name or a member path: only an enum constant has a value
        # (glibc's "#define SEGV_PKUERR SEGV_PKUERR")
        en = unit.constants.get(expansion.strip())
        if en is None:
            return None
        try:
            return lay.eval(en.value, en.loc)
        except (AbicheckError, RecursionError):
            return None
    text = _rewritten(expansion)
    # a comma on top: no value, known before the typedef names of a long
    # initialiser are looked for and its parse is looked up
    if text is None or comma_on_top(text) or _calls(text, unit):
        return None
    expr = _parsed(text, frozenset(u for u in _IDENT.findall(text) if u in unit.typedefs))
    if expr is None:
        return None
    try:
        return lay.eval(expr)
    except (AbicheckError, RecursionError, KeyError, ValueError):
        return None


_NESTING = re.compile(r"[()\[\]{},]")
_OPENS, _CLOSES = frozenset("([{"), frozenset(")]}")


def comma_on_top(text: str) -> bool:
    """Whether ``text`` holds a comma outside every bracket, its brackets
    balanced all the way and no quote in it.  ``parse_expr`` reads it as
    the bound of an array, inside ``[(`` and ``)]``: a comma there is a comma
    expression, or part of the middle operand of a ``?:`` (every other
    operator binds tighter), and the model has no comma operator, so the
    parse would end in an error: no value, known without it.  These are
    table initializers (``0,0,0,...`` of 62 kB on x86_64, 0.4 s of
    pycparser), never constants.  Unbalanced brackets could close the bound
    early and make the comma separate declarators; a quote could hide a
    bracket or a comma: both are left to the parse."""
    if "," not in text or "'" in text or '"' in text:
        return False
    depth, top = 0, False
    for m_ in _NESTING.finditer(text):
        c = m_.group()
        if c in _OPENS:
            depth += 1
        elif c in _CLOSES:
            depth -= 1
            if depth < 0:
                return False
        elif depth == 0:
            top = True
    return top and depth == 0


_LEADING_CALL = re.compile(r"\s*([A-Za-z_]\w*)\s*\(")
#: names a C23 expression may start with before a '(' without calling a function
_NOT_CALLS = frozenset((
    "sizeof alignof typeof typeof_unqual offsetof static_assert true false nullptr "
    "auto char const constexpr double enum float int long register restrict short signed "
    "static struct union unsigned void volatile bool thread_local inline").split())


def _calls(text: str, unit: m.Unit) -> bool:
    """Does ``text`` start with a function call (``_IOWR('c', 11, __u32)``
    where ``_IOWR`` is not defined, ``ZORRO_ID(...)``)?  The expression
    parser builds no call but ``offsetof``: such a text has no value, known
    without the parse.  Keywords, the reserved spellings (``__x``, ``_Xy``:
    builtins, ``_Alignof``, ``_Float32``) and the unit's typedef names are
    not calls."""
    m_ = _LEADING_CALL.match(text)
    if m_ is None:
        return False
    name = m_.group(1)
    return not (name in _NOT_CALLS or name.startswith("__") or re.match(r"_[A-Z][a-z]", name)
                or "offsetof" in name or name in unit.typedefs)


@functools.lru_cache(maxsize=1 << 16)
def _rewritten(expansion: str) -> str | None:
    try:
        return rewrite(expansion)
    except (AbicheckError, RecursionError, KeyError, ValueError):
        return None


@functools.lru_cache(maxsize=1 << 16)
def _parsed(text: str, typedefs: frozenset[str]) -> m.Expr | None:
    """``text`` parsed as an expression with ``typedefs`` (the names it
    uses that are typedefs of the unit) as type names, or None.  The
    model's expressions are frozen: one is safe to share across units.
    A plain text is read without pycparser (``diff_expr``)."""
    fast = plain(text, typedefs)
    if fast is not None:
        return fast
    try:
        return parse_expr(text, typedefs)
    except (AbicheckError, RecursionError, KeyError, ValueError):
        return None
