"""The C type model: our own immutable description of what headers declare.

The front end is the only code that knows pycparser; everything after it
(layout, views, checks) reads these frozen dataclasses.  The model is
target-*shaped* (it came from headers preprocessed for one target) but holds
no sizes: array lengths, bitfield widths and ``aligned(N)`` arguments stay
expressions, because ``sizeof(long)`` means different numbers on different
ABIs.  The layout engine evaluates them.

Named records, enums and typedefs are referenced by name (``RecordRef``,
``EnumRef``, ``TypedefRef``) and looked up in the ``Unit``; this is how C
itself resolves forward and self references.  Anonymous records appear inline.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Mapping, Union

from abicheck.errors import SourceLoc

# --- expressions ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Const:
    """An integer constant, its value already read from the literal."""

    value: int


@dataclass(frozen=True, slots=True)
class Ident:
    """A name in a constant expression: an enum constant."""

    name: str
    loc: SourceLoc | None = None


@dataclass(frozen=True, slots=True)
class SizeOf:
    """``sizeof(type)``: a number only once a target lays the type out."""

    type: "Type"


@dataclass(frozen=True, slots=True)
class AlignOf:
    """``_Alignof`` (ABI alignment) or, with ``preferred``, GCC's ``__alignof__``."""

    type: "Type"
    preferred: bool = False


@dataclass(frozen=True, slots=True)
class OffsetOf:
    """``offsetof(type, a.b)``: the member path, as written."""

    type: "Type"
    path: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Unary:
    """A unary operator (``-``, ``~``, ``!``, ``+``) on one operand."""

    op: str
    operand: "Expr"


@dataclass(frozen=True, slots=True)
class Binary:
    """A binary operator; ``max`` combines several ``aligned`` attributes."""

    op: str
    left: "Expr"
    right: "Expr"


@dataclass(frozen=True, slots=True)
class Cond:
    """``cond ? then : other``."""

    cond: "Expr"
    then: "Expr"
    other: "Expr"


@dataclass(frozen=True, slots=True)
class Cast:
    """A cast: the operand's value converted to the type's width and sign."""

    type: "Type"
    operand: "Expr"


Expr = Union[Const, Ident, SizeOf, AlignOf, OffsetOf, Unary, Binary, Cond, Cast, "BiggestAlignment"]

# --- attributes -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BiggestAlignment:
    """The target's ``__BIGGEST_ALIGNMENT__``: what a bare ``aligned`` means."""


@dataclass(frozen=True, slots=True)
class Attrs:
    """The layout-relevant GNU attributes on a declaration or a type.

    ``aligned`` is an expression (``BiggestAlignment()`` for a bare
    ``aligned``); several ``aligned`` attributes combine to their maximum, as
    in GCC.  ``mode`` is the machine mode of ``__attribute__((mode(DI)))``.
    """

    aligned: "Expr | None" = None
    packed: bool = False
    mode: str | None = None
    vector_size: "Expr | None" = None   # GCC vector type of this many bytes

    def merge(self, other: "Attrs") -> "Attrs":
        if self.aligned is None or other.aligned is None:
            aligned = self.aligned if other.aligned is None else other.aligned
        else:
            aligned = Binary("max", self.aligned, other.aligned)
        return Attrs(aligned, self.packed or other.packed, other.mode or self.mode,
                     other.vector_size if other.vector_size is not None else self.vector_size)


NO_ATTRS = Attrs()

# --- types ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scalar:
    """A base type: ``kind`` is a row key of the ABI table (``int``,
    ``long long``, ``long double``, ``__int128`` ...) or ``void``.  ``signed``
    is None for plain ``char``, whose signedness is the target's."""

    kind: str
    signed: bool | None = True
    spelling: str = ""
    #: ``_Complex``: a pair of ``kind`` (real, imaginary), aligned as one
    complex: bool = False
    #: ``const``/``volatile`` as written: only views that spell types (pahole's)
    #: read them; they take no part in comparisons
    quals: str = field(default="", compare=False)

    def c_name(self) -> str:
        return self.spelling or self.kind


@dataclass(frozen=True, slots=True)
class Pointer:
    """A pointer to ``to``; its size is the target's, whatever it points to."""

    to: "Type"
    #: ``const``/``volatile`` as written: only views that spell types (pahole's)
    #: read them; they take no part in comparisons
    quals: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Array:
    """An array of ``length`` elements (an expression: the target decides)."""

    element: "Type"
    length: Expr | None            # None: flexible or incomplete array


@dataclass(frozen=True, slots=True)
class Function:
    """A function type; only ever seen behind a pointer in layouts.

    ``params`` (None: declared without a prototype, ``()``; empty: ``(void)``)
    and ``variadic`` only serve views that spell the declarator, as pahole
    does; they take no part in comparisons, so no verdict depends on them."""

    returns: "Type"
    params: "tuple[Type, ...] | None" = field(default=None, compare=False)
    variadic: bool = field(default=False, compare=False)


@dataclass(frozen=True, slots=True)
class RecordRef:
    """A struct or union by tag, looked up in the ``Unit`` as C does."""

    kind: str                      # "struct" | "union"
    tag: str
    #: ``const``/``volatile`` as written: only views that spell types (pahole's)
    #: read them; they take no part in comparisons
    quals: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class EnumRef:
    """An enum by tag, looked up in the ``Unit``."""

    tag: str
    #: ``const``/``volatile`` as written: only views that spell types (pahole's)
    #: read them; they take no part in comparisons
    quals: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class TypedefRef:
    """A typedef by name, looked up in the ``Unit``."""

    name: str
    #: ``const``/``volatile`` as written: only views that spell types (pahole's)
    #: read them; they take no part in comparisons
    quals: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class Field:
    """A member of a struct or union.  ``name`` is None for anonymous
    members and unnamed bitfields; ``bits`` is the bitfield width."""

    name: str | None
    type: "Type"
    bits: Expr | None = None
    attrs: Attrs = NO_ATTRS
    loc: SourceLoc | None = None


@dataclass(frozen=True, slots=True)
class Record:
    """A struct or union.  ``max_align`` is the ``#pragma pack(N)`` in force
    at its closing brace (GCC lays a record out there): no member is aligned
    beyond N bytes, ``aligned`` attributes on members included."""

    kind: str                      # "struct" | "union"
    tag: str | None
    fields: tuple[Field, ...] | None   # None: declared but incomplete
    attrs: Attrs = NO_ATTRS
    loc: SourceLoc | None = None
    max_align: int | None = None


@dataclass(frozen=True, slots=True)
class Enumerator:
    """One enum constant; ``value`` is explicit even where C implies it."""

    name: str
    value: Expr
    loc: SourceLoc | None = None


@dataclass(frozen=True, slots=True)
class Enum:
    """An enum type; ``values`` None: declared but incomplete."""

    tag: str | None
    values: tuple[Enumerator, ...] | None
    attrs: Attrs = NO_ATTRS
    loc: SourceLoc | None = None


@dataclass(frozen=True, slots=True)
class Typedef:
    """A typedef: ``name`` stands for ``type``, plus its own attributes."""

    name: str
    type: "Type"
    attrs: Attrs = NO_ATTRS
    loc: SourceLoc | None = None


Type = Union[Scalar, Pointer, Array, Function, RecordRef, EnumRef, TypedefRef, Record, Enum]


@dataclass(frozen=True)
class Unit:
    """Everything one preprocessed set of headers declares, for one target.

    ``constants`` maps each enum constant to its enumerator's expression and
    the enum it belongs to (for the implicit ``previous + 1`` values the
    front end already wrote explicit expressions).
    """

    records: Mapping[tuple[str, str], Record] = field(default_factory=dict)
    enums: Mapping[str, Enum] = field(default_factory=dict)
    typedefs: Mapping[str, Typedef] = field(default_factory=dict)
    constants: Mapping[str, Enumerator] = field(default_factory=dict)

    @staticmethod
    def build(records: dict, enums: dict, typedefs: dict, constants: dict) -> "Unit":
        return Unit(MappingProxyType(records), MappingProxyType(enums),
                    MappingProxyType(typedefs), MappingProxyType(constants))


def c_name(t: Type) -> str:
    """The C spelling of a type, as pahole prints it (``struct foo *``)."""
    if isinstance(t, Scalar):
        return t.c_name()
    if isinstance(t, Pointer):
        if isinstance(t.to, Function):
            return f"{c_name(t.to.returns)} (*)()"
        return f"{c_name(t.to)} *"
    if isinstance(t, Array):
        return f"{c_name(t.element)}[]"
    if isinstance(t, (RecordRef, Record)):
        return f"{t.kind} {t.tag}" if t.tag else f"{t.kind}"
    if isinstance(t, (EnumRef, Enum)):
        return f"enum {t.tag}" if t.tag else "enum"
    if isinstance(t, TypedefRef):
        return t.name
    if isinstance(t, Function):
        return f"{c_name(t.returns)} ()"
    return "?"
