"""One set of headers on many targets: cpp runs in threads, each target's
translation as soon as its own cpp run is done.

Why a stream: the default ``check`` runs cpp 27 times (one process per
target, two at a time on two cores) and then parses and evaluates each
target in Python.  Waiting for every cpp run before the first parse left
the main thread idle for the whole of cpp, then the cpp threads idle for
the whole of the Python side; consuming each target's result as it comes
overlaps the two (the Python work on one core, the cpp processes on the
other).  Results and errors still come in target order, so nothing seen
depends on how many processes ran at once (``limits.jobs()``: ``-j``,
``ABICHECK_JOBS``).

Why ``start``: a command that knows its headers and targets before it
imports the rest of abicheck (the model, the parser, the checks: a third
of a cold default ``check``) starts the cpp runs first; the stream that
asks for the very same runs later takes them over (same headers, targets,
folders, defines and limits).
"""
from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Iterator, Sequence

from abicheck import limits
from abicheck.errors import AbicheckError, PreprocessError
from abicheck.frontend import stand_in
from abicheck.frontend.cpp_process import _cancel
from abicheck.frontend.preprocess import Preprocessed
from abicheck.targets import Target

if TYPE_CHECKING:
    from abicheck.frontend import Translation

_pp = sys.modules["abicheck.frontend.preprocess"]     # the module (its name is the function's)


class _Runs:
    """The cpp runs of one request on several targets, started: each
    target's inputs checked and its cpp cache looked up here, in the
    calling thread (a warm run starts no thread at all), the misses run in
    a pool of ``limits.jobs()`` threads."""

    def __init__(self, headers, targets: list[Target], include_dirs, defines, system, source) -> None:
        from concurrent.futures import Future

        from abicheck.cache import preprocessed as cpp_cache
        self.stop = threading.Event()
        self.pool = None
        self.targets = targets
        self.futures: list[Future] = []
        self.kin = stand_in.Kin()
        with cpp_cache.glance():
            for t in targets:
                f: Future = Future()
                try:
                    req = _pp.prepare(headers, t, include_dirs, defines, system, source)
                    hit = _pp.cached(req)
                except AbicheckError as e:
                    f.set_exception(e)
                else:
                    if hit is None:
                        f = self._submit(req)
                    else:
                        f.set_result(hit)
                self.futures.append(f)

    def _submit(self, req):
        if self.pool is None:
            from concurrent.futures import ThreadPoolExecutor
            self.pool = ThreadPoolExecutor(max_workers=limits.jobs())

        def run() -> Preprocessed:
            _cancel.event = self.stop
            try:
                return self.kin.run(req)
            finally:
                _cancel.event = None
        return self.pool.submit(run)

    def close(self) -> None:
        """Cancel what has not run yet and wait for what is running."""
        self.stop.set()
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)


#: runs started ahead (``start``), by request, until a stream takes them
_AHEAD: dict[tuple, _Runs] = {}


def _request(headers, targets, include_dirs, defines, system, source) -> tuple:
    # by name (a target row holds mappings, which do not hash); the stream
    # compares the rows themselves
    return (tuple(headers), tuple(t.name for t in targets), tuple(include_dirs), tuple(defines),
            system, source, limits.active())


def start(headers: Sequence[str], targets: Sequence[Target], include_dirs: Sequence[str] = (),
          defines: Sequence[str] = (), system: bool = False, source: str | None = None) -> None:
    """Start the cpp runs ``translate_stream`` will ask for with the same
    arguments (and the same limits).  Only for a run that will ask in this
    process: a forked worker must not inherit running threads."""
    targets = list(targets)
    if len(targets) > 1 and limits.jobs() > 1:
        key = _request(headers, targets, include_dirs, defines, system, source)
        if key not in _AHEAD:
            _AHEAD[key] = _Runs(headers, targets, include_dirs, defines, system, source)


def _named(t: Target, pre_of, request: tuple) -> Translation:
    """``t``'s translation of what ``pre_of()`` gives; an error names the
    target (a cpp error as GCC's first, ``_first_of``)."""
    from abicheck.frontend import _first_of, _translation
    try:
        try:
            pre = pre_of()
        except PreprocessError as e:
            raise _first_of(e, t) from None
        return _translation(t, pre, request)
    except AbicheckError as e:
        e.msg = f"{e.msg} (target {t.name})"
        raise


def translate_stream(headers: Sequence[str], targets: Sequence[Target], include_dirs: Sequence[str] = (),
                     defines: Sequence[str] = (), system: bool = False,
                     source: str | None = None) -> Iterator[Translation]:
    """``translate`` on each of ``targets``, yielded in target order, each
    parsed while the later targets' cpp runs go on.  The first target that
    fails (its cpp run or its parse) raises, with its name in the message;
    the runs not yet done are then cancelled, as they are when the caller
    stops early."""
    from abicheck.frontend import translate
    targets = list(targets)
    if len(targets) == 1:
        yield translate(headers, targets[0], include_dirs, defines, system, source)
        return
    request = (tuple(headers), tuple(include_dirs), tuple(defines), system, source, ())
    if limits.jobs() == 1:
        # one after the other, each run that stands in for a later one kept
        kin = stand_in.Kin()

        def pre_of(t: Target) -> Preprocessed:
            req = _pp.prepare(headers, t, include_dirs, defines, system, source)
            return _pp.cached(req) or kin.run(req)
        for t in targets:
            yield _named(t, lambda: pre_of(t), request)
        return
    runs = _AHEAD.pop(_request(headers, targets, include_dirs, defines, system, source), None)
    if runs is None or runs.targets != targets:
        if runs is not None:
            runs.close()
        runs = _Runs(headers, targets, include_dirs, defines, system, source)
    try:
        for t, f in zip(targets, runs.futures):
            yield _named(t, f.result, request)
    finally:
        # on an error or an early stop the runs not yet done need not finish
        runs.close()


def translate_all(headers: Sequence[str], targets: Sequence[Target], include_dirs: Sequence[str] = (),
                  defines: Sequence[str] = (), system: bool = False,
                  source: str | None = None) -> list[Translation]:
    """``translate_stream``'s translations as a list."""
    return list(translate_stream(headers, targets, include_dirs, defines, system, source))
