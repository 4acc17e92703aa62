"""One findings model for spec checks, lint, diff and compat.

A ``Finding`` is one thing wrong, on one or more targets; a ``CheckResult``
is one check on one target, passed or not; a ``Report`` is what a run
produced.  Renderers (``report/render.py``) only read these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from abicheck.errors import SourceLoc

SEVERITIES = ("error", "warning", "note")

#: What a change between two revisions means for users (``abicheck diff``),
#: mildest first.  Spec checks leave ``Finding.verdict`` None.
VERDICTS = ("compatible", "needs review", "incompatible")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem.  ``id`` is a check code (``ABI130``), ``check`` the
    human name of the check it came from (a row of the results table).

    A diff finding also carries a ``verdict`` (one of ``VERDICTS``), a
    ``topic`` (the change in words that do not depend on the target, so the
    same change on 27 ABIs groups under one heading although its offsets
    differ) and a ``cause`` (the topic of the root change it follows from,
    e.g. an alignment raise that moves every later member)."""

    id: str
    severity: str
    targets: tuple[str, ...]
    loc: SourceLoc | None
    message: str
    check: str
    measured: Any = None
    expected: Any = None
    verdict: str | None = None
    topic: str | None = None
    cause: str | None = None

    def sort_key(self) -> tuple:
        return (self.check, self.targets, self.id, self.message)

    def to_json(self) -> dict:
        d = {"id": self.id, "severity": self.severity, "check": self.check,
             "targets": list(self.targets), "loc": str(self.loc) if self.loc else None,
             "message": self.message, "measured": self.measured, "expected": self.expected}
        if self.verdict is not None:     # diff findings only: check reports keep their shape
            d.update(verdict=self.verdict, topic=self.topic, cause=self.cause)
        return d


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check on one target.  ``passed`` is None when it does not apply."""

    check: str
    id: str
    target: str
    passed: bool | None
    findings: tuple[Finding, ...] = ()


@dataclass(frozen=True)
class Report:
    """Everything one run produced, in a stable order."""

    command: str
    subject: str                              # what was checked (spec name, headers)
    targets: tuple[str, ...]
    results: tuple[CheckResult, ...] = ()
    meta: dict = field(default_factory=dict)
    #: diff only: what a byte map draws and no text format prints, the
    #: layouts of every type that changed: ``{type: {"old"|"new":
    #: [(target, diff_snapshot.Shape, {path: [accessor, ...]})]}}``
    layouts: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def checks(self) -> list[str]:
        seen: list[str] = []
        for r in self.results:
            if r.check not in seen:
                seen.append(r.check)
        return seen

    @property
    def findings(self) -> list[Finding]:
        """Findings merged across targets: one per (check, message, loc) with
        every target it holds on, so 20 ABIs failing alike print once."""
        merged: dict[tuple, list[str]] = {}
        first: dict[tuple, Finding] = {}
        for r in self.results:
            for f in r.findings:
                key = (f.id, f.check, f.message, f.loc, repr(f.measured), repr(f.expected),
                       f.verdict, f.topic, f.cause)
                merged.setdefault(key, [])
                for t in f.targets:
                    if t not in merged[key]:
                        merged[key].append(t)
                first.setdefault(key, f)
        out = [Finding(f.id, f.severity, tuple(merged[k]), f.loc, f.message, f.check,
                       f.measured, f.expected, f.verdict, f.topic, f.cause)
               for k, f in first.items()]
        order = {c: i for i, c in enumerate(self.checks)}
        return sorted(out, key=lambda f: (order.get(f.check, 0), f.targets, f.id, f.message))

    @property
    def failed(self) -> bool:
        return any(r.passed is False for r in self.results)

    def cell(self, check: str, target: str) -> bool | None:
        for r in self.results:
            if r.check == check and r.target == target:
                return r.passed
        return None
