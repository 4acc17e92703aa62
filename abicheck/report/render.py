"""Reports rendered for people, CI systems and code-review tools.

One ``Report`` (``report/findings.py``) feeds every format, so a check written
once shows up in a terminal (``text``), in scripts (``json``, validated by
``schemas/report.schema.json``; ``schemas/diff.schema.json`` for diffs), in
code scanning (``sarif``), in GitHub Actions logs (``github`` annotations),
in CI test dashboards (``junit``), in
pull-request comments (``markdown``) and, for diffs, as a byte map of the
types that changed (``html``, ``svg``: ``views/bytemap``).  Each format is its own module in this
package, registered by name in ``report/registry.py``; this module is the
entry point: ``render(report, fmt)`` and ``formats()``.

Every renderer is a pure function of the report: no timestamps, no host
names, no paths that the report does not already hold.  The same report
gives the same bytes, so outputs can be diffed and cached.  ``render``
returns the whole document; callers write it in one go.
"""
from __future__ import annotations

from abicheck.errors import UsageError
from abicheck.report import github, html, json as _json, junit, markdown, sarif, svg, text  # noqa: F401 (register)
from abicheck.report.common import (  # noqa: F401 (re-exported)
    JSON_CELLS, MARKDOWN_CELLS, TEXT_CELLS, cells, check_ids, finding_targets, outcomes,
    plural, summary, summary_line, targets_note, where)
from abicheck.report.findings import Report
from abicheck.report.json import JsonRenderer, report_document  # noqa: F401
from abicheck.report.junit import JunitRenderer, junit_tree  # noqa: F401
from abicheck.report.markdown import MarkdownRenderer, md_escape  # noqa: F401
from abicheck.report.registry import RENDERERS, BaseRenderer, register  # noqa: F401
from abicheck.report.sarif import SARIF_LEVELS, SARIF_SCHEMA, SarifRenderer, sarif_document  # noqa: F401
from abicheck.report.text import TextRenderer, vertical_header  # noqa: F401


def formats(command: str | None = None) -> list[str]:
    """Registered format names, sorted (for ``--format`` choices and help);
    with ``command``, only those that can render its report."""
    return sorted(n for n, cls in RENDERERS.items()
                  if command is None or cls.commands is None or command in cls.commands)


def render(report: Report, fmt: str) -> str:
    """The whole report in format ``fmt``; unknown formats are a usage error."""
    cls = RENDERERS.get(fmt)
    if cls is None:
        raise UsageError(f"unknown format '{fmt}' (choose from: {', '.join(formats())})")
    return cls().render(report)
