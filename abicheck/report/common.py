"""What every format shares: the checks x targets matrix, counts, target
notes and places, computed once from a ``Report``."""
from __future__ import annotations

from collections.abc import Iterator

from abicheck.report.findings import Finding, Report

# One character per matrix cell, keyed by ``Report.cell``'s answer.
TEXT_CELLS = {True: ".", False: "F", None: "-"}
MARKDOWN_CELLS = {True: "pass", False: "FAIL", None: "-"}
JSON_CELLS = {True: "pass", False: "fail", None: "n/a"}


def outcomes(report: Report) -> dict[tuple[str, str], bool | None]:
    """(check, target) -> passed, like ``Report.cell`` (the first result
    wins) but built once, so 26 targets x many checks stay linear."""
    table: dict[tuple[str, str], bool | None] = {}
    for r in report.results:
        table.setdefault((r.check, r.target), r.passed)
    return table


def cells(report: Report) -> Iterator[tuple[str, str, bool | None]]:
    """Every (check, target, passed) of the matrix, rows then columns;
    missing results are None (not applicable)."""
    table = outcomes(report)
    for check in report.checks:
        for target in report.targets:
            yield check, target, table.get((check, target))


def summary(report: Report) -> dict[str, int]:
    """Counts over the checks x targets matrix; missing cells are n/a."""
    values = [passed for _, _, passed in cells(report)]
    return {"checks": len(report.checks),
            "passed": sum(v is True for v in values),
            "failed": sum(v is False for v in values),
            "not_applicable": sum(v is None for v in values)}


def check_ids(report: Report) -> dict[str, str]:
    """Check name -> its code, from the first result of each check."""
    ids: dict[str, str] = {}
    for r in report.results:
        ids.setdefault(r.check, r.id)
    return ids


def finding_targets(report: Report, f: Finding) -> list[str]:
    """The finding's targets in the report's target order (unknown ones last)."""
    order = {t: i for i, t in enumerate(report.targets)}
    return sorted(f.targets, key=lambda t: (order.get(t, len(order)), t))


def targets_note(report: Report, f: Finding) -> str:
    """``[all targets]`` when the finding holds on every target of a
    multi-target run, else ``[targets: a, b]``."""
    targets = finding_targets(report, f)
    if len(report.targets) > 1 and set(targets) >= set(report.targets):
        return "[all targets]"
    return f"[targets: {', '.join(targets)}]"


def where(f: Finding) -> str:
    """``file:line:col`` of the finding, or ``abicheck`` when it has no place."""
    return str(f.loc) if f.loc else "abicheck"


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(report: Report) -> str:
    s = summary(report)
    return (f"{plural(s['checks'], 'check')} x {plural(len(report.targets), 'target')}: "
            f"{s['passed']} passed, {s['failed']} failed, {s['not_applicable']} not applicable")
