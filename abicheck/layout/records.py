"""Member placement in a struct or union, as GCC's ``stor-layout.c`` does it.

The rules are those of GCC's ``stor-layout.c`` for the System V family of
psABIs that every Linux target uses (PCC_BITFIELD_TYPE_MATTERS):

- a member is placed at the next multiple of its alignment; the record's
  alignment is the largest member alignment; its size is rounded up to it;
- a member's alignment is its type's *in-struct* alignment (the ABI table's
  ``align``: i386 gives ``long long`` 4), lowered to 1 by ``packed`` on the
  member or record, then raised by the member's own ``aligned(N)``;
- a bitfield may not straddle more units of its type's alignment than the type
  itself has; if it would, it starts at the next such boundary (packed
  bitfields skip this rule and sit at the next free bit);
- on ABIs without PCC bitfield rules (m68k: ``pcc_bitfields`` false) a
  bitfield simply takes the next free bits and leaves the alignment alone;
- some ABIs give every record a minimum alignment (arm OABI: 4,
  ``record_min_align``), so ``struct { char c; }`` is 4 bytes there;
- a named bitfield raises the record's alignment to its type's, an unnamed one
  does not (except where the ABI says so: AAPCS, ``zero_width_bitfield_aligns_
  struct``); a zero-width bitfield moves the next member to its type's
  alignment boundary;
- ``aligned`` on a record raises its alignment; on a typedef it *sets* the
  alignment (GCC lets a typedef lower it: x32's 4-aligned 64-bit clock type);
- a flexible array member adds no size but its alignment.

Bounds are GCC's own, so what it rejects is rejected here and never laid out
as a giant: no object (array or record) may be larger than the target's
``PTRDIFF_MAX`` ("size of array is too large", "type is too large"), an
alignment must be a power of two no larger than 2**28 (ELF's
``MAX_OFILE_ALIGNMENT``), and a record cannot contain itself.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from abicheck import model as m
from abicheck.errors import LayoutError

if TYPE_CHECKING:
    from abicheck.layout.engine import Layouter

MAX_ALIGN = 1 << 28                 # gcc: MAX_OFILE_ALIGNMENT of ELF targets, in bytes


def _round(x: int, a: int) -> int:
    return (x + a - 1) // a * a if a > 1 else x


def place_fields(lay: "Layouter", rec: m.Record) -> tuple[list[tuple[m.Field, int, int, int]], int, int]:
    """[(field, bit offset from the record's start, size, alignment)], size,
    alignment of ``rec`` on ``lay``'s target: GCC's place_field, see the
    module docstring."""
    tgt = lay.target
    is_union = rec.kind == "union"
    rec_packed = rec.attrs.packed
    cap = rec.max_align            # #pragma pack(N): no member aligned beyond N
    pos = 0                        # next free bit
    rec_align = 1
    end = 0
    placed = []
    nfields = len(rec.fields)
    for i, f in enumerate(rec.fields):
        if f.attrs.mode or f.attrs.vector_size is not None:
            # GCC applies these to the member's type; the engine applies
            # them on typedefs only, so refuse rather than lay out wrong
            what = "mode" if f.attrs.mode else "vector_size"
            raise LayoutError(f"attribute {what} on member '{f.name}' is not supported "
                              "(declare it on a typedef)", f.loc)
        tsize, talign = lay.size_align(f.type, f.loc, f.name)
        if isinstance(lay.strip(f.type), m.Array) and lay.strip(f.type).length is None \
                and i != nfields - 1:
            raise LayoutError(f"flexible array member '{f.name}' not at end of struct", f.loc)
        packed = rec_packed or f.attrs.packed
        user_align = lay.alignment(f.attrs.aligned, f.loc) if f.attrs.aligned is not None else 0
        start = 0 if is_union else pos
        if f.bits is not None:
            width = lay.eval(f.bits, f.loc)
            if width < 0 or width > tsize * 8:
                raise LayoutError(f"bitfield width {width} of '{f.name}' exceeds its type", f.loc)
            if width == 0:
                # GCC: not influenced by packing; moves the next member to
                # the type's alignment (PCC) or EMPTY_FIELD_BOUNDARY, and
                # the space it skips counts in the record's size.
                if f.name:
                    raise LayoutError(f"zero-width bitfield '{f.name}' has a name", f.loc)
                if tgt.pcc_bitfields:
                    boundary = max(talign, user_align)
                    if tgt.zero_width_bitfield_aligns_struct:   # AAPCS: even when packed
                        rec_align = max(rec_align, talign)
                else:
                    boundary = max(tgt.empty_field_boundary, user_align)
                    rec_align = max(rec_align, boundary)
                if not is_union:
                    pos = _round(pos, boundary * 8)
                    end = max(end, pos)
                continue
            if user_align:
                start = _round(start, user_align * 8)
            type_align = 1 if packed or not tgt.pcc_bitfields else talign
            if cap and tgt.pcc_bitfields:
                type_align, user_align = min(type_align, cap), min(user_align, cap)
            # GCC layout_decl: a bitfield exactly as wide as an integer
            # mode, at a position already aligned for that mode, becomes an
            # ordinary field of that mode: no straddle rule, and it aligns
            # the record (visible on m68k and with over-aligned typedefs).
            mode = {8: "char", 16: "short", 32: "int", 64: "long long"}.get(width)
            xalign = tgt.scalar(mode).align if mode else 0
            known = start & -start if start else 1 << 30
            as_field = bool(mode) and not (xalign > 1 and packed) and known >= xalign * 8
            # GCC skips the straddle rule while a #pragma pack is in force
            if not as_field and not packed and not cap and tgt.pcc_bitfields:
                unit = talign * 8
                if (start % unit + width + unit - 1) // unit > (tsize * 8) // unit:
                    # GCC rounds the bit position *within* the current
                    # BIGGEST_ALIGNMENT-aligned offset (place_field rounds
                    # rli->bitpos, not the offset), which only shows for
                    # over-aligned typedefs: unit > biggest alignment.
                    base = start - start % (tgt.biggest_alignment * 8)
                    start = base + _round(start - base, unit)
            if f.name or tgt.zero_width_bitfield_aligns_struct:
                rec_align = max(rec_align, type_align, user_align)
            else:
                rec_align = max(rec_align, user_align)
            if as_field and (f.name or not tgt.pcc_bitfields):
                # the field's mode alignment counts: PCC ABIs took the
                # type's alignment already, but a typedef may have lowered
                # it (aligned(2) on a 64-bit type: gcc still aligns 8);
                # #pragma pack caps it
                rec_align = max(rec_align, min(xalign, cap) if cap else xalign)
            placed.append((f, start, tsize, talign))
            pos = start + width
            end = max(end, pos)
            continue
        falign = max(1 if packed else talign, user_align)
        if cap:
            falign = min(falign, cap)
        start = _round(start, falign * 8)
        rec_align = max(rec_align, falign)
        placed.append((f, start, tsize, falign))
        pos = start + tsize * 8
        end = max(end, pos)
    if rec.attrs.aligned is not None:
        rec_align = max(rec_align, lay.alignment(rec.attrs.aligned, rec.loc))
    if not rec_packed:             # GCC: STRUCTURE_SIZE_BOUNDARY spares packed records
        # and #pragma pack caps it (arm OABI: pack(2) gives 2, not 4)
        rec_align = max(rec_align, min(tgt.record_min_align, cap) if cap else tgt.record_min_align)
    size = _round(_round(end, 8) // 8, rec_align)
    return placed, size, rec_align
