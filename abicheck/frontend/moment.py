"""One run of the front end sees the header files as of one moment.

Why: reading a tree's files is the cost of many small answers (what a file
may define, where an include lands, whether a file is guarded), and a run
asks them again for every header and ABI: they are kept.  Kept past the
run, they go stale in a process that lives on while its headers are edited
(an editor's checker, a test suite rewriting a tree): a file that gains
``#pragma once`` would still be batched as harmless.  So answers live as
long as the outermost ``one_moment`` block: a tree diff holds one across
all its translations, ``batch.preprocess_each`` one of its own, and the
next run reads the files again.  A file changed while a run goes on is
seen as it was first read, as cpp itself sees a file it has already read.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Callable, Iterator

_LOCK = threading.Lock()
_DEPTH = 0
_FORGET: list[Callable[[], None]] = []


def kept(memo: Callable) -> Callable:
    """Register a ``functools`` memo (its ``cache_clear``) to be emptied
    when the outermost moment ends; returns it (a decorator)."""
    _FORGET.append(memo.cache_clear)
    return memo


@contextlib.contextmanager
def one_moment() -> Iterator[None]:
    """The block's file answers are the same answers; nested blocks, and
    blocks in other threads at the same time, share the outermost one."""
    global _DEPTH
    with _LOCK:
        _DEPTH += 1
    try:
        yield
    finally:
        with _LOCK:
            _DEPTH -= 1
            if _DEPTH == 0:
                for forget in _FORGET:
                    forget()
