"""What the layout rules share: one member's layouts side by side on every
target, and the words for target sets and byte ranges.

A record's layout tree (``layout.Member``) is per target; the rules compare
the same member across targets.  Members are matched by *key*: the dotted
path of member names, with an anonymous member spelled ``<anonN>`` (its
position among its parent's anonymous members), so the anonymous union of
siginfo's ``_sigfault`` is one key on every ABI even where an ``#ifdef``
adds a member before it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from abicheck.layout import Member, TypeLayout
from abicheck.targets import Target


@dataclass(frozen=True, slots=True)
class Node:
    """One member (or the record itself, key ``""``) in one target's tree."""

    key: str
    member: Member
    parent: "Member | None"
    index: int                    # position among the parent's children


def nodes(lay: TypeLayout) -> dict[str, Node]:
    """Key -> node for the record and every member, pre-order."""
    out: dict[str, Node] = {"": Node("", lay.root, None, 0)}

    def walk(node: Member, key: str) -> None:
        anon = 0
        for i, c in enumerate(node.children):
            if c.name is None:
                k = f"{key}.<anon{anon}>" if key else f"<anon{anon}>"
                anon += 1
            else:
                k = f"{key}.{c.name}" if key else c.name
            out[k] = Node(k, c, node, i)
            if c.kind in ("struct", "union"):
                walk(c, k)
    walk(lay.root, "")
    return out


def children(tree: dict[str, Node], key: str) -> list[str]:
    """Keys of the direct members of ``key``, in declaration order."""
    depth = 0 if key == "" else key.count(".") + 1
    pre = "" if key == "" else key + "."
    return [k for k in tree if k and k.startswith(pre) and k.count(".") == depth]


def describe(key: str, m: Member) -> str:
    """A member as a reviewer names it: ``_sigfault._pkey (int)``."""
    name = m.path or "the record"
    if m.name is None:
        name = f"an anonymous {m.kind}" + (f" in {m.path}" if m.path else "")
    return f"{name} ({m.type_name})"


def record_layouts(cx, targets: Sequence[Target] | None = None) -> dict[str, dict[str, TypeLayout]]:
    """Record name -> target name -> layout, over the compiled targets, in
    the order records are declared on the first target that has them."""
    out: dict[str, dict[str, TypeLayout]] = {}
    for t in targets if targets is not None else cx.compiled():
        for lay in cx.records(t.name):
            out.setdefault(lay.name, {})[t.name] = lay
    return out


def abis(names: Sequence[str], cx) -> str:
    """A set of targets in words: ``every ABI``, ``every 64-bit ABI``, or
    the names, in table order."""
    compiled = cx.compiled()
    want = set(names)
    ordered = [t.name for t in compiled if t.name in want]
    if len(ordered) > 1 and len(ordered) == len(compiled):
        return "every ABI"
    for bits in (4, 8):
        group = [t.name for t in compiled if t.pointer_size == bits]
        if len(group) > 2 and ordered == group:
            return f"every {bits * 8}-bit ABI"
    return ", ".join(ordered)


def byte_range(start_bit: int, bits: int) -> str:
    """``bytes 12-15``, ``byte 3``, or ``bits 5-7 of byte 2``."""
    if start_bit % 8 == 0 and bits % 8 == 0:
        lo, hi = start_bit // 8, (start_bit + bits) // 8 - 1
        return f"byte {lo}" if lo == hi else f"bytes {lo}-{hi}"
    lo, hi = start_bit, start_bit + bits - 1
    if lo // 8 == hi // 8:
        return f"bits {lo % 8}-{hi % 8} of byte {lo // 8}"
    return f"bits {lo}-{hi}"


def grouped(values: dict[str, object]) -> list[tuple[object, list[str]]]:
    """Target -> value, as (value, targets) pairs, in order of first target."""
    out: dict[object, list[str]] = {}
    for t, v in values.items():
        out.setdefault(v, []).append(t)
    return list(out.items())


def targets_in_order(cx, names) -> tuple[str, ...]:
    want = set(names)
    return tuple(t.name for t in cx.targets if t.name in want)


def member_at(lay: TypeLayout, path: str | None) -> Member | None:
    """The member called ``path`` (None: none)."""
    return lay.member(path) if path else None

