"""Tests of the oracles themselves.

An oracle is trusted only where two independent compilers agree with each
other (libclang's record layout vs gcc's own numbers read from ``-S`` output)
and with documented ABI facts.  The negative tests make sure the comparisons
can fail: different ABIs must give different answers, and bad input must
raise instead of returning something.
"""
from __future__ import annotations

import os

import pytest

from oracle import (MEMBER_KEYS, NoOracle, OracleError, clang_layout, clang_records,
                    compiler_include_dir, gcc_layout, gcc_records, have_clang, have_gcc,
                    pick_oracle)

pytestmark = pytest.mark.oracle

needs_clang = pytest.mark.skipif(not have_clang(), reason="libclang (pip libclang) not installed")


def needs_gcc(cmd: str):
    return pytest.mark.skipif(not have_gcc(cmd), reason=f"{cmd} not installed")


def by_path(layout: dict) -> dict[str, dict]:
    return {m["path"]: m for m in layout["members"]}


# Everything the conventions cover: nesting, anonymous members, unions,
# arrays, bitfields of several declared types, zero-width and unnamed
# bitfields, enum and _Bool bitfields, a flexible array, attributes, and a
# member name that is also a macro (as glibc's siginfo accessors are).
TORTURE = r"""
struct inner { short s; char c[3]; };
enum color { RED, GREEN, BLUE };
struct T {
    char a;
    struct inner in;
    unsigned b1:3, b2:7;
    int :0;
    unsigned char b3:4;
    long long ll:40;
    union {
        int ui;
        struct { char x, y; } xy;
        unsigned short ub:9;
    };
    struct { int q; struct { signed char deep:3; }; } named;
    double d;
    char arr[5];
    struct inner arr2[2];
    unsigned :5;
    _Bool flag:1;
    enum color col:2;
    int fam[];
};
struct __attribute__((packed)) P { char c; int i; short s:3; long l; };
struct A { char c; int i __attribute__((aligned(16))); };
typedef struct { char c; } __attribute__((aligned(8))) TA;
union U { char c[3]; int i:5; long long l; };
struct M { int pad; struct { int real_name; } u; };
#define alias u.real_name
"""
TORTURE_TYPES = ["struct T", "struct P", "struct A", "TA", "union U", "struct M"]

# Only chars, shorts and ints (no 8-byte scalars, pointers or floats): lays
# out the same on every ABI with 2-aligned shorts and 4-aligned ints, so
# one ABI's compiler can check another's bit numbering.
NEUTRAL = r"""
struct B {
    unsigned char a:3, b:5;
    unsigned char c:4;
    unsigned short s:12, t:6;
    unsigned int i:1, j:20, k:11;
    unsigned int l:30;
    signed char m;
};
"""


def assert_same(a: dict[str, dict], b: dict[str, dict], what: str) -> None:
    assert a.keys() == b.keys()
    for name in a:
        x, y = a[name], b[name]
        assert (x["size"], x["align"]) == (y["size"], y["align"]), f"{what}: {name}"
        assert [m["path"] for m in x["members"]] == [m["path"] for m in y["members"]], \
            f"{what}: {name} member lists differ"
        for mx, my in zip(x["members"], y["members"]):
            assert mx == my, f"{what}: {name}.{mx['path']}: {mx} != {my}"


# ------------------------------------------------------- documented facts

@needs_clang
def test_clang_char_int_is_8_bytes_with_int_at_4():
    lay = clang_layout("struct S { char c; int i; };", ["struct S"], "x86_64-linux-gnu")
    s = lay["struct S"]
    assert (s["size"], s["align"]) == (8, 4)
    assert s["members"] == [
        {"path": "c", "offset": 0, "size": 1, "bit_offset": None, "bit_width": None},
        {"path": "i", "offset": 4, "size": 4, "bit_offset": None, "bit_width": None},
    ]


@needs_gcc("gcc")
def test_gcc_char_int_is_8_bytes_with_int_at_4():
    lay = gcc_layout("struct S { char c; int i; };", ["struct S"], ["gcc"])
    s = lay["struct S"]
    assert (s["size"], s["align"]) == (8, 4)
    assert [(m["path"], m["offset"], m["size"]) for m in s["members"]] == [("c", 0, 1), ("i", 4, 4)]


@needs_clang
def test_clang_i386_aligns_long_long_to_4_in_structs():
    # i386 psABI: 8-byte integers are 4-aligned inside structs; x86_64: 8.
    src = "struct S { char c; long long x; };"
    i386 = clang_layout(src, ["struct S"], "i686-linux-gnu")["struct S"]
    amd64 = clang_layout(src, ["struct S"], "x86_64-linux-gnu")["struct S"]
    assert (i386["size"], by_path(i386)["x"]["offset"]) == (12, 4)
    assert (amd64["size"], by_path(amd64)["x"]["offset"]) == (16, 8)


@needs_gcc("m68k-linux-gnu-gcc")
def test_gcc_m68k_aligns_int_and_pointers_to_2():
    lay = gcc_layout("struct S { char c; void *p; char d; int i; };", ["struct S"],
                     ["m68k-linux-gnu-gcc"])["struct S"]
    m = by_path(lay)
    assert (m["p"]["offset"], m["i"]["offset"], lay["size"], lay["align"]) == (2, 8, 12, 2)


@needs_clang
@needs_gcc("gcc")
def test_bitfields_little_endian_allocation_order():
    # SysV x86-64: bitfields fill each unit from its least significant bit.
    src = "struct S { unsigned a:3, b:5; unsigned char c; unsigned short d:4; };"
    for lay in (clang_layout(src, ["struct S"], "x86_64-linux-gnu"),
                gcc_layout(src, ["struct S"], ["gcc"])):
        m = by_path(lay["struct S"])
        assert (m["a"]["bit_offset"], m["a"]["bit_width"], m["a"]["offset"]) == (0, 3, 0)
        assert (m["b"]["bit_offset"], m["b"]["bit_width"], m["b"]["size"]) == (3, 5, 4)
        assert (m["c"]["offset"], m["c"]["bit_offset"]) == (1, None)
        assert (m["d"]["bit_offset"], m["d"]["size"]) == (16, 2)


def _host_uapi_dirs() -> list[str]:
    dirs = [d for d in ("/usr/include/x86_64-linux-gnu", "/usr/include") if os.path.isdir(d)]
    if not os.path.exists("/usr/include/x86_64-linux-gnu/asm/siginfo.h"):
        pytest.skip("host amd64 kernel headers (linux-libc-dev) not installed")
    return dirs


PKEY = "_sifields._sigfault._addr_pkey._pkey"


@needs_clang
def test_clang_siginfo_kernel_asserted_offsets_x86_64():
    # The kernel's own build-time checks: si_pkey 0x20, si_addr 0x10, 128 bytes.
    lay = clang_layout("#include <asm/siginfo.h>\n", ["siginfo_t"], "x86_64-linux-gnu",
                       include_dirs=_host_uapi_dirs())["siginfo_t"]
    m = by_path(lay)
    assert lay["size"] == 128
    assert (m["_sifields._sigfault._addr"]["offset"], m[PKEY]["offset"]) == (0x10, 0x20)
    assert (m["si_signo"]["offset"], m["si_errno"]["offset"], m["si_code"]["offset"]) == (0, 4, 8)


@needs_gcc("gcc")
def test_gcc_siginfo_kernel_asserted_offsets_x86_64():
    lay = gcc_layout("#include <asm/siginfo.h>\n", ["siginfo_t"], ["gcc"],
                     include_dirs=_host_uapi_dirs())["siginfo_t"]
    m = by_path(lay)
    assert lay["size"] == 128
    assert (m["_sifields._sigfault._addr"]["offset"], m[PKEY]["offset"]) == (0x10, 0x20)


@needs_gcc("m68k-linux-gnu-gcc")
def test_gcc_siginfo_kernel_asserted_offsets_m68k():
    inc = "/usr/m68k-linux-gnu/include"
    if not os.path.exists(f"{inc}/asm/siginfo.h"):
        pytest.skip("linux-libc-dev-m68k-cross not installed")
    lay = gcc_layout("#include <asm/siginfo.h>\n", ["siginfo_t"], ["m68k-linux-gnu-gcc"],
                     include_dirs=[inc])["siginfo_t"]
    m = by_path(lay)
    assert lay["size"] == 128
    assert m[PKEY]["offset"] == 0x12
    assert m["_sifields._sigfault._addr_bnd._lower"]["offset"] == 0x12
    assert m["_sifields._sigfault._addr_bnd._upper"]["offset"] == 0x16


# --------------------------------------------- the two oracles must agree

@needs_clang
@needs_gcc("gcc")
def test_torture_x86_64_clang_equals_host_gcc():
    a = clang_layout(TORTURE, TORTURE_TYPES, "x86_64-linux-gnu")
    b = gcc_layout(TORTURE, TORTURE_TYPES, ["gcc"])
    assert_same(a, b, "x86_64")
    t = by_path(a["struct T"])
    # the conventions, spot-checked
    assert "xy" in t and "xy.x" in t and "ub" in t and "named.deep" in t and "q" not in t
    assert "arr2" in t and "arr2.s" not in t and "arr2[0]" not in t
    assert t["fam"]["size"] == 0
    assert t["flag"]["size"] == 1 and t["flag"]["bit_width"] == 1
    assert t["ll"]["size"] == 8 and t["ll"]["bit_width"] == 40
    assert by_path(a["struct M"])["u.real_name"]["offset"] == 4
    assert a["struct A"]["size"] == 32 and a["TA"]["align"] == 8
    assert all(tuple(m) == MEMBER_KEYS for m in a["struct T"]["members"])


@needs_clang
@needs_gcc("gcc")
def test_dwarf_implicit_const_widths_clang_equals_host_gcc():
    # Alone, this record makes gcc move the equal widths of dst and src into
    # the abbreviation (DW_FORM_implicit_const): no operand in the DIE.
    src = "struct N { unsigned char code; unsigned char dst:4, src:4; short off; int imm; };"
    a = clang_layout(src, ["struct N"], "x86_64-linux-gnu")
    b = gcc_layout(src, ["struct N"], ["gcc"])
    assert_same(a, b, "x86_64")
    assert [m["bit_width"] for m in b["struct N"]["members"]] == [None, 4, 4, None, None]


@needs_clang
@needs_gcc("i686-linux-gnu-gcc")
def test_torture_i386_clang_equals_cross_gcc():
    a = clang_layout(TORTURE, TORTURE_TYPES, "i686-linux-gnu")
    b = gcc_layout(TORTURE, TORTURE_TYPES, ["i686-linux-gnu-gcc"])
    assert_same(a, b, "i386")


@needs_clang
@needs_gcc("alpha-linux-gnu-gcc")
def test_torture_alpha_gcc_equals_x86_64_clang_without_long_double():
    # alpha and x86_64 are both LP64 little-endian with natural alignment and
    # the SysV bitfield rules; only long double differs, and TORTURE has none.
    assert "long double" not in TORTURE
    a = clang_layout(TORTURE, TORTURE_TYPES, "x86_64-linux-gnu")
    b = gcc_layout(TORTURE, TORTURE_TYPES, ["alpha-linux-gnu-gcc"])
    assert_same(a, b, "alpha vs x86_64")


@needs_clang
@pytest.mark.parametrize("gcc", ["hppa-linux-gnu-gcc", "m68k-linux-gnu-gcc"])
def test_big_endian_bit_numbering_gcc_equals_clang(gcc):
    if not have_gcc(gcc):
        pytest.skip(f"{gcc} not installed")
    b = gcc_layout(NEUTRAL, ["struct B"], [gcc])
    a = clang_layout(NEUTRAL, ["struct B"], "powerpc-linux-gnu")
    if gcc.startswith("m68k"):
        # m68k lets wider bitfields straddle their type's alignment boundary
        # (and aligns int to 2), so only the char bitfields are ABI-neutral.
        a = {k: {**v, "members": v["members"][:3]} for k, v in a.items()}
        b = {k: {**v, "members": v["members"][:3], "size": a[k]["size"],
                 "align": a[k]["align"]} for k, v in b.items()}
    assert_same(a, b, f"{gcc} vs powerpc")
    m = by_path(b["struct B"])
    assert (m["a"]["bit_offset"], m["b"]["bit_offset"], m["c"]["bit_offset"]) == (0, 3, 8)


@needs_gcc("gcc")
def test_gcc_uses_given_paths_in_given_order():
    src = "struct S { int a; struct { short b; unsigned c:3; } n; };"
    lay = gcc_layout(src, ["struct S"], ["gcc"], paths={"struct S": ["n.c", "a"]})
    assert [(m["path"], m["offset"], m["bit_offset"]) for m in lay["struct S"]["members"]] == \
        [("n.c", 6, 48), ("a", 0, None)]


# ------------------------------------- the comparisons must be able to fail

@needs_clang
def test_different_abis_give_different_answers():
    src = "struct S { char c; long l; void *p; };"
    a = clang_layout(src, ["struct S"], "x86_64-linux-gnu")
    b = clang_layout(src, ["struct S"], "i686-linux-gnu")
    with pytest.raises(AssertionError):
        assert_same(a, b, "must differ")


@needs_clang
@needs_gcc("m68k-linux-gnu-gcc")
def test_libclang_m68k_is_wrong_so_the_table_uses_gcc():
    # Documented: libclang aligns m68k pointers to 4, gcc to 2.
    src = "struct S { char c; void *p; };"
    a = clang_layout(src, ["struct S"], "m68k-linux-gnu")
    b = gcc_layout(src, ["struct S"], ["m68k-linux-gnu-gcc"])
    assert by_path(b["struct S"])["p"]["offset"] == 2
    assert by_path(a["struct S"])["p"]["offset"] != 2


@needs_clang
@pytest.mark.parametrize("src,types", [
    ("struct S { int a; ", ["struct S"]),                # syntax error
    ("#include <no/such/header.h>\n", ["struct S"]),     # missing header
    ("struct S { int a; };", ["struct Nope"]),            # unknown type
    ("struct S;", ["struct S"]),                          # incomplete
    ("typedef int I;", ["I"]),                            # not a record
])
def test_clang_raises_on_bad_input(src, types):
    with pytest.raises(OracleError):
        clang_layout(src, types, "x86_64-linux-gnu")


@needs_gcc("gcc")
@pytest.mark.parametrize("src,types,paths", [
    ("struct S { int a; ", ["struct S"], None),
    ("#include <no/such/header.h>\n", ["struct S"], None),
    ("struct S { int a; };", ["struct Nope"], None),
    ("typedef int I;", ["I"], None),
    ("struct S { int a; };", ["struct S"], {"struct S": ["b"]}),
])
def test_gcc_raises_on_bad_input(src, types, paths):
    with pytest.raises(OracleError):
        gcc_layout(src, types, ["gcc"], paths)


RECORDS_SRC = r"""
#include <defs.h>
struct tagged { int a; };
typedef struct { int b; } anon_t;
typedef struct tagged tagged_t;
union u { int c; };
typedef int not_a_record;
struct declared_only;
"""
DEFS_H = "struct elsewhere { int z; };\n"


@needs_clang
@needs_gcc("gcc")
def test_records_discovery_clang_equals_gcc(tmp_path):
    (tmp_path / "defs.h").write_text(DEFS_H)
    a = clang_records(RECORDS_SRC, "x86_64-linux-gnu", ["defs.h"], include_dirs=[tmp_path])
    b = gcc_records(RECORDS_SRC, ["gcc"], ["defs.h"], include_dirs=[tmp_path])
    assert a == b == ["struct elsewhere"]
    # the main file: tagged records and typedefs of complete records only
    a = clang_records(RECORDS_SRC, "x86_64-linux-gnu", [".c"], include_dirs=[tmp_path])
    assert a == ["anon_t", "struct tagged", "tagged_t", "union u"]


@needs_clang
def test_clang_does_not_take_a_typedef_name_for_a_tag():
    with pytest.raises(OracleError):
        clang_layout("typedef struct { int b; } anon_t;", ["struct anon_t"], "x86_64-linux-gnu")


def test_have_gcc_false_for_missing_compiler():
    assert not have_gcc("no-such-arch-linux-gnu-gcc")


def test_pick_oracle_prefers_clang_then_gcc_then_gives_up():
    class Row:
        name = "fake"
        clang_triple = "x86_64-linux-gnu"
        gcc = ("gcc",)

    if have_clang():
        assert pick_oracle(Row).kind == "clang"
    Row.clang_triple = None
    if have_gcc("gcc"):
        assert pick_oracle(Row).kind == "gcc"
    Row.gcc = ("no-such-arch-linux-gnu-gcc",)
    with pytest.raises(NoOracle):
        pick_oracle(Row)


def test_compiler_include_dir_has_stddef():
    d = compiler_include_dir()
    if d is None:
        pytest.skip("no host gcc")
    assert os.path.exists(os.path.join(d, "stddef.h"))
