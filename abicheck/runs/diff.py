"""``abicheck diff`` as items: one per target, both revisions (see
``abicheck.runs`` and ``checks/diff_pieces``)."""
from __future__ import annotations

from typing import Sequence

from abicheck.runs import Plan
from abicheck.targets import Target


def formats() -> list[str]:
    from abicheck.report.render import formats as all_formats
    # the byte map (html, svg) draws live shapes, which no piece carries
    return [f for f in all_formats("diff") if f not in ("html", "svg")]


def plan(old, new, targets: Sequence[Target], types: Sequence[str], defines: Sequence[str],
         fmt: str, exit_zero: bool) -> Plan:
    """``old``, ``new``: loaded revisions (kept alive by the caller until the
    run is over: a ``REV:path`` is a checkout in a temporary folder)."""
    from abicheck.checks.diff_pieces import diff_frame, target_pieces
    targets, wanted = list(targets), tuple(types)
    context = {"frame": diff_frame(old, new, targets, wanted), "format": fmt,
               "exit_zero": exit_zero}
    return Plan("diff", context, [t.name for t in targets], targets,
                lambda t: target_pieces(old, new, [t], wanted, defines)[0], assemble, formats(),
                batch=lambda ts: target_pieces(old, new, ts, wanted, defines))


def assemble(context: dict, pieces: Sequence[dict]) -> tuple[str, int]:
    from abicheck.checks.diff_pieces import assemble_diff
    from abicheck.report.diffmodel import exit_status
    from abicheck.report.render import render
    report = assemble_diff(context["frame"], pieces)
    return (render(report, context["format"]),
            0 if context["exit_zero"] else exit_status(report))
