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
from abicheck.frontend.moment import kept

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


@kept
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


@kept
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


@kept
@functools.lru_cache(maxsize=65536)
def _find(name: str, dirs: tuple[str, ...], start: int = 0) -> tuple[str, int] | None:
    """Where a search for ``name`` from ``dirs[start]`` on lands: (path,
    the folder's position), or None."""
    for i in range(start, len(dirs)):
        p = os.path.join(dirs[i], name)
        if os.path.isfile(p):
            return p, i
    return None


#: a file reached, the position of the ``-I`` folder it was found in (None:
#: by its absolute name, or beside the file including it), and its entry
_Reached = tuple[str, "int | None", tuple]


@kept
@functools.lru_cache(maxsize=65536)
def _resolve(kind: str, quote: str, name: str, here: str, at: int | None, dirs: tuple[str, ...]
             ) -> _Reached | None:
    """Where an include directive of the file ``here`` (found in ``dirs[at]``)
    lands, as gcc searches, and the entry gcc files it under (or a finer
    key).  gcc keys a file by where its search started and the name as
    written, and each entry learns the file's guard on its own: a file
    reached two ways is entered again the first time the second way is
    taken.  Sharing between entries that gcc does (a search passing a
    folder that has one) only makes these keys finer than gcc's, which can
    cost a batch a part, never a wrong text.  Kept as ``_find`` keeps its
    answers: every header's closure walks the same files again (608 x86_64
    headers, 18,000 visits of 720 files), and a file changed on disk is
    seen by the next run (``moment``)."""
    if os.path.isabs(name):
        return (name, None, ("abs", name)) if os.path.isfile(name) else None
    if kind == "include_next" and at is not None:
        hit = _find(name, dirs, at + 1)       # gcc goes on after the file's own folder
        return hit and (hit[0], hit[1], ("next", at + 1, name))
    if quote == '"':
        local = os.path.join(os.path.dirname(here), name)
        if os.path.isfile(local):
            return local, None, ('""', os.path.dirname(here), name)
    # an #include_next of a file found by its absolute name or beside its
    # includer searches the whole chain, as #include <...> does
    hit = _find(name, dirs)
    return hit and (hit[0], hit[1], ("<>", name))


@dataclass(frozen=True, slots=True)
class Closure:
    """What the files a header may reach could do to a batch."""

    names: frozenset[str]       # every macro name they could define
    #: files (``os.path.normpath``) reached under more than one entry
    #: (``_resolve``): the second may be skipped unseen in a batch where an
    #: earlier header taught it the guard, yet entered in a run alone
    entries: frozenset[str]


@kept
@functools.lru_cache(maxsize=4096)
def closure(headers: tuple[str, ...], dirs: tuple[str, ...]) -> Closure:
    """The ``Closure`` of the files ``headers`` may reach, conditionals
    ignored: a superset of what cpp can enter."""
    todo: list[_Reached] = []
    for h in headers:
        if os.path.isfile(h):                   # the main file includes it by path
            todo.append((os.path.abspath(h), None, ("abs", os.path.abspath(h))))
        elif (hit := _find(h, dirs)) is not None:
            todo.append((*hit, ("<>", h)))
    seen: set[tuple[str, int | None]] = set()
    names: set[str] = set()
    ways: dict[str, set[tuple]] = {}
    while todo:
        path, at, way = todo.pop()
        ways.setdefault(os.path.normpath(path), set()).add(way)
        if (path, at) in seen:
            continue
        seen.add((path, at))
        facts = file_facts(path)
        names |= facts.names
        for kind, quote, name in facts.includes:
            hit = _resolve(kind, quote, name, path, at, dirs)
            if hit is not None:
                todo.append(hit)
    return Closure(frozenset(names), frozenset(p for p, w in ways.items() if len(w) > 1))


def entered_flags(files: Sequence[str]) -> tuple[bool, bool, bool]:
    """(stateful, counter, pieces) over the files a header's run entered."""
    stateful = counter = pieces = False
    for f in files:
        facts = file_facts(f)
        stateful |= facts.stateful
        counter |= facts.counter
        pieces |= facts.pieces
    return stateful, counter, pieces
