"""The scenarios ``abicheck vectors`` runs: between them they take every
path of the simulator (every rule ``kernel`` and ``delivery`` name) on the
architectures where the path exists.  Data only; ``arch`` says where a
scenario applies ("any", or a key architecture of ``keys``: x86, powerpc,
arm64, none); ``bits`` limits it to one pointer size, ``paging`` picks the
x86-64 paging mode (default 4-level).  powerpc scenarios use 64 KiB-aligned addresses (its pages).
"""
from __future__ import annotations


def _m(addr, length, prot):
    return {"op": "mmap", "addr": addr, "length": length, "prot": prot}


def _a(kind, addr, **extra):
    return {"op": "access", "access": kind, "addr": addr, **extra}


def _pm(addr, length, prot, pkey):
    return {"op": "pkey_mprotect", "addr": addr, "length": length, "prot": prot, "pkey": pkey}


def _alloc(rights):
    return {"op": "pkey_alloc", "rights": rights}


def _read(addr, length):
    return {"op": "syscall_read_from", "addr": addr, "length": length}


P = 65536      # one page on every ABI modelled (64 KiB covers powerpc's)

CATALOG: list[dict] = [
    {"name": "unmapped", "arch": "any",
     "description": "no VMA: SEGV_MAPERR for read, write and fetch; EFAULT for a system call",
     "ops": [_m("0x10000000", 2 * P, "rw"), {"op": "munmap", "addr": "0x10010000", "length": P},
             _a("read", "0x10010008"), _a("write", "0x10010ff0"), _a("exec", "0x20000000"),
             _read("0x10010000", 16)]},
    {"name": "protection", "arch": "any",
     "description": "protection alone: PROT_NONE read, read-only write, fetch from a no-exec page: "
                    "SEGV_ACCERR with no key",
     "ops": [_m("0x10000000", P, "none"), _a("read", "0x10000010"),
             _m("0x10010000", P, "r"), _a("write", "0x10010020"), _a("read", "0x10010020"),
             _m("0x10020000", P, "rw"), _a("exec", "0x10020000"), _a("write", "0x10020000")]},
    {"name": "key_allocation", "arch": "any",
     "description": "pkey_alloc with each right: a key, ENOSYS where the kernel has no key "
                    "syscalls, EINVAL for a right the architecture lacks",
     "ops": [_alloc("none"), _alloc("disable_write"), _alloc("disable_execute"),
             _alloc("disable_read")]},
    {"name": "altstack_unmapped", "arch": "any",
     "description": "the alternate signal stack is not mapped: the frame cannot be written, the "
                    "process dies of SIGSEGV",
     "ops": [{"op": "sigaltstack", "addr": "0x50000000", "length": P}, _a("read", "0x20000000")]},
    # ---------------------------------------------------------------- x86
    {"name": "x86_keys", "arch": "x86",
     "description": "PKRU denies: never-touched (the VMA's key) and present (the CPU's PK bit) "
                    "pages, reads under access-disable, writes under write-disable",
     "ops": [_m("0x10000000", 8192, "rw"), _alloc("disable_write"),
             _pm("0x10000000", 4096, "rw", 1), _a("write", "0x10000010"),
             _a("read", "0x10000010"), _a("write", "0x10000010"), _alloc("disable_access"),
             _pm("0x10001000", 4096, "rw", 2), _a("read", "0x10001ffc")]},
    {"name": "x86_prot_and_key", "arch": "x86",
     "description": "protection and key both deny: SEGV_PKUERR (the key check comes first)",
     "ops": [_m("0x10000000", 4096, "rw"), _alloc("disable_access"),
             _pm("0x10000000", 4096, "none", 1), _a("read", "0x10000000"),
             _pm("0x10000000", 4096, "r", 1), _a("write", "0x10000000")]},
    {"name": "x86_fetch_ignores_keys", "arch": "x86",
     "description": "instruction fetches are not checked against PKRU: a call into an "
                    "access-disabled executable page works",
     "ops": [_m("0x10000000", 4096, "rx"), _alloc("disable_access"),
             _pm("0x10000000", 4096, "rx", 1), _a("exec", "0x10000000"), _a("read", "0x10000000")]},
    {"name": "x86_execute_only", "arch": "x86",
     "description": "mprotect(PROT_EXEC) takes the execute-only key; leaving PROT_EXEC goes back "
                    "to key 0",
     "ops": [_m("0x10000000", 4096, "rw"), {"op": "mprotect", "addr": "0x10000000",
                                             "length": 4096, "prot": "x"},
             _a("exec", "0x10000000"), _a("read", "0x10000040"), _a("write", "0x10000040"),
             _alloc("none"), {"op": "mprotect", "addr": "0x10000000", "length": 4096, "prot": "r"},
             _a("read", "0x10000040")]},
    {"name": "x86_key_exhaustion", "arch": "x86",
     "description": "15 keys, then ENOSPC; execute-only then falls back to key 0 (readable)",
     "ops": [_alloc("none")] * 16 + [_m("0x10000000", 4096, "rw"),
                                      {"op": "mprotect", "addr": "0x10000000", "length": 4096,
                                       "prot": "x"}, _a("read", "0x10000000")]},
    {"name": "x86_wrpkru", "arch": "x86",
     "description": "wrpkru write-disables then allows a key",
     "ops": [_m("0x10000000", 4096, "rw"), _alloc("none"), _pm("0x10000000", 4096, "rw", 1),
             {"op": "wrpkru", "value": "0x8"}, _a("write", "0x10000004"), _a("read", "0x10000004"),
             {"op": "wrpkru", "value": "0x0"}, _a("write", "0x10000004")]},
    {"name": "x86_syscalls", "arch": "x86",
     "description": "a system call reading a key-denied buffer: EFAULT at once, or the whole "
                    "pages before the denied one",
     "ops": [_m("0x10000000", 8192, "rw"), _alloc("disable_access"),
             _pm("0x10001000", 4096, "rw", 1), _read("0x10001000", 64), _read("0x10000000", 8192),
             _read("0x10000ff0", 32)]},
    {"name": "x86_altstack", "arch": "x86",
     "description": "the alternate stack, then under a write-disabled key: 6.1 kills, 6.12 "
                    "delivers",
     "ops": [_m("0x30000000", 32768, "rw"), {"op": "sigaltstack", "addr": "0x30000000",
                                              "length": 32768},
             _a("read", "0x20000000"), _alloc("disable_write"),
             _pm("0x30000000", 32768, "rw", 1), _a("read", "0x20000000")]},
    {"name": "x86_altstack_too_small", "arch": "x86",
     "description": "a MINSIGSTKSZ (2048-byte) alternate stack is accepted but cannot hold the "
                    "frame: the process dies of SIGSEGV",
     "ops": [_m("0x30000000", 8192, "rw"), {"op": "sigaltstack", "addr": "0x30000000",
                                             "length": 2047},
             {"op": "sigaltstack", "addr": "0x30000000", "length": 2048},
             _a("read", "0x20000000")]},
    {"name": "x86_stack_key0", "arch": "x86",
     "description": "PKRU write-disables key 0: the thread's own stack takes the frame -- 6.1 "
                    "kills, 6.12 delivers",
     "ops": [_m("0x10000000", 4096, "rw"), {"op": "wrpkru", "value": "0x55555556"},
             _a("read", "0x20000000")]},
    {"name": "x86_64_kernel_half", "arch": "x86", "bits": 64,
     "description": "x86-64 addresses above the user half: SEGV_MAPERR at a kernel address, "
                    "SI_KERNEL without an address for a non-canonical one",
     "ops": [_a("read", "0xffff888000000000"), _a("write", "0x0000800000000000"),
             _a("read", "0x00007ffffffff000")]},
    {"name": "x86_64_kernel_half_la57", "arch": "x86", "bits": 64, "paging": "5-level",
     "description": "the same addresses under 5-level paging (LA57): 0x800000000000 is a user "
                    "address without a VMA (SEGV_MAPERR with si_addr); non-canonical starts at "
                    "bit 56, the kernel half at 0xff00000000000000",
     "ops": [_a("read", "0xffff888000000000"), _a("write", "0x0000800000000000"),
             _a("read", "0x0100000000000000"), _a("read", "0xff00000000000000")]},
    {"name": "racing_munmap", "arch": "x86",
     "description": "another thread unmaps the page during the fault: after the primary lookup "
                    "the key of the VMA found is delivered, before it the fault is SEGV_MAPERR",
     "ops": [_m("0x10000000", 8192, "rw"), _alloc("disable_access"),
             _pm("0x10000000", 8192, "rw", 1),
             _a("read", "0x10000000", racing_munmap={"addr": "0x10000000", "length": 4096,
                                                     "when": "after_lookup"}),
             _a("read", "0x10000000"),
             _a("read", "0x10001000", racing_munmap={"addr": "0x10001000", "length": 4096,
                                                     "when": "before_lookup"})]},
    # ---------------------------------------------------------------- powerpc
    {"name": "powerpc_keys", "arch": "powerpc",
     "description": "AMR/IAMR: the first key is 4, keys restrict fetches, the key wins over the "
                    "protection, execute-only memory is key 2",
     "ops": [_m("0x10000000", 4 * P, "rwx"), _alloc("disable_access"),
             _pm("0x10000000", P, "rw", 4), _a("read", "0x10000010"),
             _alloc("disable_execute"), _pm("0x10010000", P, "rx", 5), _a("exec", "0x10010000"),
             _a("read", "0x10010000"), _pm("0x10020000", P, "none", 4), _a("read", "0x10020000"),
             {"op": "mprotect", "addr": "0x10030000", "length": P, "prot": "x"},
             _a("read", "0x10030000"), {"op": "wramr", "value": "0x0"}, _a("read", "0x10000010")]},
    {"name": "powerpc_read_without_vm_read", "arch": "powerpc",
     "description": "access_error refuses a read of an exec-only VMA whose key allows it (key 0); "
                    "6.1 also of a write-only one",
     "ops": [_m("0x10000000", 2 * P, "rw"), _pm("0x10000000", P, "x", 0),
             _a("read", "0x10000000"), _pm("0x10010000", P, "w", 0), _a("read", "0x10010000")]},
    # ---------------------------------------------------------------- arm64
    {"name": "arm64_keys", "arch": "arm64",
     "description": "POR_EL0: keys restrict fetches, the protection wins over the key "
                    "(SEGV_ACCERR first)",
     "ops": [_m("0x10000000", 4 * 4096, "rwx"), _alloc("disable_access"),
             _pm("0x10000000", 4096, "rw", 1), _a("read", "0x10000010"), _alloc("disable_execute"),
             _pm("0x10001000", 4096, "rx", 2), _a("exec", "0x10001000"), _a("read", "0x10001000"),
             _pm("0x10002000", 4096, "none", 1), _a("read", "0x10002000"),
             {"op": "wrpor", "value": "0x77777777"}, _a("read", "0x10000010")]},
]
