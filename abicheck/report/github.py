"""GitHub Actions workflow commands: one ``::error``/``::warning``/``::notice``
line per finding, which the runner turns into an annotation on the file and
line of a pull request, without uploading anything.

Escaping follows the Actions toolkit (``@actions/core`` ``command.ts``):
in the message ``%``, ``\\r`` and ``\\n`` become ``%25``, ``%0D`` and
``%0A``; in property values also ``:`` and ``,`` (``%3A``, ``%2C``), which
would otherwise end the value.  Findings without a place are annotations
on the run.  Works for every command's report.
"""
from __future__ import annotations

from abicheck.errors import printable
from abicheck.report.common import targets_note
from abicheck.report.findings import Finding, Report
from abicheck.report.registry import BaseRenderer, register

LEVELS = {"error": "error", "warning": "warning", "note": "notice"}


def escape_data(text: str) -> str:
    """The toolkit's escaping, then any other control character made
    visible (``printable``), so one annotation stays one line."""
    return printable(text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A"))


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(report: Report, f: Finding) -> str:
    props = []
    if f.loc is not None:
        props.append(f"file={escape_property(f.loc.file)}")
        if f.loc.line:
            props.append(f"line={f.loc.line}")
        if f.loc.col:
            props.append(f"col={f.loc.col}")
    props.append(f"title={escape_property(f'{f.id} {f.check}')}")
    note = f" {targets_note(report, f)}" if f.targets else ""
    return f"::{LEVELS.get(f.severity, 'warning')} {','.join(props)}::" \
           f"{escape_data(f.message + note)}"


@register("github")
class GithubRenderer(BaseRenderer):
    def render(self, report: Report) -> str:
        if report.command == "lint":
            from abicheck.report.linttext import lint_findings
            findings = lint_findings(report)
        else:
            findings = report.findings
        return "".join(annotation(report, f) + "\n" for f in findings)
