"""Protection-key registers and key allocation, per architecture.

Each model answers the questions the kernel asks of its architecture: which
key ``pkey_alloc`` hands out (``mm_pkey_alloc``), what ``pkey_free`` accepts
(``mm_pkey_free``), whether a key is allocated (``mm_pkey_is_allocated``),
which key an ``mprotect`` gives a VMA (``arch_override_mprotect_pkey``, the
execute-only key), and whether the thread's register allows a data access or
an instruction fetch with a key (``arch_vma_access_permitted``).  The rules
are the kernel's; the docstrings name the file and function they come from
(Linux 6.1 and 6.12 agree on everything here unless said).

Rights are the ``PKEY_DISABLE_*`` flags of ``pkey_alloc(2)``:
ACCESS 0x1 and WRITE 0x2 everywhere (include/uapi/asm-generic/mman-common.h),
EXECUTE 0x4 on powerpc (arch/powerpc/include/asm/pkeys.h) and arm64, READ 0x8
on arm64 (arch/arm64/include/uapi/asm/mman.h, 6.12).
"""
from __future__ import annotations

EINVAL, ENOSPC = 22, 28          # include/uapi/asm-generic/errno-base.h (every Linux ABI)

#: ENOSYS (``sys_ni_syscall``) by kernel architecture: include/uapi/asm-generic/errno.h
#: (38) except where the architecture's own uapi asm/errno.h renumbers it
#: (arch/{mips,alpha,parisc,sparc}/include/uapi/asm/errno.h).
ENOSYS = {"mips": 89, "alpha": 78, "parisc": 251, "sparc": 90}
ENOSYS_GENERIC = 38

DISABLE_ACCESS, DISABLE_WRITE, DISABLE_EXECUTE, DISABLE_READ = 0x1, 0x2, 0x4, 0x8
RIGHTS = {"none": 0, "disable_access": DISABLE_ACCESS, "disable_write": DISABLE_WRITE,
          "disable_execute": DISABLE_EXECUTE, "disable_read": DISABLE_READ}


class Keys:
    """Key syscalls but no keys to hand out (a kernel with
    ``CONFIG_ARCH_HAS_PKEYS`` on a CPU without the feature, e.g. x86 without
    PKU): ``mm_pkey_alloc`` fails, so ``pkey_alloc`` returns ENOSPC
    (mm/mprotect.c, after its EINVAL checks of flags and rights);
    ``mm_pkey_free`` is EINVAL; only key 0 counts as allocated; every access
    is permitted as far as keys go.  The base of the architectures' models,
    which share the allocation map (``allocated``, ``_first_free``,
    ``is_allocated``, ``free``)."""

    arch = "none"
    nkeys = 1
    register = None          # the user-visible key register
    register_op = None       # the scenario op that writes it
    register_bits = 0
    access_mask = DISABLE_ACCESS | DISABLE_WRITE     # generic PKEY_ACCESS_MASK
    exec_applies = False     # do keys restrict instruction fetches?
    syscalls = True          # are pkey_alloc/pkey_free/pkey_mprotect built?
    reserved: frozenset = frozenset()   # keys never handed out nor counted as allocated

    def __init__(self) -> None:
        self.allocated = {0}
        self.value = self.initial()
        self.exec_only: int | None = None

    def initial(self) -> int:
        return 0

    # ------------------------------------------------------------ syscalls
    def alloc(self, flags: int, rights: int) -> int:
        """``pkey_alloc(flags, rights)``: the key, or -errno (mm/mprotect.c)."""
        if flags or rights & ~self.access_mask:
            return -EINVAL
        key = self._first_free()
        if key is None:
            return -ENOSPC
        self.allocated.add(key)
        self.set_rights(key, rights)
        return key

    def _first_free(self) -> int | None:
        """``mm_pkey_alloc``: the lowest key not in the allocation map."""
        for k in range(self.nkeys):
            if k not in self.allocated:
                return k
        return None

    def free(self, key: int) -> int:
        """``mm_pkey_free``: EINVAL for a key not allocated, else clear it."""
        if not self.is_allocated(key):
            return -EINVAL
        self.allocated.discard(key)
        return 0

    def is_allocated(self, key: int) -> bool:
        """``mm_pkey_is_allocated``: in range, in the map, not reserved."""
        return 0 <= key < self.nkeys and key not in self.reserved and key in self.allocated

    def set_rights(self, key: int, rights: int) -> None:
        """``arch_set_user_pkey_access``: the key's bits of the register."""

    def mprotect_key(self, vma_key: int, vma_prot: str, prot: str, pkey: int) -> int:
        """``arch_override_mprotect_pkey``: the generic stub gives 0."""
        return 0

    def mmap_key(self, prot: str) -> int:
        """The key ``do_mmap`` (mm/mmap.c) gives a new mapping: the
        execute-only key for exactly PROT_EXEC, else 0."""
        return 0

    def write_register(self, value: int) -> None:
        self.value = value & ((1 << self.register_bits) - 1)

    # ------------------------------------------------------------ checks
    def allows(self, key: int, kind: str, value: int | None = None) -> bool:
        """Whether the register (``value``, default the thread's) lets a
        ``kind`` ("read", "write", "exec") access use memory with ``key``."""
        return True

    def describe(self) -> str:
        return f"{self.register}={self.value:#x}" if self.register else "no keys"


class X86Pkru(Keys):
    """x86 PKRU: 16 keys, 2 bits each, bit 2k access-disable (AD), bit 2k+1
    write-disable (WD) (arch/x86/include/asm/pkru.h ``__pkru_allows_read`` /
    ``__pkru_allows_write``: AD denies reads and writes, WD writes).

    - Initial value ``init_pkru_value`` = AD for keys 1..15, 0x55555554
      (arch/x86/mm/pkeys.c): a new process reaches only key-0 memory.
    - ``mm_pkey_alloc`` (arch/x86/include/asm/pkeys.h): the lowest clear bit
      of the allocation map (``ffz``), key 0 allocated when the mm is made;
      all 16 taken -> -1 -> ENOSPC.  So 15 keys, one less once the
      execute-only key exists.
    - ``mm_pkey_is_allocated``: in range, in the map, and not the
      execute-only key ("not available to any of the user interfaces");
      ``mm_pkey_free`` refuses what is not allocated (EINVAL).
    - ``arch_set_user_pkey_access`` (arch/x86/kernel/fpu/xstate.c): clears the
      key's two bits, then sets AD for DISABLE_ACCESS, WD for DISABLE_WRITE.
    - keys never restrict instruction fetches (``arch_vma_access_permitted``
      in arch/x86/include/asm/mmu_context.h returns true for ``execute``).
    """

    arch = "x86"
    nkeys = 16
    register = "PKRU"
    register_op = "wrpkru"
    register_bits = 32

    def initial(self) -> int:
        return 0x55555554

    def is_allocated(self, key: int) -> bool:
        return key != self.exec_only and super().is_allocated(key)

    def set_rights(self, key: int, rights: int) -> None:
        bits = (1 if rights & DISABLE_ACCESS else 0) | (2 if rights & DISABLE_WRITE else 0)
        self.value = (self.value & ~(3 << 2 * key)) | (bits << 2 * key)

    def execute_only_key(self) -> int:
        """``__execute_only_pkey`` (arch/x86/mm/pkeys.c): allocate the key on
        first use (-1 when none is free), and set AD for it in this thread's
        PKRU unless it is already access-disabled."""
        if self.exec_only is None:
            key = self._first_free()
            if key is None:
                return -1
            self.allocated.add(key)
            self.exec_only = key
        elif not self.allows(self.exec_only, "read"):
            return self.exec_only
        self.set_rights(self.exec_only, DISABLE_ACCESS)
        return self.exec_only

    def mprotect_key(self, vma_key: int, vma_prot: str, prot: str, pkey: int) -> int:
        """``arch_override_mprotect_pkey`` / ``__arch_override_mprotect_pkey``
        (arch/x86/include/asm/pkeys.h, arch/x86/mm/pkeys.c): a pkey_mprotect
        key is never overridden; exactly PROT_EXEC takes the execute-only key
        (if one can be had); leaving PROT_EXEC-only on the execute-only key
        goes back to key 0; otherwise the VMA keeps its key."""
        if pkey != -1:
            return pkey
        if prot == "x":
            key = self.execute_only_key()
            if key > 0:
                return key
        elif vma_prot == "x" and vma_key == self.exec_only:
            return 0
        return vma_key

    def mmap_key(self, prot: str) -> int:
        if prot == "x":
            key = self.execute_only_key()
            return key if key > 0 else 0
        return 0

    def allows(self, key: int, kind: str, value: int | None = None) -> bool:
        v = self.value if value is None else value
        if kind == "exec":
            return True
        if v & (1 << 2 * key):
            return False
        return not (kind == "write" and v & (2 << 2 * key))


class PowerAmr(Keys):
    """powerpc (Book3S-64, hash MMU) AMR/IAMR: 32 keys, 2 AMR bits per key
    from the top of the 64-bit register, ``pkeyshift(k) = 64 - 2(k+1)``,
    RD = 0x1 and WR = 0x2 shifted by it; the IAMR's EX bit (0x1 shifted)
    disables instruction fetch (arch/powerpc/mm/book3s64/pkeys.c,
    ``pkey_access_permitted``: keys DO restrict fetches here).

    ``pkey_early_init_devtree`` (same file; 64K pages, 32 keys from the
    device tree as on POWER8/9): key 0 preallocated (and, unlike x86, an
    application may free it), key 1 reserved (PowerISA 3.0 programming
    note), key 2 the execute-only key (AMR denies read/write, IAMR allows
    execute), key 3 the kernel's KUAP key: pkey_alloc hands out 4..31 (28
    keys).  ``default_amr`` starts all ones and ``default_iamr``
    0x5555555555555555, with keys 0 and 3 (AMR, IAMR) and 2 (IAMR) opened.
    Userspace writes only the AMR bits UAMOR lets it (not keys 0-3).
    Protection keys are not supported with the Radix MMU
    (``scan_pkey_feature``): this models a hash-MMU kernel.
    """

    arch = "powerpc"
    nkeys = 32
    register = "AMR"
    register_op = "wramr"
    register_bits = 64
    access_mask = DISABLE_ACCESS | DISABLE_WRITE | DISABLE_EXECUTE
    exec_applies = True
    RESERVED = frozenset({1, 2, 3})
    #: ``mm_pkey_is_allocated`` (arch/powerpc/include/asm/pkeys.h): reserved
    #: keys are never allocated
    reserved = RESERVED
    EXEC_ONLY = 2

    def __init__(self) -> None:
        super().__init__()
        self.allocated = {0} | set(self.RESERVED)
        self.iamr = 0x5555555555555555
        for k in (0, 2, 3):
            self.iamr &= ~(1 << self.shift(k))
        self.exec_only = self.EXEC_ONLY

    @staticmethod
    def shift(key: int) -> int:
        return 64 - 2 * (key + 1)

    def initial(self) -> int:
        v = (1 << 64) - 1
        for k in (0, 3):
            v &= ~(3 << self.shift(k))
        return v

    def uamor(self) -> int:
        m = (1 << 64) - 1
        for k in (0, 1, 2, 3):
            m &= ~(3 << self.shift(k))
        return m


    def set_rights(self, key: int, rights: int) -> None:
        """``__arch_set_user_pkey_access``: DISABLE_ACCESS sets RD|WR,
        DISABLE_WRITE WR, DISABLE_EXECUTE the IAMR bit."""
        s = self.shift(key)
        bits = 3 if rights & DISABLE_ACCESS else (2 if rights & DISABLE_WRITE else 0)
        self.value = (self.value & ~(3 << s)) | (bits << s)
        self.iamr = (self.iamr & ~(1 << s)) | ((1 if rights & DISABLE_EXECUTE else 0) << s)

    def write_register(self, value: int) -> None:
        """``mtspr AMR`` in problem state changes only the bits UAMOR allows."""
        m = self.uamor()
        self.value = (self.value & ~m) | (value & m)

    def mprotect_key(self, vma_key: int, vma_prot: str, prot: str, pkey: int) -> int:
        """``__arch_override_mprotect_pkey`` (arch/powerpc/mm/book3s64/pkeys.c)."""
        if pkey != -1:
            return pkey
        if vma_prot == "x" and vma_key == self.EXEC_ONLY and prot != "x":
            return 0
        if prot == "x":
            return self.EXEC_ONLY
        return vma_key

    def mmap_key(self, prot: str) -> int:
        return self.EXEC_ONLY if prot == "x" else 0

    def allows(self, key: int, kind: str, value: int | None = None) -> bool:
        s = self.shift(key)
        if kind == "exec":
            return not (self.iamr >> s) & 1
        v = self.value if value is None else value
        return not (v >> s) & (2 if kind == "write" else 1)

    def describe(self) -> str:
        return f"AMR={self.value:#x} IAMR={self.iamr:#x}"


class Arm64Por(Keys):
    """arm64 POE (Permission Overlay Extension, Linux 6.12): 8 keys (3 PTE
    bits), POR_EL0 holds 4 bits per key with R = 0x1, X = 0x2, W = 0x4
    (arch/arm64/include/asm/por.h); ``por_el0_allows_pkey``
    (arch/arm64/mm/fault.c) checks W for writes, X for instruction fetches,
    R for reads, so keys DO restrict fetches here.

    - POR_EL0_INIT gives key 0 RWX and the other keys nothing.
    - key 0 preallocated, no execute-only key (arm64 has execute-only
      mappings without keys): ``pkey_alloc`` hands out 1..7.
    - ``arch_set_user_pkey_access`` (arch/arm64/mm/mmu.c): start from RWX,
      DISABLE_WRITE drops W, DISABLE_ACCESS drops R and W (not X),
      DISABLE_READ drops R, DISABLE_EXECUTE drops X.
    """

    arch = "arm64"
    nkeys = 8
    register = "POR_EL0"
    register_op = "wrpor"
    register_bits = 64
    access_mask = DISABLE_ACCESS | DISABLE_WRITE | DISABLE_EXECUTE | DISABLE_READ
    exec_applies = True
    R, X, W = 0x1, 0x2, 0x4

    def initial(self) -> int:
        return 0x7


    def set_rights(self, key: int, rights: int) -> None:
        perm = self.R | self.W | self.X
        if rights & DISABLE_WRITE:
            perm &= ~self.W
        if rights & DISABLE_ACCESS:
            perm &= ~(self.R | self.W)
        if rights & DISABLE_READ:
            perm &= ~self.R
        if rights & DISABLE_EXECUTE:
            perm &= ~self.X
        self.value = (self.value & ~(0xF << 4 * key)) | (perm << 4 * key)

    def mprotect_key(self, vma_key: int, vma_prot: str, prot: str, pkey: int) -> int:
        """arm64's ``arch_override_mprotect_pkey`` (arch/arm64/include/asm/pkeys.h):
        the pkey_mprotect key, else the VMA's own."""
        return vma_key if pkey == -1 else pkey

    def allows(self, key: int, kind: str, value: int | None = None) -> bool:
        v = self.value if value is None else value
        perm = (v >> 4 * key) & 0xF
        return bool(perm & {"read": self.R, "write": self.W, "exec": self.X}[kind])


class NoKeySyscalls(Keys):
    """An architecture without ``CONFIG_ARCH_HAS_PKEYS``: mm/mprotect.c builds
    ``pkey_mprotect``, ``pkey_alloc`` and ``pkey_free`` only under
    ``#ifdef CONFIG_ARCH_HAS_PKEYS`` (2016, "mm/pkeys: generate pkey system
    call code only if ARCH_HAS_PKEYS is selected"), so the syscall table's
    entry is ``sys_ni_syscall``: -ENOSYS, and nothing changes (a
    ``pkey_mprotect`` there does not change protections either)."""

    syscalls = False

    def __init__(self, enosys: int) -> None:
        super().__init__()
        self.enosys = enosys

    def alloc(self, flags: int, rights: int) -> int:
        return -self.enosys

    def free(self, key: int) -> int:
        return -self.enosys


def model_for(kernel_arch: str, kernel: str, pointer_size: int) -> Keys:
    """The key model of an ABI under a kernel version.  ``ARCH_HAS_PKEYS`` is
    selected by x86 (``X86_INTEL_MEMORY_PROTECTION_KEYS``, x86-64 only; i386
    and x32 processes on an x86-64 kernel get the syscalls: the keys are the
    mm's; this models a CPU with PKU), powerpc Book3S-64 (``PPC_MEM_KEYS``;
    a 32-bit powerpc kernel has none) and arm64 from 6.12
    (``ARM64_POE``, merged in 6.12; modelled with POE hardware).  Every
    other architecture, and arm64 on 6.1, lacks the syscalls: ENOSYS with
    the ABI's number."""
    if kernel_arch == "x86":
        return X86Pkru()
    if kernel_arch == "powerpc" and pointer_size == 8:
        return PowerAmr()
    if kernel_arch == "arm64" and kernel == "6.12":
        return Arm64Por()
    return NoKeySyscalls(ENOSYS.get(kernel_arch, ENOSYS_GENERIC))
