"""The diff's fast path for integer-literal macros, against the compiler."""
import pytest

from . import diff_oracle
from abicheck.checks.diff_snapshot import literal_value
from abicheck.targets import get_target
from oracle import NoOracle, pick_oracle

EXPRS = ["1", "(0|4)", "-60", "0x10", "(1 << 3)", "010", "7/2", "-7/2", "-7%3", "7%-3", "(4)",
         "~0", "((0|1))", "0x7fffffff", "1 + 2 * 3", "(1 << 30) | 7", "0xff & ~0x0f", "12 ^ 5",
         "-(3)", "100 >> 2", "-8 >> 1", "4u", "0x10UL"]


@pytest.mark.oracle
def test_literal_values_are_the_compilers():
    try:
        orc = pick_oracle(get_target("x86_64"))
    except NoOracle as e:
        pytest.skip(str(e))
    want = diff_oracle.values(orc, "#define __abicheck_on 1\n", {f"e{i}": e for i, e in enumerate(EXPRS)},
                              guards={f"e{i}": "__abicheck_on" for i in range(len(EXPRS))})
    got = {f"e{i}": literal_value(e) for i, e in enumerate(EXPRS)}
    assert all(v is not None for v in got.values()), got
    assert got == want


@pytest.mark.parametrize("text", ["sizeof(int)", "FOO", "1 < 2", "1UL << 40", "08", "", "a.b",
                                  "1 ? 2 : 3", "0x100000000"])
def test_anything_else_is_left_to_the_front_end(text):
    assert literal_value(text) is None
