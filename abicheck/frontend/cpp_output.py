"""Reading cpp's ``-dD`` output: the text the parser sees and the macro record.

cpp echoes each ``#define`` and ``#undef`` where it happens; those lines
are blanked (so pycparser's line numbers stay right) and the macros are read
from them only when asked for.  Line markers tell which files cpp entered
and from where (confinement checks them).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from abicheck.errors import SourceLoc

MAIN = "<headers>"
_MARKER = re.compile(r'^#\s*(?:line\s+)?(\d+)\s+"((?:\\.|[^"\\])*)"((?:\s+\d)*)')
_DEFINE = re.compile(r"^#define\s+([A-Za-z_]\w*)(\(([^)]*)\))?[ \t]?(.*)$")
_UNDEF = re.compile(r"^#undef\s+([A-Za-z_]\w*)")
#: the lines ``_split_defines`` blanks, each with the line break before it:
#: what ``_DEFINE`` and ``_UNDEF`` match (whitespace within the line only)
#: and every #pragma but pack.  Patterns that open with a literal line break
#: let the regex engine skip to the next one (a ``^`` with ``re.M`` is tried
#: at every character): 3x faster on a 170 kB text
_BLANKED = re.compile(r"\n(?:#define[^\S\n]+[A-Za-z_]|#undef[^\S\n]+[A-Za-z_]|#pragma(?![^\S\n]+pack\b))"
                      r"[^\n]*")
#: a line marker (what ``_MARKER`` reads on one line) with the line break
#: before it: line number, file as written, flags
_MARKER_LINE = re.compile(r'\n(#[^\S\n]*(?:line[^\S\n]+)?(\d+)[^\S\n]+"([^"\\\n]*(?:\\.[^"\\\n]*)*)"((?:[^\S\n]+\d)*))')


@dataclass(frozen=True, slots=True)
class MacroDef:
    """One ``#define`` as it stands at the end of the translation unit."""

    name: str
    params: tuple[str, ...] | None     # None for object-like macros
    body: str
    loc: SourceLoc


class Preprocessed:
    """cpp output ready for parsing, and the macros that were defined.

    ``macros`` (and ``macros_exact``) are read from cpp's ``-dD`` record
    the first time they are asked for: a layout that reads no macro never
    pays for turning thousands of ``#define`` lines into ``MacroDef``s (15%
    of a header's time with the parse cache warm)."""

    __slots__ = ("text", "main_source", "entries", "search_dirs", "_macros", "_exact", "_raw",
                 "_map")

    def __init__(self, text: str, macros: "tuple[MacroDef, ...] | None", main_source: str,
                 entries: tuple = (), macros_exact: bool = False, raw: str | None = None) -> None:
        self.text = text
        self.main_source = main_source            # the synthetic main file we fed cpp
        #: every file cpp entered, with the location of the #include that did
        self.entries: tuple[tuple[str, SourceLoc], ...] = entries
        #: the include directories cpp searched, in order (``preprocess``
        #: sets them): the front end's parse cache reads paths under them
        #: as relative to them
        self.search_dirs: tuple[str, ...] = ()
        self._macros, self._exact, self._raw = macros, macros_exact, raw
        self._map: dict[str, MacroDef] | None = None

    @property
    def macros(self) -> tuple[MacroDef, ...]:
        if self._macros is None:
            # stretch by stretch through a memo (``macro_record``): records
            # repeat the same stretches; ``_scan_macros`` is its reference
            from abicheck.frontend.macro_record import scan_map
            self._map, self._exact = scan_map(self._raw or "")
            self._macros = tuple(self._map.values())
            self._raw = None
        return self._macros

    @property
    def macro_map(self) -> dict[str, MacroDef]:
        """``macros`` by name, in their order; shared, never to be changed."""
        if self._map is None:
            self._map = {d.name: d for d in self.macros}
        return self._map

    @property
    def macros_exact(self) -> bool:
        """``macros`` is exactly the macro state at the end of the unit
        (cpp's own -dD record, no ``#pragma push_macro``/``pop_macro``,
        and no predefined macro left undefined by an ``#undef``: a list of
        definitions cannot say that; one defined again is in the list):
        ``MacroTable`` may then expand them without preprocessing the
        headers again."""
        self.macros
        return self._exact

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Preprocessed):
            return NotImplemented
        return (self.text, self.macros, self.main_source, self.entries, self.macros_exact) == \
            (other.text, other.macros, other.main_source, other.entries, other.macros_exact)

    __hash__ = None


def _split_defines(output: str, main: str) -> Preprocessed:
    """Blank the ``#define``/``#undef`` lines (and every ``#pragma`` but
    ``pack``, which the layout reads) of ``-dD`` output so line numbers stay
    right, note every file cpp entered; the macros are read from ``output``
    when asked for (``_scan_macros``)."""
    entries: list[tuple[str, SourceLoc]] = []
    pieces: list[str] = []
    # offsets are in ``src``: the output after a line break, so that every
    # line, the first too, follows one
    src = "\n" + output
    last = 1
    # most markers only move the place (a return, a jump past blank lines):
    # the place of the one before is worked out only when a file is entered
    before = None
    named = None            # the file name of ``before`` once read (one object, as pickled)
    for hm in _MARKER_LINE.finditer(src):
        start = hm.start(1)
        written = hm.group(3)
        name = None
        if " 1" in hm.group(4) and not written.startswith("<"):
            # entering an included file: we stand on its #include line
            if before is None:
                file, line = "<built-in>", src.count("\n", 1, start)
            else:
                file = MAIN if before.group(3) == "<stdin>" else named or _unescape(before.group(3))
                line = int(before.group(2)) + src.count("\n", before.start(1), start) - 1
            name = _unescape(written)
            entries.append((name, SourceLoc(file, max(line, 1), 1)))
        before, named = hm, name
        if written == "<stdin>":
            end = src.find("\n", hm.end())
            pieces += [src[last:start], f'# {hm.group(2)} "{MAIN}"']
            last = end if end >= 0 else len(src)
    pieces.append(src[last:])
    text = _BLANKED.sub("\n", "\n" + "".join(pieces))[1:]
    return Preprocessed(text, None, main, tuple(entries), raw=output)


def split_after(head: Preprocessed, output: str, main: str,
                tail: Preprocessed | None = None) -> Preprocessed:
    """``_split_defines(raw + "\n" + output, main)``, given ``head``, what
    ``_split_defines(raw, ...)`` returned (its macros never read): the
    predefined-macro prefix ``batch`` shares between all the headers of a
    run (10 kB and 187 line markers of x86_64's 24 kB per header) is then
    read once, not once per header.

    Exact when ``output`` opens with a ``<stdin>`` line marker (a batch
    part always does), else the whole text is read again: each line
    marker lies on one line and the blanked lines too, so both scans cut
    at the line break between ``raw`` and ``output``, and that first
    marker sets every place ``output``'s entries are counted from (the
    file before an entered one, and its line).  ``tail``: what
    ``_split_defines(output, main)`` returned, when the caller has it
    (``stand_in`` joins one tail to each target's head)."""
    raw = head._raw
    assert raw is not None
    end = output.find("\n")
    first = _MARKER_LINE.match("\n" + output[:end]) if end >= 0 else None
    if first is None or first.group(3) != "<stdin>":
        return _split_defines(raw + "\n" + output, main)
    if tail is None:
        tail = _split_defines(output, main)
    return Preprocessed(head.text + "\n" + tail.text, None, main, head.entries + tail.entries,
                        raw=raw + "\n" + output)


def _scan_macros(output: str) -> tuple[tuple[MacroDef, ...], bool]:
    """The macros defined at the end of ``-dD`` output, tracking where each
    came from, and whether that record is exact (see ``Preprocessed``)."""
    macros: dict[str, MacroDef] = {}
    lines = output.split("\n")
    file, line = "<built-in>", 0
    exact = True
    undone: set[str] = set()        # predefined names an #undef took away (at some point)
    for i, text in enumerate(lines):
        if text.startswith("#"):
            m = _MARKER.match(text)
            if m:
                new = _unescape(m.group(2))
                file, line = new, int(m.group(1))
                if file == "<stdin>":
                    file = MAIN
                continue
            d = _DEFINE.match(text)
            if d:
                macros.pop(d.group(1), None)
                macros[d.group(1)] = macro_def(d, file, line)
            else:
                u = _UNDEF.match(text)
                if u:
                    gone = macros.pop(u.group(1), None)
                    if gone is not None and (gone.loc.file in ("<built-in>", "<command-line>")
                                             or gone.name in undone):
                        undone.add(gone.name)
                elif re.match(r"#pragma\s+(?:push|pop)_macro\b", text):
                    exact = False
        line += 1
    # a predefined macro left undefined: the definitions alone do not say so
    # (arm's asm/types.h undefines __INT32_TYPE__ and defines it again: exact)
    return tuple(macros.values()), exact and all(n in macros for n in undone)


def macro_def(d: re.Match, file: str, line: int) -> MacroDef:
    """The definition a ``_DEFINE`` match of a ``-dD`` line makes, at ``file:line``."""
    params = None
    if d.group(2) is not None:
        params = tuple(p.strip() for p in d.group(3).split(",") if p.strip())
    return MacroDef(d.group(1), params, d.group(4).strip(), SourceLoc(file, line, 1))


def _unescape(s: str) -> str:
    return s.replace('\\"', '"').replace("\\\\", "\\")
