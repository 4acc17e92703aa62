"""Signal delivery when the key register denies the handler's stack: the
x86 behaviour changed in 6.12 (arch/x86/kernel/signal.c get_sigframe calls
sig_prepare_pkru(), which enables every key while the frame is written --
the series "x86/pkeys: update PKRU to enable all pkeys before XSAVE");
6.1 writes the frame under the thread's PKRU and, failing, force_sigsegv()
kills the process with SIGSEGV (kernel/signal.c signal_setup_done)."""
from __future__ import annotations

import pytest

from fault.helpers import SEGV_MAPERR, access, alloc, mmap, pkey_mprotect, run

ALT = [mmap("0x30000000", 32768, "rw"),
       {"op": "sigaltstack", "addr": "0x30000000", "length": 32768}]


@pytest.mark.parametrize("target", ["x86_64", "i386", "x32"])
@pytest.mark.parametrize("rights", ["disable_access", "disable_write"])
def test_altstack_under_a_denied_key(target, rights):
    ops = ALT + [alloc(rights), pkey_mprotect("0x30000000", 32768, "rw", 1),
                 access("read", "0x20000000"), access("read", "0x20000000")]
    old = run(ops, target, "6.1")
    assert len(old) == 5 and old[4].killed == 11 and old[4].delivered is False
    new = run(ops, target, "6.12")
    assert len(new) == 6 and new[4].killed is None and new[4].code == SEGV_MAPERR


def test_altstack_with_an_allowed_key_delivers_on_both():
    ops = ALT + [alloc("none"), pkey_mprotect("0x30000000", 32768, "rw", 1),
                 access("read", "0x20000000")]
    for kv in ("6.1", "6.12"):
        assert run(ops, kernel=kv)[4].killed is None


def test_unmapped_altstack_kills_on_every_kernel():
    ops = [{"op": "sigaltstack", "addr": "0x50000000", "length": 65536},
           access("read", "0x20000000"), access("read", "0x20000000")]
    for kv in ("6.1", "6.12"):
        r = run(ops, kernel=kv)
        assert len(r) == 2 and r[1].killed == 11


def test_thread_stack_under_a_write_disabled_key_0():
    # the thread's stack is key-0 memory: WD for key 0 (bit 1) stops 6.1's frame write
    ops = [{"op": "wrpkru", "value": "0x55555556"}, access("read", "0x20000000")]
    assert run(ops, kernel="6.1")[1].killed == 11
    assert run(ops, kernel="6.12")[1].killed is None


def test_a_killed_process_ends_the_results():
    ops = ALT + [alloc("disable_access"), pkey_mprotect("0x30000000", 32768, "rw", 1),
                 access("read", "0x20000000"), alloc("none")]
    r = run(ops, kernel="6.1")
    assert [x.index for x in r] == [0, 1, 2, 3, 4]
    assert r[-1].record() == {"index": 4, "op": "access", "killed": {"signo": 11}}


def test_arm64_612_writes_the_frame_under_the_threads_por_el0():
    # arch/arm64/kernel/signal.c (6.12): setup_sigframe before setup_return's
    # write of POR_EL0_INIT -- an altstack the thread's POR_EL0 denies kills
    ops = ALT + [alloc("disable_access"), pkey_mprotect("0x30000000", 32768, "rw", 1),
                 access("read", "0x20000000")]
    r = run(ops, "aarch64", "6.12")
    assert r[4].killed == 11 and r[4].delivered is False


@pytest.mark.parametrize("kernel", ["6.1", "6.12"])
@pytest.mark.parametrize("target", ["x86_64", "i386", "x32"])
def test_x86_altstack_smaller_than_the_frame_kills(kernel, target):
    # arch/x86/kernel/signal.c get_sigframe: a frame that overflows the alternate
    # stack gives -1L and the signal is forced (SIGSEGV: the process dies); a
    # 2048-byte (MINSIGSTKSZ) stack did so on both Debian kernels under qemu -cpu max
    r = run([mmap("0x30000000", 8192, "rw"),
             {"op": "sigaltstack", "addr": "0x30000000", "length": 2048},
             access("read", "0x20000000")], target, kernel)
    assert (r[1].ret, r[1].errno) == (0, 0)
    assert r[2].killed == 11 and r[2].fault and len(r) == 3
