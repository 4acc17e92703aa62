"""The terminal view.

A run usually covers all 27 ABIs, so a check report leads with a compact
checks x targets matrix whose column headers are the target names written
vertically, and prints each finding once with the targets it holds on
(``Report.findings`` already merges identical findings across targets).
A diff report (``command == "diff"``) is grouped by cause instead; see
``report/difftext.py``.
"""
from __future__ import annotations

from abicheck.errors import printable
from abicheck.report.common import TEXT_CELLS, outcomes, summary_line, targets_note, where
from abicheck.report.findings import Finding, Report
from abicheck.report.registry import BaseRenderer, register


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
        if report.command == "diff":
            from abicheck.report.difftext import render_diff_text
            return render_diff_text(report)
        if report.command == "lint":
            from abicheck.report.linttext import render_lint_text
            return render_lint_text(report)
        if report.command == "compat":
            from abicheck.report.compatmodel import render_compat_text
            return render_compat_text(report)
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
