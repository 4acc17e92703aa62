"""Root causes: when many members move, name the one change that moved them.

A reviewer who sees forty moved members on arm needs the sentence "new
member ``_pkey`` (u64, 8-aligned on this ABI) raised the alignment of
``_sifields`` from 4 to 8, so it moves from 0xc to 0x10 (+4): every member
of ``_sifields`` moves +4", not forty lines.  So, per type and target:

1. a moved member whose nearest moved ancestor moved by the same amount is
   *derived*: it only follows its ancestor (its finding names the root as
   its cause; renderers count it under the root);
2. every other moved member is a *root*, explained by the first of: its own
   alignment changed (and which member, added or retyped, raised it); the
   nearest change before it under the same parent (a member added, grown
   or removed there); or plainly, the move itself.

A moved aggregate whose leaves all stay put (only its start changed, because
it gained or lost a leading member) breaks nothing and is compatible.
"""
from __future__ import annotations

from abicheck.checks.diff_change import COMPATIBLE, INCOMPATIBLE, REVIEW, Change, hexoff
from abicheck.checks.diff_snapshot import Shape, Slot


def _delta_text(bits: int) -> str:
    return f"{bits // 8:+d}" if bits % 8 == 0 else f"{bits:+d} bits"


def explain_moves(old: Shape, new: Shape, moved: list[tuple[Slot, Slot]], pairs: dict[str, str],
                  added: list[Slot], removed: list[Slot], changes: list[Change],
                  how: dict[str, str] | None = None) -> tuple[list[Change], dict[str, str]]:
    """Changes for the ``moved`` (old, new) pairs, in old pre-order, and the
    added members that caused a root move (path -> the root's topic)."""
    name = new.name
    by_old = {s.path: (s, t) for s, t in moved}
    delta = {s.path: t.bits[0] - s.bits[0] for s, t in moved}
    topic_of: dict[str, str] = {}          # moved old path -> topic of its root
    culprits: dict[str, str] = {}
    out: list[Change] = []
    for s, t in moved:
        anc = _moved_ancestor(s.path, by_old)
        leaves_moved = s.leaf or any(p.startswith(s.path + ".") and by_old[p][0].leaf
                                     and not by_old[p][0].reserved for p in by_old)
        verdict = INCOMPATIBLE if leaves_moved else COMPATIBLE
        if s.leaf and s.reserved:       # nobody may read reserved bytes: only a root is news
            verdict = REVIEW if anc is None or delta[anc] != delta[s.path] else COMPATIBLE
        d = _delta_text(delta[s.path])
        via = (how or {}).get(s.path, "")
        what = (f"member {t.path}" if s.path == t.path else
                f"member {s.path} (now {t.path}{', by ' + via if via.startswith('accessor') else ''})")
        msg = f"{what} moved from {hexoff(s.offset)} to {hexoff(t.offset)} ({d})"
        if s.bit_offset is not None and t.bit_offset is not None and s.size == t.size and \
                s.bits[0] // (s.size * 8 or 1) == t.bits[0] // (t.size * 8 or 1):
            code, msg = "ABI225", f"bitfield {t.path} moved within its unit from bit " \
                                  f"{s.bit_offset} to bit {t.bit_offset}"
        else:
            code = "ABI222"
        if not leaves_moved:
            msg += "; its members keep their offsets"
        if anc is not None and delta[anc] == delta[s.path]:
            topic_of[s.path] = topic_of[anc]
            out.append(Change(code, verdict, name, f"{what} moved", msg, t.loc, _p(s), _p(t),
                              topic_of[anc]))
            continue
        topic, why, culprit = _root(old, new, s, t, pairs, added, removed, changes)
        where = t.loc
        if culprit is not None:         # point at the line that broke it
            where = next((x.loc for x in new.slots if x.path == culprit), t.loc)
        follows = _followers(s, by_old, delta)
        size = (f"{name} keeps {new.size} bytes" if new.size == old.size
                else f"{name} grows from {old.size} to {new.size} bytes" if new.size > old.size
                else f"{name} shrinks from {old.size} to {new.size} bytes")
        text = f"{why}{', so ' if why else ''}{msg}{follows}; {size}"
        topic_of[s.path] = topic
        if culprit is not None:
            culprits[culprit] = topic
            for a in added:             # the added aggregate that holds it
                if culprit.startswith(a.path + "."):
                    culprits[a.path] = topic
        out.append(Change(code, verdict, name, topic, text, where, _p(s), _p(t)))
    return out, culprits


def _p(s: Slot) -> dict:
    return {"path": s.path, "offset": s.offset, "size": s.size, "bit_offset": s.bit_offset,
            "bit_width": s.bit_width, "type": s.type_name}


def _moved_ancestor(path: str, by_old: dict) -> str | None:
    parts = path.split(".")
    for i in range(len(parts) - 1, 0, -1):
        anc = ".".join(parts[:i])
        if anc in by_old:
            return anc
    return None


def _followers(s: Slot, by_old: dict, delta: dict) -> str:
    if s.leaf:
        return ""
    below = [p for p in by_old if p.startswith(s.path + ".") and by_old[p][0].leaf]
    same = [p for p in below if delta[p] == delta[s.path]]
    if not same:
        return ""
    return (f": every member of {s.path} moves {_delta_text(delta[s.path])}" if len(same) == len(below)
            else f": {len(same)} members of {s.path} move {_delta_text(delta[s.path])}")


def _root(old: Shape, new: Shape, s: Slot, t: Slot, pairs: dict[str, str], added: list[Slot],
          removed: list[Slot], changes: list[Change]) -> tuple[str, str, str | None]:
    """(topic, the why clause, the added member that caused it if any)."""
    if t.align != s.align and (t.align > s.align) == (t.bits[0] > s.bits[0]):
        raised = t.align > s.align
        culprit = _alignment_culprit(new, t, pairs, raised)
        verb = "raised" if raised else "lowered"
        desc = f"{t.path} ({t.type_name})"
        if culprit is None:
            return (f"the alignment of {desc} was {verb}",
                    f"the alignment of {desc} was {verb} from {s.align} to {t.align}", None)
        c, is_new = culprit
        who = f"new member {c.path} ({c.type_name}" if is_new else f"member {c.path} ({c.type_name}"
        return (f"{who}) {verb} the alignment of {desc}",
                f"{who}, {c.align}-aligned on this ABI) {verb} the alignment of {desc} from "
                f"{s.align} to {t.align}", c.path if is_new else None)
    start = t.bits[0]
    cands: list[tuple[int, str, str, str | None]] = []      # (end, topic, why, culprit)
    for a in added:
        if a.parent == t.parent and a.bits[1] <= start and not t.path.startswith(a.path + "."):
            end = a.bits[1] if a.leaf else (a.offset + a.size) * 8
            cands.append((end, f"new member {a.path} ({a.type_name}) moved the members after it",
                          f"new member {a.spelled()} takes {a.size} bytes at {hexoff(a.offset)}",
                          a.path))
    n = {x.path: x for x in new.slots}
    for x in old.slots:
        y = n.get(pairs.get(x.path, ""))
        if y is None or y.parent != t.parent or y.path == t.path or y.bits[1] > start:
            continue
        if y.size > x.size and not t.path.startswith(y.path + "."):
            cands.append((y.bits[1], f"member {y.path} grew and moved the members after it",
                          f"member {y.path} grew from {x.size} to {y.size} bytes", None))
    for r in removed:
        if r.parent == s.parent and r.bits[1] <= s.bits[0]:
            cands.append((r.bits[1], f"removing member {r.path} moved the members after it",
                          f"member {r.spelled()} was removed", None))
    if cands:
        end, topic, why, culprit = max(cands, key=lambda c: (c[0], c[1]))
        return topic, why, culprit
    if t.container == "union" and s.container != "union":
        existing = set(pairs.values())
        mates = [x.path for x in new.slots if x.cid == t.cid and x.path != t.path
                 and x.path in existing]
        if mates:
            return (f"member {t.path} now shares a union with {', '.join(mates)}",
                    f"{t.path} now shares a union with {', '.join(mates)}", None)
    return f"member {t.path} moved", "", None


def _alignment_culprit(new: Shape, t: Slot, pairs: dict[str, str],
                       raised: bool) -> tuple[Slot, bool] | None:
    """The first member under ``t`` (or ``t`` itself) with ``t``'s new
    alignment that is new, or whose own alignment changed."""
    if not raised:
        return None
    existing = set(pairs.values())
    scope = [t] + [x for x in new.slots if x.path.startswith(t.path + ".")]
    for x in scope:
        if x.align >= t.align and x.leaf:
            if x.path not in existing:
                return x, True
    for x in scope:
        if x.align >= t.align and x.leaf:
            return x, False
    return None
