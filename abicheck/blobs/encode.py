"""Fields to bytes.

Every byte starts at zero; each field is then written at its offset with the
construct model of its own node (generated from the same byte shape as the
whole type's model, so byte order, widths and bitfield allocation are the
ABI's).  Writing field by field rather than building the whole model once
matters for unions whose accessors reach through different members: the
kernel's ``si_int`` names ``_sifields._rt._sigval`` even for a timer signal,
whose member is ``_timer``; both overlay the same bytes.

For a tagged union (``siginfo_t``: the spec's ``layouts``), the signal and
code select the member, and a field outside it is refused: a SEGV_PKUERR
blob with ``si_pid`` set is not one the kernel would deliver.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from abicheck.errors import UsageError
from abicheck.views import blob_shape as bs
from abicheck.views import construct_model as cm

if TYPE_CHECKING:
    from abicheck.blobs.context import BlobContext, Leaf


def leaf_codec(cx: "BlobContext", node: bs.Node):
    """The compiled construct model of one node on ``cx``'s ABI (cached by
    shape, as the whole type's model is)."""
    return cm.compiled(bs.Shape("leaf", cx.target.name,
                                cx.shape.byte_order, node))


def write_leaf(cx: "BlobContext", buf: bytearray, leaf: "Leaf", value) -> None:
    codec = leaf_codec(cx, leaf.node)
    end = leaf.offset + leaf.size
    if leaf.bitfield is not None:
        run = bs.clean(codec.parse(bytes(buf[leaf.offset:end])), leaf.node)
        run[leaf.bitfield.name] = value
        buf[leaf.offset:end] = codec.build(run)
    else:
        buf[leaf.offset:end] = codec.build(value)


def within(path: str, allowed: tuple[str, ...]) -> bool:
    """``path`` is one of ``allowed`` or inside one (``si_value`` allows
    ``si_value.sival_int``)."""
    return any(path == a or path.startswith(a + ".") for a in allowed)


def aliases(cx: "BlobContext", path: str, allowed: tuple[str, ...]) -> bool:
    """``path`` is the same field as an allowed one seen through another
    union member: same offset, same size, same member name.  The kernel's
    ``si_pid`` is ``_sifields._kill._pid`` while a SIGCHLD fills
    ``_sigchld._pid``: the same four bytes under the same name."""
    lf = cx.leaves[path]
    name = path.rpartition(".")[2]
    return any(o.offset == lf.offset and o.size == lf.size and o.path.rpartition(".")[2] == name
               for p in allowed for o in cx.leaves_under(p))


def check_member(cx: "BlobContext", values: Mapping[str, object]) -> None:
    """For a tagged union: every field set belongs to the member the signal
    and code select (by name, or as an alias of one of its fields)."""
    tg = cx.tagged
    if tg is None:
        return
    signo = values.get(tg.signal_path, 0)
    code = values.get(tg.code_path, 0)
    choice = tg.choose(signo, code)
    for path in values:
        if within(path, choice.paths) or aliases(cx, path, choice.paths):
            continue
        where = ", ".join(tg.members_with(path)) or "no member"
        sig = choice.signal_name or str(signo)
        what = choice.code_name or f"{code:#x}"
        raise UsageError(f"{cx.display(path)} does not belong to {cx.type_name}'s "
                         f"'{choice.member}' member, which {cx.display(tg.signal_path)}={sig} "
                         f"{cx.display(tg.code_path)}={what} selects on {cx.target.name} "
                         f"(it belongs to: {where})")


def encode_values(cx: "BlobContext", values: Mapping[str, object]) -> bytes:
    """Checked values by member path -> the blob.

    Two fields over the same bytes (``si_int`` and ``si_ptr``, two views of
    one ``sigval``; everything a decode returns) must agree on them: a
    second value that would silently change bytes the first one wrote is
    refused.  Bitfields of one storage run share bytes, not bits."""
    check_member(cx, values)
    buf = bytearray(cx.size)
    owner: list = [None] * cx.size          # the leaf that wrote each byte
    for path, value in values.items():
        lf = cx.leaves[path]
        before = bytes(buf[lf.offset:lf.offset + lf.size])
        write_leaf(cx, buf, lf, value)
        for i in range(lf.offset, lf.offset + lf.size):
            prev = owner[i]
            if prev is not None and buf[i] != before[i - lf.offset] and not (
                    lf.bitfield is not None and prev.bitfield is not None
                    and prev.keys[:-1] == lf.keys[:-1]):
                raise UsageError(f"{cx.display(path)} and {cx.display(prev.path)} share bytes "
                                 f"(offset {i}) and their values disagree: set only one")
            owner[i] = lf
    return bytes(buf)


def encode(cx: "BlobContext", fields: Mapping[str, object]) -> bytes:
    """Fields by accessor or member path (ints, or text as ``--set`` takes
    it) -> the blob."""
    from abicheck.blobs.values import typed_fields
    return encode_values(cx, typed_fields(cx, fields))
