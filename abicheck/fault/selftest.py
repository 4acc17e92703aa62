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
``tests/fault/kernel_runs`` (format in the README, "Fault simulator: the
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
  program does not depend on the libc's wrappers; ``pkey_alloc(0, rights)``.
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

from abicheck.errors import AbicheckError

TARGETS = ("x86_64", "i386", "x32")
# target -> (compiler command, pointer bits)
COMPILERS = {
    "x86_64": (("gcc",), 64),
    "i386": (("i686-linux-gnu-gcc",), 32),
    "x32": (("x86_64-linux-gnux32-gcc",), 32),
}
RIGHTS = {"none": 0, "disable_access": 1, "disable_write": 2}   # PKEY_DISABLE_*
OPS = ("mmap", "mprotect", "pkey_mprotect", "munmap", "pkey_alloc", "pkey_free",
       "wrpkru", "sigaltstack", "access", "syscall_read_from")
_FIELDS = {  # op -> its required fields
    "mmap": ("addr", "length", "prot"), "mprotect": ("addr", "length", "prot"),
    "pkey_mprotect": ("addr", "length", "prot", "pkey"), "munmap": ("addr", "length"),
    "pkey_alloc": ("rights",), "pkey_free": ("pkey",), "wrpkru": ("value",),
    "sigaltstack": ("addr", "length"), "access": ("access", "addr"),
    "syscall_read_from": ("addr", "length"),
}
_PROT = re.compile(r"^(none|r?w?x?)$")


class ScenarioError(AbicheckError):
    """A scenario the self-test cannot perform: ``file: ops[3].pkey: error: ...``."""

    def __init__(self, file: str, path: str, msg: str) -> None:
        super().__init__(msg)
        self.file, self.path = file, path

    def __str__(self) -> str:
        from abicheck.errors import printable
        where = f"{self.file}: {self.path}" if self.path else self.file
        return printable(f"{where}: error: {self.msg}")


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: its name (the file's stem) and its ops, addresses
    and lengths already integers."""

    name: str
    file: str
    description: str
    ops: tuple[dict[str, Any], ...]


def load(path: str, target: str) -> Scenario:
    """Read and check one scenario file for ``target``: JSON, the fields each
    op needs, addresses inside the target's pointer size, x86 ops only.
    (The simulator's loader validates the full JSON Schema; the self-test
    checks what it needs to write correct C.)"""
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as e:
        raise ScenarioError(path, "", f"cannot read: {e.strerror}") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as e:
        raise ScenarioError(path, "", f"not JSON: {e}") from None
    _schema_check(path, data)
    if not isinstance(data, dict) or not isinstance(data.get("ops"), list) or not data["ops"]:
        raise ScenarioError(path, "ops", "a scenario is an object with a non-empty 'ops' list")
    bits = COMPILERS[target][1]
    ops = []
    for i, raw in enumerate(data["ops"]):
        where = f"ops[{i}]"
        if not isinstance(raw, dict) or raw.get("op") not in OPS:
            name = raw.get("op") if isinstance(raw, dict) else raw
            raise ScenarioError(path, f"{where}.op", f"unknown operation {name!r} on {target} "
                                f"(one of {', '.join(OPS)})")
        op = dict(raw)
        for field in _FIELDS[op["op"]]:
            if field not in op:
                raise ScenarioError(path, where, f"{op['op']} needs '{field}'")
        for field in ("addr", "length", "pkey", "value"):
            if field in op:
                op[field] = _integer(path, f"{where}.{field}", op[field])
        if "addr" in op and not 0 <= op["addr"] < 1 << bits:
            raise ScenarioError(path, f"{where}.addr", f"address {op['addr']:#x} does not fit "
                                f"{target}'s {bits}-bit pointers")
        if "length" in op and not 0 <= op["length"] < 1 << bits:
            raise ScenarioError(path, f"{where}.length", "length out of range")
        if "value" in op and not 0 <= op["value"] < 1 << 32:
            raise ScenarioError(path, f"{where}.value", "PKRU is a 32-bit register")
        if "prot" in op and not (isinstance(op["prot"], str) and _PROT.match(op["prot"])
                                 and op["prot"]):
            raise ScenarioError(path, f"{where}.prot", f"prot is letters of 'rwx' or 'none', "
                                f"not {op['prot']!r}")
        if op["op"] == "pkey_alloc" and op["rights"] not in RIGHTS:
            raise ScenarioError(path, f"{where}.rights", f"rights is one of {', '.join(RIGHTS)}")
        if op["op"] == "access" and op["access"] not in ("read", "write", "exec"):
            raise ScenarioError(path, f"{where}.access", "access is read, write or exec")
        ops.append(op)
    name = os.path.splitext(os.path.basename(path))[0]
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ScenarioError(path, "", "a scenario file's name is letters, digits, '_', '-', '.'")
    return Scenario(name, path, str(data.get("description", "")), tuple(ops))


def _schema_check(path: str, data: Any) -> None:
    """Validate against the package's scenario schema when it ships (helper
    "fault" owns it), so both tools refuse the same files."""
    from importlib import resources
    try:
        text = resources.files("abicheck").joinpath("schemas/scenario.schema.json").read_text()
    except (FileNotFoundError, OSError):
        return
    import jsonschema
    errors = sorted(jsonschema.Draft202012Validator(json.loads(text)).iter_errors(data),
                    key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        jpath = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in e.absolute_path)
        raise ScenarioError(path, jpath.lstrip("."), e.message)


def _integer(path: str, where: str, value: Any) -> int:
    if isinstance(value, bool):
        raise ScenarioError(path, where, "expected an integer or a '0x...' string")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"0[xX][0-9a-fA-F]+|[0-9]+", value):
        return int(value, 0)
    raise ScenarioError(path, where, f"expected an integer or a '0x...' string, not {value!r}")


def _prot(p: str) -> str:
    if p == "none":
        return "PROT_NONE"
    return "|".join({"r": "PROT_READ", "w": "PROT_WRITE", "x": "PROT_EXEC"}[c] for c in p)


def _exec_fills(ops: Sequence[dict]) -> dict[int, list[int]]:
    """mmap op index -> the exec addresses inside it: the mapping (the last
    one made before the exec access that covers the address) gets a ``ret``
    instruction there when it is made."""
    fills: dict[int, list[int]] = {}
    for i, op in enumerate(ops):
        if op["op"] == "access" and op["access"] == "exec":
            for j in range(i - 1, -1, -1):
                m = ops[j]
                if m["op"] == "mmap" and m["addr"] <= op["addr"] < m["addr"] + m["length"]:
                    fills.setdefault(j, [])
                    if op["addr"] not in fills[j]:
                        fills[j].append(op["addr"])
                    break
    return fills


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


_PRELUDE = r"""/* Generated by `abicheck selftest` from scenario files: do not edit.
 * Performs each scenario's operations on this kernel and prints what it
 * answered, one line per operation (see abicheck/fault/selftest.py). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif
#define MAP_FLAGS (MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE)
#ifndef SYS_pkey_alloc
#error "this libc's <sys/syscall.h> has no pkey system calls"
#endif

static sigjmp_buf fault_jmp;
static unsigned char fault_blob[128];
static volatile int fault_signo, fault_code;
static int have_pkru, pipe_fd[2];

static void say(const char *s)
{
    size_t n = strlen(s);
    while (n) {
        ssize_t w = write(1, s, n);
        if (w <= 0) return;
        s += w; n -= (size_t)w;
    }
}

static void ret_line(int i, long long ret, int err)
{
    char line[96];
    snprintf(line, sizeof line, "op %d ret=%lld errno=%d\n", i, ret, err);
    say(line);
}

static void fault_line(int i)
{
    static const char hex[] = "0123456789abcdef";
    char line[400];
    int n = snprintf(line, sizeof line, "op %d fault signo=%d code=%d blob=", i,
                     fault_signo, fault_code);
    for (int k = 0; k < 128; k++) {
        line[n++] = hex[fault_blob[k] >> 4];
        line[n++] = hex[fault_blob[k] & 15];
    }
    line[n++] = '\n';
    line[n] = 0;
    say(line);
}

__attribute__((used)) static void on_fault(int sig, siginfo_t *si, void *uc)
{
    (void)sig; (void)uc;
    memcpy(fault_blob, si, sizeof fault_blob);
    fault_signo = si->si_signo;
    fault_code = si->si_code;
    siglongjmp(fault_jmp, 1);
}

/* The handler's first instructions, before anything touches its stack:
 * PKRU = 0 (every key allowed), so a handler running on a stack under a key
 * the kernel's signal-entry PKRU denies can still run -- whether the kernel
 * could write the signal frame there at all is what the scenario observes.
 * WRPKRU clobbers EAX, ECX, EDX: on_fault's third argument (unused) is lost. */
__asm__(".text\n"
        ".type fault_entry_pkru, @function\n"
        "fault_entry_pkru:\n"
        "    xor %eax, %eax\n"
        "    xor %ecx, %ecx\n"
        "    xor %edx, %edx\n"
        "    .byte 0x0f, 0x01, 0xef\n"
        "    jmp on_fault\n");
void fault_entry_pkru(int, siginfo_t *, void *);

/* CPUID.(EAX=7,ECX=0):ECX bit 4 (OSPKE): the kernel enabled protection keys,
 * so RDPKRU/WRPKRU exist. */
static int cpu_ospke(void)
{
    unsigned a = 7, b, c = 0, d;
    __asm__ volatile("cpuid" : "+a"(a), "=b"(b), "+c"(c), "=d"(d));
    return (c >> 4) & 1;
}

static unsigned rdpkru(void)
{
    unsigned eax, edx;
    __asm__ volatile(".byte 0x0f,0x01,0xee" : "=a"(eax), "=d"(edx) : "c"(0));
    return eax;
}

static void wrpkru(unsigned v)
{
    __asm__ volatile(".byte 0x0f,0x01,0xef" : : "a"(v), "c"(0), "d"(0) : "memory");
}

static void drain(void)
{
    char buf[4096];
    while (read(pipe_fd[0], buf, sizeof buf) > 0)
        ;
}

#define SYSCALL(i, call) do { errno = 0; long long r_ = (long long)(call); \
    ret_line((i), r_, r_ == -1 ? errno : 0); } while (0)

/* An access: no fault prints ret=0; a fault prints the siginfo and puts
 * PKRU back as sigreturn would have. */
#define ACCESS(i, stmt) do { volatile unsigned pk_ = have_pkru ? rdpkru() : 0; \
    if (sigsetjmp(fault_jmp, 1) == 0) { stmt; ret_line((i), 0, 0); } \
    else { if (have_pkru) wrpkru(pk_); fault_line(i); } } while (0)

static void setup(int onstack)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = have_pkru ? fault_entry_pkru : on_fault;
    sa.sa_flags = SA_SIGINFO | (onstack ? SA_ONSTACK : 0);
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
    sigaction(SIGBUS, &sa, NULL);
    if (pipe2(pipe_fd, O_NONBLOCK)) { say("pipe failed\n"); _exit(3); }
}
"""

_MAIN = r"""
int main(void)
{
    static const struct { const char *name; void (*run)(void); } scenarios[] = {
%s
    };
    struct rlimit no_core = {0, 0};
    char line[256];
    setrlimit(RLIMIT_CORE, &no_core);
    have_pkru = cpu_ospke();
    snprintf(line, sizeof line, "selftest target=%s ospke=%%d\n", have_pkru);
    say(line);
    for (size_t k = 0; k < sizeof scenarios / sizeof scenarios[0]; k++) {
        int status;
        pid_t pid;
        snprintf(line, sizeof line, "scenario %%s\n", scenarios[k].name);
        say(line);
        pid = fork();
        if (pid == 0) {
            scenarios[k].run();
            _exit(0);
        }
        if (pid < 0 || waitpid(pid, &status, 0) != pid) {
            say("fork failed\n");
            return 1;
        }
        if (WIFSIGNALED(status))
            snprintf(line, sizeof line, "killed signo=%%d\nend %%s\n", WTERMSIG(status),
                     scenarios[k].name);
        else
            snprintf(line, sizeof line, "end %%s exit=%%d\n", scenarios[k].name,
                     WEXITSTATUS(status));
        say(line);
    }
    say("selftest done\n");
    return 0;
}
"""


def generate(scenarios: Sequence[Scenario], target: str) -> str:
    """One C program running ``scenarios`` in order on ``target``."""
    names = [s.name for s in scenarios]
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ScenarioError(scenarios[0].file, "", f"two scenarios are named {dup[0]!r}")
    parts = [_PRELUDE]
    for k, s in enumerate(scenarios):
        fills = _exec_fills(s.ops)
        onstack = any(op["op"] == "sigaltstack" for op in s.ops)
        body = [f"    setup({int(onstack)});"]
        body += [f"    {_op_c(i, op, fills.get(i))}" for i, op in enumerate(s.ops)]
        desc = s.description.replace("*/", "* /")
        parts.append(f"\n/* {s.name}: {desc} */\nstatic void scenario_{k}(void)\n{{\n"
                     + "\n".join(body) + "\n}\n")
    table = "\n".join(f"        {{{json.dumps(s.name)}, scenario_{k}}}," for k, s in
                      enumerate(scenarios))
    parts.append(_MAIN % (table, target))
    return "".join(parts)


# ---- reading the program's output back -----------------------------------------------

_RET = re.compile(r"op (\d+) ret=(-?\d+) errno=(\d+)")
_FAULT = re.compile(r"op (\d+) fault signo=(\d+) code=(-?\d+) blob=([0-9a-f]{256})")


class OutputError(ValueError):
    """Self-test output that is not what the program prints (a truncated
    serial log, a kernel message in the middle of a line)."""


def parse_output(text: str, scenarios: Sequence[Scenario]) -> dict[str, list[dict]]:
    """The program's output -> scenario name -> its results in the record
    format: ``{"index", "op", "ret", "errno"}`` per operation,
    ``{"index", "op", "fault": true, "signo", "code", "blob_hex"}`` for a
    faulting access (``"fault": false`` for one that did not fault), and a
    last ``{"index", "op", "killed": {"signo"}}`` when the process died in
    op ``index``.  Lines that are not the program's (kernel messages on the
    same console) are ignored; a scenario that did not finish is an error."""
    by_name = {s.name: s for s in scenarios}
    out: dict[str, list[dict]] = {}
    current: Scenario | None = None
    results: list[dict] = []
    for raw in text.splitlines():
        line = raw.strip("\r")
        if line.startswith("scenario "):
            name = line[len("scenario "):]
            if name not in by_name:
                raise OutputError(f"unknown scenario {name!r} in the output")
            current, results = by_name[name], []
            continue
        if current is None:
            continue
        m_ret, m_fault = _RET.fullmatch(line), _FAULT.fullmatch(line)
        if m_ret or m_fault:
            i = int((m_ret or m_fault).group(1))
            if i != len(results) or i >= len(current.ops):
                raise OutputError(f"{current.name}: op {i} out of order")
            op = current.ops[i]["op"]
            if m_ret:
                r: dict[str, Any] = {"index": i, "op": op}
                if op == "access":
                    r["fault"] = False
                else:
                    r["ret"], r["errno"] = int(m_ret.group(2)), int(m_ret.group(3))
            else:
                r = {"index": i, "op": op, "fault": True, "signo": int(m_fault.group(2)),
                     "code": int(m_fault.group(3)), "blob_hex": m_fault.group(4)}
            results.append(r)
        elif line.startswith("killed signo="):
            i = len(results)
            op = current.ops[i]["op"] if i < len(current.ops) else None
            results.append({"index": i, "op": op,
                            "killed": {"signo": int(line.split("=", 1)[1])}})
        elif line == f"end {current.name}" or line.startswith(f"end {current.name} exit="):
            finished = results and "killed" in results[-1]
            if not finished and len(results) != len(current.ops):
                raise OutputError(f"{current.name}: {len(results)} of {len(current.ops)} "
                                  f"results ({line})")
            out[current.name] = results
            current = None
    if current is not None:
        raise OutputError(f"{current.name}: the output ends inside the scenario")
    return out


def load_all(paths: Iterable[str], target: str) -> list[Scenario]:
    """``load`` for each path, in the order given."""
    return [load(p, target) for p in paths]
