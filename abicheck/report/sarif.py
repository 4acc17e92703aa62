"""SARIF 2.1.0 for code scanning: one run, one rule per finding id, one
result per merged finding, located at the declaration it is about (for a
diff, the NEW revision's declaration), so the scanner annotates that line.

Shared by every command:

- artifact URIs are relative to the folder abicheck ran in (``uriBaseId``
  ``SRCROOT``, what GitHub code scanning resolves against the checkout), or
  ``file://`` URIs for absolute paths; both percent-encoded (RFC 3986);
- ``partialFingerprints`` are hashes of what a finding is about (rule,
  file, and the lint subject, the diff topic or the check), never of line
  numbers, so a finding keeps its identity when lines above it move and
  code scanning does not reopen it as new;
- a lint run (``command == "lint"``) describes its rules from the registry
  (name, short and full description, help text and URI, default level).
"""
from __future__ import annotations

import hashlib
import json
import os
from urllib.parse import quote

from abicheck import __version__
from abicheck.report.common import finding_targets, targets_note
from abicheck.report.findings import Finding, Report
from abicheck.report.registry import BaseRenderer, register

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "note": "note"}
SRCROOT = "SRCROOT"
FINGERPRINT = "abicheck/v1"


def sarif_document(report: Report) -> dict:
    """SARIF 2.1.0 with one run; one rule per finding id, one result per
    merged finding.  Findings without a place carry no ``locations``."""
    findings = report.findings
    if report.command == "lint":
        from abicheck.report.linttext import lint_findings
        findings = lint_findings(report)
    rules: dict[str, dict] = {}
    if report.command == "diff":
        from abicheck.report.diffmodel import CODES
        for f in findings:
            rules.setdefault(f.id, {"id": f.id, "shortDescription": {"text": CODES.get(f.id, f.check)}})
    elif report.command == "lint":
        for f in findings:
            rules.setdefault(f.id, lint_rule_descriptor(f.id, f.check))
    elif report.command == "compat":
        from abicheck.checks.compat import CODES as COMPAT_CODES
        for f in findings:
            rules.setdefault(f.id, {"id": f.id,
                                    "shortDescription": {"text": COMPAT_CODES.get(f.id, f.check)}})
    for f in findings:
        rules.setdefault(f.id, {"id": f.id, "shortDescription": {"text": f.check}})
    rule_ids = sorted(rules)
    index = {rid: i for i, rid in enumerate(rule_ids)}
    run: dict = {
        "tool": {"driver": {
            "name": "abicheck",
            "version": __version__,
            "rules": [rules[rid] for rid in rule_ids],
        }},
    }
    results = [_sarif_result(report, f, index[f.id]) for f in findings]
    if any("uriBaseId" in loc["physicalLocation"]["artifactLocation"]
           for r in results for loc in r.get("locations", ())):
        run["originalUriBaseIds"] = {SRCROOT: {"description": {
            "text": "The folder abicheck ran in (the checkout's root in CI)."}}}
    run["results"] = results
    run["properties"] = {"command": report.command, "subject": report.subject,
                         "targets": list(report.targets)}
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def lint_rule_descriptor(rule_id: str, name: str) -> dict:
    """A ``reportingDescriptor`` of a lint rule, from the registry."""
    from abicheck.checks.lint.rules import RULES
    r = RULES.get(rule_id)
    if r is None:
        return {"id": rule_id, "name": name, "shortDescription": {"text": name}}
    help_text = f"{r.doc}\n\nBad:\n{r.bad}\n\nGood:\n{r.good}\n\nFix: {r.fix}"
    help_md = (f"{r.doc}\n\nBad:\n\n```c\n{r.bad}\n```\n\nGood:\n\n```c\n{r.good}\n```\n\n"
               f"**Fix:** {r.fix}")
    return {"id": r.id, "name": _pascal(r.name),
            "shortDescription": {"text": _sentence(r.summary)},
            "fullDescription": {"text": r.doc},
            "help": {"text": help_text, "markdown": help_md},
            "helpUri": r.help_uri,
            "defaultConfiguration": {"level": SARIF_LEVELS.get(r.severity, "warning")},
            "properties": {"abicheckName": r.name, "layout": r.layout}}


def _pascal(name: str) -> str:
    """SARIF wants rule names in PascalCase (SARIF2012): leftover-marker ->
    LeftoverMarker."""
    return "".join(p[:1].upper() + p[1:] for p in name.split("-"))


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "?", "!")) else text + "."


def artifact_location(file: str) -> dict:
    """A relative path under the run's folder, or a file:// URI."""
    if os.path.isabs(file):
        rel = os.path.relpath(file)
        if rel.startswith(".."):
            return {"uri": "file://" + quote(file.replace(os.sep, "/"), safe="/")}
        file = rel
    return {"uri": quote(file.replace(os.sep, "/"), safe="/"), "uriBaseId": SRCROOT}


def fingerprint(report: Report, f: Finding) -> str:
    """What the finding is about, hashed: no line numbers, no targets."""
    if report.command == "lint":
        about = f.measured if isinstance(f.measured, str) else f.message
    elif f.topic is not None:
        about = f.topic
    else:
        about = f"{f.check}\0{f.message}"
    file = f.loc.file if f.loc is not None else ""
    return hashlib.sha256(f"{f.id}\0{file}\0{about}".encode("utf-8", "surrogateescape")).hexdigest()


def _sarif_result(report: Report, f: Finding, rule_index: int) -> dict:
    note = targets_note(report, f) if f.targets or report.command != "lint" else ""
    result: dict = {
        "ruleId": f.id,
        "ruleIndex": rule_index,
        "level": SARIF_LEVELS.get(f.severity, "warning"),
        "message": {"text": f"{f.message} {note}".rstrip()},
    }
    if f.loc is not None:
        physical: dict = {"artifactLocation": artifact_location(f.loc.file)}
        if f.loc.line:
            region = {"startLine": f.loc.line}
            if f.loc.col:
                region["startColumn"] = f.loc.col
            physical["region"] = region
        result["locations"] = [{"physicalLocation": physical}]
    result["partialFingerprints"] = {FINGERPRINT: fingerprint(report, f)}
    result["properties"] = {"targets": finding_targets(report, f),
                            "measured": f.measured, "expected": f.expected}
    if f.verdict is not None:       # diff: measured is NEW, expected is OLD
        result["properties"].update(verdict=f.verdict, topic=f.topic, cause=f.cause,
                                    check=f.check)
    if report.command == "lint":
        result["properties"] = {"targets": finding_targets(report, f), "subject": f.measured}
    return result


@register("sarif")
class SarifRenderer(BaseRenderer):
    def render(self, report: Report) -> str:
        return json.dumps(sarif_document(report), indent=2, ensure_ascii=False) + "\n"
