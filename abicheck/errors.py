"""One error tree for everything the user can get wrong.

Every message the user sees for bad input reads ``file:line:col: error: msg``
(or ``abicheck: error: msg`` when no place applies), so editors and CI logs can
jump to it.  The CLI maps these exceptions to exit status 2 in one place.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# What may not reach a terminal or a log verbatim: control characters (a
# header name with a newline would forge a second error line), and the
# surrogate escapes that stand for header bytes that are not UTF-8.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def printable(text: str) -> str:
    """``text`` with every unprintable character escaped (``\\xe9`` for a
    Latin-1 byte of a header, ``\\n`` for a newline), so that one error is
    always exactly one line."""
    def esc(m: re.Match) -> str:
        c = ord(m.group(0))
        if 0xDC80 <= c <= 0xDCFF:           # surrogateescape: the raw byte
            return f"\\x{c - 0xDC00:02x}"
        return {"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(m.group(0), f"\\x{c:02x}" if c < 0x100
                                                               else f"\\u{c:04x}")
    return _UNPRINTABLE.sub(esc, text)


@dataclass(frozen=True, slots=True, order=True)
class SourceLoc:
    """A place in a header: file, 1-based line and column (0 when unknown)."""

    file: str
    line: int = 0
    col: int = 0

    def __str__(self) -> str:
        if self.line and self.col:
            return f"{self.file}:{self.line}:{self.col}"
        if self.line:
            return f"{self.file}:{self.line}"
        return self.file


class AbicheckError(Exception):
    """Base of all errors caused by user input (headers, options, specs)."""

    def __init__(self, msg: str, loc: SourceLoc | None = None) -> None:
        super().__init__(msg)
        self.msg = msg
        self.loc = loc

    def __str__(self) -> str:
        where = str(self.loc) if self.loc else "abicheck"
        return printable(f"{where}: error: {self.msg}")


def detached(err: AbicheckError) -> AbicheckError:
    """``err`` without the tracebacks of its raising (and of the errors it
    was raised in), for an error kept as a value (a failed header's result,
    a candidate the diagnosis weighs): a traceback holds every frame it
    passed through, their locals and their callers' frames, in a cycle
    only the cycle collector breaks (a tree diff's whole batches of
    translations stayed alive so)."""
    e: BaseException | None = err
    for _ in range(8):
        if e is None:
            break
        e.__traceback__ = None
        e = e.__cause__ or e.__context__
    return err


class UsageError(AbicheckError):
    """Bad command-line usage: unknown target, missing argument."""


class PreprocessError(AbicheckError):
    """The preprocessor rejected the headers (missing include, #error).

    ``partial`` is what cpp still wrote: GCC compiles as it preprocesses, so
    a syntax error *before* the cpp error is what GCC reports first."""

    partial: str | None = None


class ParseError(AbicheckError):
    """The preprocessed text is not C we understand."""


class LayoutError(AbicheckError):
    """A type that cannot be laid out: unknown name, incomplete, bad attribute."""


class EvalError(AbicheckError):
    """A constant expression that cannot be evaluated."""


class LimitError(AbicheckError):
    """An input beyond one of the bounds of ``abicheck.limits`` (each names
    the ``--limit`` that raises it)."""


class ConfinementError(PreprocessError):
    """An ``#include`` that leaves the include roots (absolute path, ``..``,
    symlink) without ``--allow-include-outside``."""


class ErrorList(AbicheckError):
    """Several errors at once (the same header problem on several targets
    prints once); each is one line, sorted."""

    def __init__(self, errors: list[AbicheckError]) -> None:
        self.lines = sorted({printable(str(e).splitlines()[0]) for e in errors})
        super().__init__(self.lines[0] if self.lines else "error")

    def __str__(self) -> str:
        return "\n".join(self.lines)
