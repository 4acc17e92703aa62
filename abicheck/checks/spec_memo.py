"""One target's spec results remembered in this process, keyed by content.

Why: with the translations at hand, evaluating a spec on 27 targets (the
macro tables, the layouts, the checks) still took ~150 ms, the most of a
warm in-process ``abicheck check``, and gives the same piece every time
for the same inputs.  A piece (``checks.spec_pieces``) is a function of:

- what cpp produced for the target (its text, the macros its ``-dD`` record holds,
  the synthetic main file, the files it entered, the folders it searched:
  a changed header, define, include path or target macro changes them),
  and the request that produced it (a macro table may run cpp again);
- the target row, the spec's data and the headers the run names;
- the working directory (relative header names are looked up from it) and
  the active limits.

The key is the SHA-256 of all of them, so an edited spec or header between
two runs in one process is a new key, never a stale answer.  Without the
persistent cache, the first piece of each (spec, target, request) is kept
unkeyed: its key, whose digest of cpp's result is the costly part, is made
only when a second piece of the same (spec, target, request) is asked for,
which a one-shot ``check`` never does.  What is kept
is the piece marshalled (plain JSON values: ``marshal`` is built in and
keeps every type as it was), and a hit is a fresh copy: a
caller may not change what the next run gets.  The parsed model itself is
not hashed: the front end builds it from the text and the folders alone
(its own parse cache is keyed the same way).

Across processes the pieces are kept in the persistent cache
(``abicheck.cache``; not with ``--no-cache``), as JSON, under the same key
plus the path, size and modification time of every module of abicheck and
Python's version: a fresh ``abicheck check`` with the cache warm skips
reading the macros and evaluating the spec (~70 ms of CPU on 27 targets).
"""
from __future__ import annotations

import functools
import hashlib
import json
import marshal
import os
import sys
from collections import OrderedDict
from typing import Callable, Sequence

#: digest of a piece's inputs -> the marshalled piece
_PIECES: "OrderedDict[str, bytes]" = OrderedDict()
#: id of a cpp result -> (that result, the digest of its content); the
#: result is held so that its id is not reused while the entry lives, and
#: its macro record is hashed before a first run turns it into macros
_SEEN: "OrderedDict[int, tuple[object, str]]" = OrderedDict()
#: near key (``piece``) -> (cpp result, marshalled piece) of a piece not
#: yet keyed: the first of its near key, computed without the persistent cache
_UNKEYED: dict[str, tuple[object, bytes]] = {}
#: the near keys of the pieces in ``_PIECES`` (and maybe of some gone)
_KEYED: set[str] = set()
MAX_PIECES = 512
MAX_SEEN = 256


def spec_key(spec, hdrs: Sequence[str]) -> str:
    """The part of a piece's key that is the same on every target of a run."""
    import dataclasses

    from abicheck import limits
    lim = dataclasses.replace(limits.active(), jobs=0)     # -j N computes the same pieces
    h = hashlib.sha256()
    for part in (json.dumps(spec.data, sort_keys=True), repr(list(hdrs)), os.getcwd(), repr(lim)):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


def _cpp_digest(pre) -> str:
    got = _SEEN.get(id(pre))
    if got is not None and got[0] is pre:
        _SEEN.move_to_end(id(pre))
        return got[1]
    h = hashlib.sha256()
    # the macros as read, not the -dD record: a cpp-cache hit holds the
    # record compressed, a fresh run as text; both read to the same macros.
    # Each as a tuple of its fields: the dataclass repr said the same at 4x
    # the cost (38 vs 8 ms for 27 targets, 4% of a cold `check` here)
    fields = [(d.name, d.params, d.body, d.loc.file, d.loc.line, d.loc.col) for d in pre.macros]
    macros = f"macros\0{fields!r}\0{pre.macros_exact!r}"
    for part in (pre.text, pre.main_source, repr(pre.entries), repr(pre.search_dirs), macros):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    digest = h.hexdigest()
    _SEEN[id(pre)] = (pre, digest)
    while len(_SEEN) > MAX_SEEN:
        _SEEN.popitem(last=False)
    return digest


def piece(tr, skey: str, compute: Callable[[], dict]) -> dict:
    """The piece of translation ``tr`` under ``skey`` (``spec_key``):
    remembered, else ``compute()`` (and remembered)."""
    from abicheck import cache
    near = f"{skey}\0{tr.target!r}\0{tr.request!r}\0"
    waiting = _UNKEYED.pop(near, None)
    if waiting is not None:
        _remember(near, _key(near, waiting[0]), waiting[1])
    elif near not in _KEYED and not cache.enabled():
        # nothing remembered could be this piece, nor does a later process
        # look for it: its key waits until a piece of the same near key is
        # asked for (a cold check, 27 targets: 27 digests, ~12 ms, spared)
        out = compute()
        try:
            _UNKEYED[near] = (tr.pre, marshal.dumps(out))
        except ValueError:
            return out
        while len(_UNKEYED) > MAX_PIECES:
            del _UNKEYED[next(iter(_UNKEYED))]
        return out
    k = _key(near, tr.pre)
    got = _PIECES.get(k)
    if got is not None:
        _PIECES.move_to_end(k)
        return marshal.loads(got)
    out = _load_disk(k)
    if out is None:
        out = compute()
        _store_disk(k, out)
    try:
        _remember(near, k, marshal.dumps(out))
    except ValueError:              # not plain data: computed again next time
        pass
    return out


def _key(near: str, pre) -> str:
    """A piece's key: its near key (spec key, target row, request) and what
    cpp produced."""
    h = hashlib.sha256(near.encode("utf-8", "surrogateescape"))
    h.update(_cpp_digest(pre).encode())
    return h.hexdigest()


def _remember(near: str, k: str, blob: bytes) -> None:
    _PIECES[k] = blob
    _KEYED.add(near)
    if len(_KEYED) > 4 * MAX_PIECES:
        _KEYED.clear()          # (a near key forgotten: its next piece is computed again)
    while len(_PIECES) > MAX_PIECES:
        _PIECES.popitem(last=False)


# --- across processes --------------------------------------------------------

_DISK_KIND = "spec-piece-1"


@functools.cache
def _code_signature() -> str:
    """Path, size and modification time of every module of this abicheck
    (what Python itself trusts to reuse a module's bytecode), and Python's
    version: any edit of the code that computes a piece is a new key.
    Taken once per process, before the pieces are computed (~0.6 ms)."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    h = hashlib.sha256(f"{sys.version}\0{root}\0".encode("utf-8", "surrogateescape"))
    todo = [root]
    while todo:
        d = todo.pop()
        with os.scandir(d) as it:
            entries = sorted(it, key=lambda e: e.name)
        for e in entries:
            if e.is_dir(follow_symlinks=False):
                if e.name != "__pycache__":
                    todo.append(e.path)
            elif e.name.endswith(".py"):
                st = e.stat()
                h.update(f"{e.path}\0{st.st_size}\0{st.st_mtime_ns}\0".encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _disk_key(k: str) -> str:
    from abicheck import cache
    return cache.key(_DISK_KIND, f"{k}\0{_code_signature()}")


def _load_disk(k: str) -> dict | None:
    """A piece a former process stored (``abicheck.cache``: written whole,
    SHA-256 checked), or None.  A piece is plain JSON: ``abicheck merge``
    assembles shards from the same JSON into the same bytes."""
    from abicheck import cache
    if not cache.enabled():
        return None
    payload = cache.load(_DISK_KIND, _disk_key(k))
    if payload is None:
        return None
    try:
        out = json.loads(payload)
    except ValueError:
        return None
    return out if _well_formed(out) else None


def _well_formed(p) -> bool:
    return (isinstance(p, dict) and len(p) == 1
            and (isinstance(p.get("results"), list) or isinstance(p.get("compile_error"), dict)))


def _store_disk(k: str, out: dict) -> None:
    from abicheck import cache
    if cache.enabled() and _well_formed(out):
        cache.store(_DISK_KIND, _disk_key(k), json.dumps(out, separators=(",", ":")).encode())


def clear() -> None:
    """Forget every remembered piece."""
    _PIECES.clear()
    _SEEN.clear()
    _UNKEYED.clear()
    _KEYED.clear()
