"""Garbage bytes of the right size: decode prints something (exit 0) and
validate reports findings (exit 0 or 1), in every format, never a crash;
the output is the same bytes on a second run."""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abicheck.cli import main


@pytest.mark.parametrize("target", ["x86_64", "mips", "m68k", "sparc64", "ia64"])
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(blob=st.binary(min_size=128, max_size=128))
def test_garbage_decodes_and_validates(target, blob, capsys):
    for argv, codes in ((["decode"], (0,)), (["decode", "--format", "json"], (0,)),
                        (["validate"], (0, 1)), (["validate", "--format", "sarif"], (0, 1))):
        full = argv + ["--hex", blob.hex(), "--target", target]
        assert main(full) in codes
        first = capsys.readouterr()
        assert first.err == "" and first.out
        main(full)
        assert capsys.readouterr().out == first.out
