"""``#pragma pack``, as GCC keeps it: a current value and a stack.

GCC caps the alignment of every member of a record laid out while a pack
value N is in force at N bytes (``maximum_field_alignment`` in GCC's
``stor-layout.cc``), and lays a record out at its closing brace.  The parser
feeds each ``#pragma pack`` it meets, in source order, to one
:class:`PackState` and stamps the current value on each record it finishes.

The forms are GCC's (``c-pragma.cc``, documented in the GCC manual,
"Structure-Layout Pragmas"): ``pack(N)``, ``pack()``, ``pack(push[, ID][, N])``,
``pack(pop[, ID])`` and ``pack(show)``.  Like GCC, a malformed pragma or a
value that is not a small power of two is ignored (GCC only warns).
"""
from __future__ import annotations

import re

_BODY = re.compile(r"^\s*pack\s*\((?P<args>[^)]*)\)\s*$")
_VALUES = {1, 2, 4, 8, 16}


class PackState:
    """The ``#pragma pack`` value in force: None is the ABI's default."""

    def __init__(self) -> None:
        self.value: int | None = None
        self._stack: list[tuple[str | None, int | None]] = []

    def feed(self, pragma_text: str) -> None:
        """Apply one pragma's text (what follows ``#pragma``)."""
        m = _BODY.match(pragma_text)
        if not m:
            return
        args = [a.strip() for a in m["args"].split(",")] if m["args"].strip() else []
        if not args:
            self.value = None
        elif args[0] == "push":
            ident = next((a for a in args[1:] if not a.isdigit()), None)
            number = next((a for a in args[1:] if a.isdigit()), None)
            self._stack.append((ident, self.value))
            if number is not None:
                self._set(number)
        elif args[0] == "pop":
            ident = args[1] if len(args) > 1 and not args[1].isdigit() else None
            self._pop(ident)
        elif args[0] != "show" and len(args) == 1:
            self._set(args[0])

    def _set(self, number: str) -> None:
        try:
            n = int(number, 0)
        except ValueError:
            return
        if n in _VALUES:
            self.value = n
        elif n == 0:
            self.value = None

    def _pop(self, ident: str | None) -> None:
        if ident is None:
            if self._stack:
                self.value = self._stack.pop()[1]
            return
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == ident:
                self.value = self._stack[i][1]
                del self._stack[i:]
                return
