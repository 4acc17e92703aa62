"""SARIF 2.1.0 for code scanning: one run, one rule per finding id, one
result per merged finding, located at the declaration it is about (for a
diff, the NEW revision's declaration), so the scanner annotates that line."""
from __future__ import annotations

import json

from abicheck import __version__
from abicheck.report.common import finding_targets, targets_note
from abicheck.report.findings import Finding, Report
from abicheck.report.registry import BaseRenderer, register

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "note": "note"}


def sarif_document(report: Report) -> dict:
    """SARIF 2.1.0 with one run; one rule per finding id, one result per
    merged finding.  Findings without a place carry no ``locations``."""
    findings = report.findings
    rules: dict[str, str] = {}
    if report.command == "diff":
        from abicheck.report.diffmodel import CODES
        for f in findings:
            rules.setdefault(f.id, CODES.get(f.id, f.check))
    if report.command == "compat":
        from abicheck.checks.compat import CODES as COMPAT_CODES
        for f in findings:
            rules.setdefault(f.id, COMPAT_CODES.get(f.id, f.check))
    for f in findings:
        rules.setdefault(f.id, f.check)
    rule_ids = sorted(rules)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "abicheck",
                "version": __version__,
                "rules": [{"id": rid, "shortDescription": {"text": rules[rid]}} for rid in rule_ids],
            }},
            "results": [_sarif_result(report, f, index[f.id]) for f in findings],
            "properties": {"command": report.command, "subject": report.subject,
                           "targets": list(report.targets)},
        }],
    }


def _sarif_result(report: Report, f: Finding, rule_index: int) -> dict:
    result: dict = {
        "ruleId": f.id,
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS.get(f.severity, "warning"),
        "message": {"text": f"{f.message} {targets_note(report, f)}"},
    }
    if f.loc is not None:
        physical: dict = {"artifactLocation": {"uri": f.loc.file}}
        if f.loc.line:
            region = {"startLine": f.loc.line}
            if f.loc.col:
                region["startColumn"] = f.loc.col
            physical["region"] = region
        result["locations"] = [{"physicalLocation": physical}]
    result["properties"] = {"targets": finding_targets(report, f),
                            "measured": f.measured, "expected": f.expected}
    if f.verdict is not None:       # diff: measured is NEW, expected is OLD
        result["properties"].update(verdict=f.verdict, topic=f.topic, cause=f.cause,
                                    check=f.check)
    return result


@register("sarif")
class SarifRenderer(BaseRenderer):
    def render(self, report: Report) -> str:
        return json.dumps(sarif_document(report), indent=2, ensure_ascii=False) + "\n"
