"""Inline suppressions: ``/* abicheck: ignore[ID,ID2] reason */`` in a comment
on the offending line.

The comment must be on the line the finding points at (for a comment that
spans lines: any line it covers).  IDs may be rule ids or names, several
comma-separated.  A suppression still applies when its reason is missing,
but is reported (ABI392): a silenced finding without a why is a review
nobody can check.  An id no rule has is reported (ABI393), and so is a
suppression of a rule that ran and found nothing on its lines (ABI394).
"""
from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from abicheck.checks.lint.ctext import Scan
from abicheck.checks.lint.rules import Hit, find_rule

_SUPPRESS = re.compile(r"abicheck:\s*ignore\[([^\]]*)\]\s*(.*)", re.S)


@dataclass(frozen=True)
class Suppression:
    """An in-source suppression comment: the rules it names and the lines it covers."""

    line: int
    end_line: int
    col: int
    ids: tuple[str, ...]          # rule ids (known ones)
    unknown: tuple[str, ...]      # what named no rule
    reason: str

    def covers(self, line: int) -> bool:
        return self.line <= line <= self.end_line


def suppressions(sc: Scan) -> list[Suppression]:
    out = []
    for c in sc.comments:
        m = _SUPPRESS.search(c.text)
        if not m:
            continue
        keys = [k.strip() for k in m.group(1).split(",") if k.strip()]
        ids, unknown = [], []
        for k in keys:
            r = find_rule(k)
            (ids.append(r.id) if r is not None else unknown.append(k))
        reason = " ".join(re.sub(r"(?m)^\s*\*+", " ", m.group(2)).split())
        line, col = sc.position(c.start + 2 + m.start())
        out.append(Suppression(line, c.end_line, col, tuple(ids), tuple(unknown), reason))
    return out


def apply(hits: Iterable[tuple[str, Hit]], sups: list[Suppression], own_file: str,
          ran: set[str]) -> tuple[list[tuple[str, Hit]], int, list[tuple[Suppression, str, str]]]:
    """Split ``(rule id, hit)`` pairs into kept ones; returns (kept, number
    suppressed, problems) where a problem is (suppression, meta rule id,
    message)."""
    kept, used, n = [], set(), 0
    for rid, h in hits:
        line = h.loc.line if h.loc is not None and h.loc.file == own_file else 0
        s = next((s for s in sups if rid in s.ids and s.covers(line)), None) if line else None
        if s is None:
            kept.append((rid, h))
        else:
            used.add((s, rid))
            n += 1
    problems = []
    for s in sups:
        if not s.reason:
            problems.append((s, "ABI392", f"suppression of {', '.join(s.ids + s.unknown) or 'nothing'} "
                                          "gives no reason"))
        for k in s.unknown:
            problems.append((s, "ABI393", f"suppression names no rule: '{k}'"))
        for rid in s.ids:
            if rid in ran and (s, rid) not in used:
                problems.append((s, "ABI394", f"suppression of {rid} suppresses nothing on this line"))
    return kept, n, problems
