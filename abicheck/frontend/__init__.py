"""The front end: headers -> our C type model, for one target.

preprocess (hermetic cpp) -> gnu.rewrite (GNU C -> C23) -> parse (pycparser
-> ``model.Unit``).  Nothing outside this package knows about cpp or pycparser.
"""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from typing import Sequence

from abicheck import model
from abicheck.frontend import diagnose, gnu, parse
from abicheck.errors import AbicheckError, ParseError
from abicheck.errors import PreprocessError
from abicheck.frontend.preprocess import MacroDef, Preprocessed, preprocess
from abicheck.targets import Target


@dataclass(frozen=True)
class Translation:
    """One target's view of a set of headers: the type model and the macros."""

    target: Target
    unit: model.Unit
    pre: Preprocessed
    request: tuple = ()     # (headers, include_dirs, defines, system, source): to run cpp again

    @property
    def macros(self) -> tuple[MacroDef, ...]:
        return self.pre.macros


@functools.lru_cache(maxsize=64)
def _parse_cached(text: str) -> model.Unit:
    # Many targets preprocess to the very same text; parse it once.
    return parse.parse(gnu.rewrite(text))


def _parse(text: str, target: Target) -> model.Unit:
    """Parse, or raise the error GCC would have reported first."""
    try:
        return _parse_cached(text)
    except ParseError as e:
        raise diagnose.first_error(gnu.rewrite(text), target, e) from None


def _first_of(err: PreprocessError, target: Target) -> AbicheckError:
    """The cpp error, or a parse error that GCC would meet before it."""
    if not err.partial or err.loc is None:
        return err
    try:
        _parse(err.partial, target)
    except AbicheckError as e:
        if e.loc is not None:
            order = diagnose.tu_order(err.partial)
            if diagnose.position(order, e.loc) < diagnose.position(order, err.loc):
                return e
    return err


def translate(headers: Sequence[str], target: Target, include_dirs: Sequence[str] = (),
              defines: Sequence[str] = (), system: bool = False,
              source: str | None = None) -> Translation:
    """Preprocess and parse ``headers`` (or in-memory C ``source``) for ``target``."""
    try:
        pre = preprocess(headers, target, include_dirs, defines, system, source=source)
    except PreprocessError as e:
        raise _first_of(e, target) from None
    request = (tuple(headers), tuple(include_dirs), tuple(defines), system, source)
    return Translation(target, _parse(pre.text, target), pre, request)


def translate_all(headers: Sequence[str], targets: Sequence[Target], include_dirs: Sequence[str] = (),
                  defines: Sequence[str] = (), system: bool = False,
                  source: str | None = None) -> list[Translation]:
    """``translate`` for several targets; the cpp runs (separate processes)
    overlap, parsing stays sequential.  Results keep ``targets``' order, and
    the first error (in target order) is raised."""
    from concurrent.futures import ThreadPoolExecutor
    if len(targets) == 1:
        return [translate(headers, targets[0], include_dirs, defines, system, source)]
    with ThreadPoolExecutor(max_workers=min(8, os.cpu_count() or 2)) as pool:
        futures = [pool.submit(preprocess, headers, t, include_dirs, defines, system, source=source)
                   for t in targets]
        pres = []
        for t, f in zip(targets, futures):
            try:
                pres.append(f.result())
            except PreprocessError as e:
                err = _first_of(e, t)
                err.msg = f"{err.msg} (target {t.name})"
                raise err from None
            except AbicheckError as e:
                # say which of many targets the headers failed on
                e.msg = f"{e.msg} (target {t.name})"
                raise e from None
    request = (tuple(headers), tuple(include_dirs), tuple(defines), system, source)
    return [Translation(t, _parse(p.text, t), p, request) for t, p in zip(targets, pres)]
