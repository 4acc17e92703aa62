"""Integer-literal arithmetic, evaluated without the C parser.

Most macro constants in kernel headers are literals or literal arithmetic
(``0x40``, ``(1 << 3)``, ``(__SI_FAULT|4)`` once expanded); parsing each with
pycparser on 27 targets costs about a millisecond apiece and dominated the
time of whole-tree diffs.  ``literal_value`` answers those directly, in C's
``int`` range, and returns None for everything else (names, ``sizeof``,
casts, comparisons, values that need the target's ``long``), which the
front end's evaluator then handles.  Checked against the compilers in
``tests/frontend/test_literal.py``.  The values of single integer and
character literals (``int_literal``, ``char_literal``), which the parser's
model building needs too, live here as well.
"""
from __future__ import annotations

import ast
import functools
import re

_LITERAL = re.compile(r"(0[xX][0-9a-fA-F]+|\d+)[uUlL]*")
_ARITH = re.compile(r"^[\s0-9a-fA-FxXuUlL()+\-*/%<>&|^~]*$")
_IDENT = re.compile(r"[A-Za-z_]\w*")


#: Operations whose result depends on signedness or width (``~0U`` is
#: 4294967295, ``~0`` is -1; ``-1U >> 1`` is 2147483647): allowed only when
#: every literal is a plain ``int``.
_SIGNED_ONLY = (ast.USub, ast.Invert, ast.Sub, ast.RShift, ast.Div, ast.Mod)
_INT_MIN, _INT_LIMIT = -(1 << 31), 1 << 31


@functools.lru_cache(maxsize=8192)
def literal_value(text: str) -> int | None:
    """The value of an expression of integer literals and arithmetic, as C
    computes it, when every step stays in ``int`` range; None for anything
    else (names, ``sizeof``, comparisons, values that need the target's
    ``long``, steps that would overflow), which the front end's evaluator
    then handles.  A literal with a ``u``/``l`` suffix, or one too large for
    ``int``, is not an ``int``: such an expression may only use operations
    whose result is the same in every integer type (``+ * | & ^ <<`` on
    non-negative values).  Memoised: the same bodies come back on every
    target (2133 calls, about 80 distinct texts, in the default check)."""
    if not _ARITH.match(text) or not text.strip():
        return None
    typed = False

    def number(m: re.Match) -> str:
        nonlocal typed
        digits = m.group(1)
        if digits.lower().startswith("0x"):
            v = int(digits, 16)
        else:
            v = int(digits, 8) if digits.startswith("0") and digits != "0" else int(digits)
        typed = typed or len(m.group(0)) > len(digits) or v >= _INT_LIMIT
        return str(v)
    try:
        body = _LITERAL.sub(number, text)
    except ValueError:              # 08: not an octal number
        return None
    if _IDENT.search(body.replace("x", "")) or "//" in body or "**" in body:
        return None
    try:
        tree = ast.parse(body, mode="eval")
    except SyntaxError:
        return None
    ok = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Add, ast.Sub, ast.Mult,
          ast.Mod, ast.LShift, ast.RShift, ast.BitAnd, ast.BitOr, ast.BitXor, ast.Invert,
          ast.USub, ast.UAdd, ast.Div)
    if not all(isinstance(n, ok) for n in ast.walk(tree)):
        return None
    if typed and any(isinstance(n, _SIGNED_ONLY) for n in ast.walk(tree)):
        return None

    def ev(n) -> int:
        v = _step(n)
        if not _INT_MIN <= v < _INT_LIMIT:
            raise ValueError        # overflow in int, or a wider type: not ours
        return v

    def _step(n) -> int:
        if isinstance(n, ast.Expression):
            return ev(n.body)
        if isinstance(n, ast.Constant) and type(n.value) is int:
            return n.value
        if isinstance(n, ast.UnaryOp):
            v = ev(n.operand)
            return {ast.USub: -v, ast.UAdd: v, ast.Invert: ~v}[type(n.op)]
        a, b = ev(n.left), ev(n.right)
        if isinstance(n.op, (ast.Div, ast.Mod)):
            if b == 0:
                raise ValueError
            q = abs(a) // abs(b) * (1 if (a < 0) == (b < 0) else -1)
            return q if isinstance(n.op, ast.Div) else a - q * b
        if isinstance(n.op, (ast.LShift, ast.RShift)):
            if not 0 <= b < 31 or (isinstance(n.op, ast.LShift) and a < 0):
                raise ValueError
            return a << b if isinstance(n.op, ast.LShift) else a >> b
        return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b, ast.BitAnd: a & b,
                ast.BitOr: a | b, ast.BitXor: a ^ b}[type(n.op)]
    try:
        return ev(tree)
    except (ValueError, KeyError, RecursionError):
        return None


def int_literal(text: str) -> int:
    """Value of a C integer literal (suffixes ignored; octal by leading 0)."""
    t = text.rstrip("uUlL")
    if t[:2] in ("0x", "0X"):
        return int(t[2:], 16)
    if t[:2] in ("0b", "0B"):
        return int(t[2:], 2)
    if len(t) > 1 and t[0] == "0":
        return int(t, 8)
    return int(t)


def char_literal(text: str) -> int:
    """Value of a C character constant ('a', '\\n', '\\x41', '\\101')."""
    body = text[text.index("'") + 1:-1]
    if body.startswith("\\"):
        esc = {"n": 10, "t": 9, "r": 13, "0": 0, "\\": 92, "'": 39, '"': 34, "a": 7,
               "b": 8, "f": 12, "v": 11, "?": 63}
        if body[1] in "xX":
            return int(body[2:], 16)
        if body[1].isdigit():
            return int(body[1:], 8)
        return esc[body[1]]
    return ord(body)
