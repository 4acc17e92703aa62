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


WORDS = ["encode", "decode", "validate", "--target", "x86_64", "mips", "all", "x86_64,i386", "vax",
         "--type", "siginfo_t", "struct input_event", "int", "--headers", "pkeys-u8-reserved",
         "glibc", "nope", "--set", "si_signo=SIGSEGV", "si_code=SEGV_PKUERR", "si_pkey=99999999999",
         "si_addr=0x10", "si_pid=1", "x=", "=", "si_code=NOPE", "--hex", "00" * 128, "zz", "",
         "--format", "bin", "hex", "json", "text", "sarif", "--spec", "specs/siginfo.json",
         "-", "/nonexistent", "-I", "-D", "X=1", "--exit-zero", "a\nb", "signal.h"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(command=st.sampled_from(["encode", "decode", "validate"]),
       rest=st.lists(st.sampled_from(WORDS), max_size=9))
def test_fuzz_blob_command_lines(capsysbinary, monkeypatch, command, rest):
    import io
    argv = [command, *rest]
    import sys
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(bytes(128))))
    code = main(argv)
    cap = capsysbinary.readouterr()
    assert code in (0, 1, 2), (argv, cap.err)
    if code == 2:
        err = cap.err.decode()
        assert cap.out == b"" and err.endswith("\n") and "error" in err and "Traceback" not in err
