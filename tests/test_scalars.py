"""Signedness and integer-ness, once for every consumer (abicheck/scalars.py),
checked against gcc: for each declared type, gcc must accept
``_Static_assert(((T)-1 < 0) == S)`` with S what abicheck says — and must
reject it with the opposite S, so the probe cannot pass by accident."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from abicheck import api, model as m
from abicheck.layout import Layouter
from abicheck.scalars import signedness
from abicheck.targets import select_targets

DECLS = """
enum nonneg { A = 0, B = 7 };
enum neg { C = -1, D = 3 };
enum big { E = 0x80000000u };
typedef char plain_char;
typedef signed char s_char;
typedef unsigned char u_char;
typedef _Bool boolean;
typedef unsigned long ulong_t;
typedef long long_t;
typedef enum neg neg_t;
typedef double dbl;
typedef _Float128 f128;
typedef void *ptr;
"""
INTEGERS = ["enum nonneg", "enum neg", "enum big", "plain_char", "s_char", "u_char",
            "boolean", "ulong_t", "long_t", "neg_t"]
NOT_INTEGERS = ["dbl", "f128", "ptr"]
GCCS = {"x86_64": "gcc", "armel": "arm-linux-gnueabi-gcc", "s390x": "s390x-linux-gnu-gcc"}


def _accepts(gcc: str, text: str) -> bool:
    r = subprocess.run([gcc, "-std=gnu11", "-fsyntax-only", "-x", "c", "-"], input=text,
                       capture_output=True, text=True, timeout=120)
    return r.returncode == 0


@pytest.mark.parametrize("target", sorted(GCCS))
def test_signedness_is_gccs(target, tmp_path):
    gcc = GCCS[target]
    if shutil.which(gcc) is None:
        pytest.skip(f"{gcc} is not installed")
    h = tmp_path / "t.h"
    # arm EABI gcc has no _Float128
    h.write_text(DECLS.replace("typedef _Float128 f128;\n", "") if target == "armel" else DECLS)
    tr = api.translate([str(h)], select_targets([target])[0], [], [], False)
    lay = Layouter(tr.unit, tr.target)
    for name in INTEGERS:
        s = signedness(lay, _ref(name))
        assert s is not None, name
        probe = f"{h.read_text()}\n_Static_assert((((({name})-1) < 0) == {int(s)}), \"{name}\");\n"
        flipped = probe.replace(f"== {int(s)})", f"== {int(not s)})")
        assert _accepts(gcc, probe), f"{target}: gcc disagrees: {name} signed={s}"
        assert not _accepts(gcc, flipped), f"{target}: probe for {name} cannot fail"
    for name in NOT_INTEGERS:
        if name in tr.unit.typedefs:
            assert signedness(lay, _ref(name)) is None, name


def _ref(name: str) -> m.Type:
    return m.EnumRef(name.split()[1]) if name.startswith("enum ") else m.TypedefRef(name)
