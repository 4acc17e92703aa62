"""The macro table: values with the target's sizes (checked against gcc at
test time), trailing comments, accessor paths, glibc-style enum constants."""
import re
import shutil
import subprocess

import pytest

from abicheck import api
from abicheck.targets import get_target

SRC = """\
struct rec { int a; union { long b; struct { short c; } in; } u; };
enum codes { CODE_ONE = 1, CODE_TWO, CODE_BIG = CODE_TWO << 4 };
#define CODE_TWO CODE_TWO
#define TWO_LONGS (sizeof(long) * 2)   /* twice a long */
#define PREF_ALIGN __alignof__(long long)
#define ABI_ALIGN _Alignof(long long)
#define MIXED ((TWO_LONGS + CODE_BIG) / 3 - (-7 % 3))
#define CASTED ((unsigned char)-1)
#define PLAIN_CHAR ((char)-1)
#define SIGNED_CHAR ((signed char)-1)
#define rec_c u.in.c /* the c member,
                      * reached through the union */
#define NOT_A_NUMBER "text"
"""
NUMERIC = ["CODE_TWO", "TWO_LONGS", "PREF_ALIGN", "ABI_ALIGN", "MIXED", "CASTED",
           "PLAIN_CHAR", "SIGNED_CHAR"]   # plain char: signed on x86/m68k, unsigned on arm
COMPILERS = {"x86_64": "gcc", "i386": "i686-linux-gnu-gcc", "m68k": "m68k-linux-gnu-gcc",
             "arm_oabi": "arm-linux-gnueabi-gcc"}


def gcc_values(cc: list[str], names: list[str]) -> dict[str, int]:
    """Each macro's value as the target's gcc computes it (asm immediates)."""
    probe = SRC + "void f(void) {\n" + "".join(
        f'  __asm__ volatile("#V {n} %0" :: "i"((long long)({n})));\n' for n in names) + "}\n"
    out = subprocess.run([*cc, "-S", "-o", "-", "-xc", "-"], input=probe, capture_output=True,
                         text=True, check=True).stdout
    return {m.group(1): int(m.group(2)) for m in re.finditer(r"#V (\w+) [#$]?(-?\d+)", out)}


def table(target: str):
    tr = api.translate((), get_target(target), source=SRC)
    return api.macro_table(tr)


@pytest.mark.oracle
@pytest.mark.parametrize("target", list(COMPILERS))
def test_values_match_gcc(target):
    t = get_target(target)
    cc = list(t.gcc or [COMPILERS[target]])
    if not shutil.which(cc[0]):
        pytest.skip(f"{cc[0]} not installed")
    want = gcc_values(cc, NUMERIC)
    macros = table(target)
    assert {n: macros.get(n).value for n in NUMERIC} == want


def test_non_numbers_have_no_value_and_accessors_have_paths():
    macros = table("x86_64")
    assert macros.get("NOT_A_NUMBER").value is None
    assert macros.get("rec_c").path == "u.in.c"
    lay = api.layout_source(SRC, ["struct rec"], "x86_64")
    assert lay[0].member(macros.get("rec_c").path) is not None


def test_locations_and_trailing_comments(tmp_path):
    hdr = tmp_path / "m.h"
    hdr.write_text(SRC)
    tr = api.translate([str(hdr)], get_target("x86_64"))
    macros = api.macro_table(tr)
    two = macros.get("TWO_LONGS")
    assert (two.loc.file, two.loc.line) == (str(hdr), 4)
    assert two.comment == "twice a long"
    assert macros.get("rec_c").comment == "the c member, reached through the union"
    assert macros.get("PREF_ALIGN").comment is None


#: bodies whose brackets close the expression early: wrapped in anything
#: that reads an expression they become several declarators or declarations
EARLY_CLOSE = {
    "LAST_BOUND": "1)], y[(2, 3)], z[(4",
    "SECOND_DECL": "1)]; char q[(2",
    "TRAILING_TYPEDEF": "1)]; typedef int q[(2",
    "NESTED_BOUND": "(8)] [(2",
}


def _gcc_takes(cc: list[str], body: str) -> bool:
    """Whether gcc reads ``body`` as an integer constant: an asm immediate
    needs one (``gcc_values``' probe, one macro alone)."""
    probe = (f"#define M {body}\n"
             'void f(void) { __asm__ volatile("#V %0" :: "i"((long long)(M))); }\n')
    return subprocess.run([*cc, "-S", "-o", "-", "-xc", "-"], input=probe,
                          capture_output=True, text=True).returncode == 0


@pytest.mark.parametrize("name", sorted(EARLY_CLOSE))
def test_a_body_that_closes_early_has_no_value(name):
    """gcc (the oracle, when installed) refuses each as a constant; the
    table must give no value, not the bound of the last declarator its
    parse would otherwise read (4 for LAST_BOUND)."""
    body = EARLY_CLOSE[name]
    if shutil.which("gcc"):
        assert not _gcc_takes(["gcc"], body), body
        assert _gcc_takes(["gcc"], "(4)")       # the probe itself reads a constant
    tr = api.translate((), get_target("x86_64"), source=f"#define {name} {body}\n")
    assert api.macro_table(tr).get(name).value is None
