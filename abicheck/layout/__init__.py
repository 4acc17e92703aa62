"""Layout: (type model, target) -> where every byte and bit goes, as GCC
would lay it out.

``engine`` (``Layouter``: sizes, alignments, the member tree), ``records``
(member placement: GCC's rules), ``tree`` (the result: ``TypeLayout``,
``Member``, ``Hole``), ``dwarf`` (what DWARF records beyond the layout, for
the pahole view).  Everything is importable from here as before the split.
"""
from __future__ import annotations

from abicheck import model as m
from abicheck.errors import EvalError
from abicheck.layout.engine import Layouter
from abicheck.layout.records import MAX_ALIGN
from abicheck.layout.tree import Hole, Member, TypeLayout, gaps, member_end, padding
from abicheck.targets import Target


def layout_type(unit: m.Unit, name: str, target: Target) -> TypeLayout:
    """The layout of the type called ``name`` in ``unit`` on ``target``."""
    return Layouter(unit, target).layout(name)


__all__ = ["EvalError", "Hole", "Layouter", "MAX_ALIGN", "Member", "TypeLayout", "gaps", "layout_type",
           "member_end", "padding"]
