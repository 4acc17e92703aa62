"""ABI320-323 (checks/lint/code_rules.py): code groups, per ABI.

The codes' values on each ABI are the compiler's (``diff_oracle.values``:
enumerator values from libclang, inline-asm immediates from gcc, each
guarded by ``#ifdef``, so a code an ABI does not define is absent there);
the rules' definitions are applied to those numbers here, and each rule's
ABIs must be exactly the ABIs where its definition holds.
"""
from __future__ import annotations

import functools
import re

import pytest

from . import lint_oracle as lo
from checks import diff_oracle
from oracle import pick_oracle

pytestmark = pytest.mark.oracle

RULES = ("ABI320", "ABI321", "ABI322", "ABI323")


@functools.cache
def values(side: str) -> dict[str, dict[str, int]]:
    src = lo.text("ABI32x", side)
    names = diff_oracle.integer_macros(src)
    return {t.name: diff_oracle.values(pick_oracle(t), src, {n: n for n in names})
            for t in lo.oracle_targets()}


def expected(side: str) -> dict[str, set[str]]:
    """rule -> ABIs where its definition holds on the compilers' values."""
    out: dict[str, set[str]] = {r: set() for r in RULES}
    for t, vals in values(side).items():
        codes = {n: v for n, v in vals.items() if re.match(r"^(__)?SEGV_", n)}
        public = {n: v for n, v in codes.items() if not n.startswith("__")}
        private = {n: v for n, v in codes.items() if n.startswith("__")}
        if len(set(public.values())) < len(public) or len(set(private.values())) < len(private):
            out["ABI320"].add(t)
        if set(range(1, max(codes.values()) + 1)) - set(codes.values()):
            out["ABI321"].add(t)
        if vals["NSIGSEGV"] != max(codes.values()):
            out["ABI322"].add(t)
        if set(public.values()) & set(private.values()):
            out["ABI323"].add(t)
    return out


@pytest.mark.parametrize("rule", RULES)
@pytest.mark.parametrize("side", ["bad.h", "good.h"])
def test_code_group_rules_hold_where_the_compilers_values_say(rule, side):
    want = expected(side)[rule]
    got = lo.hit_targets(lo.fixture("ABI32x", side), rule)
    assert got == want
    if side == "bad.h":
        assert want, f"the fixture must trigger {rule} on some ABI"
    else:
        assert not want


def test_the_arch_code_clash_names_both_codes():
    (hit,) = lo.lint(lo.fixture("ABI32x", "bad.h"), "ABI323")
    assert hit[0] == "macro SEGV_PKUERR" and "__SEGV_ARCHERR" in hit[2]


def test_linux_6_6_keeps_ia64s_code_out_of_the_generic_group():
    # the kernel leaves SEGV_PKUERR undefined where __SEGV_PSTKOVF owns 4
    for rule in RULES:
        assert lo.bundled_hits("linux-6.6", rule) == [], rule


def test_pkeys_v1_gives_ia64_two_meanings_for_sigsegv_code_4():
    # kernel fact (shared/facts/siginfo-abi.md): ia64 owns SIGSEGV code 4
    # (__SEGV_PSTKOVF), which is why SEGV_PKUERR is not defined there; the
    # patch in the seed defines it everywhere.  asm/siginfo.h sets the ia64
    # knob before it includes the generic header, so the clash is reported
    # there, at the include, and only on ia64.
    hits = lo.bundled_hits("pkeys-v1", "ABI323")
    assert [(h.measured, h.targets) for h in hits] == [("macro SEGV_PKUERR", ("ia64",))]
    f = hits[0]
    header = lo.os.path.join(lo.REPO, "headers/pkeys-v1/asm/siginfo.h")
    assert f.loc.line == lo.line_of(header, "#include <asm-generic/siginfo.h>")
    assert "__SEGV_PSTKOVF" in f.message and f.severity == "error"
