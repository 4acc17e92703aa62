"""abicheck's layouts of real Linux headers vs a compiler, on every ABI.

For each row of the ABI table whose headers are installed (Debian's
``linux-libc-dev-<arch>-cross`` and ``libc6-dev-<arch>-cross`` under
``/usr/<multiarch triple>/include``; the host's own for amd64), abicheck's
engine and an independent oracle (libclang, or the row's cross gcc where
libclang is wrong or missing; see ``tests/oracle``) lay out the same types
from the same header text, and every member must match: path, offset, size,
bit offset and width, plus the type's size and alignment.

Headers by view:
- the kernel's ``siginfo_t`` (``<asm/siginfo.h>``) and glibc's
  (``_GNU_SOURCE`` + ``<signal.h>``, with glibc's ``struct sigaction``,
  ``stack_t`` and ``sigset_t``);
- every record ``<asm/signal.h>`` defines for the ABI, as the oracle lists
  them (x86 has no uapi ``sigset_t`` record, sparc has ``__new_sigaction``,
  parisc no ``struct sigaction``: discovered, not assumed);
- uapi records chosen for bitfields, unions, packed and aligned attributes
  and endian-dependent bitfield order.

ABIs without a Debian architecture of their own (arm OABI, 31-bit s390, 32-bit
sparc, riscv32) borrow the headers of the Debian architecture of the same
kernel arch (armel, s390x, sparc64, riscv64).  That is sound for the uapi
view: Debian installs the kernel's ``make headers_install`` output for the
kernel arch, which picks per-ABI definitions by compiler macros
(``__s390x__``, ``__arch64__``, ``__ARM_EABI__``, ``__riscv_xlen``).  glibc's
headers are per Debian architecture; where the borrowed ones do not compile
for the ABI (gnu/stubs-<abi>.h missing) the oracle says so and the case is
skipped; where they do, engine and compiler still read the same text.
loongarch64 and ia64 have no Debian 12 cross headers at all: skipped.

A case is skipped (with the reason) when no oracle exists for the ABI here or
the oracle rejects the headers; it fails when abicheck disagrees or errors.
"""
from __future__ import annotations

import json
import functools
import os
from itertools import zip_longest

import pytest

from abicheck.targets import Target, all_targets, get_target
from oracle import MEMBER_KEYS, NoOracle, OracleError, compiler_include_dir, pick_oracle

pytestmark = pytest.mark.oracle

#: Debian architecture -> multiarch triple, the directory under /usr that
#: its cross header packages install into.
DEBIAN_MULTIARCH = {
    "amd64": "x86_64-linux-gnu", "i386": "i686-linux-gnu", "x32": "x86_64-linux-gnux32",
    "arm64": "aarch64-linux-gnu", "armhf": "arm-linux-gnueabihf", "armel": "arm-linux-gnueabi",
    "riscv64": "riscv64-linux-gnu", "ppc64el": "powerpc64le-linux-gnu",
    "ppc64": "powerpc64-linux-gnu", "powerpc": "powerpc-linux-gnu", "s390x": "s390x-linux-gnu",
    "mips": "mips-linux-gnu", "mipsel": "mipsel-linux-gnu", "mips64": "mips64-linux-gnuabi64",
    "mips64el": "mips64el-linux-gnuabi64", "mipsn32": "mips64-linux-gnuabin32",
    "sparc64": "sparc64-linux-gnu", "alpha": "alpha-linux-gnu", "hppa": "hppa-linux-gnu",
    "m68k": "m68k-linux-gnu", "sh4": "sh4-linux-gnu", "loong64": "loongarch64-linux-gnu",
    "ia64": "ia64-linux-gnu",
}
#: kernel arch -> Debian architecture whose headers a row without a Debian
#: architecture borrows (see the module docstring).
BORROW = {"arm": "armel", "s390": "s390x", "sparc": "sparc64", "riscv": "riscv64"}

UAPI_SIGINFO = "#include <asm/siginfo.h>\n"
GLIBC_SIGNAL = "#define _GNU_SOURCE\n#include <signal.h>\n"
GLIBC_SIGNAL_TYPES = ["siginfo_t", "struct sigaction", "stack_t", "sigset_t"]
ASM_SIGNAL = "#include <asm/signal.h>\n"
ASM_SIGNAL_FILES = ("asm/signal.h", "asm-generic/signal.h", "asm-generic/signal-defs.h")

UAPI_RECORDS = [
    pytest.param("linux/perf_event.h", ["struct perf_event_attr", "struct perf_event_mmap_page"],
                 id="perf_event"),                                  # bitfields, anon unions
    pytest.param("linux/stat.h", ["struct statx"], id="statx"),
    pytest.param("linux/input.h", ["struct input_event", "struct input_absinfo"],
                 id="input"),                                       # via glibc sys/time.h
    pytest.param("linux/eventpoll.h", ["struct epoll_event"], id="epoll"),  # packed on x86_64
    pytest.param("linux/bpf.h", ["union bpf_attr", "struct bpf_insn"], id="bpf"),
    pytest.param("linux/ip.h", ["struct iphdr"], id="iphdr"),        # endian-ordered bitfields
    pytest.param("linux/tcp.h", ["struct tcphdr"], id="tcphdr"),
    pytest.param("linux/if_ether.h", ["struct ethhdr"], id="ethhdr"),  # packed
    pytest.param("linux/inotify.h", ["struct inotify_event"], id="inotify"),  # flexible array
]


def _debian_dirs(arch: str | None) -> list[str] | None:
    triple = DEBIAN_MULTIARCH.get(arch or "")
    if triple is None:
        return None
    if arch == "amd64":
        dirs = [f"/usr/include/{triple}", "/usr/include"]
    else:
        dirs = [f"/usr/{triple}/include"]
    return dirs if os.path.isdir(os.path.join(dirs[0], "asm")) else None


def header_dirs(target: Target) -> tuple[list[str], str]:
    """Include directories of the Debian headers for ``target``, and a note
    when they are borrowed; skips when none are installed."""
    dirs = _debian_dirs(target.debian_arch)
    if dirs:
        return dirs, ""
    sibling = BORROW.get(target.kernel_arch)
    if target.debian_arch in DEBIAN_MULTIARCH or sibling is None:
        pytest.skip(f"{target.name}: no Debian cross headers installed for "
                    f"{target.debian_arch or 'this ABI'} (linux-libc-dev-<arch>-cross)")
    dirs = _debian_dirs(sibling)
    if not dirs:
        pytest.skip(f"{target.name}: would borrow Debian {sibling} headers; not installed")
    return dirs, f" (headers borrowed from Debian {sibling})"


def _oracle(target: Target):
    try:
        return pick_oracle(target)
    except NoOracle as e:
        pytest.skip(str(e))


def _oracle_dirs(dirs: list[str]) -> list[str]:
    cc = compiler_include_dir()
    if cc is None:
        pytest.skip("no host gcc: the oracles need its stddef.h")
    return [cc, *dirs]


@functools.cache
def _oracle_layouts(name: str, source: str, types: tuple[str, ...], dirs: tuple[str, ...]):
    oracle = pick_oracle(get_target(name))
    try:
        return oracle.layout(source, types, include_dirs=_oracle_dirs(list(dirs)))
    except OracleError as e:
        return e


@functools.cache
def _oracle_records(name: str, source: str, dirs: tuple[str, ...]):
    try:
        return pick_oracle(get_target(name)).records(source, ASM_SIGNAL_FILES,
                                           include_dirs=_oracle_dirs(list(dirs)))
    except OracleError as e:
        return e


def _ours(source: str, types: list[str], target: Target, dirs: list[str]) -> dict[str, dict]:
    from abicheck.api import layout_source

    # abicheck gets the Debian directories only: it brings its own stddef.h.
    return {t: lay.to_json() for t, lay in zip(types, layout_source(source, types, target,
                                                                      include_dirs=dirs))}


def _pick(m: dict | None) -> dict | None:
    return None if m is None else {k: m.get(k) for k in MEMBER_KEYS}


def first_difference(ours: dict, theirs: dict) -> str | None:
    """A one-line account of where two layouts of one type part, or None."""
    problems = []
    if (ours["size"], ours["align"]) != (theirs["size"], theirs["align"]):
        problems.append(f"size/align: abicheck {ours['size']}/{ours['align']} "
                        f"!= oracle {theirs['size']}/{theirs['align']}")
    for i, (a, b) in enumerate(zip_longest(ours["members"], theirs["members"])):
        a, b = _pick(a), _pick(b)
        if a != b:
            path = (a or b)["path"]
            problems.append(f"first differing member #{i} '{path}': abicheck {a} != oracle {b}")
            break
    return "; ".join(problems) or None


def compare(target: Target, source: str, types: list[str], view: str) -> None:
    dirs, note = header_dirs(target)
    oracle = _oracle(target)
    theirs = _oracle_layouts(target.name, source, tuple(types), tuple(dirs))
    if isinstance(theirs, OracleError):
        pytest.skip(f"{target.name}: {oracle} rejects {view}{note}: "
                    f"{str(theirs).splitlines()[0][:300]}")
    try:
        ours = _ours(source, types, target, dirs)
    except Exception as e:  # an engine error is a failure, with its message
        pytest.fail(f"{target.name}: abicheck cannot lay out {', '.join(types)} from {view}"
                    f"{note}: {type(e).__name__}: {e}")
    failures = []
    for t in types:
        diff = first_difference(ours[t], theirs[t])
        if diff:
            failures.append(f"{target.name}: {t} ({view}{note}, oracle {oracle}): {diff}")
    assert not failures, "\n".join(failures)


TARGETS = [pytest.param(t, id=t.name) for t in all_targets()]


@pytest.mark.parametrize("target", TARGETS)
def test_uapi_siginfo(target):
    compare(target, UAPI_SIGINFO, ["siginfo_t"], "<asm/siginfo.h>")


@pytest.mark.parametrize("target", TARGETS)
def test_glibc_signal(target):
    compare(target, GLIBC_SIGNAL, GLIBC_SIGNAL_TYPES, "glibc <signal.h>")


@pytest.mark.parametrize("target", TARGETS)
def test_uapi_asm_signal_records(target):
    dirs, note = header_dirs(target)
    oracle = _oracle(target)
    found = _oracle_records(target.name, ASM_SIGNAL, tuple(dirs))
    if isinstance(found, OracleError):
        pytest.skip(f"{target.name}: {oracle} rejects <asm/signal.h>{note}: "
                    f"{str(found).splitlines()[0][:300]}")
    if not found:
        pytest.skip(f"{target.name}: <asm/signal.h> defines no records{note}")
    compare(target, ASM_SIGNAL, found, "<asm/signal.h>")


@pytest.mark.parametrize("header,types", UAPI_RECORDS)
@pytest.mark.parametrize("target", TARGETS)
def test_uapi_records(target, header, types):
    compare(target, f"#include <{header}>\n", types, f"<{header}>")


@pytest.mark.parametrize("target", TARGETS)
def test_layout_command_line(target, capsys):
    """The command a newcomer types, exactly:
    ``abicheck layout asm/siginfo.h --type siginfo_t --target T -I /usr/<triple>/include``
    (JSON output), against the oracle."""
    from abicheck.cli import main

    dirs, note = header_dirs(target)
    oracle = _oracle(target)
    theirs = _oracle_layouts(target.name, UAPI_SIGINFO, ("siginfo_t",), tuple(dirs))
    if isinstance(theirs, OracleError):
        pytest.skip(f"{target.name}: {oracle} rejects <asm/siginfo.h>{note}")
    argv = ["layout", "asm/siginfo.h", "--type", "siginfo_t", "--target", target.name]
    for d in dirs:
        argv += ["-I", d]
    code = main(argv + ["--format", "json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    (result,) = json.loads(out)["results"]
    assert result["target"] == target.name
    diff = first_difference(result["types"][0], theirs["siginfo_t"])
    assert diff is None, f"{target.name}{note}, oracle {oracle}: {diff}"
    # and the text form renders without an accounting error
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "/* size: 128," in text and "BRAIN FART" not in text
