"""Bad input to encode, decode and validate: one line on stderr, exit 2,
nothing on stdout, and an ``-o`` file neither created nor touched."""
from __future__ import annotations

import pytest

from abicheck.cli import main

PKU = ["--set", "si_signo=SIGSEGV", "--set", "si_code=SEGV_PKUERR"]
ZERO = "00" * 128

BAD = {
    "unknown field": ["encode", "--target", "x86_64", "--set", "si_nope=1"],
    "field outside the member": ["encode", "--target", "x86_64", *PKU, "--set", "si_pid=1"],
    "field outside the member (poll on a fault)": ["encode", "--target", "x86_64", *PKU,
                                                   "--set", "si_band=1"],
    "overflow u32": ["encode", "--target", "x86_64", *PKU, "--set", "si_pkey=0x100000000"],
    "negative into unsigned": ["encode", "--target", "x86_64", *PKU, "--set", "si_pkey=-1"],
    "overflow int": ["encode", "--target", "x86_64", "--set", "si_signo=0x80000000"],
    "overflow u8 key": ["encode", "--target", "x86_64", "--headers", "pkeys-u8-reserved", *PKU,
                        "--set", "si_pkey=256"],
    "overflow 32-bit pointer": ["encode", "--target", "i386", *PKU, "--set", "si_addr=0x100000000"],
    "undefined constant": ["encode", "--target", "x86_64", "--set", "si_code=SEGV_NOPE"],
    "pkuerr undefined on ia64": ["encode", "--target", "ia64", *PKU],
    "not a number": ["encode", "--target", "x86_64", "--set", "si_errno=12abc"],
    "digit separator hex": ["encode", "--target", "x86_64", "--set", "si_errno=0x_"],
    "digit separator binary": ["encode", "--target", "x86_64", "--set", "si_errno=0b_"],
    "digit separator negative hex": ["encode", "--target", "x86_64", "--set", "si_errno=-0x_"],
    "digit separator decimal": ["encode", "--target", "x86_64", "--set", "si_errno=1_000"],
    "no equals": ["encode", "--target", "x86_64", "--set", "si_errno"],
    "set twice": ["encode", "--target", "x86_64", "--set", "si_errno=1", "--set", "si_errno=2"],
    "two views disagree": ["encode", "--target", "x86_64", "--set", "si_signo=SIGUSR1", "--set",
                           "si_code=SI_QUEUE", "--set", "si_int=-5", "--set", "si_ptr=0"],
    "a union, not a leaf": ["encode", "--target", "x86_64", "--set", "si_signo=SIGUSR1", "--set",
                            "si_code=SI_QUEUE", "--set", "si_value=1"],
    "unknown type": ["encode", "--target", "x86_64", "--type", "struct nope", "--set", "a=1"],
    "unknown target": ["encode", "--target", "vax", *PKU],
    "no target": ["encode", *PKU],
    "two targets": ["encode", "--target", "x86_64,i386", *PKU],
    "unknown header set": ["encode", "--target", "x86_64", "--headers", "linux-9.9", *PKU],
    "decode wrong size": ["decode", "--hex", "00" * 127, "--target", "x86_64"],
    "decode too long": ["decode", "--hex", ZERO + "00", "--target", "x86_64"],
    "decode garbage hex": ["decode", "--hex", "zz" * 128, "--target", "x86_64"],
    "decode odd hex": ["decode", "--hex", "0" * 255, "--target", "x86_64"],
    "decode missing file": ["decode", "/nonexistent/blob.bin", "--target", "x86_64"],
    "decode no blob": ["decode", "--target", "x86_64"],
    "decode unknown type": ["decode", "--hex", ZERO, "--target", "x86_64", "--type", "siginfo"],
    "validate garbage hex": ["validate", "--hex", "xyz", "--target", "x86_64"],
    "validate bad spec": ["validate", "--hex", ZERO, "--target", "x86_64", "--spec", "/nonexistent.json"],
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input(name, capsysbinary, tmp_path):
    out = tmp_path / "out.bin"
    argv = BAD[name] + ["-o", str(out)]
    assert main(argv) == 2
    cap = capsysbinary.readouterr()
    assert cap.out == b""
    err = cap.err.decode()
    assert err.count("\n") == 1 and "error:" in err and "Traceback" not in err, err
    assert not out.exists()
    # an existing output file is left as it was
    out.write_bytes(b"keep")
    assert main(argv) == 2
    assert out.read_bytes() == b"keep"
    assert list(tmp_path.iterdir()) == [out]          # no temporary left behind


def test_unknown_type_suggests(capsys):
    assert main(BAD["decode unknown type"]) == 2
    assert "did you mean 'siginfo_t'" in capsys.readouterr().err


def test_binary_refused_on_a_terminal(monkeypatch, capsysbinary):
    import sys
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    assert main(["encode", "--target", "x86_64", *PKU]) == 2
    cap = capsysbinary.readouterr()
    assert cap.out == b"" and b"terminal" in cap.err


def test_stdin_blob(monkeypatch, capsys):
    import io
    import sys
    blob = bytearray(128)
    blob[0], blob[8] = 11, 1
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(bytes(blob))))
    assert main(["decode", "-", "--target", "x86_64"]) == 0
    assert capsys.readouterr().out == "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=NULL}\n"


FLOATS = "struct sample { float f; double d; };\n"


@pytest.mark.parametrize("setting", ["f=1e39", "f=-1e39", "d=1e309x", "f=0x_"])
def test_a_float_that_does_not_fit(setting, capsysbinary, tmp_path):
    """1e39 is past FLT_MAX (3.4e38): a binary32 cannot hold it."""
    (tmp_path / "s.h").write_text(FLOATS)
    out = tmp_path / "out.bin"
    argv = ["encode", "--target", "x86_64", "--type", "struct sample", "s.h", "-I", str(tmp_path),
            "--set", setting, "-o", str(out)]
    assert main(argv) == 2
    cap = capsysbinary.readouterr()
    err = cap.err.decode()
    assert cap.out == b"" and err.count("\n") == 1 and "error:" in err, err
    assert not out.exists()


def test_floats_that_fit(capsysbinary, tmp_path):
    import struct
    (tmp_path / "s.h").write_text(FLOATS)
    argv = ["encode", "--target", "x86_64", "--type", "struct sample", "s.h", "-I", str(tmp_path),
            "--set", "f=3.4e38", "--set", "d=1e39"]
    assert main(argv) == 0
    assert capsysbinary.readouterr().out == struct.pack("<f4xd", 3.4e38, 1e39)


def test_a_hex_file_given_as_blob_gets_a_hint(tmp_path, capsys):
    hexfile = tmp_path / "blob.hex"
    assert main(["encode", "--target", "x86_64", *PKU, "--format", "hex", "-o", str(hexfile)]) == 0
    assert main(["decode", str(hexfile), "--target", "x86_64"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "hex text" in err and "--hex" in err
    assert main(["validate", str(hexfile), "--target", "x86_64"]) == 1
    assert "hex text" in capsys.readouterr().out
    # a binary blob of the wrong size gets no such hint
    assert main(["decode", "--hex", "00" * 256, "--target", "x86_64"]) == 2
    assert "hex text" not in capsys.readouterr().err


def test_findings_of_a_hex_blob_cite_it(capsys):
    blob = bytearray(128)
    blob[0], blob[8] = 11, 4                  # SIGSEGV, SEGV_PKUERR
    blob[0x20] = 20                           # si_pkey 20: x86 has 16 keys
    assert main(["validate", "--hex", bytes(blob).hex(), "--target", "x86_64"]) == 1
    out = capsys.readouterr().out
    assert "<hex>:1:1: error ABI505" in out and "abicheck: error" not in out
