"""The byte shape of a laid-out type: what a binary model is generated from.

A ``TypeLayout`` knows offsets and sizes but names its members' types as C
spells them (``__u32``, ``pid_t``); a codec needs to know what the bytes *are*:
an unsigned 4-byte integer, a double, 16 opaque bytes.  ``shape_of`` resolves
that once, through the layouter that produced the layout, into a small tree of
frozen, hashable nodes.  The construct model, its Python source and the
``struct`` fast path are all generated from this one tree, so they cannot
disagree about a member, and the tree (which no longer refers to the unit) is
the cache key of the compiled models.

Names.  C lets a struct or union member be anonymous; a codec needs a key, so
an anonymous member is called ``_anon<N>`` (N counts the anonymous members of
its parent from 0).  Consecutive bitfields sharing bytes form one storage run,
keyed ``_bits<OFFSET>`` (its byte offset in the enclosing record; in a union,
where each bitfield is its own run, ``_bits0_<NAME>``): a run is
decoded as one unit because, on little-endian ABIs, a bitfield crossing a byte
boundary is not a contiguous range of bits in byte order.  ``leaf_paths`` maps
the C member paths the layout reports (``_sifields._sigfault._addr``, where
anonymous levels vanish, as in C) to these key paths.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union as _U

from abicheck import model as m
from abicheck.errors import LayoutError
from abicheck.layout import Layouter, Member, TypeLayout
from abicheck.scalars import is_float, is_integer, signedness


@dataclass(frozen=True, slots=True)
class Int:
    """An integer (enums, ``_Bool`` and pointers included); ``pointer`` marks
    a pointer (or function pointer), which text prints in hex."""
    size: int
    signed: bool
    pointer: bool = False


@dataclass(frozen=True, slots=True)
class Float:
    """An IEEE binary floating-point number."""

    size: int                       # 4 or 8: IEEE binary32/binary64


@dataclass(frozen=True, slots=True)
class Opaque:
    """Bytes with no portable Python number: ``long double``, ``__int128``,
    ``_Complex``, vectors, ``va_list``."""
    size: int


@dataclass(frozen=True, slots=True)
class BitField:
    """A bit-field of a run of bits shared with its neighbours."""

    name: str
    bit: int                        # allocation-order bit offset inside its run
    width: int
    signed: bool


@dataclass(frozen=True, slots=True)
class Bits:
    """One storage run of bitfields: ``size`` bytes."""
    size: int
    fields: tuple[BitField, ...]


@dataclass(frozen=True, slots=True)
class Array:
    """``count`` elements of one shape, ``size`` bytes in all."""

    count: int
    element: "Node"
    size: int


@dataclass(frozen=True, slots=True)
class Field:
    """A member of a record at a byte offset."""

    name: str
    offset: int                     # bytes from the start of the enclosing record
    node: "Node"
    c_type: str                     # the C spelling, for comments
    anonymous: bool = False         # an anonymous struct/union member (``_anon<N>``)


@dataclass(frozen=True, slots=True)
class Record:
    """A struct or union: its members and its size."""

    kind: str                       # struct | union
    c_name: str
    size: int
    fields: tuple[Field, ...]       # by offset (struct), declaration order (union)


Node = _U[Int, Float, Opaque, Bits, Array, Record]


@dataclass(frozen=True, slots=True)
class Shape:
    """A whole type: its node plus what the codecs need to know of the ABI."""
    name: str
    target: str
    byte_order: str                 # little | big
    root: Node


def node_size(n: Node) -> int:
    return n.size


def shape_of(layout: TypeLayout, layouter: Layouter) -> Shape:
    """The byte shape of ``layout``; ``layouter`` must be the one (same unit,
    same target) the layout came from: it resolves typedefs and lays out the
    element records of arrays."""
    tgt = layouter.target
    if layout.target != tgt.name:
        raise LayoutError(f"layout of '{layout.name}' is for {layout.target}, not {tgt.name}")
    return Shape(layout.name, tgt.name, tgt.byte_order, _ShapeBuilder(layouter).member(layout.root))


def type_node(layouter: Layouter, t: m.Type, size: int) -> Node:
    """The node of a ``size``-byte object of C type ``t`` (a flexible array's
    element, which no member of the shape covers)."""
    return _ShapeBuilder(layouter).of_type(t, size)


class _ShapeBuilder:
    def __init__(self, lay: Layouter) -> None:
        self.lay = lay

    def member(self, mem: Member) -> Node:
        if mem.kind in ("struct", "union"):
            return self.record(mem)
        return self.of_type(mem.type, mem.size)

    def of_type(self, t: m.Type, size: int) -> Node:
        lay = self.lay
        s = lay.strip(t)
        if isinstance(s, m.Record):
            return self.record(lay.member_tree(None, None, t, 0, None))
        if isinstance(s, m.Array):
            esize, _ = lay.size_align(s.element)
            count = size // esize if esize else 0
            return Array(count, self.of_type(s.element, esize), size)
        if isinstance(s, (m.Pointer, m.Function)):
            return Int(size, False, pointer=True)
        if isinstance(s, m.Enum):
            return Int(size, self.signed(t)) if size in (1, 2, 4, 8) else Opaque(size)
        if isinstance(s, m.Scalar):
            if s.complex or not (is_integer(s) or is_float(s)):
                return Opaque(size)             # complex pairs, void, va_list
            if is_float(s):
                # IEEE binary32/64 by size: an 8-byte long double (arm, mips o32)
                # is binary64; x87's 12/16-byte and binary128 have no Python float
                return Float(size) if size in (4, 8) else Opaque(size)
            return Int(size, self.signed(t)) if size in (1, 2, 4, 8) else Opaque(size)
        return Opaque(size)

    def signed(self, t: m.Type) -> bool:
        """Signedness of an integer type as GCC decides it (scalars.signedness)."""
        return bool(signedness(self.lay, t))

    def record(self, mem: Member) -> Record:
        base = mem.offset
        fields: list[Field] = []
        anon = 0
        kids = list(mem.children)
        if mem.kind == "struct":
            kids.sort(key=lambda c: c.bit_offset if c.bit_offset is not None else c.offset * 8)
        run: list[Member] = []
        run_end = -1

        def flush() -> None:
            if not run:
                return
            first = run[0].bit_offset // 8
            size = run_end - first
            bfs = tuple(BitField(c.name, c.bit_offset - first * 8, c.bit_width, self.signed(c.type))
                        for c in run)
            # in a union every bitfield is a run of its own, all at offset 0
            key = f"_bits{first - base}" + (f"_{run[0].name}" if mem.kind == "union" else "")
            fields.append(Field(key, first - base, Bits(size, bfs), "bitfields"))
            run.clear()

        for c in kids:
            if c.bit_offset is not None:
                if c.bit_width == 0:
                    continue
                start, end = c.bit_offset // 8, (c.bit_offset + c.bit_width + 7) // 8
                if mem.kind == "struct" and run and start < run_end:
                    run.append(c)
                    run_end = max(run_end, end)
                    continue
                flush()
                run.append(c)
                run_end = end
                if mem.kind == "union":
                    flush()
                continue
            flush()
            if c.size == 0:
                continue            # a flexible array member: no bytes of its own
            if c.name is None:
                name = f"_anon{anon}"
                anon += 1
            else:
                name = c.name
            fields.append(Field(name, c.offset - base, self.member(c), c.type_name,
                                c.name is None))
        flush()
        if mem.kind == "union":
            # the largest member first: construct builds the first member the
            # value names, so a parsed union (which names them all) builds back
            # from the member that covers the most bytes
            fields.sort(key=lambda f: -node_size(f.node))
        if mem.tag:
            name = f"{mem.kind} {mem.tag}"
        elif mem.type_name in ("struct", "union"):
            name = f"anonymous {mem.kind}"
        else:
            name = mem.type_name        # a typedef of an untagged record
        return Record(mem.kind, name, mem.size, tuple(fields))


def leaf_paths(shape: Shape, layout: TypeLayout) -> dict[str, tuple[str, ...]]:
    """C member path (as ``TypeLayout.members`` names them) of every leaf ->
    its key path in the shape's nested values."""
    out: dict[str, tuple[str, ...]] = {}

    def walk(node: Node, keys: tuple[str, ...], cpath: str | None) -> None:
        if isinstance(node, Record):
            for f in node.fields:
                if isinstance(f.node, Bits):
                    for bf in f.node.fields:
                        out[_join(cpath, bf.name)] = keys + (f.name, bf.name)
                    continue
                sub = cpath if f.anonymous else _join(cpath, f.name)
                walk(f.node, keys + (f.name,), sub)
        elif cpath is not None:
            out[cpath] = keys

    walk(shape.root, (), None)
    named = {x.path for x in layout.members()}
    return {p: k for p, k in out.items() if p in named}


def _join(prefix: str | None, name: str) -> str:
    return f"{prefix}.{name}" if prefix else name


def nest(flat: dict[str, object], paths: dict[str, tuple[str, ...]]) -> dict:
    """``{'a.b': 1}`` (C member paths) -> the nested value the model builds."""
    out: dict = {}
    for path, value in flat.items():
        keys = paths.get(path)
        if keys is None:
            raise LayoutError(f"no leaf member '{path}'")
        d = out
        for k in keys[:-1]:
            d = d.setdefault(k, {})
        d[keys[-1]] = value
    return out


#: keys construct's compiled ``Union`` parse leaves in its result (its context)
CONTEXT_KEYS = frozenset({"_", "_params", "_root", "_parsing", "_building", "_sizing",
                          "_subcons", "_io", "_index"})


def clean(value, node: "Node | None" = None):
    """A parsed value as plain dicts and lists, without construct's context
    keys (a compiled union's result carries them, ``_root`` a cycle).  With
    the value's shape ``node``, a record keeps exactly its fields' keys, so a
    C member named like a context key (``_io``, ``_index``, ``_``) is kept
    (construct stores the member's value over the context entry); without
    it, the context keys are dropped by name."""
    if isinstance(node, Record) and isinstance(value, dict):
        return {f.name: clean(value[f.name], f.node) for f in node.fields if f.name in value}
    if isinstance(node, Bits) and isinstance(value, dict):
        return {bf.name: value[bf.name] for bf in node.fields if bf.name in value}
    if isinstance(node, Array) and isinstance(value, list):
        return [clean(v, node.element) for v in value]
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items() if k not in CONTEXT_KEYS}
    if isinstance(value, list):
        return [clean(v) for v in value]
    return value


def flatten(value, paths: dict[str, tuple[str, ...]],
            shape_root: "Node | None" = None) -> dict[str, object]:
    """The nested value a model parsed -> ``{C member path: value}`` (plain
    values: see :func:`clean`; with the shape's root, cleaned by shape)."""
    out = {}
    for path, keys in paths.items():
        v = value
        for k in keys:
            v = v[k]
        out[path] = clean(v, _node_at(shape_root, keys)) if shape_root is not None else clean(v)
    return out


def _node_at(root: "Node", keys: tuple[str, ...]) -> "Node | None":
    """The shape node at a key path (through records and bitfield runs)."""
    node = root
    for k in keys:
        if isinstance(node, Record):
            node = next((f.node for f in node.fields if f.name == k), None)
        else:
            return None
    return node
