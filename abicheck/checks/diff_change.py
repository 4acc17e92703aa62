"""The unit of a diff: one change of one type or constant on one target.

The verdict vocabulary and the finding codes live here so every part of the
diff (layouts, causes, constants) speaks the same words.  Codes:

=======  ==================================================================
ABI200   a header does not compile on a target (in OLD, NEW or both)
ABI201   type added / ABI202 type removed / ABI203 type renamed, same layout
ABI204   a type cannot be laid out on a target
ABI205   a tree of several ABIs' headers has none for this target (OLD, NEW or both)
ABI210   record size changed / ABI211 record alignment changed
ABI220   member added (where it lands: hole, tail padding, union, end)
ABI221   member removed
ABI222   member moved (with its cause) / ABI225 bitfield moved in its unit
ABI223   member resized
ABI224   member retyped (signedness, kind; or only respelled)
ABI226   member renamed, same layout (matched by accessor or by position)
ABI227   reserved bytes put to use
ABI228   union member added that is larger than the others
ABI229   holes or tail padding appeared or vanished
ABI230   constant added / ABI231 removed / ABI232 changed value
ABI233   new code collides with an existing code of the same group
ABI234   code counter grew (or shrank)
ABI240   accessor macro added, removed or now names another member
=======  ==================================================================
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from abicheck.errors import SourceLoc

COMPATIBLE, REVIEW, INCOMPATIBLE = "compatible", "needs review", "incompatible"
#: Headers that could not be compared: reported, but no ABI verdict.
NOT_COMPARED = "not compared"
SEVERITY = {INCOMPATIBLE: "error", REVIEW: "warning", COMPATIBLE: "note", NOT_COMPARED: "note"}


@dataclass(frozen=True)
class Change:
    """One change on one target.  ``topic`` names it without this target's
    numbers (so 26 targets group under one line); ``message`` has them.
    ``side`` says which revision ``loc`` is in (NEW unless removed)."""

    id: str
    verdict: str
    check: str
    topic: str
    message: str
    loc: SourceLoc | None
    old: Any = None
    new: Any = None
    cause: str | None = None
    side: str = "new"

    def derived(self, cause: str | None) -> "Change":
        if cause is None or cause == self.topic:
            return self
        return Change(self.id, self.verdict, self.check, self.topic, self.message, self.loc,
                      self.old, self.new, cause, self.side)


def hexoff(x: int) -> str:
    return f"{x:#x}"


def bits_text(start: int, end: int) -> str:
    """A bit range as a reader wants it: whole bytes when it is bytes."""
    if start % 8 == 0 and end % 8 == 0:
        return f"{hexoff(start // 8)}..{hexoff(end // 8)}"
    return f"bits {start}..{end}"


