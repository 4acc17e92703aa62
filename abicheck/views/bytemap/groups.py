"""What a byte map draws: per type, the groups of targets whose layouts are
identical, each group's members as bit ranges, and the members that move.

A layout comes either from ``abicheck layout`` (a ``TypeLayout``) or from a
diff snapshot (a ``Shape``, the flat form ``abicheck diff`` keeps); both are
reduced to a ``Picture`` so the drawing code knows neither.  Only leaves are
drawn (scalars, pointers, arrays, bitfields): a struct or union member is
the sum of its leaves, and drawing it too would hide them.  A bitfield
carries its storage unit (the ``sizeof(type)``-aligned block of its declared
type that holds it), so it is drawn inside it, as pahole reads it.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Mapping, Sequence

from abicheck.layout import member_end

if TYPE_CHECKING:
    from abicheck.checks.diff_snapshot import Shape
    from abicheck.layout import TypeLayout

_AGGREGATES = ("struct", "union")


@dataclass(frozen=True, slots=True)
class Cell:
    """One leaf member: bits [start, end) from the start of the type."""

    path: str
    type_name: str
    start: int
    end: int
    #: a bitfield's storage unit, bits [u0, u1); None for other members
    unit: tuple[int, int] | None = None
    width: int | None = None            # a bitfield's declared width
    accessors: tuple[str, ...] = ()     # public macros naming it (si_pkey)
    #: the lane it is drawn in, where the record's tree is known (union
    #: alternatives stacked, struct members side by side); None: the
    #: drawing packs it into the first free lane
    lane: int | None = None

    @property
    def label(self) -> str:
        """What a reader calls it: the accessor where one exists."""
        return self.accessors[0] if self.accessors else self.path.rpartition(".")[2]


@dataclass(frozen=True, slots=True)
class Gap:
    """Unused bits [start, end): a ``hole`` inside the struct at ``record``
    (a path, "" for the top level) after member ``after``, or the type's tail
    ``padding``."""

    start: int
    end: int
    kind: str
    record: str = ""
    after: str | None = None
    lane: int | None = None


@dataclass(frozen=True)
class Picture:
    """One type as one target (or a group of them) lays it out."""

    name: str
    size: int
    align: int
    cells: tuple[Cell, ...]
    gaps: tuple[Gap, ...]

    def signature(self) -> tuple:
        """Equal for identical layouts (accessor labels aside)."""
        return (self.size, self.align, tuple((c.path, c.start, c.end, c.unit) for c in self.cells))


@dataclass(frozen=True)
class Group:
    """One row of a byte map: the targets sharing one layout."""

    label: str                          # "A", "B", ... or "OLD A", "NEW A"
    targets: tuple[str, ...]
    picture: Picture


@dataclass(frozen=True)
class Figure:
    """One type's byte map: its rows, and the paths whose place differs
    between rows (moved, resized, or present in some rows only)."""

    name: str
    groups: tuple[Group, ...]
    moved: frozenset[str]
    caption: str
    notes: tuple[str, ...] = ()         # what a diff says about the type


def _unit(start: int, width: int, type_size: int) -> tuple[int, int]:
    bits = max(type_size, 1) * 8
    u0 = start - start % bits
    u1 = u0 + bits
    if start + width > u1:              # packed: the field straddles units
        u1 = (start + width + 7) // 8 * 8
    return u0, u1


def _cell(path: str, type_name: str, offset: int, size: int, bit_offset: int | None,
          bit_width: int | None, accessors: Mapping[str, Sequence[str]],
          lane: int | None = None) -> Cell:
    acc = tuple(sorted(accessors.get(path, ())))
    if bit_width is not None and bit_offset is not None:
        return Cell(path, type_name, bit_offset, bit_offset + bit_width,
                    _unit(bit_offset, bit_width, size), bit_width, acc, lane)
    return Cell(path, type_name, offset * 8, (offset + size) * 8, None, None, acc, lane)


def _padding(cells: Sequence[Cell], size: int) -> tuple[Gap, ...]:
    end = max((c.end for c in cells), default=0)
    return (Gap(end, size * 8, "padding"),) if cells and end < size * 8 else ()


def picture_of_layout(lay: "TypeLayout", accessors: Mapping[str, Sequence[str]] = {}) -> Picture:
    """A ``TypeLayout``'s leaves, its holes (every struct level's, as the
    engine finds them) and its tail padding, each in its lane: a struct's
    members side by side in the lanes of the struct, a union's alternatives
    one below the other, so every alternative reads as one band."""
    lanes: dict[int, int] = {}          # id(member) -> lane
    hole_lane: dict[int, int] = {}      # index in lay.holes -> lane
    tails: list[Gap] = []
    by_record: dict[str | None, list[int]] = {}
    for i, h in enumerate(lay.holes):
        by_record.setdefault(h.record or None, []).append(i)

    def place(node, base: int) -> int:
        """Lanes ``node`` needs, starting at ``base``."""
        if node.kind not in _AGGREGATES or not node.children:
            lanes[id(node)] = base
            return 1
        if node.kind == "union":
            used = 0
            for c in node.children:
                used += place(c, base + used)
            # a nested union larger than its largest member (rounded up to
            # its alignment): unused bytes the engine's holes (struct
            # levels only) do not list
            end = max(member_end(c) for c in node.children)
            if node is not lay.root and end < (node.offset + node.size) * 8:
                tails.append(Gap(end, (node.offset + node.size) * 8, "hole", node.path or "",
                                 None, base))
            return max(used, 1)
        used = max(place(c, base) for c in node.children)
        lo, hi = node.offset * 8, (node.offset + node.size) * 8
        for i in by_record.get(node.path, ()):
            if i not in hole_lane and lo <= lay.holes[i].bit_offset < hi:
                hole_lane[i] = base
        return used

    place(lay.root, 0)
    if lay.root.kind in _AGGREGATES:
        cells = tuple(_cell(x.path, x.type_name, x.offset, x.size, x.bit_offset, x.bit_width,
                            accessors, lanes.get(id(x)))
                      for x in lay.members() if x.kind not in _AGGREGATES and x.path)
    else:                               # a typedef of a scalar, pointer or array: one box
        cells = (Cell(lay.name, lay.root.type_name, 0, lay.size * 8, lane=0),)
    holes = tuple(Gap(h.bit_offset, h.bit_offset + h.bits, "hole", h.record or "", h.after,
                      hole_lane.get(i, 0))
                  for i, h in enumerate(lay.holes))
    holes = tuple(sorted(holes + tuple(tails), key=lambda g: (g.start, g.end)))
    return Picture(lay.name, lay.size, lay.align, cells, holes + _padding(cells, lay.size))


def picture_of_shape(shape: "Shape", accessors: Mapping[str, Sequence[str]] = {}) -> Picture:
    """The same from a diff snapshot's ``Shape``."""
    cells = tuple(_cell(s.path, s.type_name, s.offset, s.size, s.bit_offset, s.bit_width, accessors)
                  for s in shape.slots if s.leaf)
    holes = tuple(Gap(b, b + n, "hole", rec) for rec, b, n in sorted(shape.holes, key=lambda h: h[1:]))
    return Picture(shape.name, shape.size, shape.align, cells, holes + _padding(cells, shape.size))


def group(items: Iterable[tuple[str, Picture]], prefix: str = "") -> list[Group]:
    """(target, picture) pairs -> groups of identical layouts, in first-seen
    order, labelled A, B, ... (after ``prefix``)."""
    found: list[tuple[list[str], Picture]] = []
    for target, pic in items:
        sig = pic.signature()
        for names, rep in found:
            if rep.signature() == sig:
                names.append(target)
                break
        else:
            found.append(([target], pic))
    return [Group(f"{prefix}{_letters(i)}", tuple(names), pic) for i, (names, pic) in enumerate(found)]


def _letters(i: int) -> str:
    """A, B, ..., Z, AA, AB, ...: a label for any number of groups."""
    out = ""
    i += 1
    while i:
        i, r = divmod(i - 1, 26)
        out = chr(65 + r) + out
    return out


def moved_paths(pictures: Sequence[Picture]) -> frozenset[str]:
    """Paths whose bits differ between pictures, or that some lack."""
    places = [{c.path: (c.start, c.end) for c in p.cells} for p in pictures]
    paths = {p for pl in places for p in pl}
    return frozenset(p for p in paths if len({pl.get(p) for pl in places}) > 1)


def figure_of_layouts(items: Sequence[tuple[str, Picture]]) -> Figure:
    """One type on several targets: a row per distinct layout."""
    groups = group(items)
    name = items[0][1].name
    n = len(groups)
    caption = (f"{name} on {len(items)} target{'s' if len(items) != 1 else ''}: "
               f"{n} distinct layout{'s' if n != 1 else ''}")
    return Figure(name, tuple(groups), moved_paths([g.picture for g in groups]), caption)


def figure_of_diff(name: str, old: Sequence[tuple[str, Picture]], new: Sequence[tuple[str, Picture]],
                   notes: Sequence[str] = ()) -> Figure:
    """One type in two revisions: OLD's rows above NEW's; what moves is
    what one target places differently in NEW than in OLD (two ABIs that
    always differed are no change)."""
    groups = group(old, "OLD ") + group(new, "NEW ")
    before = dict(old)
    moved = frozenset(p for t, pic in new if t in before for p in moved_paths([before[t], pic]))
    caption = (f"{name}: OLD on {len(old)} target{'s' if len(old) != 1 else ''}, "
               f"NEW on {len(new)} target{'s' if len(new) != 1 else ''}")
    return Figure(name, tuple(groups), moved, caption, tuple(notes))
