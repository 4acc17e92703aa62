"""MINSIGSTKSZ (the smallest alternate stack ``sigaltstack`` accepts), a
per-ABI fact of the target table (``minsigstksz``), is each ABI's own uapi
``asm/signal.h`` value, read by the ABI's oracle compiler from Debian's
cross headers (``char b[MINSIGSTKSZ]``); the fault model uses the row's."""
from __future__ import annotations

import pytest

from abicheck.fault.simulate import min_sigstksz, simulable
from abicheck.targets import all_targets
from debian_headers import include_dirs
from oracle import NoOracle, OracleError, pick_oracle

PROBE = "#include <asm/signal.h>\nstruct probe { char b[MINSIGSTKSZ]; };\n"


@pytest.mark.parametrize("target", [t for t in all_targets() if simulable(t)], ids=lambda t: t.name)
def test_minsigstksz_is_the_headers_value(target):
    assert target.minsigstksz is not None, f"{target.name}: the fault model needs minsigstksz"
    assert min_sigstksz(target) == target.minsigstksz
    dirs = include_dirs(target)
    if not dirs:
        pytest.skip(f"no Debian headers for {target.name}")
    try:
        oracle = pick_oracle(target)
        (lay,) = oracle.layout(PROBE, ["struct probe"], dirs).values()
    except NoOracle as e:
        pytest.skip(str(e))
    except OracleError as e:
        pytest.fail(f"{target.name}: asm/signal.h gives no MINSIGSTKSZ: {e}")
    assert target.minsigstksz == lay["size"], target.name
