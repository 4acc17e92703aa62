"""The JSON document for scripts, validated by ``schemas/report.schema.json``
(``schemas/diff.schema.json`` for ``abicheck diff``, ``schemas/lint.schema.json``
for ``abicheck lint``); keys in a fixed order."""
from __future__ import annotations

import json

from abicheck import __version__
from abicheck.report.common import JSON_CELLS, check_ids, finding_targets, outcomes, summary
from abicheck.report.findings import Finding, Report
from abicheck.report.registry import BaseRenderer, register


def report_document(report: Report) -> dict:
    """The JSON document, keys in a fixed order (``schemas/report.schema.json``)."""
    ids = check_ids(report)
    table = outcomes(report)
    return {
        "tool": "abicheck",
        "version": __version__,
        "command": report.command,
        "subject": report.subject,
        "targets": list(report.targets),
        "checks": [{"check": c, "id": ids[c],
                    "results": {t: JSON_CELLS[table.get((c, t))] for t in report.targets}}
                   for c in report.checks],
        "findings": [_finding_json(report, f) for f in report.findings],
        "summary": summary(report),
        "meta": report.meta,
    }


def _finding_json(report: Report, f: Finding) -> dict:
    d = f.to_json()
    d["targets"] = finding_targets(report, f)
    return d


@register("json")
class JsonRenderer(BaseRenderer):
    def render(self, report: Report) -> str:
        if report.command == "diff":
            from abicheck.report.diffmodel import diff_document
            return json.dumps(diff_document(report), indent=2, ensure_ascii=False) + "\n"
        if report.command == "lint":
            from abicheck.report.lintjson import lint_document
            return json.dumps(lint_document(report), indent=2, ensure_ascii=False) + "\n"
        if report.command == "compat":
            from abicheck.report.compatmodel import compat_document
            return json.dumps(compat_document(report), indent=2, ensure_ascii=False) + "\n"
        return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"
