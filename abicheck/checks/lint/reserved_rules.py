"""Rules about reserved bytes and union owners (ABI36x).

Reserved members are how a uapi record keeps room to grow: tools (``abicheck
diff`` included) and reviewers recognise them by name (``__reserved``,
``pad``, ``__unused``, ``spare``, ``rsvd``) and treat putting them to use as
a compatible change.  What is decidable about a member that *is* reserved
but not named so:

- ABI360: its name says filler in other words (``dummy``, ``filler``,
  ``junk``, ``placeholder``, a member called ``align``): it is reserved, and
  misnamed;
- ABI362: it is a byte array (``__u8 x[3]``, ``char x[4]``) that only fills
  alignment padding: without it, every other member keeps its offset and the
  record its size, on that ABI.  Real data can happen to fit that shape (a
  FAT32 version before a ``__le32``), so it is a note of its own id, which a
  project can disable without losing ABI360.

A union owns its bytes through its members; where every member ends before
the union's size (its alignment, an attribute, or a member that is smaller
on that ABI), the bytes past the largest member belong to no member, and
what the kernel leaves there is undefined to every reader.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from abicheck.checks.lint import multiabi as ma
from abicheck.checks.lint.context import HeaderContext
from abicheck.checks.lint.rules import Hit, rule
from abicheck.names import RESERVED
from abicheck.layout import Member, member_end

#: Filler in other words.  Not "fill": rings have fill queues (xdp's
#: rx_fill_ring_empty_descs is a counter, found on the real trees).
FILLER = re.compile(r"(^|_)(dummy|filler|junk|placeholder)(_|\d|$)|^_*align(ment)?\d*$", re.IGNORECASE)


def _unnamed_bits(cx: HeaderContext, target: str, u: Member) -> list[int]:
    """Widths of the unnamed bitfields a union declares: explicit padding
    (the kernel's ``__bpf_md_ptr`` pads a pointer to 8 bytes with ``__u64 :64``),
    which the layout tree leaves out."""
    lay = cx.layouter(target)
    rec = lay.strip(u.type)
    return [lay.eval(f.bits, f.loc) for f in getattr(rec, "fields", None) or ()
            if f.name is None and f.bits is not None]


def _round(x: int, a: int) -> int:
    return (x + a - 1) // a * a if a > 1 else x


def _byte_array(mem: Member) -> bool:
    if mem.kind != "array" or mem.bit_width is not None:
        return False
    dims = re.findall(r"\[(\d*)\]", mem.type_name)
    n = 1
    for d in dims:
        if not d:
            return False
        n *= int(d)
    return n > 0 and mem.size == n


def fills_padding(node: Member, i: int, rec_align: int) -> bool:
    """Does child ``i`` of struct ``node`` only fill bytes the compiler
    would pad anyway (the others keep their offsets and the size without it)?"""
    kids = node.children
    mem = kids[i]
    if i == 0:
        return False
    prev_end = (member_end(kids[i - 1]) + 7) // 8
    if mem.offset != prev_end:
        return False
    if i + 1 < len(kids):
        nxt = kids[i + 1]
        if nxt.bit_offset is not None:
            return False
        return _round(prev_end - node.offset, nxt.align) + node.offset == nxt.offset
    return _round(prev_end - node.offset, rec_align) == node.size


def _reserved_candidates(cx: HeaderContext, shape: bool) -> Iterator[Hit]:
    """Members named as filler (``shape`` False) or byte arrays that only fill
    alignment padding (``shape`` True), not named as reserved."""
    found: dict[tuple, dict] = {}
    for t in cx.compiled():
        for lay in cx.records(t.name):
            for key, n in ma.nodes(lay).items():
                mem = n.member
                if not key or mem.name is None or mem.loc is None or not cx.own(mem.loc):
                    continue
                if RESERVED.search(mem.name):
                    continue
                # a bitfield is data: tc_em_cmp.h's 'align:4' is the compare's alignment
                named = bool(FILLER.search(mem.name)) and mem.bit_width is None
                if shape:
                    if named or n.parent is None or n.parent.kind != "struct" or not _byte_array(mem):
                        continue
                    align = lay.align if n.parent is lay.root else n.parent.align
                    if not fills_padding(n.parent, n.index, align):
                        continue
                elif not named:
                    continue
                ent = found.setdefault((mem.loc.line, mem.loc.col), {"mem": mem, "rec": lay.name, "ts": []})
                if ent["rec"] == lay.name:
                    ent["ts"].append(t.name)
    for ent in found.values():
        mem, rec = ent["mem"], ent["rec"]
        if shape:
            why = (f"only fills alignment padding on {ma.abis(ent['ts'], cx)}: without it no other "
                   "member moves and the size stays; if it is reserved, name it __reserved or pad")
        else:
            why = "is named as filler, not as reserved; name it __reserved or pad"
        yield Hit(mem.loc, f"{rec}: member {mem.path} ({mem.type_name}) {why}",
                  f"{rec}.{mem.path} reserved name", ma.targets_in_order(cx, ent["ts"]))


@rule("ABI360", "reserved-not-named-reserved", "note",
      "a member named as filler (dummy, filler, junk, align) rather than as reserved",
      "Reserved bytes are how a uapi record keeps room to grow, and readers, diff tools and code "
      "generators recognise them by name (__reserved, pad, __unused, spare, rsvd). A member called "
      "dummy, filler or align is reserved in fact but not by the convention: putting it to use "
      "later reads as a rename of a data member, and nothing tells users to zero it.",
      bad="struct addr {\n\t__u8 family;\n\t__u8 dummy[3];\n\t__u32 addr;\n};",
      good="struct addr {\n\t__u8 family;\n\t__u8 __reserved[3];\n\t__u32 addr;\n};",
      fix="Rename the member __reserved (or pad/__unused) and document that it must be zero.",
      layout=True)
def reserved_not_named(cx: HeaderContext) -> Iterator[Hit]:
    yield from _reserved_candidates(cx, shape=False)


@rule("ABI362", "padding-shaped-member", "note",
      "a byte array that only fills alignment padding, not named as reserved",
      "A byte array (__u8 x[3]) that sits exactly where the compiler would pad anyway -- remove it "
      "and every other member keeps its offset and the record its size, on that ABI -- is usually "
      "explicit padding under a data name. Real data can have that shape too (a 2-byte version "
      "before a __le32, 3 trace positions before a __u64: both seen on the real trees), so this is "
      "a note to look at, and the ABIs where the shape holds are named: the same array may be "
      "padding only where a 64-bit member is 8-aligned.",
      bad="struct slot {\n\t__u32 id;\n\t__u8 extra[4];\n\t__u64 value;\n};",
      good="struct slot {\n\t__u32 id;\n\t__u8 __reserved[4];\n\t__u64 value;\n};",
      fix="If the bytes are reserved, name them __reserved or pad; if they are data, waive the note.",
      layout=True)
def padding_shaped(cx: HeaderContext) -> Iterator[Hit]:
    yield from _reserved_candidates(cx, shape=True)


@rule("ABI361", "union-unowned-bytes", "warning",
      "a union has bytes no member covers on some ABI",
      "A union's size is its largest member's, rounded up to its alignment, or more with an aligned "
      "attribute. Where every member ends before the union does, the bytes past the largest member "
      "belong to none of them: the kernel does not say what it leaves there, and a member added "
      "later that uses them changes what old programs copy. Typically the largest member is smaller "
      "on one ABI (a long or pointer on a 32-bit ABI) than the member that sets the alignment.",
      bad="union val {\n\t__u64 u64;\n\t__u32 u32[3];\n};",
      good="union val {\n\t__u64 u64[2];\n\t__u32 u32[4];\n};",
      fix="Add a member (or a reserved array) that spans the whole union on every ABI.",
      layout=True)
def union_unowned(cx: HeaderContext) -> Iterator[Hit]:
    found: dict[tuple, dict] = {}
    for t in cx.compiled():
        for lay in cx.records(t.name):
            for key, n in ma.nodes(lay).items():
                u = n.member
                if u.kind != "union" or not u.children:
                    continue
                end = max([member_end(c) for c in u.children]
                          + [u.offset * 8 + b for b in _unnamed_bits(cx, t.name, u)])
                stop = (u.offset + u.size) * 8
                if end < stop:
                    at = str(u.loc) if key and u.loc is not None and cx.own(u.loc) else (lay.name, key)
                    ent = found.setdefault(at, {"lay": lay, "u": u, "key": key, "per": {}})
                    if ent["lay"].name != lay.name:
                        continue
                    largest = max(u.children, key=member_end)
                    ent["per"][t.name] = (end - u.offset * 8, stop - end,
                                          largest.name or "an anonymous member", u.size)
    for ent in found.values():
        u, lay, key = ent["u"], ent["lay"], ent["key"]
        rec = lay.name
        loc = u.loc if key and u.loc is not None and cx.own(u.loc) else lay.loc
        what = rec if not key else f"{rec}: {ma.describe(key, u)}"
        parts = [f"{ma.byte_range(end, bits)} of its {size} on {ma.abis(ts, cx)} (largest member: {big})"
                 for (end, bits, big, size), ts in ma.grouped(ent["per"])]
        yield Hit(loc, f"{what} has bytes no member owns: " + "; ".join(parts),
                  f"{rec}{'.' + key if key else ''} unowned bytes", ma.targets_in_order(cx, ent["per"]))
