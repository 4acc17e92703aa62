"""``abicheck decode`` text of siginfo blobs, against strace itself.

The blobs are packed with ``struct`` at the kernel-asserted offsets
(tests/kernel_facts.py), not by abicheck's encoder.  ``test_real_strace``
hands every x86_64 blob of this file to the real strace (through
rt_sigqueueinfo, tests/blobs/strace_oracle.py) and requires the same text;
the hand-written expectations below are the same facts for machines without
strace and for the other ABIs (MIPS numbering, other header revisions).
``test_names_as_strace_prints_them`` sweeps si_errno, si_syscall and si_arch
(native, i386 and x32 personalities, unknown values) through both.  Known,
documented difference: strace 6.1 prints no si_perf_* fields."""
from __future__ import annotations

import os
import struct

import pytest

from kernel_facts import SIGINFO_OFFSETS
from blobs import strace_oracle
from abicheck.blobs import strace_names
from abicheck.cli import main

#: every x86_64 blob decoded in this file, for the real-strace comparison
SEEN: list[bytes] = []


def blob64(signo, code, errno=0, **at) -> bytes:
    """An x86_64 siginfo: signo, errno, code at 0, 4, 8; fields at their
    kernel offsets (``name=(fmt, value)``; si_pid/si_uid/si_status/si_int,
    by the kernel's layout: _sifields at 16, pid 16, uid 20, status 24,
    _sigsys: call_addr 16, syscall 24, arch 28)."""
    b = bytearray(128)
    struct.pack_into("<iii", b, 0, signo, errno, code)
    extra = {"si_pid": 16, "si_uid": 20, "si_status": 24, "si_int": 24, "si_tid": 16,
             "si_overrun": 20, "si_utime": 32, "si_stime": 40, "si_fd": 24,
             "si_syscall": 24, "si_arch": 28}
    for name, (fmt, v) in at.items():
        off = SIGINFO_OFFSETS["64"].get(name, extra.get(name))
        struct.pack_into("<" + fmt, b, off, v)
    return bytes(b)


def _cases() -> list[bytes]:
    """Blobs strace must print as abicheck does (besides those the tests below decode)."""
    return [
        blob64(11, -100), blob64(11, 1, errno=-5), blob64(11, 100, si_addr=("Q", 0x1000)),
        blob64(10, 1, si_pid=("i", 3), si_int=("i", 4)), blob64(7, 0x2a, si_addr=("Q", 9)),
        blob64(4, 99, si_addr=("Q", 9)), blob64(29, 9), blob64(15, 0x80), blob64(29, -5),
        blob64(16, 1, si_pid=("i", 5)), blob64(30, 1, si_pid=("i", 1), si_uid=("I", 2)),
        blob64(30, -1, si_pid=("i", 1), si_uid=("I", 2), si_int=("i", -1)),
        blob64(17, 1, si_pid=("i", 1), si_utime=("q", 21474836480), si_stime=("q", 1)),
        blob64(11, 4, si_addr=("Q", 0x10), si_pkey=("I", 3)), blob64(15, -60),
        blob64(34, -1, si_pid=("i", 5), si_uid=("I", 6)), blob64(64, -1), blob64(65, -1),
    ]


def test_real_strace(capsys):
    """Every blob of this file, printed by strace 6.1 and by abicheck."""
    why = strace_oracle.missing()
    if why:
        pytest.skip(why)
    for name, fn in sorted(globals().items()):
        if name.startswith("test_") and name not in ("test_real_strace", "test_perf_event",
                                                     "test_other_revisions",
                                                     "test_names_as_strace_prints_them") \
                and "mips" not in name:
            fn(capsys)                     # collects the blobs the hand-written tests decode
    blobs = list(dict.fromkeys(SEEN + _cases()))
    assert len(blobs) >= 30
    assert _ours(capsys, blobs) == strace_oracle.strace_texts(blobs)


def _ours(capsys, blobs: list[bytes]) -> list[str]:
    out = []
    for b in blobs:
        assert main(["decode", "--hex", b.hex(), "--target", "x86_64"]) == 0
        out.append(capsys.readouterr().out.rstrip("\n"))
    return out


def _sigsys(nr: int, arch: int) -> bytes:
    # _sigsys: _call_addr at 0x10, then int _syscall, unsigned int _arch
    return blob64(31, 1, si_call_addr=("Q", 0x10), si_syscall=("i", nr), si_arch=("I", arch))


def test_names_as_strace_prints_them(capsys):
    """si_errno, si_syscall and si_arch over whole ranges, printed by strace
    6.1 and by abicheck: errno names (uapi and the kernel's internal ones),
    x86_64 system calls (__NR_write), i386's and x32's as numbers with the
    name in a comment, unknown numbers and AUDIT_ARCH values."""
    why = strace_oracle.missing()
    if why:
        pytest.skip(why)
    x86_64, i386, aarch64 = 0xC000003E, 0x40000003, 0xC00000B7
    blobs = [blob64(11, 1, errno=e) for e in [*range(1, 140), *range(505, 540), 4095, 4096, -1]]
    blobs += [_sigsys(nr, x86_64) for nr in range(0, 470)]
    blobs += [_sigsys(nr, i386) for nr in range(0, 470, 3)]
    blobs += [_sigsys(0x40000000 + nr, x86_64) for nr in range(0, 560, 2)]
    blobs += [_sigsys(nr, arch) for nr in (0, 1, 512, -1) for arch in (aarch64, 0, 0x1234, 0xFFFFFFFF)]
    blobs += [_sigsys(1, int(v)) for v in strace_names._data()["audit_arch"]]
    assert _ours(capsys, blobs) == strace_oracle.strace_texts(blobs)


def decode_text(capsys, blob: bytes, target="x86_64", *extra) -> str:
    if target == "x86_64" and not extra:
        SEEN.append(blob)
    assert main(["decode", "--hex", blob.hex(), "--target", target, *extra]) == 0
    out = capsys.readouterr()
    assert out.err == ""
    return out.out


def test_pkuerr(capsys):
    blob = blob64(11, 4, si_addr=("Q", 0x7ffff7ff8123), si_pkey=("I", 1))
    assert decode_text(capsys, blob) == ("{si_signo=SIGSEGV, si_code=SEGV_PKUERR, "
                                         "si_addr=0x7ffff7ff8123, si_pkey=1}\n")


def test_errno_shown_when_set_and_null_address(capsys):
    blob = blob64(11, 1, errno=14)
    assert decode_text(capsys, blob) == "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_errno=EFAULT, si_addr=NULL}\n"


def test_bnderr(capsys):
    blob = blob64(11, 3, si_addr=("Q", 0x10), si_lower=("Q", 0x1000), si_upper=("Q", 0x2000))
    assert decode_text(capsys, blob) == ("{si_signo=SIGSEGV, si_code=SEGV_BNDERR, si_addr=0x10, "
                                         "si_lower=0x1000, si_upper=0x2000}\n")


def test_mceerr(capsys):
    blob = blob64(7, 5, si_addr=("Q", 0x5000), si_addr_lsb=("h", 12))   # BUS_MCEERR_AO is 5
    assert decode_text(capsys, blob) == ("{si_signo=SIGBUS, si_code=BUS_MCEERR_AO, si_addr=0x5000, "
                                         "si_addr_lsb=0xc}\n")


def test_kill_and_tkill(capsys):
    assert decode_text(capsys, blob64(15, 0, si_pid=("i", 1234), si_uid=("I", 1000))) == \
        "{si_signo=SIGTERM, si_code=SI_USER, si_pid=1234, si_uid=1000}\n"
    assert decode_text(capsys, blob64(6, -6, si_pid=("i", 7), si_uid=("I", 0))) == \
        "{si_signo=SIGABRT, si_code=SI_TKILL, si_pid=7, si_uid=0}\n"


def test_queue_prints_the_value_only_when_the_pointer_is_set(capsys):
    assert decode_text(capsys, blob64(10, -1, si_pid=("i", 5), si_uid=("I", 6))) == \
        "{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=5, si_uid=6}\n"
    assert decode_text(capsys, blob64(10, -1, si_pid=("i", 5), si_uid=("I", 6), si_int=("i", 42))) == \
        "{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=5, si_uid=6, si_int=42, si_ptr=0x2a}\n"


def test_child(capsys):
    blob = blob64(17, 1, si_pid=("i", 42), si_uid=("I", 1000), si_status=("i", 3),
                  si_utime=("q", 5), si_stime=("q", 6))
    assert decode_text(capsys, blob) == ("{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=42, "
                                         "si_uid=1000, si_status=3, si_utime=5 /* 0.05 s */, "
                                         "si_stime=6 /* 0.06 s */}\n")
    blob = blob64(17, 2, si_pid=("i", 42), si_uid=("I", 1000), si_status=("i", 9))
    assert decode_text(capsys, blob) == ("{si_signo=SIGCHLD, si_code=CLD_KILLED, si_pid=42, "
                                         "si_uid=1000, si_status=SIGKILL, si_utime=0, si_stime=0}\n")


def test_timer(capsys):
    blob = blob64(14, -2, si_tid=("i", 0x12), si_overrun=("i", 3), si_int=("i", 9))
    assert decode_text(capsys, blob) == ("{si_signo=SIGALRM, si_code=SI_TIMER, si_timerid=0x12, "
                                         "si_overrun=3, si_int=9, si_ptr=0x9}\n")


def test_poll(capsys):
    blob = blob64(29, 1, si_band=("q", 0x41), si_fd=("i", 5))
    assert decode_text(capsys, blob) == "{si_signo=SIGIO, si_code=POLL_IN, si_band=65, si_fd=5}\n"


def test_unknown_code_prints_what_it_can(capsys):
    blob = blob64(11, 0x2a, si_addr=("Q", 0xdead0000))
    assert decode_text(capsys, blob) == "{si_signo=SIGSEGV, si_code=0x2a, si_addr=0xdead0000}\n"
    assert main(["decode", "--hex", blob.hex(), "--target", "x86_64", "--format", "json"]) == 0
    import json
    doc = json.loads(capsys.readouterr().out)
    assert doc["code_known"] is False and "unknown si_code 0x2a" in doc["note"]


def test_zero_blob(capsys):
    assert decode_text(capsys, bytes(128)) == "{}\n"


def test_mips_numbers_its_signals_and_codes_its_own_way(capsys):
    # MIPS o32, big-endian: si_code before si_errno; SIGBUS is 10, SI_TIMER -3
    b = bytearray(128)
    struct.pack_into(">iiiIh", b, 0, 10, 4, 0, 0x1000, 3)      # BUS_MCEERR_AR is 4
    struct.pack_into(">h", b, 16, 3)                           # si_addr_lsb at 0x10
    assert decode_text(capsys, bytes(b), "mips") == \
        "{si_signo=SIGBUS, si_code=BUS_MCEERR_AR, si_addr=0x1000, si_addr_lsb=0x3}\n"
    b = bytearray(128)
    struct.pack_into(">iii", b, 0, 14, -3, 0)
    assert decode_text(capsys, bytes(b), "mips").startswith("{si_signo=SIGALRM, si_code=SI_TIMER,")
    # the same -3 is SI_MESGQ on the generic numbering
    b = bytearray(128)
    struct.pack_into("<iii", b, 0, 14, 0, -3)
    assert decode_text(capsys, bytes(b)).startswith("{si_signo=SIGALRM, si_code=SI_MESGQ,")


@pytest.mark.parametrize("hset", ["linux-4.5", "pkeys-u8-reserved", "glibc", "musl"])
def test_other_revisions(capsys, hset):
    blob = blob64(11, 1, si_addr=("Q", 0x42))
    assert decode_text(capsys, blob, "x86_64", "--headers", hset) == \
        "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x42}\n"


def test_perf_event(capsys):
    # TRAP_PERF is 6; the bundled linux-6.6 names no flag, so the bits print in hex
    blob = blob64(5, 6, si_addr=("Q", 0x4000), si_perf_data=("Q", 0x99), si_perf_type=("I", 4))
    b = bytearray(blob)
    struct.pack_into("<I", b, 0x24, 1)                  # _flags after _type (0x20)
    line = ("{si_signo=SIGTRAP, si_code=TRAP_PERF, si_addr=0x4000, si_perf_data=0x99, "
            "si_perf_type=0x4, si_perf_flags=%s}\n")
    assert decode_text(capsys, bytes(b)) == line % "0x1"
    # Debian's linux-libc-dev (6.1) defines TRAP_PERF_FLAG_ASYNC as bit 0
    if not os.path.isfile("/usr/include/asm-generic/siginfo.h"):
        pytest.skip("no host kernel headers")
    host = ["asm/siginfo.h", "-I", "/usr/include/x86_64-linux-gnu", "-I", "/usr/include"]
    assert decode_text(capsys, bytes(b), "x86_64", *host) == line % "TRAP_PERF_FLAG_ASYNC"


def test_sigemt_prints_as_any_other_signal(capsys):
    # strace's printsiginfo.c has no SIGEMT case: a kernel-sent SIGEMT prints
    # si_pid/si_uid only when set, si_int/si_ptr only when si_ptr is set.
    # MIPS o32, big-endian: SIGEMT is 7, si_code at 4, si_errno at 8, _sifields at 12.
    b = bytearray(128)
    struct.pack_into(">iii", b, 0, 7, 1, 0)                   # EMT_TAGOVF is 1
    assert decode_text(capsys, bytes(b), "mips") == "{si_signo=SIGEMT, si_code=EMT_TAGOVF}\n"
    struct.pack_into(">iI", b, 12, 42, 1000)
    assert decode_text(capsys, bytes(b), "mips") == \
        "{si_signo=SIGEMT, si_code=EMT_TAGOVF, si_pid=42, si_uid=1000}\n"
