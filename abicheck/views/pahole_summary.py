"""The lines pahole prints after a struct's members: the padding it calls
forced, and the summary, in pahole's order.

The numbers come from the member walk of ``views/pahole.py`` (its ``Stats``:
holes and paddings among the struct's own members) and from the layout; the
cacheline size is pahole's ``-c`` (64 by default).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from abicheck.layout import Member, TypeLayout
from abicheck.views.dwarf_names import type_name
from abicheck.views.pahole_geometry import record_end


@dataclass
class Stats:
    """The top-level struct's numbers for the summary."""

    holes: list[int] = field(default_factory=list)
    bit_holes: list[int] = field(default_factory=list)
    paddings: list[int] = field(default_factory=list)
    forced: int = 0
    forced_holes: list[int] = field(default_factory=list)


def forced_padding(root: Member, column: Callable[[str, int], str]) -> list[str]:
    """Tail padding of at least the record's alignment cannot be the
    compiler's, so pahole shows it as unnamed bitfields of the last
    member's type (``int :32;`` per four bytes)."""
    kids = root.children
    if root.kind != "struct" or not kids:
        return []
    last = kids[-1]
    padding = root.size - record_end(root)
    align = root.record_user_align or max(k.natural_align for k in kids)
    if padding < align or last.bit_width is not None or last.kind not in ("scalar", "pointer", "enum") \
            or not last.size or padding % last.size:
        return []
    line = f"\t{column(type_name(last.type), 1)} :{last.size * 8};"
    return ["", "\t/* Force padding: */"] + [line] * (padding // last.size)


def summary(lay: TypeLayout, st: Stats, cacheline: int = 64) -> list[str]:
    """pahole's summary lines of a struct, in its order, for cachelines of
    ``cacheline`` bytes."""
    root = lay.root
    kids = root.children
    size = lay.size
    out = [f"/* size: {size}, cachelines: {(size + cacheline - 1) // cacheline}, members: {len(kids)} */"]
    members = sum(c.size for c in kids if c.bit_width is None)
    if st.holes or (st.bit_holes and members):
        out.append(f"/* sum members: {members}"
                   + (f", holes: {len(st.holes)}, sum holes: {sum(st.holes)}" if st.holes else "") + " */")
    bits = sum(c.bit_width for c in kids if c.bit_width is not None)
    if st.bit_holes:
        out.append(f"/* sum bitfield members: {bits} bits, bit holes: {len(st.bit_holes)}, "
                   f"sum bit holes: {sum(st.bit_holes)} bits */")
    elif bits and st.holes:
        out.append(f"/* sum bitfield members: {bits} bits ({bits // 8} bytes) */")
    # pahole's order: padding, the members' paddings, then bit padding
    bit_padding = 0
    if not kids:
        if size:
            out.append(f"/* padding: {size} */")
    else:
        last = kids[-1]
        end = record_end(root)
        padding = max(0, size - end)
        if padding:
            out.append(f"/* padding: {padding} */")
        if last.bit_width is not None:
            bit_padding = min(end, size) * 8 - (last.bit_offset + last.bit_width)
    if st.paddings:
        out.append(f"/* paddings: {len(st.paddings)}, sum paddings: {sum(st.paddings)} */")
    if bit_padding:
        out.append(f"/* bit_padding: {bit_padding} bits */")
    if st.forced:
        out.append(f"/* forced alignments: {st.forced}"
                   + (f", forced holes: {len(st.forced_holes)}, sum forced holes: {sum(st.forced_holes)}"
                      if st.forced_holes else "") + " */")
    if size % cacheline:
        out.append(f"/* last cacheline: {size % cacheline} bytes */")
    return ["\t" + x for x in out]
