"""The layout tree: what the engine hands every view and check.

A ``TypeLayout`` is one named type on one target; its ``root`` is a tree
of ``Member`` nodes (offsets absolute from the type's start), with the
holes and tail padding found in it.  Plain data, and the helpers that walk
it (``gaps``, ``padding``).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from abicheck import model as m
from abicheck.errors import SourceLoc

if TYPE_CHECKING:
    from abicheck.layout import dwarf


@dataclass(frozen=True, slots=True)
class Member:
    """One laid-out member: a node of the layout tree.

    ``offset`` is in bytes from the start of the outermost type; for a
    bitfield ``bit_offset`` is the absolute bit offset from that start and
    ``offset`` is ``bit_offset // 8``.  ``children`` are the members of a
    struct/union-typed member (anonymous ones included, with name None).
    """

    name: str | None
    path: str | None
    type: m.Type
    type_name: str
    offset: int
    size: int
    align: int
    bit_offset: int | None = None
    bit_width: int | None = None
    kind: str = "scalar"             # scalar | struct | union | array | pointer | enum
    tag: str | None = None           # struct/union tag behind typedefs, if any
    children: tuple["Member", ...] = ()
    loc: SourceLoc | None = None
    packed: bool = False             # the record (struct/union kinds) is declared packed
    #: an array of an anonymous record written in place: its first element's
    #: tree (pahole expands it); None otherwise.  Not a child: paths, holes
    #: and checks see the array as one member.
    element: "Member | None" = None
    #: what the DWARF facts below are computed from, when asked: only the
    #: pahole view asks, so no other command pays for them
    facts: "dwarf.Facts | None" = field(default=None, compare=False, repr=False)

    @property
    def user_align(self) -> int:
        """GCC's DECL_USER_ALIGN: the member's alignment when an ``aligned``
        attribute on it or in its type set it (DWARF's DW_AT_alignment), else 0."""
        return self.facts.user_align() if self.facts else 0

    @property
    def record_user_align(self) -> int:
        """TYPE_USER_ALIGN of a struct/union-typed member's record: its
        alignment when an ``aligned`` attribute inside or on it set it, else 0."""
        return self.facts.record_user_align() if self.facts else 0

    @property
    def natural_align(self) -> int:
        """pahole's natural alignment of the type: a scalar's size, an
        array's element's, a record's largest member's, packing ignored (it
        infers ``packed`` from members placed off it)."""
        return self.facts.natural_align() if self.facts else 1

    def to_json(self) -> dict:
        return {"path": self.path, "offset": self.offset, "size": self.size,
                "align": self.align, "type": self.type_name,
                "bit_offset": self.bit_offset, "bit_width": self.bit_width}


@dataclass(frozen=True, slots=True)
class Hole:
    """Unused space inside a record: after ``after`` (a path, or None at the
    start), ``bits`` long, starting at absolute bit ``bit_offset``."""

    after: str | None
    bit_offset: int
    bits: int
    record: str | None = None        # path of the record it is in (None: top)


@dataclass(frozen=True)
class TypeLayout:
    """The layout of one named type on one target."""

    name: str
    kind: str
    target: str
    size: int
    align: int
    root: Member
    holes: tuple[Hole, ...] = ()
    padding: int = 0                 # tail padding of the top-level record, bytes
    loc: SourceLoc | None = None

    def members(self) -> list[Member]:
        """Named members, pre-order, anonymous levels flattened away."""
        # a loop, not a closure calling itself: that closure and its cell
        # make a cycle, which kept every layout walked for the cycle
        # collector to free (a cold corpus run: ~100,000 objects)
        out: list[Member] = []
        stack = [iter(self.root.children)]
        while stack:
            c = next(stack[-1], None)
            if c is None:
                stack.pop()
                continue
            if c.name is not None:          # anonymous members add no entry
                out.append(c)
            if c.kind in ("struct", "union"):
                stack.append(iter(c.children))
        return out

    def member(self, path: str) -> Member | None:
        return self._by_path.get(path)

    @functools.cached_property
    def _by_path(self) -> dict[str, Member]:
        # the first member of each path, pre-order: a spec looks up ~25
        # accessors per layout, each a walk of the whole tree before
        out: dict[str, Member] = {}
        for mem in self.members():
            out.setdefault(mem.path, mem)
        return out

    def to_json(self) -> dict:
        return {
            "name": self.name, "kind": self.kind, "size": self.size, "align": self.align,
            "loc": str(self.loc) if self.loc else None,
            "members": [x.to_json() for x in self.members()],
            "holes": [{"after": h.after, "record": h.record, "offset": h.bit_offset // 8,
                       "bit_offset": h.bit_offset, "bits": h.bits} for h in self.holes],
            "padding": self.padding,
        }


def member_end(c: Member) -> int:
    """Bit just past member ``c``."""
    if c.bit_offset is not None:
        return c.bit_offset + c.bit_width
    return (c.offset + c.size) * 8


def gaps(node: Member, end_bits: int | None = None) -> list[tuple[int, int, int]]:
    """Unused bit ranges inside struct ``node``: (index of the member before
    it or -1, start bit, length in bits).  With ``end_bits`` the space between
    the last member and that end counts too (a nested struct's tail)."""
    out = []
    cur = node.offset * 8
    for i, c in enumerate(node.children):
        start = c.bit_offset if c.bit_offset is not None else c.offset * 8
        if start > cur:
            out.append((i - 1, cur, start - cur))
        cur = max(cur, member_end(c))
    if end_bits is not None and end_bits > cur:
        out.append((len(node.children) - 1, cur, end_bits - cur))
    return out


def padding(root: Member, size: int) -> int:
    """Tail padding of a top-level record, in bytes."""
    if root.kind not in ("struct", "union") or not root.children:
        return 0
    end = max(member_end(c) for c in root.children)
    return size - (end - root.offset * 8 + 7) // 8


def _last_path(children) -> str | None:
    for c in reversed(children):
        if c.path is not None:
            return c.path
    return None
