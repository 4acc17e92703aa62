"""Where pahole sees a record's members start and end, and what it infers
from that: holes, tail padding, and ``__packed__`` (DWARF has no flag for it).

Shared by the pahole text (``views/pahole.py``), its filters and the packing
report (``views/packable.py``), so that all count holes the same way.
"""
from __future__ import annotations

from abicheck import model as m
from abicheck.layout import Member


def expanded(c: Member) -> bool:
    """pahole expands a member in place when its type is an anonymous record
    written there (DWARF gives it no name to print instead)."""
    return c.kind in ("struct", "union") and isinstance(c.type, m.Record) and c.type.tag is None


def unit(c: Member) -> int:
    """Byte offset of a bitfield's storage unit (of its type's size)."""
    return c.bit_offset // (c.size * 8) * c.size


def start_byte(c: Member) -> int:
    return unit(c) if c.bit_width is not None else c.offset


def end_byte(c: Member) -> int:
    return start_byte(c) + c.size


def record_end(node: Member) -> int:
    """Where pahole sees a record's members end (its padding starts): the
    last member's end, or for a trailing bitfield the end of the unit it was
    merged into, or of its bits where they run past that unit (m68k)."""
    last = node.children[-1]
    if last.bit_width is None:
        return end_byte(last)
    bits_end = (last.bit_offset + last.bit_width + 7) // 8
    return max(max(end_byte(k) for k in node.children), bits_end)


def has_hole(node: Member) -> bool:
    last = None
    for k in node.children:
        if last is not None and start_byte(k) > end_byte(last):
            return True
        last = k
    return False


def infer_packing(root: Member, every_record: bool = False) -> dict[int, bool]:
    """Which expanded records pahole prints ``__packed__`` (DWARF has no flag
    for it), keyed by ``id``.  pahole decides top-down and a decision sticks:
    a struct with no hole and no padding is packed when a member sits off its
    natural alignment or the size is not a multiple of the largest; a struct
    with holes or padding is not, but marks its struct members placed off
    their natural alignment; a union is not, but marks its struct members
    whose natural alignment does not divide its size.  ``every_record``:
    members of named record types are expanded too (pahole's -E)."""
    decided: dict[int, bool] = {}

    def visit(node: Member) -> None:
        kids = node.children
        structs = [k for k in kids if k.kind == "struct"]
        if id(node) not in decided and kids:
            if node.kind == "union":
                decided[id(node)] = False
                for k in structs:
                    if node.size % k.natural_align:
                        decided.setdefault(id(k), True)
            elif has_hole(node) or record_end(node) < node.offset + node.size:
                decided[id(node)] = False
                for k in structs:
                    if (k.offset - node.offset) % k.natural_align:
                        decided.setdefault(id(k), True)
            else:
                aligns = [k.natural_align for k in kids if k.natural_align > 1]
                decided[id(node)] = any((start_byte(k) - node.offset) % k.natural_align for k in kids) \
                    or (bool(aligns) and node.size % max(aligns) != 0)
        for k in kids:
            if expanded(k) or (every_record and k.kind in ("struct", "union")):
                visit(k)
            elif k.element is not None:
                visit(k.element)
    visit(root)
    return decided


def tail_padding(c: Member) -> int:
    """Bytes after a struct's last member (pahole's class->padding)."""
    if c.kind != "struct" or not c.children:
        return 0
    return max(0, c.offset + c.size - record_end(c))
