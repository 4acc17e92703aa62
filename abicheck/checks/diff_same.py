"""What OLD's and NEW's translations of one header on one ABI provably share.

A tree diff values every macro constant and enum constant of both trees,
though it reports only those that differ, and most are the same text in
both (the kernel changes a few constants per release).  A constant's
value, on one target, is a function of: its definition and the definition
of every macro its expansion can reach (cpp expands nothing else), and the
meaning in the unit of every name those bodies spell that is left after
expansion (typedefs, ``struct``/``union``/``enum`` tags, enum constants:
what ``sizeof``, casts and ``_IOR(..., struct x)`` read).  When all of that
is equal in OLD's and NEW's translations, NEW's constant has OLD's value,
accessor path or absence of either, and is not expanded or evaluated again.

Conservative where it cannot see: no proof when either record is not exact
(``Preprocessed.macros_exact``), when a body pastes tokens (``##`` makes
names no body spells), or reaches a name whose expansion depends on where
or when it is expanded (``__LINE__``, ``__COUNTER__``, ``__has_include``...).
Types are compared as the model holds them, following every reference into
its own unit, locations aside; a name that is a macro in one tree and not in
the other, or a type in one and not the other, is a difference.
"""
from __future__ import annotations

import functools
import re

from abicheck import model as m

_IDENT = re.compile(r"[A-Za-z_]\w*")
#: names whose expansion depends on the place or moment it happens, or on
#: the file system: a probe of NEW would not expand them as OLD's did
_PLACED = frozenset({
    "__FILE__", "__LINE__", "__COUNTER__", "__DATE__", "__TIME__", "__TIMESTAMP__",
    "__INCLUDE_LEVEL__", "__BASE_FILE__", "__FILE_NAME__"})
_SCALARS = (str, int, bool, float, type(None))


@functools.lru_cache(maxsize=1 << 16)
def _names(body: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_IDENT.findall(body)))


class SameExpansion:
    """Proofs that a macro expands to the same text with the definitions
    ``da`` and with ``db`` (two translations' macros by name, of any header,
    revision or target): cpp's expansion of a name reads nothing but the
    definitions it reaches, so equal definitions all the way down give equal
    text.  ``exact``: both records are exact (``Preprocessed.macros_exact``)."""

    def __init__(self, da: dict, db: dict, exact: bool) -> None:
        self.da, self.db, self.exact = da, db, exact
        self._macro: dict[str, bool] = {}

    def left_alone(self, name: str) -> bool:
        """May a name the expansion reaches count as the same in both?  Every
        name may, for the text (``SamePair`` asks more: what it means)."""
        return True

    def macro(self, name: str) -> bool:
        """Does ``name`` expand the same in both (and, for ``SamePair``,
        evaluate the same)?"""
        got = self._macro.get(name)
        if got is not None:
            return got
        seen: set[str] = set()
        todo = [name]
        ok = self.exact
        while ok and todo:
            u = todo.pop()
            if u in seen or self._macro.get(u) is True:
                continue
            seen.add(u)
            x, y = self.da.get(u), self.db.get(u)
            if (x is None) != (y is None) or not self.left_alone(u):
                ok = False
            elif x is not None:
                if x.params != y.params or x.body != y.body or "##" in x.body:
                    ok = False
                else:
                    ids = _names(x.body)
                    if any(i in _PLACED or i.startswith("__has_") for i in ids):
                        ok = False
                    todo.extend(ids)
        if ok:
            # every name reached has its whole reach inside this one: proven too
            for u in seen:
                self._macro[u] = True
        else:
            self._macro[name] = False
        return ok


class SamePair(SameExpansion):
    """Proofs that a name means the same in OLD's translation ``a`` and
    NEW's ``b`` of one header on one target (memoized per pair): the same
    expansion, and every name it reaches the same typedef, tag and enum
    constant (or none) in both units."""

    def __init__(self, a, b, da: dict | None = None, db: dict | None = None) -> None:
        super().__init__(a.macro_map if da is None else da, b.macro_map if db is None else db,
                         a.pre.macros_exact and b.pre.macros_exact)
        self.ua, self.ub = a.unit, b.unit
        self._name: dict[str, bool] = {}
        self._refs: dict[tuple, bool] = {}     # reference -> its two targets are equal

    def left_alone(self, name: str) -> bool:
        return self.name(name)

    # --- what a name left after expansion means -------------------------------

    def name(self, name: str) -> bool:
        """Is ``name`` the same typedef, tag and enum constant (or none) in both?"""
        got = self._name.get(name)
        if got is None:
            ua, ub = self.ua, self.ub
            got = (self._entry(ua.typedefs.get(name), ub.typedefs.get(name))
                   and self._entry(ua.constants.get(name), ub.constants.get(name))
                   and self._entry(ua.records.get(("struct", name)), ub.records.get(("struct", name)))
                   and self._entry(ua.records.get(("union", name)), ub.records.get(("union", name)))
                   and self._entry(ua.enums.get(name), ub.enums.get(name)))
            self._name[name] = got
        return got

    def enum_constant(self, name: str) -> bool:
        return self._entry(self.ua.constants.get(name), self.ub.constants.get(name))

    def _entry(self, x, y) -> bool:
        if x is None or y is None:
            return x is y
        journal: list[tuple] = []
        ok = self._eq(x, y, journal)
        if not ok:
            for key in journal:         # assumed equal on the way: not proven
                self._refs.pop(key, None)
        return ok

    def _ref(self, key: tuple, x, y, journal: list) -> bool:
        """Two named declarations a reference leads to, compared once: a
        reference met again while comparing is assumed equal (types refer to
        themselves through pointers), which holds if everything else does."""
        got = self._refs.get(key)
        if got is not None:
            return got
        if x is None or y is None:
            self._refs[key] = x is y
            return x is y
        self._refs[key] = True
        journal.append(key)
        if self._eq(x, y, journal):
            return True
        self._refs[key] = False
        return False

    def _eq(self, x, y, journal: list) -> bool:
        if x is y:
            return True
        cls = type(x)
        if cls is not type(y):
            return False
        if cls in _SCALARS:
            return x == y
        if cls is tuple:
            return len(x) == len(y) and all(self._eq(p, q, journal) for p, q in zip(x, y))
        slots = getattr(cls, "__slots__", None)
        if slots is None or cls.__module__ != m.__name__:
            return x == y               # nothing of ours: compared whole
        for s in slots:
            if s != "loc" and not self._eq(getattr(x, s), getattr(y, s), journal):
                return False
        ua, ub = self.ua, self.ub
        if cls is m.RecordRef:
            k = (x.kind, x.tag)
            return self._ref(("r",) + k, ua.records.get(k), ub.records.get(k), journal)
        if cls is m.EnumRef:
            return self._ref(("e", x.tag), ua.enums.get(x.tag), ub.enums.get(x.tag), journal)
        if cls is m.TypedefRef:
            return self._ref(("t", x.name), ua.typedefs.get(x.name), ub.typedefs.get(x.name),
                             journal)
        if cls is m.Ident:
            return self._ref(("c", x.name), ua.constants.get(x.name), ub.constants.get(x.name),
                             journal)
        return True


#: off, each translation's constants are valued on their own, as before the
#: shortcut (the equivalence tests compare both ways)
SHORTCUT = True


class BatchConstants:
    """``diff_snapshot.add_constants`` for each item of a batch (snapshot,
    revision view, header, translation, layout engine, ``mine``, revision
    index), in order, the macro expansions asked of cpp in one run per
    target (``diff_expand``), in three steps so that the cpp runs can
    overlap other work (``checks.diff`` translates the next batch
    meanwhile): made, it knows what to ask (the snapshots must hold every
    earlier batch's constants by then); ``expand`` asks cpp and touches
    nothing shared (it may run in another thread); ``finish`` values the
    constants into the snapshots, in the items' order.

    With two revisions, a name of NEW's translation proven to mean what it
    means in OLD's translation of the same header on the same target takes
    OLD's outcome: it is neither expanded nor evaluated again."""

    def __init__(self, pending: list, defines) -> None:
        from abicheck.checks.diff_snapshot import asked, own_macros
        self.pending, self.defines = pending, defines
        self.defs = defs = [p[3].macro_map for p in pending]
        self.own = own = [own_macros(d, p[5]) for d, p in zip(defs, pending)]
        asks = [asked(p[0], d, o) for p, d, o in zip(pending, defs, own)]
        #: NEW's item -> OLD's item, proof
        self.pairs: dict[int, tuple[int, SamePair]] = {}
        pairs = self.pairs
        if SHORTCUT:
            olds = {(p[2], p[3].target.name): k for k, p in enumerate(pending) if p[6] == 0}
            for k, p in enumerate(pending):
                j = olds.get((p[2], p[3].target.name)) if p[6] == 1 else None
                if j is not None:
                    pairs[k] = (j, SamePair(pending[j][3], p[3], defs[j], defs[k]))
        self.wanted: list[set[str] | None] = []
        for k, names in enumerate(asks):
            if k in pairs:
                j, proof = pairs[k]
                names = {n for n in names if not (n in asks[j] and proof.macro(n))}
            self.wanted.append(names if SHORTCUT else None)
        self.todo = [k for k in range(len(pending))
                     if asks[k] and (self.wanted[k] is None or self.wanted[k])]

    def expand(self) -> list:
        """The expansions of the items that ask for some, in ``todo``'s order."""
        from abicheck.checks import diff_expand
        return diff_expand.expansions([self.pending[k][3] for k in self.todo], self.defines,
                                      [self.wanted[k] for k in self.todo] if SHORTCUT else None)

    def finish(self, got: list) -> None:
        from abicheck.checks.diff_snapshot import add_constants
        known = dict(zip(self.todo, got))
        pairs, wanted = self.pairs, self.wanted
        found: dict[int, dict] = {j: {} for j, _ in pairs.values()}
        for k, (snap, v, header, tr, lay, mine, _) in enumerate(self.pending):
            same = (pairs[k][1], found[pairs[k][0]]) if k in pairs else None
            add_constants(snap, v, header, tr, lay, mine, known.get(k),
                          probed=wanted[k] if known.get(k) is not None else None,
                          same=same, found=found.get(k), defs=self.defs[k], own=self.own[k])
