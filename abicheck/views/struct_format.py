"""The fast path: a ``struct.Struct`` format for a laid-out record.

Bulk encode/decode of many records (a trace, a core file) does not need
construct's generality: a record without bitfields is a fixed sequence of
integers, floats, byte strings and pad bytes, which ``struct`` packs in C.
The format comes from the same byte shape as the construct model
(:mod:`abicheck.views.blob_shape`), with explicit byte order (``<``/``>``, so
Python adds no alignment of its own) and ``x`` for every hole and tail.

What it refuses, with a clear error (:class:`NoFastPath`): arrays of records
or unions (kept out to keep leaves flat), and bitfields unless asked for with
``bitfields=True`` (no ``struct`` code holds a sub-byte field: a run of
bitfields is then read as unsigned integers of its bytes and each field cut
out of it by a shift and a mask, in the ABI's bit order — from the least
significant bit on little-endian ABIs, from the most significant on big-endian
ones, GCC's rule on every Linux ABI; a value outside the field's range is a
``ValueError``, never truncated).

Unions: a format is one sequence of fields, so it carries one member of each
union, padded to the union's size.  By default that is the largest member (the
first declared among equals), the one that covers the most bytes; ``choose``
picks another by the union's key path in the model's values (dots between keys,
e.g. ``_anon0._anon0._sifields``) -> member key.  Bytes of the union past the
chosen member pack as zeros.

Values are a dict of leaf C member paths (as the layout names them) -> value;
an array of scalars is one leaf whose value is a list, a byte string for
opaque types (``long double``) and ``char`` arrays stay lists of integers, as
in the construct model.
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import Iterable, Iterator, Mapping

from abicheck.errors import LayoutError
from abicheck.layout import TypeLayout
from abicheck.views import blob_shape as bs
from abicheck.views import struct_codegen as codegen
from abicheck.views.construct_model import shape, struct_plan


class NoFastPath(LayoutError):
    """The record has something ``struct`` cannot express."""


@dataclass(frozen=True)
class Leaf:
    """One value of the flat format: its C member path and where it sits in the model's values."""

    path: str                       # C member path
    keys: tuple[str, ...]           # key path in the construct model's values
    dims: tuple[int, ...] = ()      # (): one value; (N, M...): nested lists, as C's a[N][M]
    bits: "BitSlot | None" = None   # a bitfield: where it sits in its run

    @property
    def count(self) -> int:
        n = 1
        for d in self.dims:
            n *= d
        return n


@dataclass(frozen=True)
class BitSlot:
    """A bitfield's place: run ``run`` of the format (an index into
    ``StructFormat.runs``), ``shift`` bits above the run value's least
    significant bit, ``width`` bits wide."""

    run: int
    shift: int
    width: int
    signed: bool


@dataclass(frozen=True)
class Run:
    """A run of bitfields' storage, read as unsigned integers of ``chunks``
    bytes each in byte order (``struct`` has no 3-, 5-, 6- or 7-byte code), and
    whether the first chunk is the most significant (big-endian)."""

    chunks: tuple[int, ...]
    big: bool


@dataclass(frozen=True)
class StructFormat:
    """A record's ``struct`` format and the leaves its values fill, in order.

    The four methods run Python generated for this format
    (:mod:`abicheck.views.struct_codegen`, cached per format and leaves): one
    ``Struct`` call and one dict display per record, no walk over the leaves.
    The instance carries the generated functions themselves as attributes, so
    ``sf.pack(values)`` calls them without a method in between; the methods
    below say what they do and serve calls through the class."""

    format: str
    leaves: tuple[Leaf, ...]
    size: int
    runs: tuple[Run, ...] = ()      # bitfield storage (only with ``bitfields=True``)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_struct", struct.Struct(self.format))
        code = codegen.compiled(self.format, codegen.leaf_dims(self.leaves), self.size,
                                codegen.run_specs(self.runs))
        object.__setattr__(self, "_code", code)
        for name in ("pack", "unpack", "iter_unpack", "pack_many"):
            object.__setattr__(self, name, getattr(code, name))

    @property
    def struct(self) -> struct.Struct:
        return self._struct         # type: ignore[attr-defined]

    @property
    def source(self) -> str:
        """The generated Python behind the methods (for reading)."""
        return self._code.source    # type: ignore[attr-defined]

    def pack(self, values: Mapping[str, object]) -> bytes:
        """``size`` bytes from a dict of leaf paths -> values (arrays as
        nested lists of their C dimensions)."""
        return self._code.pack(values)      # type: ignore[attr-defined]

    def unpack(self, data: bytes) -> dict[str, object]:
        """The dict of leaf paths -> values of one record's bytes."""
        return self._code.unpack(data)      # type: ignore[attr-defined]

    def iter_unpack(self, buffer) -> Iterator[dict[str, object]]:
        """The records of a buffer of N back-to-back records (a trace, an
        array read from a core file), one dict each, through
        ``struct.iter_unpack``: the bulk path this format exists for."""
        return self._code.iter_unpack(buffer)   # type: ignore[attr-defined]

    def pack_many(self, records: Iterable[Mapping[str, object]]) -> bytes:
        """N records back to back (the inverse of :meth:`iter_unpack`)."""
        return self._code.pack_many(records)    # type: ignore[attr-defined]


def struct_format(layout: TypeLayout, source, choose: Mapping[str, str] | None = None,
                  *, bitfields: bool = False) -> StructFormat:
    """The fast-path format of ``layout`` (``source``: its translation or
    layouter); raises :class:`NoFastPath` for arrays of records, and for
    bitfields unless ``bitfields``."""
    sh = shape(layout, source)
    codes: list[str] = []
    leaves: list[Leaf] = []
    runs: list[Run] | None = [] if bitfields else None
    choose = dict(choose or {})
    _emit(sh.root, (), None, codes, leaves, choose, layout.name, runs, sh.byte_order == "big")
    if choose:
        raise NoFastPath(f"'{layout.name}' has no union at {', '.join(sorted(choose))}")
    fmt = (">" if sh.byte_order == "big" else "<") + _merge(codes)
    sf = StructFormat(fmt, tuple(leaves), sh.root.size, tuple(runs or ()))
    if sf.struct.size != layout.size:   # pragma: no cover - a shape bug, never silent
        raise LayoutError(f"fast path of '{layout.name}' is {sf.struct.size} bytes, "
                          f"not {layout.size}")
    return sf


_INT = {(1, True): "b", (1, False): "B", (2, True): "h", (2, False): "H",
        (4, True): "i", (4, False): "I", (8, True): "q", (8, False): "Q"}


def _code(n: bs.Node, what: str) -> str:
    if isinstance(n, bs.Int):
        return _INT[(n.size, n.signed)]
    if isinstance(n, bs.Float):
        return "f" if n.size == 4 else "d"
    if isinstance(n, bs.Opaque):
        return f"{n.size}s"
    raise NoFastPath(f"{what}: an array of records has no flat struct format")


def _emit(n: bs.Node, keys: tuple[str, ...], cpath: str | None, codes: list[str],
          leaves: list[Leaf], choose: dict[str, str], what: str, runs: list[Run] | None,
          big: bool) -> None:
    """Append ``n``'s struct codes and leaves; ``runs`` collects bitfield
    runs (None: bitfields refused)."""
    if isinstance(n, bs.Bits):
        if runs is None:
            raise NoFastPath(f"{what}: bitfield at '{'.'.join(keys)}' has no struct code")
        _emit_bits(n, keys, cpath, codes, leaves, runs, big)
        return
    if isinstance(n, bs.Array):
        if n.count:
            dims, inner = [n.count], n.element
            while isinstance(inner, bs.Array):     # int a[2][3]: one leaf, nested lists
                dims.append(inner.count)
                inner = inner.element
            leaf = Leaf(cpath or "", keys, tuple(dims))
            codes.extend([_code(inner, f"{what}: '{cpath}'")] * leaf.count)
            leaves.append(leaf)
        return
    if not isinstance(n, bs.Record):
        codes.append(_code(n, what))
        leaves.append(Leaf(cpath or "", keys))
        return
    if n.kind == "union":
        key = ".".join(keys)
        want = choose.pop(key, None)
        fields = [f for f in n.fields if want is None or f.name == want]
        if not fields:
            raise NoFastPath(f"union at '{key}' has no member '{want}'")
        f = fields[0]
        _emit(f.node, keys + (f.name,), _sub(cpath, f), codes, leaves, choose, what, runs, big)
        if n.size > f.node.size:
            codes.append(f"{n.size - f.node.size}x")
        return
    for name, off, f in struct_plan(n):
        if f is None:
            codes.append(f"{off}x")
        else:
            _emit(f.node, keys + (f.name,), _sub(cpath, f), codes, leaves, choose, what, runs,
                  big)


def _emit_bits(n: bs.Bits, keys: tuple[str, ...], cpath: str | None, codes: list[str],
               leaves: list[Leaf], runs: list[Run], big: bool) -> None:
    """A run of bitfields: unsigned chunks of its bytes, one leaf per field
    with its shift in the run's value (allocation order from the most
    significant bit on big-endian ABIs, from the least on little-endian)."""
    if not n.fields:                 # only unnamed bitfields: padding
        codes.append(f"{n.size}x")
        return
    chunks: list[int] = []
    left = n.size
    for c in (8, 4, 2, 1):
        while left >= c:
            chunks.append(c)
            left -= c
    index = len(runs)
    runs.append(Run(tuple(chunks), big))
    codes.extend(_INT[(c, False)] for c in chunks)
    total = n.size * 8
    for bf in n.fields:
        shift = total - bf.bit - bf.width if big else bf.bit
        path = f"{cpath}.{bf.name}" if cpath else bf.name
        leaves.append(Leaf(path, keys + (bf.name,), (), BitSlot(index, shift, bf.width, bf.signed)))


def _sub(cpath: str | None, f: bs.Field) -> str | None:
    if f.anonymous or isinstance(f.node, bs.Bits):    # a run's name is no C member
        return cpath
    return f"{cpath}.{f.name}" if cpath else f.name


def _merge(codes: list[str]) -> str:
    """``['i', 'i', '4x', '2x']`` -> ``'2i6x'``: shorter formats, same meaning."""
    out: list[tuple[int, str]] = []
    for code in codes:
        n, ch = (int(code[:-1]), code[-1]) if len(code) > 1 else (1, code)
        if ch == "s":
            out.append((n, "s"))            # 4s4s is not 8s: keep byte strings apart
            continue
        if out and out[-1][1] == ch:
            out[-1] = (out[-1][0] + n, ch)
        else:
            out.append((n, ch))
    return "".join(f"{n}{ch}" if n != 1 else ch for n, ch in out)
