"""Records that end in a flexible array member, with their tail.

``struct inotify_event`` is 16 bytes, but read(2) returns each event
followed by ``len`` bytes of ``name``: the blob is longer than ``sizeof``.
A record whose last member is a flexible array (``char name[]``) decodes
such a blob with the tail read as that array (as many elements as the bytes
after the member's offset hold); any other record refuses a blob longer than
its size, saying why.
"""
from __future__ import annotations

import copy
import dataclasses
from typing import TYPE_CHECKING

from abicheck.errors import UsageError
from abicheck.views import blob_shape as bs
from abicheck.views import construct_model as cm

if TYPE_CHECKING:
    from abicheck.blobs.context import BlobContext
    from abicheck.layout import Member


def flexible_member(cx: "BlobContext") -> "Member | None":
    """The record's trailing flexible array member, or None."""
    kids = [c for c in cx.layout.root.children if c.bit_offset is None or c.bit_width]
    if cx.layout.root.kind != "struct" or not kids:
        return None
    last = max(kids, key=lambda c: c.offset)
    return last if last.kind == "array" and last.size == 0 and last.name else None


def with_tail(cx: "BlobContext", length: int) -> "BlobContext":
    """A view of ``cx`` for a blob of ``length`` bytes whose tail is the
    flexible array; a usage error when the record has none or the tail is
    not whole elements."""
    flex = flexible_member(cx)
    if flex is None:
        raise UsageError(f"the blob is {length} bytes; {cx.type_name} is {cx.size} bytes on "
                         f"{cx.target.name} and ends in no flexible array member that could "
                         f"hold the rest (give one record's bytes)")
    lay = cx.layouter
    elem_t = lay.strip(flex.type).element
    esize, _ = lay.size_align(elem_t)
    tail = length - flex.offset
    if not esize or tail % esize:
        raise UsageError(f"the blob is {length} bytes: the {tail} bytes from {flex.path} (offset "
                         f"{flex.offset}) are not whole {esize}-byte elements")
    elem = bs.type_node(lay, elem_t, esize)
    root = cx.shape.root
    field = bs.Field(flex.name, flex.offset, bs.Array(tail // esize, elem, tail), flex.type_name)
    ext_root = bs.Record(root.kind, root.c_name, length, root.fields + (field,))
    ext = copy.copy(cx)
    ext.shape = bs.Shape(cx.shape.name, cx.shape.target, cx.shape.byte_order, ext_root)
    ext.layout = dataclasses.replace(cx.layout, size=length)
    ext.model = cm.compiled(ext.shape)
    ext.paths = bs.leaf_paths(ext.shape, cx.layout)
    from abicheck.blobs.context import leaves_of
    ext.leaves = leaves_of(ext.shape, ext.paths)
    return ext
