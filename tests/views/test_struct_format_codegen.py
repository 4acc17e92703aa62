"""The generated code of the struct fast path (views/struct_codegen).

- Bytes from gcc: a record with nested arrays (2 and 3 dimensions), a union
  (the default member and one picked with ``choose``), an inner anonymous
  struct, a double, a float and char arrays is initialized in C and compiled
  by each installed cross gcc (big-endian ABIs among them); the fast path
  must pack exactly the object's bytes and unpack them to the fields.
- The generated pack equals the data-driven one (``reference_pack``) and the
  generated unpack equals ``struct.unpack`` grouped here by hand, for values
  hypothesis draws, on every target.
- Bad values raise what the data-driven path raised (the generated code
  hands them over), ``iter_unpack`` checks the buffer lazily as before, and
  the generated code is shared between formats that are the same.
"""
from __future__ import annotations

import struct

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from views.elf_oracle import gcc_of, object_bytes, require_elftools, symbol_bytes
from views.model_cases import shape, siginfo, values
from abicheck import api
from abicheck.targets import all_targets, get_target
from abicheck.views import struct_codegen as codegen
from abicheck.views.struct_format import struct_format

TARGETS = [t.name for t in all_targets()]
GCC_TARGETS = [t for t in all_targets() if gcc_of(t)]
SETTINGS = settings(max_examples=10, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

NESTED = """
struct nest {
    unsigned char tag;
    short grid[2][3];
    int cube[2][2][2];
    union { long long ll; unsigned char b[5]; } u;
    double d;
    struct { float f; signed char s[3]; } inner;
    char name[4];
};
"""
#: the members as C names them, in declaration order (what the leaves must be)
NESTED_VALUES = {
    "tag": 0xA5,
    "grid": [[-1, 2, -300], [4000, -5, 6]],
    "cube": [[[1, -2], [3, -4]], [[0x7FFFFFFF, -0x80000000], [7, 8]]],
    "u.ll": -0x0102030405060708,
    "d": -1.25,
    "inner.f": 0.375,
    "inner.s": [-1, 2, -3],
    "name": [65, 66, 67, 0],
}
#: the union's smaller member instead (gcc zero-fills the union's other 3 bytes)
CHOSEN_VALUES = {("u.b" if k == "u.ll" else k): ([1, 2, 0xFE, 4, 5] if k == "u.ll" else v)
                 for k, v in NESTED_VALUES.items()}


def _layout(target: str, source: str = NESTED, name: str = "struct nest"):
    tr = api.translate((), get_target(target), source=source)
    (lay,) = api.layout_translation(tr, [name])
    return tr, lay


def _c_value(v) -> str:
    if isinstance(v, list):
        return "{" + ", ".join(_c_value(x) for x in v) + "}"
    if isinstance(v, float):
        return repr(v)
    return f"{v}LL"


def _designated(vals: dict[str, object]) -> str:
    """``.u.b = {...}`` per leaf: gcc takes member paths as designators."""
    return ", ".join(f".{path} = {_c_value(v)}" for path, v in vals.items())


@pytest.mark.parametrize("chosen", [False, True], ids=["default-union-member", "chosen"])
@pytest.mark.parametrize("t", GCC_TARGETS, ids=lambda t: t.name)
def test_nested_record_bytes_from_gcc(t, chosen):
    require_elftools()
    vals = CHOSEN_VALUES if chosen else NESTED_VALUES
    src = NESTED + f"struct nest probe = {{{_designated(vals)}}};\n"
    obj = symbol_bytes(object_bytes(gcc_of(t), src), "probe")
    tr, lay = _layout(t.name)
    fast = struct_format(lay, tr, {"u": "b"} if chosen else None)
    assert [leaf.path for leaf in fast.leaves] == list(vals)
    assert fast.size == len(obj)
    assert fast.pack(vals) == obj
    assert fast.unpack(obj) == vals
    assert list(fast.iter_unpack(obj * 3)) == [vals] * 3
    assert fast.pack_many(iter([vals, vals])) == obj * 2


def test_some_gcc_targets_are_big_endian():
    if not GCC_TARGETS:
        pytest.skip("no cross gcc installed")
    big = [t.name for t in GCC_TARGETS if t.byte_order == "big"]
    if len(big) < 2:
        pytest.skip("fewer than 2 big-endian cross gccs installed")
    assert big


def _by_hand(fast, data: bytes) -> dict[str, object]:
    """``struct.unpack`` grouped into each leaf's nested lists, written
    independently of the generator."""
    flat = list(struct.unpack(fast.format, data))
    out: dict[str, object] = {}
    for leaf in fast.leaves:
        if not leaf.dims:
            out[leaf.path] = flat.pop(0)
            continue
        items = [flat.pop(0) for _ in range(leaf.count)]
        for d in reversed(leaf.dims[1:]):
            items = [items[i:i + d] for i in range(0, len(items), d)]
        out[leaf.path] = items
    return out


def _leaf_values(fast, v) -> dict[str, object]:
    out = {}
    for leaf in fast.leaves:
        x = v
        for k in leaf.keys:
            x = x[k]
        out[leaf.path] = x
    return out


@pytest.mark.parametrize("target", TARGETS)
@SETTINGS
@given(data=st.data())
def test_generated_code_equals_data_driven_path(target, data):
    tr, lay = _layout(target)
    cases = [(tr, lay, None), (tr, lay, {"u": "b"})]
    str_, slay = siginfo("linux-6.6", target)
    cases.append((str_, slay, None))
    for tr, lay, choose in cases:
        fast = struct_format(lay, tr, choose)
        v = data.draw(values(shape(tr, lay).root, fast=True) if not choose else
                      values(shape(tr, lay).root))
        try:
            flat = _leaf_values(fast, v)
        except KeyError:             # the drawn union member is not the chosen one
            continue
        want = codegen.reference_pack(fast.struct, codegen.leaf_dims(fast.leaves), flat)
        assert fast.pack(flat) == want
        assert fast.unpack(want) == _by_hand(fast, want) == flat
        assert list(fast.iter_unpack(want * 2)) == [flat, flat]


def _error(fn, *args) -> tuple[type, str]:
    with pytest.raises(Exception) as e:
        fn(*args)
    return e.type, str(e.value)


@pytest.mark.parametrize("target", ["x86_64", "s390x"])
def test_bad_values_raise_what_the_data_driven_path_raises(target):
    tr, lay = _layout(target)
    fast = struct_format(lay, tr)
    dims = codegen.leaf_dims(fast.leaves)

    def reference(vals):
        return codegen.reference_pack(fast.struct, dims, vals)

    bad = [
        dict(NESTED_VALUES, grid=[[1, 2, 3]]),                       # outer length
        dict(NESTED_VALUES, grid=[[1, 2], [3, 4, 5, 6]]),            # inner lengths that add up
        dict(NESTED_VALUES, cube=[[[1, 2], [3]], [[4, 5], [6, 7, 8]]]),
        dict(NESTED_VALUES, name=[1, 2, 3]),
        {k: v for k, v in NESTED_VALUES.items() if k != "d"},        # missing member
        dict(NESTED_VALUES, tag=256),                                # out of range for struct
        dict(NESTED_VALUES, grid=5),                                 # not a list
    ]
    for vals in bad:
        got = _error(fast.pack, vals)
        assert got == _error(reference, vals), vals
    assert _error(fast.pack, bad[1]) == (ValueError, "'grid' needs 3 values, not 2")
    assert _error(fast.pack, bad[4]) == (KeyError, "'d'")
    # a well-formed value packs as the data-driven path does
    assert fast.pack(NESTED_VALUES) == reference(NESTED_VALUES)
    # pack_many stops at the first bad record with the same error
    assert _error(fast.pack_many, [NESTED_VALUES, bad[0]]) == _error(reference, bad[0])


def test_iter_unpack_checks_the_buffer_when_read():
    tr, lay = _layout("x86_64")
    fast = struct_format(lay, tr)
    rows = fast.iter_unpack(b"\0" * (fast.size + 1))      # nothing raised yet: a generator
    with pytest.raises(ValueError, match=f"is not whole {fast.size}-byte records"):
        next(rows)
    assert list(fast.iter_unpack(b"")) == []
    assert fast.pack_many([]) == b""


def test_generated_code_is_shared_and_deterministic():
    # x86_64 and x32 lay this record out alike (little-endian, signed char)
    tr, lay = _layout("x86_64")
    a = struct_format(lay, tr)
    tr, lay = _layout("x32")
    b = struct_format(lay, tr)
    assert a.format == b.format
    assert a.pack is b.pack and a.unpack is b.unpack
    assert a.source == codegen.source(codegen.leaf_dims(a.leaves), a.size)
    tr, lay = _layout("s390x")
    big = struct_format(lay, tr)
    assert big.format.startswith(">") and big.pack is not a.pack
    # the class's methods run the same generated code
    assert type(a).pack(a, NESTED_VALUES) == a.pack(NESTED_VALUES)
    assert type(a).unpack(a, a.pack(NESTED_VALUES)) == NESTED_VALUES
