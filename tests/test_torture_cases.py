"""Hand-picked layout corners, each checked against the compiler oracle on
every ABI it handles.  No expected number is written here: the oracle
(libclang with ``-target`` or the target's cross gcc) gives it at test time.

These are the corners the generated corpus (``test_torture.py``) found, or
that the psABIs single out: zero-width bitfields, bitfields straddling their
storage unit, packed and aligned together, typedef alignment that *lowers*,
``long long`` bitfields on i386, m68k's 2-byte alignment, ``_Bool``
bitfields, enums wider than ``int``.
"""
from __future__ import annotations

import pytest

from oracle import Oracle, have_gcc

try:
    from test_torture import (dialect, first_difference, format_failure,
                              our_layouts, require_oracle_and_engine)
except ImportError:  # tests/ is a package
    from tests.test_torture import (dialect, first_difference, format_failure,
                                    our_layouts, require_oracle_and_engine)


def case(id: str, source: str, *types: str, needs: str | None = None, gcc_only: bool = False,
         marks=(), vectors: bool = False):
    """A case: C text and the types to lay out (``needs``: a scalar kind the
    target must have, e.g. ``__int128``; ``gcc_only``: libclang 18 disagrees
    with GCC here, so only the targets' gccs may judge)."""
    needs = "vectors" if vectors else needs
    return pytest.param(source, list(types) or ["struct s"], needs, gcc_only, id=id, marks=marks)


CASES = [
    # -- zero-width bitfields
    case("zero_width_after_char",
         "struct s { char a; int :0; char b; };"),
    case("zero_width_long_long_after_char",
         "struct s { char a; long long :0; char b; };"),
    case("zero_width_between_bitfields",
         "struct s { char a:3; int :0; char b:3; };"),
    case("zero_width_char_between_bitfields",
         "struct s { int a:3; char :0; int b:3; };"),
    case("zero_width_trailing_pads_size",
         "struct s { float f; long long :0; }; struct t { _Bool b; long long :0; };",
         "struct s", "struct t"),
    case("zero_width_int128_trailing",
         "struct s { float f; __int128 :0; };", needs="__int128"),
    case("zero_width_first",
         "struct s { int :0; char a; };"),
    case("zero_width_in_union",
         "union s { char a; long long :0; };", "union s"),
    case("zero_width_in_packed_struct",
         "struct s { char a[3]; unsigned :0; } __attribute__((packed));"),
    case("zero_width_in_packed_union",
         "union s { int :0; int a:29; } __attribute__((packed));", "union s"),
    case("zero_width_short_after_long_bitfield_packed",
         "struct s { long a:21; short :0; } __attribute__((packed));"),
    # -- unnamed bitfields and what they do to alignment
    case("unnamed_bitfield_after_char",
         "struct s { char a; int :4; };"),
    case("unnamed_full_width_bitfields",
         "struct s { char a; int :32; }; struct t { short a:12; long long :64; };"
         " enum e { E = 0x100000000LL }; struct u { short a:12; enum e :64; };",
         "struct s", "struct t", "struct u"),
    case("unnamed_long_long_bitfield",
         "struct s { char a; long long :62; char b; };"),
    # -- bitfields straddling their storage unit
    case("int_bitfield_after_char_fits",
         "struct s { char a; int b:24; };"),
    case("int_bitfield_after_char_straddles",
         "struct s { char a; int b:25; };"),
    case("short_bitfields_straddle",
         "struct s { short a:9; short b:9; };"),
    case("int_bitfields_straddle",
         "struct s { int a:20; int b:20; };"),
    case("char_bitfields_straddle",
         "struct s { char a:7; char b:2; };"),
    case("long_long_bitfields_straddle",
         "struct s { long long a:33; long long b:33; };"),
    case("mixed_type_bitfields",
         "struct s { char a:4; short b:10; int c:20; long long d:40; };"),
    case("lone_small_bitfields",
         "struct s { int a:22; }; struct t { unsigned long a:2; };"
         " struct u { unsigned short a:12; }; struct v { char c; struct s x; };",
         "struct s", "struct t", "struct u", "struct v"),
    # -- long long bitfields (i386 aligns long long to 4 in structs)
    case("long_long_bitfield_after_char",
         "struct s { char a; long long b:40; };"),
    case("long_long_bitfield_after_int_bitfield",
         "struct s { int a:8; long long b:60; };"),
    case("long_long_bitfield_alone",
         "struct s { unsigned long long a:45; };"),
    # -- _Bool bitfields
    case("bool_bitfields",
         "struct s { _Bool a:1; _Bool b:1; char c; _Bool :0; _Bool d:1; };"),
    case("bool_bitfield_then_long_long_unnamed",
         "struct s { _Bool a:1; long long :62; };"),
    # -- char-sized records (m68k rounds to 2, ARM OABI to 4)
    case("char_only_structs",
         "struct s { char a; }; struct t { signed char a[3]; }; union u { short a[3]; };"
         " struct v { _Bool b; };",
         "struct s", "struct t", "union u", "struct v"),
    case("m68k_mode_sized_bitfields",
         "struct s { int a:32; }; struct t { unsigned a:16; }; struct u { long long a:32; };"
         " struct v { int x:16; int a:16; }; struct w { char c; int a:16; };"
         " struct x { int a:24; }; struct y { int x:1; int a:32; };",
         "struct s", "struct t", "struct u", "struct v", "struct w", "struct x", "struct y"),
    case("char_bitfield_struct",
         "struct s { char a:3; };"),
    # -- packed and aligned
    case("packed_struct_aligned_member",
         "struct __attribute__((packed)) s { char a; int b __attribute__((aligned(2))); };"),
    case("packed_and_aligned_member",
         "struct s { char a; int b __attribute__((packed, aligned(2))); };"),
    case("packed_aligned_struct",
         "struct __attribute__((packed, aligned(4))) s { char a; int b; char c; };"),
    case("packed_bitfield_struct",
         "struct __attribute__((packed)) s { char a; int b:31; char c; };"),
    case("packed_struct_holding_full_width_bitfield",
         "struct in { unsigned m:32; }; struct __attribute__((packed)) s { char c; struct in x; };"),
    case("packed_member_of_struct_type",
         "struct in { int a; char b; }; struct s { char c; struct in x __attribute__((packed)); };"),
    case("packed_pointer_member",
         "struct s { char c; int *p __attribute__((packed)); };"),
    case("aligned_pointer_member",
         "struct s { char c; void (*f)(int) __attribute__((aligned(16))); };"),
    case("packed_attribute_after_bitfield",
         "struct s { char c; int b:3 __attribute__((packed)); int d:31 __attribute__((packed)); };"),
    case("aligned_before_declaration",
         "struct s { char c; __attribute__((aligned(8))) int p; __attribute__((packed)) long q; };"),
    case("bare_aligned_struct",
         "struct s { short a; } __attribute__((aligned));"),
    case("bare_aligned_array_member",
         "struct s { double d[3] __attribute__((aligned)); };"),
    case("aligned_struct_lowering_ignored",
         "struct s { int a; } __attribute__((aligned(1)));"),
    # -- typedef alignment (GCC lets a typedef lower it)
    case("typedef_aligned_lowers_int",
         "typedef int i2 __attribute__((aligned(2))); struct s { char a; i2 b; };"),
    case("typedef_aligned_lowers_long_long",
         "typedef long long ll4 __attribute__((aligned(4))); struct s { char a; ll4 b; };"),
    case("typedef_aligned_lowers_struct",
         "struct in { int a; }; typedef struct in in1 __attribute__((aligned(1)));"
         " struct s { char c; in1 x; };"),
    case("typedef_chain_lower_then_raise",
         "typedef int t1 __attribute__((aligned(1))); typedef t1 t2 __attribute__((aligned(8)));"
         " typedef t2 t3; struct s { char c; t1 a; t3 b; };"),
    case("typedef_aligned_bitfield_raised",
         "typedef int a8 __attribute__((aligned(8))); struct s { char f; a8 b:3; char c; };",
         gcc_only=True),
    case("typedef_aligned_bitfield_16",
         "typedef long long a16 __attribute__((aligned(16))); struct s { float f; a16 b:22; };",
         gcc_only=True),
    case("typedef_aligned_bitfield_past_biggest_alignment",
         "typedef unsigned int u32a __attribute__((aligned(32)));"
         " struct s { char p[24]; u32a b:3; char z; }; struct t { char p[4]; u32a b:22; char z; };"
         " struct u { long long m5; long long m6; u32a :10; };",
         "struct s", "struct t", "struct u", gcc_only=True),
    case("typedef_aligned_bitfield_fits_in_place",
         "typedef int a32 __attribute__((aligned(32))); struct s { void *p; a32 m:16; };",
         gcc_only=True),
    case("typedef_aligned_bitfield_after_array",
         "typedef int a32 __attribute__((aligned(32)));"
         " struct s { long long a:34; unsigned short b[18]; a32 m:11; };",
         gcc_only=True),
    case("typedef_aligned_bitfield_lowered",
         "typedef int a1 __attribute__((aligned(1))); struct s { char f; a1 b:31; };"),
    # -- enums
    case("enum_unsigned_32",
         "enum u { U = 0x80000000U }; struct s { char a; enum u b; enum u c:32; };"),
    case("enum_64_bit",
         "enum big { B = 0x100000000LL }; struct s { char a; enum big b; };"),
    case("enum_64_bit_bitfield",
         "enum big { B = 0x100000000LL }; struct s { char a; enum big b:40; enum big c:33; };"),
    case("enum_negative_64_bit",
         "enum neg { N = -0x100000000LL }; struct s { short a; enum neg b:36; };"),
    # -- scalars whose alignment varies most
    case("double_long_long_alignment",
         "struct s { char c; double d; char e; long long f; };"),
    case("long_double_member",
         "struct s { char c; long double d; };"),
    case("int128_member",
         "struct s { char c; __int128 d; unsigned __int128 e:100; };", needs="__int128"),
    # -- anonymous members and flexible arrays
    case("anonymous_union_of_bitfields",
         "struct s { char a; union { int b:3; char c; }; char d; };"),
    case("anonymous_packed_struct",
         "struct s { char a; struct __attribute__((packed)) { char b; int c; }; short d; };"),
    case("flexible_array_long_long",
         "struct s { char a; long long b[]; };"),
    case("flexible_array_in_aligned_struct",
         "struct s { short a; char b[]; } __attribute__((aligned(8)));"),
    # -- #pragma pack (GCC's maximum_field_alignment): the value in force at
    # a record's closing brace caps every member's alignment, aligned
    # attributes on members included, but not the record's own
    case("pragma_pack_push_pop",
         "struct a { char c; int i; };\n#pragma pack(push, 2)\n"
         "struct b { char c; int i; long long l; };\n#pragma pack(pop)\n"
         "struct s { char c; int i; };", "struct a", "struct b", "struct s"),
    case("pragma_pack_caps_member_aligned_not_record_aligned",
         "#pragma pack(2)\nstruct s { char c; int i __attribute__((aligned(8))); };\n"
         "struct t { char c; int i; } __attribute__((aligned(8)));\n#pragma pack()\n",
         "struct s", "struct t"),
    case("pragma_pack_nested_push_and_reset",
         "#pragma pack(push, 4)\n#pragma pack(push, 1)\nstruct n { char c; short s; };\n"
         "#pragma pack(pop)\nstruct s { char c; long long i; };\n#pragma pack(pop)\n"
         "#pragma pack(1)\n#pragma pack()\nstruct d { char c; int i; };",
         "struct n", "struct s", "struct d"),
    case("pragma_pack_named_push_pop",
         "#pragma pack(push, r1, 1)\n#pragma pack(push, 2)\n#pragma pack(pop, r1)\n"
         "struct s { char c; int i; };"),
    # (libclang applies a pragma inside a record from there on; GCC at the brace)
    case("pragma_pack_inside_record_applies_at_closing_brace",
         "struct s { char c;\n#pragma pack(1)\nint i; };\n#pragma pack()\n", gcc_only=True),
    case("pragma_pack_nested_record",
         "struct in { char c; int i; };\n#pragma pack(1)\n"
         "struct s { char c; struct in n; double d; };"),
    case("pragma_pack_bitfields_skip_straddle_rule",
         "#pragma pack(2)\nstruct s { char c; int a:4; int b:30; };\n"
         "struct t { char c; long long x:40; long long y:40; };\n"
         "struct u { char c; short s:9; short t:9; };\n#pragma pack(4)\n"
         "struct v { char c; long long x:33; long long y:33; char z; };\n#pragma pack(1)\n"
         "struct w { char c; int x:24; }; struct x { char c; int x:32; };",
         "struct s", "struct t", "struct u", "struct v", "struct w", "struct x", gcc_only=True),
    case("pragma_pack_zero_width_bitfield_not_capped",
         "#pragma pack(1)\nstruct s { char c; int :0; char e; };\n"
         "#pragma pack(2)\nstruct t { char c; char d; int :0; char e; };",
         "struct s", "struct t", gcc_only=True),
    case("pragma_pack_minimum_record_alignment",
         "#pragma pack(1)\nstruct s { char c; };\n#pragma pack(2)\nstruct t { char c; };",
         "struct s", "struct t"),
    case("pragma_pack_union",
         "#pragma pack(2)\nunion s { char c; long long l; double d; };", "union s"),
    # -- GCC vector types (glibc's x86_64 bits/link.h), where abicheck lays them out
    case("vector_size_typedefs",
         "typedef float v4 __attribute__ ((__vector_size__ (16)));\n"
         "typedef float v8 __attribute__ ((__vector_size__ (32), __aligned__ (16)));\n"
         "typedef int v2 __attribute__((vector_size(8)));\n"
         "struct s { char c; v4 a; v8 b; v2 e; char f; };", gcc_only=True, vectors=True),
    # -- complex types: two of the real type, aligned as one
    case("complex_members",
         "struct s { char c; _Complex float f; char d; double _Complex e;"
         " __complex__ double g; _Complex long double l; };"),
    case("complex_float32_typedef",
         "typedef _Float32 _Complex cf32; struct s { char c; cf32 a; _Complex _Float64 b; };",
         gcc_only=True),                 # libclang 18 has no _Float32 in C
]


@pytest.mark.oracle
@pytest.mark.parametrize(("source", "types", "needs", "gcc_only"), CASES)
def test_case(source: str, types: list[str], needs: str | None, gcc_only: bool):
    failures = []
    checked = 0
    for target, orc in require_oracle_and_engine():
        if needs == "vectors":
            if not target.vector_types:
                continue
        elif needs and needs not in target.scalars:
            continue
        if gcc_only:
            # libclang 18 lets a user-aligned bitfield type straddle its unit;
            # GCC (excess_unit_span with TYPE_USER_ALIGN) does not.
            if not (target.gcc and have_gcc(target.gcc)):
                continue
            orc = Oracle("gcc", gcc=tuple(target.gcc))
        text = source
        if not dialect(target, orc).bare_aligned:   # see test_torture.bare_aligned_consistent
            text = text.replace("((aligned))", "((aligned(__BIGGEST_ALIGNMENT__)))")
        theirs = orc.layout(text, types)
        checked += 1
        try:
            ours = our_layouts(text, types, target)
        except Exception as e:  # noqa: BLE001 - an engine crash is a finding
            failures.append(format_failure(target, orc, None,
                                           f"abicheck raised {type(e).__name__}: {e}", text))
            continue
        for name in types:
            diff = first_difference(ours[name], theirs[name])
            if diff:
                failures.append(format_failure(target, orc, name, diff, text))
    if not checked:
        pytest.skip(f"no target with {needs}" if needs else "no cross gcc installed")
    assert not failures, f"{len(failures)} ABI(s) disagree:\n\n" + "\n".join(failures)
