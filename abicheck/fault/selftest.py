"""The self-test: a scenario's operations as a C program run on a real kernel.

The simulator claims to know the bytes a kernel delivers; only a kernel can
say whether it does.  ``generate`` turns scenarios (the same JSON the
simulator reads) into one C program that performs every operation with the
real system calls and prints, per operation, what the kernel answered:

    scenario NAME
    op 0 ret=268435456 errno=0
    op 3 fault signo=11 code=4 blob=<256 hex digits: the 128 siginfo bytes>
    end NAME exit=0            (or: killed signo=11, when the process died)

Each scenario runs in a forked child, so a process the kernel kills (it could
not deliver SIGSEGV, e.g. the handler's stack is under a denied key) is
reported by the parent and the next scenario starts clean.  ``parse_output``
reads those lines back into the real-kernel records of
``tests/fault/kernel_runs`` (``abicheck.fault.selftest_results``) (format in the README, "Fault simulator: the
real-kernel run").

How each operation is performed (documented because the simulator must model
the same thing):

- ``mmap``: ``mmap(addr, length, prot, MAP_PRIVATE|MAP_ANONYMOUS|
  MAP_FIXED_NOREPLACE, -1, 0)``; ``ret`` is the address.  When a later
  ``exec`` access falls in the mapping, the program needs an instruction
  there: it maps the range read-write, stores a ``ret`` (0xc3) at each such
  address, then applies the scenario's prot with ``mprotect`` (unless it is
  ``rw``).  Those pages are therefore *touched* (present) from the mmap on;
  the others stay never-touched until an access touches them.
- ``pkey_alloc`` / ``pkey_free`` / ``pkey_mprotect``: ``syscall(2)`` with the
  ABI's numbers (``SYS_pkey_*`` from the target's ``<sys/syscall.h>``), so the
  program does not depend on the libc's wrappers; ``pkey_alloc(0, rights)``
  with every right the schema has (``PKEY_DISABLE_EXECUTE`` 0x4 and
  ``PKEY_DISABLE_READ`` 0x8 too: x86 answers EINVAL, which is the result).
- ``wrpkru``: the instruction itself (``0f 01 ef``, ECX=EDX=0); ``ret`` 0.
- ``sigaltstack``: ``sigaltstack({addr, 0, length}, NULL)``; the SIGSEGV
  handler is installed with ``SA_ONSTACK`` in every scenario that has this op.
  The handler's first instruction (before it touches its stack) sets PKRU to
  0: a kernel that manages to write the signal frame onto a stack under a
  denied key (6.12 does, 6.1 does not) then runs the handler, which it could
  not otherwise (the handler starts with the kernel's init PKRU, which denies
  every key but 0).
- ``access``: a volatile one-byte load (read) or store of 0x5a (write), or a
  call of the address (exec).  No fault: ``ret=0 errno=0``.  A fault: the
  handler copies the 128 bytes of the siginfo as delivered and
  ``siglongjmp``s back; the program then restores PKRU to its value before
  the access (the handler ran with the kernel's signal-entry PKRU, and
  ``siglongjmp``, unlike ``sigreturn``, does not restore it).
- ``syscall_read_from``: ``write(2)`` of the buffer into a non-blocking pipe
  (a write to /dev/null would not read the buffer), drained afterwards;
  ``ret`` is the byte count, or -1 with errno (EFAULT).
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from typing import Any, Iterable, Sequence

from abicheck.fault.keys import RIGHTS, X86Pkru
# the results side (expectations, the program's output read back) is its own module;
# its names stay reachable from here, where run.py and the tests look for them
from abicheck.fault.selftest_results import (Expectation, OutputError, expectations,
                                             parse_checks, parse_output)
from abicheck.fault.scenario import (ScenarioError, exec_targets, load as _read_checked,
                                     normalise, validate)

__all__ = ["COMPILERS", "TARGETS", "Expectation", "OutputError", "Scenario", "ScenarioError",
           "expectations", "generate", "load", "load_all", "parse_checks", "parse_output",
           "read"]

TARGETS = ("x86_64", "i386", "x32")
# target -> (compiler command, pointer bits)
COMPILERS = {
    "x86_64": (("gcc",), 64),
    "i386": (("i686-linux-gnu-gcc",), 32),
    "x32": (("x86_64-linux-gnux32-gcc",), 32),
}


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: its name (the file's stem) and its ops, addresses
    and lengths already integers."""

    name: str
    file: str
    description: str
    ops: tuple[dict[str, Any], ...]
    raw: dict[str, Any]          # the JSON as read: what the simulator is given


def read(path: str) -> Any:
    """The scenario file's JSON, checked against the package's scenario
    schema by the simulator's reader (both tools refuse the same files with
    the same line)."""
    return _read_checked(path)


def load(path: str, target: str, data: Any = None) -> Scenario:
    """Read (unless ``data`` is given) and check one scenario for ``target``
    with the simulator's checks (``abicheck.fault.scenario``: schema,
    addresses inside the pointer size, x86's register op, memory ops inside
    the free window -- for x86_64 under either paging mode, as the program
    may run on either), then what only the self-test refuses:
    ``racing_munmap`` (another thread would have to unmap at the right
    instant) and a PKRU value wider than 32 bits."""
    if data is None:
        data = read(path)
    else:
        validate(data, path)
    from abicheck.fault.kernel import user_end
    bits = COMPILERS[target][1]
    end = user_end(X86Pkru(), bits, "5-level")
    ops = []
    for op in normalise(data, path, bits, X86Pkru.register_op, target, end):
        if "racing_munmap" in op.args:
            raise ScenarioError(path, f"{op.path}.racing_munmap", "simulator only: the "
                                "self-test cannot make another thread unmap during a fault")
        if op.op == "wrpkru" and op["value"] >> 32:
            raise ScenarioError(path, f"{op.path}.value", "PKRU is a 32-bit register")
        ops.append(dict(op.args))
    name = os.path.splitext(os.path.basename(path))[0]
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ScenarioError(path, "", "a scenario file's name is letters, digits, '_', '-', '.'")
    return Scenario(name, path, str(data.get("description", "")), tuple(ops), data)


def _prot(p: str) -> str:
    if p == "none":
        return "PROT_NONE"
    return "|".join({"r": "PROT_READ", "w": "PROT_WRITE", "x": "PROT_EXEC"}[c] for c in p)


def _op_c(i: int, op: dict, fills: list[int] | None) -> str:
    """The C statement performing op ``i`` and printing its line."""
    a = f"(uintptr_t){op.get('addr', 0):#x}u"
    n = f"(size_t){op.get('length', 0)}u"
    kind = op["op"]
    if kind == "mmap":
        if fills:
            stores = " ".join(f"*(volatile unsigned char *){x:#x}u = 0xc3;" for x in fills)
            tail = ("" if op["prot"] == "rw" else
                    f" if (p != MAP_FAILED && mprotect(p, {n}, {_prot(op['prot'])})) "
                    f"{{ munmap(p, {n}); p = MAP_FAILED; }}")
            return (f"{{ errno = 0; void *p = mmap((void *){a}, {n}, PROT_READ|PROT_WRITE, "
                    f"MAP_FLAGS, -1, 0); int e = errno; if (p != MAP_FAILED) {{ {stores} }}"
                    f"{tail} ret_line({i}, p == MAP_FAILED ? -1 : (long long)(uintptr_t)p, "
                    f"p == MAP_FAILED ? e : 0); }}")
        return (f"{{ errno = 0; void *p = mmap((void *){a}, {n}, {_prot(op['prot'])}, MAP_FLAGS, "
                f"-1, 0); ret_line({i}, p == MAP_FAILED ? -1 : (long long)(uintptr_t)p, "
                f"p == MAP_FAILED ? errno : 0); }}")
    if kind == "mprotect":
        return f"SYSCALL({i}, mprotect((void *){a}, {n}, {_prot(op['prot'])}));"
    if kind == "munmap":
        return f"SYSCALL({i}, munmap((void *){a}, {n}));"
    if kind == "pkey_mprotect":
        return (f"SYSCALL({i}, syscall(SYS_pkey_mprotect, (void *){a}, {n}, {_prot(op['prot'])}, "
                f"{op['pkey']}));")
    if kind == "pkey_alloc":
        return f"SYSCALL({i}, syscall(SYS_pkey_alloc, 0u, {RIGHTS[op['rights']]}u));"
    if kind == "pkey_free":
        return f"SYSCALL({i}, syscall(SYS_pkey_free, {op['pkey']}));"
    if kind == "wrpkru":
        return f"{{ wrpkru({op['value']:#x}u); ret_line({i}, 0, 0); }}"
    if kind == "sigaltstack":
        return (f"{{ stack_t ss; ss.ss_sp = (void *){a}; ss.ss_flags = 0; ss.ss_size = {n}; "
                f"SYSCALL({i}, sigaltstack(&ss, NULL)); }}")
    if kind == "syscall_read_from":
        return f"{{ SYSCALL({i}, write(pipe_fd[1], (const void *){a}, {n})); drain(); }}"
    stmt = {"read": f"(void)*(volatile unsigned char *){a};",
            "write": f"*(volatile unsigned char *){a} = 0x5a;",
            "exec": f"((void (*)(void)){a})();"}[op["access"]]
    return f"ACCESS({i}, {stmt});"


def _runtime() -> str:
    from abicheck import package
    return package.read_text("data/selftest_runtime.c")


def _c_string(text: str) -> str:
    return json.dumps(text)   # printable ASCII and \n only: a valid C literal as well


def generate(scenarios: Sequence[Scenario], target: str,
             expected: Sequence[Expectation] | None = None) -> str:
    """One C program running ``scenarios`` in order on ``target``; with
    ``expected`` (one per scenario, see ``expectations``) it also prints,
    after each op, ``check <i> OK`` or ``check <i> MISMATCH expected <line>``."""
    names = [s.name for s in scenarios]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ScenarioError(scenarios[0].file, "", f"two scenarios are named {dup[0]!r}")
    head = (f"/* Generated by `abicheck selftest` for {target}: do not edit. */\n"
            f"#define SELFTEST_TARGET {_c_string(target)}\n")
    parts = []
    for k, s in enumerate(scenarios):
        fills = exec_targets(s.ops)
        onstack = any(op["op"] == "sigaltstack" for op in s.ops)
        body = [f"    setup({int(onstack)});"]
        body += [f"    {_op_c(i, op, fills.get(i))}" for i, op in enumerate(s.ops)]
        desc = s.description.replace("*/", "* /")
        parts.append(f"/* {s.name}: {desc} */\nstatic void scenario_{k}(void)\n{{\n"
                     + "\n".join(body) + "\n}\n")
        if expected is not None:
            lines = ", ".join(_c_string(x) if x else "NULL" for x in expected[k].lines)
            parts.append(f"static const char *const expect_{k}[] = {{{lines or 'NULL'}}};\n")
    rows = []
    for k, s in enumerate(scenarios):
        if expected is None:
            rows.append(f"    {{{_c_string(s.name)}, scenario_{k}, NULL, 0, NULL}},")
        else:
            e = expected[k]
            killed = _c_string(e.killed) if e.killed else "NULL"
            rows.append(f"    {{{_c_string(s.name)}, scenario_{k}, expect_{k}, "
                        f"{len(e.lines)}, {killed}}},")
    table = ("static const struct {\n    const char *name;\n    void (*run)(void);\n"
             "    const char *const *expect;\n    int count;\n    const char *killed;\n"
             "} scenarios[] = {\n" + "\n".join(rows) + "\n};\n")
    return head + _runtime().replace("/* @SCENARIOS@ */", "\n".join(parts) + "\n" + table)


def load_all(paths: Iterable[str], target: str | None = None) -> tuple[str, list[Scenario]]:
    """The scenarios in ``paths`` (in that order) and the target they are
    built for: ``target`` when given, else the one the scenarios name
    (``"target"``; x86_64 when none does).  Scenarios naming different
    targets, or one without protection-key self-test support, need
    ``--target``."""
    from abicheck.errors import UsageError
    raw = [(p, read(p)) for p in paths]
    if target is None:
        named = sorted({d.get("target") for _, d in raw if isinstance(d, dict)} - {None})
        if len(named) > 1:
            raise UsageError(f"the scenarios name different targets ({', '.join(named)}): "
                             "one program is for one ABI, give --target")
        target = named[0] if named else "x86_64"
    if target not in COMPILERS:
        raise UsageError(f"the self-test is built for {', '.join(TARGETS)} (the x86 ABIs "
                         f"with protection keys), not {target}")
    return target, [load(p, target, d) for p, d in raw]
