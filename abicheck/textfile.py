"""Reading a user's input file as UTF-8 text, with the one-line refusals.

The lint configuration (TOML), shard documents and other inputs a user
names on the command line are read the same way: a file that cannot be
read is ``cannot read 'PATH': REASON``, one that is not UTF-8 is
``PATH:1:1: error: not UTF-8 text``.  One helper, so the wording and the
exit status cannot drift apart from one command to another.
"""
from __future__ import annotations

import json

from abicheck.errors import AbicheckError, SourceLoc, UsageError


def read_utf8(path: str, what: str = "") -> str:
    """The text of ``path``; ``what`` names the kind of file in the messages
    (``"shard result"`` -> ``cannot read shard result 'PATH'``)."""
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        raise UsageError(f"cannot read {what + ' ' if what else ''}'{path}': {e.strerror}") \
            from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise UsageError(f"{'not a ' + what + ': ' if what else ''}not UTF-8 text",
                         SourceLoc(path, 1, 1)) from None


def read_json(path: str, what: str) -> object:
    """The JSON value in ``path``: a syntax error is ``PATH:LINE:COL: error:
    not a WHAT: invalid JSON: ...``; nesting too deep for Python's parser is
    one line too."""
    text = read_utf8(path, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as e:
        raise AbicheckError(f"not a {what}: invalid JSON: {e.msg}",
                            SourceLoc(path, e.lineno, e.colno)) from None
    except RecursionError:
        raise AbicheckError(f"not a {what}: JSON nested too deeply", SourceLoc(path)) from None
