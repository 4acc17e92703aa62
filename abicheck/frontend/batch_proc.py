"""The gcc process of a batch (``batch``): its command line and a bounded run.

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
import time

from abicheck import limits
from abicheck.frontend.cpp_process import outputs, started, watch
from abicheck.frontend.preprocess import command_macros, gcc_args  # noqa: F401 (batch uses them)


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
