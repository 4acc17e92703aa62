"""Blobs: a record's bytes on one ABI, from fields and back.

The library API the CLI (``encode``, ``decode``, ``validate``) and other
programs (the fault simulator) call:

- :func:`encode_fields` -- fields by accessor (``si_pkey``) or member path,
  values as ints or text (``"SEGV_PKUERR"``, ``"0x7f..."``) -> bytes;
- :func:`decode_fields` -- bytes -> ``{field name: value}`` of the member the
  blob carries (for ``siginfo_t``, the one its signal and code select).

Both build on :mod:`abicheck.blobs.context` (one cached context per type,
target and headers: translating headers is the slow part, so a thousand
calls translate them once).  Modules: ``context`` (the headers, layout and
models), ``tagged`` (the spec's union-member rules), ``values`` (parsing and
range checks), ``encode``, ``decode``, ``strace`` (siginfo as strace prints
it), ``prettify`` (any record, nested).
"""
from __future__ import annotations

from typing import Mapping, Sequence

from abicheck.blobs.context import DEFAULT_SET, DEFAULT_TYPE, BlobContext, context
from abicheck.targets import Target

__all__ = ["BlobContext", "DEFAULT_SET", "DEFAULT_TYPE", "context", "decode_fields",
           "encode_fields"]


def encode_fields(type_name: str, target: Target | str, fields: Mapping[str, int | str],
                  headers_set: str | None = DEFAULT_SET, headers: Sequence[str] = (),
                  include_dirs: Sequence[str] = (), defines: Sequence[str] = ()) -> bytes:
    """The blob of ``type_name`` on ``target`` with ``fields`` set, every
    other byte zero.  Raises ``abicheck.errors.UsageError`` for a field that
    does not exist, a value that does not fit, an undefined constant, or (for
    ``siginfo_t``) a field outside the member the signal and code select."""
    from abicheck.blobs.encode import encode
    cx = context(type_name, target, headers_set, headers, include_dirs, defines)
    return encode(cx, fields)


def decode_fields(blob: bytes, type_name: str, target: Target | str,
                  headers_set: str | None = DEFAULT_SET, headers: Sequence[str] = (),
                  include_dirs: Sequence[str] = (), defines: Sequence[str] = ()) -> dict:
    """``{field name: value}`` of ``blob``: for a tagged union the fields of
    the member it carries (accessor names where the headers have them), for
    any other record every leaf member by path.  A blob of the wrong size is
    a ``UsageError``."""
    from abicheck.blobs.decode import decode
    cx = context(type_name, target, headers_set, headers, include_dirs, defines)
    return decode(cx, bytes(blob)).named()
