"""Two layouts of one type on one target: what changed, and what it means.

Members are matched by path; where a public accessor macro names a member
in both revisions, by accessor (``si_pkey`` moved from ``_sigfault._pkey`` to
``_sigfault._addr_pkey._pkey``); what is left is matched by position (same
bits, size and representation under the same parent), so a rename with the
same layout is a rename, not a removal and an addition.

Verdicts follow what a binary built against OLD reads from memory laid out
by NEW: every *leaf* member it knew (scalars, arrays, pointers, bitfields)
must keep its bits and its representation, and the type its size and
alignment.  An enclosing struct that starts elsewhere while all of its
leaves stay put (a leading pad member added to an anonymous struct in a
union) breaks nothing.  Members named as reserved (``__reserved``,
``_pad``...) are not promises; putting them to use needs review.  Moves are
handed to ``diff_cause`` for their root cause.
"""
from __future__ import annotations

from abicheck.checks.diff_cause import explain_moves
from abicheck.checks.diff_change import (
    COMPATIBLE, INCOMPATIBLE, REVIEW, Change, bits_text, hexoff)
from abicheck.checks.diff_snapshot import Shape, Slot
from abicheck.report.common import plural


def match(old: Shape, new: Shape, renames: dict[str, tuple[str, str]]) -> tuple[dict[str, str], dict[str, str]]:
    """old path -> new path, and old path -> how it was matched when not by
    path (``accessor si_pkey`` / ``position``)."""
    o = {s.path: s for s in old.slots}
    n = {s.path: s for s in new.slots}
    pairs = {p: p for p in o if p in n}
    how: dict[str, str] = {}
    taken = set(pairs.values())

    def pair(op: str, np: str, why: str) -> None:
        pairs[op], how[op] = np, why
        taken.add(np)
        for q in o:                     # the members below follow by suffix
            cand = np + q[len(op):]
            if q.startswith(op + ".") and q not in pairs and cand in n and cand not in taken:
                pairs[q], how[q] = cand, why
                taken.add(cand)

    for op, (np, acc) in sorted(renames.items()):
        if op in o and np in n and op not in pairs and np not in taken:
            pair(op, np, f"accessor {acc}")
    for s in old.slots:                 # pre-order: aggregates before their members
        if s.path in pairs:
            continue
        parent = pairs.get(s.parent, s.parent)
        for t in new.slots:
            if (t.path not in taken and t.parent == parent and t.bits == s.bits
                    and t.size == s.size and t.rep == s.rep and t.leaf == s.leaf
                    and _signature(old, s) == _signature(new, t) and s.reserved == t.reserved):
                pair(s.path, t.path, "position")
                break
    return pairs, how


def _signature(shape: Shape, s: Slot) -> tuple:
    """The layout below an aggregate, names left out."""
    if s.leaf:
        return ()
    return tuple((c.bits[0] - s.offset * 8, c.bits[1] - s.offset * 8, c.rep) for c in shape.slots
                 if c.path.startswith(s.path + "."))


def compare_shapes(old: Shape, new: Shape, renames: dict[str, tuple[str, str]]) -> list[Change]:
    """Every change between two layouts of one type on one target."""
    name = new.name
    out: list[Change] = []
    if old.size != new.size:
        out.append(Change("ABI210", INCOMPATIBLE, name, f"the size of {name} changed",
                          f"{name} is {new.size} bytes, was {old.size}", new.loc, old.size, new.size))
    if old.align != new.align:
        out.append(Change("ABI211", INCOMPATIBLE, name, f"the alignment of {name} changed",
                          f"{name} is {new.align}-byte aligned, was {old.align}", new.loc,
                          old.align, new.align))
    if old.rep != new.rep and not new.slots:
        out.append(Change("ABI224", INCOMPATIBLE, name, f"{name} changed representation",
                          f"{name} is {new.rep}, was {old.rep}", new.loc, old.rep, new.rep))
    pairs, how = match(old, new, renames)
    n = {s.path: s for s in new.slots}
    moved: list[tuple[Slot, Slot]] = []
    reserved_changed: list[Slot] = []
    for s in old.slots:
        if s.path not in pairs:
            continue
        t = n[pairs[s.path]]
        if s.reserved and s.leaf:
            if s.size != t.size or s.rep != t.rep or s.path != t.path:
                reserved_changed.append(s)
            elif s.bits != t.bits:
                moved.append((s, t))        # moved along with what holds it
            continue
        if s.bits[0] != t.bits[0]:
            moved.append((s, t))
        out.extend(_member_changes(name, s, t, how.get(s.path)))
    added = [t for t in new.slots if t.path not in set(pairs.values())]
    added_top = [t for t in added if not any(t.path.startswith(a.path + ".") for a in added)]
    removed = [s for s in old.slots if s.path not in pairs]
    removed_top = [s for s in removed if not any(s.path.startswith(r.path + ".") for r in removed)]
    out.extend(_additions(old, new, added_top, pairs))
    for s in removed_top:
        if s.reserved:
            out.append(Change("ABI221", COMPATIBLE, name, f"reserved member {s.path} removed",
                              f"reserved member {s.spelled()} at {hexoff(s.offset)} removed", s.loc,
                              _pos(s), None, side="old"))
            continue
        out.append(Change("ABI221", INCOMPATIBLE, name, f"member {s.path} removed",
                          f"member {s.spelled()} at {hexoff(s.offset)} removed", s.loc,
                          _pos(s), None, side="old"))
    for s in reserved_changed:
        if not any(c.id == "ABI227" for c in out):
            t = n[pairs[s.path]]
            out.append(Change("ABI227", REVIEW, name, f"reserved member {s.path} changed",
                              f"reserved member {s.spelled()} at {hexoff(s.offset)}, "
                              f"{s.size} bytes, is now {t.spelled()} at {hexoff(t.offset)}, "
                              f"{t.size} bytes", t.loc, _pos(s), _pos(t)))
    moves, culprits = explain_moves(old, new, moved, pairs, added_top, removed_top, out, how)
    out = [_culprit(c, culprits) for c in out]
    out.extend(moves)
    out = _alignment_cause(out, old, new)
    roots = [c.topic for c in out if c.cause is None and c.id in ("ABI222", "ABI211", "ABI220")
             and c.verdict == INCOMPATIBLE]
    out = [c.derived(roots[0]) if c.id == "ABI210" and roots else c for c in out]
    additions = {c.new["path"]: c.topic for c in out if c.id in ("ABI220", "ABI227") and c.new}
    removals = {c.old["path"]: c.topic for c in out if c.id == "ABI221" and c.old}
    out.extend(_grown(old, new, pairs, additions, removals))
    out.extend(_holes(old, new, out))
    return _root_causes(out)


def _root_causes(changes: list[Change]) -> list[Change]:
    """Point every derived change at a root: a cause that is itself derived
    gives way to its own cause."""
    parent = {c.topic: c.cause for c in changes if c.cause is not None}
    out = []
    for c in changes:
        cause, seen = c.cause, set()
        while cause in parent and cause not in seen:
            seen.add(cause)
            cause = parent[cause]
        out.append(c if cause == c.cause else c.derived(cause))
    # a root is as bad as the worst change that follows from it
    rank = {COMPATIBLE: 0, REVIEW: 1, INCOMPATIBLE: 2}
    worst: dict[str, str] = {}
    for c in out:
        if c.cause is not None and rank.get(c.verdict, 0) > rank.get(worst.get(c.cause, COMPATIBLE), 0):
            worst[c.cause] = c.verdict
    return [Change(c.id, worst[c.topic], c.check, c.topic, c.message, c.loc, c.old, c.new, c.cause,
                   c.side)
            if c.cause is None and c.topic in worst and rank[worst[c.topic]] > rank.get(c.verdict, 0)
            else c for c in out]


def _alignment_cause(changes: list[Change], old: Shape, new: Shape) -> list[Change]:
    """A record's alignment changes because something inside it did: the
    alignment raise already found for a moved member, or an addition as
    aligned as the record now is (which then becomes the root)."""
    c = next((x for x in changes if x.id == "ABI211"), None)
    if c is None:
        return changes
    for x in changes:
        if x.id == "ABI222" and x.cause is None and "the alignment of" in x.topic:
            return [y.derived(x.topic) if y is c else y for y in changes]
    n = {s.path: s for s in new.slots}
    for x in changes:                   # a member that grew into the new alignment
        if x.id in ("ABI223", "ABI224") and isinstance(x.new, dict) and x.cause is None \
                and x.verdict == INCOMPATIBLE and n[x.new["path"]].align == new.align > old.align:
            return [y.derived(x.topic) if y is c else y for y in changes]
    for x in changes:
        if x.id == "ABI220" and x.new and x.cause is None and n[x.new["path"]].align == new.align:
            t = n[x.new["path"]]
            root = Change("ABI211", INCOMPATIBLE, new.name,
                          f"new member {t.path} ({t.type_name}) raised the alignment of {new.name}",
                          f"new member {t.path} ({t.type_name}, {t.align}-aligned on this ABI) "
                          f"raised the alignment of {new.name} from {old.align} to {new.align}",
                          t.loc, c.old, c.new)
            added = Change(x.id, INCOMPATIBLE, x.check, x.topic, x.message, x.loc, x.old, x.new,
                           root.topic, x.side)
            return [root if y is c else added if y is x else y for y in changes]
    return changes


def _culprit(c: Change, culprits: dict[str, str]) -> Change:
    """An addition that moved existing members is incompatible, and follows
    the root it caused."""
    if c.id != "ABI220" or not c.new or c.new["path"] not in culprits:
        return c
    return Change(c.id, INCOMPATIBLE, c.check, c.topic, c.message, c.loc, c.old, c.new,
                  culprits[c.new["path"]], c.side)


def _grown(old: Shape, new: Shape, pairs: dict[str, str], additions: dict[str, str],
           removals: dict[str, str]) -> list[Change]:
    """Nested records that grew or shrank: they follow from what was added
    inside them (their leaves are judged on their own)."""
    n = {s.path: s for s in new.slots}
    out = []
    for s in old.slots:
        t = n.get(pairs.get(s.path, ""))
        if s.leaf or t is None or s.size == t.size:
            continue
        verb = "grew" if t.size > s.size else "shrank"
        if verb == "grew":
            inner = [additions[p] for p in sorted(additions) if p.startswith(t.path + ".")]
        else:
            inner = [removals[p] for p in sorted(removals) if p.startswith(s.path + ".")]
        out.append(Change("ABI223", COMPATIBLE, new.name, f"member {t.path} {verb}",
                          f"member {t.path} ({t.type_name}) {verb} from {s.size} to {t.size} bytes",
                          t.loc, _pos(s), _pos(t), inner[0] if inner else None))
    return out


def _pos(s: Slot) -> dict:
    return {"path": s.path, "offset": s.offset, "size": s.size, "bit_offset": s.bit_offset,
            "bit_width": s.bit_width, "type": s.type_name}


def _member_changes(name: str, s: Slot, t: Slot, how: str | None) -> list[Change]:
    out = []
    same_place = s.bits == t.bits and s.size == t.size and s.rep == t.rep
    if s.path != t.path and same_place and _quiet_parent_rename(s, t, how):
        out.append(Change("ABI226", REVIEW, name, f"member {s.path} renamed to {t.path}"
                          + (f" ({how})" if how and how.startswith("accessor") else ""),
                          f"member {s.path} is now {t.path}, same offset {hexoff(t.offset)} and size",
                          t.loc, _pos(s), _pos(t)))
    if not s.leaf:
        return out          # aggregates: judged by their leaves (moves: diff_cause)
    what = f"member {t.path}" if s.path == t.path else f"member {s.path} (now {t.path})"
    if s.size != t.size or s.bit_width != t.bit_width:
        old_w = f"{s.bit_width} bits" if s.bit_width is not None else plural(s.size, "byte")
        new_w = f"{t.bit_width} bits" if t.bit_width is not None else plural(t.size, "byte")
        out.append(Change("ABI223", INCOMPATIBLE, name, f"{what} resized",
                          f"{what} is {new_w} ({t.type_name}), was {old_w} ({s.type_name})",
                          t.loc, _pos(s), _pos(t)))
    if s.rep != t.rep:
        out.append(Change("ABI224", INCOMPATIBLE, name,
                          f"{what} changed from {s.rep} to {t.rep}",
                          f"{what} is {t.type_name} ({t.rep}), was {s.type_name} ({s.rep})",
                          t.loc, s.type_name, t.type_name))
    elif s.type_name != t.type_name and s.size == t.size:
        out.append(Change("ABI224", COMPATIBLE, name,
                          f"{what} respelled {s.type_name} -> {t.type_name}",
                          f"{what} is spelled {t.type_name}, was {s.type_name}; same size and "
                          f"representation ({t.rep})", t.loc, s.type_name, t.type_name))
    return out


def _quiet_parent_rename(s: Slot, t: Slot, how: str | None) -> bool:
    """Report a rename once: at the member whose own name changed, or at an
    accessor match."""
    return s.name != t.name or bool(how and how.startswith("accessor") and s.leaf)


def _additions(old: Shape, new: Shape, added: list[Slot], pairs: dict[str, str]) -> list[Change]:
    """Where each added member lands, judged by what those bytes were in OLD."""
    name = new.name
    n = {s.path: s for s in new.slots}
    moved_or_gone = {s.path for s in old.slots
                     if s.path not in pairs or n[pairs[s.path]].bits != s.bits}
    tail0 = (old.size - old.padding) * 8
    out = []
    for t in added:
        lo, hi = t.bits if t.leaf else (t.offset * 8, (t.offset + t.size) * 8)
        overlaps = [s for s in old.slots if s.leaf and s.bits[0] < hi and lo < s.bits[1]]
        displaced = [s for s in overlaps if s.path in moved_or_gone]
        reserved = [s for s in displaced if s.reserved and s.container == "struct"]
        pos = _pos(t)
        where = f"at {hexoff(t.offset)}" + (f" bit {t.bit_offset}" if t.bit_offset is not None else "")
        base = f"member {t.spelled()} added"
        gone = [s.path for s in displaced if not s.reserved]
        was = f", where {', '.join(gone)} used to be" if gone and not reserved else ""
        if hi > old.size * 8:
            out.append(Change("ABI220", INCOMPATIBLE, name, f"member {t.path} added at the end of {name}",
                              f"{base} {where}, beyond the old end of {name} ({old.size} bytes)",
                              t.loc, None, pos))
        elif reserved:
            names = ", ".join(sorted({s.path for s in reserved}))
            out.append(Change("ABI227", REVIEW, name, f"member {t.path} put reserved bytes to use",
                              f"{base} {where} in bytes reserved by {names}", t.loc, None, pos))
        elif overlaps or t.container == "union":
            big = _larger_than_siblings(new, t, pairs)
            if big is not None:
                out.append(Change("ABI228", REVIEW, name,
                                  f"union member {t.path} added, larger than the others",
                                  f"{base} {where}: {t.size} bytes, larger than every other member "
                                  f"of its union ({big} bytes at most)", t.loc, None, pos))
            elif t.container == "union" or not displaced:
                out.append(Change("ABI220", COMPATIBLE, name, f"member {t.path} added into a union",
                                  f"{base} {where} into a union, without growing it{was}", t.loc,
                                  None, pos))
            else:
                out.append(Change("ABI220", COMPATIBLE, name, f"member {t.path} added in place of others",
                                  f"{base} {where}{was}", t.loc, None, pos))
        elif any(b <= lo and hi <= b + w for _, b, w in old.holes):
            out.append(Change("ABI220", COMPATIBLE, name, f"member {t.path} added into a hole",
                              f"{base} {where}, into a hole ({bits_text(lo, hi)} were padding)",
                              t.loc, None, pos))
        elif lo >= tail0:
            out.append(Change("ABI220", COMPATIBLE, name, f"member {t.path} added into tail padding",
                              f"{base} {where}, into the tail padding {name}'s size already covered",
                              t.loc, None, pos))
        else:
            out.append(Change("ABI220", COMPATIBLE, name, f"member {t.path} added into unused space",
                              f"{base} {where}, into bytes no member used ({bits_text(lo, hi)})",
                              t.loc, None, pos))
    return out


def _larger_than_siblings(new: Shape, t: Slot, pairs: dict[str, str]) -> int | None:
    """When ``t`` is a direct member of a union and larger than every existing
    member there (reserved padding members aside): the largest of those."""
    if t.container != "union":
        return None
    existing = set(pairs.values())
    sizes = [s.size for s in new.slots if s.cid == t.cid and s.path != t.path
             and s.path in existing and not s.reserved]
    if sizes and t.size > max(sizes):
        return max(sizes)
    return None


def _holes(old: Shape, new: Shape, changes: list[Change]) -> list[Change]:
    """Holes and tail padding that appeared or vanished; they follow from the
    first root change of the type, when there is one."""
    name = new.name
    roots = [c.topic for c in changes if c.cause is None
             and c.id in ("ABI211", "ABI220", "ABI221", "ABI222", "ABI223", "ABI227")]
    cause = roots[0] if roots else None
    out = []
    for rec, b, w in sorted(old.holes - new.holes):
        out.append(Change("ABI229", COMPATIBLE, name, f"a hole in {rec or name} vanished",
                          f"the {_width(w)} hole at "
                          f"{bits_text(b, b + w)} in {rec or name} is gone", new.loc, [b, w], None, cause))
    for rec, b, w in sorted(new.holes - old.holes):
        out.append(Change("ABI229", COMPATIBLE, name, f"a hole in {rec or name} appeared",
                          f"a {_width(w)} hole at "
                          f"{bits_text(b, b + w)} in {rec or name}", new.loc, None, [b, w], cause))
    if old.padding != new.padding:
        out.append(Change("ABI229", COMPATIBLE, name, f"the tail padding of {name} changed",
                          f"{name} has {plural(new.padding, 'byte')} of tail padding, was "
                          f"{old.padding}", new.loc, old.padding, new.padding, cause))
    return out


def _width(bits: int) -> str:
    return f"{bits // 8}-byte" if bits % 8 == 0 else f"{bits}-bit"
