"""The library API: what the CLI calls, and what other programs may call.

Everything here is a thin composition of the pipeline stages:
front end (``frontend``) -> model (``model``) -> layout (``layout``).
"""
from __future__ import annotations

from typing import Sequence

from abicheck.frontend import Translation, translate
from abicheck.layout import Layouter, TypeLayout
from abicheck.targets import Target, get_target


def _target(t: Target | str) -> Target:
    return t if isinstance(t, Target) else get_target(t)


def layout_translation(tr: Translation, types: Sequence[str]) -> list[TypeLayout]:
    lay = Layouter(tr.unit, tr.target)
    return [lay.layout(t) for t in types]


def layout_headers(headers: Sequence[str], types: Sequence[str], target: Target | str,
                   include_dirs: Sequence[str] = (), defines: Sequence[str] = (),
                   system: bool = False) -> list[TypeLayout]:
    """Lay out ``types`` (typedef names, ``struct TAG``, ``union TAG``) as
    declared by ``headers`` (paths, or include names resolved through
    ``include_dirs``) on ``target``."""
    tr = translate(headers, _target(target), include_dirs, defines, system)
    return layout_translation(tr, types)


def layout_source(source: str, types: Sequence[str], target: Target | str,
                  include_dirs: Sequence[str] = (), defines: Sequence[str] = ()) -> list[TypeLayout]:
    """As :func:`layout_headers`, for C text given in memory (named ``<headers>``)."""
    tr = translate((), _target(target), include_dirs, defines, source=source)
    return layout_translation(tr, types)
