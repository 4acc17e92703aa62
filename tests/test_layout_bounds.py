"""Object-size and alignment bounds, against gcc itself.

gcc rejects an array whose element count or byte size exceeds the target's
``PTRDIFF_MAX``, a record larger than that, and an alignment that is not a
power of two or is beyond 2**28; abicheck must fail exactly where gcc does
(and at the same line:col for arrays), on a 64-bit and a 32-bit ABI, and
never lay such a type out as a giant.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from abicheck import api
from abicheck.errors import AbicheckError

CASES = [
    "struct s { char a[0x80000000]; };",
    "struct s { char a[0x7fffffff]; };",
    "struct s { char a[0x7fffffff]; }; struct t { struct s x, y; };",
    "union u { char a[0x7fffffff]; char b[0x7ffffffe]; };",
    "struct s { int a[0x3fffffffffffffff]; };",
    "struct s { int a[0x1fffffffffffffff]; };",
    "struct s { int a[0x1fffffff]; };",
    "struct s { int a[0x20000000]; };",
    "struct s { char a[0x7ffffff0]; int b; };",
    "struct s { char a[0x7ffffffe]; int b; };",
    "struct s { char a[0x7fffffff]; int b:3; };",
    "struct s { char a[0xffffffff]; };",
    "struct s { char a[0x7fffffff]; char b; };",
    "struct s { char a[0x7fffffffffffffff]; char b; };",
    "struct s { char a[0x7ffffffffffffff0]; int b; };",
    "struct s { char big[0x7fffffffffffffff][0x7fffffffffffffff]; };",
    "struct s { char a[-1]; };",
    "struct s { char a[0x7fffffff] __attribute__((aligned(8))); };",
    "struct s { char a[16]; } __attribute__((aligned(0x10000000)));",
    "struct s { char a[16]; } __attribute__((aligned(0x20000000)));",
    "struct s { int x; } __attribute__((aligned(3)));",
    "struct s { int x __attribute__((aligned(6))); };",
    "struct s { int x; } __attribute__((aligned(0)));",
]
ABIS = [("x86_64", "gcc"), ("i386", "i686-linux-gnu-gcc")]


def _gcc(cc: str, src: str, tmp_path) -> str | None:
    """gcc's first error as 'line:col', or None when it compiles."""
    p = tmp_path / "b.h"
    p.write_text(src + "\n")
    res = subprocess.run([cc, "-fsyntax-only", "-x", "c", str(p)], capture_output=True, text=True,
                         env={"PATH": os.environ["PATH"], "LC_ALL": "C"})
    if res.returncode == 0:
        return None
    m = re.search(r":(\d+):(\d+): error:", res.stderr)
    return f"{m.group(1)}:{m.group(2)}"


@pytest.mark.oracle
@pytest.mark.parametrize("target, cc", ABIS)
@pytest.mark.parametrize("src", CASES)
def test_bounds_match_gcc(tmp_path, target, cc, src):
    if not shutil.which(cc):
        pytest.skip(f"{cc} is not installed")
    want = _gcc(cc, src, tmp_path)
    p = tmp_path / "a.h"
    p.write_text(src + "\n")
    tr = api.translate([str(p)], api._target(target))
    try:
        api.layout_translation(tr, api.declared_records(tr, [str(p)]))
        got = None
    except AbicheckError as e:
        got = f"{e.loc.line}:{e.loc.col}"
        assert str(e).startswith(f"{p}:{got}: error: ")
    assert (got is None) == (want is None), (want, got)
    if want and ("[" in src.split(";")[0] and "aligned" not in src) and "struct t" not in src:
        assert got == want          # array errors sit on the declarator, as in gcc


def test_wrapping_record_is_refused_not_wrapped(tmp_path):
    """i686 gcc accepts this struct, its size wrapping around 2**32 to 1
    byte; 0x7fffffff * 2 + 3 bytes is more than any 32-bit object can be."""
    p = tmp_path / "w.h"
    p.write_text("struct s { char a[0x7fffffff]; char b[0x7fffffff]; char c[3]; };\n")
    with pytest.raises(AbicheckError, match="type 'struct s' is too large"):
        api.layout_headers([str(p)], ["struct s"], "i386")
    assert api.layout_headers([str(p)], ["struct s"], "x86_64")[0].size == 0x7fffffff * 2 + 3
