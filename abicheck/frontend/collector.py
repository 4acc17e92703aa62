"""Python's cycle collector, run less often while the front end parses.

Why: every collection of the oldest generation scans every live object,
and a process that parses many headers keeps hundreds of thousands of them
(the parse memo's pycparser nodes, the built model), none of which is
garbage: refcounting frees what a parse drops, and a parse makes no cycles
that live long.  With the default threshold (700 allocations) a cold corpus
run of 608 x86_64 headers made 7 full collections costing 0.75-0.95 s of a
4.6 s run; with 50,000 while parsing, 2 costing 0.25-0.29 s.  ``checks.diff``
holds it raised around its snapshots, which are as many objects again.

``settled`` is for what comes after: a tree diff compares snapshots it
holds to the end, and a full collection then scanned all of them (0.8 s of
a 34 s x86_64 bookworm -> trixie diff, for no garbage found).  ``growing``
is for the way there: a loop that keeps most of what each step makes (the
parse memo, built units, a diff's snapshots) freezes what is alive at each
step, so a collection scans what the current step made, not what the
earlier ones kept; everything is handed back at its end.

The threshold is the process's, so it is raised once for however many
threads parse at the same time and put back when the last one is done; a
caller's own threshold above 50,000 stays as it is.
"""
from __future__ import annotations

import contextlib
import gc
import threading
from typing import Iterator

_LOCK = threading.Lock()
_DEPTH = 0
_BEFORE: tuple[int, ...] | None = None
#: allocations between two collections of the youngest generation while parsing
THRESHOLD = 50_000


@contextlib.contextmanager
def fewer_collections() -> Iterator[None]:
    """Raise the youngest generation's threshold for the duration."""
    global _DEPTH, _BEFORE
    with _LOCK:
        if _DEPTH == 0:
            _BEFORE = gc.get_threshold()
            if 0 < _BEFORE[0] < THRESHOLD:          # 0: the caller turned collection off
                gc.set_threshold(THRESHOLD, *_BEFORE[1:])
        _DEPTH += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0 and _BEFORE is not None:
                gc.set_threshold(*_BEFORE)
                _BEFORE = None


_OWNED = 0      # depth of the blocks of ours that hold the freeze (0: none)


@contextlib.contextmanager
def settled() -> Iterator[None]:
    """Keep the objects alive now out of every collection for the duration
    (``gc.freeze``): they live past it anyway.  What the block makes is
    collected as usual; the frozen objects are handed back (``unfreeze``)
    at the end of the outermost such block (``growing`` is one).  Nothing
    is frozen when something else already froze objects (their owner
    decides when to unfreeze)."""
    with growing() as growth:
        growth.step()
        yield


class _Growth:
    """``growing``'s handle: ``step()`` freezes what is alive now, when the
    freeze is ours (a block of this module holds it)."""

    __slots__ = ("mine",)

    def __init__(self, mine: bool) -> None:
        self.mine = mine

    def step(self) -> None:
        if self.mine:
            gc.freeze()


@contextlib.contextmanager
def growing() -> Iterator[_Growth]:
    """For a loop whose steps keep most of what they make: ``step()`` at each
    step takes what is alive then out of every collection (``gc.freeze``),
    and the end of the outermost such block hands it all back
    (``unfreeze``), garbage included, so nothing is kept from the collector
    past it.  When something else froze objects first, steps do nothing."""
    global _OWNED
    with _LOCK:
        mine = _OWNED > 0 or gc.get_freeze_count() == 0
        if mine:
            _OWNED += 1
    try:
        yield _Growth(mine)
    finally:
        if mine:
            with _LOCK:
                _OWNED -= 1
                if _OWNED == 0:
                    gc.unfreeze()
