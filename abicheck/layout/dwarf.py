"""What GCC writes into DWARF about a type beyond its layout, for views
that print what DWARF readers (pahole) print: whether an ``aligned``
attribute set its alignment (TYPE_USER_ALIGN, DW_AT_alignment), and its
natural alignment as pahole computes it to infer ``packed``.

Functions of a ``Layouter`` (its type table, target and memo tables); the
layout itself never depends on them, and they are computed only when asked
(``Member.user_align`` & co. call ``Facts``): every member tree used to pay
for them, and only the pahole view reads them.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from abicheck import model as m

if TYPE_CHECKING:
    from abicheck.layout.engine import Layouter


class Facts:
    """What a member's DWARF facts are computed from: its engine, its type
    and field (None for a top-level type or an array's element tree) as
    laid out, its alignment in the record and its type's own alignment.
    The type is kept here, not read from the member: a view may copy a
    member with another type (pahole -E shows it through its typedefs) and
    the facts stay those of the member as declared."""

    __slots__ = ("lay", "type", "field", "align", "type_align", "kind")

    def __init__(self, lay: "Layouter", t: m.Type, field: m.Field | None, align: int,
                 type_align: int, kind: str) -> None:
        self.lay, self.type, self.field = lay, t, field
        self.align, self.type_align, self.kind = align, type_align, kind

    def user_align(self) -> int:
        f = self.field
        if f is not None and (f.attrs.aligned is not None or user_aligned(self.lay, self.type)):
            return self.align
        return 0

    def record_user_align(self) -> int:
        if self.kind in ("struct", "union") and user_aligned(self.lay, self.type):
            return self.type_align
        return 0

    def natural_align(self) -> int:
        return natural_align(self.lay, self.type)


def natural_align(self, t: m.Type) -> int:
        return natural_align(self.lay, t)


def natural_align(lay: "Layouter", t: m.Type) -> int:
    """pahole's natural alignment of a type: a scalar's size, an array's
    element's, a record's largest member's, packing ignored."""
    s = lay.strip(t)
    while isinstance(s, m.Array):
        s = lay.strip(s.element)
    if isinstance(s, m.Record):
        if s.fields is None:
            return 1
        if id(s) not in lay._natural:
            lay._keep.append(s)
            lay._natural[id(s)] = 1          # a cycle guard; records cannot contain themselves
            lay._natural[id(s)] = max((natural_align(lay, f.type) for f in s.fields
                                        if f.name is not None or f.bits is None), default=1)
        return lay._natural[id(s)]
    if isinstance(s, m.Function):
        return 1
    return max(1, lay.size_align(s)[0])


def user_aligned(lay: "Layouter", t: m.Type) -> bool:
    """GCC's TYPE_USER_ALIGN: an ``aligned`` attribute on the type, on a
    typedef on the way to it, or (records) on any member, set its
    alignment; DWARF then records it and pahole prints it."""
    while True:
        if isinstance(t, m.TypedefRef):
            td = lay._typedef(t.name)
            if td.attrs.aligned is not None:
                return True
            t = td.type
        elif isinstance(t, m.Array):
            t = t.element
        else:
            break
    s = lay.strip(t)
    if not isinstance(s, m.Record) or s.fields is None:
        return False
    if id(s) not in lay._user_aligned:
        lay._keep.append(s)
        lay._user_aligned[id(s)] = False     # a cycle guard; records cannot contain themselves
        lay._user_aligned[id(s)] = s.attrs.aligned is not None or any(
            f.attrs.aligned is not None or user_aligned(lay, f.type) for f in s.fields)
    return lay._user_aligned[id(s)]
