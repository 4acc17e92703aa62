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
import operator
import pickle

from abicheck import model as m
from abicheck.errors import SourceLoc

KIND = "unit-2"        # bump when the pickled shape changes

_CLASSES = (m.Const, m.Ident, m.SizeOf, m.AlignOf, m.OffsetOf, m.Unary, m.Binary, m.Cond, m.Cast,
            m.BiggestAlignment, m.Attrs, m.Scalar, m.Pointer, m.Array, m.Function, m.RecordRef,
            m.EnumRef, m.TypedefRef, m.Field, m.Record, m.Enumerator, m.Enum, m.Typedef, SourceLoc)
_ALLOWED = {(c.__module__, c.__qualname__): c for c in _CLASSES}


def _reducer(cls):
    # every field, those left out of comparisons (qualifiers) included,
    # fetched in C (attrgetter): a Python loop per object was most of dumps
    names = tuple(f.name for f in dataclasses.fields(cls))
    if not names:                       # BiggestAlignment
        return lambda obj: (cls, ())
    fields = operator.attrgetter(*names)
    if len(names) == 1:
        return lambda obj: (cls, (fields(obj),))
    return lambda obj: (cls, fields(obj))


_TABLE = copyreg.dispatch_table.copy()
_TABLE.update({c: _reducer(c) for c in _CLASSES})


class _Pickler(pickle.Pickler):
    """Writes each file name under an include directory (``DIR_TAG``) as
    a persistent id, and notes them: ``loads`` maps them back with one dict
    lookup in C, not a Python call per location."""

    def __init__(self, f) -> None:
        super().__init__(f, protocol=5)
        self.dispatch_table = _TABLE
        self.tags: dict[str, None] = {}

    def persistent_id(self, obj):
        if type(obj) is str and obj.startswith("<abicheck-dir-"):
            self.tags[obj] = None
            return obj
        return None


def dumps(unit: m.Unit) -> bytes | None:
    """The payload of ``unit``: the tuple of the relocatable file names,
    then the unit's four tables; None when it cannot be written (nesting
    deeper than the pickler's recursion allows: then it is not cached)."""
    buf = io.BytesIO()
    p = _Pickler(buf)
    try:
        p.dump((dict(unit.records), dict(unit.enums), dict(unit.typedefs), dict(unit.constants)))
    except (RecursionError, pickle.PicklingError):
        return None
    return pickle.dumps(tuple(p.tags), protocol=5) + buf.getvalue()


#: how a file under the k-th include directory is named in a stored unit
#: (``frontend`` writes them so; ``loads`` puts the directories back)
DIR_TAG = "<abicheck-dir-{}>"


class _Restricted(pickle.Unpickler):
    """Loads only the classes of ``allowed``; anything else is a foreign entry."""

    allowed = _ALLOWED
    holds = "the type model"

    def find_class(self, module: str, name: str):
        cls = self.allowed.get((module, name))
        if cls is None:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of {self.holds}")
        return cls


def _located(file: str, dirs: tuple[str, ...]) -> str:
    """The real name of a ``DIR_TAG`` file name, under ``dirs``."""
    tag, sep, rest = file.partition(">/")
    k = tag[len("<abicheck-dir-"):]
    if sep and k.isdigit() and int(k) < len(dirs):
        return f"{dirs[int(k)]}/{rest}"
    return file


def loads(payload: bytes, dirs: tuple[str, ...] = ()) -> m.Unit | None:
    """The unit, or None when the payload is not one (a bad entry); files
    named ``DIR_TAG/...`` are put back under ``dirs``."""
    on = gc.isenabled()
    gc.disable()        # ~1000 objects, no cycles: the collector would only rescan them
    try:
        f = io.BytesIO(payload)
        tags = _Restricted(f).load()
        if not (isinstance(tags, tuple) and all(isinstance(t, str) for t in tags)):
            return None
        u = _Restricted(f)          # the tables are a pickle of their own
        u.persistent_load = {t: _located(t, dirs) for t in tags}.__getitem__
        parts = u.load()
        records, enums, typedefs, constants = parts
        if not all(isinstance(x, dict) for x in parts):
            return None
    except Exception:     # any malformed payload: an entry to ignore, never an error
        return None
    finally:
        if on:
            gc.enable()
    return m.Unit.build(records, enums, typedefs, constants)
