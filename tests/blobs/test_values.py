"""FIELD=VALUE parsing: numbers in any base, negative ones, C's leading-0
octal and suffixes, and constants of the target's headers."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from abicheck.blobs import context
from abicheck.blobs.values import integer, parse_assignments, scalar
from abicheck.errors import UsageError


@given(st.integers(-(1 << 70), 1 << 70))
def test_every_python_base(n):
    for text in (str(n), hex(n), oct(n), bin(n)):
        assert integer(text) == n, text


@pytest.mark.parametrize("text,value", [("017", 15), ("0", 0), ("0x10u", 16), ("10UL", 10),
                                        ("-0x80000000", -0x80000000), ("+5", 5)])
def test_c_spellings(text, value):
    assert integer(text) == value


@pytest.mark.parametrize("text", ["", "0x", "08", "1.5", "abc", "0b2", "--1", "1e3",
                                  # C has no digit separators (Python's _ is not C)
                                  "1_000", "0x_", "0b_", "-0x_", "0o_", "0x1_0"])
def test_not_integers(text):
    assert integer(text) is None


def test_constants_are_the_targets():
    assert scalar(context("siginfo_t", "x86_64"), "si_signo", "SIGBUS") == 7
    assert scalar(context("siginfo_t", "mips"), "si_signo", "SIGBUS") == 10
    assert scalar(context("siginfo_t", "mips"), "si_code", "SI_TIMER") == -3
    assert scalar(context("siginfo_t", "x86_64"), "si_code", "SI_TIMER") == -2
    assert scalar(context("siginfo_t", "x86_64"), "si_code", "-SEGV_PKUERR") == -4
    with pytest.raises(UsageError, match="no header of linux-6.6 defines 'SEGV_PKUERR' on ia64"):
        scalar(context("siginfo_t", "ia64"), "si_code", "SEGV_PKUERR")


def test_assignments():
    assert parse_assignments(["a=1", " b = SIGSEGV "]) == [("a", "1"), ("b", "SIGSEGV")]
    for bad in ("a", "=1", "a="):
        with pytest.raises(UsageError):
            parse_assignments([bad])
