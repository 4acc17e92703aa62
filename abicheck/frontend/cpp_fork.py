"""The preprocessing side of a many-header run in a process of its own.

Why: ``translate_each`` overlaps cpp with parsing through threads, but
reading cpp's output (splitting a batch, blanking ``#define`` lines,
scanning the macro record, confinement) is Python too, and shares the
interpreter lock with the parser: on 608 x86_64 uapi headers it held the
lock for about a third of the run.  In a forked process of its own it
runs beside the parser on another CPU, and only the results cross, in job
order, through a pipe.

The child is this process as it was at the fork, so it runs the very code
that would have run in a thread (``batch.preprocess_each``), with the same
limits, caches and requests, and hands back the same values (pickled:
``Preprocessed`` objects, errors); the parent stores them in the cpp cache
as before.  The fork happens only where it is safe and can pay: on a
system with ``fork``, with no other thread running (a lock another thread
held would stay held in the child), at least two CPUs, and enough headers
(``MIN_JOBS``).  If the child ends before it handed back every result
(killed, out of memory), the rest is preprocessed here.  A caller that
stops early stops the child (SIGTERM: it kills the cpp runs it started,
as a thread would, and exits).
"""
from __future__ import annotations

import os
import pickle
import signal
import threading
from typing import Callable, Iterator

#: fewer headers than this are not worth a process (a fork and a pipe)
MIN_JOBS = 48
#: off (False): the threads of the one process, as before
ENABLED = True


class _Stop(Exception):
    """The parent asked the child to stop."""


def worth_it(jobs: int) -> bool:
    """Whether ``jobs`` headers' preprocessing goes to a child process."""
    return (ENABLED and jobs >= MIN_JOBS and hasattr(os, "fork")
            and threading.active_count() == 1 and _cpus() >= 2)


def _cpus() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def forked(make: Callable[[], Iterator], rest: Callable[[int], Iterator]) -> Iterator:
    """The items of ``make()``, computed in a forked child and yielded here
    in their order; ``rest(n)``: the items from the n-th on, computed here,
    for a child that ended before it gave them all."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:                                    # pragma: no cover (the child's coverage is lost)
        os.close(r)
        _child(make, w)
    os.close(w)
    given = 0
    done = False
    try:
        with os.fdopen(r, "rb") as pipe:
            while True:
                try:
                    kind, value = pickle.load(pipe)
                except (EOFError, pickle.UnpicklingError, OSError):
                    break                           # the child is gone
                if kind == "end":
                    done = True
                    break
                if kind == "raise":
                    done = True
                    raise value
                given += 1
                yield value
        if not done:
            yield from rest(given)
    finally:
        if not done:
            try:
                os.kill(pid, signal.SIGTERM)
            except OSError:
                pass
        os.waitpid(pid, 0)


def _child(make: Callable[[], Iterator], w: int) -> None:  # pragma: no cover
    """Run ``make()``'s items into the pipe ``w``, then end the process."""
    code = 0
    try:
        def stop(signum, frame):
            raise _Stop()
        signal.signal(signal.SIGTERM, stop)
        with os.fdopen(w, "wb") as pipe:
            items = make()
            try:
                for item in items:
                    pickle.dump(("item", item), pipe, protocol=pickle.HIGHEST_PROTOCOL)
                    pipe.flush()
            except _Stop:
                code = 1
            except BaseException as e:      # noqa: BLE001 - handed to the parent as it is
                try:
                    pickle.dump(("raise", e), pipe, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:           # noqa: BLE001 - an error that does not pickle
                    pickle.dump(("raise", RuntimeError(f"{type(e).__name__}: {e}")), pipe)
            else:
                pickle.dump(("end", None), pipe)
            finally:
                getattr(items, "close", lambda: None)()
    except BaseException:                   # noqa: BLE001 - the parent goes on without us
        code = 1
    finally:
        os._exit(code)
