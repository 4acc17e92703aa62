"""Field values as users write them, checked against the field's width.

``--set si_code=SEGV_PKUERR``, ``si_addr=0x7ffff7ff8123``, ``si_errno=-14``,
``si_pkey=0b1``: a value is an integer in any C or Python base (a leading
``-`` allowed, C suffixes ``u``/``l`` ignored), or the name of a macro or
enum constant that the target's headers define (its value on that target:
``SIGBUS`` is 7 on x86 and 10 on MIPS), or for an array a comma-separated
list of those.  The value must fit the member: a signed member of N bits
holds -2^(N-1)..2^(N-1)-1, an unsigned one 0..2^N-1; a bitfield its width.
A value that does not fit is an error, never silently truncated.
"""
from __future__ import annotations

import re
import struct
from typing import TYPE_CHECKING, Iterable, Mapping

from abicheck.errors import UsageError
from abicheck.views import blob_shape as bs

if TYPE_CHECKING:
    from abicheck.blobs.context import BlobContext, Leaf

#: C integer literals (no digit separators: C has none, and Python's ``_`` would
#: let ``0x_`` through to a crash)
_INT = re.compile(r"^[+-]?(0[xX][0-9a-fA-F]+|0[bB][01]+|0[oO][0-7]+|0[0-7]*|[1-9][0-9]*)"
                  r"([uU]?[lL]{0,2}|[lL]{0,2}[uU]?)$")
_NAME = re.compile(r"^[A-Za-z_]\w*$")


def parse_assignments(items: Iterable[str]) -> list[tuple[str, str]]:
    """``["si_signo=SIGSEGV", ...]`` -> [(field, value text)], in order."""
    out = []
    for item in items:
        field, eq, value = item.partition("=")
        field, value = field.strip(), value.strip()
        if not eq or not field or not value:
            raise UsageError(f"--set expects FIELD=VALUE, not '{item}'")
        out.append((field, value))
    return out


def integer(text: str) -> int | None:
    """An integer literal in any base (C's leading-0 octal too), or None."""
    m = _INT.match(text.strip())
    if not m:
        return None
    digits = text.strip()[:len(text.strip()) - len(m.group(2))]
    sign = -1 if digits.startswith("-") else 1
    digits = digits.lstrip("+-")
    if digits[:2].lower() in ("0x", "0b", "0o"):
        return sign * int(digits, 0)
    if len(digits) > 1 and digits.startswith("0"):
        return sign * int(digits, 8)
    return sign * int(digits)


def bounds(size: int, signed: bool) -> tuple[int, int]:
    bits = size * 8
    return (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)


def scalar(cx: "BlobContext", field: str, text: str) -> int:
    """One integer: a literal or a constant the headers define."""
    v = integer(text)
    if v is not None:
        return v
    neg = text.strip().startswith("-")
    name = text.strip().lstrip("-").strip()
    if _NAME.match(name):
        c = cx.constant(name)
        if c is not None:
            return -c if neg else c
        raise UsageError(f"{field}={text}: no header of {cx.label} defines '{name}' on "
                         f"{cx.target.name}")
    raise UsageError(f"{field}={text}: not an integer or a constant name")


def bit_value(cx: "BlobContext", field: str, bf: bs.BitField, raw) -> int:
    """A bitfield's value, checked to fit its width."""
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        raise UsageError(f"{field}: a bitfield takes an integer")
    v = scalar(cx, field, str(raw))
    lo, hi = ((-(1 << (bf.width - 1)), (1 << (bf.width - 1)) - 1) if bf.signed
              else (0, (1 << bf.width) - 1))
    return check_range(cx, field, v, lo, hi, f"a {bf.width}-bit bitfield")


def value_for(cx: "BlobContext", leaf: "Leaf", field: str, raw):
    """The value ``raw`` (text, or nested lists/objects) gives member
    ``leaf`` (checked to fit)."""
    if leaf.bitfield is not None:
        return bit_value(cx, field, leaf.bitfield, raw)
    return value_for_node(cx, leaf.node, field, raw)


def value_for_node(cx: "BlobContext", node: bs.Node, field: str, raw):
    """A node's value from text or from nested lists/objects (decode's JSON):
    a nested array or a record takes a value of exactly its shape
    (:mod:`abicheck.blobs.elements`)."""
    from abicheck.blobs import elements
    if isinstance(raw, (list, dict)):
        return elements.structured(cx, node, field, raw)
    text = raw.strip()
    nested = isinstance(node, bs.Record) or (isinstance(node, bs.Array) and
                                             isinstance(node.element, (bs.Array, bs.Record)))
    if text[:1] in "[{" and isinstance(node, (bs.Array, bs.Record)):
        return elements.structured(cx, node, field, elements.parse_json(field, text))
    if nested:
        kind = "a record" if isinstance(node, bs.Record) else "an array of arrays or records"
        raise UsageError(f"{field}={raw}: {kind}: give its whole value as JSON ([...] of "
                         f"{elements.shape_text(node)}) or set one element ({field}[0]...)")
    return _node_value(cx, node, field, text)


def _node_value(cx, node: bs.Node, field: str, text: str):
    if isinstance(node, bs.Int):
        v = scalar(cx, field, text)
        lo, hi = bounds(node.size, node.signed)
        what = f"{'a signed' if node.signed else 'an unsigned'} {node.size * 8}-bit member"
        return check_range(cx, field, v, lo, hi, what)
    if isinstance(node, bs.Float):
        return float_value(cx, field, text, node.size)
    if isinstance(node, bs.Opaque):
        raw = text[2:] if text.lower().startswith("0x") else text
        try:
            data = bytes.fromhex(raw)
        except ValueError:
            raise UsageError(f"{field}={text}: give its {node.size} bytes in hex") from None
        if len(data) != node.size:
            raise UsageError(f"{field}={text}: {len(data)} bytes for a {node.size}-byte member")
        return data
    if isinstance(node, bs.Array):
        parts = [p for p in text.split(",")]
        if len(parts) > node.count:
            raise UsageError(f"{field}={text}: {len(parts)} values for {node.count} elements")
        vals = [_node_value(cx, node.element, field, p.strip()) for p in parts]
        from abicheck.views.construct_model import zero
        return vals + [zero(node.element)] * (node.count - len(vals))
    raise UsageError(f"{field} is a {node.kind}: set its members instead")


def float_value(cx, field: str, text: str, size: int) -> float:
    """A float that the member's IEEE format holds: ``1e39`` does not fit a
    binary32 (it would round to infinity), so it is refused like an integer
    overflow; ``inf``/``nan`` written as such are kept."""
    try:
        v = float(text)
    except ValueError:
        raise UsageError(f"{field}={text}: not a number") from None
    fmt = {2: "<e", 4: "<f", 8: "<d"}.get(size)
    if fmt is not None:
        try:
            struct.pack(fmt, v)
        except (OverflowError, struct.error):
            raise UsageError(f"{field}={text}: does not fit a {size * 8}-bit float on "
                             f"{cx.target.name}") from None
    return v


def check_range(cx, field: str, v: int, lo: int, hi: int, what: str) -> int:
    if not lo <= v <= hi:
        raise UsageError(f"{field}={v:#x}: does not fit {what} on {cx.target.name} "
                         f"({lo}..{hi:#x})" if v >= 0 else
                         f"{field}={v}: does not fit {what} on {cx.target.name} ({lo}..{hi:#x})")
    return v


def typed_fields(cx: "BlobContext", fields: Mapping[str, object]) -> dict[str, object]:
    """``{field name: int | str | list}`` -> ``{member path: checked value}``;
    strings are parsed as above, ints range-checked."""
    from abicheck.blobs import elements
    out: dict[str, object] = {}
    partial: set[str] = set()            # members set element by element (p[1].x)
    for name, raw in fields.items():
        base, rest = elements.split_index(name)
        path = cx.resolve(base)
        leaf = cx.leaves.get(path)
        if leaf is None:
            subs = ", ".join(cx.display(lf.path) for lf in cx.leaves_under(path)[:4])
            raise UsageError(f"{name} is not a single member of {cx.type_name}: set one of its "
                             f"members ({subs})")
        if isinstance(raw, bool) or not isinstance(raw, (int, str, float, bytes, list, dict)):
            raise UsageError(f"{name}: a value must be an integer or text, not {type(raw).__name__}")
        if isinstance(raw, int):
            raw = str(raw)
        elif isinstance(raw, float):
            raw = repr(raw)
        elif isinstance(raw, bytes):
            raw = raw.hex()
        if rest:
            if leaf.bitfield is not None or (path in out and path not in partial):
                raise UsageError(f"{name}: {cx.display(path)} is set whole or is not an array")
            whole = out.setdefault(path, elements.fresh_zero(leaf.node))
            partial.add(path)
            elements.set_element(cx, leaf.node, whole, elements.steps(name, rest), name, raw)
            continue
        if path in out:
            raise UsageError(f"{name} is set twice")
        out[path] = value_for(cx, leaf, name, raw)
    return out
