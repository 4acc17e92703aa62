"""The ABI table (abicheck/data/targets.json).

Part one checks the table as data: it validates, loads, and every name a user
may type resolves to one row.  Part two (``oracle``) checks the numbers against
compilers that know the ABIs: libclang for every row with a ``clang_triple``,
the row's cross gcc for every row whose compiler is installed.  The expected
values are computed by those compilers while the test runs; nothing here is
copied from the table.
"""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from importlib import resources

import jsonschema
import pytest

from abicheck.errors import UsageError
from abicheck.targets import SCALARS, all_targets, get_target

DATA = json.loads(resources.files("abicheck").joinpath("data/targets.json").read_text())
SCHEMA = json.loads(resources.files("abicheck").joinpath("schemas/targets.schema.json").read_text())

CANONICAL = [
    "x86_64", "i386", "x32", "aarch64", "arm", "armel", "arm_oabi", "m68k", "mips", "mipsel",
    "mipsn32", "mips64", "mips64el", "powerpc", "powerpc64", "powerpc64le", "s390",
    "s390x", "sparc", "sparc64", "alpha", "riscv32", "riscv64", "parisc", "sh4",
    "loongarch64", "ia64",
]

#: C spelling of each scalar kind.
CTYPE = {k: k for k in SCALARS} | {"pointer": "void *", "__int128": "__int128",
                                   "_Float128": "_Float128"}
OPTIONAL = ("__int128", "_Float128")

TARGETS = all_targets()


def _ids(ts):
    return [t.name for t in ts]


# --- the table as data --------------------------------------------------------

def test_table_validates_against_schema():
    jsonschema.validate(DATA, SCHEMA)


def test_every_abi_has_one_row_in_order():
    assert [t.name for t in TARGETS] == CANONICAL


@pytest.mark.parametrize("t", TARGETS, ids=_ids(TARGETS))
def test_row_is_self_consistent(t):
    m = t.macros
    assert set(SCALARS) <= set(t.scalars)
    for kind, s in t.scalars.items():
        assert s.size % s.align == 0, kind
        assert s.align <= s.pref_align <= t.biggest_alignment, kind
    assert ("__int128" in t.scalars) == ("__SIZEOF_INT128__" in m)
    assert str(t.pointer_size) == m["__SIZEOF_POINTER__"]
    assert str(t.scalars["long"].size) == m["__SIZEOF_LONG__"]
    assert str(t.scalars["long double"].size) == m["__SIZEOF_LONG_DOUBLE__"]
    assert m["__BYTE_ORDER__"] == f"__ORDER_{t.byte_order.upper()}_ENDIAN__"
    assert t.char_signed == ("__CHAR_UNSIGNED__" not in m)
    assert str(t.biggest_alignment) == m["__BIGGEST_ALIGNMENT__"]
    assert m["__linux__"] == "1" and m["__GNUC__"] == "12"


def test_aliases_are_unique_and_never_shadow_another_row():
    owner: dict[str, str] = {}
    for t in TARGETS:
        keys = {t.name, t.triple, *t.aliases} | ({t.debian_arch} if t.debian_arch else set())
        for k in keys:
            k = k.lower()
            assert owner.setdefault(k, t.name) == t.name, f"{k!r}: {owner[k]} and {t.name}"
    seen: set[str] = set()
    for t in TARGETS:
        dup = seen & {a.lower() for a in t.aliases}
        assert not dup, f"{t.name}: {dup}"
        seen |= {a.lower() for a in t.aliases}


@pytest.mark.parametrize("t", TARGETS, ids=_ids(TARGETS))
def test_name_triple_and_debian_arch_resolve_to_the_row(t):
    for key in (t.name, t.triple, t.debian_arch, *t.aliases):
        if key:
            assert get_target(key) is t
            assert get_target(key.upper()) is t


@pytest.mark.parametrize("key, name", [
    ("amd64", "x86_64"), ("x86-64", "x86_64"), ("x86_64-linux-gnu", "x86_64"),
    ("i386", "i386"), ("i686-linux-gnu", "i386"), ("i386-linux-gnu", "i386"),
    ("x86_64-linux-gnux32", "x32"),
    ("arm64", "aarch64"), ("aarch64-linux-gnu", "aarch64"),
    ("armhf", "arm"), ("armel", "armel"), ("arm-linux-gnueabihf", "arm"),
    ("mips64el", "mips64el"), ("mips64-linux-gnuabin32", "mipsn32"),
    ("mips64-linux-gnuabi64", "mips64"),
    ("ppc64el", "powerpc64le"), ("ppc64le", "powerpc64le"), ("ppc64", "powerpc64"),
    ("powerpc-linux-gnu", "powerpc"), ("s390x-linux-gnu", "s390x"),
    ("sparc64-linux-gnu", "sparc64"), ("riscv64-linux-gnu", "riscv64"),
    ("hppa", "parisc"), ("hppa-linux-gnu", "parisc"), ("sh4-linux-gnu", "sh4"),
    ("loong64", "loongarch64"), ("loongarch64-linux-gnu", "loongarch64"),
    ("alpha-linux-gnu", "alpha"), ("m68k-linux-gnu", "m68k"), ("ia64", "ia64"),
])
def test_get_target_resolves_common_spellings(key, name):
    assert get_target(key).name == name


@pytest.mark.parametrize("key", ["vax", "x86", "", "arm-oabi-x"])
def test_unknown_target_is_a_one_line_usage_error(key):
    with pytest.raises(UsageError) as ei:
        get_target(key)
    msg = str(ei.value)
    assert "\n" not in msg
    assert f"'{key}'" in msg and msg.startswith("abicheck: error: unknown target")


COMPAT_PAIRS = [(t, c) for t in TARGETS for c in t.compat]


def test_compat_rows_pair_a_64_bit_abi_with_32_bit_abis_of_its_kernel():
    # the kernel's compat layer runs 32-bit programs of its own architecture
    # family (arm64 runs arm EABI) and byte order on a 64-bit kernel
    assert COMPAT_PAIRS, "no compat pairs in the table"
    by_name = {t.name: t for t in TARGETS}
    for t, c in COMPAT_PAIRS:
        assert c in by_name, f"{t.name}: compat ABI {c} is not a row"
        other = by_name[c]
        assert t.pointer_size == 8 and other.pointer_size == 4, (t.name, c)
        assert t.byte_order == other.byte_order, (t.name, c)
        assert not other.compat, f"{c} is a compat ABI and has compat ABIs itself"


# --- oracle: libclang ---------------------------------------------------------

CLANG_ROWS = [t for t in TARGETS if t.clang_triple]


def _clang_probe(t):
    """Layout facts libclang computes for ``t``: {name: value} plus kinds it rejects."""
    ci = pytest.importorskip("clang.cindex", reason="libclang (pip libclang) is not importable")
    lines: list[str] = []
    where: dict[int, tuple[str, str]] = {}  # line -> (kind, suffix)
    for i, kind in enumerate(CTYPE):
        spellings = [CTYPE[kind]] + (["__float128"] if kind == "_Float128" else [])
        for j, c in enumerate(spellings):
            where[len(lines) + 1] = (kind, f"{i}_{j}")
            lines.append(f"struct s{i}_{j} {{ char c; {c} x; }}; {c} v{i}_{j}; "
                         f"char p{i}_{j}[__alignof__({c})];")
    lines.append("struct __attribute__((packed)) zw { char a; int :0; char b; };")
    lines.append("char cs[(char)-1 < 0 ? 1 : 2];")
    lines.append("char le[__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ ? 1 : 2];")
    lines.append("char ba[__BIGGEST_ALIGNMENT__];")
    tu = ci.Index.create().parse(
        "oracle.c", args=["-target", t.clang_triple, *t.clang_args, "-nostdinc", "-xc"],
        unsaved_files=[("oracle.c", "\n".join(lines) + "\n")])
    errors = [d for d in tu.diagnostics if d.severity >= ci.Diagnostic.Error]
    bad = {d.location.line for d in errors}
    stray = [str(d) for d in errors if d.location.line not in where]
    assert not stray, stray
    cur = {c.spelling: c for c in tu.cursor.get_children() if c.spelling}
    got: dict[str, tuple[int, int, int, int]] = {}
    for line, (kind, n) in where.items():
        if line in bad or kind in got:
            continue
        v, s, p = cur[f"v{n}"].type, cur[f"s{n}"].type, cur[f"p{n}"].type
        got[kind] = (v.get_size(), s.get_offset("x") // 8, p.get_size(), v.get_align())
    facts = {
        "char_signed": cur["cs"].type.get_size() == 1,
        "little": cur["le"].type.get_size() == 1,
        "zero_width": cur["zw"].type.get_align() > 1,
        "biggest": cur["ba"].type.get_size(),
    }
    return got, facts


@pytest.mark.oracle
@pytest.mark.parametrize("t", CLANG_ROWS, ids=_ids(CLANG_ROWS))
def test_scalars_match_libclang(t):
    got, facts = _clang_probe(t)
    errors = []
    for kind, s in t.scalars.items():
        if kind not in got:
            # libclang 18 has no _Float128 keyword in C; gcc checks it below
            if kind != "_Float128":
                errors.append(f"{kind}: libclang rejects the type")
            continue
        size, member_align, pref, abi_align = got[kind]
        mine = (s.size, s.align, s.pref_align, s.align)
        if (size, member_align, pref, abi_align) != mine:
            errors.append(f"{kind}: table [size, align, pref, align] {list(mine)}, "
                          f"libclang {[size, member_align, pref, abi_align]}")
    if "__int128" in got and "__int128" not in t.scalars:
        errors.append("__int128: libclang has it, the table does not")
    if facts["char_signed"] != t.char_signed:
        errors.append(f"char_signed: libclang {facts['char_signed']}")
    if facts["little"] != (t.byte_order == "little"):
        errors.append(f"byte order: libclang little={facts['little']}")
    if facts["zero_width"] != t.zero_width_bitfield_aligns_struct:
        errors.append(f"zero-width bitfield: libclang {facts['zero_width']}")
    if facts["biggest"] != t.biggest_alignment:
        errors.append(f"__BIGGEST_ALIGNMENT__: libclang {facts['biggest']}")
    assert not errors, f"{t.name} ({t.clang_triple}):\n  " + "\n  ".join(errors)


# --- oracle: the row's cross gcc ----------------------------------------------

GCC_ROWS = [t for t in TARGETS if t.gcc]

_DROP_PREFIX = ("__FLT", "__DBL", "__LDBL", "__DEC", "__BFLT16", "__GCC_ATOMIC_",
                "__GCC_IEC_", "__GCC_ASM_FLAG", "__OPTIMIZE", "__STDC", "__SSP")
_DROP = {"__VERSION__", "__REGISTER_PREFIX__", "__USER_LABEL_PREFIX__", "__GXX_ABI_VERSION",
         "__NO_INLINE__", "__FINITE_MATH_ONLY__", "__GCC_HAVE_DWARF2_CFI_ASM",
         "__pic__", "__PIC__", "__pie__", "__PIE__", "__CET__"}
# _Fract/_Accum format characteristics, dropped like the floating-point ones
_FIXED = re.compile(r"__U?(?:(?:S|L|LL)?(?:FRACT|ACCUM)_\w+|(?:Q|H|S|D|T)[QA]_[IF]BIT)__")


def _kept(name: str) -> bool:
    bare = name.split("(")[0]
    if bare in ("__STDC_HOSTED__", "__FLT_EVAL_METHOD__", "__FLT_EVAL_METHOD_TS_18661_3__",
                "__FLT_MANT_DIG__", "__DBL_MANT_DIG__", "__LDBL_MANT_DIG__"):
        return True
    return not (bare in _DROP or bare.startswith(_DROP_PREFIX) or _FIXED.fullmatch(bare))


def _gcc(t):
    if not shutil.which(t.gcc[0]):
        pytest.skip(f"{t.gcc[0]} is not installed")
    return list(t.gcc)


def _compiles(cmd, src, tmp_path, name) -> subprocess.CompletedProcess:
    f = tmp_path / f"{name}.c"
    f.write_text(src)
    return subprocess.run([*cmd, "-nostdinc", "-S", "-o", "-", str(f)],
                          capture_output=True, text=True)


@pytest.mark.oracle
@pytest.mark.parametrize("t", GCC_ROWS, ids=_ids(GCC_ROWS))
def test_scalars_match_gcc(t, tmp_path):
    cmd = _gcc(t)
    # which optional kinds exist: does a declaration compile at all?
    exists = {k: _compiles(cmd, f"{CTYPE[k]} x;\n", tmp_path, f"has{i}").returncode == 0
              for i, k in enumerate(OPTIONAL)}
    kinds = [k for k in CTYPE if k not in OPTIONAL or exists[k]]
    src = ["#define V(n, e) __asm__ volatile (\"@@ \" n \" %0\" :: \"n\" ((int)(e)));"]
    src += [f"struct m{i} {{ char c; {CTYPE[k]} x; }};" for i, k in enumerate(kinds)]
    src += ["struct __attribute__((packed)) zw { char a; int :0; char b; };", "void f(void) {"]
    for i, k in enumerate(kinds):
        src.append(f'V("{i}.size", sizeof({CTYPE[k]})) '
                   f'V("{i}.align", __builtin_offsetof(struct m{i}, x)) '
                   f'V("{i}.pref", __alignof__({CTYPE[k]}))')
    src += ['V("cs", (char)-1 < 0) V("zw", __alignof__(struct zw))', "}"]
    r = _compiles(cmd, "\n".join(src) + "\n", tmp_path, "probe")
    assert r.returncode == 0, r.stderr
    v = {m[1]: int(m[2]) for m in re.finditer(r"@@ (\S+) [^0-9-]*(-?\d+)", r.stdout)}
    gcc = {k: [v[f"{i}.size"], v[f"{i}.align"], v[f"{i}.pref"]] for i, k in enumerate(kinds)}
    table = {k: [s.size, s.align, s.pref_align] for k, s in t.scalars.items()}
    assert table == gcc, f"{t.name} ({' '.join(cmd)})"
    assert t.char_signed == bool(v["cs"])
    assert t.zero_width_bitfield_aligns_struct == (v["zw"] > 1)


@pytest.mark.oracle
@pytest.mark.parametrize("t", GCC_ROWS, ids=_ids(GCC_ROWS))
def test_macros_match_gcc(t):
    cmd = _gcc(t)
    r = subprocess.run([*cmd, "-nostdinc", "-dM", "-E", "-x", "c", "/dev/null"],
                       capture_output=True, text=True, check=True)
    gcc = {}
    for line in r.stdout.splitlines():
        name, _, value = line.removeprefix("#define ").partition(" ")
        if "(" in name and not name.endswith(")"):  # "(params) value" split wrongly
            params, _, value = value.partition(" ")
            name += " " + params
        if _kept(name):
            gcc[name] = value
    if gcc.get("__GNUC__") != t.macros["__GNUC__"]:
        pytest.skip(f"{cmd[0]} is GCC {gcc.get('__GNUC__')}; the table describes "
                    f"GCC {t.macros['__GNUC__']}")
    table = dict(t.macros)
    missing = {k: gcc[k] for k in gcc.keys() - table.keys()}
    extra = {k: table[k] for k in table.keys() - gcc.keys()}
    differ = {k: (table[k], gcc[k]) for k in table.keys() & gcc.keys() if table[k] != gcc[k]}
    assert not (missing or extra or differ), (
        f"{t.name}: not in table {missing}; not from gcc {extra}; (table, gcc) {differ}")
    assert str(t.biggest_alignment) == gcc["__BIGGEST_ALIGNMENT__"]
    assert t.byte_order == {"__ORDER_LITTLE_ENDIAN__": "little",
                            "__ORDER_BIG_ENDIAN__": "big"}[gcc["__BYTE_ORDER__"]]


@pytest.mark.oracle
@pytest.mark.parametrize("t", GCC_ROWS, ids=_ids(GCC_ROWS))
def test_word_size_matches_gcc(t, tmp_path):
    """``mode(word)`` (glibc's ``register_t``) is GCC's word_mode: 8 bytes on
    x32 and MIPS n32, whose pointers are 4 (libclang says 4 for n32: gcc
    judges)."""
    cmd = _gcc(t)
    src = ("typedef int w __attribute__((mode(word)));\n"
           "typedef int u __attribute__((mode(unwind_word)));\n"
           'void f(void) { __asm__ volatile ("@@ %0 %1" :: "n" ((int)sizeof(w)), '
           '"n" ((int)sizeof(u))); }\n')
    r = _compiles(cmd, src, tmp_path, "word")
    assert r.returncode == 0, r.stderr
    m = re.search(r"@@ [^0-9]*(\d+) [^0-9]*(\d+)", r.stdout)
    assert m, r.stdout[-500:]
    assert (t.word_size, t.word_size) == (int(m[1]), int(m[2])), f"{t.name} ({' '.join(cmd)})"


#: what the kernel reports for an ABI whose objects do not say it alone
#: (syscall_get_arch): x32 and MIPS n32 are ELF32 but run 64-bit system
#: calls (x32: AUDIT_ARCH_X86_64, its calls marked by __X32_SYSCALL_BIT;
#: n32: __AUDIT_ARCH_64BIT | __AUDIT_ARCH_CONVENTION_MIPS64_N32); a -m32
#: sparc object is EM_SPARC32PLUS (v8plus), a 32-bit sparc process EM_SPARC
_AUDIT_64BIT, _AUDIT_LE, _AUDIT_N32 = 0x80000000, 0x40000000, 0x20000000
_AUDIT_FLAGS = {"x32": _AUDIT_64BIT, "mipsn32": _AUDIT_64BIT | _AUDIT_N32}
_EM_ALIAS = {18: 2}


@pytest.mark.oracle
@pytest.mark.parametrize("t", GCC_ROWS, ids=_ids(GCC_ROWS))
def test_audit_arch_is_the_elf_machine_class_and_byte_order(t, tmp_path):
    """AUDIT_ARCH_* is the ELF machine with the 64-bit and little-endian
    flags (uapi linux/audit.h): read from an object the row's gcc writes."""
    from abicheck.blobs import strace_names
    cmd = _gcc(t)
    obj = tmp_path / "x.o"
    r = subprocess.run([*cmd, "-nostdinc", "-c", "-x", "c", "-", "-o", str(obj)],
                       input="int x;\n", capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    elf = obj.read_bytes()
    assert elf[:4] == b"\x7fELF"
    is64, little = elf[4] == 2, elf[5] == 1
    machine = int.from_bytes(elf[18:20], "little" if little else "big")
    want = _EM_ALIAS.get(machine, machine) | (_AUDIT_64BIT if is64 else 0) \
        | (_AUDIT_LE if little else 0) | _AUDIT_FLAGS.get(t.name, 0)
    names = {n: int(v) for v, n in strace_names._data()["audit_arch"].items()}
    assert names[t.audit_arch] == want, (t.name, hex(want))
