"""Reports rendered for people, CI systems and code-review tools.

One ``Report`` (``report/findings.py``) feeds every format, so a check written
once shows up in a terminal (``text``), in scripts (``json``, validated by
``schemas/report.schema.json``), in code scanning (``sarif``), in CI test
dashboards (``junit``) and in pull-request comments (``markdown``).

A run usually covers all 26 ABIs, so the text view leads with a compact
checks x targets matrix whose column headers are the target names written
vertically, and prints each finding once with the targets it holds on
(``Report.findings`` already merges identical findings across targets).

Every renderer is a pure function of the report: no timestamps, no host
names, no paths that the report does not already hold.  The same report
gives the same bytes, so outputs can be diffed and cached.  ``render``
returns the whole document; callers write it in one go.
"""
from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator

from abicheck import __version__
from abicheck.errors import UsageError, printable
from abicheck.report.findings import CheckResult, Finding, Report

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_LEVELS = {"error": "error", "warning": "warning", "note": "note"}

# One character per matrix cell, keyed by ``Report.cell``'s answer.
TEXT_CELLS = {True: ".", False: "F", None: "-"}
MARKDOWN_CELLS = {True: "pass", False: "FAIL", None: "-"}
JSON_CELLS = {True: "pass", False: "fail", None: "n/a"}


class BaseRenderer:
    """A report format.  Subclasses set ``name`` via ``@register``."""

    name: str = ""

    def render(self, report: Report) -> str:
        raise NotImplementedError


RENDERERS: dict[str, type[BaseRenderer]] = {}


def register(name: str) -> Callable[[type[BaseRenderer]], type[BaseRenderer]]:
    """Class decorator: make a renderer available as ``--format NAME``."""
    def deco(cls: type[BaseRenderer]) -> type[BaseRenderer]:
        if name in RENDERERS:
            raise ValueError(f"renderer '{name}' registered twice")
        cls.name = name
        RENDERERS[name] = cls
        return cls
    return deco


def formats() -> list[str]:
    """Registered format names, sorted (for ``--format`` choices and help)."""
    return sorted(RENDERERS)


def render(report: Report, fmt: str) -> str:
    """The whole report in format ``fmt``; unknown formats are a usage error."""
    cls = RENDERERS.get(fmt)
    if cls is None:
        raise UsageError(f"unknown format '{fmt}' (choose from: {', '.join(formats())})")
    return cls().render(report)


# ---------------------------------------------------------------- shared pieces

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


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(report: Report) -> str:
    s = summary(report)
    return (f"{_plural(s['checks'], 'check')} x {_plural(len(report.targets), 'target')}: "
            f"{s['passed']} passed, {s['failed']} failed, {s['not_applicable']} not applicable")


# ---------------------------------------------------------------- text

def vertical_header(names: list[str], indent: int) -> list[str]:
    """Column names written top to bottom, one line per character of the
    longest name, bottom-aligned so every name ends just above its column."""
    height = max((len(n) for n in names), default=0)
    lines = []
    for row in range(height):
        chars = [n[row - (height - len(n))] if row >= height - len(n) else " " for n in names]
        lines.append((" " * indent + " ".join(chars)).rstrip())
    return lines


@register("text")
class TextRenderer(BaseRenderer):
    """The terminal view: matrix, summary, then one line per merged finding."""

    def render(self, report: Report) -> str:
        out = self.matrix(report)
        if out:
            out.append("")
        out.append(summary_line(report))
        out.extend(self.finding_line(report, f) for f in report.findings)
        return "\n".join(out) + "\n"


    @staticmethod
    def matrix(report: Report) -> list[str]:
        checks = report.checks
        if not checks:
            return []
        width = max(len(c) for c in checks)
        lines = vertical_header(list(report.targets), width + 2)
        table = outcomes(report)
        for check in checks:
            row = " ".join(TEXT_CELLS[table.get((check, t))] for t in report.targets)
            lines.append(printable(f"{check:<{width}}  {row}".rstrip()))
        return lines

    @staticmethod
    def finding_line(report: Report, f: Finding) -> str:
        # one finding, one line: a newline in a name or message is escaped
        return printable(f"{where(f)}: {f.severity} {f.id}: {f.message} {targets_note(report, f)}")


# ---------------------------------------------------------------- json

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
        return json.dumps(report_document(report), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- sarif

def sarif_document(report: Report) -> dict:
    """SARIF 2.1.0 with one run; one rule per finding id, one result per
    merged finding.  Findings without a place carry no ``locations``."""
    findings = report.findings
    rules: dict[str, str] = {}
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
    return result


@register("sarif")
class SarifRenderer(BaseRenderer):
    def render(self, report: Report) -> str:
        return json.dumps(sarif_document(report), indent=2, ensure_ascii=False) + "\n"


# ---------------------------------------------------------------- junit

def junit_tree(report: Report) -> ET.Element:
    """``<testsuites>`` with one suite per target and one case per check."""
    by_cell: dict[tuple[str, str], CheckResult] = {}
    for r in report.results:
        by_cell.setdefault((r.check, r.target), r)
    s = summary(report)
    root = ET.Element("testsuites", {
        "name": "abicheck", "tests": str(s["passed"] + s["failed"] + s["not_applicable"]),
        "failures": str(s["failed"]), "skipped": str(s["not_applicable"])})
    for target in report.targets:
        column = [by_cell[c, target].passed if (c, target) in by_cell else None
                  for c in report.checks]
        suite = ET.SubElement(root, "testsuite", {
            "name": target, "tests": str(len(column)),
            "failures": str(sum(v is False for v in column)),
            "skipped": str(sum(v is None for v in column))})
        for check, passed in zip(report.checks, column):
            case = ET.SubElement(suite, "testcase", {"classname": report.subject, "name": check})
            if passed is None:
                ET.SubElement(case, "skipped")
            elif passed is False:
                r = by_cell.get((check, target))
                detail = r.findings if r is not None else ()
                failure = ET.SubElement(case, "failure", {
                    "message": f"{check} failed on {target}: {_plural(len(detail), 'finding')}"})
                failure.text = "\n".join(f"{where(f)}: {f.id}: {f.message}" for f in detail) or None
    return root


@register("junit")
class JunitRenderer(BaseRenderer):
    def render(self, report: Report) -> str:
        root = junit_tree(report)
        for el in root.iter():      # XML 1.0 cannot carry control characters at all
            el.attrib.update({k: printable(v) for k, v in el.attrib.items()})
            if el.text:
                el.text = "\n".join(printable(line) for line in el.text.split("\n"))
        ET.indent(root, space="  ")
        body = ET.tostring(root, encoding="unicode", short_empty_elements=True)
        return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


# ---------------------------------------------------------------- markdown

_MD_SPECIAL = "\\`*_[]<>|#"


def md_escape(text: str) -> str:
    """Backslash-escape what GitHub markdown would otherwise interpret
    (``__u64`` must not turn bold, ``|`` must not split a table cell); a
    newline or control character is escaped, so nothing leaves its line."""
    return "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in printable(text))


def md_code(text: str) -> str:
    """``text`` as an inline code span, fenced with more backticks than it
    contains in a row (CommonMark), so a backtick in a path cannot close it."""
    text = printable(text).replace("|", "\\|")
    run = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (run + 1)
    pad = " " if run or text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


@register("markdown")
class MarkdownRenderer(BaseRenderer):
    """A PR-comment view: heading, checks x targets table, findings list.
    Cells are ASCII (``pass``/``FAIL``/``-``) so terminals align them too."""

    def render(self, report: Report) -> str:
        out = [f"### abicheck {md_escape(report.command)}: {md_escape(report.subject)}", ""]
        if report.checks:
            out.extend(self.table(report))
            out.append("")
        out.append(f"**{summary_line(report)}**")
        out.append("")
        findings = report.findings
        if findings:
            out.extend(self.bullet(report, f) for f in findings)
        else:
            out.append("No findings.")
        return "\n".join(out) + "\n"

    @staticmethod
    def table(report: Report) -> list[str]:
        head = ["check"] + [md_escape(t) for t in report.targets]
        lines = ["| " + " | ".join(head) + " |",
                 "|" + "|".join(["---"] + [":-:"] * len(report.targets)) + "|"]
        table = outcomes(report)
        for check in report.checks:
            row = [md_escape(check)] + [MARKDOWN_CELLS[table.get((check, t))] for t in report.targets]
            lines.append("| " + " | ".join(row) + " |")
        return lines

    @staticmethod
    def bullet(report: Report, f: Finding) -> str:
        return (f"- {md_code(where(f))}: **{f.severity}** {f.id}: {md_escape(f.message)} "
                f"{md_escape(targets_note(report, f))}")
