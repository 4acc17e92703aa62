"""Constant and code-group rules on hand-written tables (no layouts, so no
oracle: the values are the inputs)."""
from abicheck.checks.diff_constants import compare_constants
from abicheck.checks.diff_snapshot import Constant
from abicheck.errors import SourceLoc


def table(**defs):
    """NAME=(value, file)"""
    return {n: Constant(n, v, SourceLoc(f, 1, 1), f) for n, (v, f) in defs.items()}


def found(old, new):
    return sorted((c.id, c.verdict, c.topic) for c in compare_constants(old, new))


def test_a_new_code_on_an_existing_codes_value_collides():
    old = table(SEGV_MAPERR=(1, "s.h"), __SEGV_PSTKOVF=(2, "s.h"), NSIGSEGV=(1, "s.h"))
    new = table(SEGV_MAPERR=(1, "s.h"), __SEGV_PSTKOVF=(2, "s.h"), SEGV_PKUERR=(2, "s.h"),
                NSIGSEGV=(2, "s.h"))
    assert found(old, new) == [
        ("ABI233", "incompatible", "new code SEGV_PKUERR collides with __SEGV_PSTKOVF"),
        ("ABI234", "compatible", "counter NSIGSEGV grew")]


def test_codes_of_other_headers_are_not_the_signals():
    # linux/net.h's SYS_RECVMMSG is a socketcall number, not a SIGSYS code
    old = table(SYS_SECCOMP=(1, "siginfo.h"), NSIGSYS=(1, "siginfo.h"), SYS_RECVMMSG=(19, "net.h"))
    new = dict(old, **table(SYS_DVBC2=(19, "frontend.h")))
    assert found(old, new) == [("ABI230", "compatible", "constant SYS_DVBC2 added")]


def test_sentinels_may_grow_but_not_shrink():
    old = table(IFLA_MAX=(60, "a.h"), FOO_CNT=(4, "a.h"), FOO_BAR=(3, "a.h"))
    new = table(IFLA_MAX=(61, "a.h"), FOO_CNT=(3, "a.h"), FOO_BAR=(4, "a.h"))
    assert found(old, new) == [
        ("ABI232", "incompatible", "constant FOO_BAR changed value"),
        ("ABI234", "compatible", "counter IFLA_MAX grew"),
        ("ABI234", "incompatible", "counter FOO_CNT shrank")]


def test_removed_constant_is_incompatible():
    assert found(table(A=(1, "a.h")), {}) == [("ABI231", "incompatible", "constant A removed")]
