"""Running cpp as a bounded child process.

Why a module of its own: the bounds are the part of preprocessing that
hostile input exercises (``abicheck.limits``), and both the one-header
runs (``preprocess``) and the batched runs (``batch_proc``) apply them.
cpp runs with an argument list, never a shell, in a scrubbed environment
(``CPATH``, ``DEPENDENCIES_OUTPUT`` and friends would add include
directories or write files) and the C locale, in a session of its own so
that killing it kills cc1 too; it is stopped past ``cpp-timeout`` seconds
of CPU time or ``cpp-output`` bytes of output, and the error says where it
was (the last line marker it wrote).
"""
from __future__ import annotations

import contextlib
import os
import re
import select
import signal
import subprocess
import tempfile
import threading
import time
from typing import IO, Callable, Iterator

from abicheck import limits
from abicheck.errors import LimitError, SourceLoc, UsageError
from abicheck.frontend.cpp_output import MAIN, _unescape


def _cpp_env() -> dict[str, str]:
    """The environment cpp runs in: a search path and the C locale, nothing
    else (CPATH, C_INCLUDE_PATH, GCC_EXEC_PREFIX, DEPENDENCIES_OUTPUT,
    SUNPRO_DEPENDENCIES, LANG would change what it reads, writes or says)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C"}
    if "TMPDIR" in os.environ:
        env["TMPDIR"] = os.environ["TMPDIR"]
    return env


def run_bounded(args: list[str], stdin: bytes, lim: limits.Limits) -> tuple[int, bytes, bytes]:
    """Run ``args`` (never through a shell) feeding ``stdin``; return (exit
    status, stdout, stderr).  Killed, with a ``LimitError`` located at the
    last line marker it wrote, past ``lim.cpp_timeout`` seconds or
    ``lim.cpp_output`` bytes of output.  Output goes to unlinked temporary
    files, so a runaway expansion costs disk, never our memory."""
    too_big = (f"the preprocessed text exceeds {lim.cpp_output} bytes (a macro expands "
               "too far?); raise the bound with --limit cpp-output=SIZE")
    too_long = (f"preprocessing took longer than {lim.cpp_timeout:g} s (a macro expands "
                "too far?); raise the bound with --limit cpp-timeout=SECONDS")
    with started(args, stdin) as (proc, out, err):
        # cpp-timeout counts cpp's CPU time, so a loaded CI machine does not
        # fail a run that merely waited; a run that neither works nor ends
        # (a FIFO it reads from) is stopped at WALL_FACTOR times the bound
        begun = time.monotonic()
        deadline = begun + WALL_FACTOR * lim.cpp_timeout

        def over(size: int) -> str | None:
            if size > lim.cpp_output:
                return too_big
            now = time.monotonic()
            if now >= deadline or (now > begun + 1.0 and _cpu_seconds(proc.pid) > lim.cpp_timeout):
                return too_long
            return None

        why = watch(proc, out, over)
        if why is None and os.fstat(out.fileno()).st_size > lim.cpp_output:
            why = too_big                   # written between the last look and the end
        if why:
            raise LimitError(why, _last_marker(out))
        return (proc.returncode, *outputs(out, err))


@contextlib.contextmanager
def started(args: list[str], stdin: bytes) -> Iterator[tuple[subprocess.Popen, IO[bytes], IO[bytes]]]:
    """cpp started on ``args`` with ``stdin`` written and closed: (process,
    stdout file, stderr file).  Whatever leaves the block, cpp is not left
    running (killed with everything it started)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            # its own session: killing it must kill cc1 too, which gcc's
            # driver leaves running (writing a bomb's output) when killed alone
            proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=out, stderr=err,
                                    env=_cpp_env(), close_fds=True, start_new_session=True)
        except OSError as e:
            raise UsageError(f"cannot run the preprocessor '{args[0]}': {e.strerror}") from None
        try:
            try:
                proc.stdin.write(stdin)
                proc.stdin.close()
            except BrokenPipeError:
                pass
            yield proc, out, err
        finally:
            if proc.poll() is None:         # an exception, or a caller that did not wait
                _kill(proc)


def watch(proc: subprocess.Popen, out: IO[bytes], over: Callable[[int], str | None]) -> str | None:
    """Wait for ``proc`` to end, asking ``over`` (given the size of its
    output so far) five times a second whether a bound is passed; when it
    says why, cpp is killed and that reason returned (None: cpp ended).

    One loop for a one-header run (the bounds are the run's) and a batch
    (``batch_proc``: they are each part's), so both wake, cancel and kill
    alike.  ``Cancelled`` when ``translate_all`` gave up on the run."""
    stop = getattr(_cancel, "event", None)
    while not _exited(proc, 0.2):
        if stop is not None and stop.is_set():
            raise Cancelled()               # started() kills cpp on the way out
        why = over(os.fstat(out.fileno()).st_size)
        if why:
            _kill(proc)
            return why
    return None


def outputs(out: IO[bytes], err: IO[bytes]) -> tuple[bytes, bytes]:
    """All cpp wrote to stdout and stderr."""
    out.seek(0)
    err.seek(0)
    return out.read(), err.read()


WALL_FACTOR = 4


def _exited(proc: subprocess.Popen, timeout: float) -> bool:
    """Wait up to ``timeout`` seconds for ``proc`` to end; True when it has.

    Woken the moment it ends (a pidfd, Linux 5.3+): ``Popen.wait(timeout)``
    polls with growing sleeps, which made a 7 ms cpp run cost 15 ms.
    Elsewhere, that polling wait."""
    fd = _pidfd(proc.pid)
    if fd is not None:
        try:
            select.select([fd], [], [], timeout)
        finally:
            os.close(fd)
        return proc.poll() is not None
    try:
        proc.wait(timeout=timeout)
        return True
    except subprocess.TimeoutExpired:
        return False


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None


def _kill(proc: subprocess.Popen) -> None:
    """Kill cpp and everything it started (its process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        proc.kill()
    proc.wait()


def _cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a running process and its
    children (gcc's driver runs cc1), from /proc; 0 where /proc cannot tell
    (then only the wall-clock bound applies).  Scans /proc, so it is only
    asked once a run has lasted a second."""
    def stat(p: str) -> list[bytes] | None:
        try:
            with open(f"/proc/{p}/stat", "rb") as f:
                return f.read().rsplit(b")", 1)[1].split()
        except (OSError, IndexError):
            return None

    try:
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for p in os.listdir("/proc"):
            if not p.isdigit():
                continue
            fields = stat(p)
            if fields and (int(p) == pid or int(fields[1]) == pid):
                total += int(fields[11]) + int(fields[12])
        return total / tick
    except (OSError, ValueError):
        return 0.0


class Cancelled(Exception):
    """Another target's run already failed (``translate_all``): stop this one."""


#: ``translate_all`` sets ``_cancel.event`` in its worker threads; when it is
#: set, runs still going are killed rather than waited for
_cancel = threading.local()


def _last_marker(f) -> SourceLoc | None:
    """Where cpp was when it was stopped: the last line marker in its
    output, plus the lines after it (read backwards, 1 MiB at a time)."""
    end = os.fstat(f.fileno()).st_size
    newlines = 0
    while end > 0:
        start = max(0, end - (1 << 20))
        f.seek(start)
        raw = f.read(end - start)
        if start > 0:                  # begin at a whole line
            cut = raw.find(b"\n")
            if cut < 0:
                end = start
                continue
            raw, start = raw[cut + 1:], start + cut + 1
        chunk = raw.decode("utf-8", "surrogateescape")
        for m in reversed(list(re.finditer(r'^# (\d+) "((?:\\.|[^"\\])*)"', chunk, re.M))):
            name = _unescape(m.group(2))
            if name.startswith("<") and name != "<stdin>":
                continue
            line = int(m.group(1)) + chunk.count("\n", m.end()) + newlines - 1
            return SourceLoc(MAIN if name == "<stdin>" else name, max(line, 1), 1)
        newlines += chunk.count("\n")
        end = start
    return None
