"""The library API: what the CLI calls, and what other programs may call.

Everything here is a thin composition of the pipeline stages:
front end (``frontend``) -> model (``model``) -> layout (``layout``).
"""
from __future__ import annotations

from typing import Sequence

from abicheck.targets import Target, get_target


def layout_headers(headers: Sequence[str], types: Sequence[str], target: Target | str,
                   include_dirs: Sequence[str] = (), defines: Sequence[str] = (),
                   system: bool = False) -> list["TypeLayout"]:
    """Lay out ``types`` (typedef names, ``struct TAG``, ``union TAG``) as
    declared by ``headers`` (paths, or include names resolved through
    ``include_dirs``) on ``target``."""
    raise NotImplementedError


def layout_source(source: str, types: Sequence[str], target: Target | str,
                  include_dirs: Sequence[str] = (), defines: Sequence[str] = ()) -> list["TypeLayout"]:
    """As :func:`layout_headers`, for C text given in memory (named ``<source>``)."""
    raise NotImplementedError
