"""``abicheck check`` as items: one per target (see ``abicheck.runs``)."""
from __future__ import annotations

from typing import Sequence

from abicheck.runs import Plan
from abicheck.targets import Target


def plan(spec, targets: Sequence[Target], headers: Sequence[str], include_dirs: Sequence[str],
         defines: Sequence[str], subject: str, fmt: str, exit_zero: bool) -> Plan:
    from abicheck.checks.spec_load import spec_inputs
    from abicheck.checks.spec_pieces import spec_frame, target_piece, target_pieces
    hdrs, defs = spec_inputs(spec, headers, defines)
    context = {"frame": spec_frame(spec, targets, hdrs, subject), "format": fmt,
               "exit_zero": exit_zero}
    targets = list(targets)
    return Plan("check", context, [t.name for t in targets], targets,
                lambda t: target_piece(spec, t, hdrs, include_dirs, defs), assemble,
                formats(), batch=lambda ts: target_pieces(spec, ts, hdrs, include_dirs, defs))


def formats() -> list[str]:
    from abicheck.report.render import formats as all_formats
    return all_formats("check")


def assemble(context: dict, pieces: Sequence[dict]) -> tuple[str, int]:
    from abicheck.checks.spec_pieces import assemble_spec
    from abicheck.report.render import render
    from abicheck.subcommands import EXIT_FINDINGS, EXIT_OK
    report = assemble_spec(context["frame"], pieces)
    out = render(report, context["format"])
    return out, EXIT_FINDINGS if report.failed and not context["exit_zero"] else EXIT_OK
