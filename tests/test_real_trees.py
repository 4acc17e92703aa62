"""Every header of Debian's kernel and glibc header packages, on every ABI
whose headers are installed, against the compilers (see ``real_trees.py``).

Where the ABI's compiler compiles a header (alone, or after the libc prelude
a user writes), abicheck lays out every complete struct, union and typedef
the header declares and agrees with the layout oracle; where the compiler
fails, abicheck fails at the same ``file:line``.  Each test lists the headers
of one tree abicheck cannot do, and requires the list to be empty.

By default the host (x86_64) trees run whole and every other ABI runs a
deterministic 1-in-``ABICHECK_TREE_SAMPLE`` (default 12) sample of its trees.
``ABICHECK_FULL_TREES=1`` runs every tree whole (about 15 minutes on two
cores); it is the documented slow run (README, "Evidence").
"""
from __future__ import annotations

import os

import pytest

from abicheck.targets import all_targets
from real_trees import check_header, sample, tree

pytestmark = pytest.mark.oracle

FULL = os.environ.get("ABICHECK_FULL_TREES") == "1"
EVERY = int(os.environ.get("ABICHECK_TREE_SAMPLE", "12"))

#: Rows without a Debian architecture borrow the headers of the one of the
#: same kernel arch: the uapi view is the kernel's and picks per-ABI
#: definitions by compiler macros (see test_oracle_headers.py).
BORROW = {"arm_oabi": "armel", "s390": "s390x", "sparc": "sparc64", "riscv32": "riscv64"}

CASES = [pytest.param(t, kind, id=f"{t.name}-{kind}")
         for t in all_targets() for kind in ("kernel", "glibc")]


@pytest.mark.parametrize("target,kind", CASES)
def test_tree(target, kind):
    arch = BORROW.get(target.name, target.debian_arch)
    found = tree(target.name, arch, kind)
    if found is None:
        pytest.skip(f"{target.name}: Debian's {kind} headers for {arch or 'this ABI'} "
                    "are not installed")
    if kind == "glibc" and target.name in BORROW:
        pytest.skip(f"{target.name}: glibc's headers are per Debian architecture; "
                    f"{arch}'s are not {target.name}'s")
    every = 1 if FULL or target.name == "x86_64" else EVERY
    headers = sample(found.headers, every)
    cannot = [r for h in headers if (r := check_header(target, h, found.include_dirs))]
    assert not cannot, (f"{target.name}: {len(cannot)} of {len(headers)} headers of "
                        f"{found.package} (1 in {every}):\n  " + "\n  ".join(cannot))
