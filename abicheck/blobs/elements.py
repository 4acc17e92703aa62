"""Values for arrays of records and multi-dimensional arrays.

Decode prints an array of records as a list of records and ``int m[2][3]``
as a list of lists; for decode -> encode to be the identity, encode takes the
same back: a whole member as nested lists and objects (JSON text on the
command line, Python lists and dicts through the library), or one element by
an indexed path, ``p[1].x``, ``m[1][2]``, ``m[1]`` (a row).

A value of the wrong shape is refused: ``--set m=1`` on ``int m[2][3]``
would otherwise fill ``m[0][0]`` and leave the rest zero without a word, so
an array of arrays or of records takes exactly ``count`` elements (a flat
array of scalars keeps the short form ``1,2,3``, the rest zero).  Record
values are keyed like decode's JSON: members by name, an anonymous member by
its ``_anon<N>`` key, a bitfield run by its ``_bits<OFFSET>`` key.
"""
from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from abicheck.errors import UsageError
from abicheck.views import blob_shape as bs

if TYPE_CHECKING:
    from abicheck.blobs.context import BlobContext

_STEP = re.compile(r"\[(\d+)\]|\.([A-Za-z_]\w*)")


def split_index(name: str) -> tuple[str, str]:
    """``p[1].x`` -> (``p``, ``[1].x``); a name without ``[`` -> (name, '')."""
    i = name.find("[")
    return (name, "") if i < 0 else (name[:i], name[i:])


def steps(field: str, rest: str) -> list[int | str]:
    """``[1].x`` -> [1, 'x'] (a usage error for anything else)."""
    out: list[int | str] = []
    pos = 0
    while pos < len(rest):
        m = _STEP.match(rest, pos)
        if not m:
            raise UsageError(f"{field}: expected [INDEX] or .MEMBER at '{rest[pos:]}'")
        out.append(int(m.group(1)) if m.group(1) is not None else m.group(2))
        pos = m.end()
    return out


def fresh_zero(node: bs.Node):
    """All-zero value of ``node``, with no element shared (so one can be set)."""
    if isinstance(node, bs.Array):
        return [fresh_zero(node.element) for _ in range(node.count)]
    if isinstance(node, (bs.Record, bs.Bits)):
        return {}
    from abicheck.views.construct_model import zero
    return zero(node)


def shape_text(node: bs.Node) -> str:
    """``2x3 values``, ``2 records``: an array's dimensions and what it holds."""
    dims = []
    while isinstance(node, bs.Array):
        dims.append(str(node.count))
        node = node.element
    what = "record" if isinstance(node, bs.Record) else "value"
    return f"{'x'.join(dims)} {what}s" if dims else what


def _member(node: bs.Record, key: str, field: str):
    """(key, node) of ``key`` in a record: a member, an anonymous member's
    member, or a bitfield (its run's key and the run)."""
    for f in node.fields:
        if f.name == key and not isinstance(f.node, bs.Bits):
            return f.name, f.node, None
        if isinstance(f.node, bs.Bits):
            for bf in f.node.fields:
                if bf.name == key:
                    return f.name, f.node, bf
    raise UsageError(f"{field}: {node.c_name} has no member '{key}'")


def set_element(cx: "BlobContext", node: bs.Node, whole, path: list[int | str], field: str,
                raw) -> None:
    """Set, inside ``whole`` (the member's full value, built by
    :func:`fresh_zero`), the element or member ``path`` names."""
    from abicheck.blobs.values import bit_value, value_for_node
    cur, n = whole, node
    for i, step in enumerate(path):
        last = i == len(path) - 1
        if isinstance(step, int):
            if not isinstance(n, bs.Array):
                raise UsageError(f"{field}: [{step}] indexes something that is not an array")
            if step >= n.count:
                raise UsageError(f"{field}: index {step} is past the last element ({n.count - 1})")
            if last:
                cur[step] = value_for_node(cx, n.element, field, raw)
                return
            cur, n = cur[step], n.element
            continue
        if not isinstance(n, bs.Record):
            raise UsageError(f"{field}: .{step} names a member of something that is not a record")
        key, sub, bf = _member(n, step, field)
        if bf is not None:
            if not last:
                raise UsageError(f"{field}: bitfield {step} has no members")
            cur.setdefault(key, {})[bf.name] = bit_value(cx, field, bf, raw)
            return
        if last:
            cur[key] = value_for_node(cx, sub, field, raw)
            return
        cur, n = cur.setdefault(key, fresh_zero(sub)), sub


def structured(cx: "BlobContext", node: bs.Node, field: str, v):
    """A whole member's value from nested lists / objects, checked to fit."""
    if isinstance(node, bs.Array):
        if not isinstance(v, list):
            raise UsageError(f"{field}: a {shape_text(node)} array: give a list (JSON "
                             f"[...]) or set its elements ({field}[0]...)")
        nested = isinstance(node.element, (bs.Array, bs.Record))
        if len(v) > node.count or (nested and len(v) != node.count):
            raise UsageError(f"{field}: {len(v)} elements for an array of {node.count} "
                             f"({shape_text(node)})")
        vals = [structured(cx, node.element, f"{field}[{i}]", x) for i, x in enumerate(v)]
        return vals + [fresh_zero(node.element) for _ in range(node.count - len(vals))]
    if isinstance(node, bs.Record):
        if not isinstance(v, dict):
            raise UsageError(f"{field}: {node.c_name} takes an object of its members")
        out = {}
        for key, x in v.items():
            f = next((f for f in node.fields if f.name == key), None)
            if f is None:
                raise UsageError(f"{field}: {node.c_name} has no member '{key}'")
            out[key] = structured(cx, f.node, f"{field}.{key}", x)
        return out
    if isinstance(node, bs.Bits):
        if not isinstance(v, dict):
            raise UsageError(f"{field}: a bitfield run takes an object of its bitfields")
        from abicheck.blobs.values import bit_value
        names = {bf.name: bf for bf in node.fields}
        unknown = sorted(set(v) - set(names))
        if unknown:
            raise UsageError(f"{field}: no bitfield '{unknown[0]}'")
        return {k: bit_value(cx, f"{field}.{k}", names[k], x) for k, x in v.items()}
    if isinstance(v, (list, dict)):
        raise UsageError(f"{field}: a single value, not a {type(v).__name__}")
    from abicheck.blobs.values import value_for_node
    return value_for_node(cx, node, field, v if isinstance(v, str) else _text(field, v))


def _text(field: str, v) -> str:
    """A JSON/Python scalar as the text ``--set`` would give it."""
    if isinstance(v, bool) or v is None:
        raise UsageError(f"{field}: {json.dumps(v)} is not a number")
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, bytes):
        return v.hex()
    return str(v)


def parse_json(field: str, text: str):
    """``--set`` text that starts with ``[`` or ``{``: JSON, as decode prints."""
    try:
        return json.loads(text)
    except ValueError:
        raise UsageError(f"{field}={text}: not a JSON list or object") from None
