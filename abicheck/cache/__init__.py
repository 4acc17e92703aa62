"""A persistent cache of parsed headers, shared by every run on the machine.

Most of a run's time goes into parsing preprocessed text with pycparser;
the same text comes back on every run (and on most targets: uapi headers
preprocess identically on many ABIs).  So the type model parsed from a
text is kept on disk, keyed by:

- the SHA-256 of the preprocessed text itself (the key is what cpp
  produced, so a changed header, define, include path or target macro is a
  different key; nothing depends on the compiler beyond that text; cpp's
  own result is kept by ``preprocessed``, keyed by what cpp read, so a warm
  run does not run cpp either),
- abicheck's version, pycparser's version and a fingerprint of the code
  that turns text into a model (so a development checkout, or an upgraded
  pycparser, never reads a model an older parser wrote),
- the kind of entry and its codec version.

The layouts laid out from a unit are kept too (``layouts``, keyed by the
same text and the target's row), so a warm run reads neither the unit
nor lays anything out; and cpp's results are kept by what cpp read
(``preprocessed``).

What is stored is data, never code: see ``units`` for the codec.  Entries
are written whole to a temporary file and renamed into place, so two runs
writing the same entry at once each leave a complete one; each entry
carries the SHA-256 of its payload, so a truncated or corrupt entry is
ignored (and rewritten).  Deleting the folder at any time is safe.

Location: ``$ABICHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/abicheck``, else
``~/.cache/abicheck``.  Off with ``--no-cache`` or ``ABICHECK_CACHE=0``.
Entries live in one subfolder per code fingerprint (``generation()``, the
first 16 hex digits): after an upgrade the old generation is never read
again, and any subfolder other than the current one can be deleted whole.
"""
from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from typing import Callable, Iterator

from abicheck import __version__

_MAGIC = b"abicheck-cache 1\n"
_DIGEST = 32
_off = False          # --no-cache for the command being run (``use``)


def directory() -> str:
    """Where entries live (created on first write)."""
    d = os.environ.get("ABICHECK_CACHE_DIR")
    if d:
        return d
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "abicheck")


def enabled() -> bool:
    return not _off and os.environ.get("ABICHECK_CACHE", "1") not in ("0", "no", "off", "false")


@contextlib.contextmanager
def use(on: bool) -> Iterator[None]:
    """Run a command with the cache on or off (``--no-cache``)."""
    global _off
    old, _off = _off, not on
    try:
        yield
    finally:
        _off = old


def _pycparser_version() -> str:
    """pycparser's ``__version__``, read from its source when it says so
    plainly: importing it (14 ms) is for runs that parse, and a warm run
    does not."""
    import importlib.util
    import re
    spec = importlib.util.find_spec("pycparser")
    if spec is not None and spec.origin:
        try:
            with open(spec.origin, encoding="utf-8") as f:
                m = re.search(r"""^__version__\s*=\s*['"]([^'"]+)['"]""", f.read(), re.M)
            if m:
                return m.group(1)
        except OSError:
            pass
    import pycparser
    return str(getattr(pycparser, "__version__", "?"))


def fingerprint_of(pkg, pycparser_version: str) -> str:
    """The hash of every Python source under ``pkg`` (the abicheck package
    folder, a ``Traversable``/``Path``), with abicheck's and pycparser's
    versions (pycparser builds the syntax tree the model is made of: another
    pycparser may parse the same text otherwise).  Every source, not only
    the front end's: stored layouts (``layouts``) depend on the layout
    engine and the target table's code too, and a generation must name all
    an entry depends on for ``--prune`` to be right (3 ms for ~170 files)."""
    h = hashlib.sha256(f"{__version__}\0pycparser {pycparser_version}\0".encode())

    def walk(folder, rel: str) -> None:
        for f in sorted(folder.iterdir(), key=lambda p: p.name):
            if f.name.endswith(".py") and f.is_file():
                h.update(f"{rel}{f.name}".encode() + b"\0" + f.read_bytes())
            elif f.is_dir() and f.name != "__pycache__":
                walk(f, f"{rel}{f.name}/")
    walk(pkg, "")
    return h.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """This abicheck's fingerprint: a checkout whose parser changed (same
    version number), or another pycparser, gets fresh keys."""
    from pathlib import Path

    from abicheck import package
    return fingerprint_of(Path(package.ROOT), _pycparser_version())


def generation() -> str:
    """The subfolder of ``directory()`` this abicheck reads and writes."""
    return code_fingerprint()[:16]


def key(kind: str, text: str) -> str:
    """The key of an entry of ``kind`` made from ``text``."""
    h = hashlib.sha256(f"{kind}\0{code_fingerprint()}\0".encode())
    h.update(text.encode("utf-8", "surrogateescape"))
    return h.hexdigest()


def _path(kind: str, k: str) -> str:
    return os.path.join(directory(), generation(), kind, k[:2], k[2:])


def load(kind: str, k: str) -> bytes | None:
    """The payload stored under ``k``, or None (absent, truncated, corrupt)."""
    try:
        with open(_path(kind, k), "rb") as f:
            raw = f.read()
    except OSError:
        return None
    head = len(_MAGIC) + _DIGEST
    if len(raw) < head or not raw.startswith(_MAGIC):
        return None
    payload = raw[head:]
    if hashlib.sha256(payload).digest() != raw[len(_MAGIC):head]:
        return None
    return payload


def store(kind: str, k: str, payload: bytes) -> None:
    """Write an entry whole, then rename it into place; a cache that cannot
    be written (read-only home, full disk) is silently not written."""
    import tempfile
    path = _path(kind, k)
    tmp = None
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=os.path.dirname(path))
        with os.fdopen(fd, "wb") as f:
            f.write(_MAGIC + hashlib.sha256(payload).digest() + payload)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def checked(kind: str, text: str, check: Callable[[], None]) -> None:
    """Run ``check`` (a validation of ``text`` that raises when it is bad)
    unless this very text passed it before: validating the bundled target
    table against its schema took 200 ms of every run's start."""
    if not enabled():
        check()
        return
    k = key(kind, text)
    if load(kind, k) == b"valid":
        return
    check()
    store(kind, k, b"valid")
