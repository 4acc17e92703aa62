"""One revision as one target sees it, reduced to what ``abicheck diff`` compares.

A diff of two whole header trees on 27 ABIs cannot keep every translation
alive, so each (revision, target) is boiled down to plain data as soon as a
header is translated: every record and typedef as a ``Shape`` (its members
as flat ``Slot`` rows carrying what the verdict rules need: offsets, bits,
alignment, the enclosing record, the value's representation), every integer
constant, and every accessor macro with the member path it names.
Translations that fail are kept as errors per header: a header that does not
compile on one target is a finding on that target, never the end of the run.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterator

from abicheck import api
from abicheck import model as m
from abicheck.errors import AbicheckError, SourceLoc
from abicheck.checks.diff_expr import (  # noqa: F401 (_calls, _parsed, _rewritten: re-exported)
    _calls, _parsed, _rewritten, macro_value)
from abicheck.frontend.macros import MacroTable
from abicheck.layout import Layouter, Member, TypeLayout
from abicheck.names import RESERVED
from abicheck.revision import Revision
from abicheck.scalars import is_float, signedness

_BUILTIN = ("<built-in>", "<command-line>")


@dataclass(frozen=True, slots=True)
class Slot:
    """One named member of a laid-out type, flattened (pre-order)."""

    path: str
    name: str
    offset: int
    size: int
    align: int
    bit_offset: int | None
    bit_width: int | None
    kind: str                 # scalar | struct | union | array | pointer | enum
    type_name: str
    rep: str                  # the value's representation: "signed int", "pointer", ...
    leaf: bool
    container: str            # kind of the record it sits in directly: struct | union
    cid: str                  # that record's identity within the type
    loc: SourceLoc | None

    @property
    def bits(self) -> tuple[int, int]:
        """[start, end) in bits from the start of the type."""
        if self.bit_offset is not None:
            return self.bit_offset, self.bit_offset + (self.bit_width or 0)
        return self.offset * 8, (self.offset + self.size) * 8

    @property
    def reserved(self) -> bool:
        return bool(RESERVED.search(self.name))

    @property
    def parent(self) -> str:
        return self.path.rpartition(".")[0]

    def spelled(self) -> str:
        """``name`` as a reader knows it: ``_pkey (int)``."""
        width = f":{self.bit_width}" if self.bit_width is not None else ""
        return f"{self.path} ({self.type_name}{width})"


@dataclass(frozen=True)
class Shape:
    """One type on one target: size, alignment and members."""

    name: str
    kind: str
    size: int
    align: int
    rep: str
    slots: tuple[Slot, ...]
    holes: frozenset[tuple[str, int, int]]   # (record path, bit offset, bits)
    padding: int
    loc: SourceLoc | None
    header: str

    def slot(self, path: str) -> Slot | None:
        for s in self.slots:
            if s.path == path:
                return s
        return None


@dataclass(frozen=True, slots=True)
class Constant:
    """A macro or enum constant with an integer value on one target, and the header that
    declares it."""

    name: str
    value: int
    loc: SourceLoc | None
    header: str


@dataclass(frozen=True, slots=True)
class Accessor:
    """A macro naming a member (``si_pkey`` -> ``_sifields._sigfault._pkey``)."""

    name: str
    path: str
    loc: SourceLoc | None
    header: str


@dataclass
class Snapshot:
    """Everything one revision declares, as one target lays it out."""

    target: str
    shapes: dict[str, Shape] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)      # typedef -> record it names
    constants: dict[str, Constant] = field(default_factory=dict)
    accessors: dict[str, Accessor] = field(default_factory=dict)
    failures: dict[str, AbicheckError] = field(default_factory=dict)   # header -> error
    unlaid: dict[str, str] = field(default_factory=dict)       # type -> why not laid out
    missing: bool = False       # a tree of several ABIs' headers has none for this one
    _by_header: dict | None = field(default=None, repr=False, compare=False)

    def drop_header(self, header: str) -> None:
        """Forget what ``header`` contributed (it failed on the other side).
        The tables are indexed by header the first time (a tree diff drops
        some 150 headers: each went through every table of the snapshot);
        nothing is added to a snapshot once it is compared."""
        if self._by_header is None:
            self._by_header = {}
            for table in (self.shapes, self.constants, self.accessors):
                for k, v in table.items():
                    self._by_header.setdefault(v.header, []).append((table, k))
        for table, k in self._by_header.pop(header, ()):
            v = table.get(k)
            if v is not None and v.header == header:
                del table[k]


def rep_of(lay: Layouter, t: m.Type) -> str:
    """How a value of type ``t`` is represented: what changes meaning even at
    the same size (signedness, integer vs float vs pointer)."""
    s = lay.strip(t)
    if isinstance(s, m.Array):
        return f"array of {rep_of(lay, s.element)}"
    if isinstance(s, (m.Pointer, m.Function)):
        return "pointer"
    if isinstance(s, m.Record):
        return s.kind
    if isinstance(s, m.Enum):
        return "enum"
    if isinstance(s, m.Scalar):
        if s.kind == "void":
            return "void"
        if s.kind == "_Bool":
            return "bool"
        if is_float(s):
            return "float"
        signed = signedness(lay, s)
        if signed is None:
            return "other"
        return ("signed" if signed else "unsigned") + " int"
    return "other"


def slots_of(lay: Layouter, layout: TypeLayout) -> tuple[Slot, ...]:
    """The named members in pre-order.  A loop, not a nested function that
    calls itself: such a function is a reference cycle (its closure holds
    it), and with it the slots and the layout engine stayed for the cycle
    collector to find (59,000 slots of an x86_64 tree diff)."""
    out: list[Slot] = []
    root = layout.root
    todo: list[tuple[Member, str, Iterator[Member]]] = [
        (root, f"{root.kind} {root.path or ''}@{root.offset}", iter(root.children))]
    while todo:
        node, cid, rest = todo[-1]
        c = next(rest, None)
        if c is None:
            todo.pop()
            continue
        record = c.kind in ("struct", "union")
        if c.name is not None:
            out.append(Slot(c.path, c.name, c.offset, c.size, c.align, c.bit_offset,
                            c.bit_width, c.kind, c.type_name, rep_of(lay, c.type), not record,
                            node.kind, cid, c.loc))
        if record:
            todo.append((c, f"{c.kind} {c.path or ''}@{c.offset}", iter(c.children)))
    return tuple(out)


def shape_of(lay: Layouter, name: str, header: str) -> Shape:
    layout = lay.layout(name)
    holes = frozenset((h.record or "", h.bit_offset, h.bits) for h in layout.holes)
    return Shape(name, layout.kind, layout.size, layout.align, rep_of(lay, layout.root.type),
                 slots_of(lay, layout), holes, layout.padding, layout.loc, header)


def add_translation(snap: Snapshot, rev: Revision, header: str, tr: api.Translation,
                    wanted: tuple[str, ...] = ()) -> None:
    """Fold what ``header``'s translation declares into ``snap`` (first
    header wins for a name declared by several).  With ``wanted`` types, only
    those, wherever they are declared."""
    lay, mine = add_shapes(snap, rev, header, tr, wanted)
    add_constants(snap, rev, header, tr, lay, mine)


def add_shapes(snap: Snapshot, rev: Revision, header: str, tr: api.Translation,
               wanted: tuple[str, ...] = ()):
    """The types part of ``add_translation``; returns what ``add_constants``
    takes (the layout engine, and which locations ``header`` speaks for).
    The two parts touch different tables of the snapshot, so the types of
    several headers may go first and their constants after, in the same
    order, with the same result."""
    unit = tr.unit
    lay = Layouter(unit, tr.target)
    known: dict[str, bool] = {}     # file -> does ``header`` speak for it

    def mine(loc: SourceLoc | None) -> bool:
        # asked for every declaration and macro of the unit, of a few files
        if loc is None:
            return False
        got = known.get(loc.file)
        if got is None:
            got = known[loc.file] = loc.file not in _BUILTIN and rev.contributes(header, loc.file)
        return got
    names: list[tuple[SourceLoc, str]] = []
    for (kind, tag), rec in unit.records.items():
        if rec.fields is not None and (mine(rec.loc) or f"{kind} {tag}" in wanted):
            names.append((rec.loc or SourceLoc(""), f"{kind} {tag}"))
    for tname, td in unit.typedefs.items():
        if mine(td.loc) or tname in wanted:
            names.append((td.loc or SourceLoc(""), tname))
            if isinstance(td.type, m.RecordRef):
                snap.aliases.setdefault(tname, f"{td.type.kind} {td.type.tag}")
    for _, name in sorted(names):
        if wanted and name not in wanted:
            continue
        if name in snap.shapes:
            continue
        try:
            snap.shapes[name] = shape_of(lay, name, header)
            snap.unlaid.pop(name, None)
        except (AbicheckError, RecursionError) as e:
            snap.unlaid.setdefault(name, getattr(e, "msg", "declarations nest too deeply"))
    return lay, mine


_IDENT = re.compile(r"[A-Za-z_]\w*")
#: an expansion that names a member (or is one name): ``frontend.macros``' rule
_PATH = re.compile(r"^[A-Za-z_]\w*(?:\s*\.\s*[A-Za-z_]\w*)*$")


def own_macros(defs: dict, mine) -> list[str]:
    """The object-like macros of ``defs`` that ``mine`` says the header
    speaks for, in their order (``mine`` asked once per file)."""
    files: dict[str, bool] = {}
    out = []
    for n, d in defs.items():
        if d.params is None:
            f = d.loc.file
            ok = files.get(f)
            if ok is None:
                ok = files[f] = mine(d.loc)
            if ok:
                out.append(n)
    return out


def asked(snap: Snapshot, defs: dict, own: list[str]) -> set[str]:
    """The macros ``add_constants`` may ask cpp to expand now, of ``own``
    (``own_macros``): not in the snapshot yet, naming another macro."""
    return {n for n in own if n not in snap.constants and n not in snap.accessors
            and any(u in defs and u != n for u in _IDENT.findall(defs[n].body))}


#: what ``add_constants`` found for a name it valued: ("c", value) for a
#: constant, ("a", path) for an accessor, None for neither
Outcome = "tuple[str, object] | None"
_UNKNOWN = object()


def add_constants(snap: Snapshot, rev: Revision, header: str, tr: api.Translation,
                  lay: Layouter, mine, expansions: dict[str, str] | None = None, *,
                  probed: set[str] | None = None, same=None,
                  found: dict | None = None, defs: dict | None = None,
                  own: list[str] | None = None) -> None:
    """The constants and accessors part of ``add_translation``;
    ``expansions``: ``MacroTable(tr, lay).expansions()`` when already known
    (``checks.diff_expand`` asks cpp for many headers at once), or the part
    of it for the names in ``probed``.  ``found``, when given, receives the
    outcome of each name valued here (``("m", name)``: a macro, ``("e",
    name)``: an enum constant); ``same``: (``diff_same.SamePair``, the
    ``found`` of OLD's translation of this header on this target): a name
    proven to mean the same in both takes OLD's outcome instead.  ``defs``,
    ``own``: the unit's macros by name and ``own_macros`` of them, if known."""
    if defs is None:
        defs = tr.macro_map
    names = own_macros(defs, mine) if own is None else own
    proof, theirs = same if same is not None else (None, {})
    for name in sorted(names):
        if name in snap.constants or name in snap.accessors:
            continue
        d = defs[name]
        got = theirs.get(("m", name), _UNKNOWN)
        if got is not _UNKNOWN and not proof.macro(name):
            got = _UNKNOWN
        if got is _UNKNOWN:
            if any(u in defs and u != name for u in _IDENT.findall(d.body)):
                if expansions is None or (probed is not None and name not in probed):
                    # the snapshot's layout engine, not a second one
                    expansions, probed = MacroTable(tr, lay).expansions(), None
                text = expansions.get(name, d.body)
            else:
                text = d.body
            value = macro_value(text, tr.unit, lay) if text else None
            got = ("c", value) if value is not None else \
                ("a", re.sub(r"\s+", "", text)) if text and _PATH.match(text) else None
            if found is not None:
                found["m", name] = got
        if got is None:
            continue
        if got[0] == "c":
            snap.constants[name] = Constant(name, got[1], d.loc, header)
        else:
            snap.accessors[name] = Accessor(name, got[1], d.loc, header)
    for name, en in sorted(tr.unit.constants.items()):
        if name in snap.constants or not mine(en.loc):
            continue
        value = theirs.get(("e", name), _UNKNOWN)
        if value is not _UNKNOWN and not proof.enum_constant(name):
            value = _UNKNOWN
        if value is _UNKNOWN:
            try:
                value = lay.eval(en.value, en.loc)
            except (AbicheckError, RecursionError):
                value = None
            if found is not None:
                found["e", name] = value
        if value is not None:
            snap.constants[name] = Constant(name, value, en.loc, header)
