"""``abicheck diff --format svg``: the byte map of every type that changed,
OLD's rows above NEW's (``views/bytemap``).  A picture of layouts has
nothing to draw for a spec check, lint or compat report: those refuse."""
from __future__ import annotations

from abicheck.errors import UsageError
from abicheck.report.findings import Report
from abicheck.report.registry import BaseRenderer, register


def changed_figures(report: Report, fmt: str) -> list:
    """The diff's figures; any other report is a usage error."""
    if report.command != "diff":
        raise UsageError(f"--format {fmt} draws layouts: it is for 'abicheck diff' and "
                         f"'abicheck layout', not '{report.command}'")
    from abicheck.views.bytemap.sources import diff_figures
    return diff_figures(report)


@register("svg")
class SvgRenderer(BaseRenderer):
    commands = frozenset({"diff"})

    def render(self, report: Report) -> str:
        from abicheck.views.bytemap import svg
        return svg.render(changed_figures(report, "svg"))
