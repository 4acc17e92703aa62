"""What a batched cpp run must undo between two headers, read from the files.

``batch`` preprocesses many headers in one gcc process and has to give the
next header a preprocessor in its initial state.  The state a header leaves
behind is mostly macros (include guards among them): before the run, each
header's include closure is scanned *textually* (every ``#define``/``#undef``
name of every file it may reach, conditionals ignored), a superset of what it
can define; ``batch`` resets those names and then verifies, from cpp's own
``-dD`` record, that nothing was missed.

Some state leaves no trace in ``-dD`` output at all (gcc prints neither
``#pragma once`` nor ``push_macro`` nor ``poison``; ``#assert`` and
``__COUNTER__`` are silent too): a file that can touch such state is flagged
here, and ``batch`` ends its batch after the header that entered it (or runs
a ``__COUNTER__`` user alone).  A ``_Pragma`` inside a ``#define`` body is
left to ``batch_pragma``, which asks whether the macro may be expanded.
"""
from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Sequence

from abicheck.frontend import batch_pragma

# each pattern opens with the line break before its line (the text is read
# with one put in front): a literal the regex engine skips to in C, where
# ``^`` with ``re.M`` is tried at every character (4x faster over the 720
# files of the x86_64 uapi corpus)
_NAME = re.compile(r"\n[ \t]*#[ \t]*(?:define|undef)[ \t]+([A-Za-z_]\w*)")
_INCLUDE = re.compile(r'\n[ \t]*#[ \t]*(include_next|include|import)[ \t]*([<"])([^>"\n]*)[>"]')
#: directives whose effect outlives the file and that ``-dD`` does not show
#: (and ``_Pragma`` outside a ``#define``: ``batch_pragma.file_stateful``)
_STATEFUL = re.compile(r"\n[ \t]*#[ \t]*(?:pragma[ \t]+(?!pack\b)|(?:un)?assert\b|import\b)")

_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)
#: a file gcc may find guarded opens with ``#ifndef G`` or ``#if !defined G``
_GUARD = re.compile(r"\s*#[ \t]*(?:ifndef[ \t]+([A-Za-z_]\w*)|if[ \t]*![ \t]*defined[ \t]*"
                    r"(?:\([ \t]*([A-Za-z_]\w*)[ \t]*\)|[ \t]+([A-Za-z_]\w*)))")
_SPACE = re.compile(r"\s*")


@dataclass(frozen=True, slots=True)
class FileFacts:
    """One file as far as resetting cpp between headers is concerned."""

    names: frozenset[str]                     # every macro name it may define or undefine
    includes: tuple[tuple[str, str, str], ...]  # (directive, '<' or '"', name)
    stateful: bool                            # may change cpp state -dD does not record
    counter: bool                             # mentions __COUNTER__
    guard: str | None = None                  # the macro that may guard it all (#ifndef G first)
    pieces: bool = False                      # holds a piece pasting could make _Pragma of


@functools.lru_cache(maxsize=4096)
def file_facts(path: str) -> FileFacts:
    """The facts of the file at ``path`` (empty when it cannot be read:
    cpp will then fail on it, and that header runs alone anyway)."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("latin-1")
    except OSError:
        return FileFacts(frozenset(), (), True, False)
    text = "\n" + text.replace("\\\r\n", "").replace("\\\n", "")
    g = _guard(text)
    return FileFacts(frozenset(_NAME.findall(text)), tuple(_INCLUDE.findall(text)),
                     _STATEFUL.search(text) is not None or batch_pragma.file_stateful(text),
                     "__COUNTER__" in text, g and (g.group(1) or g.group(2) or g.group(3)),
                     batch_pragma.pasting_pieces(text))


def _guard(text: str) -> re.Match | None:
    """``_GUARD.match`` of ``text`` with every comment made a space, made
    only as far as the match can look: the guard pattern never crosses a
    line break once past the leading white space, so the text up to the
    first comment that starts after such a line break decides it (most
    files open with one comment; a whole-file ``_COMMENT.sub`` cost as much
    as every other scan here together)."""
    kept: list[str] = []
    last = 0
    begun = False                       # past the leading white space
    for m in _COMMENT.finditer(text):
        piece = text[last:m.start()]
        kept.append(piece)
        at = 0 if begun else _SPACE.match(piece).end()
        begun = begun or at < len(piece)
        if begun and "\n" in piece[at:]:
            return _GUARD.match("".join(kept))
        kept.append(" ")
        last = m.end()
    kept.append(text[last:])
    return _GUARD.match("".join(kept))


#: a conditional directive, its line break before it (comments gone)
_CONDITIONAL = re.compile(r"\n[ \t]*#[ \t]*(if|ifdef|ifndef|endif)\b[^\n]*")


@functools.lru_cache(maxsize=1024)
def guarded(path: str) -> bool:
    """Whether gcc may skip the file at ``path`` as guarded, once seen:
    False only when text stands after the ``#endif`` that closes the
    conditional ``file_facts`` took for a guard (glibc's gnu/stubs.h opens
    with ``#if !defined __x86_64__`` and holds two more conditionals: gcc
    enters it every time).  Read only for the few files whose guard is a
    command-line macro, so whole-text lexing costs nothing here."""
    try:
        with open(path, "rb") as f:
            text = f.read().decode("latin-1")
    except OSError:
        return True
    text = "\n" + batch_pragma.uncommented(text.replace("\\\r\n", "").replace("\\\n", ""))
    depth = 0
    for m in _CONDITIONAL.finditer(text):
        depth += -1 if m.group(1) == "endif" else 1
        if depth == 0:
            return not text[m.end():].strip()
    return True                         # never closed: cpp fails on it anyway


@functools.lru_cache(maxsize=65536)
def _find(name: str, dirs: tuple[str, ...], every: bool) -> tuple[str, ...]:
    """Where ``#include <name>`` may land: the first match in ``dirs``, or
    (``every``, for ``#include_next``) all of them."""
    found = []
    for d in dirs:
        p = os.path.join(d, name)
        if os.path.isfile(p):
            found.append(p)
            if not every:
                break
    return tuple(found)


@functools.lru_cache(maxsize=65536)
def _resolve(kind: str, quote: str, name: str, here: str, dirs: tuple[str, ...]) -> tuple[str, ...]:
    """Where an include directive of the file ``here`` may land.  Kept as
    ``_find`` keeps its answers: every header's closure walks the same
    files again (608 x86_64 headers, 18,000 visits of 720 files), and a
    stale answer only makes the reset list longer or shorter, which the
    ``-dD`` check of every part catches."""
    if os.path.isabs(name):
        return (name,) if os.path.isfile(name) else ()
    if kind == "include_next":
        return _find(name, dirs, True)
    if quote == '"':
        local = os.path.join(os.path.dirname(here), name)
        if os.path.isfile(local):
            return (local,)
    return _find(name, dirs, False)


@functools.lru_cache(maxsize=4096)
def closure_names(headers: tuple[str, ...], dirs: tuple[str, ...]) -> frozenset[str]:
    """Every macro name the files ``headers`` may reach could define."""
    todo = []
    for h in headers:
        todo += [os.path.abspath(h)] if os.path.isfile(h) else _find(h, dirs, False)
    seen: set[str] = set()
    names: set[str] = set()
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        facts = file_facts(path)
        names |= facts.names
        for kind, quote, name in facts.includes:
            todo += _resolve(kind, quote, name, path, dirs)
    return frozenset(names)


def entered_flags(files: Sequence[str]) -> tuple[bool, bool, bool]:
    """(stateful, counter, pieces) over the files a header's run entered."""
    stateful = counter = pieces = False
    for f in files:
        facts = file_facts(f)
        stateful |= facts.stateful
        counter |= facts.counter
        pieces |= facts.pieces
    return stateful, counter, pieces
