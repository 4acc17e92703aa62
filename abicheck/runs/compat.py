"""``abicheck compat`` as items: one per target, both views (see
``abicheck.runs``)."""
from __future__ import annotations

from typing import Sequence

from abicheck.runs import Plan
from abicheck.targets import Target


def formats() -> list[str]:
    from abicheck.report.render import formats as all_formats
    return all_formats("compat")


def plan(kernel, libc, types: Sequence[str], targets: Sequence[Target],
         maps: Sequence[tuple[str, str]], fmt: str, exit_zero: bool) -> Plan:
    from abicheck.checks.compat import compat_frame, target_pieces
    from abicheck.errors import UsageError
    if not types:
        raise UsageError("compat needs at least one --type")
    targets = list(targets)
    context = {"frame": compat_frame(kernel, libc, types, targets, maps), "format": fmt,
               "exit_zero": exit_zero}
    return Plan("compat", context, [t.name for t in targets], targets,
                lambda t: target_pieces(kernel, libc, types, [t], maps)[0], assemble, formats(),
                batch=lambda ts: target_pieces(kernel, libc, types, ts, maps))


def assemble(context: dict, pieces: Sequence[dict]) -> tuple[str, int]:
    from abicheck.checks.compat import assemble_compat
    from abicheck.report.compatmodel import exit_status
    from abicheck.report.render import render
    report = assemble_compat(context["frame"], pieces)
    return (render(report, context["format"]),
            0 if context["exit_zero"] else exit_status(report))
