"""Rules about the types members are declared with (ABI31x).

A uapi record is read by programs built with other compilers, other
languages and other ABIs; its members say their width and signedness in
the kernel's ABI types (``__u32``, ``__s64``, ``__kernel_long_t``...), not
in C's (``int``, ``long``, ``enum``), whose width and signedness are each
compiler's choice.  The rule reads the *declared* type of each member in
the model (before typedefs are followed), so ``__u32 x`` and ``unsigned
int x`` differ here although they lay out alike.

What is legitimately not fixed-width: the kernel's own ``__``-prefixed
typedefs (``__kernel_long_t`` is long on purpose, and says so by its name),
pointers (the compat rule judges them), plain ``char`` arrays (strings),
``signed``/``unsigned char`` (one byte, signedness spelled), ``_Bool`` and
floating types.  Historic members (siginfo's ``int si_signo``, ``long``
bands) cannot change any more, so this is a warning, not an error: a
reviewer's request for new members.
"""
from __future__ import annotations

import re
from collections.abc import Iterator

from abicheck import model as m
from abicheck.checks.lint import multiabi as ma
from abicheck.checks.lint.context import HeaderContext
from abicheck.checks.lint.rules import Hit, rule
from abicheck.layout import Layouter
from abicheck.names import FIXED_WIDTH

#: C integer types whose width or signedness C leaves to the ABI.
_C_INTEGERS = ("char", "short", "int", "long", "long long")
#: The kernel's fixed-width replacement for each (size, signed).
_SUGGEST = {(1, False): "__u8", (1, True): "__s8", (2, False): "__u16", (2, True): "__s16",
            (4, False): "__u32", (4, True): "__s32", (8, False): "__u64", (8, True): "__s64"}


def loose_type(t: m.Type, lay: Layouter) -> str | None:
    """Why ``t``, as declared, is not a fixed-width ABI type (the spelling
    to quote), or None when it is one or is not an integer at all."""
    while isinstance(t, m.Array):
        el = t.element
        if isinstance(el, m.Scalar) and el.kind == "char" and el.signed is None:
            return None                    # a string
        t = el
    if isinstance(t, m.TypedefRef):
        if FIXED_WIDTH.match(t.name) or t.name.startswith("__"):
            return None                    # the kernel's ABI types, fixed or deliberate
        base = lay.strip(t)
        if isinstance(base, m.Scalar) and base.kind in _C_INTEGERS:
            return f"{t.name} (a typedef of {base.c_name()})"
        if isinstance(base, m.Enum):
            return f"{t.name} (a typedef of an enum)"
        return None
    if isinstance(t, m.Scalar):
        if t.kind == "char":
            return "plain char" if t.signed is None else None
        return t.c_name() if t.kind in _C_INTEGERS else None
    if isinstance(t, (m.EnumRef, m.Enum)):
        return m.c_name(t)
    return None


@rule("ABI310", "non-fixed-width-member", "warning",
      "a uapi record member declared with a C integer type or an enum instead of a fixed-width ABI type",
      "C leaves the width of int, short and long, the signedness of plain char and the size of an "
      "enum to each ABI and compiler; a uapi record is shared by every compiler and language that "
      "mirrors it, so its members spell their width and signedness in the kernel's fixed-width "
      "types. long and size_t change width between 32- and 64-bit ABIs outright; int happens to be "
      "4 bytes on every Linux ABI but says nothing about signedness intent and is the type reviewers "
      "ask to replace (the seed's review of 'int _pkey'). Historic members cannot change, so new "
      "members are what this asks about (see --since).",
      bad="struct pkey_fault {\n\tint pkey;\n\tlong addr;\n};",
      good="struct pkey_fault {\n\t__u32 pkey;\n\t__u32 __reserved;\n\t__u64 addr;\n};",
      fix="Declare the member with __u8/__u16/__u32/__u64 (or __s*), or __kernel_long_t where the "
          "width must follow the ABI's long.",
      layout=True)
def non_fixed_width(cx: HeaderContext) -> Iterator[Hit]:
    seen: dict[tuple, dict] = {}
    for t in cx.compiled():
        lay_t = cx.layouter(t.name)
        for lay in cx.records(t.name):
            for key, node in ma.nodes(lay).items():
                mem = node.member
                if not key or mem.loc is None or not cx.own(mem.loc):
                    continue
                why = loose_type(mem.type, lay_t)
                if why is None:
                    continue
                ent = seen.setdefault((mem.loc.line, mem.loc.col, mem.name), {
                    "record": lay.name, "key": key, "mem": mem, "why": why, "sizes": {}})
                ent["sizes"][t.name] = _scalar_size(mem)
    for ent in seen.values():
        mem, sizes = ent["mem"], ent["sizes"]
        widths = ma.grouped(sizes)
        if re.search(r"\blong\b", ent["why"]) and "long long" not in ent["why"]:
            width = "; ".join(f"{_bytes(w)} on {ma.abis(ts, cx)}" for w, ts in widths)
            hint = "use __u64/__s64, or __kernel_long_t where it must follow the ABI's long"
        elif len(widths) == 1:
            w = widths[0][0]
            width = f"{_bytes(w)} on every ABI checked" if len(sizes) > 1 else f"{_bytes(w)} here"
            signed = _signed_hint(ent["why"])
            better = _SUGGEST.get((w, signed), "a fixed-width type")
            hint = f"use {better}" if signed is not None else f"use {_SUGGEST.get((w, False))} or " \
                                                            f"{_SUGGEST.get((w, True))}"
        else:
            width = "; ".join(f"{_bytes(w)} on {ma.abis(ts, cx)}" for w, ts in widths)
            hint = "use __u64/__s64 (or __kernel_long_t if it must follow long)"
        where = ent["key"]
        yield Hit(mem.loc, f"{ent['record']}: member {mem.path or where} is declared {ent['why']}, "
                           f"not a fixed-width ABI type ({width}); {hint}",
                  f"{ent['record']}.{mem.path or where}", ma.targets_in_order(cx, sizes))


def _scalar_size(mem) -> int:
    """The size of one element of the member (an array's element)."""
    return _elem(mem) if mem.kind == "array" else mem.size


def _elem(mem) -> int:
    dims = re.findall(r"\[(\d*)\]", mem.type_name)
    count = 1
    for d in dims:
        if not d:
            return mem.size
        count *= int(d)
    return mem.size // count if count else mem.size


def _signed_hint(why: str) -> bool | None:
    if "char" in why or "enum" in why:
        return None
    return "unsigned" not in why


def _bytes(n: int) -> str:
    return "1 byte" if n == 1 else f"{n} bytes"
