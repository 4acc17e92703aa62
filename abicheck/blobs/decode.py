"""Bytes to fields.

The whole blob is parsed once with the type's compiled construct model
(every union member read from the same bytes), then flattened to
``{member path: value}``.  For a tagged union the spec's ``layouts`` pick
the member the signal and code select, and only its fields (plus the ones
valid in every blob) are the decoded fields; for any other record every leaf
member is.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from abicheck.errors import UsageError
from abicheck.views import blob_shape as bs
from abicheck.views import construct_model as cm

if TYPE_CHECKING:
    from abicheck.blobs.context import BlobContext
    from abicheck.blobs.tagged import Choice


@dataclass
class Decoded:
    """One blob read back: every leaf value by member path, and the union member ``si_code``
    chose."""

    cx: "BlobContext"
    blob: bytes
    values: dict[str, object]               # every leaf, by member path
    choice: "Choice | None" = None
    fields: list[str] = field(default_factory=list)   # the decoded fields' member paths

    def value(self, name: str):
        """A field's value by accessor or member path (None if the headers
        lack it)."""
        path = self.cx.accessors.get(name, name)
        return self.values.get(path)

    def named(self) -> dict[str, object]:
        """The decoded fields by public name (accessor, else member path)."""
        return {self.cx.display(p): self.values[p] for p in self.fields}

    def to_json(self) -> dict:
        cx = self.cx
        out = {"type": cx.type_name, "target": cx.target.name, "headers": cx.label,
               "byte_order": cx.shape.byte_order, "size": cx.size}
        if self.choice is not None:
            tg = cx.tagged
            signo = self.values.get(tg.signal_path)
            code = self.values.get(tg.code_path)
            out["member"] = self.choice.member
            out["signal"] = self.choice.signal_name
            out["code"] = self.choice.code_name
            out["code_known"] = self.choice.code_known
            if not self.choice.code_known:
                out["note"] = (f"unknown {cx.display(tg.code_path)} {code:#x} for signal "
                               f"{self.choice.signal_name or signo}")
        out["fields"] = [self.field_json(p) for p in self.fields]
        return out

    def field_json(self, path: str) -> dict:
        """One field: where its bytes are, its C type and value.  A bitfield
        is described on its own (its declared type, the bytes its bits touch,
        its first bit in the first of them in the ABI's allocation order),
        not as the storage run it shares with its neighbours."""
        leaf = self.cx.leaves[path]
        offset, size, c_type = leaf.offset, leaf.size, leaf.c_type
        extra = {}
        if leaf.bitfield is not None:
            bf = leaf.bitfield
            first = leaf.offset * 8 + bf.bit
            offset, end = first // 8, (first + bf.width + 7) // 8
            size = end - offset
            mem = self.cx.layout.member(path)
            c_type = mem.type_name if mem is not None else c_type
            extra = {"bit": first - offset * 8, "bits": bf.width}
        raw = self.blob[offset:offset + size]
        d = {"name": self.cx.display(path), "path": path, "offset": offset,
             "size": size, "c_type": c_type, "bytes": raw.hex(),
             "value": _jsonable(self.values[path])}
        d.update(extra)
        return d


def _jsonable(v):
    """A value as strict JSON: bytes in hex, and the floats JSON has no
    number for (RFC 8259 has no NaN or Infinity) as the strings ``"nan"``,
    ``"inf"``, ``"-inf"`` (what ``float()`` reads back), never the bare
    ``NaN`` that Python's json writes and strict parsers refuse."""
    if isinstance(v, float) and not math.isfinite(v):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if isinstance(v, bytes):
        return v.hex()
    if isinstance(v, list):
        return [_jsonable(x) for x in v]
    return v


def hex_text_hint(blob: bytes, size: int) -> str:
    """A hint for a blob that is hex text of the right size (``encode
    --format hex`` output given as BLOB), else ''."""
    text = blob.strip()
    if len(text) == 2 * size and all(chr(b) in "0123456789abcdefABCDEF" for b in text):
        return " (it is hex text: give it with --hex, or encode with --format bin)"
    return ""


def decode(cx: "BlobContext", blob: bytes) -> Decoded:
    if len(blob) > cx.size:
        from abicheck.blobs.flexible import with_tail
        cx = with_tail(cx, len(blob)) if not hex_text_hint(blob, cx.size) else cx
    if len(blob) != cx.size:
        raise UsageError(f"the blob is {len(blob)} bytes; {cx.type_name} is {cx.size} bytes on "
                         f"{cx.target.name}{hex_text_hint(blob, cx.size)}")
    parsed = cx.model.parse(blob)
    values = cm.flatten(parsed, cx.paths, cx.shape.root)
    d = Decoded(cx, blob, values)
    tg = cx.tagged
    if tg is None:
        d.fields = list(cx.paths)
        return d
    signo, code = values.get(tg.signal_path, 0), values.get(tg.code_path, 0)
    d.choice = tg.choose(signo, code)
    fields = []
    for p in d.choice.paths:
        fields += [lf.path for lf in cx.leaves_under(p) if lf.path not in fields]
    d.fields = fields
    return d


def nested(cx: "BlobContext", blob: bytes):
    """The whole parsed value, nested as the shape is (for ``prettify``);
    ``cx`` is the decoded blob's (``Decoded.cx``: with a flexible tail)."""
    return bs.clean(cx.model.parse(blob), cx.shape.root)
