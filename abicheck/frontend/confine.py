"""Include confinement: the preprocessor reads only what the user named.

A header under review may say ``#include "/etc/shadow"`` or
``#include "../../../home/ci/.netrc"``, or an include directory may hold a
symlink that points out of it.  The rule: every file the preprocessor enters
must resolve (``realpath``: ``..`` and symlinks followed) to a place under
one of the *roots*, which are the ``-I`` directories, the directory of each
header named on the command line, the bundled ``abicheck/include``, the
tree a revision names (Debian 13's multiarch ``asm/`` folders are links into
``usr/lib/linux/uapi`` of the same tree) and, with ``--system``, the host's
standard include directories.  An ``#include`` that
spells an absolute path is refused as well, even into a root: it makes the
header depend on one machine's file system.  ``--allow-include-outside``
(``Limits.allow_include_outside``) lifts both rules.

The check runs after cpp, on the files its line markers say it entered (an
entry marker carries flag 1 and follows the ``#include``'s own line), so it
sees exactly what cpp read, whatever macros computed the include's name.
cpp cannot be stopped from *reading* such a file, but nothing of it reaches
a layout, a report or an error message beyond its name.
"""
from __future__ import annotations

import functools
import os
import re
from typing import Sequence

from abicheck.errors import ConfinementError, LimitError, SourceLoc

_ABS_INCLUDE = re.compile(r'^[ \t]*#[ \t]*include(?:_next)?[ \t]*([<"])[ \t]*(/[^">]*)[">]')
_HINT = "pass --allow-include-outside to allow it"


#: path -> (its realpath, (st_dev, st_ino) of what both name): realpath
#: walks every component in Python (12 us); a path seen before is answered
#: by two stats when it still names the same file as its old realpath,
#: which still lies where it lay (a hard link between a root and elsewhere
#: is the one case this tells apart from a fresh realpath: it is the same
#: file, read from inside a root)
_REAL: dict[str, tuple[str, tuple[int, int]]] = {}
_REAL_MAX = 1 << 16


def realpath(path: str) -> str:
    try:
        st = os.stat(path)
    except OSError:
        return os.path.realpath(path)
    ident = (st.st_dev, st.st_ino)
    got = _REAL.get(path)
    if got is not None and got[1] == ident:
        try:
            st2 = os.stat(got[0])
            if (st2.st_dev, st2.st_ino) == ident:
                return got[0]
        except OSError:
            pass
    real = os.path.realpath(path)
    if len(_REAL) >= _REAL_MAX:
        _REAL.clear()
    _REAL[path] = (real, ident)
    return real


class Roots:
    """The directories a run may read from, resolved once."""

    def __init__(self, dirs: Sequence[str]) -> None:
        seen: list[str] = []
        for d in dirs:
            r = realpath(d)
            if r not in seen:
                seen.append(r)
        self.dirs = tuple(seen)
        self._memo: dict[str, bool] = {}

    def contains(self, path: str) -> bool:
        hit = self._memo.get(path)
        if hit is None:
            real = realpath(path)
            hit = self._memo[path] = any(real == d or real.startswith(d.rstrip(os.sep) + os.sep)
                                         for d in self.dirs)
        return hit


def header_roots(headers: Sequence[str]) -> list[str]:
    """The directories of the header files named on the command line (the
    synthetic main file includes them by absolute path; their own quoted
    includes start from there)."""
    out = []
    for h in headers:
        if os.path.isfile(h):
            out += [os.path.dirname(os.path.abspath(h)), os.path.dirname(os.path.realpath(h))]
    return out


def check_entries(entries: Sequence[tuple[str, SourceLoc]], roots: Roots | None, max_size: int,
                  main_lines: Sequence[str] | None, main_name: str,
                  passed: set[tuple[str, str, int]] | None = None) -> None:
    """Refuse every entered file outside ``roots`` and every absolute
    ``#include``; ``entries`` are (file entered, location of its #include).

    ``main_lines`` is the text of the synthetic main file when the user wrote
    it (in-memory source); None when abicheck wrote it (absolute includes of
    the named headers, allowed by construction).  ``roots`` None: anything
    goes (``--allow-include-outside``), only sizes are checked.

    ``passed``: the (file, includer, line) entries that passed this very
    check (same ``roots``, ``max_size`` and main file) moments before, in
    the same batch of cpp runs; they are not looked at again, and the ones
    that pass now are added.  Why: the headers of a tree enter the same
    files from the same lines over and over (x86_64's 608 headers: 8157
    entries, 1577 distinct), and each costs two stats and a line lookup
    (0.3 of a 4.4 s cold corpus process).  A file changed in between could
    change a verdict, but no check after cpp can rule that out anyway.
    """
    for child, at in entries:
        if passed is not None and (child, at.file, at.line) in passed:
            continue
        from_main = at.file == main_name
        if from_main and main_lines is None:
            raw = ""
        else:
            lines = main_lines if from_main else _lines(at.file)
            raw = lines[at.line - 1] if lines and 0 < at.line <= len(lines) else ""
            m = _ABS_INCLUDE.match(raw) if roots is not None else None
            if m:
                raise ConfinementError(f"#include of an absolute path '{m.group(2)}' is refused; {_HINT}",
                                       SourceLoc(at.file, at.line, m.start(1) + 1))
        col = _name_col(raw)
        if roots is not None and not roots.contains(child):
            raise ConfinementError(f"#include of '{child}' leaves the include directories "
                                   f"(resolves to '{os.path.realpath(child)}'); {_HINT}",
                                   SourceLoc(at.file, at.line, col))
        try:
            size = os.stat(child).st_size
        except OSError:
            continue
        if size > max_size:
            raise LimitError(f"'{child}' is {size} bytes, more than the input limit of {max_size}; "
                             "raise it with --limit input-size=SIZE", SourceLoc(at.file, at.line, col))
        if passed is not None:
            passed.add((child, at.file, at.line))


_NAME_AT = re.compile(r'include(?:_next)?[ \t]*([<"])')


def _name_col(raw: str) -> int:
    m = _NAME_AT.search(raw)
    return m.start(1) + 1 if m else 1


@functools.lru_cache(maxsize=512)
def _lines_of(path: str, mtime: int, size: int) -> tuple[str, ...]:
    try:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            return tuple(f.read().split("\n"))
    except OSError:
        return ()


def _lines(path: str) -> tuple[str, ...]:
    try:
        st = os.stat(path)
    except OSError:
        return ()
    return _lines_of(path, st.st_mtime_ns, st.st_size)
