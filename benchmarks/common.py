"""What every benchmark section shares: timing, rows of the table, the
environment the measured processes run in."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYTHON = sys.executable
TESTS = os.path.join(ROOT, "tests")


@dataclass
class Row:
    """One figure next to its baseline.  ``speed`` is how many times faster
    than the baseline ours is (above 1: faster), whatever the unit."""

    section: str
    what: str
    value: float
    unit: str                 # "s" (lower is better) or "/s" (higher is better)
    baseline: str
    base_value: float | None
    note: str = ""

    @property
    def speed(self) -> float | None:
        if not self.base_value or not self.value:
            return None
        return self.base_value / self.value if self.unit == "s" else self.value / self.base_value

    def to_json(self) -> dict:
        d = asdict(self)
        d["speed_vs_baseline"] = self.speed
        return d


def env(cache_dir: str | None = None, cache: bool = True, **extra: str) -> dict[str, str]:
    """The environment of a measured process: this checkout's abicheck and
    the test oracles importable, the cache where we say (never ~/.cache)."""
    e = dict(os.environ)
    e["PYTHONPATH"] = os.pathsep.join([ROOT, TESTS])
    # an installed abicheck runs from compiled bytecode (pip writes the .pyc
    # files): a measured process that may not write or read __pycache__
    # compiles every module it imports on every start (~30 ms of a check)
    e.pop("PYTHONDONTWRITEBYTECODE", None)
    if cache_dir:
        e["ABICHECK_CACHE_DIR"] = cache_dir
    e["ABICHECK_CACHE"] = "1" if cache else "0"
    e.update(extra)
    return e


def timed_run(args: list[str], environ: dict[str, str], ok=(0,), stdin: str | None = None
              ) -> tuple[float, subprocess.CompletedProcess]:
    """Wall-clock seconds of one process run to completion."""
    t0 = time.perf_counter()
    res = subprocess.run(args, env=environ, capture_output=True, text=True, input=stdin,
                         cwd=ROOT)
    dt = time.perf_counter() - t0
    if res.returncode not in ok:
        raise RuntimeError(f"{' '.join(args[:6])}...: exit {res.returncode}: {res.stderr[-500:]}")
    return dt, res


def cpu_timed_run(args: list[str], environ: dict[str, str]
                  ) -> tuple[float, float, subprocess.CompletedProcess]:
    """(wall-clock seconds, CPU seconds, result) of one process run to
    completion; the CPU time is the process's and everything it started
    and waited for (cpp, a forked helper), user and system."""
    import resource
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    dt, res = timed_run(args, environ)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return dt, cpu, res


def best_of(n: int, fn) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def abicheck_cli(*args: str) -> list[str]:
    return [PYTHON, "-m", "abicheck", *args]
