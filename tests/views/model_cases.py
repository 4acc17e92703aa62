"""Shared inputs of the model tests: translations of every bundled siginfo
revision (cached: each is a preprocessor run), and hypothesis strategies for
the values of a byte shape (every value a C member of that shape can hold)."""
from __future__ import annotations

import functools

import pytest
from hypothesis import strategies as st

from abicheck import api, bundled
from abicheck.errors import PreprocessError
from abicheck.targets import get_target
from abicheck.views import blob_shape as bs
from abicheck.views import construct_model as cm

#: every bundled header set and the header that declares its siginfo_t
SIGINFO_SETS = {name: ("signal.h" if name in ("glibc", "musl") else "asm/siginfo.h")
                for name in bundled.header_sets()}


def siginfo(hset: str, target: str):
    """(translation, layout) of ``siginfo_t`` in bundled set ``hset``; skips
    where the set has no port to the target (musl has none for arm OABI)."""
    got = _siginfo(hset, target)
    if isinstance(got, str):
        pytest.skip(got)
    return got


@functools.cache
def _siginfo(hset: str, target: str):
    t = get_target(target)
    try:
        tr = api.translate([SIGINFO_SETS[hset]], t, [bundled.headers_dir(hset)])
    except PreprocessError as e:
        if "no port" in str(e):
            return f"{hset} has no port to {target}"
        raise
    (lay,) = api.layout_translation(tr, ["siginfo_t"])
    return tr, lay


def values(n: bs.Node, fast: bool = False) -> st.SearchStrategy:
    """Values of node ``n``.  A union takes one member, any member, or with
    ``fast`` the one the struct fast path carries (its first: the largest)."""
    if isinstance(n, bs.Int):
        bits = n.size * 8
        lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if n.signed else (0, (1 << bits) - 1)
        return st.integers(lo, hi)
    if isinstance(n, bs.Float):
        return st.floats(allow_nan=False, width=32 if n.size == 4 else 64)
    if isinstance(n, bs.Opaque):
        return st.binary(min_size=n.size, max_size=n.size)
    if isinstance(n, bs.Array):
        return st.lists(values(n.element, fast), min_size=n.count, max_size=n.count)
    if isinstance(n, bs.Bits):
        return st.fixed_dictionaries({
            f.name: st.integers(-(1 << (f.width - 1)), (1 << (f.width - 1)) - 1) if f.signed
            else st.integers(0, (1 << f.width) - 1) for f in n.fields})
    if n.kind == "union":
        members = n.fields[:1] if fast else n.fields
        return st.one_of([st.fixed_dictionaries({f.name: values(f.node, fast)})
                          for f in members])
    return st.fixed_dictionaries({f.name: values(f.node, fast) for f in n.fields})


def shape(tr, lay) -> bs.Shape:
    return cm.shape(lay, tr)


plain = cm.clean


def subset(parsed, value):
    """``parsed`` restricted to the keys ``value`` has (a parsed union names
    every member; ``value`` the one it set)."""
    if isinstance(value, dict):
        return {k: subset(parsed[k], v) for k, v in value.items()}
    if isinstance(value, list):
        return [subset(p, v) for p, v in zip(parsed, value)]
    return parsed
