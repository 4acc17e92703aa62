"""Rules about reserved bytes and union owners (ABI36x).

Reserved members are how a uapi record keeps room to grow: tools (``abicheck
diff`` included) and reviewers recognise them by name (``__reserved``,
``pad``, ``__unused``, ``spare``, ``rsvd``) and treat putting them to use as
a compatible change.  What is decidable about a member that *is* reserved
but not named so:

- its name says filler in other words (``dummy``, ``filler``, ``fill``,
  ``junk``, ``placeholder``): it is reserved, and misnamed;
- it is a byte array (``__u8 x[3]``, ``char x[4]``) that only fills
  alignment padding: without it, every other member keeps its offset and the
  record its size, on that ABI.  Real data can happen to fit that shape (a
  3-byte OUI before a ``__u32``), so this is a note.

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
from abicheck.layout import Member, member_end

RESERVED = re.compile(r"(^|_)(reserved|resv|rsvd|pad|unused|spare)", re.IGNORECASE)
FILLER = re.compile(r"(^|_)(dummy|filler|fill|junk|placeholder)(_|\d|$)", re.IGNORECASE)


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


@rule("ABI360", "reserved-not-named-reserved", "note",
      "a member that is reserved or padding is not named as reserved",
      "Reserved bytes are how a uapi record keeps room to grow, and readers, diff tools and "
      "code generators recognise them by name (__reserved, pad, __unused, spare). A member called "
      "dummy or filler, or a byte array that only fills the compiler's alignment padding, is "
      "reserved in fact but looks like data: putting it to use later reads as an incompatible "
      "rename, and nothing tells users to zero it.",
      bad="struct addr {\n\t__u8 family;\n\t__u8 dummy[3];\n\t__u32 addr;\n};",
      good="struct addr {\n\t__u8 family;\n\t__u8 __reserved[3];\n\t__u32 addr;\n};",
      fix="Rename the member __reserved (or pad/__unused) and document that it must be zero.",
      layout=True)
def reserved_not_named(cx: HeaderContext) -> Iterator[Hit]:
    found: dict[tuple, dict] = {}
    for t in cx.compiled():
        for lay in cx.records(t.name):
            for key, n in ma.nodes(lay).items():
                mem = n.member
                if not key or mem.name is None or mem.loc is None or not cx.own(mem.loc):
                    continue
                if RESERVED.search(mem.name):
                    continue
                named = bool(FILLER.search(mem.name))
                pad = (n.parent is not None and n.parent.kind == "struct" and _byte_array(mem)
                       and fills_padding(n.parent, n.index, lay.align if n.parent is lay.root
                                         else n.parent.align))
                if not (named or pad):
                    continue
                ent = found.setdefault((mem.loc.line, mem.loc.col), {
                    "mem": mem, "rec": lay.name, "named": named, "ts": []})
                if ent["rec"] == lay.name:
                    ent["ts"].append(t.name)
    for ent in found.values():
        mem, rec = ent["mem"], ent["rec"]
        if ent["named"]:
            why = "its name says it is filler"
        else:
            why = f"it only fills alignment padding on {ma.abis(ent['ts'], cx)}"
        yield Hit(mem.loc, f"{rec}: member {mem.path} ({mem.type_name}) is reserved in all but name "
                           f"({why}); name it __reserved or pad",
                  f"{rec}.{mem.path} reserved name", ma.targets_in_order(cx, ent["ts"]))


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
                end = max(member_end(c) for c in u.children)
                stop = (u.offset + u.size) * 8
                if end < stop:
                    at = str(u.loc) if key and u.loc is not None and cx.own(u.loc) else (lay.name, key)
                    ent = found.setdefault(at, {"lay": lay, "u": u, "key": key, "per": {}})
                    if ent["lay"].name != lay.name:
                        continue
                    largest = max(u.children, key=member_end)
                    ent["per"][t.name] = (end, stop - end, largest.name or "an anonymous member",
                                          u.size)
    for ent in found.values():
        u, lay, key = ent["u"], ent["lay"], ent["key"]
        rec = lay.name
        loc = u.loc if key and u.loc is not None and cx.own(u.loc) else lay.loc
        what = rec if not key else f"{rec}: {ma.describe(key, u)}"
        parts = [f"{ma.byte_range(end, bits)} of {size} on {ma.abis(ts, cx)} (largest member: {big})"
                 for (end, bits, big, size), ts in ma.grouped(ent["per"])]
        yield Hit(loc, f"{what} has bytes no member owns: " + "; ".join(parts),
                  f"{rec}{'.' + key if key else ''} unowned bytes", ma.targets_in_order(cx, ent["per"]))
