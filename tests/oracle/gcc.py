"""A cross gcc as a layout oracle, for ABIs libclang gets wrong or lacks.

libclang has no alpha, hppa or sh4 target and mis-aligns m68k pointers, so for
those ABIs the truth is gcc's.  Nothing is linked or run: every number is read
from the assembly text ``gcc -S`` prints, in two compiles per call.

1. Discovery (``-g -dA``): one tentative definition per type makes gcc emit
   its DWARF description, and ``-dA`` annotates every DIE and attribute in the
   assembly (``.uleb128 0x5  # (DIE (0x2d) DW_TAG_member)``).  From that tree
   we take what C has no constant expression for: the member list itself (in
   declaration order, through anonymous members), which members are bitfields
   and their widths, the *declared* type of a bitfield (``sizeof`` and
   ``typeof`` both reject bitfields), and which arrays are flexible.

2. Probes: a function whose inline-asm immediates carry ``sizeof`` and
   ``__alignof__`` of each type and ``__builtin_offsetof``/``sizeof`` of each
   non-bitfield member; they land in the ``.s`` text as plain numbers.  A
   bitfield has no ``offsetof``; for each one we define a constant object of
   the outer type with only that bitfield set to all ones
   (``const T probe = {.a.b.bits = -1};``).  gcc emits its bytes as data
   directives, so the set bits give the bitfield's absolute bit offset and its
   width (the width is checked against the DWARF one).  Data directives differ
   per assembler (``.word`` is 2 bytes on m68k and 4 on hppa), so the same
   compile also emits calibration constants of 1, 2, 4 and 8 bytes, and the
   directive each one uses tells its size; byte order comes from
   ``__BYTE_ORDER__``.  Bit numbering follows clang's: bit 0 is the least
   significant bit of byte 0 on little-endian ABIs and the most significant bit
   of byte 0 on big-endian ones, i.e. allocation order.
"""
from __future__ import annotations

import functools
import re
import subprocess
from dataclasses import dataclass, field
from typing import Sequence

from oracle.common import OracleError, member, record_name, type_json

_TIMEOUT = 300
#: A known immediate printed with each type probe: proves we read them right.
_CHECK = 40961

# ---------------------------------------------------------------- running gcc


def _cmd(gcc: Sequence[str] | str) -> list[str]:
    return [gcc] if isinstance(gcc, str) else list(gcc)


@functools.cache
def _have(cmd: tuple[str, ...]) -> bool:
    try:
        r = subprocess.run([*cmd, "-S", "-x", "c", "-o", "-", "-"], input="int x;\n",
                           capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return False
    return r.returncode == 0


def have_gcc(cmd: Sequence[str] | str) -> bool:
    """True when ``cmd`` (a compiler and its ABI flags) compiles C with ``-S``."""
    return _have(tuple(_cmd(cmd)))


def _compile(gcc: Sequence[str], extra: Sequence[str], source: str,
             include_dirs: Sequence[str], defines: Sequence[str]) -> str:
    cmd = [*_cmd(gcc), "-S", "-o", "-", "-O0", "-w", "-nostdinc",
           "-fno-asynchronous-unwind-tables", *extra]
    for d in include_dirs:
        cmd += ["-I", str(d)]
    for d in defines:
        cmd += ["-D", d]
    cmd += ["-x", "c", "-"]
    try:
        r = subprocess.run(cmd, input=source, capture_output=True, text=True, timeout=_TIMEOUT)
    except OSError as e:
        raise OracleError(f"gcc: cannot run {cmd[0]}: {e}") from None
    if r.returncode != 0:
        errs = [ln for ln in r.stderr.splitlines() if "error" in ln] or r.stderr.splitlines()
        raise OracleError(f"{' '.join(_cmd(gcc))}: " + "\n".join(errs[:10]))
    return r.stdout


# ------------------------------------------------- DWARF from `-g -dA` output

_DIE = re.compile(r"\(DIE \((0x[0-9a-fA-F]+)\) (DW_TAG_\w+)\)")
_END = re.compile(r"end of children of DIE (0x[0-9a-fA-F]+)")
# directive, operand, comment char, attribute name, rest of the comment
_ATTR = re.compile(r"^\s*(\.[\w.]+)?\s*(.*?)\s*(?:[#|;!@]|//)\s*(DW_AT_\w+)(.*)$")
_INT = re.compile(r"^-?(?:0[xX][0-9a-fA-F]+|\d+)$")


@dataclass
class _Die:
    offset: int
    tag: str
    attrs: dict = field(default_factory=dict)
    children: list = field(default_factory=list)


def _c_string(text: str) -> bytes:
    """Decode the body of an assembler string literal (C escapes)."""
    out = bytearray()
    i = 0
    while i < len(text):
        ch = text[i]
        if ch != "\\":
            out += ch.encode()
            i += 1
            continue
        i += 1
        m = re.match(r"[0-7]{1,3}", text[i:])
        if m:
            out.append(int(m.group(), 8) & 0xFF)
            i += len(m.group())
            continue
        if text[i] == "x":
            m = re.match(r"[0-9a-fA-F]+", text[i + 1:])
            out.append(int(m.group(), 16) & 0xFF)
            i += 1 + len(m.group())
            continue
        out += {"n": b"\n", "t": b"\t", "r": b"\r", "b": b"\b", "f": b"\f",
                "v": b"\v", "a": b"\a"}.get(text[i], text[i].encode())
        i += 1
    return bytes(out)


def _attr_value(attr: str, directive: str | None, operand: str, rest: str):
    m = re.match(r"^\s*\((?:\d+, )?(.*)\)\s*$", rest)
    if m and (attr == "DW_AT_decl_file" or not operand):
        # the file name of DW_AT_decl_file, or a DW_FORM_implicit_const value
        # (no operand: the value lives in the abbreviation; -dA shows it here)
        return int(m.group(1), 0) if _INT.match(m.group(1)) else m.group(1)
    m = re.match(r'^:\s*"(.*)"\s*$', rest)
    if m:  # strp forms: gcc puts the string in the comment
        return m.group(1)
    if directive in (".ascii", ".string", ".asciz"):
        m = re.match(r'^"(.*)"$', operand)
        if m:
            return _c_string(m.group(1)).rstrip(b"\0").decode("latin-1")
    if _INT.match(operand):
        return int(operand, 0)
    return operand or None


def _parse_dwarf(asm: str) -> dict[int, _Die]:
    lines = asm.splitlines()
    with_children = {int(m.group(1), 16) for ln in lines if (m := _END.search(ln))}
    dies: dict[int, _Die] = {}
    stack: list[_Die] = []
    cur: _Die | None = None
    for ln in lines:
        m = _DIE.search(ln)
        if m:
            cur = _Die(int(m.group(1), 16), m.group(2))
            dies[cur.offset] = cur
            if stack:
                stack[-1].children.append(cur)
            if cur.offset in with_children:
                stack.append(cur)
            continue
        m = _END.search(ln)
        if m:
            off = int(m.group(1), 16)
            if not stack or stack[-1].offset != off:
                raise OracleError(f"gcc: unbalanced DWARF tree at DIE {off:#x}")
            stack.pop()
            cur = None
            continue
        if cur is not None:
            m = _ATTR.match(ln)
            if m and not m.group(4).startswith("("):
                cur.attrs.setdefault(m.group(3), _attr_value(m.group(3), m.group(1), m.group(2),
                                                             m.group(4)))
    return dies


_QUALIFIERS = ("DW_TAG_typedef", "DW_TAG_const_type", "DW_TAG_volatile_type",
               "DW_TAG_restrict_type", "DW_TAG_atomic_type")
_RECORDS = ("DW_TAG_structure_type", "DW_TAG_union_type")


def _strip(dies: dict[int, _Die], die: _Die) -> _Die:
    while die.tag in _QUALIFIERS and "DW_AT_type" in die.attrs:
        die = dies[die.attrs["DW_AT_type"]]
    return die


@dataclass
class _Member:
    path: str
    bit_size: int | None = None     # DWARF width: a bitfield
    decl_size: int | None = None    # byte size of the declared type (bitfields)
    flexible: bool = False          # incomplete array: no sizeof


def _member_infos(dies: dict[int, _Die], rec: _Die, prefix: str, out: list[_Member]) -> None:
    for ch in rec.children:
        if ch.tag != "DW_TAG_member":
            continue
        t = _strip(dies, dies[ch.attrs["DW_AT_type"]])
        name = ch.attrs.get("DW_AT_name")
        if name is None:
            if t.tag in _RECORDS:      # C11 anonymous struct/union member
                _member_infos(dies, t, prefix, out)
            continue                   # unnamed bitfield (gcc omits them anyway)
        path = prefix + name
        if "DW_AT_bit_size" in ch.attrs:
            size = ch.attrs.get("DW_AT_byte_size", t.attrs.get("DW_AT_byte_size"))
            if not isinstance(size, int):
                raise OracleError(f"gcc: no declared size in DWARF for bitfield {path}")
            out.append(_Member(path, ch.attrs["DW_AT_bit_size"], size))
            continue
        flexible = t.tag == "DW_TAG_array_type" and any(
            s.tag == "DW_TAG_subrange_type" and "DW_AT_upper_bound" not in s.attrs
            and "DW_AT_count" not in s.attrs for s in t.children[:1])
        out.append(_Member(path, flexible=flexible))
        if t.tag in _RECORDS:
            _member_infos(dies, t, path + ".", out)


def _discover(dies: dict[int, _Die], var: str, tname: str) -> list[_Member]:
    for d in dies.values():
        if d.tag == "DW_TAG_variable" and d.attrs.get("DW_AT_name") == var:
            t = _strip(dies, dies[d.attrs["DW_AT_type"]])
            if t.tag not in _RECORDS:
                raise OracleError(f"gcc: '{tname}' is not a struct or union")
            out: list[_Member] = []
            _member_infos(dies, t, "", out)
            return out
    raise OracleError(f"gcc: no debug info found for '{tname}'")


def gcc_records(source: str, gcc: Sequence[str] | str, file_suffixes: Sequence[str],
                include_dirs: Sequence[str] = (), defines: Sequence[str] = ()) -> list[str]:
    """Names of the complete structs, unions and typedefs of records that the
    source declares at file scope in a file whose path ends with one of
    ``file_suffixes`` (``"asm/signal.h"``), as gcc sees them for its ABI:
    ``["stack_t", "struct sigaction", ...]``, sorted."""
    asm = _compile(gcc, ["-g", "-dA", "-fno-eliminate-unused-debug-types"], source + "\n",
                   include_dirs, defines)
    dies = _parse_dwarf(asm)
    cus = [d for d in dies.values() if d.tag == "DW_TAG_compile_unit"]
    out = set()
    for d in (c for cu in cus for c in cu.children):
        where = d.attrs.get("DW_AT_decl_file")
        name = d.attrs.get("DW_AT_name")
        if not (isinstance(where, str) and isinstance(name, str)
                and where.endswith(tuple(file_suffixes))):
            continue
        if d.tag in _RECORDS and "DW_AT_declaration" not in d.attrs:
            out.add(("struct " if d.tag == "DW_TAG_structure_type" else "union ") + name)
        elif d.tag == "DW_TAG_typedef" and "DW_AT_type" in d.attrs:
            t = _strip(dies, dies[d.attrs["DW_AT_type"]])
            if t.tag in _RECORDS and "DW_AT_declaration" not in t.attrs:
                out.add(name)
    return sorted(out)


# ------------------------------------------------------ data directives (.s)

# Directives that end an object's data (the next object's preamble, etc.).
_NOT_DATA = {".globl", ".global", ".type", ".size", ".section", ".text", ".data",
             ".bss", ".align", ".p2align", ".balign", ".local", ".comm", ".lcomm",
             ".ident", ".weak", ".hidden", ".file", ".loc", ".set", ".even",
             ".previous", ".popsection", ".pushsection", ".end", ".ent", ".frame",
             ".mask", ".fmask", ".option", ".import", ".export", ".level",
             ".protected", ".internal", ".gnu_attribute", ".module", ".abicalls",
             ".nan", ".machine", ".machinemode", ".cpu", ".arch", ".fpu",
             ".eabi_attribute", ".syntax", ".thumb", ".arm", ".code", ".mode",
             ".little", ".big", ".endian", ".abiversion", ".subsection", ".SPACE",
             ".SUBSPA", ".EXPORT", ".IMPORT", ".PROC", ".PROCEND", ".CALLINFO",
             ".ENTRY", ".EXIT"}
_ZERO_DIRECTIVES = (".zero", ".space", ".skip", ".block")
_CAL = {1: "unsigned char", 2: "unsigned short", 4: "unsigned int", 8: "unsigned long long"}
_CAL_VALUE = {1: 0x11, 2: 0x1122, 4: 0x11223344, 8: 0x1122334455667788}


def _label_blocks(asm: str, prefix: str) -> dict[str, list[tuple[str, str]]]:
    """``{label: [(directive, operands), ...]}`` for labels starting with
    ``prefix``: the directives that follow the label up to the next label."""
    blocks: dict[str, list[tuple[str, str]]] = {}
    cur: list | None = None
    for ln in asm.splitlines():
        m = re.match(r"^([A-Za-z_.$][\w.$]*):\s*$", ln)
        if m:
            cur = blocks.setdefault(m.group(1), []) if m.group(1).startswith(prefix) else None
            continue
        if cur is None:
            continue
        m = re.match(r"^\s*(\.[\w.]+)\s*(.*?)\s*$", ln)
        if m and m.group(1) not in _NOT_DATA and not m.group(1).startswith(".cfi"):
            cur.append((m.group(1), m.group(2)))
        elif ln.strip():
            cur = None
    return blocks


def _calibrate(blocks) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for n in (1, 2, 4):
        dirs = blocks.get(f"__abicheck_cal_{n}", [])
        if len(dirs) != 1 or int(dirs[0][1], 0) != _CAL_VALUE[n]:
            raise OracleError(f"gcc: cannot tell which directive emits {n} bytes: {dirs}")
        sizes[dirs[0][0]] = n
    dirs = blocks.get("__abicheck_cal_8", [])
    if len(dirs) == 1 and dirs[0][0] not in sizes:
        sizes[dirs[0][0]] = 8
    # else: emitted as smaller pieces (two .long, or eight .byte on sparc64),
    # whose directives are known by now.
    # unaligned directives differ per assembler (.uaword: 4 bytes on sparc,
    # 2 on sh): read them from the packed calibration constants
    for n in (2, 4, 8):
        dirs = [d for d in blocks.get(f"__abicheck_ucal_{n}", []) if d[0] not in _ZERO_DIRECTIVES]
        if len(dirs) == 2 and int(dirs[1][1], 0) == _CAL_VALUE[n]:
            sizes.setdefault(dirs[1][0], n)
    for name, n in ((".2byte", 2), (".4byte", 4), (".8byte", 8)):   # GNU as: fixed sizes
        sizes.setdefault(name, n)
    return sizes


def _data_bytes(directives, sizes: dict[str, int], big_endian: bool, nbytes: int) -> bytes:
    out = bytearray()
    for d, ops in directives:
        if len(out) >= nbytes:
            break
        if d in _ZERO_DIRECTIVES:
            parts = [p.strip() for p in ops.split(",")]
            fill = int(parts[1], 0) & 0xFF if len(parts) > 1 else 0
            out += bytes([fill]) * int(parts[0], 0)
        elif d in (".ascii", ".string", ".asciz"):
            for s in re.findall(r'"((?:[^"\\]|\\.)*)"', ops):
                out += _c_string(s) + (b"\0" if d != ".ascii" else b"")
        elif d in sizes:
            n = sizes[d]
            for v in ops.split(","):
                u = int(v.strip(), 0) % (1 << (8 * n))
                out += u.to_bytes(n, "big" if big_endian else "little")
        else:
            raise OracleError(f"gcc: unexpected directive in probe data: {d} {ops}")
    if len(out) < nbytes:
        raise OracleError(f"gcc: probe object has {len(out)} bytes, expected {nbytes}")
    return bytes(out[:nbytes])


def _set_bits(data: bytes, big_endian: bool) -> list[int]:
    bits = []
    for i, byte in enumerate(data):
        for b in range(8):
            if byte >> b & 1:
                bits.append(i * 8 + (7 - b if big_endian else b))
    return sorted(bits)


# ------------------------------------------------------------------ the API


def gcc_layout(source: str, types: Sequence[str], gcc: Sequence[str] | str,
               paths: dict[str, list[str]] | None = None,
               include_dirs: Sequence[str] = (), defines: Sequence[str] = ()) -> dict[str, dict]:
    """Layouts of ``types`` as the cross compiler ``gcc`` lays them out.

    gcc:
        the compiler command and its ABI flags, e.g.
        ``["s390x-linux-gnu-gcc", "-m31"]``.
    paths:
        optional ``{type: [member path, ...]}``: which members to report, in
        that order (say, abicheck's own list).  Each path must exist in gcc's
        view of the type; every value is gcc's.  For a type not in ``paths``
        (or with ``paths=None``) the member list is gcc's own, from its debug
        info, which is what catches a member abicheck missed.

    The rest is as :func:`oracle.clang.clang_layout`.  Raises
    :class:`OracleError` when gcc rejects the source or a probe cannot be read.
    """
    types = list(types)
    spelled = {t: (f"{k} {tag}" if k else tag) for t in types for k, tag in [record_name(t)]}
    # Pass 1: member lists and bitfield facts from gcc's DWARF.
    decls = "".join(f"\n{spelled[t]} __abicheck_v{i};" for i, t in enumerate(types))
    dies = _parse_dwarf(_compile(gcc, ["-g", "-dA"], source + "\n" + decls + "\n",
                                 include_dirs, defines))
    infos: dict[str, list[_Member]] = {}
    for i, t in enumerate(types):
        found = _discover(dies, f"__abicheck_v{i}", t)
        if paths is not None and t in paths:
            by_path = {m.path: m for m in found}
            missing = [p for p in paths[t] if p not in by_path]
            if missing:
                raise OracleError(f"gcc: {t} has no member(s) {', '.join(missing)}")
            found = [by_path[p] for p in paths[t]]
        infos[t] = found

    # Pass 2: numbers from immediates and from bitfield probe objects.
    src = [source, ""]
    # Member names may be macros too (glibc: `#define si_pid _sifields._kill.si_pid`);
    # the declarations are parsed by now, so the probes can drop them.
    names = {part for ms in infos.values() for m in ms for part in m.path.split(".")}
    names -= {record_name(t)[1] for t in types}
    src += [f"#undef {n}" for n in sorted(names)]
    src += [f"const {_CAL[n]} __abicheck_cal_{n} = {_CAL_VALUE[n]:#x}ULL;" for n in _CAL]
    # unaligned twins: packed data uses other directives (.uaword, .4byte...)
    src += [f"const struct __attribute__((packed)) {{ char c; {_CAL[n]} x; }} "
            f"__abicheck_ucal_{n} = {{ 0, {_CAL_VALUE[n]:#x}ULL }};" for n in _CAL if n > 1]
    src.append("void __abicheck_probe(void) {")
    objects = []
    for ti, t in enumerate(types):
        T = spelled[t]
        src.append(f'__asm__ volatile("@@ABIPROBE T {ti} %0 %1 %2 %3" :: "i"({_CHECK}), '
                   f'"i"(sizeof({T})), "i"(__alignof__({T})), '
                   f'"i"(__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__));')
        for mi, m in enumerate(infos[t]):
            if m.bit_size is not None:
                objects.append(f"const {T} __abicheck_bf_{ti}_{mi} = {{ .{m.path} = -1 }};")
            elif m.flexible:
                src.append(f'__asm__ volatile("@@ABIPROBE F {ti} {mi} %0" :: '
                           f'"i"(__builtin_offsetof({T}, {m.path})));')
            else:
                src.append(f'__asm__ volatile("@@ABIPROBE M {ti} {mi} %0 %1" :: '
                           f'"i"(__builtin_offsetof({T}, {m.path})), '
                           f'"i"(sizeof((({T} *)0)->{m.path})));')
    src.append("}")
    src += objects
    asm = _compile(gcc, [], "\n".join(src) + "\n", include_dirs, defines)

    tinfo: dict[int, tuple[int, int, bool]] = {}
    minfo: dict[tuple[int, int], tuple[int, int]] = {}
    for m in re.finditer(r"@@ABIPROBE ([TMF])((?:[ \t]+[#$]?-?\d+)+)", asm):
        nums = [int(x) for x in re.findall(r"-?\d+", m.group(2))]
        if m.group(1) == "T":
            if nums[1] != _CHECK:
                raise OracleError(f"gcc: cannot read immediates: {m.group()}")
            tinfo[nums[0]] = (nums[2], nums[3], bool(nums[4]))
        elif m.group(1) == "M":
            minfo[nums[0], nums[1]] = (nums[2], nums[3])
        else:
            minfo[nums[0], nums[1]] = (nums[2], 0)
    blocks = _label_blocks(asm, "__abicheck_")
    sizes = _calibrate(blocks)

    out: dict[str, dict] = {}
    for ti, t in enumerate(types):
        if ti not in tinfo:
            raise OracleError(f"gcc: no size probe for {t} in the assembly")
        size, align, big = tinfo[ti]
        members = []
        for mi, m in enumerate(infos[t]):
            if m.bit_size is None:
                if (ti, mi) not in minfo:
                    raise OracleError(f"gcc: no probe for {t}: {m.path} in the assembly")
                off, msize = minfo[ti, mi]
                members.append(member(m.path, off, msize))
                continue
            label = f"__abicheck_bf_{ti}_{mi}"
            if label not in blocks:
                raise OracleError(f"gcc: probe object {label} ({t}: {m.path}) not emitted")
            bits = _set_bits(_data_bytes(blocks[label], sizes, big, size), big)
            if not bits or bits != list(range(bits[0], bits[0] + len(bits))):
                raise OracleError(f"gcc: {t}: {m.path}: probe bits are not one run: {bits}")
            if len(bits) != m.bit_size:
                raise OracleError(f"gcc: {t}: {m.path}: probe sets {len(bits)} bits, "
                                  f"DWARF says width {m.bit_size}")
            members.append(member(m.path, bits[0] // 8, m.decl_size, bits[0], len(bits)))
        out[t] = type_json(t, size, align, members)
    return out
