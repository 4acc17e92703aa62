"""(d) Start-up: ``abicheck --help`` and a one-target ``abicheck layout`` of
siginfo_t, cold, against ``python -c pass``."""
from __future__ import annotations

import os

from benchmarks.common import PYTHON, Row, abicheck_cli, best_of, env, timed_run


def run(quick: bool, tmp: str, log) -> list[Row]:
    n = 3 if quick else 7
    base = best_of(n, lambda: timed_run([PYTHON, "-c", "pass"], env()))
    helps = best_of(n, lambda: timed_run(abicheck_cli("--help"), env()))
    lay = ["layout", "asm/siginfo.h", "-I", "headers/linux-6.6", "--type", "siginfo_t",
           "-t", "x86_64"]
    cold = best_of(n, lambda: timed_run(abicheck_cli(*lay), env(cache=False)))
    cache = os.path.join(tmp, "cache-startup")
    timed_run(abicheck_cli(*lay), env(cache))
    warm = best_of(n, lambda: timed_run(abicheck_cli(*lay), env(cache)))
    return [Row("startup", "abicheck --help (goal < 0.1 s)", helps, "s", "python -c pass", base),
            Row("startup", "abicheck layout siginfo_t, one target, no cache", cold, "s",
                "python -c pass", base),
            Row("startup", "abicheck layout siginfo_t, one target, cache warm", warm, "s",
                "python -c pass", base)]
