"""Reports rendered for people, CI systems and code-review tools.

One ``Report`` (``report/findings.py``) feeds every format, so a check written
once shows up in a terminal (``text``), in scripts (``json``, validated by
``schemas/report.schema.json``; ``schemas/diff.schema.json`` for diffs), in
code scanning (``sarif``), in GitHub Actions logs (``github`` annotations),
in CI test dashboards (``junit``), in
pull-request comments (``markdown``) and, for diffs, as a byte map of the
types that changed (``html``, ``svg``: ``views/bytemap``).  Each format is its own module in this
package, registered by name in ``report/registry.py`` and imported when used; this
module is the entry point: ``render(report, fmt)`` and ``formats()``.

Every renderer is a pure function of the report: no timestamps, no host
names, no paths that the report does not already hold.  The same report
gives the same bytes, so outputs can be diffed and cached.  ``render``
returns the whole document; callers write it in one go.
"""
from __future__ import annotations

from abicheck.errors import UsageError
from abicheck.report.findings import Report
from abicheck.report.registry import FORMATS, renderer


def formats(command: str | None = None) -> list[str]:
    """Registered format names, sorted (for ``--format`` choices and help);
    with ``command``, only those that can render its report."""
    return sorted(n for n, commands in FORMATS.items()
                  if command is None or commands is None or command in commands)


def render(report: Report, fmt: str) -> str:
    """The whole report in format ``fmt``; unknown formats are a usage error."""
    cls = renderer(fmt)
    if cls is None:
        raise UsageError(f"unknown format '{fmt}' (choose from: {', '.join(formats())})")
    return cls().render(report)
