"""Files shipped inside the abicheck package: ``data/``, ``schemas/``,
``include/``, the bundled headers and the package's own sources.

Why not ``importlib.resources``: abicheck only runs from an unpacked
package (cpp reads the bundled headers and ``include/`` as files, so a
zipped install could not work anyway), and ``resources.files`` imports
zipfile, tempfile and their dependencies: ~10 ms of the start of every
command, before ``check`` can start its cpp runs."""
from __future__ import annotations

import os

#: the abicheck package folder
ROOT = os.path.dirname(os.path.abspath(__file__))


def path(rel: str) -> str:
    """The file or folder ``rel`` (``/``-separated) of the package."""
    return os.path.join(ROOT, *rel.split("/"))


def read_text(rel: str) -> str:
    with open(path(rel), encoding="utf-8") as f:
        return f.read()


def read_bytes(rel: str) -> bytes:
    with open(path(rel), "rb") as f:
        return f.read()
