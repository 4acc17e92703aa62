"""Headers that do not parse, remembered across runs.

A header the parser rejects costs the most on every warm run: nothing of it
is in the unit cache, so the text was parsed again (twice: its portable
form, then its real one), and the error GCC would report first was found
by parsing it several times more (``diagnose.first_error``).  The outcome
is a function of the text, the target row and the code that reads them,
so it is kept like a parsed unit: the error's class, message and place,
under a key made of those inputs and the active limits
(``code_fingerprint`` covers the front end, ``layout_fingerprint`` the
layout engine that judges the constants).

Only errors of the classes below are stored, as data (JSON); any other
payload is ignored.
"""
from __future__ import annotations

import functools
import hashlib
import json
from typing import Sequence

from abicheck import cache, errors
from abicheck.errors import AbicheckError, SourceLoc

KIND = "failure-1"
NOPARSE = "noparse-1"       # marker: this (portable) text does not parse
_CLASSES = {c.__name__: c for c in (errors.AbicheckError, errors.ParseError, errors.LayoutError,
                                     errors.EvalError, errors.LimitError)}


@functools.cache
def layout_fingerprint() -> str:
    """The sources of the layout engine and the target table's reader:
    the first error GCC would report may come from evaluating a constant."""
    from pathlib import Path

    from abicheck import package
    pkg = Path(package.ROOT)
    h = hashlib.sha256(cache.code_fingerprint().encode())
    h.update(pkg.joinpath("targets.py").read_bytes())
    for f in sorted(pkg.joinpath("layout").iterdir(), key=lambda p: p.name):
        if f.name.endswith(".py"):
            h.update(f.name.encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def key(text: str, target=None, dirs: Sequence[str] = ()) -> str | None:
    """The key of ``text``'s failure (on ``target``, when the error depends
    on it), or None with the cache off."""
    if not cache.enabled():
        return None
    from abicheck import limits
    row = repr(target) if target is not None else ""
    lim = limits.active()                   # a bound may decide which error comes first
    bounds = repr((lim.input_size, lim.cpp_output, lim.cpp_timeout, lim.nesting))
    return cache.key(KIND, f"{layout_fingerprint()}\0{row}\0{bounds}\0{chr(1).join(dirs)}\0{text}")


def load(k: str | None) -> AbicheckError | None:
    if k is None:
        return None
    raw = cache.load(KIND, k)
    if raw is None:
        return None
    try:
        d = json.loads(raw.decode("utf-8", "surrogateescape"))
        cls = _CLASSES[d["class"]]
        loc = d["loc"]
        if loc is not None:
            file, line, col = loc
            if not (isinstance(file, str) and isinstance(line, int) and isinstance(col, int)):
                return None
            loc = SourceLoc(file, line, col)
        if not isinstance(d["msg"], str):
            return None
        return cls(d["msg"], loc)
    except (ValueError, KeyError, TypeError):
        return None


def store(k: str | None, err: AbicheckError) -> None:
    if k is None or type(err).__name__ not in _CLASSES or type(err) is not _CLASSES[type(err).__name__]:
        return
    loc = None if err.loc is None else [err.loc.file, err.loc.line, err.loc.col]
    cache.store(KIND, k, json.dumps({"class": type(err).__name__, "msg": err.msg, "loc": loc})
                .encode("utf-8", "surrogateescape"))


def known_unparsable(unit_key: str) -> bool:
    """``_parsed_payload`` found the text of ``unit_key`` does not parse."""
    return cache.enabled() and cache.load(NOPARSE, unit_key) == b"noparse"


def mark_unparsable(unit_key: str) -> None:
    if cache.enabled():
        cache.store(NOPARSE, unit_key, b"noparse")
