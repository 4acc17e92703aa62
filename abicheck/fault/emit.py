"""Fields -> the 128 bytes of ``siginfo_t`` as they sit in the receiving
process's memory, through the generated construct model of the chosen header
set on the chosen ABI (``abicheck.views.construct_model``).

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

import functools
import os
from typing import Mapping

from abicheck.errors import UsageError

#: the header set whose layout the blobs use unless told otherwise
DEFAULT_HEADERS = "linux-6.6"
TYPE = "siginfo_t"


@functools.lru_cache(maxsize=64)
def _context(target: str, headers: str):
    """(translation, layout, model, field paths, macro table) for siginfo_t of
    bundled set ``headers`` on ``target`` (cached: a preprocessor run)."""
    from abicheck import api, bundled
    from abicheck.targets import get_target
    from abicheck.views import construct_model as cm

    d = headers if os.path.isdir(headers) else bundled.headers_dir(headers)
    entry = "asm/siginfo.h" if os.path.isfile(os.path.join(d, "asm", "siginfo.h")) else "signal.h"
    tr = api.translate([entry], get_target(target), [d])
    (lay,) = api.layout_translation(tr, [TYPE])
    return tr, lay, cm.model(lay, tr), cm.field_paths(lay, tr), api.macro_table(tr)


def member_path(target: str, headers: str, accessor: str) -> str | None:
    """The C member path an accessor (``si_pkey``) expands to in that header
    set, or None when the set has no such member (``linux-4.5`` has no key)."""
    tr, lay, _, paths, macros = _context(target, headers)
    mac = macros.get(accessor)
    path = mac.path if mac is not None and mac.path else accessor
    return path if path in paths else None


def constant(target: str, headers: str, name: str) -> int | None:
    """The value of a macro (``SEGV_PKUERR``) in that header set, if defined."""
    mac = _context(target, headers)[4].get(name)
    return None if mac is None else getattr(mac, "value", None)


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


def decode(target: str, headers: str | None, blob: bytes, accessors) -> dict[str, int]:
    """The values of ``accessors`` read back from ``blob`` through the model."""
    from abicheck.views import construct_model as cm
    hs = headers or DEFAULT_HEADERS
    _, _, model, paths, _ = _context(target, hs)
    flat = cm.flatten(model.parse(blob), paths)
    return {a: flat[member_path(target, hs, a)] for a in accessors}
