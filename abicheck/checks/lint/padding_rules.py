"""Rules about implicit padding (ABI33x): bytes no declaration owns.

The holes are the layout engine's (``TypeLayout.holes``: every struct level,
nested ones included, and a nested struct's own tail), on each target, so a
hole that exists only where ``long`` is 8 bytes or a 64-bit integer is
8-aligned is reported on exactly those ABIs.  Implicit padding is where the
kernel leaks stack bytes to user space and where the next member cannot go
without a layout change on some ABI; uapi convention is to declare it
(``__u32 __reserved;``).  Unnamed bitfields are explicit padding: a hole
they span is declared, and not reported.  A hole in one arm of a union whose
bytes another member of the union owns (siginfo's ``int _si_pad[32]`` beside
its fields) is declared too; it is a note of its own (ABI332), since a
member added into it still changes nothing, but code that fills only that
arm leaves those bytes as they were.
"""
from __future__ import annotations

from collections.abc import Iterator

from abicheck import model as m
from abicheck.checks.lint import multiabi as ma
from abicheck.checks.lint.context import HeaderContext
from abicheck.checks.lint.rules import Hit, rule


def _leaf_bits(lay) -> list[tuple[int, int]]:
    """Bit ranges of the record's leaf members (scalars, arrays, pointers)."""
    out = []
    for node in ma.nodes(lay).values():
        mem = node.member
        if mem.kind in ("struct", "union") or node.key == "":
            continue
        lo = mem.bit_offset if mem.bit_width is not None else mem.offset * 8
        out.append((lo, lo + (mem.bit_width if mem.bit_width is not None else mem.size * 8)))
    return out


def _holes(cx: HeaderContext, owned: bool) -> dict[tuple, dict]:
    """The holes of the header's records on every target, by where they
    are: those a union sibling owns (``owned``) or the others.  Both rules
    ask; the walk is done once per header."""
    if "holes" not in cx.memo:
        cx.memo["holes"] = {False: {}, True: {}}
        for t in cx.compiled():
            lay_t = cx.layouter(t.name)
            for lay in cx.records(t.name):
                leaves = _leaf_bits(lay) if lay.holes else []
                for h in lay.holes:
                    end = h.bit_offset + h.bits
                    if set(range(h.bit_offset, end)) <= _unnamed_bitfield_bits(lay_t, lay, h.record):
                        continue                # declared: an unnamed bitfield spans it
                    # members of one struct never overlap its holes: a leaf that
                    # covers one is in another arm of an enclosing union (its pad)
                    mine = any(lo <= h.bit_offset and end <= hi for lo, hi in leaves)
                    mem = ma.member_at(lay, h.after)
                    # a hole after a member of a record declared here is that record's
                    # (siginfo's copy of union __sifields has the same holes)
                    at = str(mem.loc) if mem is not None and cx.own(mem.loc) else \
                        (lay.name, h.record, h.after)
                    ent = cx.memo["holes"][mine].setdefault(
                        at, {"lay": lay, "rec": lay.name, "inside": h.record, "after": h.after,
                             "per": {}})
                    if ent["rec"] == lay.name:
                        ent["per"].setdefault(t.name, (h.bits, h.bit_offset))
    return cx.memo["holes"][owned]


def _hole_hits(cx: HeaderContext, found: dict[tuple, dict], what: str) -> Iterator[Hit]:
    for ent in found.values():
        lay, per, rec, inside, after = ent["lay"], ent["per"], ent["rec"], ent["inside"], ent["after"]
        mem = ma.member_at(lay, after)
        loc = mem.loc if mem is not None and cx.own(mem.loc) else lay.loc
        where = f"after {after}" if after else "at the start" + (f" of {inside}" if inside else "")
        parts = []
        for (bits, off), ts in ma.grouped(per):
            size = f"{bits // 8} byte{'s' if bits != 8 else ''}" if bits % 8 == 0 else f"{bits} bits"
            parts.append(f"{size} ({ma.byte_range(off, bits)}) on {ma.abis(ts, cx)}")
        yield Hit(loc, f"{rec} has {what} {where}: " + "; ".join(parts),
                  f"{rec} hole {where}", ma.targets_in_order(cx, per))


def _unnamed_bitfield_bits(lay_t, lay, path) -> set[int]:
    """Absolute bits that the unnamed bitfields of struct level ``path``
    span (explicit padding the layout tree leaves out)."""
    out: set[int] = set()
    for node in ma.nodes(lay).values():
        mem = node.member
        if mem.kind != "struct" or mem.path != path:
            continue
        rec = lay_t.strip(mem.type)
        if not isinstance(rec, m.Record):
            continue
        for fld, off, _, _ in lay_t.place(rec)[0]:
            if fld.name is None and fld.bits is not None:
                start = mem.offset * 8 + off
                out.update(range(start, start + lay_t.eval(fld.bits, fld.loc)))
    return out


@rule("ABI330", "implicit-padding", "warning",
      "a hole inside a record that no member declares, on some ABI",
      "Where a member's alignment leaves bytes unused, the compiler pads silently: the kernel may copy "
      "uninitialised bytes to user space there, and a member added later into the hole changes the "
      "layout on some ABIs but not others. Holes depend on the ABI (long, pointers and 64-bit "
      "integers differ in size and alignment), so each is reported with the ABIs and byte ranges "
      "where it exists.",
      bad="struct req {\n\t__u32 flags;\n\t__u64 addr;\n};",
      good="struct req {\n\t__u32 flags;\n\t__u32 __reserved;\n\t__u64 addr;\n};",
      fix="Declare the bytes as a reserved member (__u32 __reserved;), or reorder the members.",
      layout=True)
def implicit_padding(cx: HeaderContext) -> Iterator[Hit]:
    yield from _hole_hits(cx, _holes(cx, owned=False), "implicit padding")


@rule("ABI332", "union-arm-padding", "note",
      "a hole in one arm of a union, in bytes another member of the union owns",
      "A union sized by a pad array (siginfo's _pad, _si_pad) owns every byte, so a hole inside one "
      "of its arms is declared and a member can later go there without moving anything. The hole "
      "is still there in that arm: code that fills a record through it and not through the whole "
      "union (the kernel clears siginfo first for this reason) leaves those bytes as they were.",
      bad="union ev {\n\tstruct {\n\t\t__u32 code;\n\t\t__u64 addr;\n\t} fault;\n"
          "\t__u32 _pad[8];\n};",
      good="union ev {\n\tstruct {\n\t\t__u32 code;\n\t\t__u32 __reserved;\n"
           "\t\t__u64 addr;\n\t} fault;\n\t__u32 _pad[8];\n};",
      fix="Name the bytes in the arm (__u32 __reserved;) if code fills the arm alone; otherwise "
          "clear the whole union before filling it.",
      layout=True)
def union_arm_padding(cx: HeaderContext) -> Iterator[Hit]:
    yield from _hole_hits(cx, _holes(cx, owned=True), "padding in a union arm")


@rule("ABI331", "tail-padding-differs", "warning",
      "a record's tail padding differs between ABIs",
      "A struct is padded at its end to a multiple of its alignment. Where that alignment differs "
      "between ABIs (a 64-bit member is 8-aligned on x86_64 and arm but 4-aligned on i386), so does "
      "the size: a copy of sizeof bytes reads or writes a different length on each, and an array of "
      "the records has another stride. Declaring the tail makes the size the same everywhere.",
      bad="struct ev {\n\t__u64 time;\n\t__u32 code;\n};",
      good="struct ev {\n\t__u64 time;\n\t__u32 code;\n\t__u32 __reserved;\n};",
      fix="Declare the tail as a reserved member so every ABI has the same size.",
      layout=True)
def tail_padding_differs(cx: HeaderContext) -> Iterator[Hit]:
    for rec, per_t in ma.record_layouts(cx).items():
        pads = {t: lay.padding for t, lay in per_t.items() if lay.kind == "struct"}
        if len(set(pads.values())) < 2:
            continue
        least = min(pads.values())
        first = next(iter(per_t.values()))
        parts = []
        for pad, ts in sorted(ma.grouped(pads), key=lambda x: -x[0]):
            sizes = sorted({per_t[t].size for t in ts})
            n = "no tail padding" if pad == 0 else f"{pad} bytes of tail padding"
            parts.append(f"{n} (size {'/'.join(map(str, sizes))}) on {ma.abis(ts, cx)}")
        yield Hit(first.loc, f"{rec} ends in " + "; ".join(parts), f"{rec} tail padding",
                  ma.targets_in_order(cx, [t for t, p in pads.items() if p > least]))
