"""The integer-literal fast path of macro values, against the compiler."""
import pytest

from abicheck.frontend.literal import literal_value
from abicheck.targets import get_target
from checks import diff_oracle
from oracle import NoOracle, pick_oracle

#: plain int arithmetic: the fast path must answer, and answer as gcc does
EXPRS = ["1", "(0|4)", "-60", "0x10", "(1 << 3)", "010", "7/2", "-7/2", "-7%3", "7%-3", "(4)",
         "~0", "((0|1))", "0x7fffffff", "1 + 2 * 3", "(1 << 30) | 7", "0xff & ~0x0f", "12 ^ 5",
         "-(3)", "100 >> 2", "-8 >> 1", "4u", "0x10UL", "(1U << 4) | 2", "3UL * 5"]
#: unsigned, long, wide or overflowing: the fast path may decline (None), but
#: what it answers must be gcc's value
TYPED = ["~0U", "-1U", "~0u >> 1", "(0 - 1U)", "1U - 2", "~0UL", "0x80000000", "0xffffffff",
         "(1 << 30) * 4 / 4", "2147483647 + 1", "-1 << 1", "0x7fffffffU + 1", "-2147483647 - 1"]


def _gcc_values(exprs: list[str]) -> dict[str, int]:
    try:
        orc = pick_oracle(get_target("x86_64"))
    except NoOracle as e:
        pytest.skip(str(e))
    want = diff_oracle.values(orc, "#define __abicheck_on 1\n", {f"e{i}": e for i, e in enumerate(exprs)},
                              guards={f"e{i}": "__abicheck_on" for i in range(len(exprs))})
    return {exprs[int(k[1:])]: v for k, v in want.items()}


@pytest.mark.oracle
def test_literal_values_are_the_compilers():
    want = _gcc_values(EXPRS)
    got = {e: literal_value(e) for e in EXPRS}
    assert all(v is not None for v in got.values()), got
    assert got == want


@pytest.mark.oracle
def test_typed_values_are_declined_or_the_compilers():
    want = _gcc_values(TYPED)
    wrong = {e: (literal_value(e), want.get(e)) for e in TYPED
             if literal_value(e) is not None and literal_value(e) != want.get(e)}
    assert not wrong


@pytest.mark.parametrize("text", ["sizeof(int)", "FOO", "1 < 2", "1UL << 40", "08", "", "a.b",
                                  "1 ? 2 : 3", "0x100000000", "~0U", "-1UL"])
def test_anything_else_is_left_to_the_front_end(text):
    assert literal_value(text) is None
