"""``abicheck diff`` along the bundled revision chain, on every ABI:
linux-4.5 -> pkeys-v1 -> pkeys-u32 -> pkeys-u8-reserved -> linux-4.6 -> linux-6.6.

Expected verdicts come from the compilers: for each revision and ABI the
oracle gives siginfo_t's size and alignment, the offset, size and signedness
of every public accessor (``offsetof(siginfo_t, si_pkey)`` through the macro,
so members are joined by accessor as the kernel's users join them) and the
value of every integer macro of the headers; ``diff_oracle.verdict`` judges
those numbers.  ia64 has no compiler here: its verdicts are the documented
facts of the sets (headers/*/README.md) restated below.
"""
from __future__ import annotations

import functools
import json
import os

import pytest

from . import diff_oracle
from abicheck import bundled
from abicheck.checks.diff import run_diff
from abicheck.report.diffmodel import exit_status, verdicts
from abicheck.report.render import render
from abicheck.targets import all_targets
from oracle import NoOracle, OracleError, pick_oracle

CHAIN = ["linux-4.5", "pkeys-v1", "pkeys-u32", "pkeys-u8-reserved", "linux-4.6", "linux-6.6"]
PAIRS = list(zip(CHAIN, CHAIN[1:]))
TARGETS = list(all_targets())
SPEC = json.load(open(bundled.spec_path("siginfo.json")))
ACCESSORS = SPEC["accessors"]
SIGNED = sorted({c["accessor"] for c in SPEC["checks"] if c["kind"] == "field" and "signed" in c})

#: ia64, from the sets' READMEs (no compiler lays ia64 out here).
IA64 = {
    ("linux-4.5", "pkeys-v1"): "SEGV_PKUERR 4 is ia64's __SEGV_PSTKOVF 4 (linux-4.5 README)",
    ("pkeys-v1", "pkeys-u32"): "si_pkey goes from int to __u32: signedness (C)",
    ("pkeys-u32", "pkeys-u8-reserved"): "si_pkey goes from 4 bytes to 1 (pkeys-u8-reserved README)",
    ("pkeys-u8-reserved", "linux-4.6"): "si_pkey moves onto _lower (linux-4.6 README)",
    ("linux-4.6", "linux-6.6"): "the __SI_* class macros are gone (linux-4.5 README: they were 0)",
}


def header_text(rev: str) -> str:
    root = bundled.headers_dir(rev)
    out = []
    for name in ("asm/siginfo.h", "asm-generic/siginfo.h"):
        with open(os.path.join(root, name)) as f:
            out.append(f.read())
    return "\n".join(out)


@functools.cache
def report(old: str, new: str):
    return run_diff(old, new, TARGETS)


@functools.cache
def measured(rev: str, tname: str, names: tuple[str, ...]):
    """(pseudo-layout of siginfo_t by accessor, constants, signedness) as the
    target's compiler sees revision ``rev``."""
    t = next(x for x in TARGETS if x.name == tname)
    orc = pick_oracle(t)
    inc = [bundled.headers_dir(rev)]
    src = "#include <asm/siginfo.h>\n"
    lay = orc.layout(src, ["siginfo_t"], inc)["siginfo_t"]
    exprs, guards = {}, {}
    for acc in ACCESSORS:
        exprs[f"o:{acc}"] = f"__builtin_offsetof(siginfo_t, {acc})"
        exprs[f"s:{acc}"] = f"sizeof(((siginfo_t *)0)->{acc})"
        guards[f"o:{acc}"] = guards[f"s:{acc}"] = acc
    for acc in SIGNED:
        exprs[f"u:{acc}"] = f"((__typeof__(((siginfo_t *)0)->{acc}))-1 < 0)"
        guards[f"u:{acc}"] = acc
    for n in names:
        exprs[f"c:{n}"], guards[f"c:{n}"] = n, n
    keyed = {k.replace(":", "_"): v for k, v in exprs.items()}
    got = diff_oracle.values(orc, src, keyed, inc, {k.replace(":", "_"): g for k, g in guards.items()})
    members = [{"path": acc, "offset": got[f"o_{acc}"], "size": got[f"s_{acc}"],
                "bit_offset": None, "bit_width": None} for acc in ACCESSORS if f"o_{acc}" in got]
    shape = {"siginfo_t": {"name": "siginfo_t", "size": lay["size"], "align": lay["align"],
                           "members": members}}
    consts = {n: got[f"c_{n}"] for n in names if f"c_{n}" in got}
    signed = {acc: got[f"u_{acc}"] for acc in SIGNED if f"u_{acc}" in got}
    return shape, consts, signed


@pytest.mark.oracle
@pytest.mark.parametrize("tname", [t.name for t in TARGETS])
@pytest.mark.parametrize("old, new", PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_chain_verdicts_match_the_compilers(old, new, tname):
    got = verdicts(report(old, new))[tname]
    if tname == "ia64":
        assert got == "incompatible", IA64[old, new]
        return
    names = tuple(diff_oracle.integer_macros(header_text(old), header_text(new)))
    try:
        a, b = measured(old, tname, names), measured(new, tname, names)
    except NoOracle as e:
        pytest.skip(str(e))
    except OracleError as e:
        pytest.fail(f"the oracle failed: {e}")
    expected, why = diff_oracle.verdict(a[0], b[0], a[1], b[1], a[2], b[2])
    assert (got == "incompatible") == (expected == "incompatible"), (got, expected, why)


def test_the_seed_patch_breaks_only_ia64_and_says_why():
    rep = report("linux-4.5", "pkeys-v1")
    per = verdicts(rep)
    assert per["ia64"] == "incompatible" and exit_status(rep) == 12
    clash = [f for f in rep.findings if f.id == "ABI233"]
    assert [(f.targets, f.topic) for f in clash] == [
        (("ia64",), "new code SEGV_PKUERR collides with __SEGV_PSTKOVF")]


def test_an_all_abi_siginfo_diff_fits_one_screen():
    for old, new in PAIRS[:4]:
        out = render(report(old, new), "text")
        assert len(out.splitlines()) <= 50, (old, new, out)
        assert f"all {len(TARGETS)} ABIs" in out.splitlines()[0]


def test_linux_4_6_to_6_6_finds_the_trapno_move_on_alpha_and_sparc():
    # the kernel moved _trapno into the fault union: si_addr_lsb moves on the
    # ABIs that have a trap number (alpha, sparc) and nowhere else
    rep = report("linux-4.6", "linux-6.6")
    moved = {t for f in rep.findings if f.id == "ABI222" and "_addr_lsb" in f.message
             and f.verdict == "incompatible" for t in f.targets}
    assert moved == {"alpha", "sparc", "sparc64"}
    # si_pkey keeps its offset under its new path everywhere but on sparc,
    # where the fault union now starts 8 bytes earlier (the compilers agree:
    # test_chain_verdicts_match_the_compilers)
    renamed = {t for f in rep.findings if f.id == "ABI226" and "accessor si_pkey" in f.topic
               for t in f.targets}
    assert renamed == {t.name for t in TARGETS} - {"sparc"}
    moved = [f for f in rep.findings if f.id == "ABI222" and f.targets == ("sparc",)
             and "_pkey (now _sifields._sigfault._addr_pkey._pkey, by accessor si_pkey)" in f.message]
    assert moved and "from 0x18 to 0x14" in moved[0].message
