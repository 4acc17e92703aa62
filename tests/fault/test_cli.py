"""``abicheck simulate`` and ``abicheck vectors`` from the command line: the
views the issue names, determinism, atomic output."""
from __future__ import annotations

import json
import os
import pathlib

import pytest

from abicheck.cli import main
from fault.helpers import access, alloc, mmap, pkey_mprotect

ROOT = pathlib.Path(__file__).resolve().parents[2]
WD = {"description": "write to a write-disabled key",
      "ops": [mmap("0x10000000", 8192, "rw"), alloc("disable_write"),
              pkey_mprotect("0x10000000", 4096, "rw", 1), access("write", "0x10000010"),
              access("read", "0x10001000")]}


@pytest.fixture
def scen(tmp_path):
    p = tmp_path / "wd.json"
    p.write_text(json.dumps(WD))
    return str(p)


def _run(capsysbinary, *argv):
    code = main(list(argv))
    out, err = capsysbinary.readouterr()
    return code, out, err


def test_text_is_strace_style(scen, capsysbinary):
    code, out, err = _run(capsysbinary, "simulate", scen)
    text = out.decode()
    assert code == 0 and err == b""
    # strace's siginfo printing: symbolic signal and code, si_errno only when non-zero,
    # hex address (strace src/printsiginfo.c)
    assert "{si_signo=SIGSEGV, si_code=SEGV_PKUERR, si_addr=0x10000010, si_pkey=1}" in text
    assert "op 3 access write 0x10000010: SIGSEGV si_code=4 (SEGV_PKUERR)" in text
    assert "op 4 access read 0x10001000: no fault" in text


def test_json_has_blob_hex_per_fault(scen, capsysbinary):
    code, out, _ = _run(capsysbinary, "simulate", scen, "--format", "json", "--target", "i386",
                        "--kernel", "6.1")
    doc = json.loads(out)
    assert (doc["target"], doc["kernel"], doc["headers"]) == ("i386", "6.1", "linux-6.6")
    fault = doc["results"][3]
    blob = bytes.fromhex(fault["blob_hex"])
    assert len(blob) == 128 and fault["code_name"] == "SEGV_PKUERR"
    assert blob[0x14:0x18] == (1).to_bytes(4, "little")        # si_pkey at 0x14 on i386
    assert doc["results"][4] == {"index": 4, "op": "access", "fault": False,
                                 "rule": "x86.allowed_fault_in"}


@pytest.mark.parametrize("target", ["x86_64", "x32"])
def test_hex_and_bin_views_agree(scen, capsysbinary, target):
    c1, hx, _ = _run(capsysbinary, "simulate", scen, "--format", "hex", "--target", target)
    c2, bn, _ = _run(capsysbinary, "simulate", scen, "--format", "bin", "--target", target,
                     "--headers", "linux-6.6")
    assert c1 == c2 == 0 and hx.count(b"\n") == 1      # one faulting access
    assert bytes.fromhex(hx.decode().strip()) == bn and len(bn) == 128


def test_output_is_deterministic(scen, capsysbinary):
    a = _run(capsysbinary, "simulate", scen, "--format", "json")
    b = _run(capsysbinary, "simulate", scen, "--format", "json")
    assert a == b


def test_o_writes_the_file(scen, tmp_path, capsysbinary):
    out = tmp_path / "r.bin"
    code, stdout, _ = _run(capsysbinary, "simulate", scen, "--format", "bin", "-o", str(out))
    assert code == 0 and stdout == b"" and len(out.read_bytes()) == 128


def test_examples_run_on_every_x86_abi_and_kernel(capsysbinary):
    for f in sorted((ROOT / "examples" / "scenarios").glob("*.json")):
        for t in ("x86_64", "i386", "x32"):
            for kv in ("6.1", "6.12"):
                code, out, err = _run(capsysbinary, "simulate", str(f), "-t", t, "--kernel", kv)
                assert code == 0 and err == b"", (f, t, kv, err)


def test_vectors_deterministic_and_complete(tmp_path, capsysbinary):
    a, b = tmp_path / "a", tmp_path / "b"
    for d in (a, b):
        code, out, err = _run(capsysbinary, "vectors", "--out", str(d), "-t",
                              "x86_64,i386,aarch64,powerpc64le,mips")
        assert code == 0 and err == b""
    files_a = sorted(p.relative_to(a).as_posix() for p in a.rglob("*") if p.is_file())
    files_b = sorted(p.relative_to(b).as_posix() for p in b.rglob("*") if p.is_file())
    assert files_a == files_b
    assert all((a / f).read_bytes() == (b / f).read_bytes() for f in files_a)
    assert not [f for f in files_a if os.path.basename(f).startswith(".")]  # no temp files
    index = json.loads((a / "index.json").read_text())
    assert len(index["vectors"]) * 2 + len(index["runs"]) + 1 == len(files_a)


def test_vectors_refuse_a_file_as_out(tmp_path, capsysbinary):
    f = tmp_path / "file"
    f.write_text("x")
    code, out, err = _run(capsysbinary, "vectors", "--out", str(f), "-t", "x86_64")
    assert code == 2 and out == b"" and err.count(b"\n") == 1


@pytest.mark.parametrize("sub", ["file/inside", "/proc/abicheck-no/such"])
def test_vectors_unwritable_out_is_one_line_exit_2(tmp_path, capsysbinary, sub):
    # a path under a regular file (ENOTDIR) or somewhere nothing may be created
    (tmp_path / "file").write_text("x")
    out_dir = sub if sub.startswith("/") else str(tmp_path / sub)
    code, out, err = _run(capsysbinary, "vectors", "--out", out_dir, "-t", "x86_64")
    assert code == 2 and out == b"" and len(err.splitlines()) == 1
    assert err.startswith(b"abicheck: error: --out") and b"Traceback" not in err


def test_paging_option_moves_the_user_half(tmp_path, capsysbinary):
    # 4-level: 0x800000000000 is non-canonical (#GP, SI_KERNEL = 0x80); 5-level
    # (LA57): an unmapped user address, SEGV_MAPERR (1) -- as the QEMU guest gave it
    p = tmp_path / "s.json"
    p.write_text(json.dumps({"ops": [{"op": "access", "access": "read",
                                      "addr": "0x800000000000"}]}))
    codes = []
    for paging in ("4-level", "5-level"):
        code, out, err = _run(capsysbinary, "simulate", str(p), "--paging", paging,
                              "--format", "json")
        assert code == 0, err
        doc = json.loads(out)
        assert doc["paging"] == paging
        codes.append(doc["results"][0]["code"])
    assert codes == [0x80, 1]


def test_the_parsers_choices_are_the_models():
    """``simulate``'s --kernel/--paging choices are spelled in the parser (so
    ``--help`` does not import the kernel model): they must be the model's."""
    from abicheck.cli import build_parser
    from abicheck.fault.simulate import KERNELS, PAGING
    sub = next(a for a in build_parser()._actions if a.dest == "command").choices["simulate"]
    choices = {a.dest: tuple(a.choices) for a in sub._actions if a.choices}
    assert choices["kernel"] == tuple(KERNELS) and choices["paging"] == tuple(PAGING)


def test_help_imports_neither_the_front_end_nor_the_models():
    from fresh_imports import modules_after
    got = modules_after("from abicheck.cli import build_parser\nbuild_parser().format_help()")
    assert not {"pycparser", "construct", "abicheck.fault.simulate", "abicheck.frontend"} & set(got)
