"""Findings, check results and errors as plain JSON values, and back.

A run is cut into items (``abicheck.runs``); what one item produced travels
as JSON, to the parent process of a ``-j N`` run and inside a shard's
document (``abicheck.shard``).  Everything here turns a value into lists,
dicts, strings, numbers, booleans and None, and back into an equal value,
so a report assembled from decoded pieces is the report a single run
builds: the round trip is the identity on what renderers read.  Tuples
become lists on the way (JSON has no tuples); a piece is built from JSON
values from the start, so a run never sees the difference.
"""
from __future__ import annotations

from typing import Any

from abicheck import errors as E
from abicheck.errors import AbicheckError, SourceLoc
from abicheck.report.findings import CheckResult, Finding


def loc_json(loc: SourceLoc | None) -> list | None:
    return None if loc is None else [loc.file, loc.line, loc.col]


def loc_of(v: list | None) -> SourceLoc | None:
    return None if v is None else SourceLoc(v[0], v[1], v[2])


def plain(v: Any) -> Any:
    """``v`` with tuples as lists, recursively (what JSON gives back)."""
    if isinstance(v, (list, tuple)):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {k: plain(x) for k, x in v.items()}
    return v


def finding_json(f: Finding) -> list:
    return [f.id, f.severity, list(f.targets), loc_json(f.loc), f.message, f.check,
            plain(f.measured), plain(f.expected), f.verdict, f.topic, f.cause]


def finding_of(v: list) -> Finding:
    fid, sev, targets, loc, msg, check, meas, exp, verdict, topic, cause = v
    return Finding(fid, sev, tuple(targets), loc_of(loc), msg, check, meas, exp, verdict, topic,
                   cause)


def result_json(r: CheckResult) -> list:
    return [r.check, r.id, r.target, r.passed, [finding_json(f) for f in r.findings]]


def result_of(v: list) -> CheckResult:
    check, rid, target, passed, findings = v
    return CheckResult(check, rid, target, passed, tuple(finding_of(f) for f in findings))


def error_json(e: AbicheckError) -> dict:
    """An error as data: its class, message, place and the exact lines it
    prints (``ErrorList`` and ``SpecError`` print several)."""
    return {"class": type(e).__name__, "msg": e.msg, "loc": loc_json(e.loc), "text": str(e)}


class ReplayedError(AbicheckError):
    """An error raised again from its record: it prints the very lines the
    original printed."""

    def __init__(self, rec: dict) -> None:
        super().__init__(rec["msg"], loc_of(rec["loc"]))
        self.text = rec["text"]
        self.cls = rec["class"]

    def __str__(self) -> str:
        return self.text


def error_of(rec: dict) -> AbicheckError:
    """The error back, of its own class when it is one of ``abicheck.errors``
    with the plain ``(msg, loc)`` constructor, else a ``ReplayedError``."""
    cls = getattr(E, rec["class"], None)
    if cls in (E.AbicheckError, E.UsageError, E.PreprocessError, E.ParseError, E.LayoutError,
               E.EvalError, E.LimitError, E.ConfinementError):
        e = cls(rec["msg"], loc_of(rec["loc"]))
        if str(e) == rec["text"]:
            return e
    return ReplayedError(rec)


def is_kind(rec: dict, *names: str) -> bool:
    """Was the recorded error one of the classes ``names`` (or a subclass of
    them among ``abicheck.errors``)?"""
    cls = getattr(E, rec["class"], None)
    wanted = tuple(c for n in names if isinstance(c := getattr(E, n, None), type))
    return isinstance(cls, type) and issubclass(cls, wanted)
