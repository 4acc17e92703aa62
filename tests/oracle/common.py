"""What both oracles share: the JSON shape they return and their one error."""
from __future__ import annotations

import re

#: The keys of a member that oracles fill in (abicheck's JSON has more).
MEMBER_KEYS = ("path", "offset", "size", "bit_offset", "bit_width")


class OracleError(Exception):
    """The oracle could not answer: the compiler rejected the source, or a
    layout query failed.  Tests turn this into a skip or a failure; it never
    means "the oracle agrees"."""


_RECORD = re.compile(r"^\s*(struct|union)\s+([A-Za-z_]\w*)\s*$")


def record_name(name: str) -> tuple[str | None, str]:
    """``"struct sigaction"`` -> ``("struct", "sigaction")``; a typedef name
    ``"siginfo_t"`` -> ``(None, "siginfo_t")``."""
    m = _RECORD.match(name)
    if m:
        return m.group(1), m.group(2)
    if not re.fullmatch(r"[A-Za-z_]\w*", name.strip()):
        raise OracleError(f"'{name}' is neither a typedef name nor 'struct/union TAG'")
    return None, name.strip()


def member(path: str, offset: int, size: int, bit_offset: int | None = None,
           bit_width: int | None = None) -> dict:
    return {"path": path, "offset": offset, "size": size,
            "bit_offset": bit_offset, "bit_width": bit_width}


def type_json(name: str, size: int, align: int, members: list[dict]) -> dict:
    return {"name": name, "size": size, "align": align, "members": members}
