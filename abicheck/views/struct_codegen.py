"""Specialised Python for one fast-path format: what makes it fast.

:class:`abicheck.views.struct_format.StructFormat` knows its leaves (C member
paths, array dimensions) only as data.  Walking that data per record costs a
Python call or two per leaf, several times what ``struct`` itself spends on
the bytes.  Here the walk happens once per format: we write the Python source
a person would write by hand for that one record and compile it —

- ``pack(values)``: one call of the precompiled ``Struct.pack`` with every
  leaf read by a constant key, arrays spread with ``*`` (nested ones through
  one comprehension), after one combined length check of the arrays;
- ``unpack(data)``: one ``Struct.unpack``, then one dict display (constant
  keys) of tuple items and slices;
- ``iter_unpack(buffer)`` / ``pack_many(records)``: the same body inline in
  the loop over ``Struct.iter_unpack`` / in one ``b"".join``.
- bitfields (``struct_format(..., bitfields=True)``): each field cut out of
  its run's value by a constant shift and mask (sign-extended by one xor and
  one subtraction), and put back by the inverse after a range check; a run
  of several chunks is combined once per record.

Anything unusual (a missing key, an array of the wrong length, a bitfield
out of range, a value ``struct`` refuses) falls back to the data-driven path
(:func:`reference_pack`), which raises exactly the error it always raised:
the generated code only has to be right for well-formed values, and is
checked against that path by the tests.

The source holds nothing but Python literals we write (``repr`` of member
paths, integers), so compiling it is as safe as the format.  Generated code
is cached per (format, leaves): the same record on many ABIs with one byte
order shares it.
"""
from __future__ import annotations

import functools
import operator
import struct
from typing import Callable, NamedTuple

#: distinct formats kept compiled; bounded so a long run cannot grow forever
CACHE_SIZE = 256


class Compiled(NamedTuple):
    """The generated functions of one format."""

    pack: Callable
    unpack: Callable
    iter_unpack: Callable
    pack_many: Callable
    source: str                 # kept for reading and debugging


#: (path, dims, bits): a leaf as the generator sees it; bits is None or
#: (run, shift, width, signed) for a bitfield
LeafSpec = tuple
#: (chunks, big): a run of bitfields' storage (see struct_format.Run)
RunSpec = tuple


def leaf_dims(leaves) -> tuple[LeafSpec, ...]:
    """(path, dims, bits) per leaf: all the generator needs (hashable, for
    the cache)."""
    return tuple((leaf.path, leaf.dims, None if leaf.bits is None else
                  (leaf.bits.run, leaf.bits.shift, leaf.bits.width, leaf.bits.signed))
                 for leaf in leaves)


def run_specs(runs) -> tuple[RunSpec, ...]:
    return tuple((run.chunks, run.big) for run in runs)


@functools.lru_cache(maxsize=CACHE_SIZE)
def compiled(fmt: str, leaves: tuple[LeafSpec, ...], size: int,
             runs: tuple[RunSpec, ...] = ()) -> Compiled:
    """The generated functions for ``fmt`` whose values fill ``leaves``
    in order; the generated pack hands anything unusual to
    :func:`reference_pack`, which raises the proper error."""
    src = source(leaves, size, runs)
    st = struct.Struct(fmt)

    def slow(values):
        return reference_pack(st, leaves, values, runs)

    ns: dict = {"_pack": st.pack, "_unpack": st.unpack, "_iter": st.iter_unpack,
                "_slow": slow, "_join": b"".join}
    exec(compile(src, f"<struct fast path {fmt}>", "exec"), ns)     # noqa: S102 - our own literals
    return Compiled(ns["pack"], ns["unpack"], ns["iter_unpack"], ns["pack_many"], src)


def source(leaves: tuple[LeafSpec, ...], size: int, runs: tuple[RunSpec, ...] = ()) -> str:
    """The Python text of the four functions (deterministic)."""
    reads, checks, args, items = [], [], [], []
    run_parts: dict[int, list[str]] = {}    # run -> its fields' terms in the packed value
    run_values: dict[int, str] = {}         # run -> its value's expression when unpacked
    pre: list[str] = []                     # unpack: multi-chunk run values, before the dict
    i = 0                                   # index into the unpacked tuple
    for n, (path, dims, bits) in enumerate(leaves):
        key = repr(path)
        if bits is not None:
            run, shift, width, signed = bits
            if run not in run_values:       # the run's first field: its chunks come here
                chunks, big = runs[run]
                run_values[run] = _run_value(i, chunks, big, run, pre)
                run_parts[run] = []
                args.append(f"@run{run}")   # replaced below, once every term is known
                i += len(chunks)
            var = f"b{n}"
            lo, hi = _bit_range(width, signed)
            reads.append(f"{var} = values[{key}]")
            checks.append(f"{lo} <= {var} <= {hi}")
            term = f"({var} & {(1 << width) - 1})" if signed else var
            run_parts[run].append(f"{term} << {shift}" if shift else term)
            items.append(f"{key}: {_field(run_values[run], shift, width, signed)}")
            continue
        if not dims:
            args.append(f"values[{key}]")
            items.append(f"{key}: t[{i}]")
            i += 1
            continue
        var = f"a{n}"
        reads.append(f"{var} = values[{key}]")
        checks.extend(_checks(var, dims))
        args.append(f"*{var}" if len(dims) == 1 else f"*{_flatten(var, dims)}")
        items.append(f"{key}: {_group(i, dims)}")
        i += _count(dims)
    assigns = []                            # pack: multi-chunk run values
    for run, parts in run_parts.items():
        chunks, big = runs[run]
        value = " | ".join(parts)
        if len(chunks) == 1:
            args[args.index(f"@run{run}")] = value
            continue
        assigns.append(f"r{run} = {value}")
        args[args.index(f"@run{run}")] = ", ".join(
            (f"r{run} >> {s} & {(1 << 8 * c) - 1}" if s else f"r{run} & {(1 << 8 * c) - 1}")
            for c, s in _chunk_shifts(chunks, big))
    pack_body = "\n".join(f"        {r}" for r in reads)
    call = f"_pack({', '.join(args)})"
    tail = assigns + [f"return {call}"]
    if checks:
        test = " and ".join(checks)
        pack_body += f"\n        if {test}:" + "".join(f"\n            {x}" for x in tail)
    else:
        pack_body += "".join(f"\n        {x}" for x in tail)
    record = "{" + ", ".join(items) + "}"
    unpack_pre = "".join(f"    {x}\n" for x in pre)
    loop_pre = "".join(f"        {x}\n" for x in pre)
    return (
        "def pack(values):\n"
        "    try:\n"
        f"{pack_body}\n"
        "    except Exception:\n"
        "        pass\n"
        "    return _slow(values)\n"
        "\n"
        "def unpack(data):\n"
        "    t = _unpack(data)\n"
        f"{unpack_pre}"
        f"    return {record}\n"
        "\n"
        "def iter_unpack(buffer):\n"
        f"    if len(buffer) % {size}:\n"
        f"        raise ValueError(f'a buffer of {{len(buffer)}} bytes is not whole {size}-byte '\n"
        "                         'records')\n"
        "    for t in _iter(buffer):\n"
        f"{loop_pre}"
        f"        yield {record}\n"
        "\n"
        "def pack_many(records):\n"
        "    return _join(map(pack, records))\n")


def reference_pack(st: struct.Struct, leaves: tuple[LeafSpec, ...], values,
                   runs: tuple[RunSpec, ...] = ()) -> bytes:
    """The data-driven pack, leaf by leaf: the meaning the generated code
    must keep, and the one place its errors are worded."""
    args: list = []
    run_at: dict[int, int] = {}             # run -> index of its value in args
    for path, dims, bits in leaves:
        v = values[path]
        if bits is not None:
            run, shift, width, signed = bits
            v = operator.index(v)
            lo, hi = _bit_range(width, signed)
            if not lo <= v <= hi:
                raise ValueError(f"'{path}' is a {width}-bit {'signed' if signed else 'unsigned'}"
                                 f" bitfield: {v} is out of range")
            if run not in run_at:
                run_at[run] = len(args)
                args.append(0)
            args[run_at[run]] |= (v & ((1 << width) - 1)) << shift
        elif not dims:
            args.append(v)
        else:
            flat_into(v, dims, path, args)
    for run, at in sorted(run_at.items(), reverse=True):     # a run's value -> its chunks
        chunks, big = runs[run]
        value = args[at]
        args[at:at + 1] = [value >> s & ((1 << 8 * c) - 1) for c, s in _chunk_shifts(chunks, big)]
    return st.pack(*args)


def _bit_range(width: int, signed: bool) -> tuple[int, int]:
    return (-(1 << (width - 1)), (1 << (width - 1)) - 1) if signed else (0, (1 << width) - 1)


def _chunk_shifts(chunks: tuple[int, ...], big: bool) -> list[tuple[int, int]]:
    """(bytes, shift in the run's value) per chunk, in byte order: the first
    chunk is the least significant on little-endian ABIs, the most on big."""
    total = sum(chunks)
    out, at = [], 0
    for c in chunks:
        out.append((c, 8 * (total - at - c) if big else 8 * at))
        at += c
    return out


def _run_value(i: int, chunks: tuple[int, ...], big: bool, run: int, pre: list[str]) -> str:
    """The expression of a run's value from tuple items ``t[i:]`` (a local
    assigned in ``pre`` when it takes several chunks)."""
    if len(chunks) == 1:
        return f"t[{i}]"
    terms = [f"t[{i + k}] << {s}" if s else f"t[{i + k}]"
             for k, (c, s) in enumerate(_chunk_shifts(chunks, big))]
    pre.append(f"u{run} = " + " | ".join(terms))
    return f"u{run}"


def _field(value: str, shift: int, width: int, signed: bool) -> str:
    """A bitfield cut out of its run's value: shift, mask, sign-extend."""
    mask = (1 << width) - 1
    cut = f"{value} >> {shift} & {mask}" if shift else f"{value} & {mask}"
    if not signed:
        return cut
    half = 1 << (width - 1)
    return f"({cut} ^ {half}) - {half}"


def flat_into(v, dims: tuple[int, ...], path: str, args: list) -> None:
    """Append nested lists ``v`` of ``dims`` to ``args`` row-major, refusing
    a list of the wrong length."""
    if len(v) != dims[0]:
        raise ValueError(f"'{path}' needs {dims[0]} values, not {len(v)}")
    if len(dims) == 1:
        args.extend(v)
    else:
        for x in v:
            flat_into(x, dims[1:], path, args)


def _count(dims: tuple[int, ...]) -> int:
    n = 1
    for d in dims:
        n *= d
    return n


def _checks(var: str, dims: tuple[int, ...]) -> list[str]:
    """Boolean expressions true when nested lists ``var`` have ``dims``."""
    out = [f"len({var}) == {dims[0]}"]
    for depth, d in enumerate(dims[1:]):
        names = [f"r{var}_{k}" for k in range(depth + 1)]
        loops = " ".join(f"for {names[k]} in {names[k - 1] if k else var}"
                         for k in range(depth + 1))
        out.append(f"all(len({names[-1]}) == {d} {loops})")
    return out


def _flatten(var: str, dims: tuple[int, ...]) -> str:
    """A list comprehension giving the elements of nested ``var``, row-major."""
    names = [f"r{var}_{k}" for k in range(len(dims) - 1)] + [f"x{var}"]
    loops = " ".join(f"for {names[k]} in {names[k - 1] if k else var}" for k in range(len(dims)))
    return f"[{names[-1]} {loops}]"


def _group(start: int, dims: tuple[int, ...]) -> str:
    """The expression nesting tuple ``t[start:...]`` as lists of ``dims``."""
    if len(dims) == 1:
        return f"[*t[{start}:{start + dims[0]}]]"
    step = _count(dims[1:])
    return "[" + ", ".join(_group(start + k * step, dims[1:]) for k in range(dims[0])) + "]"
