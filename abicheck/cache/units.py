"""The cached form of a parsed ``model.Unit``: pickle, restricted to data.

Why pickle and not JSON: the layout engine memoises by object identity, and
a unit shares objects (one ``Attrs``, one ``SourceLoc``, one record reached
from several places); pickle keeps that sharing exactly and its C unpickler
rebuilds a 100 KB unit in about 2 ms, against 30 ms to parse the text again.

Why it is safe to read a planted entry: objects are written as
``(class, field values)`` and the unpickler resolves only the frozen
dataclasses of ``abicheck.model`` and ``SourceLoc`` (``_Restricted``);
anything else (a callable, a module attribute) makes the entry invalid, so
loading can build model objects and nothing else.  Strings, numbers,
tuples and dicts are pickle's own.
"""
from __future__ import annotations

import copyreg
import dataclasses
import gc
import io
import pickle

from abicheck import model as m
from abicheck.errors import SourceLoc

KIND = "unit-1"        # bump when the pickled shape changes

_CLASSES = (m.Const, m.Ident, m.SizeOf, m.AlignOf, m.OffsetOf, m.Unary, m.Binary, m.Cond, m.Cast,
            m.BiggestAlignment, m.Attrs, m.Scalar, m.Pointer, m.Array, m.Function, m.RecordRef,
            m.EnumRef, m.TypedefRef, m.Field, m.Record, m.Enumerator, m.Enum, m.Typedef, SourceLoc)
_ALLOWED = {(c.__module__, c.__qualname__): c for c in _CLASSES}


def _reducer(cls):
    names = tuple(f.name for f in dataclasses.fields(cls))

    def reduce(obj):
        # every field, those left out of comparisons (qualifiers) included
        return cls, tuple(getattr(obj, n) for n in names)
    return reduce


_TABLE = copyreg.dispatch_table.copy()
_TABLE.update({c: _reducer(c) for c in _CLASSES})


def dumps(unit: m.Unit) -> bytes | None:
    """The payload of ``unit``; None when it cannot be written (nesting
    deeper than the pickler's recursion allows: then it is not cached)."""
    buf = io.BytesIO()
    p = pickle.Pickler(buf, protocol=5)
    p.dispatch_table = _TABLE
    try:
        p.dump((dict(unit.records), dict(unit.enums), dict(unit.typedefs), dict(unit.constants)))
    except (RecursionError, pickle.PicklingError):
        return None
    return buf.getvalue()


#: how a file under the k-th include directory is named in a stored unit
#: (``frontend`` writes them so; ``loads`` puts the directories back)
DIR_TAG = "<abicheck-dir-{}>"


class _Restricted(pickle.Unpickler):
    def __init__(self, f, dirs: tuple[str, ...]) -> None:
        super().__init__(f)
        self.dirs = dirs

    def find_class(self, module: str, name: str):
        cls = _ALLOWED.get((module, name))
        if cls is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of the type model")
        if cls is SourceLoc and self.dirs:
            return self._located
        return cls

    def _located(self, file: str, line: int = 0, col: int = 0) -> SourceLoc:
        if file.startswith("<abicheck-dir-"):
            tag, sep, rest = file.partition(">/")
            k = tag[len("<abicheck-dir-"):]
            if sep and k.isdigit() and int(k) < len(self.dirs):
                file = f"{self.dirs[int(k)]}/{rest}"
        return SourceLoc(file, line, col)


def loads(payload: bytes, dirs: tuple[str, ...] = ()) -> m.Unit | None:
    """The unit, or None when the payload is not one (a bad entry); files
    named ``DIR_TAG/...`` are put back under ``dirs``."""
    on = gc.isenabled()
    gc.disable()        # ~1000 objects, no cycles: the collector would only rescan them
    try:
        parts = _Restricted(io.BytesIO(payload), dirs).load()
        records, enums, typedefs, constants = parts
        if not all(isinstance(x, dict) for x in parts):
            return None
    except Exception:     # any malformed payload: an entry to ignore, never an error
        return None
    finally:
        if on:
            gc.enable()
    return m.Unit.build(records, enums, typedefs, constants)
