"""The views of a simulation: strace-style text, JSON, hex, raw bytes.

The text view prints a delivered siginfo the way strace prints one
(``{si_signo=SIGSEGV, si_code=SEGV_PKUERR, si_errno=0, si_addr=0x10000010,
si_pkey=1}``: names for the signal and code, hex for the address, decimal
for the rest), one op per line, so a reader can diff it against a trace of
the real program.  Every view is a pure function of the results: same
scenario, same bytes.
"""
from __future__ import annotations

import json

from abicheck.fault.scenario import integer
from abicheck.fault.simulate import OpResult

_ERRNO = {12: "ENOMEM", 14: "EFAULT", 17: "EEXIST", 22: "EINVAL", 28: "ENOSPC"}
_SIGNALS = {11: "SIGSEGV"}


_ORDER = ("si_signo", "si_code", "si_errno", "si_addr", "si_pkey")


def strace_fields(fields: dict, code_name: str) -> str:
    """strace's order: signal, code, errno, then the member's fields."""
    parts = []
    for name in sorted(fields, key=lambda n: _ORDER.index(n) if n in _ORDER else len(_ORDER)):
        value = fields[name]
        if name == "si_signo":
            parts.append(f"si_signo={_SIGNALS.get(value, value)}")
        elif name == "si_code":
            parts.append(f"si_code={code_name}")
        elif name == "si_addr":
            parts.append(f"si_addr={value:#x}")
        else:
            parts.append(f"{name}={value}")
    return "{" + ", ".join(parts) + "}"


def _describe_op(r: OpResult, op: dict) -> str:
    if r.op == "access":
        return f"access {op['access']} {integer(op['addr']):#x}"
    return r.op


def text(results: list[OpResult], ops: list[dict], head: str) -> str:
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
        lines.append(f"    {strace_fields(r.fields, r.code_name)}")
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
