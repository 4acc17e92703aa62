"""Fields -> the 128 bytes of ``siginfo_t`` as they sit in the receiving
process's memory, through the blob encoder of the chosen header set on the
chosen ABI (``abicheck.blobs``, over the generated construct model).

Why through the model: the simulator decides *what* the kernel delivers (the
signal, the code, the address, the key); *where* each value sits and in which
byte order is the layout's business, so a revision whose key is one byte
(``pkeys-u8-reserved``) or an ABI whose ``si_code`` comes before ``si_errno``
(MIPS) gets the right bytes without a line here knowing about it.  Every byte
no field names is zero, as the kernel's ``clear_siginfo()`` (a ``memset`` of
the whole ``struct kernel_siginfo``, kernel/signal.c) and, for 32-bit
processes on a 64-bit kernel, ``copy_siginfo_to_user32()``'s ``memset`` of the
compat siginfo leave it.

The bytes are ``abicheck.blobs.encode_fields``'s (the one encoder); this
module adds what the simulator needs to ask of a header set (does it have a
key field at all, what a code is called there).
"""
from __future__ import annotations

from typing import Mapping

from abicheck.errors import UsageError

#: the header set whose layout the blobs use unless told otherwise
from abicheck.blob_defaults import DEFAULT_SET as DEFAULT_HEADERS, DEFAULT_TYPE as TYPE  # noqa: E402


def _context(target: str, headers: str):
    """The blob context of siginfo_t in header set ``headers`` on ``target``
    (``abicheck.blobs``: cached, one preprocessor run per pair)."""
    from abicheck.blobs import context
    return context(TYPE, target, headers)


def member_path(target: str, headers: str, accessor: str) -> str | None:
    """The C member path an accessor (``si_pkey``) expands to in that header
    set, or None when the set has no such member (``linux-4.5`` has no key)."""
    cx = _context(target, headers)
    path = cx.accessors.get(accessor, accessor)
    return path if path in cx.paths else None


def encode(target: str, headers: str | None, fields: Mapping[str, int]) -> bytes:
    """The siginfo bytes carrying ``fields`` (accessor name -> integer),
    through ``abicheck.blobs`` (which also refuses a field outside the union
    member the signal and code select, per the spec's ``layouts``)."""
    from abicheck.blobs import encode_fields
    hs = headers or DEFAULT_HEADERS
    for acc in fields:
        if member_path(target, hs, acc) is None:
            raise UsageError(f"header set '{hs}' has no {acc} in {TYPE} on {target}: "
                             f"its blob cannot carry the value the kernel delivers")
    return encode_fields(TYPE, target, fields, headers_set=hs)
