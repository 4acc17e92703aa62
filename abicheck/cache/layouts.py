"""Laid-out results kept per (parsed text, target): a warm layout neither
reads the parsed unit back nor lays anything out again.

Why: with the cpp and unit caches warm, a corpus run still spent 40% of
its time unpickling units and 35% laying out records that were laid out
the last time already.  A ``TypeLayout`` is a pure function of the unit
(itself a pure function of the preprocessed text) and of the target row,
so it is stored under the key of

- the main part of the preprocessed text (what ``frontend._parse``
  parses: the predefines are not part of the unit) and the include
  folders cpp searched (the unit's file names are under them),
- the target's whole row (``repr`` of the ``Target``: any field changed is
  another key),
- the code fingerprint (``cache.code_fingerprint``: every source file of
  abicheck, the layout engine included, and pycparser's version).

One entry per (text, target) holds the text's bracket nesting (a lower
``--limit nesting`` must still refuse it: a deeper text is then not
answered from here), the answers about which names the text declares
(``declared_records``/``declared_typedefs``, per the named files) and one
pickle per laid-out type.  The engine a layout's ``Member.facts`` refer to
(only the pahole view reads them) is not stored: it comes back as
``_Engine``, which builds the real ``Layouter`` from the translation's
unit the first time it is asked, so what needs the model gets the model.

Entries are data only (the model's classes and the layout tree's, see
``_Restricted``); a damaged, truncated or foreign entry reads as absent.
New results are written when the next translation's results begin, and at
exit (``flush``): one write per pair, not one per type; two processes
filling the same entry each write a whole one (the last rename wins, both
are correct).  Only successes are stored: an error is always found again.
"""
from __future__ import annotations

import atexit
import functools
import gc
import hashlib
import io
import pickle
from typing import Callable

from abicheck import cache
from abicheck.cache import units
from abicheck.cache.cpp_entry import NoClasses
from abicheck.layout import dwarf
from abicheck.layout.tree import Hole, Member, TypeLayout

KIND = "layouts-2"      # bump when the stored shape changes

_ALLOWED = dict(units._ALLOWED)
_ALLOWED.update({(c.__module__, c.__qualname__): c for c in (Member, Hole, TypeLayout)})


def facts_of_engine(*args):
    """What a stored ``Facts`` is made with: its engine is left out (a
    layout's ``Layouter`` is the translation's, not data), and the loader
    (``_Restricted``) makes each with the engine of the layout it reads.
    Why not a persistent id: the pickler then calls back into Python for
    every object it writes (0.9 of 5.5 s of a cold 608-header run filling
    the cache)."""
    raise pickle.UnpicklingError("a stored layout's facts are read with their engine")


def _facts_reduce(f: dwarf.Facts):
    return facts_of_engine, (f.type, f.field, f.align, f.type_align, f.kind)


_TABLE = units._TABLE.copy()
_TABLE.update({c: units._reducer(c) for c in (Member, Hole, TypeLayout)})
_TABLE[dwarf.Facts] = _facts_reduce


def _pickler(f) -> pickle.Pickler:
    # an engine anywhere but in facts does not pickle (its unit's mappingproxy):
    # such a layout is not stored (tests/cache/test_layouts.py)
    p = pickle.Pickler(f, protocol=5)
    p.dispatch_table = _TABLE
    return p


class _Restricted(units._Restricted):
    allowed = _ALLOWED
    holds = "a layout"

    def __init__(self, f, engine) -> None:
        super().__init__(f)
        self._facts = functools.partial(dwarf.Facts, engine)

    def find_class(self, module: str, name: str):
        if module == __name__ and name == "facts_of_engine":
            return self._facts
        return super().find_class(module, name)


class _Engine:
    """Stands for a stored layout's ``Layouter``: the real one, built from
    the translation's unit (read or parsed then), the first time any of
    its attributes is asked for."""

    def __init__(self, make: Callable[[], object]) -> None:
        self._make = make
        self._real = None

    def __getattr__(self, name: str):
        if name.startswith("__"):
            raise AttributeError(name)
        if self._real is None:
            self._real = self._make()
        return getattr(self._real, name)


_rows: dict[int, tuple[object, bytes]] = {}


def _target_digest(target) -> bytes:
    """The digest of the target's row, once per ``Target`` object (its
    ``repr`` takes 0.1 ms)."""
    got = _rows.get(id(target))
    if got is None or got[0] is not target:
        got = _rows[id(target)] = (target, hashlib.sha256(repr(target).encode()).digest())
    return got[1]


def key(main_text: str, dirs: tuple[str, ...], target) -> str:
    """The entry of ``main_text`` (searched in ``dirs``) on ``target``."""
    h = hashlib.sha256(f"{KIND}\0{cache.code_fingerprint()}\0".encode())
    h.update(_target_digest(target))
    h.update("\0".join(dirs).encode("utf-8", "surrogateescape") + b"\x01")
    h.update(main_text.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


class Store:
    """The stored results of one (text, target), and the new ones to add."""

    def __init__(self, k: str, depth: int, answers: dict, layouts: dict, hit: bool) -> None:
        self.key, self.depth, self.hit = k, depth, hit
        self._answers: dict = answers
        self._stored: dict[str, bytes] = layouts
        self._engine: _Engine | None = None
        self._dirty = False

    def bind(self, make_engine: Callable[[], object]) -> None:
        """How stored layouts get their engine: ``make_engine()`` builds it."""
        self._engine = _Engine(make_engine)

    # --- reading --------------------------------------------------------

    def answer(self, question: tuple):
        return self._answers.get(question)

    def layout(self, name: str) -> TypeLayout | None:
        """The stored layout of ``name``, read now (not kept: a run over
        many translations would hold them all), or None."""
        raw = self._stored.get(name)
        if raw is None or self._engine is None:
            return None
        on = gc.isenabled()
        gc.disable()    # a few hundred acyclic objects: the collector would rescan them (4x slower)
        try:
            got = _Restricted(io.BytesIO(raw), self._engine).load()
        except Exception:       # a damaged layout: lay it out again
            got = None
        finally:
            if on:
                gc.enable()
        if type(got) is not TypeLayout or got.name != name:
            self._stored.pop(name, None)
            return None
        return got

    # --- adding ---------------------------------------------------------

    def keep_answer(self, question: tuple, value: tuple) -> None:
        if self._answers.get(question) != value:
            self._answers[question] = value
            self._changed()

    def keep_layout(self, name: str, lay: TypeLayout) -> None:
        if name in self._stored:
            return
        buf = io.BytesIO()
        try:
            _pickler(buf).dump(lay)
        except (RecursionError, pickle.PicklingError, TypeError, AttributeError):
            return
        self._stored[name] = buf.getvalue()
        self._changed()

    def _changed(self) -> None:
        if self._dirty:
            return
        self._dirty = True
        flush()                 # the previous translation's results are complete
        _pending.append(self)

    def write(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        if cache.enabled():
            payload = pickle.dumps((self.depth, self._answers, self._stored), protocol=5)
            cache.store(KIND, self.key, payload)


_pending: list[Store] = []


def flush() -> None:
    """Write every store with new results (at exit, and whenever another
    translation's results begin)."""
    while _pending:
        _pending.pop().write()


atexit.register(flush)


def open_store(main_text: str, dirs: tuple[str, ...], target, depth: Callable[[], int]) -> Store | None:
    """The store of ``main_text`` on ``target`` (one read), or None when the
    cache is off; ``depth()`` gives the text's nesting when nothing is stored."""
    if not cache.enabled():
        return None
    k = key(main_text, dirs, target)
    payload = cache.load(KIND, k)
    if payload is not None:
        try:
            d, answers, stored = NoClasses(io.BytesIO(payload)).load()
            if (type(d) is int and type(answers) is dict and type(stored) is dict
                    and all(type(n) is str and type(b) is bytes for n, b in stored.items())):
                return Store(k, d, answers, stored, True)
        except Exception:       # a damaged entry: as if absent (rewritten when filled)
            pass
    return Store(k, depth(), {}, {}, False)
