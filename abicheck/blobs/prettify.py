"""Any record's blob printed nested, member by member, the way pahole's
``--prettify`` shows a record's bytes: a designated-initializer-like block
per record, one ``.member = value,`` line per member, nested records and
arrays indented one tab deeper.

Every member is printed (for a union, each of its members reads the same
bytes: all are shown, largest first); an anonymous struct or union member
is a block without a name, as C spells it; bitfields print under their own
names; integers in decimal, pointers in hex (the shape marks them: no
guessing from the C spelling, so a typedef'd pointer or an array of pointers
prints in hex too), opaque types (``long double``)
as their bytes in hex, ``char`` arrays as their numbers.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from abicheck.views import blob_shape as bs

if TYPE_CHECKING:
    from abicheck.blobs.context import BlobContext


def prettify(cx: "BlobContext", value) -> str:
    """The parsed (nested) value of a whole blob as text."""
    lines: list[str] = []
    _record(cx.shape.root, value, 0, lines, cx)
    lines[-1] = lines[-1].rstrip(",")
    return "\n".join(lines) + "\n"


def _scalar(node: bs.Node, v, c_type: str) -> str:
    if isinstance(v, bytes):
        return "0x" + v.hex() if v else "0"
    if isinstance(v, float):
        return repr(v)
    if isinstance(node, bs.Int) and node.pointer:
        return f"{v:#x}" if v else "0"
    return str(v)


def _record(node: bs.Node, v, depth: int, lines: list[str], cx, label: str = "",
            c_type: str = "") -> None:
    pad = "\t" * depth
    if isinstance(node, bs.Record):
        lines.append(f"{pad}{label}{{")
        for f in node.fields:
            if isinstance(f.node, bs.Bits):
                run = v.get(f.name, {}) if isinstance(v, dict) else {}
                for bf in f.node.fields:
                    lines.append(f"{pad}\t.{bf.name} = {run.get(bf.name, 0)},")
                continue
            sub = v.get(f.name) if isinstance(v, dict) else None
            if sub is None:
                continue
            name = "" if f.anonymous else f".{f.name} = "
            _record(f.node, sub, depth + 1, lines, cx, name, f.c_type)
        lines.append(f"{pad}}},")
        return
    if isinstance(node, bs.Array):
        if not isinstance(node.element, (bs.Record, bs.Array)):
            items = ", ".join(_scalar(node.element, x, "") for x in v)
            lines.append(f"{pad}{label}{{ {items} }},")
            return
        lines.append(f"{pad}{label}{{")
        for x in v:
            _record(node.element, x, depth + 1, lines, cx)
        lines.append(f"{pad}}},")
        return
    lines.append(f"{pad}{label}{_scalar(node, v, c_type)},")
