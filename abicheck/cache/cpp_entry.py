"""The stored form of an input-keyed cpp-cache entry (``preprocessed``):
what one run of cpp gave, read back as a ``Preprocessed``.

Why apart: ``preprocessed`` decides when an entry may answer (keys,
dependencies, shadows, confinement verdicts); this module only writes and
reads the bytes, and nothing it reads can build an object but strings,
numbers, bytes and tuples (``NoClasses``).  The ``-dD`` record is kept
compressed and read only when a command asks for macros; what a scan of it
gave is kept in an entry of its own (``MACROS``), keyed by the record.
"""
from __future__ import annotations

import hashlib
import io
import pickle
import zlib

from abicheck import cache
from abicheck.errors import SourceLoc
from abicheck.frontend.cpp_output import Preprocessed


class NoClasses(pickle.Unpickler):
    """A reader of entries made of strings, numbers, bytes, tuples, lists
    and dicts only: no class is ever loaded, so a planted entry can build
    nothing else (the cpp entries here, ``layouts``' outer entry)."""

    def find_class(self, module: str, name: str):
        raise pickle.UnpicklingError(f"{module}.{name} in a cache entry")


def encode(pre: Preprocessed, deps: tuple, absent: tuple, size: int, packed: bytes,
            confined: tuple[str, ...] = ()) -> bytes:
    entries = tuple((c, a.file, a.line, a.col) for c, a in pre.entries)
    return pickle.dumps((pre.text, pre.main_source, entries, pre.search_dirs, deps, absent,
                         size, packed, confined), protocol=5)


def decode(payload: bytes) -> tuple | None:
    try:
        text, main, entries, dirs, deps, absent, size, packed, confined = \
            NoClasses(io.BytesIO(payload)).load()
        ents = tuple((c, SourceLoc(f, ln, col)) for c, f, ln, col in entries)
        if not (isinstance(text, str) and isinstance(main, str) and isinstance(packed, bytes)
                and isinstance(size, int) and all(isinstance(d, str) for d in dirs)
                and all(isinstance(p, str) for p in absent)
                and type(confined) is tuple and all(type(v) is str for v in confined)):
            return None
        deps = tuple((str(p), tuple(int(x) for x in st), bytes(dg)) for p, st, dg in deps)
    except Exception:         # any malformed payload: an entry to ignore
        return None
    pre = _Stored(text, main, ents, packed)
    pre.search_dirs = tuple(dirs)
    return pre, deps, tuple(absent), size, confined, packed


class _Stored(Preprocessed):
    """A ``Preprocessed`` read back from an entry: its macros are read the
    first time they are asked for (most layouts never ask), from the
    macro entry of the same ``-dD`` record when a run read them before (``MACROS``),
    else from the ``-dD`` record, scanned and then kept in that entry."""

    __slots__ = ("_packed",)

    def __init__(self, text: str, main: str, entries: tuple, packed: bytes) -> None:
        super().__init__(text, None, main, entries)
        self._packed: bytes | None = packed

    @property
    def macros(self):
        if self._packed is not None:
            # keyed by the record itself: a stale entry's rerun keeps its key
            key = cache.key(MACROS, hashlib.sha256(self._packed).hexdigest())
            got = load_macros(key)
            if got is not None:
                self._macros, self._exact = got
            else:
                self._raw = zlib.decompress(self._packed).decode("utf-8", "surrogateescape")
                out = Preprocessed.macros.fget(self)
                if cache.enabled():
                    store_macros(key, out, self._exact)
            self._packed = None
        return Preprocessed.macros.fget(self)


MACROS = "cpp-macros-1"


def store_macros(key: str, macros: tuple, exact: bool) -> None:
    rows = tuple((d.name, d.params, d.body, d.loc.file, d.loc.line, d.loc.col) for d in macros)
    cache.store(MACROS, key, pickle.dumps((bool(exact), rows), protocol=5))


def load_macros(key: str) -> tuple[tuple, bool] | None:
    from abicheck.frontend.cpp_output import MacroDef
    raw = cache.load(MACROS, key) if cache.enabled() else None
    if raw is None:
        return None
    try:
        exact, rows = NoClasses(io.BytesIO(raw)).load()
        out = tuple(MacroDef(name, None if params is None else tuple(params), body,
                             SourceLoc(file, line, col))
                    for name, params, body, file, line, col in rows)
        if not (isinstance(exact, bool) and all(isinstance(d.name, str) and isinstance(d.body, str)
                                                and isinstance(d.loc.file, str) for d in out)):
            return None
        return out, exact
    except Exception:         # a damaged entry: scan the record again
        return None
