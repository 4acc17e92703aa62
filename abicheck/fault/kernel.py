"""What the kernel decides when a process touches memory: the page-fault
path, a system call's copy from a user buffer, and the delivery of the
signal, each in the kernel's own order of checks.

The decision is a ``Fault`` (signal, si_code, address, key) or nothing, plus
the name of the rule that decided it (``Outcome.rule``), so a test vector can
say which path of the kernel it exercises.  Rules, by architecture:

x86 (arch/x86/mm/fault.c, 6.1 and 6.12 alike for the decision):
  ``do_user_addr_fault`` looks the address up (6.1: ``find_vma`` under
  mmap_lock; 6.12: ``lock_vma_under_rcu`` first, then
  ``lock_mm_and_find_vma``); no VMA -> SEGV_MAPERR (``bad_area_nosemaphore``).
  Then ``access_error``: (1) the hardware's PK bit (a present page whose key
  PKRU denies); (2) ``arch_vma_access_permitted`` -- the VMA's key against
  PKRU, for data accesses only, which catches never-touched pages where the
  CPU saw no page and so no key; (3) a write needs VM_WRITE; (4) a present
  page the CPU refused for a read is an error (on x86 only an instruction
  fetch from a no-exec page does that); (5) a not-present read needs any of
  VM_READ/WRITE/EXEC (``vma_is_accessible``).  An error goes to
  ``bad_area_access_error``: ``bad_area_access_from_pkeys`` (the same two key
  tests) -> SEGV_PKUERR with ``si_pkey = vma_pkey(vma)``, else SEGV_ACCERR.
  So the key wins when protection and key both deny.  Keys never apply to
  instruction fetches.  No error: ``handle_mm_fault`` maps the page (a
  fetch from a readable no-exec page is first mapped, then refused: ACCERR).
  An address in the kernel half is a kernel-space fault (MAPERR); on x86-64
  a non-canonical one is a general-protection fault, ``force_sig(SIGSEGV)``:
  SI_KERNEL with no address (arch/x86/kernel/traps.c).  Where the user half
  ends depends on the paging mode (``X86_64_PAGING``): under 5-level paging
  0x800000000000 is an ordinary user address (no VMA: MAPERR with si_addr).

powerpc (arch/powerpc/mm/fault.c ``___do_page_fault``): no VMA -> MAPERR;
  ``access_pkey_error`` (the VMA's key against AMR/IAMR, fetches included)
  -> SEGV_PKUERR (``bad_access_pkey``); then ``access_error`` -> ACCERR
  (a fetch needs VM_EXEC, a write VM_WRITE; a read VM_READ on 6.1, on 6.12
  any access flag except exec alone -- see ``_powerpc``).

arm64 (arch/arm64/mm/fault.c ``do_page_fault``, 6.12): no VMA -> MAPERR;
  the VMA's flags first (``!(vma->vm_flags & vm_flags)``, a read accepting
  VM_READ or VM_WRITE since POE hardware has EPAN) -> SEGV_ACCERR; only then
  ``fault_from_pkey`` -> SEGV_PKUERR.  So on arm64 protection wins when both
  deny -- the opposite order to x86 and powerpc.

The key is the one of the VMA the primary lookup found, read while its lock
is held (``vma_pkey(vma)`` in ``bad_area_access_error`` / ``bad_access_pkey``
/ ``do_page_fault``, whose comments spell out that it may differ from the
PTE's); nothing looks the address up a second time, and the signal is built
from values (``force_sig_pkuerr(addr, pkey)``, kernel/signal.c), so a munmap
racing between the lookup and delivery changes nothing and warns nothing
(the 2016 code passed the VMA itself down and had a ``WARN_ONCE`` for a
missing one: the review of the seed asked for exactly this).
"""
from __future__ import annotations

from dataclasses import dataclass

from abicheck.fault.keys import Keys
from abicheck.fault.vma import AddressSpace, Vma

SIGSEGV = 11                     # the same number on every Linux ABI
SEGV_MAPERR, SEGV_ACCERR, SEGV_PKUERR = 1, 2, 4   # include/uapi/asm-generic/siginfo.h
SI_KERNEL = 0x80
EFAULT = 14

CODE_NAMES = {SEGV_MAPERR: "SEGV_MAPERR", SEGV_ACCERR: "SEGV_ACCERR",
              SEGV_PKUERR: "SEGV_PKUERR", SI_KERNEL: "SI_KERNEL"}

#: x86-64 paging modes: (TASK_SIZE_MAX, virtual address bits).  ``task_size_max()``
#: is ``(1 << __VIRTUAL_MASK_SHIFT) - PAGE_SIZE`` with a shift of 47, or 56 when
#: the CPU has LA57 and the kernel uses 5-level page tables
#: (arch/x86/include/asm/page_64_types.h; Debian's kernels are CONFIG_X86_5LEVEL,
#: so a -cpu max guest runs 5-level).  Canonical addresses: the low
#: ``bits`` bits sign-extended.
X86_64_PAGING = {"4-level": (0x7FFFFFFFF000, 47), "5-level": ((1 << 56) - 4096, 56)}
DEFAULT_PAGING = "4-level"
X86_64_TASK_SIZE = X86_64_PAGING["4-level"][0]
#: i386 and x32 processes on x86-64: IA32_PAGE_OFFSET (arch/x86/include/asm/page_64_types.h)
X86_COMPAT_TASK_SIZE = 0xFFFFE000


@dataclass(frozen=True, slots=True)
class Fault:
    """The signal the kernel builds (``clear_siginfo`` then these fields)."""

    signo: int
    code: int
    addr: int | None             # None: no address (SI_KERNEL)
    pkey: int | None             # only for SEGV_PKUERR

    @property
    def code_name(self) -> str:
        return CODE_NAMES[self.code]


#: The registry of the rules that decide a fault (``Outcome.rule``): a rule the
#: code names must be here (``Outcome`` refuses others), and the test vectors
#: must exercise every one (tests/fault/test_vectors.py).
FAULT_RULES = frozenset({
    "x86.no_vma", "x86.pkey_hw", "x86.pkey_vma", "x86.write_no_vm_write",
    "x86.not_accessible", "x86.exec_nx", "x86.kernel_half", "x86.noncanonical_gp",
    "powerpc.no_vma", "powerpc.access_pkey_error", "powerpc.access_error",
    "powerpc.read_without_vm_read",
    "arm64.no_vma", "arm64.vm_flags", "arm64.fault_from_pkey",
    "none.no_vma", "generic.access_error",
})
#: the rules of an access that does not fault
ALLOWED_RULES = frozenset({"x86.allowed", "x86.allowed_fault_in", "powerpc.allowed",
                           "arm64.allowed", "generic.allowed"})


@dataclass(frozen=True, slots=True)
class Outcome:
    """What the kernel's fault path decided for one access, and the rule that decided it."""

    fault: Fault | None
    rule: str                    # which check decided (see the module doc)
    vma: Vma | None              # the VMA the primary lookup found

    def __post_init__(self) -> None:
        if self.rule not in (FAULT_RULES if self.fault else ALLOWED_RULES):
            raise AssertionError(f"rule {self.rule!r} is not in kernel's registry")


def _fault(code: int, addr: int, pkey: int | None = None) -> Fault:
    return Fault(SIGSEGV, code, addr, pkey)


def user_end(keys: Keys, pointer_bits: int, paging: str = DEFAULT_PAGING) -> int:
    """The end of the user address space (TASK_SIZE) where the model knows
    it: x86-64 by paging mode, IA32_PAGE_OFFSET for i386 and x32 processes;
    elsewhere the pointer range."""
    if keys.arch == "x86":
        return X86_64_PAGING[paging][0] if pointer_bits == 64 else X86_COMPAT_TASK_SIZE
    return 1 << pointer_bits


def user_access(space: AddressSpace, keys: Keys, kind: str, addr: int,
                pointer_bits: int, paging: str = DEFAULT_PAGING,
                kernel: str = "6.12") -> Outcome:
    """An access by user code (``kind``: read, write, exec) at ``addr``: the
    primary lookup, then the architecture's checks in its order.  The
    returned ``Outcome.vma`` is the VMA that lookup found, the only one the
    kernel consults (a racing munmap is applied by the caller before or
    after this call, as it lands before or after the lookup)."""
    task_size, va_bits = X86_64_PAGING[paging]
    if keys.arch == "x86" and pointer_bits == 64 and addr >= task_size:
        if 1 << va_bits <= addr < (1 << 64) - (1 << va_bits):
            return Outcome(Fault(SIGSEGV, SI_KERNEL, None, None), "x86.noncanonical_gp", None)
        return Outcome(_fault(SEGV_MAPERR, addr), "x86.kernel_half", None)
    vma = space.find(addr)
    if vma is None:
        return Outcome(_fault(SEGV_MAPERR, addr), f"{keys.arch}.no_vma", None)
    if keys.arch == "powerpc":
        return _powerpc(space, keys, kind, addr, vma, kernel)
    decide = {"x86": _x86, "arm64": _arm64}.get(keys.arch, _nokeys)
    return decide(space, keys, kind, addr, vma)


def _x86(space, keys, kind, addr, vma) -> Outcome:
    present = space.is_present(addr) and vma.accessible()   # PROT_NONE PTEs are not present
    key_ok = keys.allows(vma.pkey, kind)
    if not key_ok:            # access_error (1) and (2); bad_area_access_from_pkeys
        rule = "x86.pkey_hw" if present else "x86.pkey_vma"
        return Outcome(_fault(SEGV_PKUERR, addr, vma.pkey), rule, vma)
    if kind == "write":
        if "w" not in vma.prot:
            return Outcome(_fault(SEGV_ACCERR, addr), "x86.write_no_vm_write", vma)
    elif not vma.accessible():
        return Outcome(_fault(SEGV_ACCERR, addr), "x86.not_accessible", vma)
    elif kind == "exec" and "x" not in vma.prot:
        # not present: handle_mm_fault maps it, the retried fetch hits NX
        space.touch(addr)
        return Outcome(_fault(SEGV_ACCERR, addr), "x86.exec_nx", vma)
    rule = "x86.allowed" if present else "x86.allowed_fault_in"
    space.touch(addr)
    return Outcome(None, rule, vma)


def _powerpc(space, keys, kind, addr, vma, kernel) -> Outcome:
    """``access_error`` for a read differs by version: 6.1 (after "powerpc/mm:
    Support execute-only memory on the Radix MMU", v6.1) refuses a read of
    any VMA without VM_READ; 6.12 (since "powerpc: Support execute-only on
    all powerpc", v6.7) refuses PROT_NONE and an exec-only VMA
    (``(vm_flags & VM_ACCESS_FLAGS) == VM_EXEC``), accepting write-only."""
    if not keys.allows(vma.pkey, kind):
        return Outcome(_fault(SEGV_PKUERR, addr, vma.pkey), "powerpc.access_pkey_error", vma)
    if (kind == "exec" and "x" not in vma.prot) or (kind == "write" and "w" not in vma.prot) \
            or not vma.accessible():
        return Outcome(_fault(SEGV_ACCERR, addr), "powerpc.access_error", vma)
    if kind == "read" and ("r" not in vma.prot if kernel == "6.1" else vma.prot == "x"):
        return Outcome(_fault(SEGV_ACCERR, addr), "powerpc.read_without_vm_read", vma)
    space.touch(addr)
    return Outcome(None, "powerpc.allowed", vma)


def _arm64(space, keys, kind, addr, vma) -> Outcome:
    need = {"exec": "x", "write": "w", "read": "rw"}[kind]
    if not any(c in vma.prot for c in need):
        return Outcome(_fault(SEGV_ACCERR, addr), "arm64.vm_flags", vma)
    if not keys.allows(vma.pkey, kind):
        return Outcome(_fault(SEGV_PKUERR, addr, vma.pkey), "arm64.fault_from_pkey", vma)
    space.touch(addr)
    return Outcome(None, "arm64.allowed", vma)


def _nokeys(space, keys, kind, addr, vma) -> Outcome:
    """An ABI without keys: the generic order (a VMA, then its flags; read
    accepts any access flag, as most architectures map them)."""
    need = {"exec": "x", "write": "w", "read": "rwx"}[kind]
    if not any(c in vma.prot for c in need):
        return Outcome(_fault(SEGV_ACCERR, addr), "generic.access_error", vma)
    space.touch(addr)
    return Outcome(None, "generic.allowed", vma)


# ---------------------------------------------------------------- syscalls

PIPE_DEF_BUFFERS = 16   # include/linux/pipe_fs_i.h: a new pipe holds 16 pages


def kernel_read(space: AddressSpace, keys: Keys, addr: int, length: int,
                pointer_bits: int, paging: str = DEFAULT_PAGING) -> tuple[int, int]:
    """``write(2)`` of ``[addr, addr+length)`` into an empty non-blocking pipe
    (the self-test's way of making the kernel read a buffer): ``(ret, errno)``.

    The kernel's ``copy_from_user`` faults like user code but in kernel mode:
    the same lookup and ``access_error`` (PKRU and AMR apply to the kernel's
    user accesses; arm64's unprivileged loads honour POR_EL0), and then no
    signal: the exception-table fixup makes the copy stop short
    (x86 ``__bad_area_nosemaphore`` -> ``kernelmode_fixup_or_oops``).
    ``pipe_write`` copies page-sized chunks and, at the first short chunk,
    returns what it had written before it, or -EFAULT if nothing
    (fs/pipe.c).  Never a signal."""
    if length == 0:
        return 0, 0
    limit = min(length, PIPE_DEF_BUFFERS * space.page)
    good = _readable_prefix(space, keys, addr, limit, user_end(keys, pointer_bits, paging))
    done = good - good % space.page if good < limit else limit
    if done == 0:
        return -1, EFAULT
    for a in range(addr - addr % space.page, addr + done, space.page):
        space.touch(a)
    return done, 0


def _readable_prefix(space, keys, addr, length, end) -> int:
    """How many bytes from ``addr`` the kernel can read before the first it
    cannot (permissions are per page, so walk page by page)."""
    pos = addr
    while pos < addr + length:
        if not _readable(space, keys, pos, end):
            return pos - addr
        pos = pos - pos % space.page + space.page
    return length


def _readable(space, keys, a, end) -> bool:
    if a >= end:
        return False              # access_ok() refuses addresses past TASK_SIZE
    vma = space.find(a)
    if vma is None or not vma.accessible():
        return False
    if keys.arch == "arm64" and not any(c in vma.prot for c in "rw"):
        return False
    return keys.allows(vma.pkey, "read")
