"""Integer constant expressions, evaluated with one target's sizes.

C's integer constant expressions (C23 6.6) appear in array lengths, bitfield
widths, ``aligned(N)`` arguments, enumerators and macros.  Their value can
depend on the target (``sizeof(long)``), so the model keeps them as trees and
this module evaluates them against a ``Layouter``.  Arithmetic follows C:
division truncates toward zero, shifts and comparisons give ints.  Casts wrap
to the cast type's width, so ``(unsigned char)-1`` is 255.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from abicheck import model as m
from abicheck.errors import EvalError, SourceLoc
from abicheck.scalars import is_integer, scalar_signed

if TYPE_CHECKING:
    from abicheck.layout import Layouter


#: No C integer type is wider than 128 bits; a value beyond that is an
#: overflow gcc would diagnose, and letting it grow would let a header make
#: us compute with million-digit numbers.
_MAX_BITS = 128


def _shift(b: int, loc) -> int:
    if b < 0 or b >= _MAX_BITS:
        raise EvalError(f"shift count {b} is out of range for a constant expression", loc)
    return b


def _div(a: int, b: int, loc) -> int:
    if b == 0:
        raise EvalError("division by zero in constant expression", loc)
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b >= 0) else -q


_BINARY = {
    "+": lambda a, b, loc: a + b,
    "-": lambda a, b, loc: a - b,
    "*": lambda a, b, loc: a * b,
    "/": _div,
    "%": lambda a, b, loc: a - _div(a, b, loc) * b,
    "<<": lambda a, b, loc: a << _shift(b, loc),
    ">>": lambda a, b, loc: a >> _shift(b, loc),
    "&": lambda a, b, loc: a & b,
    "|": lambda a, b, loc: a | b,
    "^": lambda a, b, loc: a ^ b,
    "<": lambda a, b, loc: int(a < b),
    ">": lambda a, b, loc: int(a > b),
    "<=": lambda a, b, loc: int(a <= b),
    ">=": lambda a, b, loc: int(a >= b),
    "==": lambda a, b, loc: int(a == b),
    "!=": lambda a, b, loc: int(a != b),
    "&&": lambda a, b, loc: int(bool(a) and bool(b)),
    "||": lambda a, b, loc: int(bool(a) or bool(b)),
    "max": lambda a, b, loc: max(a, b),
}
_UNARY = {"-": lambda a: -a, "+": lambda a: a, "~": lambda a: ~a, "!": lambda a: int(not a)}


def evaluate(e: m.Expr, lay: "Layouter", loc: SourceLoc | None = None) -> int:
    """The value of ``e`` on ``lay``'s target; enum constants come from its unit."""
    if isinstance(e, m.Const):
        return e.value
    if isinstance(e, m.BiggestAlignment):
        return lay.target.biggest_alignment
    if isinstance(e, m.Ident):
        known = lay.constant_values.get(e.name)
        if known is not None:
            return known
        en = lay.unit.constants.get(e.name)
        if en is None:
            raise EvalError(f"'{e.name}' is not a constant", e.loc or loc)
        if e.name in lay.evaluating:
            raise EvalError(f"'{e.name}' is defined in terms of itself", e.loc or loc)
        lay.evaluating.add(e.name)
        try:
            value = lay.constant_values[e.name] = evaluate(en.value, lay, en.loc)
            return value
        finally:
            lay.evaluating.discard(e.name)
    if isinstance(e, m.SizeOf):
        return lay.size_align(e.type, loc)[0]
    if isinstance(e, m.AlignOf):
        if e.preferred:
            return preferred_align(e.type, lay, loc)
        return lay.size_align(e.type, loc)[1]
    if isinstance(e, m.OffsetOf):
        return offset_of(e, lay, loc)
    if isinstance(e, m.Unary):
        if e.op not in _UNARY:
            raise EvalError(f"operator '{e.op}' is not allowed in a constant expression", loc)
        return _UNARY[e.op](evaluate(e.operand, lay, loc))
    if isinstance(e, m.Binary):
        if e.op in ("&&", "||"):
            left = evaluate(e.left, lay, loc)
            if (e.op == "&&" and not left) or (e.op == "||" and left):
                return int(bool(left))
        fn = _BINARY.get(e.op)
        if fn is None:
            raise EvalError(f"operator '{e.op}' is not allowed in a constant expression", loc)
        v = fn(evaluate(e.left, lay, loc), evaluate(e.right, lay, loc), loc)
        if v.bit_length() > _MAX_BITS:
            raise EvalError("integer overflow in constant expression (beyond 128 bits)", loc)
        return v
    if isinstance(e, m.Cond):
        return evaluate(e.then if evaluate(e.cond, lay, loc) else e.other, lay, loc)
    if isinstance(e, m.Cast):
        return _wrap(evaluate(e.operand, lay, loc), e.type, lay, loc)
    raise EvalError(f"cannot evaluate {type(e).__name__}", loc)


def preferred_align(t: m.Type, lay: "Layouter", loc) -> int:
    """GCC's ``__alignof__``: the preferred alignment of a lone object
    (differs from the in-struct one for i386's 64-bit scalars)."""
    s = lay.strip(t)
    if isinstance(s, m.Scalar) and s.kind != "void" and not isinstance(t, m.TypedefRef):
        return lay.target.scalar(s.kind).pref_align
    if isinstance(t, m.TypedefRef) and lay.unit.typedefs[t.name].attrs.aligned is not None:
        return lay.size_align(t, loc)[1]
    if isinstance(t, m.TypedefRef):
        return preferred_align(lay.unit.typedefs[t.name].type, lay, loc)
    if isinstance(s, m.Array):
        return preferred_align(s.element, lay, loc)
    return lay.size_align(t, loc)[1]


def offset_of(e: m.OffsetOf, lay: "Layouter", loc) -> int:
    t = e.type
    off = 0
    for name in e.path:
        rec = lay.strip(t)
        if not isinstance(rec, m.Record) or rec.fields is None:
            raise EvalError(f"offsetof: '{name}' is not in a complete struct or union", loc)
        placed, _, _ = lay.place(rec)
        hit = _find(placed, name, lay)
        if hit is None:
            raise EvalError(f"offsetof: no member '{name}' in {m.c_name(rec)}", loc)
        delta, t = hit
        off += delta
    return off // 8


def _find(placed, name: str, lay: "Layouter"):
    """(bit offset, type) of member ``name``, looking into anonymous members."""
    for f, bit, _, _ in placed:
        if f.name == name:
            return bit, f.type
        if f.name is None and f.bits is None:
            inner = lay.strip(f.type)
            if isinstance(inner, m.Record) and inner.fields is not None:
                hit = _find(lay.place(inner)[0], name, lay)
                if hit is not None:
                    return bit + hit[0], hit[1]
    return None


def _wrap(v: int, t: m.Type, lay: "Layouter", loc) -> int:
    s = lay.strip(t)
    if isinstance(s, m.Scalar) and is_integer(s):
        if s.kind == "_Bool":
            return int(bool(v))
        bits = lay.size_align(t, loc)[0] * 8
        signed = scalar_signed(s, lay.target.char_signed)
        v &= (1 << bits) - 1
        if signed and v >= 1 << (bits - 1):
            v -= 1 << bits
    return v
