"""TOML input (lint configs, waivers, compat profiles) with its errors placed:
tomllib puts the place of a syntax error in its message ("... (at line 3,
column 7)", "... (at end of document)"); a user wants ``file:3:7: error:``."""
from __future__ import annotations

import re
import tomllib

from abicheck.errors import SourceLoc, UsageError

_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)$")
_AT_END = re.compile(r"\s*\(at end of document\)$")


def loads(text: str, file: str) -> dict:
    """``tomllib.loads(text)``; a syntax error is one ``file:line:col`` line."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = _AT.search(msg)
        if m:
            raise UsageError(msg[:m.start()], SourceLoc(file, int(m.group(1)), int(m.group(2)))) \
                from None
        m = _AT_END.search(msg)
        end = text.count("\n") + 1
        raise UsageError(msg[:m.start()] if m else msg, SourceLoc(file, end, 1)) from None
