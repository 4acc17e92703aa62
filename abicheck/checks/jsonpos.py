"""Where a value sits in a JSON text: a JSON path -> line and column.

Python's ``json`` module forgets positions once it has parsed, but an error
about ``$.checks[3].size`` should point an editor at that line of the spec.
This walks the (already valid) text once and records where every value
starts, without building the values again.
"""
from __future__ import annotations

import json
import re

_WS = re.compile(r"[ \t\n\r]*")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.S)
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][-+]?\d+)?|true|false|null|NaN|-?Infinity")


def positions(text: str) -> dict[tuple, int]:
    """Offsets of every value, keyed by its path (a tuple of keys and indexes).
    Returns what it found so far if the text is not valid JSON."""
    out: dict[tuple, int] = {}
    i = _WS.match(text, 0).end()
    # an explicit stack instead of recursion: a spec may nest 100000 deep
    work = [("value", ())]
    try:
        while work:
            kind, path = work.pop()
            i = _WS.match(text, i).end()
            if kind == "value":
                out[path] = i
                c = text[i]
                if c == "{":
                    i = _WS.match(text, i + 1).end()
                    if text[i] == "}":
                        i += 1
                    else:
                        work.append(("member", path))
                elif c == "[":
                    i = _WS.match(text, i + 1).end()
                    if text[i] == "]":
                        i += 1
                    else:
                        work.append(("element", path + (0,)))
                elif c == '"':
                    i = _STRING.match(text, i).end()
                else:
                    i = _SCALAR.match(text, i).end()
            elif kind == "member":
                key = _STRING.match(text, i)
                name = json.loads(key.group(0))
                i = _WS.match(text, key.end()).end() + 1          # the ':'
                work.append(("after_member", path))
                work.append(("value", path + (name,)))
            elif kind == "after_member":
                if text[i] == ",":
                    i += 1
                    work.append(("member", path))
                else:
                    i += 1                                          # the '}'
            elif kind == "element":
                work.append(("after_element", path))
                work.append(("value", path))
            elif kind == "after_element":
                if text[i] == ",":
                    i += 1
                    work.append(("element", path[:-1] + (path[-1] + 1,)))
                else:
                    i += 1                                          # the ']'
    except (IndexError, AttributeError, ValueError):
        pass
    return out


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of ``offset``."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')


def too_deep(text: str, limit: int) -> int | None:
    """Offset of the first ``[`` or ``{`` nested deeper than ``limit``."""
    depth = 0
    for m in _TOKEN.finditer(text):
        c = m.group(0)
        if c in "[{":
            depth += 1
            if depth > limit:
                return m.start()
        elif c in "]}":
            depth -= 1
    return None
