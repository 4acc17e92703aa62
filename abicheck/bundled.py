"""Where the bundled header sets and specs live.

In a source checkout (and an editable install) they are the top-level
``headers/`` and ``specs/`` folders; a regular install ships them inside the
package as ``abicheck/_bundled/``.  Everything else asks here.
"""
from __future__ import annotations

import os
from pathlib import Path

from abicheck.errors import UsageError

_PKG = Path(__file__).resolve().parent


def _root(kind: str) -> Path:
    for cand in (_PKG.parent / kind, _PKG / "_bundled" / kind):
        if cand.is_dir():
            return cand
    raise UsageError(f"the bundled {kind} are not installed")


def header_sets() -> list[str]:
    return sorted(p.name for p in _root("headers").iterdir() if p.is_dir())


def headers_dir(name: str) -> str:
    d = _root("headers") / name
    if not d.is_dir():
        raise UsageError(f"no bundled header set '{name}' (have: {', '.join(header_sets())})")
    return str(d)


def spec_path(name: str) -> str:
    p = _root("specs") / name
    if not p.is_file():
        raise UsageError(f"no bundled spec '{name}'")
    return os.fspath(p)


def display_path(path: str) -> str:
    """``headers/<set>/...`` for a file of a bundled set, wherever it is
    installed, so reports read the same on every machine; other paths as given."""
    try:
        root = _root("headers")
    except UsageError:
        return path
    try:
        rel = Path(path).resolve().relative_to(root.resolve())
    except (ValueError, OSError):
        return path
    return f"headers/{rel.as_posix()}"
