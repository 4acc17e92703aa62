"""Layouts as JSON, the machine-readable twin of the text view.

The document shape is fixed by ``schemas/layout.schema.json``, which ships in
the package so that consumers (CI scripts, Rust/Go binding generators) can
validate what they read.  Keys are emitted in a fixed order and without
timestamps so the same input gives byte-identical output.
"""
from __future__ import annotations

import json
from typing import Sequence

from abicheck import __version__
from abicheck.layout import Member, TypeLayout


def field_json(accessor: str, path: str | None, mem: Member | None) -> dict:
    out = {"accessor": accessor, "path": path}
    if mem is not None:
        out.update({k: v for k, v in mem.to_json().items() if k != "path"})
    return out


def layout_document(results: Sequence[tuple[str, Sequence[dict]]]) -> dict:
    """``results``: (target name, [type dicts]) in target order."""
    return {
        "tool": "abicheck",
        "version": __version__,
        "command": "layout",
        "results": [{"target": t, "types": list(types)} for t, types in results],
    }


def dumps(doc: dict) -> str:
    return json.dumps(doc, indent=2, sort_keys=False) + "\n"


def type_json(lay: TypeLayout, fields: Sequence[dict] = ()) -> dict:
    d = lay.to_json()
    d["fields"] = list(fields)
    return d
