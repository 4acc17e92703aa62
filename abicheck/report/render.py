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
from abicheck.report.registry import formats, renderer

TYPE_CHECKING = False
if TYPE_CHECKING:
    from abicheck.report.findings import Report

__all__ = ["formats", "render"]


def render(report: Report, fmt: str) -> str:
    """The whole report in format ``fmt``; unknown formats are a usage error."""
    cls = renderer(fmt)
    if cls is None:
        raise UsageError(f"unknown format '{fmt}' (choose from: {', '.join(formats())})")
    return cls().render(report)
