"""The layout rules on the bundled header sets (headers/): the seed's patch
and today's kernel.

linux-6.6 is the kernel's settled ABI: what the rules say of it may be
true (warnings: its historic ``int`` members, its 64-bit holes), but
nothing is an error.  The older sets share one error, a historic fact: the
ia64 clash of SEGV_PKUERR.  pkeys-v1 is the patch the seed reviews; its
non-fixed-width ``_pkey`` is asserted in test_type_rules.py.
"""
from __future__ import annotations

import pytest

from . import lint_oracle as lo

MINE = ("ABI31", "ABI32", "ABI33", "ABI34", "ABI35", "ABI36")


#: The errors each set must yield, from the facts (shared/facts/siginfo-abi.md):
#: ia64 owns SIGSEGV code 4 (__SEGV_PSTKOVF); until the kernel left
#: SEGV_PKUERR undefined there (as linux-6.6 does), the two collided on ia64.
ERRORS = {
    "linux-6.6": set(),
    "linux-4.6": {("ABI323", "macro SEGV_PKUERR", ("ia64",))},
    "pkeys-u32": {("ABI323", "macro SEGV_PKUERR", ("ia64",))},
    "pkeys-v1": {("ABI323", "macro SEGV_PKUERR", ("ia64",))},
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_from_the_layout_rules_are_the_known_ones(name):
    errors = {(f.id, f.measured, f.targets) for r in lo.bundled_report(name).results
              for f in r.findings if f.id.startswith(MINE) and f.severity == "error"}
    assert errors == ERRORS[name]


def test_linux_6_6_pkey_is_fixed_width_now():
    # the review's fix landed: __u32 _pkey is not reported, the old ints are
    subjects = {f.measured for f in lo.bundled_hits("linux-6.6", "ABI310")}
    assert not any(s.endswith("._pkey") for s in subjects)
    assert any(s.endswith(".si_signo") for s in subjects)
