"""(b) The siginfo matrix: every bundled revision x every target x
``check``, ``lint`` and the revision-chain ``diff``, cold (one CLI process
each) and warm (in process), next to compiling a ``_Static_assert`` offset
probe with each installed cross gcc (which answers yes or no for one ABI);
and (goal b) the default ``abicheck check``."""
from __future__ import annotations

import io
import os
import subprocess
import time
from contextlib import redirect_stdout

from benchmarks.common import PYTHON, ROOT, Row, abicheck_cli, best_of, env, timed_run

KERNEL = ("linux-4.5", "linux-4.6", "linux-6.6", "pkeys-v1", "pkeys-u32", "pkeys-u8-reserved")
LIBC = ("glibc", "musl")
CHAIN = ("linux-4.5", "linux-4.6", "linux-6.6")


def commands() -> list[list[str]]:
    """Every command of the matrix (each over every target)."""
    out = []
    for rev in KERNEL:
        out.append(["check", "--headers", rev, "-t", "all", "--exit-zero"])
        out.append(["lint", os.path.join("headers", rev), "-t", "all", "--fail-on", "error"])
    for rev in LIBC:
        out.append(["check", "--headers", rev, "-t", "all", "--exit-zero", "signal.h"])
        out.append(["lint", os.path.join("headers", rev), "-t", "all", "--fail-on", "error"])
    for old, new in zip(CHAIN, CHAIN[1:]):
        out.append(["diff", old, new, "--exit-zero"])
    return out


def _in_process(cmd: list[str]) -> float:
    from abicheck import cli
    t0 = time.perf_counter()
    with redirect_stdout(io.StringIO()):
        cli.main(cmd)
    return time.perf_counter() - t0


def _outside_front_end(cmd: list[str]) -> float:
    """Seconds of an in-process run spent outside the front end's
    ``translate_all`` (cpp and parsing): what the rest of the run costs."""
    from abicheck import api
    real, spent = api.translate_all, [0.0]

    def timed(*a, **k):
        t0 = time.perf_counter()
        try:
            return real(*a, **k)
        finally:
            spent[0] += time.perf_counter() - t0
    api.translate_all = timed
    try:
        return _in_process(cmd) - spent[0]
    finally:
        api.translate_all = real


def _probe_seconds(tmp: str) -> tuple[float, int]:
    """Each installed cross gcc compiling, per kernel revision, a probe that
    asserts si_pkey's offset (-fsyntax-only: it only answers yes or no)."""
    import sys
    sys.path.insert(0, os.path.join(ROOT, "tests"))
    from oracle.gcc import have_gcc

    from abicheck.targets import all_targets
    gccs = [tuple(t.gcc) for t in all_targets() if t.gcc and have_gcc(tuple(t.gcc))]
    src = os.path.join(tmp, "probe.c")
    with open(src, "w") as f:
        f.write("#include <stddef.h>\n#include <asm/siginfo.h>\n"
                "_Static_assert(offsetof(siginfo_t, si_code) == 8, \"si_code\");\n")
    n = 0
    t0 = time.perf_counter()
    for rev in KERNEL:
        for gcc in gccs:
            inc = os.path.join(ROOT, "headers", rev)
            subprocess.run([*gcc, "-fsyntax-only", "-I", inc, src], capture_output=True)
            n += 1
    return time.perf_counter() - t0, n


def run(quick: bool, tmp: str, log) -> list[Row]:
    cache = os.path.join(tmp, "cache-siginfo")
    cmds = commands()
    if quick:
        cmds = cmds[:2] + cmds[-1:]
    rows = []
    pass_s = best_of(3, lambda: timed_run([PYTHON, "-c", "pass"], env()))
    cold = sum(timed_run(abicheck_cli(*c), env(cache=False), ok=(0, 1))[0] for c in cmds)
    for c in cmds:                                         # fill the cache
        timed_run(abicheck_cli(*c), env(cache, cache=True), ok=(0, 1))
    warm_cache = sum(timed_run(abicheck_cli(*c), env(cache, cache=True), ok=(0, 1))[0] for c in cmds)
    os.environ["ABICHECK_CACHE_DIR"] = cache
    try:
        for c in cmds:
            _in_process(c)
        warm = sum(_in_process(c) for c in cmds)
    finally:
        del os.environ["ABICHECK_CACHE_DIR"]
    probe, n = _probe_seconds(tmp)
    log(f"siginfo: {len(cmds)} commands over every target; {n} gcc probes")
    base = f"{n} gcc -fsyntax-only _Static_assert probes (6 revisions x installed gccs)"
    rows.append(Row("siginfo", f"matrix, {len(cmds)} CLI runs, cold, no cache", cold, "s", base, probe))
    rows.append(Row("siginfo", f"matrix, {len(cmds)} CLI runs, cold, cache warm", warm_cache, "s",
                    base, probe))
    rows.append(Row("siginfo", f"matrix, {len(cmds)} runs in process, warm", warm, "s", base, probe))
    # goal (b): the default check (bundled spec and headers, every ABI)
    c_cold = best_of(3, lambda: timed_run(abicheck_cli("check"), env(cache=False)))
    timed_run(abicheck_cli("check"), env(cache, cache=True))
    c_warm_cache = best_of(3, lambda: timed_run(abicheck_cli("check"), env(cache, cache=True)))
    os.environ["ABICHECK_CACHE_DIR"] = cache
    try:
        _in_process(["check"])
        c_warm = min(_in_process(["check"]) for _ in range(3))
        c_rest = min(_outside_front_end(["check"]) for _ in range(3))
    finally:
        del os.environ["ABICHECK_CACHE_DIR"]
    rows.append(Row("siginfo", "default 'abicheck check', cold, no cache (goal < 0.3 s)",
                    c_cold, "s", "python -c pass", pass_s))
    rows.append(Row("siginfo", "default 'abicheck check', cold, cache warm", c_warm_cache, "s",
                    "python -c pass", pass_s))
    rows.append(Row("siginfo", "default 'abicheck check', warm in process (goal < 0.1 s)",
                    c_warm, "s", "python -c pass", pass_s))
    rows.append(Row("siginfo", "default 'abicheck check', warm in process, outside the front end",
                    c_rest, "s", "python -c pass", pass_s,
                    "the run less its translate_all (cpp + parsing)"))
    return rows
