"""Layouts as text: pahole's, and a comparison table across targets.

One type on one target is printed exactly as ``pahole -C`` prints it from
DWARF (``views/pahole.py``), since that is the text kernel developers read.
For several targets, ``render_comparison`` groups targets with identical
layouts and prints one column per group, marking the rows that differ.
"""
from __future__ import annotations

from typing import Sequence

from abicheck.layout import TypeLayout
from abicheck.views import pahole
from abicheck.views.pahole_options import TextOptions


def render(lay: TypeLayout, opts: TextOptions = TextOptions()) -> str:
    """One type on one target: pahole's own text (see ``views/pahole.py``),
    shaped by pahole's options ``opts`` (whose ``layouter``, the target's
    engine, enums and typedefs need for their values and underlying types)."""
    return pahole.render(lay, opts)


def field_line(target: str, f: dict) -> str:
    """One ``--field`` result (``views/json.field_json``) as a line."""
    return (f"{target}: {f['accessor']} -> {f['path']}: offset {f['offset']}, size {f['size']}"
            + (f", bits {f['bit_offset']}:{f['bit_width']}" if f.get("bit_width") is not None
               else ""))


def render_comparison(layouts: Sequence[TypeLayout], only_differences: bool = False) -> str:
    """One type across several targets: one column per group of targets whose
    layouts are identical; rows that differ between groups are marked ``!``,
    and with ``only_differences`` are the only rows shown (the table is left
    out when no row differs: the headline says there is one layout)."""
    groups: list[tuple[list[str], TypeLayout]] = []
    for lay in layouts:
        sig = _signature(lay)
        for names, rep in groups:
            if _signature(rep) == sig:
                names.append(lay.target)
                break
        else:
            groups.append(([lay.target], lay))
    name = layouts[0].name
    out = [f"/* {name} on {len(layouts)} targets: {len(groups)} distinct layout"
           + ("s" if len(groups) != 1 else "") + " */"]
    for i, (names, _) in enumerate(groups):
        out.append(f"/* [{chr(65 + i)}] {', '.join(names)} */")
    paths: list[str] = []
    for _, rep in groups:
        for mem in rep.members():
            if mem.path not in paths:
                paths.append(mem.path)
    width = max([len(p) for p in paths] + [len("size/align")]) + 2
    col = 14
    head = f"  {'member':<{width}}" + "".join(f"{'[' + chr(65 + i) + '] off:size':>{col}}"
                                                for i in range(len(groups)))
    rows: list[str] = []

    def row(label: str, cells: list[str]) -> None:
        mark = "!" if len(set(cells)) > 1 else " "
        if mark == "!" or not only_differences:
            rows.append(f"{mark} {label:<{width}}" + "".join(f"{c:>{col}}" for c in cells))

    row("size/align", [f"{rep.size}/{rep.align}" for _, rep in groups])
    for p in paths:
        cells = []
        for _, rep in groups:
            mem = rep.member(p)
            if mem is None:
                cells.append("-")
            elif mem.bit_width is not None:
                cells.append(f"{mem.bit_offset}b:{mem.bit_width}b")
            else:
                cells.append(f"{mem.offset}:{mem.size}")
        row(p, cells)
    if rows:
        out += [head] + rows
    return "\n".join(out) + "\n"


def _signature(lay: TypeLayout) -> tuple:
    return (lay.size, lay.align, tuple((x.path, x.offset, x.size, x.bit_offset, x.bit_width)
                                       for x in lay.members()))
