"""``-j N``: a run's items (``abicheck.runs``) computed in N processes.

Why processes: parsing and laying out are pure Python, so threads would
share one interpreter lock; the preprocessor runs were already overlapped
with threads (``frontend.translate_all``).  With ``-j N`` (or
``ABICHECK_JOBS=N``) given and N > 1, the items (the (headers, target)
pairs; see ``abicheck.runs``) go to a pool of N worker processes; without
it a run stays in one process, as before, with cpp runs overlapped.
That default is measured: the default ``check`` (27 targets) with
``-j 2`` took more CPU (438 vs 378 ms, cache warm; 535 vs 457 ms without)
and no less wall time on 2 cores than in one process, whose cpp runs
already overlap; forking pays for items that parse and lay out a lot.

Why ``fork``: a worker must see what the parent already did — the spec it
validated, the revisions it loaded (a ``REV:path`` is a git checkout in a
temporary folder the parent owns), the imported modules and parse caches
— and the plan's ``compute`` is a closure over them.  A forked worker
inherits all of it for free; ``spawn`` would import abicheck again, load
every input again in each worker and need every item to be picklable.
Only an item's index goes to a worker and only its piece (plain JSON
values) comes back.  Where ``fork`` does not exist the run stays
sequential (same output).  The parent starts the pool only when no other
thread of abicheck is running (the cpp thread pools are closed by then).

Determinism: pieces are gathered in item order, whatever order workers
finish in, and ``assemble`` is the one a single process runs, so the
output is byte-identical to ``-j 1``.  A worker that fails with an
exception (a bug, not bad input: bad input is data in a piece) re-raises in
the parent when its item's turn comes, so the first failure in item order
wins, as in one process.
"""
from __future__ import annotations

import dataclasses
import os
from typing import TYPE_CHECKING

from abicheck import limits

if TYPE_CHECKING:
    from abicheck.runs import Plan

_PLAN: "Plan | None" = None     # the plan of the running pool (inherited by fork)


def workers() -> int:
    """Processes for items: ``-j N`` or ``ABICHECK_JOBS=N`` when given, else 1
    (the default ``-j`` is about cpp runs only)."""
    n = limits.active().jobs
    if n <= 0:
        n = limits.env_jobs() or 1
    return n


MAX_WORKERS = 64     # more processes than this only add memory and start-up


def _cpus() -> int:
    """The CPUs this process may run on (its affinity, else the machine's)."""
    try:
        return len(os.sched_getaffinity(0)) or 1
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def pool_size(items: int) -> int:
    """Worker processes for ``items`` items: what ``-j`` asks, but never more
    than the items, the CPUs or ``MAX_WORKERS`` (``-j 1000`` on 2 cores would
    fork 1000 copies of abicheck for no gain)."""
    return max(1, min(workers(), items, _cpus(), MAX_WORKERS))


def compute_all(plan: "Plan", indexes: list[int] | None = None) -> list[dict]:
    """The pieces of ``plan``'s items ``indexes`` (default: all), in that order."""
    todo = list(range(len(plan.items))) if indexes is None else list(indexes)
    n = pool_size(len(todo)) if todo else 0
    if n <= 1 or "fork" not in _start_methods():
        items = [plan.items[i] for i in todo]
        return plan.batch(items) if plan.batch and items else [plan.compute(x) for x in items]
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    global _PLAN
    _PLAN = plan
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=n, mp_context=ctx, initializer=_worker_start,
                                 initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(_compute, i) for i in todo]
            out = []
            for f in futures:
                try:
                    out.append(f.result())
                except BaseException:
                    for g in futures:
                        g.cancel()
                    raise
            return out
    finally:
        _PLAN = None


def _start_methods() -> list[str]:
    # imported only when a pool may start: a run in one process (the
    # default) does not pay for multiprocessing's import (~2.5 ms)
    import multiprocessing
    return multiprocessing.get_all_start_methods()


def _worker_start(parent: int | None = None) -> None:
    # one process per item already: the item's own cpp runs go one at a time
    limits._active = dataclasses.replace(limits.active(), jobs=1)
    _die_with_parent(parent)


_PR_SET_PDEATHSIG = 1     # <linux/prctl.h>


def _die_with_parent(parent: int | None) -> None:
    """A worker must not outlive the run: when the parent is killed (a CI
    runner's SIGTERM on timeout, a Ctrl-C'd shell's SIGHUP), the pool's own
    shutdown never runs, and a worker in the middle of a long item would go
    on burning a core.  On Linux the kernel sends the worker SIGTERM when its
    parent dies (``prctl(PR_SET_PDEATHSIG)``); if the parent died before that
    was set, the worker stops at once.  Elsewhere the worker stops when it
    next asks the closed queue for work."""
    import signal
    import sys
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent is not None and os.getppid() != parent:
        os._exit(1)


def _compute(index: int) -> dict:
    assert _PLAN is not None
    return _PLAN.compute(_PLAN.items[index])
