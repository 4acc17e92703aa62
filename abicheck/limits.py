"""Bounds on what one run may cost, and the include confinement policy.

abicheck reads headers it did not write (a pull request, a vendor tree), so
every resource an input can make it spend has a ceiling, and every ceiling
is an error with a place, never a hang, a crash or a silent truncation:

=============  =========  ====================================================
name           default    what it bounds
=============  =========  ====================================================
input-size     16 MiB     bytes of any one file the preprocessor reads
cpp-output     8 MiB      bytes of preprocessed text (macro expansion bombs)
cpp-timeout    30         CPU seconds one preprocessor run may take (wall: 4x)
nesting        256        depth of ``( [ {`` nesting in the preprocessed text
=============  =========  ====================================================

The defaults leave a wide margin: the largest real translation units
(glibc's ``stdlib.h``, ``sys/socket.h`` and the biggest uapi headers
together) preprocess to about 0.5 MiB in a few milliseconds, while an
exponential macro reaches 8 MiB in a few seconds of CPU (gcc writes such
expansions at only about 3 MiB/s).  ``nesting`` is clang's ``-fbracket-depth`` default; gcc has no limit, but no
real header comes near it (the deepest uapi header nests fewer than 10).
Object sizes are not a tunable: an array or record larger than the target's
``PTRDIFF_MAX`` is an error because gcc itself rejects it ("size of array is
too large", "type is too large"); see ``layout/engine.py``.

On the command line every limit is raised (or lowered) with ``--limit
NAME=VALUE``; sizes take a ``K``/``M``/``G`` suffix.  Library callers use
``with limits.use(Limits(...)):``.  The active limits are one module-level
value rather than an argument threaded through every stage: the preprocessor
is run from several places (the macro table runs it again), and a bound must
hold for all of them.
"""
from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from dataclasses import dataclass
from typing import Iterator

from abicheck.errors import UsageError

_SIZE = re.compile(r"^(\d+)([KMG]?)(?:i?B)?$", re.I)
_UNITS = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}


@dataclass(frozen=True, slots=True)
class Limits:
    """Every bound of one run; see the module docstring for the meaning."""

    input_size: int = 16 << 20
    cpp_output: int = 8 << 20
    cpp_timeout: float = 30.0
    nesting: int = 256
    #: ``--allow-include-outside``: let ``#include`` leave the include roots
    allow_include_outside: bool = False
    #: parallel preprocessor processes (``-j``; env ``ABICHECK_JOBS``); 0: automatic
    jobs: int = 0

    def with_options(self, items: list[str]) -> "Limits":
        """A copy with ``NAME=VALUE`` settings applied (``--limit``)."""
        changes: dict[str, object] = {}
        for item in items:
            name, sep, value = item.partition("=")
            field = name.strip().replace("-", "_")
            if not sep or field not in TUNABLE:
                raise UsageError(f"bad --limit '{item}' (NAME=VALUE with NAME one of "
                                 f"{', '.join(n.replace('_', '-') for n in TUNABLE)})")
            changes[field] = TUNABLE[field](value.strip(), item)
        return dataclasses.replace(self, **changes)


def _size(value: str, item: str) -> int:
    m = _SIZE.match(value)
    if not m or int(m.group(1)) <= 0:
        raise UsageError(f"bad --limit '{item}': expected a positive size such as 4096, 512K or 64M")
    return int(m.group(1)) * _UNITS[m.group(2).upper()]


def _seconds(value: str, item: str) -> float:
    try:
        v = float(value)
    except ValueError:
        v = -1.0
    if not v > 0 or v != v or v == float("inf"):
        raise UsageError(f"bad --limit '{item}': expected a positive number of seconds")
    return v


def _count(value: str, item: str) -> int:
    if not value.isdigit() or int(value) <= 0:
        raise UsageError(f"bad --limit '{item}': expected a positive integer")
    return int(value)


TUNABLE = {"input_size": _size, "cpp_output": _size, "cpp_timeout": _seconds, "nesting": _count}

_active = Limits()


def active() -> Limits:
    """The limits in force now."""
    return _active


@contextlib.contextmanager
def use(limits: Limits) -> Iterator[Limits]:
    """Run a block under ``limits`` (restored afterwards, even on error)."""
    global _active
    old, _active = _active, limits
    try:
        yield limits
    finally:
        _active = old


def env_jobs() -> int:
    """``ABICHECK_JOBS``: 0 when unset or empty; a value that is not a positive
    integer (ASCII digits) is the usage error ``-j`` gives, not silently 1."""
    import re
    from abicheck.errors import UsageError
    env = os.environ.get("ABICHECK_JOBS", "").strip()
    if not env:
        return 0
    if not re.fullmatch(r"[0-9]{1,6}", env, re.ASCII) or int(env) <= 0:
        raise UsageError(f"ABICHECK_JOBS='{env}': expected a positive integer")
    return int(env)


def jobs() -> int:
    """How many preprocessor processes may run at once: ``Limits.jobs``, else
    ``ABICHECK_JOBS``, else min(8, CPUs).  Output never depends on it."""
    n = _active.jobs
    if n <= 0:
        n = env_jobs() or min(8, os.cpu_count() or 2)
    return n


def recursion_needed(limits: Limits) -> int:
    """A Python recursion limit that lets the parser and layout reach
    ``limits.nesting`` levels (pycparser spends about 9 frames per level
    of parentheses) with room to spare."""
    return 2000 + 12 * limits.nesting
