"""The bundled JSON files known to pass their schemas, so a run need not
validate them again.

Why: validating the target table and the bundled spec with jsonschema
(importing it and running it: ~100 ms of CPU) was the largest part of a
``check`` after cpp when the persistent cache is off (``--no-cache``, a
first run on a machine, a read-only home).  The cache remembers a pass
(``abicheck.cache.checked``), but only where it may be used.

``data/validated.json`` lists the SHA-256 of each bundled file's text with
its schema's; the test suite validates every bundled file against its
schema and fails unless that list is exactly their digests
(``tests/test_validated.py``, which prints the list to write).  A file
edited after that (in a checkout, in an installed package) has another
digest and is validated as before: a listed digest is only ever of a text
that passed.
"""
from __future__ import annotations

import functools
import hashlib
import json

from abicheck import package


def digest(kind: str, schema_text: str, text: str) -> str:
    """The digest of ``text`` checked against ``schema_text`` (``kind``:
    ``targets`` or ``spec``)."""
    h = hashlib.sha256(f"{kind}\0".encode())
    for part in (schema_text, text):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return h.hexdigest()


@functools.cache
def _known() -> frozenset[str]:
    try:
        data = json.loads(package.read_text("data/validated.json"))
    except (OSError, ValueError):
        return frozenset()
    return frozenset(v for v in data.get("digests", {}).values() if isinstance(v, str))


def known_valid(kind: str, schema_text: str, text: str) -> bool:
    """Whether this very text, with this very schema, is a bundled file the
    test suite validated."""
    return digest(kind, schema_text, text) in _known()
