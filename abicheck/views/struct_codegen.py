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

Anything unusual (a missing key, an array of the wrong length, a value
``struct`` refuses) falls back to the data-driven path, which raises exactly
the error it always raised: the generated code only has to be right for
well-formed values, and is checked against that path by the tests.

The source holds nothing but Python literals we write (``repr`` of member
paths, integers), so compiling it is as safe as the format.  Generated code
is cached per (format, leaves): the same record on many ABIs with one byte
order shares it.
"""
from __future__ import annotations

import functools
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


def leaf_dims(leaves) -> tuple[tuple[str, tuple[int, ...]], ...]:
    """(path, dims) per leaf: all the generator needs (hashable, for the cache)."""
    return tuple((leaf.path, leaf.dims) for leaf in leaves)


@functools.lru_cache(maxsize=CACHE_SIZE)
def compiled(fmt: str, leaves: tuple[tuple[str, tuple[int, ...]], ...], size: int) -> Compiled:
    """The generated functions for ``fmt`` whose values fill ``leaves``
    ((path, dims) in order); the generated pack hands anything unusual to
    :func:`reference_pack`, which raises the proper error."""
    src = source(leaves, size)
    st = struct.Struct(fmt)

    def slow(values):
        return reference_pack(st, leaves, values)

    ns: dict = {"_pack": st.pack, "_unpack": st.unpack, "_iter": st.iter_unpack,
                "_slow": slow, "_join": b"".join}
    exec(compile(src, f"<struct fast path {fmt}>", "exec"), ns)     # noqa: S102 - our own literals
    return Compiled(ns["pack"], ns["unpack"], ns["iter_unpack"], ns["pack_many"], src)


def source(leaves: tuple[tuple[str, tuple[int, ...]], ...], size: int) -> str:
    """The Python text of the four functions (deterministic)."""
    reads, checks, args, items = [], [], [], []
    i = 0                                   # index into the unpacked tuple
    for n, (path, dims) in enumerate(leaves):
        key = repr(path)
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
    pack_body = "\n".join(f"        {r}" for r in reads)
    call = f"_pack({', '.join(args)})"
    if checks:
        test = " and ".join(checks)
        pack_body += f"\n        if {test}:\n            return {call}"
    else:
        pack_body += f"\n        return {call}"
    record = "{" + ", ".join(items) + "}"
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
        f"    return {record}\n"
        "\n"
        "def iter_unpack(buffer):\n"
        f"    if len(buffer) % {size}:\n"
        f"        raise ValueError(f'a buffer of {{len(buffer)}} bytes is not whole {size}-byte '\n"
        "                         'records')\n"
        "    for t in _iter(buffer):\n"
        f"        yield {record}\n"
        "\n"
        "def pack_many(records):\n"
        "    return _join(map(pack, records))\n")


def reference_pack(st: struct.Struct, leaves: tuple[tuple[str, tuple[int, ...]], ...],
                   values) -> bytes:
    """The data-driven pack, leaf by leaf: the meaning the generated code
    must keep, and the one place its errors are worded."""
    args: list = []
    for path, dims in leaves:
        v = values[path]
        if not dims:
            args.append(v)
        else:
            flat_into(v, dims, path, args)
    return st.pack(*args)


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
