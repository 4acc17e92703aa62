"""Delivering the SIGSEGV: can the kernel write the signal frame, and can the
handler run?

A handled SIGSEGV needs two things the fault itself does not: the kernel
must write the signal frame (siginfo, ucontext, the XSAVE area on x86) to
the stack the handler will run on -- the alternate signal stack when one is
set (``sigaltstack``, the handler installed with SA_ONSTACK), else the
thread's stack -- and the handler, ordinary C code whose prologue writes to
that stack, must be allowed to.  Both are user-memory accesses, so the
protection-key register applies to them, and which value of it applies is
exactly what changed between kernel versions on x86:

- Linux 6.1 (arch/x86/kernel/signal.c ``get_sigframe`` ->
  ``copy_fpstate_to_sigframe``): the frame is written with the thread's PKRU
  as it was at the fault.  A stack whose key PKRU denies cannot be written:
  ``setup_rt_frame`` fails, ``signal_setup_done`` -> ``force_sigsegv``,
  which resets SIGSEGV to SIG_DFL: the process dies of SIGSEGV and the
  siginfo is never seen.
- Linux 6.12 (the series "x86/pkeys: update PKRU to enable all pkeys before
  XSAVE", merged for 6.12; its fix "x86/pkeys: Ensure updated PKRU value is
  XRSTOR'd" followed in December 2024): ``get_sigframe`` calls ``sig_prepare_pkru()``,
  which writes PKRU = 0 (every key enabled) while the frame is written, and
  stores the thread's original PKRU in the frame's XSAVE area; the frame is
  written whatever the stack's key.  The handler then runs with
  ``init_pkru_value`` (``fpu__clear_user_states``), and "it is the
  application's responsibility to enable the appropriate pkey as the first
  step in the signal handler".
- powerpc (arch/powerpc/kernel/signal_64.c, and KUAP's ``allow_user_access``
  which opens user access with the thread's AMR): the frame is written under
  the thread's AMR, which the handler keeps.
- arm64 6.12 (arch/arm64/kernel/signal.c ``setup_rt_frame``): the frame is
  written with the thread's POR_EL0 (the kernel's unprivileged stores are
  checked against it); only then does ``setup_return`` write POR_EL0_INIT
  (key 0 only) for the handler -- the order the POE series' review pointed
  out ("uaccess will fail and we'll end up with a SIGSEGV" on an alternate
  stack the interrupted POR_EL0 denies) and left for a later x86-like change.

The model assumes a handler that does so -- sets its key register to allow
its stack before touching it, as the self-test's handler does (its first
instruction writes PKRU = 0).  A plain C handler on a stack whose key the
initial PKRU denies (any key but 0) would instead fault on its first push;
SIGSEGV being blocked inside its own handler, ``force_sig_info_to_task``
would unblock it, reset it to SIG_DFL and the process would die of SIGSEGV
after the siginfo was delivered.

The frame needs the top ``FRAME_BYTES`` of the stack (an x86-64 frame with
the XSAVE area of a CPU with AVX-512 is about 3.5 KiB; one page is assumed
on every ABI -- a scenario's alternate stack should be whole pages with one
key).  On x86 an alternate stack smaller than that cannot hold the frame:
the process is killed (a MINSIGSTKSZ-sized 2048-byte stack under QEMU's
``-cpu max`` is, on 6.1 and 6.12).  The thread's own stack is key-0, read-write memory outside the
scenario's mappings.
"""
from __future__ import annotations

from dataclasses import dataclass

from abicheck.fault.keys import Keys
from abicheck.fault.vma import AddressSpace

FRAME_BYTES = 4096


#: The registry of delivery outcomes: ``Delivery.rule`` is
#: ``<key arch>.<kernel>.<outcome>`` with one of these (``Delivery`` refuses
#: others; the test vectors exercise each one).
OUTCOMES = frozenset({"delivered_stack", "delivered_altstack", "frame_stack_denied",
                      "frame_altstack_denied", "altstack_overflow"})


@dataclass(frozen=True, slots=True)
class Delivery:
    """How a signal's delivery ended: reached the handler, or killed the process, and which
    rule decided."""

    delivered: bool          # the siginfo reached the handler's frame
    killed: int | None       # the signal that killed the process, if it died
    rule: str

    def __post_init__(self) -> None:
        if self.rule.rsplit(".", 1)[-1] not in OUTCOMES:
            raise AssertionError(f"rule {self.rule!r} is not in delivery's registry")


@dataclass(frozen=True, slots=True)
class AltStack:
    """An alternate signal stack (``sigaltstack``): where it starts and how long it is."""

    addr: int
    length: int


def _stack_writable(space: AddressSpace, keys: Keys, alt: AltStack | None,
                    register: int | None) -> bool:
    """Whether the top ``FRAME_BYTES`` of the handler's stack can be written
    with the key register ``register`` (None: keys not applied)."""
    if alt is None:          # the thread's stack: key 0, read-write
        return register is None or keys.allows(0, "write", register)
    top = alt.addr + alt.length
    start = max(alt.addr, top - FRAME_BYTES)
    a = start
    while a < top:
        vma = space.find(a)
        if vma is None or "w" not in vma.prot:
            return False
        if register is not None and not keys.allows(vma.pkey, "write", register):
            return False
        a = vma.end
    return True


def deliver(space: AddressSpace, keys: Keys, alt: AltStack | None, kernel: str) -> Delivery:
    """What happens after the kernel queued the fault's SIGSEGV for a process
    with a SA_SIGINFO handler (on ``alt`` when given)."""
    where = "altstack" if alt else "stack"
    if keys.arch == "x86" and kernel == "6.12":
        frame_reg = None                 # sig_prepare_pkru(): PKRU = 0 while writing
    elif keys.arch in ("x86", "arm64", "powerpc"):
        frame_reg = keys.value           # the thread's register at the fault
    else:
        frame_reg = None
    if alt is not None and keys.arch == "x86" and alt.length < FRAME_BYTES:
        # get_sigframe (arch/x86/kernel/signal.c, since 5.14 "x86/signal: Detect and
        # prevent an alternate signal stack overflow"): a frame that does not fit the
        # altstack is -1L, and the signal is forced: SIGSEGV kills the process
        return Delivery(False, 11, f"x86.{kernel}.altstack_overflow")
    if not _stack_writable(space, keys, alt, frame_reg):
        return Delivery(False, 11, f"{keys.arch}.{kernel}.frame_{where}_denied")
    if alt is not None:                  # the kernel's stores fault the frame's pages in
        top = alt.addr + alt.length
        for a in range(max(alt.addr, top - FRAME_BYTES), top, space.page):
            space.touch(a)
    return Delivery(True, None, f"{keys.arch}.{kernel}.delivered_{where}")
