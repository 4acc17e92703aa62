"""When a translation's macro record is exact (``Preprocessed.macros_exact``):
its definitions, made after the target's predefined macros, are the whole
state an expansion at the end of the unit sees, so ``MacroTable`` expands a
probe in a short cpp run of the definitions alone instead of preprocessing
the headers again.

The oracle is cpp itself: the short run's expansions must equal those of
the headers preprocessed again with the probes appended (the path taken
when the record is not exact), and the values gcc computes.  A predefined
macro a header undefines and defines again (arm's ``asm/types.h`` does so
with ``__INT32_TYPE__``) leaves an exact record; one left undefined, or
defined again and then undefined, does not: the definitions alone cannot
say that it is gone."""
from __future__ import annotations

import re
import shutil
import subprocess
from unittest import mock

import pytest

from abicheck import api
from abicheck.frontend.macros import MacroTable
from abicheck.layout import Layouter
from abicheck.targets import get_target
from debian_headers import include_dirs

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="no gcc")

#: (header text, exact?)
CASES = {
    "redefined": ("#undef __x86_64__\n#define __x86_64__ 2\n", True),
    "left undefined": ("#undef __x86_64__\n", False),
    "redefined, then undefined": ("#undef __x86_64__\n#define __x86_64__ 2\n#undef __x86_64__\n",
                                  False),
    "undefined twice, defined last": ("#undef __x86_64__\n#define __x86_64__ 3\n"
                                      "#undef __x86_64__\n#define __x86_64__ 4\n", True),
    "a header's own macro undone": ("#define MINE 5\n#undef MINE\n", True),
}
PROBES = ("#define A (__x86_64__ + 10)\n#define B (A * 2)\n"
          "#define C (__SIZEOF_LONG__ + __x86_64__)\n")


def _translate(tmp_path, text: str, target="x86_64", name="linux/h.h"):
    (tmp_path / "linux").mkdir(exist_ok=True)
    (tmp_path / name).write_text(text + PROBES)
    return api.translate([name], get_target(target), [str(tmp_path)])


def _full_rerun(tr) -> dict[str, str]:
    """The expansions of the headers preprocessed again with the probes."""
    with mock.patch.object(MacroTable, "probe_group", return_value=None):
        return MacroTable(tr, Layouter(tr.unit, tr.target)).expansions()


def _gcc(tmp_path, names) -> dict[str, int]:
    probe = "#include <linux/h.h>\nvoid f(void) {\n" + "".join(
        f'  __asm__ volatile("#V {n} %0" :: "i"((long long)({n})));\n' for n in names) + "}\n"
    out = subprocess.run(["gcc", "-S", "-o", "-", "-I", str(tmp_path), "-xc", "-"], input=probe,
                         capture_output=True, text=True, check=True).stdout
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"#V (\w+) [#$]?(-?\d+)", out)}


@pytest.mark.parametrize("case", list(CASES))
def test_exact_exactly_when_the_short_run_expands_as_cpp_does(tmp_path, case):
    text, exact = CASES[case]
    tr = _translate(tmp_path, text)
    assert tr.pre.macros_exact is exact
    table = MacroTable(tr, Layouter(tr.unit, tr.target))
    if exact:
        assert table.probe_group(table.probed()) is not None
    else:
        assert table.probe_group(table.probed()) is None
    assert table.expansions() == _full_rerun(tr)
    if "left undefined" not in case and "then undefined" not in case:
        want = _gcc(tmp_path, ["A", "B", "C"])
        assert {n: table.get(n).value for n in want} == want


def test_the_short_run_is_what_an_inexact_record_would_have_got_wrong(tmp_path):
    """Why the rule: with __x86_64__ undefined by the header, a short run of
    the definitions alone would still see the predefined one."""
    tr = _translate(tmp_path, CASES["left undefined"][0])
    table = MacroTable(tr, Layouter(tr.unit, tr.target))
    assert table.expansions()["B"] == "((__x86_64__ + 10) * 2)"
    with mock.patch.object(type(tr.pre), "macros_exact", new=True):
        fooled = MacroTable(tr, Layouter(tr.unit, tr.target)).expansions()
    assert fooled["B"] == "((1 + 10) * 2)"


@pytest.mark.parametrize("target", ["arm", "armel"])
@pytest.mark.parametrize("header", ["linux/types.h", "linux/fs.h", "linux/if_link.h",
                                    "linux/videodev2.h"])
def test_arm_headers_are_exact_and_expand_as_cpp_does(target, header):
    t = get_target(target)
    dirs = include_dirs(t)
    if dirs is None:
        pytest.skip(f"no Debian headers for {target}")
    tr = api.translate([header], t, dirs)
    # asm/types.h undefines __INT32_TYPE__, __UINT32_TYPE__, __UINTPTR_TYPE__
    # and defines them again
    assert "asm/types.h" in tr.macro_map["__INT32_TYPE__"].loc.file
    assert tr.pre.macros_exact
    table = MacroTable(tr, Layouter(tr.unit, t))
    got = table.expansions()
    assert got == _full_rerun(tr)
    if header != "linux/types.h":
        assert got
