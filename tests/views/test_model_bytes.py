"""Construct models against bytes GCC wrote: for real records (siginfo_t of
three bundled revisions, Debian's struct input_event and inotify_event) and a
synthetic record with every construct the model handles (bitfields crossing
bytes, a 40-bit bitfield, bitfields in a union and in a packed struct, holes,
a union, nested anonymous members, arrays of arrays and of records, an enum,
_Bool, a pointer, a double), a C file with a
designated initializer is compiled by the ABI's cross gcc (-c) and the
object's bytes are read from the ELF file.  The model built from the same
fields must give exactly those bytes, and parse them back to the fields; for
the Debian records the struct fast path must too.
Big-endian ABIs (s390x, sparc64, hppa, m68k, mips) are among them."""
from __future__ import annotations

import pytest

from blobs.cases import REAL, pattern
from debian_headers import include_dirs
from views.elf_oracle import gcc_of, object_bytes, require_elftools, symbol_bytes
from abicheck import api, bundled
from abicheck.targets import all_targets
from abicheck.views import construct_model as cm
from abicheck.views.struct_format import struct_format

require_elftools()
GCC_TARGETS = [t for t in all_targets() if gcc_of(t)]
SETS = ("linux-6.6", "pkeys-u32", "pkeys-u8-reserved")


plain = cm.clean


def c_init(v) -> str:
    if isinstance(v, dict):
        return "{" + ", ".join(f".{k} = {c_init(x)}" for k, x in v.items()) + "}"
    if isinstance(v, list):
        return "{" + ", ".join(c_init(x) for x in v) + "}"
    if isinstance(v, float):
        return repr(v)
    return f"{v}LL"


def check(tr, type_name: str, values: dict[str, object], obj_bytes: bytes) -> None:
    """model.build(values) == the compiler's bytes; parse gives values back."""
    (lay,) = api.layout_translation(tr, [type_name])
    model = cm.model(lay, tr)
    paths = cm.field_paths(lay, tr)
    assert len(obj_bytes) == lay.size
    assert model.build(cm.nest(values, paths)) == obj_bytes
    got = plain(cm.flatten(model.parse(obj_bytes), {p: paths[p] for p in values}))
    assert got == plain(values)


@pytest.mark.parametrize("hset", SETS)
@pytest.mark.parametrize("t", GCC_TARGETS, ids=lambda t: t.name)
def test_siginfo_bytes_from_gcc(t, hset):
    inc = [bundled.headers_dir(hset)]
    # by accessor (the headers' own macros), as a program fills it
    acc = {"si_signo": 11, "si_errno": -3, "si_code": 4, "si_addr": pattern(t, 0x11),
           "si_pkey": 0x5A}
    inits = ", ".join(f".{k} = {'(void *)' if k == 'si_addr' else ''}{v}" for k, v in acc.items())
    src = f"#include <asm/siginfo.h>\nsiginfo_t probe = {{{inits}}};\n"
    obj = symbol_bytes(object_bytes(gcc_of(t), src, inc), "probe")
    tr = api.translate(["asm/siginfo.h"], t, inc)
    (lay,) = api.layout_translation(tr, ["siginfo_t"])
    fields = api.resolve_fields(tr, [lay], list(acc))["siginfo_t"]
    check(tr, "siginfo_t", {f["path"]: acc[f["accessor"]] for f in fields}, obj)


SYNTHETIC = """
enum colour { RED, GREEN = 200 };
struct inner { long long ll; unsigned char arr[2][3]; };
struct pk { char a; int b:20; short c; } __attribute__((packed));
struct syn {
    signed char c;
    int x:3, y:9;
    unsigned z:30;
    short s;
    union { int a; signed char q[5]; } u;
    struct inner n[2];
    struct { int in1; union { short us; unsigned char uc; }; };
    double d;
    enum colour e;
    _Bool b;
    long long t:40;
    unsigned short w:7;
    void *p;
    union { int ua:3; unsigned ub:20; } ubf;
    struct pk pk;
};
"""


def synthetic_values(t) -> dict[str, object]:
    return {"c": -5, "x": -2, "y": 201, "z": 0x2345678, "s": -1234, "u.q": [1, -2, 3, 4, 5],
            "n": [{"ll": -0x0102030405060708, "arr": [[1, 2, 3], [4, 5, 6]]},
                  {"ll": 0x1112131415161718, "arr": [[7, 8, 9], [10, 11, 12]]}],
            "in1": 0x11223344, "us": -0x5566, "d": 1.5, "e": 200, "b": 1,
            "t": -0x123456789, "w": 0x55, "p": pattern(t, 0x21), "ubf.ub": 0xABCDE,
            "pk.a": 1, "pk.b": -5000, "pk.c": 77}


@pytest.mark.parametrize("t", GCC_TARGETS, ids=lambda t: t.name)
def test_synthetic_record_bytes_from_gcc(t):
    vals = synthetic_values(t)
    desig = ", ".join(f".{k} = {'(void *)' if k == 'p' else ''}{c_init(v)}" for k, v in vals.items())
    src = SYNTHETIC + f"struct syn probe = {{{desig}}};\n"
    obj = symbol_bytes(object_bytes(gcc_of(t), src), "probe")
    tr = api.translate((), t, source=SYNTHETIC)
    check(tr, "struct syn", vals, obj)




@pytest.mark.parametrize("name", sorted(REAL))
@pytest.mark.parametrize("t", GCC_TARGETS, ids=lambda t: t.name)
def test_debian_records_bytes_from_gcc(t, name):
    header, vals = REAL[name]
    dirs = include_dirs(t, header)
    if dirs is None:
        pytest.skip(f"Debian cross headers for {t.name} not installed")
    desig = ", ".join(f".{k} = {v}" for k, v in vals.items())
    src = f"#include <{header}>\n{name} probe = {{{desig}}};\n"
    # the Debian headers abicheck reads, plus gcc's own stddef.h
    obj = symbol_bytes(object_bytes(gcc_of(t), src, dirs, own_headers=True), "probe")
    tr = api.translate([header], t, dirs)
    check(tr, name, vals, obj)
    # the struct fast path too: every leaf of these records is set
    (lay,) = api.layout_translation(tr, [name])
    fast = struct_format(lay, tr)
    assert [x.path for x in fast.leaves] == list(vals)
    assert fast.pack(vals) == obj and fast.unpack(obj) == vals


def test_some_big_endian_abis_have_a_gcc():
    big = [t.name for t in GCC_TARGETS if t.byte_order == "big"]
    if len(big) < 3:
        pytest.skip("fewer than 3 big-endian cross gccs installed")
    assert {"s390x", "sparc64"} & set(big), big
