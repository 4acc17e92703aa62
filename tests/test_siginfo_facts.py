"""Real Debian cross headers on every ABI against the siginfo offsets the
kernel itself asserts (its build-time checks and selftests; see
shared/facts/siginfo-abi.md).  These numbers are documented kernel facts,
written by hand on purpose; the member-by-member comparison with compilers
lives in test_oracle_headers.py."""
import pytest

from debian_headers import include_dirs
from kernel_facts import SIGINFO_OFFSETS
from abicheck import api
from abicheck.targets import all_targets

KERNEL = SIGINFO_OFFSETS   # documented kernel facts (tests/kernel_facts.py)


TARGETS = [t for t in all_targets() if include_dirs(t)]


@pytest.mark.parametrize("t", TARGETS, ids=lambda t: t.name)
def test_kernel_asserted_offsets(t):
    tr = api.translate(["asm/siginfo.h"], t, include_dirs(t))
    (lay,) = api.layout_translation(tr, ["siginfo_t"])
    assert lay.size == 128, "SI_MAX_SIZE"
    cls = "m68k" if t.name == "m68k" else ("64" if t.pointer_size == 8 else "32")
    want = dict(KERNEL[cls])
    mips = t.kernel_arch == "mips"
    want.update({"si_signo": 0, "si_errno": 8 if mips else 4, "si_code": 4 if mips else 8})
    fields = api.resolve_fields(tr, [lay], list(want))["siginfo_t"]
    got = {f["accessor"]: f["offset"] for f in fields}
    assert got == want
    if t.name == "x32":
        assert lay.align == 8, "x32 marks siginfo_t aligned(8)"
    elif t.pointer_size == 4:
        assert lay.align <= 4, "32-bit siginfo_t must stay at most 4-byte aligned"


def test_every_debian_cross_abi_is_covered():
    assert len(TARGETS) >= 20 or pytest.skip("Debian cross headers not installed")
