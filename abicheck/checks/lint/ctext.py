"""A header's raw text cut into comments, code and directives, without
preprocessing, so text rules see every ``#if`` branch.

Why not the front end: ``cpp`` drops comments and every branch but one, and
a reviewer reads all of them (a FIXME in the ``#else`` of an arch guard is
still shipped).  This is a small C lexer of its own, exact about what
decides "is this in a comment": ``/* */`` across lines, ``//`` (continued by
a backslash-newline, as in C), string and character literals (a ``"/*"`` in a
string opens nothing), and identifiers (``XXX_FOO`` is a name, not a
marker).

``Scan.code`` is the text with every comment and the contents of every
literal blanked to spaces (newlines kept), so offsets in it are offsets in
the header, and a regular expression over it never matches inside a
comment or a string.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Comment:
    """One comment: where it starts (1-based line and column), the line it
    ends on, and its text without the ``/*``, ``*/`` or ``//``."""

    line: int
    col: int
    end_line: int
    text: str
    start: int                      # offset in the header text

    def words(self) -> str:
        """The text with continuation stars and white space collapsed: what a
        reader sees of the comment, for comparing two comments."""
        body = re.sub(r"(?m)^\s*\*+(?!/)", " ", self.text)
        return " ".join(body.split())


@dataclass(frozen=True)
class Scan:
    """A header's text read once for the text rules: code with comments and literals blanked,
    the comments, the lines."""

    text: str
    code: str                       # ``text`` with comments and literal contents blanked
    comments: tuple[Comment, ...]
    line_starts: tuple[int, ...]    # offset of each line's first character
    kernel_only: frozenset[int]     # lines inside an ``#ifdef __KERNEL__`` branch

    def position(self, offset: int) -> tuple[int, int]:
        """(line, col), both 1-based, of an offset in the text."""
        i = bisect.bisect_right(self.line_starts, offset) - 1
        return i + 1, offset - self.line_starts[i] + 1

    def code_line(self, line: int) -> str:
        """Line ``line`` (1-based) of ``code``."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.code)
        return self.code[start:end]


def scan(text: str) -> Scan:
    """Cut ``text`` into code and comments (see the module docstring)."""
    out = list(text)
    comments: list[Comment] = []
    starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def pos(offset: int) -> tuple[int, int]:
        i = bisect.bisect_right(starts, offset) - 1
        return i + 1, offset - starts[i] + 1

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "/" and text.startswith("/*", i):
            end = text.find("*/", i + 2)
            stop = n if end < 0 else end + 2
            line, col = pos(i)
            comments.append(Comment(line, col, pos(max(stop - 1, i))[0],
                                    text[i + 2:end if end >= 0 else n], i))
            blank(i, stop)
            i = stop
        elif ch == "/" and text.startswith("//", i):
            j = i + 2
            while j < n and text[j] != "\n":
                j += 2 if text[j] == "\\" and j + 1 < n and text[j + 1] == "\n" else 1
            line, col = pos(i)
            body = text[i + 2:j].replace("\\\n", " ")
            comments.append(Comment(line, col, pos(max(j - 1, i))[0], body, i))
            blank(i, j)
            i = j
        elif ch in "\"<" and _in_include(text, starts, i, pos):
            close = text.find('"' if ch == '"' else ">", i + 1)
            eol = text.find("\n", i)
            i = (close if close >= 0 and (eol < 0 or close < eol) else (eol if eol >= 0 else n)) + 1
        elif ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            blank(i + 1, min(j, n))
            i = j + 1
        elif ch.isalnum() or ch == "_":
            j = i + 1
            while j < n and (text[j].isalnum() or text[j] == "_"):
                j += 1
            i = j                   # an identifier or number: 'u8' in 'x_u8' is no name
        else:
            i += 1
    code = "".join(out)
    return Scan(text, code, tuple(comments), tuple(starts), _kernel_only(code))


def _in_include(text: str, starts: list[int], i: int, pos) -> bool:
    """Is the ``"`` or ``<`` at ``i`` the start of an ``#include`` name?  (A
    name is no literal and holds no comment: ``<a//b.h>``; it stays in
    ``code``, so include rules can read it.)"""
    line_start = starts[pos(i)[0] - 1]
    return re.match(r"\s*#\s*include\s*$", text[line_start:i]) is not None


_COND = re.compile(r"^\s*#\s*(ifdef|ifndef|if|elif|else|endif)\b(.*)$")
_KERNEL = re.compile(r"^\s*(?:defined\s*\(?\s*)?__KERNEL__\s*\)?\s*$")


def _kernel_only(code: str) -> frozenset[int]:
    """Lines in a branch taken only when ``__KERNEL__`` is defined
    (``#ifdef __KERNEL__``, ``#if defined(__KERNEL__)``, the ``#else`` of
    ``#ifndef __KERNEL__``).  headers_install strips these; older trees ship
    them, and names there are the kernel's own business."""
    stack: list[tuple[bool, bool]] = []   # per open #if: (this branch kernel-only, #else is)
    out: set[int] = set()
    for n, line in enumerate(code.split("\n"), 1):
        m = _COND.match(line)
        if m:
            kind, rest = m.group(1), m.group(2).strip()
            if kind in ("if", "ifdef"):
                stack.append((bool(_KERNEL.match(rest)), False))
            elif kind == "ifndef":
                stack.append((False, rest == "__KERNEL__"))
            elif kind == "elif" and stack:
                stack[-1] = (False, False)
            elif kind == "else" and stack:
                stack[-1] = (stack[-1][1], False)
            elif kind == "endif" and stack:
                stack.pop()
            continue
        if any(k for k, _ in stack):
            out.add(n)
    return frozenset(out)
