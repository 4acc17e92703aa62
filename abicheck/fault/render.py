"""The views of a simulation: strace-style text, JSON, hex, raw bytes.

The text view prints a delivered siginfo the way strace prints one
(``{si_signo=SIGSEGV, si_code=SEGV_PKUERR, si_addr=0x10000010, si_pkey=1}``),
one op per line, so a reader can diff it against a trace of the real
program.  The siginfo line is the blob decoded back by ``abicheck decode``'s
printer (``blobs/strace.py``): what is shown is what the bytes say, with
the names that target's headers give.  Every view is a pure function of the results: same
scenario, same bytes.
"""
from __future__ import annotations

import json
from typing import Callable

from abicheck.fault.keys import ENOSYS, ENOSYS_GENERIC
from abicheck.fault.scenario import integer
from abicheck.fault.simulate import OpResult

_ERRNO = {12: "ENOMEM", 14: "EFAULT", 17: "EEXIST", 22: "EINVAL", 28: "ENOSPC"}
# the simulator's only other errno is ENOSYS, whose number is the ABI's (keys.ENOSYS)
_ERRNO.update({n: "ENOSYS" for n in (ENOSYS_GENERIC, *ENOSYS.values())})
def _describe_op(r: OpResult, op: dict) -> str:
    if r.op == "access":
        return f"access {op['access']} {integer(op['addr']):#x}"
    return r.op


def text(results: list[OpResult], ops: list[dict], head: str,
         siginfo: Callable[[bytes], str]) -> str:
    """``siginfo``: a blob -> its strace-style line."""
    lines = [head]
    for r in results:
        what = _describe_op(r, ops[r.index])
        if r.op != "access":
            if r.errno:
                lines.append(f"op {r.index} {what}: ret=-1 errno={r.errno} "
                             f"({_ERRNO.get(r.errno, '?')})")
            else:
                val = f"{r.ret:#x}" if r.op == "mmap" else str(r.ret)
                lines.append(f"op {r.index} {what}: ret={val}")
            continue
        if not r.fault:
            lines.append(f"op {r.index} {what}: no fault [{r.rule}]")
            continue
        fate = "" if r.killed is None else (
            f", killed by signal {r.killed}" + ("" if r.delivered else " (no frame written)"))
        lines.append(f"op {r.index} {what}: {r.signal} si_code={r.code} ({r.code_name}){fate} "
                     f"[{r.rule}]")
        lines.append(f"    {siginfo(r.blob)}")
        lines.append(f"    blob {r.blob.hex()}")
    return "\n".join(lines) + "\n"


def as_json(results: list[OpResult], meta: dict) -> str:
    return json.dumps({**meta, "results": [r.to_json() for r in results]}, indent=2) + "\n"


def hex_lines(results: list[OpResult]) -> str:
    """One line per faulting access, in op order: the 128 bytes in hex."""
    return "".join(r.blob.hex() + "\n" for r in results if r.op == "access" and r.fault)


def binary(results: list[OpResult]) -> bytes:
    """The 128-byte blobs of the faulting accesses, one after another."""
    return b"".join(r.blob for r in results if r.op == "access" and r.fault)
