"""Enum constants valued through the layout engine's memo
(``Layouter.constant_values``) are what gcc gives them, in any order they are
asked, and a constant defined through itself is still refused.

The oracle is the host gcc: a program printing every constant of the real
<linux/nl80211.h> (enums of hundreds of implicit "previous plus 1" values)
and of a crafted enum mixing resets, references and ``sizeof``."""
from __future__ import annotations

import dataclasses
import shutil
import subprocess

import pytest

from abicheck import api
from abicheck import model as m
from abicheck.errors import AbicheckError
from abicheck.layout import Layouter
from abicheck.targets import select_targets

CRAFTED = """
struct pair { int a; char b; };
enum crafted {
    C_A, C_B, C_C = 40, C_D, C_E = C_B + C_D, C_F,
    C_G = sizeof(struct pair) * 3, C_H, C_I = C_H << 2, C_J,
    C_K = -5, C_L, C_M, C_N = C_A + C_F + C_J
};
"""


def _gcc_values(tmp_path, header: str, names: list[str]) -> dict[str, int]:
    src = tmp_path / "values.c"
    src.write_text(header + "\n#include <stdio.h>\nint main(void) {\n" + "".join(
        f'    printf("%s %lld\\n", "{n}", (long long){n});\n' for n in names) + "    return 0;\n}\n")
    exe = tmp_path / "values"
    subprocess.run(["gcc", "-o", str(exe), str(src)], check=True, capture_output=True, timeout=120)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True, timeout=60).stdout
    return {n: int(v) for n, v in (line.split() for line in out.splitlines())}


def _cases(tmp_path):
    h = tmp_path / "crafted.h"
    h.write_text(CRAFTED)
    yield str(h), f'#include "{h}"'
    yield "/usr/include/linux/nl80211.h", "#include <linux/nl80211.h>"


@pytest.mark.skipif(shutil.which("gcc") is None, reason="no host gcc")
def test_enum_constants_in_any_order_are_gccs(tmp_path):
    host = select_targets(["x86_64"])[0]
    for header, include in _cases(tmp_path):
        tr = api.translate([header], host, [], [], header.startswith("/usr/include"))
        mine = sorted(n for n, en in tr.unit.constants.items()
                      if en.loc is not None and en.loc.file.endswith(header.rsplit("/", 1)[1]))
        assert len(mine) > (10 if "crafted" in header else 500), header
        truth = _gcc_values(tmp_path, include, mine)
        for order in (mine, mine[::-1]):
            lay = Layouter(tr.unit, tr.target)      # a fresh memo per order
            got = {n: lay.eval(tr.unit.constants[n].value) for n in order}
            assert got == truth, header
            # asked again, from the memo: the same values
            assert {n: lay.eval(tr.unit.constants[n].value) for n in order} == truth


def test_constant_defined_through_itself_still_refused(tmp_path):
    h = tmp_path / "cycle.h"
    # gcc refuses an enum constant used before it is declared, so no header
    # gives the model a cycle; a unit built with one must still get no
    # value for it, whatever the memo already holds of its unit
    h.write_text("enum ok { K_A = 3, K_B };\nenum bad { K_X = 1 };\n")
    tr = api.translate([str(h)], select_targets(["x86_64"])[0], [], [], False)
    u = tr.unit
    constants = dict(u.constants)
    constants["K_X"] = dataclasses.replace(
        constants["K_X"], value=m.Binary("+", m.Ident("K_X"), m.Const(1)))
    lay = Layouter(m.Unit.build(dict(u.records), dict(u.enums), dict(u.typedefs), constants),
                   tr.target)
    assert lay.eval(m.Ident("K_B")) == 4
    for _ in range(2):
        with pytest.raises(AbicheckError, match="in terms of itself"):
            lay.eval(m.Ident("K_X"))
    assert "K_X" not in lay.constant_values and lay.constant_values["K_B"] == 4
