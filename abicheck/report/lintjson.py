"""The JSON document of a lint run, validated by ``schemas/lint.schema.json``.

Its own shape rather than the check report's: a lint finding is a place in
a file (``file``, ``line``, ``col`` as numbers, for tools that jump there)
with a rule and a ``subject`` (what waivers and ``--since`` match on), and
the rows are rules, with an outcome per target.  Keys in a fixed order.
"""
from __future__ import annotations

from abicheck import __version__
from abicheck.report.common import JSON_CELLS, finding_targets, outcomes
from abicheck.report.findings import Finding, Report
from abicheck.report.linttext import SEVERITY_ORDER, counts, lint_findings


def lint_document(report: Report) -> dict:
    table = outcomes(report)
    rows: dict[str, dict] = {}
    for r in report.results:
        row = rows.setdefault(r.id, {"id": r.id, "name": r.check, "results": {}})
        row["results"][r.target] = JSON_CELLS[table.get((r.check, r.target))]
    c = counts(report)
    m = report.meta
    return {
        "tool": "abicheck",
        "version": __version__,
        "command": "lint",
        "subject": report.subject,
        "targets": list(report.targets),
        "rules": [rows[k] for k in sorted(rows)],
        "findings": [_finding(report, f) for f in lint_findings(report)],
        "summary": {"findings": sum(c.values()), **{s: c.get(s, 0) for s in SEVERITY_ORDER},
                    "headers": m.get("headers", 0), "suppressed": m.get("suppressed", 0),
                    "waived": m.get("waived", 0), "grandfathered": m.get("grandfathered", 0)},
        "meta": {"fail_on": m.get("fail_on", "error"), "since": m.get("since"),
                 "waivers": m.get("waivers")},
    }


def _finding(report: Report, f: Finding) -> dict:
    loc = f.loc
    return {"id": f.id, "rule": f.check, "severity": f.severity,
            "file": loc.file if loc else None, "line": loc.line if loc and loc.line else None,
            "col": loc.col if loc and loc.col else None, "message": f.message,
            "subject": f.measured if isinstance(f.measured, str) else None,
            "targets": finding_targets(report, f)}
