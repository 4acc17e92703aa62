"""Lint reports (``command == "lint"``) for people: compiler-style lines in
a terminal, a rules x counts table in a pull-request comment.

A lint run is read like a compiler's output, so findings come in file and
line order, one per line (``file:line:col: severity: ID: message
[targets]``, the form editors and CI log parsers already understand),
then one summary line.  ``text.py`` and ``markdown.py`` call these for
lint reports, as they call ``difftext.py`` for diffs.
"""
from __future__ import annotations

from abicheck.errors import SourceLoc, printable
from abicheck.report.common import plural, targets_note, where
from abicheck.report.findings import Finding, Report

SEVERITY_ORDER = ("error", "warning", "note")


def lint_findings(report: Report) -> list[Finding]:
    """Merged findings in file, line, column order."""
    def key(f: Finding) -> tuple:
        loc = f.loc or SourceLoc("")
        return (loc.file, loc.line, loc.col, f.id, f.message)
    return sorted(report.findings, key=key)


def lint_targets(report: Report, f: Finding) -> str:
    """`` [targets: ...]`` for findings that depend on the ABI, nothing for
    text findings (a FIXME is in the file whatever the target)."""
    return f" {targets_note(report, f)}" if f.targets else ""


def counts(report: Report) -> dict[str, int]:
    out = {s: 0 for s in SEVERITY_ORDER}
    for f in report.findings:
        out[f.severity] = out.get(f.severity, 0) + 1
    return out


def lint_summary(report: Report) -> str:
    c = counts(report)
    m = report.meta
    total = sum(c.values())
    parts = ", ".join(plural(c[s], s) for s in SEVERITY_ORDER)
    left = [f"{m[k]} {k}" for k in ("suppressed", "waived", "grandfathered") if m.get(k)]
    return (f"{plural(total, 'finding')} ({parts}) in {plural(m.get('headers', 0), 'header')}, "
            f"{plural(m.get('rules', 0), 'rule')} x {plural(len(report.targets), 'target')}"
            + (f"; {', '.join(left)}" if left else ""))


def render_lint_text(report: Report) -> str:
    lines = [printable(f"{where(f)}: {f.severity}: {f.id}: {f.message}{lint_targets(report, f)}")
             for f in lint_findings(report)]
    lines.append(lint_summary(report))
    return "\n".join(lines) + "\n"


def render_lint_markdown(report: Report) -> str:
    from abicheck.report.markdown import md_code, md_escape
    out = [f"### abicheck lint: {md_escape(report.subject)}", ""]
    per_rule: dict[tuple[str, str], dict[str, int]] = {}
    for f in report.findings:
        row = per_rule.setdefault((f.id, f.check), {s: 0 for s in SEVERITY_ORDER})
        row[f.severity] = row.get(f.severity, 0) + 1
    if per_rule:
        out += ["| rule | name | errors | warnings | notes |", "|---|---|--:|--:|--:|"]
        for (rid, name), row in sorted(per_rule.items()):
            out.append(f"| {md_escape(rid)} | {md_code(name)} | {row['error']} | {row['warning']} "
                       f"| {row['note']} |")
        out.append("")
    out += [f"**{md_escape(lint_summary(report))}**", ""]
    findings = lint_findings(report)
    if not findings:
        out.append("No findings.")
    for f in findings:
        out.append(f"- {md_code(where(f))}: **{f.severity}** {md_escape(f.id)}: "
                   f"{md_escape(f.message)}{md_escape(lint_targets(report, f))}")
    return "\n".join(out) + "\n"
