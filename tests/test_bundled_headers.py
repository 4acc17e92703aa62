"""The bundled header sets in ``headers/`` against real compilers.

Every set (kernel revisions around the protection-keys change, and the glibc
and musl views) is laid out by abicheck and by an independent oracle from the
same header text on every ABI: libclang (``-target``) where the ABI table has a
``clang_triple``, else the row's cross gcc (m68k, alpha, hppa, sh4, arm OABI,
31-bit s390, 32-bit sparc), read from ``-S`` output; see ``tests/oracle``.
No expected number here comes from abicheck itself.  On top of the
member-by-member comparison:

- 128 bytes everywhere, the MIPS errno/code swap, x32's 8-byte alignment;
- the offsets the kernel asserts today (shared/facts/siginfo-abi.md), for
  ``linux-6.6`` and the two libc views, per ABI class (64-bit, 32-bit incl.
  x32, m68k);
- where each revision puts the protection key, checked against the oracle.

ia64 has no oracle here: only the documented offsets are checked there.
"""
from __future__ import annotations

import functools
import os

import pytest

from kernel_facts import SIGINFO_OFFSETS
from abicheck import api
from abicheck.targets import all_targets
from oracle import NoOracle, pick_oracle

ROOT = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "headers")

KERNEL_SETS = ["linux-4.5", "pkeys-v1", "pkeys-u32", "pkeys-u8-reserved", "linux-4.6",
               "linux-6.6"]
LIBC_SETS = ["glibc", "musl"]
SETS = KERNEL_SETS + LIBC_SETS
TARGETS = all_targets()

#: ABIs musl has no port for (its header says so with #error).
MUSL_MISSING = {"arm_oabi", "s390", "sparc", "sparc64", "alpha", "parisc", "ia64"}

KERNEL = SIGINFO_OFFSETS   # documented kernel facts (tests/kernel_facts.py)


def entry(set_name: str) -> str:
    return "signal.h" if set_name in LIBC_SETS else "asm/siginfo.h"


def supported(set_name: str, t) -> bool:
    return not (set_name == "musl" and t.name in MUSL_MISSING)


def abi_class(t) -> str:
    return "m68k" if t.name == "m68k" else ("64" if t.pointer_size == 8 else "32")


@functools.cache
def engine(set_name: str, tname: str):
    t = next(x for x in TARGETS if x.name == tname)
    tr = api.translate([entry(set_name)], t, [os.path.join(ROOT, set_name)])
    (lay,) = api.layout_translation(tr, ["siginfo_t"])
    return tr, lay


#: Public accessors every set has, plus the era-dependent ones.
ACCESSORS = ["si_signo", "si_errno", "si_code", "si_pid", "si_uid", "si_status", "si_utime",
             "si_stime", "si_addr", "si_addr_lsb", "si_lower", "si_upper", "si_band", "si_fd",
             "si_call_addr", "si_syscall", "si_arch"]


def accessors(set_name: str) -> list[str]:
    extra = [] if set_name == "linux-4.5" else ["si_pkey"]
    if set_name == "linux-6.6":
        extra += ["si_perf_data", "si_perf_type", "si_perf_flags"]
    return ACCESSORS + extra


@functools.cache
def resolved(set_name: str, tname: str) -> dict[str, dict]:
    """abicheck's view of every public accessor: one resolve_fields call."""
    tr, lay = engine(set_name, tname)
    fields = api.resolve_fields(tr, [lay], accessors(set_name))["siginfo_t"]
    return {f["accessor"]: f for f in fields}


def offsets(set_name: str, t, names) -> dict[str, int]:
    res = resolved(set_name, t.name)
    return {n: res[n]["offset"] for n in names}


@functools.cache
def oracle_layout(set_name: str, tname: str) -> dict:
    t = next(x for x in TARGETS if x.name == tname)
    try:
        orc = pick_oracle(t)
    except NoOracle as e:
        pytest.skip(str(e))
    src = f"#include <{entry(set_name)}>\n"
    return orc.layout(src, ["siginfo_t"], [os.path.join(ROOT, set_name)])["siginfo_t"]


CASES = [pytest.param(s, t, id=f"{s}-{t.name}") for s in SETS for t in TARGETS
         if supported(s, t)]


@pytest.mark.parametrize("set_name,t", CASES)
def test_matches_compiler(set_name, t):
    """Every member (path, offset, size), size and alignment as the compiler says."""
    want = oracle_layout(set_name, t.name)
    _, lay = engine(set_name, t.name)
    got = [{"path": m["path"], "offset": m["offset"], "size": m["size"]}
           for m in api_members(lay)]
    exp = [{"path": m["path"], "offset": m["offset"], "size": m["size"]}
           for m in want["members"]]
    assert got == exp
    assert (lay.size, lay.align) == (want["size"], want["align"])


def api_members(lay) -> list[dict]:
    from abicheck.views.json import type_json
    return type_json(lay)["members"]


@pytest.mark.parametrize("set_name,t", CASES)
def test_whole_record(set_name, t):
    _, lay = engine(set_name, t.name)
    assert lay.size == 128, "SI_MAX_SIZE"
    mips = t.kernel_arch == "mips"
    got = offsets(set_name, t, ["si_signo", "si_errno", "si_code"])
    assert got == {"si_signo": 0, "si_errno": 8 if mips else 4, "si_code": 4 if mips else 8}
    if t.name == "x32" and set_name != "musl":  # musl adds no attribute
        assert lay.align == 8, "x32 marks siginfo_t aligned(8)"
    elif t.pointer_size == 4:
        assert lay.align <= 4, "32-bit siginfo_t must stay at most 4-byte aligned"
    head = 16 if t.pointer_size == 8 else 12
    assert offsets(set_name, t, ["si_addr"])["si_addr"] == head


#: glibc puts sparc's trap number between si_addr and si_addr_lsb (the kernel
#: moved it into the fault union), so the later fault fields move there.
GLIBC_SPARC_MOVED = {"si_addr_lsb", "si_lower", "si_upper", "si_pkey"}


@pytest.mark.parametrize("set_name,t", [c for c in CASES
                                        if c.values[0] in ("linux-6.6", "glibc", "musl")])
def test_kernel_asserted_offsets(set_name, t):
    want = dict(KERNEL[abi_class(t)])
    if set_name != "linux-6.6":
        want.pop("si_perf_data", None)
        want.pop("si_perf_type", None)
    if t.name == "ia64":
        # ia64's _imm, _flags, _isr follow si_addr: the fault union moves by 16.
        for k in ("si_addr_lsb", "si_lower", "si_upper", "si_pkey", "si_perf_data",
                  "si_perf_type"):
            if k in want:
                want[k] += 16
    if set_name == "glibc" and t.kernel_arch == "sparc":
        for k in GLIBC_SPARC_MOVED:
            want.pop(k)
    assert offsets(set_name, t, want) == want


def oracle_offset(set_name, t, path: str) -> int:
    lay = oracle_layout(set_name, t.name)
    (m,) = [m for m in lay["members"] if m["path"] == path]
    return m["offset"], m["size"]


PKEY_PATH = {"pkeys-v1": "_sifields._sigfault._pkey", "pkeys-u32": "_sifields._sigfault._pkey",
             "pkeys-u8-reserved": "_sifields._sigfault._pkey",
             "linux-4.6": "_sifields._sigfault._pkey",
             "linux-6.6": "_sifields._sigfault._addr_pkey._pkey"}


@pytest.mark.parametrize("set_name,t", [c for c in CASES if c.values[0] in PKEY_PATH])
def test_pkey_placement(set_name, t):
    """Where each revision puts the key: after _addr_bnd for the review-era
    patches, over _addr_bnd's start from 4.6 on; size 1 only for the u8 option."""
    got = resolved(set_name, t.name)
    assert got["si_pkey"]["path"] == PKEY_PATH[set_name]
    if t.name != "ia64":
        off, size = oracle_offset(set_name, t, PKEY_PATH[set_name])
        assert (got["si_pkey"]["offset"], got["si_pkey"]["size"]) == (off, size)
    ptr = t.pointer_size
    if set_name in ("pkeys-v1", "pkeys-u32", "pkeys-u8-reserved"):
        assert got["si_pkey"]["offset"] == got["si_upper"]["offset"] + ptr
        assert got["si_pkey"]["size"] == (1 if set_name == "pkeys-u8-reserved" else 4)
    else:
        assert got["si_pkey"]["size"] == 4


def test_every_set_exists():
    for s in SETS:
        assert os.path.isfile(os.path.join(ROOT, s, entry(s)))
        assert os.path.isfile(os.path.join(ROOT, s, "README.md"))


# --- x86 with gcc as well ---------------------------------------------------

X86_GCC = [pytest.param(s, tn, id=f"{s}-{tn}") for s in ("linux-6.6", "pkeys-v1", "glibc")
           for tn in ("x86_64", "i386", "x32")]


@pytest.mark.parametrize("set_name,tname", X86_GCC)
def test_x86_matches_gcc(set_name, tname):
    """The x86 trio again with the GNU compilers (host gcc, i686 and x32 cross
    gcc), which is what the x32 typedef-alignment trick was written for."""
    from oracle import Oracle, have_gcc
    t = next(x for x in TARGETS if x.name == tname)
    gcc = tuple(t.gcc or ())
    if not gcc or not have_gcc(gcc):
        pytest.skip(f"{' '.join(gcc) or tname}: no cross gcc here")
    want = Oracle("gcc", gcc=gcc).layout(f"#include <{entry(set_name)}>\n", ["siginfo_t"],
                                         [os.path.join(ROOT, set_name)])["siginfo_t"]
    _, lay = engine(set_name, tname)
    key = lambda ms: [(m["path"], m["offset"], m["size"]) for m in ms]  # noqa: E731
    assert key(api_members(lay)) == key(want["members"])
    assert (lay.size, lay.align) == (want["size"], want["align"])


# --- si_code values ---------------------------------------------------------

CODE_PREFIXES = ("SI_", "ILL_", "FPE_", "SEGV_", "BUS_", "TRAP_", "CLD_", "POLL_", "SYS_",
                 "EMT_", "NSIG", "__SEGV_", "__ILL_", "__FPE_")
CODE_TARGETS = ("x86_64", "mips", "ia64", "sparc64", "alpha")


@functools.cache
def code_values(set_name, tname) -> dict[str, int]:
    tr, _ = engine(set_name, tname)
    mt = api.macro_table(tr)
    out = {}
    for name in mt.names():
        if name.startswith(CODE_PREFIXES) and "(" not in name:
            m = mt.get(name)
            if m is not None and m.params is None and m.value is not None:
                out[name] = m.value
    return out


@pytest.mark.parametrize("set_name,tname", [
    pytest.param(s, tn, id=f"{s}-{tn}") for s in SETS for tn in CODE_TARGETS
    if supported(s, next(x for x in TARGETS if x.name == tn))])
def test_code_values_match_gcc(set_name, tname, tmp_path):
    """Every si_code constant abicheck evaluates has the value gcc gives it
    (glibc's come from enums behind self-referencing macros)."""
    import shutil
    import subprocess
    gcc = shutil.which("gcc")
    if not gcc:
        pytest.skip("no host gcc")
    t = next(x for x in TARGETS if x.name == tname)
    vals = code_values(set_name, tname)
    assert vals
    src = tmp_path / "codes.c"
    src.write_text(f"#include <{entry(set_name)}>\n" + "".join(
        f'_Static_assert(({n}) == ({v}), "{n}");\n' for n, v in sorted(vals.items())))
    defs = [f"-D{k}={v}" for k, v in t.macros.items() if k.isidentifier()]
    r = subprocess.run([gcc, "-fsyntax-only", "-undef", "-nostdinc", *defs,
                        "-I", os.path.join(ROOT, set_name), str(src)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]


#: The si_code facts of shared/facts/siginfo-abi.md, per set.
SEGV_FACTS = {
    "linux-4.5": {"SEGV_MAPERR": 1, "SEGV_ACCERR": 2, "SEGV_BNDERR": 3, "NSIGSEGV": 3},
    "pkeys-v1": {"SEGV_BNDERR": 3, "SEGV_PKUERR": 4, "NSIGSEGV": 4},
    "pkeys-u32": {"SEGV_PKUERR": 4, "NSIGSEGV": 4},
    "pkeys-u8-reserved": {"SEGV_PKUERR": 4, "NSIGSEGV": 4},
    "linux-4.6": {"SEGV_PKUERR": 4, "NSIGSEGV": 4},
    "linux-6.6": {"SEGV_MAPERR": 1, "SEGV_ACCERR": 2, "SEGV_BNDERR": 3, "SEGV_PKUERR": 4,
                  "SEGV_ACCADI": 5, "SEGV_ADIDERR": 6, "SEGV_ADIPERR": 7, "SEGV_MTEAERR": 8,
                  "SEGV_MTESERR": 9, "SEGV_CPERR": 10, "NSIGSEGV": 10},
    "glibc": {"SEGV_PKUERR": 4, "SEGV_ACCADI": 5, "SEGV_MTESERR": 9, "SEGV_CPERR": 10},
    "musl": {"SEGV_PKUERR": 4, "SEGV_MTEAERR": 8, "SEGV_MTESERR": 9},
}
ABSENT = {"linux-4.5": ["SEGV_PKUERR"], "musl": ["SEGV_ACCADI", "SEGV_ADIDERR",
                                                 "SEGV_ADIPERR", "SEGV_CPERR"]}


@pytest.mark.parametrize("set_name", SETS)
def test_segv_code_facts(set_name):
    vals = code_values(set_name, "x86_64")
    assert {k: vals.get(k) for k in SEGV_FACTS[set_name]} == SEGV_FACTS[set_name]
    for name in ABSENT.get(set_name, []):
        assert name not in vals


def test_ia64_owns_segv_code_4():
    vals = code_values("linux-6.6", "ia64")
    assert vals["__SEGV_PSTKOVF"] == 4 and "SEGV_PKUERR" not in vals


def test_pkeys_v1_comments():
    """The patch under review: the copy-pasted SEGV_PKUERR comment and the FIXME."""
    tr, _ = engine("pkeys-v1", "x86_64")
    assert "bound" in api.macro_table(tr).get("SEGV_PKUERR").comment
    text = open(os.path.join(ROOT, "pkeys-v1", "asm-generic", "siginfo.h")).read()
    assert "FIXME" in text
    tr, _ = engine("pkeys-u32", "x86_64")
    assert "protection key" in api.macro_table(tr).get("SEGV_PKUERR").comment


# --- the libc views against today's kernel, joined by accessor name ---------

@pytest.mark.parametrize("set_name,t", [c for c in CASES if c.values[0] in LIBC_SETS])
def test_libc_agrees_with_kernel(set_name, t):
    """Every public accessor both views have sits at the same offset with the
    same size in the libc view and in linux-6.6, except the documented
    differences (README.md of each set)."""
    kern = resolved("linux-6.6", t.name)
    libc = resolved(set_name, t.name)
    skip = set()
    if set_name == "glibc" and t.kernel_arch == "sparc":
        skip |= GLIBC_SPARC_MOVED
    for name in ACCESSORS + ["si_pkey"]:
        if name in skip:
            continue
        k, c = kern[name], libc[name]
        if set_name == "musl" and t.name == "x32" and name in ("si_utime", "si_stime"):
            # musl's 32-bit clock_t on x32 (headers/musl/README.md, "Uncertain")
            assert (c["size"], k["size"]) == (4, 8)
            continue
        assert (c["offset"], c["size"]) == (k["offset"], k["size"]), name
