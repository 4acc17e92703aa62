"""Layouts as text, the way pahole prints them.

Kernel developers read struct layouts in pahole's format every day, so we copy
its habits (dwarves_fprintf.c): one tab per nesting level, the type padded to
26 columns and ``name;`` to 23, then ``/* offset size */`` as ``%5u %5u``;
bitfields as ``name:w;`` with ``/* offset:bit size */`` where offset is the
storage unit's; ``/* XXX N bytes hole, try to pack */`` after the member that
precedes a hole; cacheline markers every 64 bytes; and the footer in pahole's
order.  Nested records are expanded inline (pahole's ``--expand_types``),
with absolute offsets.

For several targets, ``render_comparison`` groups targets with identical
layouts and prints one column per group, marking the rows that differ.
"""
from __future__ import annotations

from typing import Sequence

from abicheck.layout import Member, TypeLayout, gaps, member_end

CACHELINE = 64


def _comment(off: int, size: int) -> str:
    return f"/* {off:5d} {size:5d} */"


def _decl(type_name: str, name: str, depth: int) -> str:
    """``type`` padded to 26 columns, ``name;`` to 23, as pahole does."""
    dims = ""
    if "[" in type_name:
        type_name, dims = type_name[:type_name.index("[")], type_name[type_name.index("["):]
    tabs = "\t" * depth
    return f"{tabs}{type_name:<26} {name + dims + ';':<23}"


def _hole_line(bits: int, depth: int) -> str:
    tabs = "\t" * depth
    if bits % 8:
        n = bits
        unit = "bit" if n == 1 else "bits"
    else:
        n = bits // 8
        unit = "byte" if n == 1 else "bytes"
    return f"\n{tabs}/* XXX {n} {unit} hole, try to pack */\n"


class _Printer:
    def __init__(self) -> None:
        self.lines: list[str] = []
        self.next_cacheline = CACHELINE

    def record(self, node: Member, depth: int) -> None:
        holes = {idx: bits for idx, _, bits in gaps(node, (node.offset + node.size) * 8)} \
            if node.kind == "struct" else {}
        if -1 in holes:
            self.lines.append(_hole_line(holes[-1], depth))
        for i, c in enumerate(node.children):
            if depth == 1:
                while c.offset >= self.next_cacheline:
                    n = self.next_cacheline // CACHELINE
                    self.lines.append(f"\t/* --- cacheline {n} boundary ({self.next_cacheline} bytes) --- */")
                    self.next_cacheline += CACHELINE
            self.member(c, depth)
            if i in holes:
                self.lines.append(_hole_line(holes[i], depth))

    def member(self, c: Member, depth: int) -> None:
        tabs = "\t" * depth
        if c.kind in ("struct", "union") and c.children:
            self.lines.append(f"{tabs}{_record_head(c)} {{")
            self.record(c, depth + 1)
            closing = f"}} {c.name};" if c.name else "};"
            self.lines.append(f"{tabs}{closing:<50}{_comment(c.offset, c.size)}")
            return
        name = c.name or ""
        if c.bit_width is not None:
            unit = c.bit_offset // (c.size * 8) * c.size
            bit = c.bit_offset - unit * 8
            line = _decl(c.type_name, f"{name}:{c.bit_width}", depth)
            self.lines.append(f"{line}/* {unit:5d}:{bit:2d} {c.size:4d} */")
        else:
            self.lines.append(_decl(c.type_name, name, depth) + _comment(c.offset, c.size))


def _record_head(c: Member) -> str:
    """``struct tag`` (seen through typedefs), or the bare keyword."""
    return f"{c.kind} {c.tag}" if c.tag else c.kind


def render(lay: TypeLayout) -> str:
    """One type on one target, pahole style, with a ``target`` header line."""
    root = lay.root
    p = _Printer()
    out = [f"/* {lay.name} on {lay.target}"
           + (f", declared at {lay.loc}" if lay.loc else "") + " */"]
    if root.kind not in ("struct", "union"):
        out.append(f"typedef {root.type_name} {lay.name};  /* size: {lay.size}, align: {lay.align} */")
        return "\n".join(out) + "\n"
    out.append(f"{_record_head(root)} {{")
    p.record(root, 1)
    out.extend(p.lines)
    out.append("")
    out.extend(_footer(lay))
    out.append("};")
    return "\n".join(out) + "\n"


def _footer(lay: TypeLayout) -> list[str]:
    root = lay.root
    size = lay.size
    tops = root.children
    hole_list = gaps(root) if root.kind == "struct" else []
    hole_bits = sum(b for _, _, b in hole_list)
    byte_holes = [b for _, _, b in hole_list if b % 8 == 0]
    bit_holes = [b for _, _, b in hole_list if b % 8]
    bf_bits = sum(c.bit_width for c in tops if c.bit_width is not None)
    member_bits = sum(c.size * 8 for c in tops if c.bit_width is None) + bf_bits
    cachelines = (size + CACHELINE - 1) // CACHELINE
    lines = [f"\t/* size: {size}, cachelines: {cachelines}, members: {len(tops)} */"]
    if root.kind == "struct":
        end = max((member_end(c) for c in tops), default=0)
        pad_bits = size * 8 - end
        if hole_list:
            lines.append(f"\t/* sum members: {member_bits // 8}, holes: {len(byte_holes)}, "
                         f"sum holes: {sum(byte_holes) // 8} */")
        if bf_bits:
            lines.append(f"\t/* sum bitfield members: {bf_bits} bits"
                         + (f", bit holes: {len(bit_holes)}, sum bit holes: {sum(bit_holes)} bits"
                            if bit_holes else "") + " */")
        if pad_bits >= 8:
            lines.append(f"\t/* padding: {pad_bits // 8} */")
        if pad_bits % 8:
            lines.append(f"\t/* bit_padding: {pad_bits % 8} bits */")
        if member_bits + hole_bits + pad_bits != size * 8:
            lines.append(f"\t/* BRAIN FART ALERT! {size} != {member_bits // 8} + "
                         f"{hole_bits // 8}(holes), diff = {size - (member_bits + hole_bits + pad_bits) // 8} */")
    last = size % CACHELINE
    lines.append(f"\t/* last cacheline: {last or CACHELINE} bytes */")
    return lines


def render_comparison(layouts: Sequence[TypeLayout]) -> str:
    """One type across several targets: one column per group of targets whose
    layouts are identical; rows that differ between groups are marked ``!``."""
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
    out.append(head)

    def row(label: str, cells: list[str]) -> str:
        mark = "!" if len(set(cells)) > 1 else " "
        return f"{mark} {label:<{width}}" + "".join(f"{c:>{col}}" for c in cells)

    out.append(row("size/align", [f"{rep.size}/{rep.align}" for _, rep in groups]))
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
        out.append(row(p, cells))
    return "\n".join(out) + "\n"


def _signature(lay: TypeLayout) -> tuple:
    return (lay.size, lay.align, tuple((x.path, x.offset, x.size, x.bit_offset, x.bit_width)
                                       for x in lay.members()))
