"""Shared inputs of the blob tests: kernel facts written by hand, and the
siginfo cases (a signal, a code, the accessors the kernel fills for it).

Signal numbers are the kernel's (each architecture's
include/uapi/asm/signal.h): most ABIs use the generic numbering; MIPS,
alpha, sparc and parisc have their own.  These are written here on purpose,
not read from the spec the code uses, so a wrong spec table fails."""
from __future__ import annotations

#: signal -> number where it differs from the generic numbering, per kernel arch
_OWN = {
    "mips": {"SIGBUS": 10, "SIGCHLD": 18, "SIGSYS": 12, "SIGUSR1": 16, "SIGIO": 22},
    "alpha": {"SIGBUS": 10, "SIGCHLD": 20, "SIGSYS": 12, "SIGUSR1": 30, "SIGIO": 23},
    "sparc": {"SIGBUS": 10, "SIGCHLD": 20, "SIGSYS": 12, "SIGUSR1": 30, "SIGIO": 23},
    "parisc": {"SIGBUS": 10, "SIGCHLD": 18, "SIGSYS": 31, "SIGUSR1": 16, "SIGIO": 22},
}
_GENERIC = {"SIGILL": 4, "SIGTRAP": 5, "SIGABRT": 6, "SIGBUS": 7, "SIGFPE": 8, "SIGUSR1": 10,
            "SIGSEGV": 11, "SIGTERM": 15, "SIGCHLD": 17, "SIGIO": 29, "SIGSYS": 31}


def signo(target, name: str) -> int:
    return _OWN.get(target.kernel_arch, {}).get(name, _GENERIC[name])


def pattern(t, n: int) -> int:
    """A distinct byte pattern filling a pointer-sized unsigned value."""
    return int.from_bytes(bytes(range(n, n + t.pointer_size)), "big")


def siginfo_cases(t) -> dict[str, tuple[str, str, dict[str, int]]]:
    """name -> (signal, code macro, {accessor or member path: value}); every field of a
    case lies in the one union member the kernel fills for that code (so a C
    designated initializer, which keeps one member of a union, can hold it)."""
    p = lambda n: pattern(t, n)  # noqa: E731
    return {
        "pkuerr": ("SIGSEGV", "SEGV_PKUERR", {"si_addr": p(0x11), "si_pkey": 0x5A}),
        "bnderr": ("SIGSEGV", "SEGV_BNDERR", {"si_addr": p(0x21), "si_lower": p(0x31),
                                              "si_upper": p(0x41)}),
        "mceerr": ("SIGBUS", "BUS_MCEERR_AO", {"si_addr": p(0x51), "si_addr_lsb": 12}),
        # the kernel's si_pid names _kill._pid: C keeps one union member, so
        # a child's pid is set through _sigchld's own (the same bytes)
        "chld": ("SIGCHLD", "CLD_EXITED", {"_sifields._sigchld._pid": 4242,
                                           "_sifields._sigchld._uid": 1000, "si_status": 3,
                                           "si_utime": 77, "si_stime": 88}),
        "rt": ("SIGTERM", "SI_QUEUE", {"si_int": -123456}),
        "sys": ("SIGSYS", "SYS_SECCOMP", {"si_call_addr": p(0x61), "si_syscall": 231,
                                          "si_arch": 0xC000003E}),
        "perf": ("SIGTRAP", "TRAP_PERF", {"si_addr": p(0x71), "si_perf_data": p(0x02),
                                          "si_perf_type": 4, "si_perf_flags": 1}),
        "timer": ("SIGTERM", "SI_TIMER", {"si_tid": 7, "si_overrun": 2}),
    }


#: real records of Debian's linux-libc-dev and the values the gcc tests give
#: them (type -> (header, {member path: value}))
REAL = {"struct input_event": ("linux/input.h", {"time.tv_sec": 0x61626364, "time.tv_usec": 0x1234,
                                                 "type": 1, "code": 0x1e, "value": -7}),
        "struct inotify_event": ("linux/inotify.h", {"wd": 3, "mask": 0x80000100,
                                                     "cookie": 0xCAFE, "len": 16})}
