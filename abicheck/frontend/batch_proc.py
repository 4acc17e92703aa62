"""The gcc process of a batch (``batch``): its command line, a bounded run,
and which header each of its diagnostics belongs to.

The command line is the one ``preprocess`` gives a header alone
(``preprocess.command_macros``, ``preprocess.gcc_args``), or the batch's
output could not equal a run's own; the bounds
(``cpp-output``, ``cpp-timeout``) are each header's, not the batch's: a
header past one is stopped, and then runs alone, where the bound is
applied exactly as always.  Starting, watching and killing cpp are
``cpp_process``'s (``started``, ``watch``); only what a bound measures
differs.
"""
from __future__ import annotations

import os
import re
import time

from abicheck import limits
from abicheck.frontend.cpp_process import outputs, started, watch
from abicheck.frontend.preprocess import command_macros, gcc_args  # noqa: F401 (batch uses them)

#: what gcc says of a reset's ``#undef`` of a ``__STDC_`` macro (``diagnostics``)
_UNDEFINING = re.compile(r'<stdin>:\d+:\d+: warning: undefining "(__STDC_\w*)"$', re.A)


def run(args: list[str], stdin: bytes, lim: limits.Limits, sep: bytes
         ) -> tuple[bool, int, bytes, bytes]:
    """(killed, exit status, stdout, stderr) of a batch.  Like
    ``cpp_process.run_bounded``, but the bounds apply to each part: the
    output and the CPU time since the last separator ``sep``; past one,
    cpp is killed and what it wrote so far is returned."""
    with started(args, stdin) as (proc, out, err):
        # a part past a bound runs alone, where the bound is applied
        # exactly: here wall time since the last separator stands for
        # its CPU time (never less)
        seen = mark = 0                     # bytes searched; offset of the last separator
        mark_time = time.monotonic()

        def over(size: int) -> str | None:
            nonlocal seen, mark, mark_time
            if size > seen:
                back = min(seen, len(sep))
                chunk = os.pread(out.fileno(), size - seen + back, seen - back)
                at = chunk.rfind(sep)
                if at >= 0:
                    mark, mark_time = seen - back + at, time.monotonic()
                seen = size
            if size - mark > lim.cpp_output or time.monotonic() > mark_time + lim.cpp_timeout:
                return "a part passed a bound"
            return None

        killed = watch(proc, out, over) is not None
        return (killed, proc.returncode, *outputs(out, err))


def diagnostics(stderr: str, nonce: str, n: int, restore: dict[str, str]
                ) -> tuple[list[bool], list[bool]]:
    """Which parts, and which resets after a part, printed anything.  A
    reset's ``undefining "__STDC_..."`` is no sign of trouble: gcc says it
    of every ``#undef`` of a ``__STDC_`` macro a file defined (glibc's
    stdc-predef.h), and the flag behind it is set again by every later
    ``#define`` of the name, the only time it is read (not said of a
    command-line macro: those are restored)."""
    diag, reset = [False] * (n + 1), [False] * (n + 1)
    sep = re.compile(rf"^<stdin>:\d+:\d+: warning: #warning abicheck_(split|reset) {nonce} (\d+) \[-Wcpp\]$")
    where, k = diag, 0
    for line in stderr.splitlines():
        if line.startswith(("<command-line>:", "<built-in>:")):
            continue                    # said of the command line: in every run alike
        if where is reset:
            m = _UNDEFINING.match(line)
            if m and m.group(1) not in restore:
                continue
        m = sep.match(line)
        if m:
            k = int(m.group(2))
            where, k = (reset, k) if m.group(1) == "split" else (diag, k + 1)
            continue
        where[min(k, n)] = True
    return diag, reset
