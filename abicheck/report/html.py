"""``abicheck diff --format html``: one self-contained page with the byte
map of every type that changed, OLD above NEW, each with the changes the
diff found in it (``views/bytemap/html.py``)."""
from __future__ import annotations

from abicheck.report.diffmodel import exit_status, verdicts
from abicheck.report.findings import Report
from abicheck.report.registry import BaseRenderer, register
from abicheck.report.svg import changed_figures


@register("html")
class HtmlRenderer(BaseRenderer):
    commands = frozenset({"diff"})

    def render(self, report: Report) -> str:
        from abicheck.views.bytemap.html import page
        figures = changed_figures(report, "html")
        per = verdicts(report)
        counts = {}
        for v in per.values():
            counts[v] = counts.get(v, 0) + 1
        intro = [f"OLD {report.meta.get('old')} -> NEW {report.meta.get('new')} on "
                 f"{len(report.targets)} target{'s' if len(report.targets) != 1 else ''}: "
                 + ", ".join(f"{n} {v}" for v, n in sorted(counts.items()))
                 + f" (exit status {exit_status(report)})",
                 f"{len(figures)} type{'s' if len(figures) != 1 else ''} changed layout"]
        return page(f"abicheck diff: {report.subject}", figures, intro=intro)
