"""What a scalar *is*, once: integer or floating, and, for an integer, its
signedness as GCC decides it on the target.

The spec checker (``signed``), compat's join (a member's representation),
diff's snapshot (retyped members), the constant evaluator (wrapping a cast) and
the binary models (how to decode the bytes) all ask these questions; asked in
five places they had drifted apart (``_Float128`` counted as a signed integer
in one, an enum as having no signedness in another).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from abicheck import model as m

if TYPE_CHECKING:
    from abicheck.layout import Layouter

#: the kinds the front end gives floating types (``_Float32`` is ``float``,
#: ``_Float64x`` ``long double``, ``__float128``/``__ieee128`` ``_Float128``)
FLOAT_KINDS = frozenset({"float", "double", "long double", "_Float128"})
#: scalars that are neither integers nor floating types
OTHER_KINDS = frozenset({"void", "__builtin_va_list"})


def is_float(s: m.Scalar) -> bool:
    """A real or complex floating type (a complex integer is not one)."""
    return s.kind in FLOAT_KINDS


def is_integer(s: m.Scalar) -> bool:
    """An integer type (``_Bool`` and plain ``char`` included); complex
    integers (a GNU extension) are pairs, not integers."""
    return not s.complex and s.kind not in FLOAT_KINDS and s.kind not in OTHER_KINDS


def scalar_signed(s: m.Scalar, char_signed: bool) -> bool:
    """Signedness of an integer scalar: plain ``char`` is the ABI's,
    ``_Bool`` unsigned."""
    if s.kind == "_Bool":
        return False
    return char_signed if s.signed is None else bool(s.signed)


def signedness(lay: "Layouter", t: m.Type) -> bool | None:
    """Signedness of ``t`` (typedefs resolved) on the layouter's target, or
    None when ``t`` is not an integer type.  An enum is unsigned unless one
    of its values is negative: GCC then gives it ``int`` (or a wider signed
    type), else ``unsigned int``."""
    s = lay.strip(t)
    if isinstance(s, m.Enum):
        vals = [lay.eval(v.value, v.loc) for v in s.values or ()]
        return min(vals, default=0) < 0
    if isinstance(s, m.Scalar) and is_integer(s):
        return scalar_signed(s, lay.target.char_signed)
    return None
