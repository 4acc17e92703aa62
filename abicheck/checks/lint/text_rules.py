"""Rules about a header's text: what a reviewer reads that no compiler sees."""
from __future__ import annotations

import re
from collections.abc import Iterator

from abicheck.checks.lint.context import HeaderContext
from abicheck.checks.lint.rules import Hit, rule

_MARKER = re.compile(r"\b(FIXME|TODO|XXX)\b")


@rule("ABI301", "leftover-marker", "warning",
      "FIXME, TODO or XXX left in an exported header",
      "An exported header is a promise to every program built against it; a FIXME in it says the "
      "promise is not finished. Once a release ships, the layout it marks can no longer change, "
      "so the question it asks has to be answered before the header is exported.",
      bad="struct pkey_info {\n\t__u64 pkey; /* FIXME: is 64 bits right? */\n};",
      good="struct pkey_info {\n\t__u32 pkey;\n\t__u32 reserved;\n};",
      fix="Resolve the question before the header is exported, or move the note into the "
          "commit message.")
def leftover_marker(cx: HeaderContext) -> Iterator[Hit]:
    for n, line in enumerate(cx.lines, 1):
        for m in _MARKER.finditer(line):
            if _in_comment(line, m.start()):
                yield Hit(cx.loc(n, m.start() + 1), f"{m.group(1)} left in an exported header",
                          f"comment {m.group(1)} {line[m.end():].strip()[:40]}")


def _in_comment(line: str, col: int) -> bool:
    """Rough: a marker after ``/*`` or ``//`` on its line, or on a
    continuation line of a block comment (``*`` first)."""
    before = line[:col]
    return "/*" in before or "//" in before or before.lstrip().startswith("*")
