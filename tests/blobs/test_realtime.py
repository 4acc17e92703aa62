"""Real-time signals (SIGRTMIN 32 .. SIGRTMAX = _NSIG: 64, 128 on MIPS) and
signal aliases (SIGPOLL = SIGIO, SIGIOT = SIGABRT): signals like any other
for validate, decode and ``--set``.  The text is strace's own (it names 32
SIGRTMIN and 32 + n SIGRT_n): the blobs are handed to the real strace."""
from __future__ import annotations

import struct

import pytest

from blobs import strace_oracle
from abicheck.blobs import context, decode_fields, encode_fields
from abicheck.blobs.decode import decode
from abicheck.blobs.strace import siginfo_text
from abicheck.cli import main


def _queue(signo: int, pid=5, uid=6, value=0) -> bytes:
    """An x86_64 SI_QUEUE (-1) siginfo packed by hand at the kernel offsets."""
    b = bytearray(128)
    struct.pack_into("<iii", b, 0, signo, 0, -1)
    struct.pack_into("<iIQ", b, 16, pid, uid, value)
    return bytes(b)


def test_realtime_signals_decode_as_strace_prints_them():
    why = strace_oracle.missing()
    if why:
        pytest.skip(why)
    blobs = [_queue(n, value=v) for n, v in ((32, 0), (33, 0), (34, 0x1234), (64, 0), (65, 0))]
    cx = context("siginfo_t", "x86_64")
    assert [siginfo_text(decode(cx, b)) for b in blobs] == strace_oracle.strace_texts(blobs)


@pytest.mark.parametrize("target,signo", [("x86_64", 34), ("x86_64", 64), ("mips", 128),
                                          ("arm64", 32)])
def test_validate_accepts_a_queued_realtime_signal(capsys, target, signo):
    blob = encode_fields("siginfo_t", target, {"si_signo": signo, "si_code": "SI_QUEUE",
                                               "si_pid": 1, "si_int": 2})
    assert main(["validate", "--hex", blob.hex(), "--target", target]) == 0, capsys.readouterr()


@pytest.mark.parametrize("target,signo", [("x86_64", 65), ("x86_64", 0x7f), ("mips", 129)])
def test_validate_refuses_a_number_past_sigrtmax(capsys, target, signo):
    blob = encode_fields("siginfo_t", target, {"si_signo": signo, "si_code": "SI_QUEUE"})
    assert main(["validate", "--hex", blob.hex(), "--target", target]) == 1
    assert "ABI501" in capsys.readouterr().out


@pytest.mark.parametrize("target", ["x86_64", "mips", "alpha", "sparc64", "parisc"])
def test_set_accepts_realtime_names_and_aliases(target):
    # kernel facts: SIGRTMIN is 32 on every ABI; SIGPOLL is SIGIO; SIGIOT is SIGABRT (6)
    sigio = {"mips": 22, "alpha": 23, "sparc64": 23, "parisc": 22}.get(target, 29)
    for name, num in (("SIGRTMIN", 32), ("SIGRT_2", 34), ("SIGPOLL", sigio), ("SIGIOT", 6)):
        blob = encode_fields("siginfo_t", target, {"si_signo": name, "si_code": "SI_QUEUE"})
        assert decode_fields(blob, "siginfo_t", target)["si_signo"] == num, (target, name)
    top = 128 if target == "mips" else 64
    blob = encode_fields("siginfo_t", target, {"si_signo": "SIGRTMAX", "si_code": "SI_QUEUE"})
    assert decode_fields(blob, "siginfo_t", target)["si_signo"] == top


def test_an_alias_prints_by_its_main_name(capsys):
    blob = encode_fields("siginfo_t", "x86_64", {"si_signo": "SIGPOLL", "si_code": "POLL_IN"})
    assert main(["decode", "--hex", blob.hex(), "--target", "x86_64"]) == 0
    assert capsys.readouterr().out.startswith("{si_signo=SIGIO, si_code=POLL_IN,")
