"""What every diff format needs from a diff ``Report``: verdicts per target,
the abidiff-style exit status, and changes grouped by cause.

Exit status is a bit field, as libabigail's abidiff documents its own, so CI
scripts can test bits rather than compare numbers:

====  ==============================================================
0     no ABI change on any target
4     ABI changes, all of them compatible (bit 2)
12    at least one incompatible change (4 | 8)
16    changes that need review (with 4: 20; with 8 too: 28)
2     bad input or usage (as for every command)
====  ==============================================================
"""
from __future__ import annotations

from dataclasses import dataclass

from abicheck import __version__
from abicheck.report.findings import Finding, Report

BIT_CHANGE, BIT_INCOMPATIBLE, BIT_REVIEW = 4, 8, 16
#: Worst first; "not compared" (a header that does not compile) carries no bit.
RANK = {"incompatible": 3, "needs review": 2, "compatible": 1, "not compared": 0}
NO_CHANGE = "no change"

#: One line per diff finding code, for SARIF rules and the JSON schema's docs.
CODES = {
    "ABI200": "header does not compile on a target",
    "ABI201": "type added", "ABI202": "type removed", "ABI203": "type renamed, same layout",
    "ABI204": "type cannot be laid out",
    "ABI210": "record size changed", "ABI211": "record alignment changed",
    "ABI220": "member added", "ABI221": "member removed", "ABI222": "member moved",
    "ABI223": "member resized", "ABI224": "member retyped", "ABI225": "bitfield moved in its unit",
    "ABI226": "member renamed, same layout", "ABI227": "reserved bytes put to use",
    "ABI228": "union member added, larger than the others",
    "ABI229": "holes or tail padding changed",
    "ABI230": "constant added", "ABI231": "constant removed", "ABI232": "constant changed value",
    "ABI233": "new code collides with an existing code", "ABI234": "code counter changed",
    "ABI240": "accessor macro changed",
}


def verdicts(report: Report) -> dict[str, str]:
    """target -> the worst verdict of its changes, or ``no change``."""
    out = {t: NO_CHANGE for t in report.targets}
    for r in report.results:
        for f in r.findings:
            v = f.verdict or NO_CHANGE
            if RANK.get(v, -1) > RANK.get(out.get(r.target, NO_CHANGE), -1):
                out[r.target] = v
    return out


def exit_status(report: Report) -> int:
    bits = 0
    for r in report.results:
        for f in r.findings:
            if f.verdict in ("compatible", "needs review", "incompatible"):
                bits |= BIT_CHANGE
            if f.verdict == "incompatible":
                bits |= BIT_INCOMPATIBLE
            if f.verdict == "needs review":
                bits |= BIT_REVIEW
    return bits


def target_list(report: Report, targets) -> str:
    """``all 26 ABIs`` or ``arm, mips, powerpc (3 of 27 ABIs)``, in table order."""
    order = {t: i for i, t in enumerate(report.targets)}
    names = sorted(set(targets), key=lambda t: (order.get(t, len(order)), t))
    total = len(report.targets)
    if len(names) == total and total > 1:
        return f"all {total} ABIs"
    if total == 1 or len(names) == 1:
        return names[0] if names else "no ABI"
    if len(names) > total // 2 and total - len(names) <= 6:
        others = [t for t in report.targets if t not in set(names)]
        return f"all but {', '.join(others)} ({len(names)} of {total} ABIs)"
    return f"{', '.join(names)} ({len(names)} of {total} ABIs)"


@dataclass
class Topic:
    """One root change and the targets it happens on, with what follows."""

    check: str
    topic: str
    verdict: str
    id: str
    variants: list[Finding]          # one per distinct message (targets merged)
    derived: list[Finding]           # findings whose cause is this topic

    @property
    def targets(self) -> set[str]:
        return {t for f in self.variants for t in f.targets}


def topics(report: Report) -> list[Topic]:
    """Root changes grouped by (check, topic, verdict), with their derived
    findings attached; checks in report order, then worst verdict first."""
    findings = report.findings
    groups: dict[tuple, Topic] = {}
    for f in findings:
        if f.cause is None:
            key = (f.check, f.topic, f.verdict)
            if key not in groups:
                groups[key] = Topic(f.check, f.topic or f.message, f.verdict or "", f.id, [], [])
            groups[key].variants.append(f)
    by_topic: dict[tuple, list[Topic]] = {}
    for g in groups.values():
        by_topic.setdefault((g.check, g.topic), []).append(g)
    orphans = []
    for f in findings:
        if f.cause is not None:
            owners = by_topic.get((f.check, f.cause))
            if owners:
                owner = next((g for g in owners if set(f.targets) & g.targets), owners[0])
                owner.derived.append(f)
            else:
                orphans.append(f)
    for f in orphans:               # a cause that is itself derived elsewhere: show plainly
        key = (f.check, f.topic, f.verdict)
        groups.setdefault(key, Topic(f.check, f.topic or f.message, f.verdict or "", f.id, [], []))
        groups[key].variants.append(f)
    order = {c: i for i, c in enumerate(report.checks)}
    tindex = {t: i for i, t in enumerate(report.targets)}
    for g in groups.values():
        g.variants = _same_words(g.variants)
        g.variants.sort(key=lambda f: (min(tindex.get(t, 99) for t in f.targets), f.message))
    return sorted(groups.values(), key=lambda g: (order.get(g.check, len(order)),
                                                  -RANK.get(g.verdict, 0), g.id, g.topic))


def _same_words(variants: list[Finding]) -> list[Finding]:
    """Variants that read the same (their numbers differed only in values the
    message does not print) become one, with all their targets."""
    merged: dict[tuple, Finding] = {}
    for f in variants:
        key = (f.message, f.loc)
        if key in merged:
            g = merged[key]
            targets = g.targets + tuple(t for t in f.targets if t not in g.targets)
            merged[key] = Finding(g.id, g.severity, targets, g.loc, g.message, g.check, None, None,
                                  g.verdict, g.topic, g.cause)
        else:
            merged[key] = f
    return list(merged.values())


def diff_document(report: Report) -> dict:
    """The JSON document of a diff (``schemas/diff.schema.json``)."""
    tindex = {t: i for i, t in enumerate(report.targets)}
    changes = []
    for g in topics(report):
        for f in g.variants + g.derived:
            changes.append({
                "id": f.id, "verdict": f.verdict, "severity": f.severity, "check": f.check,
                "topic": f.topic, "cause": f.cause, "message": f.message,
                "targets": sorted(f.targets, key=lambda t: tindex.get(t, 99)),
                "loc": str(f.loc) if f.loc else None, "old": f.expected, "new": f.measured})
    per = verdicts(report)
    counts = {v: sum(1 for x in per.values() if x == v)
              for v in ("incompatible", "needs review", "compatible", "not compared", NO_CHANGE)}
    return {
        "tool": "abicheck", "version": __version__, "command": "diff",
        "old": report.meta.get("old"), "new": report.meta.get("new"),
        "targets": list(report.targets), "verdicts": per, "summary": counts,
        "exit_status": exit_status(report), "changes": changes, "meta": report.meta,
    }
