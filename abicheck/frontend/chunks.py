"""Parse a translation unit one file-scope declaration at a time, and each
distinct declaration once per process.

Why: every uapi header's preprocessed text repeats the files it includes
(``linux/types.h``, ``asm/types.h``, the posix_types ...).  Over the 608
``linux/*.h`` + ``asm/*.h`` headers of one ABI the rewritten texts hold
1.75 MB of declarations of which 0.80 MB are distinct, and pycparser was
most of a cold run.  So the text is cut into its external declarations
(each ends at a ``;`` outside brackets; a ``#pragma`` between declarations
stands alone), each is parsed by itself and remembered, and the nodes are
put back together into one ``FileAST``, which ``builder.Builder`` builds as
before (it only reads the nodes, so units may share them).

What the parse of one declaration depends on, hence its memo key:
- its text;
- its position: the file, written relative to the include folder it was
  found in (``dirs[K]/linux/types.h`` is ``<abicheck-dir-K>/linux/types.h``
  in every tree and in every ABI's copy of the headers), and the column it
  starts at.  The declaration is parsed behind a line marker naming that
  relative file under ``<abicheck-piece>`` and spaces that put its first
  token at its column; its nodes are handed on with a ``Shift`` (the real
  file, how many lines further down it stands here) and ``builder`` reads
  every location through it, so every location is the one a whole-text
  parse gives.  A declaration with a directive inside (a line marker, a
  pragma: places of their own) is keyed by its real file and line instead
  and parsed behind its real marker;
- what the file scope says about the names it asks about.  pycparser asks
  its scope whether an identifier is a typedef name (``int`` vs ``T x``),
  and refuses a typedef of a name declared as a non-type (and the other
  way round).  ``_ChunkParser`` answers file-scope questions from the
  scope built by the declarations before, and records the first answer
  for each name: typedef name, other identifier, or undeclared.  A
  remembered parse is reused exactly when the scope gives the same answers
  to the same names now, since then the parser takes the same path.  The
  names it declared (its own scope) carry forward.

The common shapes (struct, union and enum definitions, plain typedefs) are
read by ``fastdecl`` without pycparser, to the same nodes, own names and
answers; whatever it does not read goes to ``_ChunkParser`` as before
(``fastdecl.ENABLED`` switches it off).

Anything unusual raises ``Unusual`` and the caller parses the whole text
as before (so a text that fails still gets today's diagnosis, word for
word): a declaration that does not parse alone (K&R parameter
declarations, a syntax error), a directive other than a gcc line marker
or ``#pragma``, a stray ``#`` or quote, unbalanced brackets, text after
the last ``;``.  So does a pycparser whose internals (the scope methods,
``_TokenStream``, checked below) are not those of 3.12.

Measured: the 606 distinct x86_64 texts parse and build in 0.48x the
time of whole-text parses (in process); a cold corpus worker (608
headers, cpp included) uses ~20% less CPU.  Keyed by relative file and
without the line: bookworm -> trixie on x86_64, 72% of NEW's distinct
declarations are OLD's (41% at the same line), the diff parses 8,962
pieces instead of 14,062; three ABIs' Debian headers in one process,
cache off: 11.2 -> 9.9 s.
"""
from __future__ import annotations

import functools
import re
import threading
from typing import NamedTuple

from pycparser import c_ast, c_parser

from abicheck.frontend import fastdecl

#: where splitting must look: directive lines (matched from the line
#: break before them), semicolons, literals (skipped whole); a ``#`` or a
#: quote anywhere else is unusual.  Every alternative opens with a literal
#: character, so the regex engine skips to the next stop in C.  The
#: brackets between two stops are counted with ``str.count``.
_STOP = re.compile(r'''\n[ \t]*\#[^\n]*|;|"(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|\#|"|\'''')
#: a gcc line marker, as pycparser's lexer reads it (line, then file)
_MARKER = re.compile(r'[ \t]*\#[ \t]*([0-9]+)[ \t]+("(?:\\.|[^"\\\n])*")(?:[ \t]+[0-9]+)*[ \t]*$')
#: what pycparser's lexer takes for a ``#pragma`` line
_PRAGMA = re.compile(r"[ \t]*\#[ \t]*pragma\W")
#: not what pycparser's lexer skips (Python's \S would also skip \r, \x1c ...)
_NONBLANK = re.compile(r"[^ \t\n\f\v]")

#: (text, file, line, column) -> [(answers, nodes, declared, line parsed at)]:
#: the parses of one declaration at one place, one per scope it was met in
#: (a movable declaration: file relative to its include folder, line 0)
_MEMO: dict[tuple[str, str, int, int], list[tuple[tuple, list, dict, int]]] = {}
_MEMO_LIMIT = 20_000            # entries (~7 KB each) before the memo starts afresh
_VARIANTS = 8                   # scopes remembered per declaration and place


class Unusual(Exception):
    """Not a text this module parses piecewise: parse it whole."""


def clear() -> None:
    """Forget the remembered declarations."""
    _MEMO.clear()
    declarations.cache_clear()


def split(text: str, name: str) -> list[tuple[str, str, int, int]]:
    """The external declarations and pragma lines of ``text``, each as
    (text, file as spelled in its line marker with quotes, line, column).

    Raises Unusual for anything a piecewise parse might read differently."""
    if '"' in name or "\\" in name or "\n" in name:
        raise Unusual(name)
    pieces: list[tuple[str, str, int, int]] = []
    # offsets are in the text after a line break, so a directive on the
    # first line follows one too
    text = "\n" + text
    file, line, base = f'"{name}"', 1, 1      # the line numbered ``line`` starts at ``base``
    depth = 0
    start = -1          # offset of the declaration being read
    at = (file, line, 1)
    pos = 1             # end of the last stop: text[pos:next stop] is plain code

    def place(s: int) -> tuple[str, int, int]:
        # lines are counted on from the last place asked (they are asked in order)
        nonlocal line, base
        head = text.rfind("\n", 0, s) + 1
        line += text.count("\n", base, head)
        base = head
        return file, line, s - head + 1

    for mt in _STOP.finditer(text):
        s0 = mt.start()
        c = text[s0]
        if c == "\n":
            s0 += 1                     # a directive: it starts after the line break
        if pos < s0:
            if start < 0:
                nb = _NONBLANK.search(text, pos, s0)
                if nb:
                    start = nb.start()
                    at = place(start)   # before a marker inside the declaration moves it
            depth += (text.count("(", pos, s0) + text.count("[", pos, s0) + text.count("{", pos, s0)
                      - text.count(")", pos, s0) - text.count("]", pos, s0) - text.count("}", pos, s0))
            if depth < 0:
                raise Unusual("unbalanced")
        pos = mt.end()
        if c == "\n":
            d = text[s0:pos]
            mk = _MARKER.match(d)
            if mk:
                file, line, base = mk.group(2), int(mk.group(1)), pos + 1
            elif _PRAGMA.match(d) and pos < len(text):
                if start < 0:
                    s = s0 + len(d) - len(d.lstrip())
                    pieces.append((text[s:pos + 1], *place(s)))
            else:
                raise Unusual(d)
            continue
        if pos - s0 == 1 and c != ";":       # a lone '#' or quote
            raise Unusual(c)
        if start < 0:
            start = s0
            at = place(start)
        if c == ";" and depth == 0:
            pieces.append((text[start:pos], *at))
            start = -1
    if start >= 0 or _NONBLANK.search(text, pos):
        raise Unusual("text after the last declaration")
    return pieces


#: the pycparser internals _ChunkParser builds on (3.12's)
_FITS = hasattr(c_parser, "_TokenStream") and all(
    hasattr(c_parser.CParser, n) for n in (
        "_is_type_in_scope", "_add_typedef_name", "_add_identifier", "_peek",
        "_parse_translation_unit_or_empty"))


class _ChunkParser(c_parser.CParser):
    """pycparser's parser with its file scope split in two: what the
    declarations before said (``outer``, read only) and what this one
    declares (``own``); every question about a file-scope name that
    ``own`` cannot answer is answered from ``outer`` and recorded."""

    def parse_piece(self, src: str, outer: dict[str, bool]) -> tuple[list, dict, tuple]:
        """(nodes, names declared, answers used) for the declaration ``src``."""
        if not _FITS:
            raise Unusual("pycparser's internals are not 3.12's")
        self._outer = outer
        self._asked: dict[str, bool | None] = {}
        own: dict[str, bool] = {}
        self._scope_stack = [own]
        self._typedef_checked_token = None
        self.clex.input(src, "")
        self._tokens = c_parser._TokenStream(self.clex.token)
        ext = self._parse_translation_unit_or_empty().ext
        if self._peek() is not None or len(self._scope_stack) != 1:
            raise Unusual("declaration left open")
        return ext, own, tuple(self._asked.items())

    def _file_scope(self, name: str) -> bool | None:
        own = self._scope_stack[0]
        if name in own:
            return own[name]
        if name not in self._asked:
            self._asked[name] = self._outer.get(name)
        return self._asked[name]

    def _is_type_in_scope(self, name: str) -> bool:
        for scope in reversed(self._scope_stack[1:]):
            if name in scope:
                return scope[name]
        return bool(self._file_scope(name))

    def _add_typedef_name(self, name: str, coord) -> None:
        if len(self._scope_stack) == 1 and self._file_scope(name) is False:
            raise Unusual(name)         # the whole-text parse words this error
        super()._add_typedef_name(name, coord)

    def _add_identifier(self, name: str, coord) -> None:
        if len(self._scope_stack) == 1 and self._file_scope(name):
            raise Unusual(name)
        super()._add_identifier(name, coord)


_LOCAL = threading.local()


def parser() -> _ChunkParser:
    """This thread's chunk parser: one suffices, as its parses never overlap."""
    p = getattr(_LOCAL, "parser", None)
    if p is None:
        p = _LOCAL.parser = _ChunkParser(dialect="c23")
    return p


class Shift(NamedTuple):
    """Where the nodes of a declaration parsed at another place stand:
    their coordinates name the file ``parsed_as``; here they are in
    ``file``, ``lines`` lines further down (columns are the same: the
    column is part of the memo key)."""

    parsed_as: str
    file: str
    lines: int


class Pieces(c_ast.FileAST):
    """The ``FileAST`` of a piecewise parse and, for each of its nodes, the
    ``Shift`` to read its coordinates with (None: they are where it stands)."""

    __slots__ = ("shifts",)

    def __init__(self, ext: list, shifts: list) -> None:
        super().__init__(ext)
        self.shifts = shifts


#: the file name a movable declaration is parsed under (no real path has it)
_PARSED_AS = "<abicheck-piece>"


def _folders(dirs) -> list[tuple[str, int]]:
    """The include folders a file may be named relative to, longest first."""
    return sorted(((d, k) for k, d in enumerate(dirs)
                   if d and '"' not in d and "\\" not in d and "\n" not in d),
                  key=lambda x: -len(x[0]))


def _relative(path: str, folders: list[tuple[str, int]]) -> str:
    """``path`` written relative to its include folder, as the portable text
    writes it (``<abicheck-dir-K>/linux/types.h``), else as it is."""
    for d, k in folders:
        if path.startswith(d) and path[len(d):len(d) + 1] == "/":
            return f"<abicheck-dir-{k}>{path[len(d):]}"
    return path


def parse(text: str, name: str, typedef_names, dirs=(), pieces=None) -> Pieces:
    """The ``FileAST`` a whole-text parse of ``text`` (behind ``# 1 "name"``
    and a prelude declaring ``typedef_names``) gives, but for the prelude's
    own nodes, with the ``Shift`` of each node (``builder`` reads locations
    through it).  ``dirs``: the include folders the text's files were found
    in; a declaration met before at another line, or in the same file of
    another tree or ABI (``dirs[K]/linux/types.h`` for the same K), is not
    parsed again.  ``pieces``: ``split(text, name)`` when the caller has it
    (``segments``).  Raises Unusual when in doubt."""
    if pieces is None:
        pieces = split(text, name)
    folders = _folders(dirs)
    scope: dict[str, bool] = dict.fromkeys(typedef_names, True)
    ext: list = []
    shifts: list = []
    p = None
    last = None             # the file of the pieces before, and what it is parsed as
    moved: dict[int, Shift] = {}
    for piece in pieces:
        src, file, line, col = piece
        if file is not last:
            last, moved = file, {}
            real = file.lstrip('"').rstrip('"')      # as the lexer reads a marker's name
            parsed_as = f"{_PARSED_AS}{_relative(real, folders)}"
            movable_file = "\\" not in file and _PARSED_AS not in file
        movable = movable_file and "#" not in src
        key: tuple = (src, parsed_as, 0, col) if movable else piece
        variants = _MEMO.get(key)
        hit = None
        if variants:
            for v in variants:
                if all(scope.get(n) == s for n, s in v[0]):
                    hit = v
                    break
        if hit is None:
            spelled = f'"{parsed_as}"' if movable else file
            # the common shapes without pycparser (fastdecl), where the file
            # is named as the lexer reads it (no escapes)
            got = (fastdecl.parse(src, spelled[1:-1], line, col, scope)
                   if fastdecl.ENABLED and _FITS and "\\" not in spelled else None)
            if got is None:
                p = p or parser()
                try:
                    got = p.parse_piece(f"# {line} {spelled}\n{' ' * (col - 1)}{src}", scope)
                except Exception as e:      # a syntax error, a recursion limit: parse it whole
                    raise Unusual(str(e)) from None
            nodes, own, asked = got
            hit = (asked, nodes, own, line)
            if len(_MEMO) >= _MEMO_LIMIT:
                _MEMO.clear()
            kept = _MEMO.setdefault(key, [])
            if len(kept) < _VARIANTS:
                kept.append(hit)
        ext.extend(hit[1])
        if movable:
            lines = line - hit[3]
            shift = moved.get(lines)
            if shift is None:
                shift = moved[lines] = Shift(parsed_as, real, lines)
            shifts.extend([shift] * len(hit[1]))
        else:
            shifts.extend([None] * len(hit[1]))
        scope.update(hit[2])
    return Pieces(ext, shifts)


@functools.lru_cache(maxsize=4096)
def declarations(src: str, typedef_names: tuple[str, ...]) -> tuple | None:
    """The nodes of ``src`` parsed with ``typedef_names`` (only those) as
    typedef names (their own declarations not among the nodes), or None
    when it does not parse; remembered, since an
    attribute argument (``aligned(sizeof(T))``) repeats in every header
    that includes its declaration, and a fresh parser would read a prelude
    each time."""
    try:
        if not _FITS:           # a new parser behind a prelude of typedefs
            prelude = "".join(f"typedef int {n};\n" for n in typedef_names)
            return tuple(c_parser.CParser(dialect="c23").parse(prelude + src).ext)[len(typedef_names):]
        nodes, _, _ = parser().parse_piece(src, dict.fromkeys(typedef_names, True))
    except (c_parser.ParseError, Unusual):
        return None
    return tuple(nodes)
