#!/usr/bin/env python3
"""Probe one Linux ABI with its cross compiler and print an ABI-table row.

Maintainer tool for ``abicheck/data/targets.json``.  Nothing is linked or run:
the probe is compiled with ``-S`` and the numbers are read back from inline-asm
immediates in the assembler text, and the predefined macros come from
``-dM -E``.  Both run with ``-nostdinc`` so that a cross libc's implicit
``stdc-predef.h`` (``_STDC_PREDEF_H``, ``__STDC_ISO_10646__``) is not taken
for a compiler predefine.  Usage::

    tools/probe_target.py -- mips64-linux-gnuabi64-gcc -mabi=n32
        print the probed fields (scalars, byte order, ..., filtered macros)
        as JSON; with --strip-common, macros already in the table's
        ``common_macros`` with the same value are left out, as the table
        stores them.

    tools/probe_target.py --update
        re-probe every row of the table whose ``gcc`` is on PATH, recompute
        ``common_macros`` and rewrite the table (hand-written fields such as
        names, aliases and triples are kept).  Rows without a compiler here
        are kept as they are.

    tools/probe_target.py --strip-common --clang loongarch64-linux-gnu
        a row for an ABI no Debian gcc targets: sizes and alignments from
        libclang, predefined macros from ``python -m ziglang cc -target T
        -dM -E`` (``pip install ziglang``; not a project dependency), reduced
        to the names GCC predefines and spelled as GCC spells them.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TABLE = Path(__file__).resolve().parent.parent / "abicheck" / "data" / "targets.json"

#: Scalar kinds and the C type used to probe each.
SCALAR_TYPES = {
    "_Bool": "_Bool", "char": "char", "short": "short", "int": "int",
    "long": "long", "long long": "long long", "pointer": "void *",
    "float": "float", "double": "double", "long double": "long double",
    "__int128": "__int128", "_Float128": "_Float128", "__builtin_va_list": "__builtin_va_list",
}
#: Optional kinds and the macro that says the compiler has them.
OPTIONAL = {"__int128": "__SIZEOF_INT128__", "_Float128": "__FLT128_MANT_DIG__"}

_DROP_PREFIXES = (
    "__FLT", "__DBL", "__LDBL", "__DEC", "__BFLT16", "__GCC_ATOMIC_",
    "__GCC_IEC_", "__GCC_ASM_FLAG", "__OPTIMIZE", "__STDC", "__SSP",
)
_DROP_EXACT = frozenset({
    "__VERSION__", "__REGISTER_PREFIX__", "__USER_LABEL_PREFIX__",
    "__GXX_ABI_VERSION", "__NO_INLINE__", "__FINITE_MATH_ONLY__",
    "__GCC_HAVE_DWARF2_CFI_ASM", "__pic__", "__PIC__", "__pie__", "__PIE__",
    "__CET__",
})
#: Fixed-point (_Fract/_Accum) format characteristics: dropped like the
#: floating-point ones (arm and mips print ~130 of them).
_FIXED_POINT = re.compile(
    r"__U?(?:(?:S|L|LL)?(?:FRACT|ACCUM)_(?:EPSILON|FBIT|IBIT|MAX|MIN)"
    r"|(?:QQ|HQ|SQ|DQ|TQ|HA|SA|DA|TA)_(?:FBIT|IBIT))__")
#: Kept although it matches a dropped prefix: it is part of the common set.
#: __FLT_EVAL_METHOD__ picks glibc's float_t and double_t (long double on
#: i386 and m68k): a layout fact.
#: The mantissa widths say which long double format the ABI has (glibc's
#: <ieee754.h> picks its union ieee854_long_double by __LDBL_MANT_DIG__).
_KEEP = frozenset({"__STDC_HOSTED__", "__FLT_EVAL_METHOD__", "__FLT_EVAL_METHOD_TS_18661_3__",
                   "__FLT_MANT_DIG__", "__DBL_MANT_DIG__", "__LDBL_MANT_DIG__"})


def keep_macro(name: str) -> bool:
    """True for the predefined macros the table records (see the module doc)."""
    bare = name.split("(", 1)[0]
    if bare in _KEEP:
        return True
    return (bare not in _DROP_EXACT and not bare.startswith(_DROP_PREFIXES)
            and not _FIXED_POINT.fullmatch(bare))


def parse_dm(text: str) -> dict[str, str]:
    """``#define NAME[(params)] value`` lines -> {NAME[(params)]: value}."""
    out: dict[str, str] = {}
    for line in text.splitlines():
        m = re.match(r"#define ([A-Za-z_]\w*(?:\([^)]*\))?)(?: (.*))?$", line)
        if m:
            out[m.group(1)] = m.group(2) or ""
    return out


def gcc_macros(cmd: list[str]) -> dict[str, str]:
    """All predefined macros of ``cmd`` (unfiltered)."""
    r = subprocess.run([*cmd, "-nostdinc", "-dM", "-E", "-x", "c", "/dev/null"],
                       capture_output=True, text=True, check=True)
    return parse_dm(r.stdout)


def _probe_source(kinds: list[str]) -> str:
    lines = ["#define P(tag, v) __asm__ volatile (\"# ABIPROBE \" tag \" %0\" :: \"i\" ((int)(v)));"]
    for i, k in enumerate(kinds):
        lines.append(f"struct abiprobe_{i} {{ char c; {SCALAR_TYPES[k]} x; }};")
    lines.append("struct __attribute__((packed)) abiprobe_zw { char a; int :0; char b; };")
    lines.append("void abiprobe(void) {")
    for i, k in enumerate(kinds):
        t = SCALAR_TYPES[k]
        tag = k.replace(" ", "_")
        lines.append(f"  P(\"{tag}|size\", sizeof({t}))")
        lines.append(f"  P(\"{tag}|align\", __builtin_offsetof(struct abiprobe_{i}, x))")
        lines.append(f"  P(\"{tag}|pref\", __alignof__({t}))")
    lines.append("  P(\"char_signed|\", (char)-1 < 0)")
    lines.append("  P(\"zero_width|\", __alignof__(struct abiprobe_zw) > 1)")
    lines.append("}")
    return "\n".join(lines) + "\n"


def probe_values(cmd: list[str], kinds: list[str]) -> dict[str, int]:
    """Compile the probe with ``-S`` and read ``{tag: value}`` back."""
    with tempfile.TemporaryDirectory() as d:
        src = Path(d, "probe.c")
        src.write_text(_probe_source(kinds))
        r = subprocess.run([*cmd, "-nostdinc", "-S", "-o", "-", str(src)],
                           capture_output=True, text=True)
        if r.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{r.stderr}")
    vals = {}
    for m in re.finditer(r"# ABIPROBE (\S+) \D*?(-?\d+)", r.stdout):
        vals[m.group(1)] = int(m.group(2))
    return vals


def probe(cmd: list[str]) -> dict:
    """Every field of a row that the compiler can tell (macros filtered)."""
    macros = gcc_macros(cmd)
    kinds = [k for k in SCALAR_TYPES if k not in OPTIONAL or OPTIONAL[k] in macros]
    v = probe_values(cmd, kinds)
    order = macros["__BYTE_ORDER__"]
    return {
        "byte_order": {"__ORDER_LITTLE_ENDIAN__": "little",
                       "__ORDER_BIG_ENDIAN__": "big"}[order],
        "char_signed": bool(v["char_signed|"]),
        "biggest_alignment": int(macros["__BIGGEST_ALIGNMENT__"]),
        "zero_width_bitfield_aligns_struct": bool(v["zero_width|"]),
        "scalars": {k: [v[f"{t}|size"], v[f"{t}|align"], v[f"{t}|pref"]]
                    for k in kinds for t in [k.replace(" ", "_")]},
        "macros": {k: macros[k] for k in sorted(macros) if keep_macro(k)},
    }


# --- clang-only ABIs (loongarch64) -------------------------------------------

_CLANG_ARCH = re.compile(r"^_*(loongarch|LOONGARCH|ABILP|LP64)", re.I)
#: Clang's compiler identity (the table describes GCC 12) and endianness
#: macros clang defines on every target but GCC only on a few.
_CLANG_SKIP = frozenset({"__GNUC__", "__GNUC_MINOR__", "__GNUC_PATCHLEVEL__",
                         "__LITTLE_ENDIAN__", "__BIG_ENDIAN__"})
#: GCC takes these from its glibc-stdint.h (``long`` on every LP64 glibc
#: target), clang from the least-width types: the reference row's win.
_GLIBC_STDINT = re.compile(r"__U?INT_FAST(?:16|32)_(?:TYPE|MAX|WIDTH)__")


def _c_int(text: str) -> int | None:
    m = re.fullmatch(r"\(?(-?)(0x[0-9a-fA-F]+|\d+)[uUlL]*\)?", text.strip())
    if not m:
        return None
    return int(m.group(1) + m.group(2), 0)


def _gcc_type(text: str) -> str:
    """Clang's ``unsigned short`` -> GCC's ``short unsigned int`` (and so on)."""
    words = text.split()
    if not words or any(w not in ("short", "long", "unsigned", "signed", "int") for w in words):
        return text
    size = [w for w in words if w in ("short", "long")]
    sign = ["unsigned"] if "unsigned" in words else []
    return " ".join(size + sign + ["int"])


def _same(ref: str, val: str) -> bool:
    """Same meaning, different spelling (hex vs decimal, ``c##L`` vs ``c ## L``)."""
    if re.sub(r"\s+", "", ref) == re.sub(r"\s+", "", val):
        return True
    a, b = _c_int(ref), _c_int(val)
    return (a is not None and a == b
            and re.sub(r"[^uUlL]", "", ref) == re.sub(r"[^uUlL]", "", val))


def zig_macros(triple: str) -> dict[str, str]:
    """All predefined macros of clang for ``triple``, through ``zig cc``."""
    r = subprocess.run([sys.executable, "-m", "ziglang", "cc", "-target", triple,
                        "-dM", "-E", "-x", "c", "/dev/null"],
                       capture_output=True, text=True, check=True)
    return parse_dm(r.stdout)


def clang_macros(triple: str, everywhere: set[str], gcc_names: set[str],
                 reference: dict[str, str]) -> dict[str, str]:
    """Macros of a clang-only ABI, as GCC 12 would spell them.

    From ``python -m ziglang cc -target TRIPLE -dM -E``, keeps the names GCC
    predefines on some row of the table (``gcc_names``) plus the arch's own
    (``__loongarch*``, ``_LOONGARCH_*``, ``_ABILP*``, ``_LP64``), without
    clang's identity.  Where clang spells a value differently from the
    ``reference`` row (an LP64 little-endian GCC row: decimal vs hex,
    ``unsigned short`` vs ``short unsigned int``) the reference spelling is
    taken; the glibc-stdint ``__INT_FAST16/32`` choices and the generic macros
    GCC prints on every row (``everywhere``) but clang omits come from the
    reference too, after checking the two agree on byte order, long and wchar_t.
    """
    raw = zig_macros(triple)
    for k in ("__BYTE_ORDER__", "__SIZEOF_LONG__", "__SIZEOF_POINTER__", "__WCHAR_TYPE__"):
        if raw.get(k) != reference.get(k):
            raise SystemExit(f"{triple}: {k} is {raw.get(k)!r}, reference has "
                             f"{reference.get(k)!r}; pick another --reference")
    out = {}
    for k, val in raw.items():
        if not keep_macro(k) or k in _CLANG_SKIP:
            continue
        if k not in gcc_names and not _CLANG_ARCH.match(k):
            continue
        if k.endswith("_TYPE__"):
            val = _gcc_type(val)
        ref = reference.get(k)
        if ref is not None and (_same(ref, val) or _GLIBC_STDINT.fullmatch(k)):
            val = ref
        out[k] = val
    for k in everywhere:
        if k not in out and k not in _CLANG_SKIP and k in reference:
            out[k] = reference[k]
    return dict(sorted(out.items()))


def clang_scalars(triple: str, args: list[str]) -> dict:
    """Scalars, char signedness and the zero-width probe from libclang."""
    import clang.cindex as ci
    src = []
    for i, (k, t) in enumerate(SCALAR_TYPES.items()):
        src.append(f"struct s{i} {{ char c; {t} x; }}; char p{i}[__alignof__({t})]; {t} v{i};")
    src.append("struct __attribute__((packed)) zw { char a; int :0; char b; }; char cs[(char)-1 < 0 ? 1 : 2];")
    tu = ci.Index.create().parse(
        "probe.c", args=["-target", triple, *args, "-nostdinc", "-xc"],
        unsaved_files=[("probe.c", "\n".join(src))])
    bad = {d.location.line for d in tu.diagnostics if d.severity >= 3}
    cur = {c.spelling: c for c in tu.cursor.get_children()}
    scalars = {}
    for i, k in enumerate(SCALAR_TYPES):
        if i + 1 in bad:
            continue
        scalars[k] = [cur[f"v{i}"].type.get_size(),
                      cur[f"s{i}"].type.get_offset("x") // 8,
                      cur[f"p{i}"].type.get_size()]
    return {"char_signed": cur["cs"].type.get_size() == 1,
            "zero_width_bitfield_aligns_struct": cur["zw"].type.get_align() > 1,
            "scalars": scalars}


def clang_row(triple: str, args: list[str], table: dict, reference: str) -> dict:
    """A row for an ABI only clang knows: libclang numbers, zig-cc macros.

    libclang 18 has no ``_Float128`` keyword in C; where long double is IEEE
    binary128 (``__LDBL_MANT_DIG__`` 113) GCC's ``_Float128`` has long
    double's format and mode, so it gets long double's size and alignment.
    """
    common = table.get("common_macros", {})
    fulls = [{**common, **r["macros"]} for r in table["targets"]
             if r.get("gcc") and shutil.which(r["gcc"][0])]
    names = set().union(*fulls)
    everywhere = set.intersection(*(set(f) for f in fulls))
    ref_row = next(r for r in table["targets"] if r["name"] == reference)
    macros = clang_macros(triple, everywhere, names, {**common, **ref_row["macros"]})
    row = clang_scalars(triple, args)
    sc = row["scalars"]
    if "_Float128" not in sc and zig_macros(triple).get("__LDBL_MANT_DIG__") == "113":
        sc["_Float128"] = list(sc["long double"])
    return {
        "byte_order": {"__ORDER_LITTLE_ENDIAN__": "little",
                       "__ORDER_BIG_ENDIAN__": "big"}[macros["__BYTE_ORDER__"]],
        "char_signed": row["char_signed"],
        "biggest_alignment": int(macros["__BIGGEST_ALIGNMENT__"]),
        "zero_width_bitfield_aligns_struct": row["zero_width_bitfield_aligns_struct"],
        "scalars": sc,
        "macros": macros,
    }


# --- the table ---------------------------------------------------------------

def dump_table(data: dict) -> str:
    """``indent=1`` JSON with scalar triples and string lists on one line."""
    text = json.dumps(data, indent=1, ensure_ascii=False)
    text = re.sub(r"\[\s*(\d+),\s*(\d+),\s*(\d+)\s*\]", r"[\1, \2, \3]", text)
    # short lists of strings (aliases, gcc, clang_args) on one line too
    return re.sub(r'\[\n\s*("[^"\n]*"(?:,\n\s*"[^"\n]*")*)\n\s*\]',
                  lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(",\n")) + "]",
                  text) + "\n"


def update_table(path: Path = TABLE) -> None:
    """Re-probe every row whose gcc is installed and rewrite the table."""
    data = json.loads(path.read_text())
    common = data.get("common_macros", {})
    full: dict[str, dict[str, str]] = {}
    probed: set[str] = set()
    for row in data["targets"]:
        full[row["name"]] = {**common, **row["macros"]}
        cmd = row.get("gcc")
        if cmd and shutil.which(cmd[0]):
            p = probe(cmd)
            for k in ("byte_order", "char_signed", "biggest_alignment",
                      "zero_width_bitfield_aligns_struct", "scalars"):
                row[k] = p[k]
            full[row["name"]] = p["macros"]
            probed.add(row["name"])
            print(f"probed {row['name']}: {' '.join(cmd)}", file=sys.stderr)
        else:
            print(f"kept   {row['name']} (no compiler)", file=sys.stderr)
    # common: same value on every row whose macros a compiler printed just now;
    # the other rows (hand-written, or no compiler here) inherit it.
    sets = [full[n] for n in sorted(probed)] or list(full.values())
    new_common = {k: v for k, v in sets[0].items()
                  if all(s.get(k) == v for s in sets[1:])}
    for row in data["targets"]:
        m = full[row["name"]]
        row["macros"] = {k: m[k] for k in sorted(m)
                         if k not in new_common or new_common[k] != m[k]}
    data["common_macros"] = dict(sorted(new_common.items()))
    path.write_text(dump_table(data))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--strip-common", action="store_true",
                    help="leave out macros in the table's common_macros")
    ap.add_argument("--update", action="store_true",
                    help="re-probe and rewrite the whole table")
    ap.add_argument("--clang", metavar="TRIPLE",
                    help="probe a clang-only ABI: libclang numbers, zig-cc macros "
                         "(needs libclang and ziglang)")
    ap.add_argument("--clang-arg", action="append", default=[],
                    help="extra libclang argument for --clang (repeatable)")
    ap.add_argument("--reference", default="x86_64",
                    help="GCC row whose spellings --clang copies (same byte order, long, wchar_t)")
    ap.add_argument("cmd", nargs="*", help="compiler command and ABI flags")
    a = ap.parse_args(argv)
    data = json.loads(TABLE.read_text())
    common = data.get("common_macros", {})
    if a.update:
        update_table()
        return 0
    if a.clang:
        out = clang_row(a.clang, a.clang_arg, data, a.reference)
    elif a.cmd:
        out = probe(a.cmd)
    else:
        ap.error("give a compiler command, --update or --clang TRIPLE")
    if a.strip_common:
        out["macros"] = {k: v for k, v in out["macros"].items() if common.get(k) != v}
    sys.stdout.write(dump_table(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
