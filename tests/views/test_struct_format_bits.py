"""Bitfields on the struct fast path (``struct_format(..., bitfields=True)``).

- Bytes from gcc: a record with signed and unsigned bitfields sharing a
  storage unit, one crossing into the next byte, a 40-bit field (a 5-byte
  run), ``_Bool``, a union of bitfields, a packed struct with a 20-bit field
  between a char and a short, is initialized in C and compiled by each
  installed cross gcc (big-endian ABIs among them): the fast path must pack
  exactly the object's bytes and unpack them to the fields.
- Against the construct model (its own bit plan through ``BitStruct``), for
  values hypothesis draws, on every target: the same bytes, each reads the
  other's.
- Out-of-range and non-integer values are refused (never truncated); without
  ``bitfields=True`` a record with bitfields is still refused.
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from views.elf_oracle import gcc_of, object_bytes, require_elftools, symbol_bytes
from views.model_cases import plain, shape, values
from abicheck import api
from abicheck.targets import all_targets, get_target
from abicheck.views import construct_model as cm
from abicheck.views.struct_format import NoFastPath, struct_format

TARGETS = [t.name for t in all_targets()]
GCC_TARGETS = [t for t in all_targets() if gcc_of(t)]
SETTINGS = settings(max_examples=10, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

BITS = """
struct pk { char a; int b:20; short c; } __attribute__((packed));
struct bits {
    signed char c;
    int x:3, y:9;
    unsigned z:30;
    short s;
    _Bool ok:1;
    unsigned char nib:4;
    long long t:40;
    unsigned short w:7;
    union { int ua:3; unsigned ub:20; } ubf;
    struct pk pk;
};
"""
#: every leaf, in declaration order; the union carries its largest member (ub)
VALUES = {"c": -5, "x": -2, "y": 201, "z": 0x2345678, "s": -1234, "ok": 1, "nib": 0xA,
          "t": -0x123456789, "w": 0x55, "ubf.ub": 0xABCDE, "pk.a": 1, "pk.b": -5000,
          "pk.c": 77}


def _layout(target: str):
    tr = api.translate((), get_target(target), source=BITS)
    (lay,) = api.layout_translation(tr, ["struct bits"])
    return tr, lay


@pytest.mark.parametrize("t", GCC_TARGETS, ids=lambda t: t.name)
def test_bitfield_bytes_from_gcc(t):
    require_elftools()
    desig = ", ".join(f".{k} = {v}" for k, v in VALUES.items())
    obj = symbol_bytes(object_bytes(gcc_of(t), BITS + f"struct bits probe = {{{desig}}};\n"),
                       "probe")
    tr, lay = _layout(t.name)
    fast = struct_format(lay, tr, bitfields=True)
    assert [leaf.path for leaf in fast.leaves] == list(VALUES)
    assert fast.pack(VALUES) == obj
    assert fast.unpack(obj) == VALUES
    assert list(fast.iter_unpack(obj * 2)) == [VALUES, VALUES]
    assert fast.pack_many([VALUES, VALUES]) == obj * 2


def test_some_gcc_targets_are_big_endian():
    big = [t.name for t in GCC_TARGETS if t.byte_order == "big"]
    if len(big) < 2:
        pytest.skip("fewer than 2 big-endian cross gccs installed")
    assert big


@pytest.mark.parametrize("target", TARGETS)
@SETTINGS
@given(data=st.data())
def test_bitfields_equal_construct(target, data):
    tr, lay = _layout(target)
    fast = struct_format(lay, tr, bitfields=True)
    model = cm.model(lay, tr)
    v = data.draw(values(shape(tr, lay).root, fast=True))
    flat = {}
    for leaf in fast.leaves:
        x = v
        for k in leaf.keys:
            x = x[k]
        flat[leaf.path] = x
    b = model.build(v)
    assert fast.pack(flat) == b
    assert fast.unpack(b) == flat
    parsed = plain(model.parse(fast.pack(flat)))
    got = {}
    for leaf in fast.leaves:
        x = parsed
        for k in leaf.keys:
            x = x[k]
        got[leaf.path] = x
    assert got == flat


@pytest.mark.parametrize("target", ["x86_64", "s390x"])
def test_out_of_range_bitfields_are_refused(target):
    tr, lay = _layout(target)
    fast = struct_format(lay, tr, bitfields=True)
    for path, bad in [("x", 4), ("x", -5), ("nib", 16), ("ok", 2), ("t", 1 << 39),
                      ("pk.b", -(1 << 19) - 1), ("z", -1)]:
        with pytest.raises(ValueError, match=f"'{path}' is a .*bitfield: {bad} is out of range"):
            fast.pack(dict(VALUES, **{path: bad}))
    with pytest.raises(TypeError):
        fast.pack(dict(VALUES, x=1.0))
    with pytest.raises(KeyError):
        fast.pack({k: v for k, v in VALUES.items() if k != "w"})
    # the ends of each range are accepted
    edge = dict(VALUES, x=-4, y=255, nib=15, t=-(1 << 39), z=(1 << 30) - 1)
    assert fast.unpack(fast.pack(edge)) == edge


def test_without_the_option_bitfields_are_still_refused():
    tr, lay = _layout("x86_64")
    with pytest.raises(NoFastPath, match="bitfield"):
        struct_format(lay, tr)


def test_only_unnamed_bitfields_are_padding():
    tr = api.translate((), get_target("x86_64"), source="struct u { char a; int :5; char b; };")
    (lay,) = api.layout_translation(tr, ["struct u"])
    fast = struct_format(lay, tr, bitfields=True)
    assert [leaf.path for leaf in fast.leaves] == ["a", "b"]
    assert fast.pack({"a": 1, "b": 2}) == cm.model(lay, tr).build({"a": 1, "b": 2})
