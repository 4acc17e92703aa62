"""Markdown for pull-request comments.  A check report is a checks x targets
table and a findings list; a diff report is an ABIs x verdicts summary table,
then the grouped causes (``report/difftext.py`` groups them)."""
from __future__ import annotations

import re

from abicheck.errors import printable
from abicheck.report.common import MARKDOWN_CELLS, outcomes, summary_line, targets_note, where
from abicheck.report.findings import Finding, Report
from abicheck.report.registry import BaseRenderer, register


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
        if report.command == "diff":
            from abicheck.report.difftext import render_diff_markdown
            return render_diff_markdown(report)
        if report.command == "lint":
            from abicheck.report.linttext import render_lint_markdown
            return render_lint_markdown(report)
        if report.command == "compat":
            from abicheck.report.compatmodel import render_compat_text
            return render_compat_text(report, md=True)
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
