"""Small builders shared by the fault tests: scenario ops written the way a
scenario file spells them, and a runner returning results by op index."""
from __future__ import annotations

from abicheck.fault import simulate


def mmap(addr, length, prot):
    return {"op": "mmap", "addr": addr, "length": length, "prot": prot}


def access(kind, addr, **extra):
    return {"op": "access", "access": kind, "addr": addr, **extra}


def pkey_mprotect(addr, length, prot, pkey):
    return {"op": "pkey_mprotect", "addr": addr, "length": length, "prot": prot, "pkey": pkey}


def mprotect(addr, length, prot):
    return {"op": "mprotect", "addr": addr, "length": length, "prot": prot}


def alloc(rights):
    return {"op": "pkey_alloc", "rights": rights}


def run(ops, target="x86_64", kernel="6.12", headers=None):
    return simulate({"ops": ops}, target=target, kernel=kernel, headers=headers)


# Code values from include/uapi/asm-generic/siginfo.h (the kernel's uapi header)
SIGSEGV, SEGV_MAPERR, SEGV_ACCERR, SEGV_PKUERR, SI_KERNEL = 11, 1, 2, 4, 0x80
# include/uapi/asm-generic/errno-base.h
ENOMEM, EFAULT, EINVAL, ENOSPC = 12, 14, 22, 28


def enosys_from_headers(target_name: str) -> int | None:
    """ENOSYS as the target's Debian cross headers define it (asm/errno.h, or
    the asm-generic/errno.h it includes); None when the headers are absent."""
    import os
    import re

    from abicheck.targets import get_target
    from debian_headers import include_dirs

    dirs = include_dirs(get_target(target_name), "asm/errno.h")
    if not dirs:
        return None
    for d in dirs:
        for rel in ("asm/errno.h", "asm-generic/errno.h"):
            p = os.path.join(d, rel)
            if os.path.isfile(p):
                m = re.search(r"^#define\s+ENOSYS\s+(\d+)", open(p).read(), re.M)
                if m:
                    return int(m.group(1))
    # the generic header may live only in /usr/include (x86_64 host layout)
    p = "/usr/include/asm-generic/errno.h"
    m = re.search(r"^#define\s+ENOSYS\s+(\d+)", open(p).read(), re.M) if os.path.isfile(p) else None
    return int(m.group(1)) if m else None


def minsigstksz_from_headers(target_name: str) -> int | None:
    """MINSIGSTKSZ from the target's Debian cross asm/signal.h (powerpc's two
    values sit under ``#ifdef __powerpc64__``: the first for 64-bit
    processes); the asm-generic value when the arch header has none."""
    import os
    import re

    from abicheck.targets import get_target
    from debian_headers import include_dirs

    t = get_target(target_name)
    dirs = include_dirs(t, "asm/signal.h")
    if not dirs:
        return None
    for d in dirs:
        p = os.path.join(d, "asm/signal.h")
        if not os.path.isfile(p):
            continue
        text = open(p).read()
        vals = [int(v) for v in re.findall(r"^#define\s+MINSIGSTKSZ\s+(\d+)", text, re.M)]
        if len(vals) == 2 and "__powerpc64__" in text:
            return vals[0] if t.pointer_size == 8 else vals[1]
        if len(vals) == 1:
            return vals[0]
    return 2048 if os.path.isfile("/usr/include/asm-generic/signal.h") else None
