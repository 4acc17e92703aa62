"""What reordering a struct's members would save: pahole's ``-P/--packable``.

pahole prints ``NAME<TAB>size<TAB>reordered size<TAB>saved`` for each struct
with holes that its reorganizer (``dwarves_reorganize.c``) can shrink.  That
reorganizer is a heuristic on DWARF alone: it moves members into holes by
size, assumes word-sized alignment and knows nothing of ``aligned``
attributes, so it can promise sizes no compiler gives (``struct { char a; int
b __attribute__((aligned(16))); char c; } __attribute__((aligned(32)))``:
pahole says 32 -> 20; it stays 32 in any order).

We print what a reordering really gives on each ABI: the members sorted by
their alignment, largest first (bitfields that share storage kept together,
a flexible array kept last), laid out again by the layout engine with every
attribute, ``#pragma pack`` and ABI rule it applies to the original.  For
members that are not bitfields that order is optimal (each member then
starts aligned, so no hole is left and the size is the members' sum rounded
up to the alignment); for runs of bitfields two more orders are tried
(bitfields after the other members of their alignment, or last) and the
smallest size is kept.  Like pahole, only structs with holes or bit holes
are candidates.
"""
from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from abicheck import model as m

if TYPE_CHECKING:
    from abicheck.layout import Layouter, TypeLayout


def record_name(lay: "TypeLayout") -> str:
    """The name pahole prints: the tag, or for an anonymous struct its typedef."""
    return lay.root.tag or lay.name


def reordered_size(engine: "Layouter", lay: "TypeLayout") -> int:
    """The size of ``lay``'s struct with its members reordered as above (its
    own size when no order is smaller, or when it is no struct)."""
    return reorder(engine, lay)[0]


def reorder(engine: "Layouter", lay: "TypeLayout") -> tuple[int, tuple[m.Field, ...]]:
    """The smallest of the orders above: (its size, its fields); the
    record's own when none is smaller."""
    rec = engine.strip(lay.root.type)
    if not isinstance(rec, m.Record) or rec.kind != "struct" or not rec.fields:
        return lay.size, getattr(rec, "fields", None) or ()
    placed, size, _ = engine.place(rec)
    aligns = {id(f): align for f, _, _, align in placed}
    # groups of fields that move together: one member, or a run of bitfields
    # (zero-width ones included: the engine places them nowhere)
    groups: list[tuple[list[m.Field], int, bool]] = []
    for f in rec.fields:
        bits = f.bits is not None
        align = aligns.get(id(f), 1)
        if bits and groups and groups[-1][2]:
            fields, a, _ = groups[-1]
            groups[-1] = (fields + [f], max(a, align), True)
        else:
            groups.append(([f], align, bits))
    pinned: list[tuple[list[m.Field], int, bool]] = []
    last = rec.fields[-1]
    if not groups[-1][2] and id(last) in aligns and placed[-1][0] is last and placed[-1][2] == 0:
        pinned = [groups.pop()]          # a flexible or zero-length array stays last
    orders = [
        sorted(groups, key=lambda g: -g[1]),
        sorted(groups, key=lambda g: (-g[1], g[2])),
        sorted(groups, key=lambda g: (g[2], -g[1])),
    ]
    best = (size, rec.fields)
    for order in orders:
        fields = tuple(f for fs, _, _ in order + pinned for f in fs)
        if fields != rec.fields:
            new = engine.place(dataclasses.replace(rec, fields=fields))[1]
            if new < best[0]:
                best = (new, fields)
    return best


def packable_lines(rows: list[tuple[str, list[tuple[str, int, int]]]], targets: list[str]) -> str:
    """pahole's lines for one target (after our comment line); for several,
    one line per record and group of targets with the same numbers, the
    targets in a fifth column (a target where nothing is saved shows 0)."""
    if len(targets) == 1:
        out = [f"/* packable structs on {targets[0]}: name, size, reordered size, bytes saved */"]
        out += [f"{name}\t{size}\t{new}\t{size - new}" for name, per in rows for _, size, new in per]
        return "\n".join(out) + "\n"
    out = [f"/* packable structs on {len(targets)} targets: name, size, reordered size, bytes saved, "
           "targets */"]
    for name, per in rows:
        groups: dict[tuple[int, int], list[str]] = {}
        for target, size, new in per:
            groups.setdefault((size, new), []).append(target)
        for (size, new), names in groups.items():
            out.append(f"{name}\t{size}\t{new}\t{size - new}\t{', '.join(names)}")
    return "\n".join(out) + "\n"
