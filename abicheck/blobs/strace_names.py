"""The names strace prints for ``si_errno``, ``si_syscall`` and ``si_arch``.

Why a module of its own: they are tables, per ABI, not printing rules.
The tables are ``data/strace_names.json``, generated from each ABI's own
uapi headers by tools/gen_strace_names.py (errno values differ on alpha,
mips, parisc and sparc; system call numbers everywhere) and checked
against those headers by tests/blobs/test_strace_names.py.  What strace
does with them (its src/printsiginfo.c, ``PRINT_FIELD_ERR_U``,
``PRINT_FIELD_SYSCALL_NAME``, ``PRINT_FIELD_XVAL``; checked against the
real strace 6.1 by tests/blobs/test_strace.py):

- an errno with a name prints as the name (``EFAULT``), any other as an
  unsigned decimal; besides the uapi names strace knows the kernel's
  internal ones (include/linux/errno.h, the same on every ABI);
- a system call is looked up in the tables of the personalities strace
  has on that ABI (the native one first, then its compat ones), the first
  whose ``AUDIT_ARCH_*`` is ``si_arch`` and that has the number: the
  native one prints ``__NR_write`` (arm's private calls ``__ARM_NR_...``),
  a compat one the number with the name in a comment (``1 /* exit */``);
  no table, or no such number, prints the unsigned decimal;
- ``si_arch`` prints as its ``AUDIT_ARCH_*`` name, else in hex with the
  comment ``/* AUDIT_ARCH_??? */``.
"""
from __future__ import annotations

import functools
import json

from abicheck import package
from abicheck.targets import Target, get_target

#: errnos of the kernel's include/linux/errno.h (not uapi: never meant for
#: user space, but a siginfo may carry any number) that strace 6.1 names;
#: it has no name for ENOPARAM (519) and ENOGRACE (531)
KERNEL_ERRNO = {
    512: "ERESTARTSYS", 513: "ERESTARTNOINTR", 514: "ERESTARTNOHAND", 515: "ENOIOCTLCMD",
    516: "ERESTART_RESTARTBLOCK", 517: "EPROBE_DEFER", 518: "EOPENSTALE", 521: "EBADHANDLE",
    522: "ENOTSYNC", 523: "EBADCOOKIE", 524: "ENOTSUPP", 525: "ETOOSMALL", 526: "ESERVERFAULT",
    527: "EBADTYPE", 528: "EJUKEBOX", 529: "EIOCBQUEUED", 530: "ERECALLCONFLICT",
}

#: the personalities of strace built for an ABI after the native one
#: (strace's arch_defs_.h: SUPPORTED_PERSONALITIES), as target rows
PERSONALITIES = {
    "x86_64": ("i386", "x32"), "x32": ("i386",), "aarch64": ("arm",),
    "powerpc64": ("powerpc",), "s390x": ("s390",), "sparc64": ("sparc",),
}

#: x32's system call numbers carry this bit (asm/unistd.h ``__X32_SYSCALL_BIT``)
X32_BIT = 0x40000000


@functools.cache
def _data() -> dict:
    return json.loads(package.read_text("data/strace_names.json"))


def _table(abi: str, kind: str) -> dict[str, str]:
    row = _data()["abis"].get(abi)
    return _data()["tables"][row[kind]] if row else {}


def errno_text(target: Target, value: int) -> str:
    """``si_errno`` as strace prints it."""
    v = value & 0xffffffff
    return _table(target.name, "errno").get(str(v)) or KERNEL_ERRNO.get(v) or str(v)


def audit_arch_text(value: int) -> str:
    """``si_arch`` as strace prints it."""
    v = value & 0xffffffff
    name = _data()["audit_arch"].get(str(v))
    if name:
        return name
    return f"{v:#x} /* AUDIT_ARCH_??? */" if v else "0 /* AUDIT_ARCH_??? */"


def _audit_arch(t: Target) -> int | None:
    return next((int(k) for k, n in _data()["audit_arch"].items() if n == t.audit_arch), None)


def _syscall_name(t: Target, nr: int) -> str | None:
    name = _table(t.name, "syscalls").get(str(nr))
    if name is None and t.name == "x32" and nr & X32_BIT and nr - X32_BIT < 512:
        # strace's x32 table names the x86_64 calls x32 has not got "name#64"
        wide = _table("x86_64", "syscalls").get(str(nr - X32_BIT))
        name = wide and wide + "#64"
    return name


def syscall_text(target: Target, nr: int, arch: int | None) -> str:
    """``si_syscall`` as strace prints it, given ``si_arch`` (None: the
    headers declare none, so no table applies)."""
    nr &= 0xffffffff
    if arch is None:
        return str(nr)
    arch &= 0xffffffff
    for k, t in enumerate((target, *map(get_target, PERSONALITIES.get(target.name, ())))):
        if _audit_arch(t) != arch:
            continue
        name = _syscall_name(t, nr)
        if name is None:
            continue
        if k == 0:
            return name
        return f"{nr} /* {name.split('_NR_', 1)[1]} */"
    return str(nr)
