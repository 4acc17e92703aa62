"""What a byte map must show, worked out from an oracle's layout (libclang
or the ABI's gcc, ``tests/oracle``), never from abicheck's own numbers.

The oracle lists named members in pre-order with dotted paths (anonymous
levels flattened away).  From that list: the leaves are the members no
other member is inside of; the unused bits are those no member of a record
covers between its start and its end (walking each record's direct
members, as listed, with the furthest end so far, so the alternatives of a
union never count as holes); the tail padding is what lies past the last
member's end.
"""
from __future__ import annotations

import functools
import os

import pytest

from oracle import NoOracle, OracleError, compiler_include_dir, pick_oracle


def span(m: dict) -> tuple[int, int]:
    if m["bit_width"] is not None:
        return m["bit_offset"], m["bit_offset"] + m["bit_width"]
    return m["offset"] * 8, (m["offset"] + m["size"]) * 8


def leaves(lay: dict) -> dict[str, tuple[int, int]]:
    paths = [m["path"] for m in lay["members"]]
    return {m["path"]: span(m) for m in lay["members"]
            if not any(p.startswith(m["path"] + ".") for p in paths)}


def hole_bits(lay: dict) -> set[int]:
    by_path = {m["path"]: m for m in lay["members"]}
    kids: dict[str, list[dict]] = {}
    for m in lay["members"]:
        kids.setdefault(m["path"].rpartition(".")[0], []).append(m)
    bits: set[int] = set()
    for parent, ms in kids.items():
        lo, hi = (0, None) if parent == "" else span(by_path[parent])
        cur = lo
        for m in ms:
            a, b = span(m)
            if a > cur:
                bits.update(range(cur, a))
            cur = max(cur, b)
        if hi is not None and hi > cur:
            bits.update(range(cur, hi))
    return bits


def padding_bits(lay: dict) -> set[int]:
    end = max(span(m)[1] for m in lay["members"])
    return set(range(end, lay["size"] * 8))


def moved(layouts: list[dict]) -> set[str]:
    """Leaf paths placed differently by some of ``layouts`` (or missing)."""
    places = [leaves(x) for x in layouts]
    paths = {p for pl in places for p in pl}
    return {p for p in paths if len({pl.get(p) for pl in places}) > 1}


def same(a: dict, b: dict) -> bool:
    return (a["size"], a["align"], a["members"]) == (b["size"], b["align"], b["members"])


def oracle_of(target):
    try:
        return pick_oracle(target)
    except NoOracle as e:
        pytest.skip(str(e))


@functools.cache
def _layout(target_name: str, source: str, types: tuple[str, ...], dirs: tuple[str, ...]):
    from abicheck.targets import get_target
    cc = compiler_include_dir()
    extra = [cc] if cc else []
    return pick_oracle(get_target(target_name)).layout(source, list(types),
                                                       include_dirs=extra + list(dirs))


def oracle_layout(target, source: str, type_name: str, dirs=()) -> dict:
    oracle_of(target)
    try:
        return _layout(target.name, source, (type_name,), tuple(dirs))[type_name]
    except OracleError as e:
        pytest.skip(f"{target.name}: the oracle rejects the source: {str(e).splitlines()[0][:200]}")


def skip_without_dirs(dirs, target) -> list[str]:
    if not dirs:
        pytest.skip(f"{target.name}: Debian cross headers not installed")
    return [d for d in dirs if os.path.isdir(d)]
