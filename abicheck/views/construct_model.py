"""Construct models of laid-out types: fields to bytes and bytes to fields.

The model is generated from the layout abicheck computed for one type on one
ABI (through :mod:`abicheck.views.blob_shape`), so it is exactly as right as
the layout: nothing about any particular record is written here.  ``siginfo_t``
of ``pkeys-u8-reserved`` gets a one-byte ``_pkey`` and three reserved bytes and
``pkeys-u32``'s a four-byte one because their layouts say so.

How C maps onto construct:

- a struct is a ``Struct`` whose holes and tail padding are explicit
  ``Padding``, so its size is the C ``sizeof`` and padding builds as zeros;
- a union is ``FixedSized(sizeof, Union(None, ...))``: parsing yields every
  member read from the same bytes; building writes the first member the value
  names, members ordered largest first (so a parsed value builds back from the
  member covering most bytes); bytes no member writes are zero;
- a run of bitfields sharing storage is a ``BitStruct`` of ``BitsInteger`` in
  the ABI's allocation order: big-endian ABIs fill from the most significant
  bit of the first byte, little-endian ones from the least significant bit,
  which is the same ``BitStruct`` read from the byte-swapped run
  (``ByteSwapped``); this is GCC's rule on every Linux ABI;
- enums, ``_Bool`` and pointers are integers of their size (enums unsigned
  unless a value is negative, as GCC picks their type); ``float``/``double``
  are ``Float32``/``Float64``; ``long double``, ``__int128``, complex and vector
  types are opaque ``Bytes`` of their size;
- anonymous members are keyed ``_anon<N>``, bitfield runs ``_bits<OFFSET>``;
  :func:`field_paths` / :func:`nest` / :func:`flatten` translate between those
  nested values and the C member paths (``_sifields._sigfault._addr``).

Models are compiled (construct's ``compile()``) once per byte shape, which
names the target and the type, and cached.
"""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING

import construct as c

from abicheck.layout import Layouter, TypeLayout
from abicheck.views import blob_shape as bs

if TYPE_CHECKING:
    from abicheck.frontend import Translation

#: cached compiled models (distinct shapes); bounded so a long run cannot grow forever
CACHE_SIZE = 256


def layouter_of(source: "Translation | Layouter") -> Layouter:
    """A ``Layouter`` for a translation (or the layouter itself)."""
    if isinstance(source, Layouter):
        return source
    return Layouter(source.unit, source.target)


def shape(layout: TypeLayout, source: "Translation | Layouter") -> bs.Shape:
    """The byte shape of ``layout``; ``source`` is the translation it was
    laid out from (it resolves typedefs), or its layouter."""
    return bs.shape_of(layout, layouter_of(source))


def model(layout: TypeLayout, source: "Translation | Layouter") -> c.Construct:
    """The compiled construct model of ``layout`` (cached per shape):
    ``.build(value)`` gives ``layout.size`` bytes, ``.parse(bytes)`` the value."""
    return compiled(shape(layout, source))


@functools.lru_cache(maxsize=CACHE_SIZE)
def compiled(sh: bs.Shape) -> c.Construct:
    """The compiled model of a shape (the cache: shapes are hashable)."""
    return uncompiled(sh).compile()


def uncompiled(sh: bs.Shape) -> c.Construct:
    """The model as plain construct objects (what :func:`compiled` compiles)."""
    return _Live(sh.byte_order == "big").node(sh.root)


def field_paths(layout: TypeLayout, source: "Translation | Layouter") -> dict[str, tuple[str, ...]]:
    """C member path of every leaf -> its key path in the model's values."""
    return bs.leaf_paths(shape(layout, source), layout)


nest = bs.nest
flatten = bs.flatten
clean = bs.clean


def bit_plan(bits: bs.Bits, big: bool) -> list[tuple[str | None, int, bool]]:
    """(name or None for padding, width, signed) in the order ``BitStruct``
    reads them: allocation order on big-endian ABIs, reversed (from the most
    significant bit of the byte-swapped run) on little-endian ones."""
    total = bits.size * 8
    out: list[tuple[str | None, int, bool]] = []
    if big:
        pos = 0
        for f in sorted(bits.fields, key=lambda f: f.bit):
            if f.bit > pos:
                out.append((None, f.bit - pos, False))
            out.append((f.name, f.width, f.signed))
            pos = f.bit + f.width
        if total > pos:
            out.append((None, total - pos, False))
        return out
    pos = total              # walking down from the top bit
    for f in sorted(bits.fields, key=lambda f: -f.bit):
        top = f.bit + f.width
        if pos > top:
            out.append((None, pos - top, False))
        out.append((f.name, f.width, f.signed))
        pos = f.bit
    if pos > 0:
        out.append((None, pos, False))
    return out


def struct_plan(rec: bs.Record) -> list[tuple[str | None, int, bs.Field | None]]:
    """A struct's members in byte order with the holes between them:
    (None, gap, None) for padding, (name, offset, field) for a member."""
    out: list[tuple[str | None, int, bs.Field | None]] = []
    pos = 0
    for f in rec.fields:
        if f.offset > pos:
            out.append((None, f.offset - pos, None))
        out.append((f.name, f.offset, f))
        pos = f.offset + f.node.size
    if rec.size > pos:
        out.append((None, rec.size - pos, None))
    return out


def int_name(size: int, signed: bool, big: bool) -> str:
    return f"Int{size * 8}{'s' if signed else 'u'}{'b' if big else 'l'}"


def float_name(size: int, big: bool) -> str:
    return f"Float{size * 8}{'b' if big else 'l'}"


def zero(n: bs.Node):
    """The value an unset member builds from: all its bytes zero."""
    if isinstance(n, bs.Int):
        return 0
    if isinstance(n, bs.Float):
        return 0.0
    if isinstance(n, bs.Opaque):
        return bytes(n.size)
    if isinstance(n, bs.Array):
        return [zero(n.element)] * n.count
    return {}                        # a record or a bitfield run: its members default


class _Live:
    """Shape -> construct objects.  Struct members and bitfields are wrapped in
    ``Default`` (unset bytes are zero); union members are not (construct would
    then always build the first), and a nameless ``Padding(0)`` last lets a
    union nobody set build as zeros."""

    def __init__(self, big: bool) -> None:
        self.big = big

    def node(self, n: bs.Node) -> c.Construct:
        if isinstance(n, bs.Int):
            return getattr(c, int_name(n.size, n.signed, self.big))
        if isinstance(n, bs.Float):
            return getattr(c, float_name(n.size, self.big))
        if isinstance(n, bs.Opaque):
            return c.Bytes(n.size)
        if isinstance(n, bs.Array):
            return c.Array(n.count, self.node(n.element))
        if isinstance(n, bs.Bits):
            subs = [c.Padding(w) if name is None else name / c.Default(c.BitsInteger(w, signed=s), 0)
                    for name, w, s in bit_plan(n, self.big)]
            return c.BitStruct(*subs) if self.big else c.ByteSwapped(c.BitStruct(*subs))
        if n.kind == "union":
            members = []
            for f in n.fields:
                sub = f.name / self.node(f.node)
                sub.flagbuildnone = False       # built only when the value names it
                members.append(sub)
            return c.FixedSized(n.size, c.Union(None, *members, c.Padding(0)))
        return c.Struct(*[c.Padding(off) if name is None
                          else name / c.Default(self.node(f.node), zero(f.node))
                          for name, off, f in struct_plan(n)])


# ------------------------------------------------------------ readable source


def model_source(layout: TypeLayout, source: "Translation | Layouter") -> str:
    """Python source of the model, as one would write it by hand: the imports,
    one named ``Struct`` (or union) per record, inner records first, every
    member commented with its offset and C type.  Executing it defines the
    variable :func:`python_name` (``layout.name``) as the (uncompiled) model."""
    sh = shape(layout, source)
    return _Source(sh, layout).text()


def python_name(c_name: str) -> str:
    """``struct foo`` -> ``struct_foo``: a C type name as a Python identifier."""
    out = "".join(ch if ch.isalnum() or ch == "_" else "_" for ch in c_name.strip())
    if not out or out[0].isdigit():
        out = "_" + out
    import keyword
    return out + "_" if keyword.iskeyword(out) else out


_MEMBER_HELPER = (
    "\n\ndef member(name, subcon):\n"
    '    """A union member, built only when the value names it (construct would\n'
    '    always build a member whose fields all have defaults)."""\n'
    "    named = name / subcon\n"
    "    named.flagbuildnone = False\n"
    "    return named\n")


def zero_source(n: bs.Node) -> str:
    """:func:`zero` as Python source."""
    if isinstance(n, bs.Int):
        return "0"
    if isinstance(n, bs.Float):
        return "0.0"
    if isinstance(n, bs.Opaque):
        return f"bytes({n.size})"
    if isinstance(n, bs.Array):
        return f"[{zero_source(n.element)}] * {n.count}"
    return "{}"


class _Source:
    """Shape -> Python text (deterministic: same shape, same bytes)."""

    def __init__(self, sh: bs.Shape, layout: TypeLayout) -> None:
        self.sh = sh
        self.layout = layout
        self.big = sh.byte_order == "big"
        self.names: dict[object, str] = {}     # record (or anonymous record, place) -> name
        # construct's names and the helper stay what they are
        self.taken: set[str] = {"member", "Array", "BitStruct", "BitsInteger", "ByteSwapped",
                                "Bytes", "Default", "FixedSized", "Padding", "Struct", "Union"}
        self.defs: list[str] = []
        self.used: set[str] = set()
        self.unions = False

    def text(self) -> str:
        top = python_name(self.layout.name)
        root = self.sh.root
        if isinstance(root, bs.Record):
            self.record(root, top)
        else:
            top = self.fresh(top)
            self.defs.append(f"{top} = {self.expr(root, top, 0)}\n")
        imports = ", ".join(sorted(self.used))
        head = (f"# {self.layout.name} on {self.sh.target} ({self.sh.byte_order}-endian), "
                f"{self.layout.size} bytes: a construct model generated by abicheck from the "
                "layout it computed\n"
                "# Generated: do not edit; regenerate with `abicheck model`.\n"
                f"from construct import {imports}\n")
        if self.unions:
            head += _MEMBER_HELPER
        return head + "".join("\n" + d for d in self.defs)

    def use(self, name: str) -> str:
        self.used.add(name)
        return name

    def fresh(self, want: str) -> str:
        name, i = want, 2
        while name in self.taken:
            name, i = f"{want}_{i}", i + 1
        self.taken.add(name)
        return name

    def record(self, rec: bs.Record, hint: str) -> str:
        # a named record is defined once however often it is used; anonymous
        # records of the same shape at two places are two definitions, each
        # named after its own place (one name would read as the other's)
        anonymous = rec.c_name.startswith("anonymous ")
        key = (rec, hint) if anonymous else rec
        if key in self.names:
            return self.names[key]
        name = self.fresh(hint if anonymous or hint == python_name(self.layout.name)
                          else python_name(rec.c_name))
        self.names[key] = name
        lines = []
        if rec.kind == "union":
            self.unions = True
            for f in rec.fields:
                lines.append((f"member({f.name!r}, {self.expr(f.node, f'{name}_{f.name}', 1)}),",
                              f"size {f.node.size}, {f.c_type}"))
            lines.append((f"{self.use('Padding')}(0),", "a union no value names builds as zeros"))
            body = self.lines(lines, 1)
            text = (f"# {rec.c_name}: {rec.size} bytes; builds the first member a value names "
                    "(largest first)\n"
                    f"{name} = {self.use('FixedSized')}({rec.size}, {self.use('Union')}(None,\n"
                    f"{body}))\n")
        else:
            pos = 0
            for fname, off, f in struct_plan(rec):
                if f is None:
                    what = "tail padding" if pos + off == rec.size else "hole"
                    lines.append((f"{self.use('Padding')}({off}),", f"offset {pos}, {what}"))
                    pos += off
                    continue
                pos = off + f.node.size
                sub = self.expr(f.node, f'{name}_{fname}', 1)
                lines.append((f"{fname!r} / {self.use('Default')}({sub}, {zero_source(f.node)}),",
                              f"offset {off}, {f.c_type}"))
            body = self.lines(lines, 1)
            text = (f"# {rec.c_name}: {rec.size} bytes\n"
                    f"{name} = {self.use('Struct')}(\n{body})\n")
        self.defs.append(text)
        return name

    def lines(self, rows: list[tuple[str, str]], indent: int) -> str:
        pad = "    " * indent
        out = []
        for code, comment in rows:
            first, *rest = code.split("\n")
            out.append(f"{pad}{first}  # {comment}" if not rest else f"{pad}{first}")
            for i, ln in enumerate(rest):
                tail = f"  # {comment}" if i == len(rest) - 1 else ""
                out.append(f"{pad}{ln}{tail}")
        return "\n".join(out) + "\n" + "    " * (indent - 1)

    def expr(self, n: bs.Node, hint: str, indent: int) -> str:
        if isinstance(n, bs.Int):
            return self.use(int_name(n.size, n.signed, self.big))
        if isinstance(n, bs.Float):
            return self.use(float_name(n.size, self.big))
        if isinstance(n, bs.Opaque):
            return f"{self.use('Bytes')}({n.size})"
        if isinstance(n, bs.Array):
            return f"{self.use('Array')}({n.count}, {self.expr(n.element, hint, indent)})"
        if isinstance(n, bs.Bits):
            parts = []
            for name, w, s in bit_plan(n, self.big):
                if name is None:
                    parts.append(f"    {self.use('Padding')}({w}),")
                else:
                    sign = ", signed=True" if s else ""
                    parts.append(f"    {name!r} / {self.use('Default')}"
                                 f"({self.use('BitsInteger')}({w}{sign}), 0),")
            inner = f"{self.use('BitStruct')}(\n" + "\n".join(parts) + "\n)"
            return inner if self.big else f"{self.use('ByteSwapped')}({inner})"
        return self.record(n, hint)
