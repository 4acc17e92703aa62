"""Rules about compat hazards (ABI35x): a 64-bit kernel serving 32-bit programs.

A 64-bit kernel runs the 32-bit programs of its compat ABIs (the ABI
table's ``compat`` field: x86_64 runs i386 and x32, aarch64 runs arm EABI,
...).  Every record whose members differ in size between the two needs a
hand-written ``compat_`` twin and conversion code in the kernel, or the
32-bit program reads the 64-bit layout.  Pointers, ``long``, ``size_t`` and
the kernel's own ``__kernel_long_t`` are the usual causes; fixed-width types
and ``__aligned_u64``-held pointers are not.
"""
from __future__ import annotations

from collections.abc import Iterator

from abicheck.checks.lint import multiabi as ma
from abicheck.checks.lint.context import HeaderContext
from abicheck.checks.lint.rules import Hit, rule


def compat_pairs(cx: HeaderContext) -> list[tuple[str, str]]:
    """(64-bit ABI, its compat ABI) for every pair of the run that compiles."""
    names = {t.name for t in cx.compiled()}
    return [(t.name, c) for t in cx.compiled() for c in t.compat if c in names]


def _differing(a: dict, b: dict, key: str) -> list[str]:
    """The deepest members under ``key`` whose size differs between trees a and b."""
    if key not in a or key not in b or a[key].member.size == b[key].member.size:
        return []
    inner = [d for k in ma.children(a, key) for d in _differing(a, b, k)]
    return inner or [key]


@rule("ABI350", "compat-size-differs", "warning",
      "a member's size differs between a 64-bit ABI and its 32-bit compat ABI",
      "A 64-bit kernel runs the 32-bit programs of its compat ABIs (i386 and x32 on x86_64, arm on "
      "arm64, ...). A member declared with a pointer, long or size_t is 8 bytes for the kernel and "
      "4 for those programs, so every syscall, ioctl or signal frame carrying the record needs a "
      "compat_ copy of it and conversion code, or the 32-bit program sees the 64-bit layout. New "
      "interfaces avoid that with fixed-width members (pointers passed as __u64).",
      bad="struct buf_req {\n\tvoid *addr;\n\tunsigned long len;\n};",
      good="struct buf_req {\n\t__u64 addr;\t/* a user pointer */\n\t__u64 len;\n};",
      fix="Declare the member __u64 (a pointer as __u64, cast through uintptr_t), or keep a compat_ "
          "twin of the record in the kernel.",
      layout=True)
def compat_size_differs(cx: HeaderContext) -> Iterator[Hit]:
    found: dict[tuple, dict] = {}
    for a, b in compat_pairs(cx):
        ra = {lay.name: lay for lay in cx.records(a)}
        for lay_b in cx.records(b):
            lay_a = ra.get(lay_b.name)
            if lay_a is None:
                continue
            ta, tb = ma.nodes(lay_a), ma.nodes(lay_b)
            for key in _differing(ta, tb, ""):
                # report at the nearest declaration in this header
                k = key
                while k and not cx.own(ta[k].member.loc):
                    k = k.rsplit(".", 1)[0] if "." in k else ""
                mem = ta[k].member
                at = str(mem.loc) if k else lay_a.name
                ent = found.setdefault(at, {"rec": lay_a, "key": k, "pairs": {}})
                if ent["rec"].name == lay_a.name:
                    ent["pairs"].setdefault((a, b), (mem.size, tb[k].member.size))
    for ent in found.values():
        key, lay = ent["key"], ent["rec"]
        rec = lay.name
        tree = ma.nodes(lay)
        mem = tree[key].member if key in tree else lay.root
        by_sizes: dict[tuple, list[str]] = {}
        for (a, b), sizes in ent["pairs"].items():
            by_sizes.setdefault(sizes, []).append(f"{a}/{b}")
        parts = [f"{sa} bytes on the 64-bit and {sb} on the 32-bit ABI of {', '.join(ps)}"
                 for (sa, sb), ps in by_sizes.items()]
        who = f"member {ma.describe(key, mem)}" if key else \
            "no member's size differs but their alignment does: the record"
        targets = {t for pair in ent["pairs"] for t in pair}
        yield Hit(mem.loc if key else lay.loc, f"{rec}: {who} is " + "; ".join(parts),
                  f"{rec}.{mem.path or key} compat size" if key else f"{rec} compat size",
                  ma.targets_in_order(cx, targets))
