"""The names ``decode`` gives si_errno, si_syscall and si_arch
(data/strace_names.json, written by tools/gen_strace_names.py through
abicheck's front end) against each ABI's own Debian headers read by gcc's
preprocessor (``-dD``, the definitions in order, evaluated here), and the
rendered line on each ABI with numbers taken from those headers.  The
x86_64 lines are compared with the real strace in tests/blobs/test_strace.py.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import struct
import subprocess

import pytest

from abicheck.blobs import strace_names
from abicheck.cli import main
from abicheck.targets import all_targets, get_target
from debian_headers import include_dirs
from kernel_facts import SIGINFO_OFFSETS, abi_class

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")

_DEFINE = re.compile(r"^#define ([A-Za-z_]\w*) (.*)$")
_MARKER = re.compile(r'^# \d+ "([^"]*)"')


def _headers_of(t):
    """The ABI's Debian headers, else those of an ABI of its kernel arch
    (as the generator reads them), else None."""
    for s in [t, *all_targets()]:
        if s.kernel_arch == t.kernel_arch and include_dirs(s, "asm/unistd.h"):
            return include_dirs(s, "asm/unistd.h")
    return None


@functools.lru_cache(maxsize=None)
def _defines(name: str, header: str) -> tuple[tuple[str, str, str], ...]:
    """(file, macro, body) of every object-like macro gcc's cpp defines
    reading ``header`` for ABI ``name`` (its predefined macros from the
    table, which tests/test_targets.py holds to its gcc's)."""
    t = get_target(name)
    dirs = _headers_of(t)
    args = ["gcc", "-E", "-dD", "-undef", "-nostdinc", "-x", "c"]
    args += [f"-D{k}={v}" for k, v in t.macros.items()]
    args += [f"-I{d}" for d in dirs] + ["-"]
    out = subprocess.run(args, input=f"#include <{header}>\n", capture_output=True, text=True,
                         check=True).stdout
    where, found = "", []
    for line in out.splitlines():
        m = _MARKER.match(line)
        if m:
            where = m.group(1)
            continue
        m = _DEFINE.match(line)
        if m and where not in ("<built-in>", "<command-line>", "<stdin>"):
            found.append((where, m.group(1), m.group(2).strip()))
    return tuple(found)


def _evaluate(defs: tuple) -> dict[str, int]:
    """Each macro whose body is integer arithmetic over numbers and such
    macros, evaluated (numbers' U/L suffixes dropped)."""
    bodies = {n: b for _, n, b in defs}
    values: dict[str, int] = {}

    def value(name: str, depth: int = 0) -> int | None:
        if name in values:
            return values[name]
        body = bodies.get(name)
        if body is None or depth > 20:
            return None
        expr = re.sub(r"\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\b", r"\1", body)
        for ident in set(re.findall(r"(?<!\w)[A-Za-z_]\w*", expr)):
            v = value(ident, depth + 1)
            if v is None:
                return None
            expr = re.sub(rf"(?<!\w){ident}\b", str(v), expr)
        if not re.fullmatch(r"[0-9a-fA-FxX+\-|<>()\s]*", expr) or not expr.strip():
            return None
        values[name] = eval(expr)           # only digits and + - | << >> ( ) remain
        return values[name]

    for _, n, _ in defs:
        value(n)
    return values


def _expected(name: str, header: str, keep) -> dict[str, str]:
    defs = _defines(name, header)
    vals = _evaluate(defs)
    out: dict[str, str] = {}
    for where, macro, body in defs:
        if keep(where, macro, body) and macro in vals:
            out.setdefault(str(vals[macro]), macro)
    return dict(sorted(out.items(), key=lambda kv: int(kv[0])))


def _errno(where, macro, body) -> bool:
    # a literal number: an alias (EWOULDBLOCK EAGAIN) is not the name strace prints
    return "errno" in os.path.basename(where) and macro.startswith("E") \
        and re.fullmatch(r"\d+", body) is not None


def _syscall(where, macro, body) -> bool:
    return re.fullmatch(r"__NR_[a-z0-9_]+|__ARM_NR_[a-z0-9_]+", macro) is not None \
        and macro not in ("__NR_syscalls", "__ARM_NR_BASE")


WITH_HEADERS = [t for t in all_targets() if _headers_of(t)]


@pytest.mark.parametrize("t", WITH_HEADERS, ids=lambda t: t.name)
def test_errno_and_syscall_names_are_the_headers(t):
    for kind, header, keep in (("errno", "asm/errno.h", _errno),
                               ("syscalls", "asm/unistd.h", _syscall)):
        want = _expected(t.name, header, keep)
        assert len(want) > (100 if kind == "errno" else 250), (t.name, kind)
        assert strace_names._table(t.name, kind) == want, (t.name, kind)


def test_audit_arch_names_are_the_headers():
    if not include_dirs(get_target("x86_64"), "linux/audit.h"):
        pytest.skip("no host linux/audit.h")
    want = _expected("x86_64", "linux/audit.h", lambda w, m, b: m.startswith("AUDIT_ARCH_"))
    assert len(want) > 40 and strace_names._data()["audit_arch"] == want
    # every row's AUDIT_ARCH is one of them
    assert {t.audit_arch for t in all_targets()} <= set(want.values())


def test_abis_without_headers_print_numbers(capsys):
    # no Debian headers for loongarch64's kernel arch here: no names, numbers as strace's fallback
    t = get_target("loongarch64")
    if _headers_of(t):
        pytest.skip("loongarch headers installed")
    assert strace_names.errno_text(t, 14) == "14"
    assert strace_names.syscall_text(t, 64, 0xC0000102) == "64"


def _blob(t, signo: int, errno: int, code: int, at: dict[str, tuple[str, int]]) -> bytes:
    """A siginfo packed at the kernel's offsets: signo, errno, code (MIPS:
    signo, code, errno), then fields at tests/kernel_facts.py's offsets."""
    bo = ">" if t.byte_order == "big" else "<"
    b = bytearray(128)
    first = (signo, code, errno) if t.kernel_arch == "mips" else (signo, errno, code)
    struct.pack_into(bo + "iii", b, 0, *first)
    for name, (fmt, v) in at.items():
        struct.pack_into(bo + fmt, b, SIGINFO_OFFSETS[abi_class(t)][name]
                         if name in SIGINFO_OFFSETS[abi_class(t)] else at_offset(t, name), v)
    return bytes(b)


def at_offset(t, name: str) -> int:
    """si_syscall and si_arch follow si_call_addr (a pointer, then an int)."""
    base = SIGINFO_OFFSETS[abi_class(t)]["si_call_addr"] + t.pointer_size
    return {"si_syscall": base, "si_arch": base + 4}[name]


def _decode(capsys, t, blob: bytes) -> str:
    assert main(["decode", "--hex", blob.hex(), "--target", t.name]) == 0
    return capsys.readouterr().out.rstrip("\n")


@pytest.mark.parametrize("t", WITH_HEADERS, ids=lambda t: t.name)
def test_rendered_lines_name_what_the_headers_number(capsys, t):
    vals = _evaluate(_defines(t.name, "asm/errno.h"))
    line = _decode(capsys, t, _blob(t, 11, vals["EDQUOT"], 1, {}))
    assert line == "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_errno=EDQUOT, si_addr=NULL}"
    signals = _evaluate(_defines(t.name, "asm/signal.h"))
    audit = _evaluate(_defines("x86_64", "linux/audit.h"))
    nr = _evaluate(_defines(t.name, "asm/unistd.h"))["__NR_getpid"]
    blob = _blob(t, signals["SIGSYS"], 0, 1, {"si_syscall": ("i", nr),
                                               "si_arch": ("I", audit[t.audit_arch])})
    assert _decode(capsys, t, blob) == ("{si_signo=SIGSYS, si_code=SYS_SECCOMP, si_call_addr=NULL, "
                                        f"si_syscall=__NR_getpid, si_arch={t.audit_arch}}}")


def test_strace_personalities_are_compat_abis_of_the_kernel():
    # a personality strace decodes besides the native one is one of the
    # row's compat ABIs (the target table's own word for what that kernel
    # runs); x32's i386 is the x86_64 kernel's, which runs both
    for native, others in strace_names.PERSONALITIES.items():
        t = get_target(native)
        for name in others:
            assert get_target(name).audit_arch, (native, name)
            assert name in (t.compat if native != "x32" else get_target("x86_64").compat), \
                (native, name)
